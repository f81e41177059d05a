"""Who may call the API, from where and how often: API keys, the page session, CORS, rate limits."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import auth, keys, origin, ratelimit
from .auth import Principal, current_principal

__all__ = ["Principal", "current_principal", "init_app"]


def init_app(app: Flask) -> None:
    """Wire the checks in the order a request meets them: origin, rate limit, then the key."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:  # believe the client address and scheme the trusted proxies add, and no others
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    origin.init_app(app)
    # Before the key check, so unknown keys are limited too (by address): guessing keys is throttled.
    ratelimit.init_app(app)
    app.before_request(auth.require_caller)
    app.after_request(auth.issue_page_session)
    keys.init_app(app)
