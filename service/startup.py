"""Preparing the database (migrate, seed) and warming the seed index: explicit steps, never in create_app.

Production runs `flask --app service prepare` as its release step. The embedded default (SQLite,
no DATABASE_URL) prepares itself when gunicorn starts, so `make run` works on a fresh machine.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask import Flask

from .extensions import db
from .seeding import database_lock, load_seed, loaded_version, read_seed_files
from .services import NotReady, services

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def migrations(app: Flask) -> click.Group:
    """Flask-Migrate on this app, set up on first use, and its `flask db` commands.

    Importing alembic is a third of a command's start-up, and only migrating needs it.
    """
    import flask_migrate
    import flask_migrate.cli

    if "migrate" not in app.extensions:
        flask_migrate.Migrate(app, db, directory=str(MIGRATIONS))
    return flask_migrate.cli.db


def upgrade_schema(app: Flask) -> None:
    """Migrate the database to the latest schema (inside an app context)."""
    import flask_migrate

    migrations(app)
    flask_migrate.upgrade(directory=str(MIGRATIONS))


def prepare(app: Flask) -> bool:
    """Migrate the schema and load the seed if it changed, one instance at a time; True if it loaded."""
    with app.app_context(), database_lock(db.engine):
        upgrade_schema(app)
        loaded = load_seed(read_seed_files())
        if loaded:
            log.info("loaded seed %s", loaded_version())
        db.session.remove()
    return loaded


def start(app: Flask) -> None:
    """What a server does before it takes requests: prepare (when configured) and build the index.

    Under gunicorn this runs once in the master, before workers fork, so they share the index.
    """
    if app.config["PREPARE_ON_START"]:
        prepare(app)
    try:
        services(app).pipeline  # noqa: B018 - builds the seed index now rather than on the first request
    except NotReady as error:  # /readyz answers 503 until the release step has run
        log.warning("not ready: %s", error)
    release_connections(app)


def release_connections(app: Flask) -> None:
    """Close start-up connections so forked workers open their own."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
