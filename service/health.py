"""Liveness and readiness probes."""

from __future__ import annotations

import redis
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
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1).ping()
        except redis.RedisError as error:
            current_app.logger.warning("readiness check failed: Redis %s", type(error).__name__)
            return problem(503, "Service Unavailable", "Redis (the job queue) is not reachable.")
    return {"status": "ready", "seed_version": version, "redis": "ok" if redis_url else "not configured"}
