"""Prometheus metrics. Labels are route templates, methods, statuses and fixed names: never text a
client sent, so no medication name can reach /metrics and hostile input cannot grow label sets.

Under gunicorn the metrics live in PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py sets it up), so a
scrape of any worker sums every worker; a worker that exits is marked dead by gunicorn's child_exit.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable

from prometheus_client import Counter, Histogram

STATUSES = ("flagged", "not_flagged", "unresolved")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter("crampcheck_http_requests", "HTTP requests answered, by method, route template and status",
                   ["method", "route", "status"])
LATENCY = Histogram("crampcheck_http_request_duration_seconds", "Time to answer a request, by method and route template",
                    ["method", "route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
CHECKS = Counter("crampcheck_checks", "Medication lists checked, by channel and outcome (flagged if any entry "
                 "is, else unresolved if any entry is, else not_flagged)", ["channel", "outcome"])
ENTRIES = Counter("crampcheck_check_entries", "Medication entries checked, by channel and status",
                  ["channel", "status"])
CHECK_SECONDS = Histogram("crampcheck_check_duration_seconds", "Time to check one list, by channel", ["channel"],
                          buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
JOBS = Counter("crampcheck_batch_jobs_events", "Batch jobs created (queued) and ended (done, failed)", ["state"])
OPENFDA_CALLS = Counter("crampcheck_openfda_requests", "Requests to openFDA by endpoint and outcome "
                        "(ok, not_found, rejected, unavailable)", ["endpoint", "outcome"])
OPENFDA_CACHE = Counter("crampcheck_openfda_cache_lookups", "openFDA cache lookups by result (hit, miss)", ["result"])


def outcome(statuses: Iterable[str]) -> str:
    """A list's outcome from its entries' statuses."""
    seen = set(statuses)
    return next((s for s in ("flagged", "unresolved") if s in seen), "not_flagged")


def record_check(channel: str, statuses: list[str], seconds: float) -> Tally[str]:
    """Count one checked list; the statuses counted by status."""
    counts = Tally(statuses)
    CHECKS.labels(channel, outcome(statuses)).inc()
    CHECK_SECONDS.labels(channel).observe(seconds)
    for status in STATUSES:
        if counts[status]:
            ENTRIES.labels(channel, status).inc(counts[status])
    return counts


def record_entries(channel: str, counts: Tally[str]) -> None:
    """Count batch entries by status (a batch is rows, not one list)."""
    for status, count in counts.items():
        ENTRIES.labels(channel, status).inc(count)


def record_request(method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "other"
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)
