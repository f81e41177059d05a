"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, current_app
from sqlalchemy import text

from .errors import problem
from .extensions import db
from .seeding import loaded_version

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Say the process is alive."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Say whether the database answers and the seed is loaded."""
    try:
        db.session.execute(text("SELECT 1"))
        version = loaded_version()
    except Exception as error:  # noqa: BLE001 - any database failure means not ready
        current_app.logger.warning("readiness check failed: %s", type(error).__name__)
        db.session.rollback()
        return problem(503, "Service Unavailable", "The database is not reachable.")
    if version is None or "crampcheck.lexicon" not in current_app.extensions:
        return problem(503, "Service Unavailable", "The seed is not loaded.")
    return {"status": "ready", "seed_version": version}
