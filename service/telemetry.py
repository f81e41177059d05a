"""Request metrics, check metrics and audit lines, and the Prometheus endpoint /metrics."""

from __future__ import annotations

import os
import time

from flask import Blueprint, Flask, Response, current_app, g, has_request_context, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from . import audit, metrics
from .extensions import db
from .matching import CheckResult
from .models import BatchJob, utcnow
from .services import services

bp = Blueprint("telemetry", __name__)
JOB_STATES = ("queued", "running", "done", "failed")
CHANNELS = {"api": "api", "fhir": "fhir", "cds-hooks": "cds-hooks"}


def channel() -> str:
    """Where a check came from: the API blueprint of the request, or the command line."""
    if not has_request_context():
        return "cli"
    return CHANNELS.get(request.blueprint or "", "other")


def observe_check(result: CheckResult, seconds: float) -> None:
    """Count a checked list and write its audit line."""
    where = channel()
    counts = metrics.record_check(where, [entry.status for entry in result.entries], seconds)
    audit.check(where, counts, seconds, len(result.conditions) + len(result.unmatched_conditions))


def observe_request(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule else "(unmatched)"
    started = g.get("started")
    metrics.record_request(request.method, route, response.status_code,
                           time.perf_counter() - started if started else 0.0)
    return response


class JobStates:
    """Live batch jobs by state, counted in the database at scrape time (right for any number of workers)."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        family = GaugeMetricFamily("crampcheck_batch_jobs", "Live (unexpired) batch jobs by state", labels=["state"])
        try:
            with self.app.app_context():
                counted = dict(db.session.execute(select(BatchJob.status, func.count()).where(
                    BatchJob.expires_at > utcnow()).group_by(BatchJob.status)).all())
        except SQLAlchemyError:
            return  # no database: the other metrics are still worth a scrape
        for state in JOB_STATES:
            family.add_metric([state], counted.get(state, 0))
        yield family


@bp.get("/metrics")
def scrape():
    """Prometheus metrics of every worker of this instance, plus job counts from the database."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    jobs = CollectorRegistry()
    jobs.register(JobStates(current_app._get_current_object()))  # type: ignore[attr-defined]
    return Response(generate_latest(registry) + generate_latest(jobs), content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    services(app).on_check = observe_check
    app.after_request(observe_request)
    if app.config["METRICS_ENABLED"]:
        app.register_blueprint(bp)
