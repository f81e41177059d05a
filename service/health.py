"""Liveness and readiness probes."""

from __future__ import annotations

import redis
from flask import Blueprint, current_app
from sqlalchemy import text

from .errors import problem
from .extensions import db
from .seeding import loaded_version
from .services import NotReady, services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Say the process is alive."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Say whether the database answers, its schema and seed are there, and the seed index is built."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any database failure means not ready
        current_app.logger.warning("readiness check failed: %s", type(error).__name__)
        db.session.rollback()
        return problem(503, "Service Unavailable", "The database is not reachable.")
    try:
        version = loaded_version()
    except Exception as error:  # noqa: BLE001 - no seed table: the schema was never migrated
        current_app.logger.warning("readiness check failed: %s", type(error).__name__)
        db.session.rollback()
        return problem(503, "Service Unavailable", "The database has no schema: run 'flask --app service prepare'.")
    if version is None:
        return problem(503, "Service Unavailable", "The database holds no seed: run 'flask --app service prepare'.")
    try:
        services().pipeline  # noqa: B018 - builds the seed index if this process has not yet
    except NotReady as error:
        return problem(503, "Service Unavailable", str(error))
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1).ping()
        except redis.RedisError as error:
            current_app.logger.warning("readiness check failed: Redis %s", type(error).__name__)
            return problem(503, "Service Unavailable", "Redis (the job queue) is not reachable.")
    return {"status": "ready", "seed_version": version, "redis": "ok" if redis_url else "not configured"}
