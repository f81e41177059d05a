"""Rate limits (Flask-Limiter): RATE_LIMIT requests per API key, or per client address without one.

One budget per caller covers the whole API (/api/v1 and /cds-services, docs excepted), kept in
Redis when REDIS_URL is set (shared by every worker and instance) and in memory otherwise (then
each worker process counts on its own). Over the limit the answer is a 429 problem with
Retry-After; every limited answer carries X-RateLimit-* and RateLimit-* headers.
"""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many

from ..errors import problem
from .auth import PUBLIC_API_PATHS, current_principal

KEY = "crampcheck-limiter"
LIMITED_PREFIXES = ("/api/", "/cds-services")


def caller_key() -> str:
    """The bucket of this request: its API key, else its client address (after TRUSTED_PROXIES)."""
    principal = current_principal()
    if principal is not None and principal.kind == "key":
        return f"key:{principal.ident}"
    # Page sessions are free to start, so they share their address's budget.
    return f"addr:{request.remote_addr or 'unknown'}"


def exempt() -> bool:
    path = request.path
    return (request.method == "OPTIONS" or not path.startswith(LIMITED_PREFIXES)
            or path.startswith(PUBLIC_API_PATHS))


def too_many(error: RateLimitExceeded) -> Response:
    """The 429 problem, with the seconds to wait."""
    limit = _limiter().current_limit
    wait = max(1, int(limit.reset_at - time.time())) if limit else 60
    who = "API key" if caller_key().startswith("key:") else "client address"
    return problem(429, "Too Many Requests", f"More than {error.limit.limit} requests for this {who}. "
                   f"Try again in {wait} seconds.", headers={"Retry-After": str(wait)})


def add_headers(response: Response) -> Response:
    """Tell the caller its limit, what is left and when the window resets (legacy and IETF names)."""
    limiter = current_app.extensions.get(KEY)
    limit = limiter.current_limit if limiter else None
    if limit is None:
        return response
    reset_in = max(0, int(limit.reset_at - time.time()))
    amount, window = limit.limit.amount, limit.limit.get_expiry()
    response.headers.update({
        "X-RateLimit-Limit": str(amount), "X-RateLimit-Remaining": str(limit.remaining),
        "X-RateLimit-Reset": str(int(limit.reset_at)),
        "RateLimit-Limit": str(amount), "RateLimit-Remaining": str(limit.remaining),
        "RateLimit-Reset": str(reset_in), "RateLimit-Policy": f"{amount};w={window}",
    })
    return response


def _limiter() -> Limiter:
    return current_app.extensions[KEY]


def init_app(app: Flask) -> None:
    """Limit the API when RATE_LIMIT is set (one Limiter per app: tests build many apps)."""
    config = app.config
    if not config["RATE_LIMIT"]:
        return
    try:
        parse_many(config["RATE_LIMIT"])
    except ValueError as error:
        raise ValueError(f"RATE_LIMIT {config['RATE_LIMIT']!r} is not a limit such as '60/minute'") from error
    limiter = Limiter(
        caller_key, application_limits=[config["RATE_LIMIT"]],
        storage_uri=config["REDIS_URL"] or "memory://", key_prefix=config["RATE_LIMIT_KEY_PREFIX"],
        strategy="fixed-window", headers_enabled=False,
        # A Redis outage must not take the API down: the limit is not applied while it lasts (logged).
        swallow_errors=True,
    )
    limiter.request_filter(exempt)
    limiter.init_app(app)
    app.extensions[KEY] = limiter
    app.register_error_handler(RateLimitExceeded, too_many)
    app.after_request(add_headers)
