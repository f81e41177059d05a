"""Structured JSON logs with a request id. Medication lists are health data: they never reach a log.

What is logged per request: method, the matched route template (never the path as typed, nor
the query string), status, duration and request id. Nothing from request bodies is logged.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.orjson import OrjsonFormatter

_QUERY = re.compile(r"(\"[A-Z]+ [^\s?\"]*)\?[^\s\"]*")
# A client's X-Request-ID is kept when it is an id (hex and dashes: UUIDs, trace ids), never free text
# that could carry a medication ("simvastatin-check-1"): anything else gets an id of our own.
_REQUEST_ID = re.compile(r"^[0-9A-Fa-f-]{16,64}$")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
access_log = logging.getLogger("crampcheck.access")


class RedactQueryStrings(logging.Filter):
    """Drop query strings from access-log lines (a suggest query is a medication name)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.args:
            record.msg = record.msg % record.args
            record.args = ()
        if isinstance(record.msg, str):
            record.msg = _QUERY.sub(r"\1?[redacted]", record.msg)
        return True


def _install_request_id_factory() -> None:
    """Stamp every log record made during a request with that request's id."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "crampcheck", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = g.get("request_id") if has_request_context() else None
        return record

    factory.crampcheck = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def configure(level: str, fmt: str) -> None:
    """Set up the root handler once: JSON lines (or plain text) on standard error."""
    root = logging.getLogger()
    root.setLevel(level)
    handler = next((h for h in root.handlers if getattr(h, "crampcheck", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.crampcheck = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    _install_request_id_factory()
    if fmt == "json":
        handler.setFormatter(OrjsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                                           rename_fields={"levelname": "level", "asctime": "time"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    # urllib3 logs request URLs at DEBUG; openFDA URLs carry ingredient names from users' lists.
    logging.getLogger("urllib3").setLevel(max(logging.INFO, root.getEffectiveLevel()))
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactQueryStrings) for f in werkzeug.filters):
        werkzeug.addFilter(RedactQueryStrings())


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    access_log.info("request", extra={
        "method": request.method if request.method in _METHODS else "other",  # a client may send any word
        "route": request.url_rule.rule if request.url_rule else "(no route)",
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
    })
    return response


def init_app(app: Flask) -> None:
    """Configure logging and the per-request id and access line."""
    configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    app.before_request(_start)
    app.after_request(_finish)
