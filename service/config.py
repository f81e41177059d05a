"""Configuration: defaults, then environment variables, then the caller's overrides."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any

import orjson


def _bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


# name: (default, parser). Every setting here can be given as an environment variable.
SETTINGS: dict[str, tuple[Any, Any]] = {
    "DATABASE_URL": (None, str),
    "LOG_LEVEL": ("INFO", str),
    "LOG_FORMAT": ("json", str),  # json or text
    "MAX_MEDICATIONS": (200, int),
    "MAX_ENTRY_CHARS": (2000, int),
    "MAX_CONDITIONS": (50, int),
    "CHECK_MAX_BODY_BYTES": (256 * 1024, int),
    # Unknown words looked up as misspellings (with suggestions), per entry and per check or batch row.
    "FUZZY_WORDS_PER_ENTRY": (6, int),
    "FUZZY_WORDS_PER_CHECK": (200, int),
    # FHIR resources and CDS Hooks requests are verbose: a 200-entry Bundle is about 200 KB.
    "FHIR_MAX_BODY_BYTES": (2 * 1024 * 1024, int),
    # CDS Hooks answers should come in about half a second: openFDA is not asked unless turned on.
    "CDS_USE_OPENFDA": (False, _bool),
    # FHIR servers a CDS Hooks request may make this service fetch from (URL prefixes, comma-separated);
    # empty: any https server.
    "CDS_FHIR_SERVERS": ((), _list),
    # Migrate and seed when the server starts; default: on for SQLite (the embedded default), off
    # otherwise, where the release step (`flask --app service prepare`) does it once.
    "PREPARE_ON_START": (None, _bool),
    "REDIS_URL": (None, str),
    "HUEY_NAME": ("crampcheck", str),
    "HUEY_SQLITE_FILE": (None, str),  # the embedded queue's file; default: queue.db in the instance folder
    "BATCH_WORKER": (None, str),  # embedded or external; default: external when REDIS_URL is set
    "BATCH_WORKERS": (2, int),
    "BATCH_SYNC_MAX_ROWS": (1000, int),
    # Per client (API key, page session or address): unfinished jobs at one time, and bytes kept
    # (compressed uploads and results of its jobs not yet expired).
    "BATCH_MAX_ACTIVE_JOBS": (3, int),
    "BATCH_MAX_STORED_BYTES": (200 * 1024 * 1024, int),
    # The immediate (synchronous) path also takes at most this many entries and bytes, this many
    # misspelling lookups over the whole file, and this many seconds; beyond any of them, a job.
    "BATCH_SYNC_MAX_ENTRIES": (2000, int),
    "BATCH_SYNC_MAX_BYTES": (256 * 1024, int),
    "BATCH_SYNC_FUZZY_WORDS": (400, int),
    "BATCH_SYNC_SECONDS": (5.0, float),
    "BATCH_MAX_ENTRIES_PER_ROW": (200, int),
    # 10 MiB: a worker checking the largest upload peaks at about 245 MB (bench/batch_memory.py);
    # 50 MiB went far past the 300 MB a worker may use.
    "BATCH_MAX_BYTES": (10 * 1024 * 1024, int),
    "BATCH_MAX_CELL_CHARS": (4000, int),
    "BATCH_CHUNK_ROWS": (5000, int),
    "BATCH_RETENTION_HOURS": (168, float),
    "BATCH_STALE_SECONDS": (60, float),
    "OPENFDA_ENABLED": (True, _bool),
    "OPENFDA_BASE_URL": ("https://api.fda.gov", str),
    "OPENFDA_API_KEY": (None, str),
    "OPENFDA_TIMEOUT": (5.0, float),
    "OPENFDA_BUDGET_SECONDS": (3.0, float),
    "OPENFDA_MAX_ATTEMPTS": (3, int),
    "OPENFDA_RATE_PER_SECOND": (4, int),
    "OPENFDA_RATE_PER_MINUTE": (200, int),
    "OPENFDA_BREAKER_FAILURES": (5, int),
    "OPENFDA_BREAKER_RESET_SECONDS": (60, int),
    "OPENFDA_LABEL_TTL_HOURS": (24, float),
    "OPENFDA_FAERS_TTL_HOURS": (168, float),
    "OPENFDA_CLASS_TTL_HOURS": (24, float),
    # Access: API keys (off or required), the page's signed session, rate limits, CORS, proxies.
    "API_KEYS": ("off", str),
    "SECRET_KEY": (None, str),  # signs the page's session cookie; default: random per start
    "PAGE_SESSION_HOURS": (12, float),
    "RATE_LIMIT": ("300/minute", str),  # per API key or client address; off or empty: no limit
    "RATE_LIMIT_KEY_PREFIX": ("crampcheck-rate", str),
    "CORS_ORIGINS": ("", str),  # origins allowed to call the API from a browser, comma-separated
    "TRUSTED_PROXIES": (0, int),  # proxies in front whose X-Forwarded-For/-Proto/-Host are believed
    "METRICS_ENABLED": (True, _bool),
}


def database_uri(url: str | None, instance_path: str) -> str:
    """The SQLAlchemy URL for DATABASE_URL, defaulting to SQLite in the instance folder."""
    if not url:
        return f"sqlite:///{os.path.join(instance_path, 'crampcheck.db')}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def access_settings(config: dict[str, Any]) -> None:
    """Check and normalise the access settings; a typo must not leave the API open."""
    mode = (config["API_KEYS"] or "off").strip().lower()
    if mode not in ("off", "required"):
        raise ValueError(f"API_KEYS must be 'off' or 'required', not {config['API_KEYS']!r}")
    config["API_KEYS"] = mode
    limit = (config["RATE_LIMIT"] or "").strip()
    config["RATE_LIMIT"] = "" if limit.lower() in ("", "off", "none", "0") else limit
    origins = config["CORS_ORIGINS"]
    if isinstance(origins, str):
        origins = origins.replace(",", " ").split()
    config["CORS_ORIGINS"] = [o.rstrip("/") for o in origins]
    # Without SECRET_KEY every start signs with a new key: page sessions then last until a restart
    # and are valid on this instance only (set SECRET_KEY when running more than one).
    config["SECRET_KEY"] = config["SECRET_KEY"] or secrets.token_urlsafe(32)


def load(environ: Mapping[str, str], instance_path: str, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Build the app configuration."""
    config = {name: parse(environ[name]) if name in environ else default for name, (default, parse) in SETTINGS.items()}
    config.update(overrides or {})
    config["SQLALCHEMY_DATABASE_URI"] = config.get("SQLALCHEMY_DATABASE_URI") or database_uri(
        config["DATABASE_URL"], instance_path
    )
    # orjson for JSON columns: the seed index reads some 40,000 of them at start-up.
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, "json_deserializer": orjson.loads,
                                           "json_serializer": lambda value: orjson.dumps(value).decode()}
    if config["PREPARE_ON_START"] is None:
        config["PREPARE_ON_START"] = config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    access_settings(config)
    config["BATCH_WORKER"] = config["BATCH_WORKER"] or ("external" if config["REDIS_URL"] else "embedded")
    # The largest body any endpoint takes (a batch upload); the check endpoint lowers it for itself.
    config["MAX_CONTENT_LENGTH"] = config["BATCH_MAX_BYTES"]
    config.update(
        API_TITLE="CrampCheck API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",  # the bundled Swagger UI (4.x) renders 3.0 documents
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    return config
