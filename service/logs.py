"""Logging set-up. Medication lists are health data: they never reach a log."""

from __future__ import annotations

import logging
import re

from flask import Flask

_QUERY = re.compile(r"(\"[A-Z]+ [^\s?\"]*)\?[^\s\"]*")


class RedactQueryStrings(logging.Filter):
    """Drop query strings from access-log lines (a suggest query is a medication name)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.args:
            record.msg = record.msg % record.args
            record.args = ()
        if isinstance(record.msg, str):
            record.msg = _QUERY.sub(r"\1?[redacted]", record.msg)
        return True


def init_app(app: Flask) -> None:
    """Set the log level and keep query strings out of the development server's access log."""
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # urllib3 logs request URLs at DEBUG; openFDA URLs carry ingredient names from users' lists.
    logging.getLogger("urllib3").setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactQueryStrings) for f in werkzeug.filters):
        werkzeug.addFilter(RedactQueryStrings())
