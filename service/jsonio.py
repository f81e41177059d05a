"""JSON through orjson: Flask's responses (and the cached evidence) encode several times faster.

The marshmallow schemas stay the documented contract; tests hold the fast path to them.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

OPTIONS = orjson.OPT_NON_STR_KEYS


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON provider with orjson doing the work (falling back to Flask's rules for odd types)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:  # indent, sort_keys and the like: the standard library handles those
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default, option=OPTIONS).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Any:
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(orjson.dumps(obj, default=self.default, option=OPTIONS),
                                        mimetype=self.mimetype)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise BadRequest(f"The JSON body names the key '{key[:40]}' twice in one object, and only one "
                             "could be read: send each key once (a list of medications as one list).")
        seen.add(key)
    return dict(pairs)


def refuse_duplicate_keys(data: bytes) -> None:
    """orjson keeps the last of two equal keys, silently dropping the first ({"medications": [...],
    "medications": [...]}): read the body again keeping every pair, and refuse a repeated key."""
    if data.count(b'"') < 4 or data.count(b":") < 2:
        return  # fewer than two keys: nothing can repeat
    try:
        json.loads(data, object_pairs_hook=_unique_pairs)
    except (RecursionError, ValueError):  # nesting orjson accepts (1,024 levels) but Python's reader does not
        raise BadRequest("The JSON body could not be read: it is nested too deeply.") from None
