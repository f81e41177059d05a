"""Flask extensions, created unbound and bound to the app in create_app."""

import http
import json

import flask
import marshmallow as ma
import orjson
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest import abort as smorest_abort
from flask_smorest.utils import prepare_response
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import HTTPException

from .bodies import whole_body
from .errors import from_http_exception
from .jsonio import refuse_duplicate_keys


class Base(DeclarativeBase):
    pass


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, the body of every error response."""

    type = ma.fields.String(metadata={"example": "urn:crampcheck:problem:validation-failed",
                                      "description": "A stable URN per kind of problem (docs/problems.md)."})
    title = ma.fields.String(metadata={"example": "Unprocessable Entity"})
    status = ma.fields.Integer(metadata={"example": 422})
    detail = ma.fields.String()
    errors = ma.fields.Dict(metadata={"description": "Field errors, keyed by field (and item index)."})


class Api(SmorestApi):
    """flask-smorest with our one error shape."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        """Document every error response as application/problem+json, as it is sent."""
        for status in (*http.HTTPStatus, None):
            response: dict = {"description": status.phrase if status else "Default error response"}
            if status is None or not (100 <= status < 200 or status in (204, 304)):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, "application/problem+json")
            self.spec.components.response(status.name if status else "DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException):  # type: ignore[override]
        return from_http_exception(error)


class JSONParser(FlaskParser):
    """webargs' parser reading JSON with orjson, which refuses what the standard library turns into a 500.

    JSON nested deeper than 1,024 levels and numbers too large for a 64-bit integer or a double
    (orjson's own limits) are malformed-JSON problems (400), like any other invalid body.
    """

    def _raw_load_json(self, req: flask.Request):
        if not is_json_request(req):
            return core.missing
        data = whole_body()
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            # An empty body stays "no JSON" (doc ""), as with the standard parser; anything else is invalid.
            raise json.JSONDecodeError(str(error), data[:100].decode("utf-8", "replace"), error.pos) from None
        refuse_duplicate_keys(data)
        return parsed

    def load_querystring(self, req: flask.Request, schema: ma.Schema):
        """The query string, where a parameter given twice (?lang=es&lang=en) is refused, not one dropped."""
        repeated = sorted(key for key in req.args if len(req.args.getlist(key)) > 1 and key in schema.fields
                          and not isinstance(schema.fields[key], ma.fields.List))
        if repeated:
            smorest_abort(422, message="A query parameter was given more than once: give each once.",
                          errors={key: ["Given more than once."] for key in repeated})
        return super().load_querystring(req, schema)


class Blueprint(SmorestBlueprint):
    """flask-smorest's blueprint with the JSON parser above."""

    ARGUMENTS_PARSER = JSONParser()


def problem(blueprint, status: int, description: str):
    """Document an error response of a view as the problem document it is sent as."""
    return blueprint.alt_response(status, schema=ProblemSchema, content_type="application/problem+json",
                                  description=description)


db = SQLAlchemy(model_class=Base)
api = Api()
