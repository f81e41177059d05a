"""Request bodies read whole or refused: never silently cut at the size limit.

werkzeug enforces `max_content_length` on a body sent without a Content-Length (chunked) by
stopping at the limit, and reading the body whole then returns the first `limit` bytes as if they
were all of it. Every view that reads a body does it here, so a body over the limit is a 413
however it is sent.
"""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge


def whole_body() -> bytes:
    """The request body, or a 413 when it is longer than the request's `max_content_length`."""
    data = request.get_data(cache=True)
    limit = request.max_content_length
    if limit is not None and request.content_length is None and len(data) >= limit:
        # The stream stopped at the limit: anything left in the raw input means the body was longer.
        if request.environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge()
    return data
