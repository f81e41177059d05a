"""Cross-origin rules: CORS for the origins in CORS_ORIGINS, and no cross-origin writes from others.

A browser sends a "simple" cross-origin POST (an HTML form, text/plain, multipart) without asking
first, so CORS alone would not stop another site from making a visitor's browser upload a file.
Every state-changing /api request whose Origin (or Sec-Fetch-Site) shows it comes from another
site is refused with 403 unless that origin is allowed. Clients that are not browsers send neither
header and are not affected.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_cors import CORS

from ..errors import problem, problem_type
from .auth import own_origin

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REFUSED = "cross-origin-refused"
# What a browser script on an allowed origin may read from our answers.
EXPOSED = ["Location", "Retry-After", "X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining",
           "X-RateLimit-Reset", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy",
           "Content-Disposition"]


def allowed(origin: str) -> bool:
    return own_origin(origin) or origin.rstrip("/") in current_app.config["CORS_ORIGINS"]


def refuse_cross_origin_writes() -> Response | None:
    """403 for a state-changing API request sent from a page of an origin that is not allowed."""
    if request.method not in STATE_CHANGING or not request.path.startswith("/api/"):
        return None
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin != "null" and allowed(origin):
            return None
    elif request.headers.get("Sec-Fetch-Site") not in ("cross-site", "same-site"):
        return None
    return problem(403, "Forbidden", "Requests that change something are not accepted from pages of other "
                   "origins. An operator can allow an origin with CORS_ORIGINS.", type_=problem_type(403, REFUSED))


def init_app(app: Flask) -> None:
    app.before_request(refuse_cross_origin_writes)
    origins = app.config["CORS_ORIGINS"]
    if origins:
        CORS(app, resources={r"/api/v1/*": {"origins": origins}}, allow_headers=["Authorization", "Content-Type",
             "Accept", "X-Request-ID"], expose_headers=EXPOSED, methods=["GET", "POST", "DELETE"],
             supports_credentials=False, max_age=600, always_send=False)
        app.after_request(_vary_by_origin)


def _vary_by_origin(response: Response) -> Response:
    """An API answer depends on the Origin it was asked from (allowed or not): say so to caches, also
    when one origin is configured (flask-cors then leaves Vary out) or none was sent."""
    if request.path.startswith("/api/v1/"):
        response.vary.add("Origin")
    return response
