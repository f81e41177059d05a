"""CrampCheck: check medication lists for medicines associated with muscle cramps."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import flask_migrate
from flask import Flask

from . import cli, config, docs, errors, extensions, health, logs, openfda, web
from .api import blp as api_blueprint
from .batch import jobs as batch_jobs
from .batch.views import blp as batch_blueprint
from .extensions import db
from .lexicon import Lexicon
from .seeding import database_lock, load_seed, loaded_version, read_seed_files, read_seed_from_db, seed_version

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: configuration, database, seed index, API, page and commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(config.load(os.environ, app.instance_path, overrides))
    app.json.sort_keys = False  # keep fields in the documented order
    os.makedirs(app.instance_path, exist_ok=True)
    logs.init_app(app)
    db.init_app(app)
    extensions.migrate.init_app(app, db, directory=str(MIGRATIONS))
    errors.init_app(app)
    extensions.api.init_app(app)
    extensions.api.register_blueprint(api_blueprint)
    extensions.api.register_blueprint(batch_blueprint)
    batch_jobs.init_app(app)
    openfda.init_app(app)
    app.register_blueprint(health.bp)
    docs.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    if app.config["PREPARE_DATABASE"]:
        with app.app_context():
            prepare_database(app)
            app.extensions["crampcheck.lexicon"] = Lexicon.build(read_seed_from_db())
            release_connections(app)
    return app


def release_connections(app: Flask) -> None:
    """Close start-up connections so forked workers (gunicorn preload) open their own."""
    db.session.remove()
    if app.config["SQLALCHEMY_DATABASE_URI"] not in ("sqlite://", "sqlite:///:memory:"):
        db.engine.dispose()


def prepare_database(app: Flask) -> None:
    """Migrate the schema and load the seed if needed, one instance at a time."""
    with database_lock(db.engine):
        if app.config["AUTO_MIGRATE"]:
            flask_migrate.upgrade(directory=str(MIGRATIONS))
        _seed_if_needed(app)


def _seed_if_needed(app: Flask) -> None:
    if app.config["SEED_ON_START"]:
        if load_seed(read_seed_files()):
            log.info("loaded seed %s", loaded_version())
    elif loaded_version() != seed_version():
        log.warning("database holds seed %s, files are %s: run 'flask --app service seed'",
                    loaded_version(), seed_version())
