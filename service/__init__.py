"""CrampCheck: check medication lists for medicines associated with muscle cramps.

The package root imports nothing heavy, so the pure core (`service.resolution`,
`service.matching`, ...) loads without Flask, SQLAlchemy or the job queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Create the app (see service.app.create_app)."""
    from .app import create_app as factory

    return factory(overrides)
