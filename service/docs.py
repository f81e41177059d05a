"""The API docs page: Swagger UI from the swagger-ui-bundle package, served locally (no CDN)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint("docs", __name__)


@bp.get("/api/v1/docs")
def page():
    """Show the interactive API documentation."""
    return render_template("docs.html")


@bp.get("/api/v1/docs/swagger-ui/<path:filename>")
def swagger_ui(filename: str):
    """Serve Swagger UI's own files from the installed package."""
    return send_from_directory(Path(swagger_ui_path), filename, max_age=86400)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
