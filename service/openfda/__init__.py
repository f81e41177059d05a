"""openFDA evidence: what a drug's US label and FAERS reports say about muscle cramps.

The seed covers the classes the literature names; openFDA is asked about every resolved
ingredient, within a time budget, and what it adds is reported beside the seed's flags.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pybreaker
import redis
import requests
from flask import Flask, current_app
from pyrate_limiter import Duration, InMemoryBucket, Limiter, Rate, RedisBucket

from ..lexicon import Lexicon
from ..matching import CheckResult, check
from ..resolution import resolve
from .client import OpenFDAClient, OpenFDARejected
from .evidence import DatabaseCache, EvidenceReport, EvidenceService

log = logging.getLogger(__name__)
OPENFDA_DISCLAIMER = (
    "openFDA data are unvalidated; FDA asks that they not be relied on alone for decisions about "
    "medical care. Label wording and FAERS reports are shown as evidence, not as a diagnosis."
)


def init_app(app: Flask) -> None:
    """Build the app's openFDA client and evidence service (unless openFDA is disabled)."""
    config = app.config
    if not config["OPENFDA_ENABLED"]:
        app.extensions["crampcheck.openfda"] = None
        return
    session = requests.Session()
    session.headers["User-Agent"] = "CrampCheck medication side-effect checker"
    limiter = Limiter(_throttle_bucket(config))
    client = OpenFDAClient(
        session, base_url=config["OPENFDA_BASE_URL"], api_key=config["OPENFDA_API_KEY"],
        timeout=config["OPENFDA_TIMEOUT"], limiter=limiter, max_attempts=config["OPENFDA_MAX_ATTEMPTS"],
        breaker=pybreaker.CircuitBreaker(fail_max=config["OPENFDA_BREAKER_FAILURES"],
                                         reset_timeout=config["OPENFDA_BREAKER_RESET_SECONDS"],
                                         exclude=[OpenFDARejected]),
    )
    app.extensions["crampcheck.openfda"] = EvidenceService(
        client, DatabaseCache(), lambda: app.extensions["crampcheck.lexicon"].pharm_classes,
        ttl={"label": timedelta(hours=config["OPENFDA_LABEL_TTL_HOURS"]),
             "faers": timedelta(hours=config["OPENFDA_FAERS_TTL_HOURS"]),
             "class": timedelta(hours=config["OPENFDA_CLASS_TTL_HOURS"])},
        clock=time.monotonic,
    )


def _throttle_bucket(config: dict[str, Any]) -> Any:
    """The throttle's bucket: in Redis when configured, so every instance shares openFDA's quota."""
    rates = [Rate(config["OPENFDA_RATE_PER_SECOND"], Duration.SECOND),
             Rate(config["OPENFDA_RATE_PER_MINUTE"], Duration.MINUTE)]
    if config.get("REDIS_URL"):
        try:
            client = redis.Redis.from_url(config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2)
            return RedisBucket.init(rates, client, f"{config['HUEY_NAME']}:openfda-throttle")
        except redis.RedisError as error:
            log.warning("openFDA throttle kept per process: Redis unavailable (%s)", type(error).__name__)
    return InMemoryBucket(rates)


def evidence_service() -> EvidenceService | None:
    """The app's evidence service; None when openFDA is disabled."""
    return current_app.extensions.get("crampcheck.openfda")


def lookup(service: EvidenceService, ingredients: Sequence[str], deadline: float | None) -> EvidenceReport:
    """Evidence for these ingredients; any unexpected failure degrades to 'unavailable', never an error."""
    try:
        return service.lookup(ingredients, deadline)
    except Exception as error:  # noqa: BLE001 - openFDA must never break a check
        log.error("openFDA lookup failed: %s", type(error).__name__)
        return EvidenceReport(not_checked=list(ingredients), status="unavailable")


def batch_evidence(shared_deadline: bool) -> Callable[[list[str]], dict[str, list[dict[str, Any]]]] | None:
    """An evidence provider for a batch, or None when openFDA is disabled.

    A synchronous batch shares one time budget; a job gives each lookup its own.
    """
    service = evidence_service()
    if service is None:
        return None
    budget = current_app.config["OPENFDA_BUDGET_SECONDS"]
    deadline = service.clock() + budget if shared_deadline else None

    def provide(ingredients: list[str]) -> dict[str, list[dict[str, Any]]]:
        return lookup(service, ingredients, deadline or service.clock() + budget).entries

    return provide


def check_with_openfda(medications: Sequence[str], conditions: Sequence[str], lexicon: Lexicon,
                       use_openfda: bool = True) -> CheckResult:
    """Check a list against the seed, then add openFDA evidence within the time budget."""
    resolutions = [resolve(text, lexicon) for text in medications]
    service = evidence_service() if use_openfda else None
    if service is None:
        result = check(medications, conditions, lexicon, resolutions=resolutions)
        result.openfda = openfda_block(None)
        return result
    # Ingredients the seed does not flag first: that is where openFDA adds the most.
    ingredients = sorted(
        dict.fromkeys(i.name for r in resolutions for i in r.ingredients),
        key=lexicon.is_flagged_ingredient,
    )
    deadline = service.clock() + current_app.config["OPENFDA_BUDGET_SECONDS"]
    report = lookup(service, ingredients, deadline)
    result = check(medications, conditions, lexicon, report.entries, resolutions)
    result.openfda = openfda_block(report)
    return result


def openfda_block(report: EvidenceReport | None) -> dict[str, Any]:
    """The response's summary of what openFDA contributed."""
    if report is None:
        return {"status": "disabled", "not_checked": [], "last_updated": None, "disclaimer": OPENFDA_DISCLAIMER}
    return {"status": report.status, "not_checked": report.not_checked, "last_updated": report.last_updated,
            "disclaimer": OPENFDA_DISCLAIMER}
