"""The app factory: configuration, extensions, blueprints and commands. No I/O happens here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import access, cli, config, docs, errors, extensions, health, logs, schemas, services, telemetry, web
from .api import blp as api_blueprint
from .batch import jobs as batch_jobs
from .batch.views import blp as batch_blueprint
from .extensions import db
from .interop import views as interop_views
from .jsonio import OrjsonProvider


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: configuration, database, API, page and commands.

    The database is not touched: `startup.prepare` migrates and seeds, and the seed index is
    built on first use (see services).
    """
    Flask.json_provider_class = OrjsonProvider
    app = Flask("service", instance_relative_config=True)
    app.config.update(config.load(os.environ, app.instance_path, overrides))
    app.json.sort_keys = False  # keep fields in the documented order
    os.makedirs(app.instance_path, exist_ok=True)
    logs.init_app(app)
    access.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    extensions.api.init_app(app)
    extensions.api.ma_plugin.converter.add_attribute_function(schemas.entry_field_properties)
    extensions.api.register_blueprint(api_blueprint)
    extensions.api.register_blueprint(batch_blueprint)
    interop_views.init_app(app, extensions.api)
    services.init_app(app)
    telemetry.init_app(app)
    batch_jobs.init_app(app)
    app.register_blueprint(health.bp)
    docs.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app
