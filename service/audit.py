"""Audit log: one line per check and per batch job, on the logger crampcheck.audit.

A line says who (the API key's name, "web page", or "anonymous"), what (channel, counts by
status) and how long; the request id is added by the logging setup. Never medication or
condition text, patient ids or file names: only counts and fixed words.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import has_request_context

from .access import current_principal

audit_log = logging.getLogger("crampcheck.audit")
ANONYMOUS = "anonymous"


def caller_name() -> str:
    """The name of this request's caller, for audit lines."""
    principal = current_principal() if has_request_context() else None
    return principal.name if principal else ANONYMOUS


def check(channel: str, counts: Mapping[str, int], seconds: float, conditions: int) -> None:
    """Log one checked list."""
    audit_log.info("check", extra={"event": "check", "channel": channel, "caller": caller_name(),
                                   "entries": sum(counts.values()), "statuses": dict(counts),
                                   "conditions": conditions, "duration_ms": round(seconds * 1000, 1)})


def batch(counts: Mapping[str, int], rows: int, seconds: float) -> None:
    """Log one batch answered at once."""
    audit_log.info("batch", extra={"event": "batch", "channel": "batch", "caller": caller_name(), "rows": rows,
                                   "entries": sum(counts.values()), "statuses": dict(counts),
                                   "duration_ms": round(seconds * 1000, 1)})


def job(event: str, job_id: str, caller: str, rows: int, state: str, seconds: float | None = None,
        counts: Mapping[str, int] | None = None) -> None:
    """Log a batch job being created or ending (done or failed)."""
    extra = {"event": f"job-{event}", "job_id": job_id, "caller": caller, "rows": rows, "state": state}
    if counts is not None:
        extra.update(entries=sum(counts.values()), statuses=dict(counts))
    if seconds is not None:
        extra["duration_ms"] = round(seconds * 1000, 1)
    audit_log.info(f"job {event}", extra=extra)
