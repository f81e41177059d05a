"""Who is calling: an API key, the web page's same-origin session, or nobody.

With API_KEYS=required every /api/v1 route except the docs needs a key sent as
`Authorization: Bearer <key>`, or the page's session; /metrics needs a key. The page (GET /) sets a
signed cookie, HttpOnly and SameSite=Strict, holding a random session id; it counts only on requests the browser
marks as same-origin (Sec-Fetch-Site, Origin), so another site cannot ride on it. With API_KEYS=off
nothing is checked and every caller is anonymous.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..errors import problem
from . import keys

COOKIE = "crampcheck_page"
PUBLIC_API_PATHS = ("/api/v1/openapi.json", "/api/v1/docs")  # the docs page and what it loads
_NOBODY = object()


@dataclass(frozen=True)
class Principal:
    """A caller: an API key (kind "key", its id) or a page session (kind "page", its random id)."""

    kind: str
    ident: str
    name: str

    @property
    def owner(self) -> str:
        """The owner recorded on what this caller makes (batch jobs)."""
        return f"{self.kind}:{self.ident}"


def keys_required(app: Flask | None = None) -> bool:
    return (app or current_app).config["API_KEYS"] == "required"


def protected(path: str) -> bool:
    """Whether a path needs a caller when keys are required."""
    if path == "/metrics":
        return True
    return path.startswith("/api/v1/") and not path.startswith(PUBLIC_API_PATHS)


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_principal() -> Principal | None:
    """The caller of this request (looked up once per request); None when anonymous."""
    found = g.get("principal", _NOBODY)
    if found is _NOBODY:
        found = g.principal = _identify() if keys_required() else None
    return found  # type: ignore[return-value]


def _identify() -> Principal | None:
    token = bearer_token()
    if token is not None:
        key = keys.find(token)
        return Principal("key", str(key.id), key.name) if key else None
    session = page_session()
    return Principal("page", session, "web page") if session and same_origin() else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="crampcheck-page-session")


def page_session() -> str | None:
    """The session id in this request's page cookie, if its signature holds and it has not expired."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        return _serializer().loads(value, max_age=int(current_app.config["PAGE_SESSION_HOURS"] * 3600))
    except BadSignature:  # also SignatureExpired
        return None


def own_origin(origin: str) -> bool:
    """Whether an Origin header names this service's host (scheme aside: a TLS proxy may hide it)."""
    return urlsplit(origin).netloc.lower() == request.host.lower()


def same_origin() -> bool:
    """Whether the browser says this request comes from a page of this service."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site != "same-origin":
        return False
    origin = request.headers.get("Origin")
    return origin is None or own_origin(origin)


def require_caller() -> Response | None:
    """Answer 401 to a request for a protected route that has no valid key or page session."""
    if not keys_required() or request.method == "OPTIONS" or not protected(request.path):
        return None
    caller = current_principal()
    # /metrics is for the operator's Prometheus, which has a key; a browser that loaded the page has not.
    if caller is not None and not (request.path == "/metrics" and caller.kind == "page"):
        return None
    sent = bearer_token() is not None
    challenge = 'Bearer realm="crampcheck"' + (', error="invalid_token"' if sent else "")
    detail = ("The API key is unknown or has been revoked." if sent else
              "This service needs an API key: send 'Authorization: Bearer <key>'.")
    return problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": challenge})


def issue_page_session(response: Response) -> Response:
    """Give the page (GET /) its session cookie when keys are required, keeping an existing session."""
    if request.endpoint != "web.index" or not keys_required() or response.status_code != 200:
        return response
    session = page_session() or secrets.token_urlsafe(16)
    response.set_cookie(COOKIE, _serializer().dumps(session), max_age=int(current_app.config["PAGE_SESSION_HOURS"] * 3600),
                        httponly=True, samesite="Strict", secure=request.is_secure, path="/")
    response.headers["Cache-Control"] = "no-store"
    return response
