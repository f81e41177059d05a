"""One error shape for every failure: RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException, InternalServerError

from .services import NotReady

log = logging.getLogger(__name__)
# Every problem type has a stable URN; docs/problems.md says what each means and what to do.
PROBLEM_URN = "urn:crampcheck:problem:"
PROBLEM_TYPES = {
    400: "malformed-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 406: "not-acceptable", 408: "request-timeout", 409: "conflict",
    412: "precondition-failed", 413: "too-large", 414: "uri-too-long", 415: "unsupported-media-type",
    422: "validation-failed", 429: "rate-limited", 431: "headers-too-large", 500: "internal-error",
    503: "not-ready",
}
# Problem types more specific than their status's, registered by passing their slug to problem_type.
NAMED_TYPES: dict[str, int] = {"cross-origin-refused": 403, "job-quota": 429}


def problem_type(status: int, slug: str | None = None) -> str:
    """The type URI of a problem: its named type, else its status's (about:blank for a status with none)."""
    if slug is not None:
        assert NAMED_TYPES.get(slug) == status, f"problem type {slug!r} is not registered for {status}"
        return PROBLEM_URN + slug
    slug = PROBLEM_TYPES.get(status)
    return PROBLEM_URN + slug if slug else "about:blank"


def problem(status: int, title: str, detail: str | None = None, errors: Any = None,
            type_: str | None = None, headers: dict[str, str] | None = None) -> Response:
    """Build a problem-details response."""
    body: dict[str, Any] = {"type": type_ or problem_type(status), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    response.headers.update(headers or {})
    return response


def from_http_exception(error: HTTPException) -> Response:
    """Turn any werkzeug or flask-smorest HTTP error into a problem."""
    data = getattr(error, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    if isinstance(errors, dict) and set(errors) <= {"json", "query", "form", "files", "path", "headers"}:
        # webargs nests field errors under the request location; one location is enough.
        errors = next(iter(errors.values())) if len(errors) == 1 else errors
    if isinstance(errors, list):  # errors about the body as a whole ("Invalid JSON body.")
        errors = {"body": errors}
    detail = data.get("message") or error.description
    status = error.code or 500
    if status == 422 and not data.get("message"):
        detail = "The request body or parameters failed validation; see errors for each field."
    elif status == 400 and errors and not data.get("message"):
        detail = "The request body could not be read; see errors."
    headers = {k: v for k, v in (data.get("headers") or {}).items()}
    if status == 405 and error.get_response().headers.get("Allow"):
        headers["Allow"] = error.get_response().headers["Allow"]
    return problem(status, error.name, detail, errors, headers=headers)


def init_app(app: Flask) -> None:
    """Errors outside HTTP exceptions (those are flask-smorest's, turned into problems by our Api)."""

    @app.errorhandler(NotReady)
    def handle_not_ready(error: NotReady) -> Response:
        return problem(503, "Service Unavailable", str(error), headers={"Retry-After": "5"})

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        if _is_broken_body(error):
            return problem(400, "Bad Request", "The request body is malformed or ended early (broken chunked "
                                               "framing). Send it again, whole.", headers={"Connection": "close"})
        # Log the type and where it happened, never the message: it may quote a medication list.
        where = "".join(traceback.format_tb(error.__traceback__))
        log.error("unhandled %s\n%s", type(error).__name__, where)
        if app.debug or app.testing and app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        return from_http_exception(InternalServerError("The server could not finish the request."))


def _is_broken_body(error: Exception) -> bool:
    """gunicorn's body reader refusing a body mid-read (a chunk without its terminator, a bad chunk
    size, the client closing early): the client's fault, where the event-loop reader did not see it."""
    try:
        from gunicorn.http.errors import ChunkMissingTerminator, InvalidChunkSize, NoMoreData
    except ImportError:  # pragma: no cover - gunicorn is a dependency; other servers raise werkzeug's errors
        return False
    return isinstance(error, (ChunkMissingTerminator, InvalidChunkSize, NoMoreData))

