"""The REST API (/api/v1): thin views over the pure core."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import abort

from . import i18n, schemas
from .extensions import Blueprint, problem
from .lexicon import Lexicon
from .presenting import check_json
from .resolution import suggest
from .services import services

blp = Blueprint("api", __name__, url_prefix="/api/v1", description="Check medication lists for cramp-associated drugs.")


def language_headers(response: Response, lang: str) -> Response:
    """Say the answer's language, and that Accept-Language may change it (for caches)."""
    response.headers["Content-Language"] = lang
    response.vary.add("Accept-Language")
    return response


def lexicon() -> Lexicon:
    """The in-memory seed index of this app."""
    return services().lexicon


@blp.before_request
def require_json_body() -> None:
    """Reject POST bodies that are not JSON, or too large, with a clear problem."""
    if request.method != "POST":
        return
    request.max_content_length = current_app.config["CHECK_MAX_BODY_BYTES"]
    if not request.is_json:
        abort(415, message="Send the request body as JSON with Content-Type: application/json.")


@blp.route("/check")
class Check(MethodView):
    @blp.arguments(schemas.CheckRequestSchema())  # an instance: webargs would build one per request
    @blp.response(200, schemas.CheckResponseSchema)
    @problem(blp, 415, "Body is not JSON")
    @problem(blp, 413, "Body too large")
    def post(self, body: dict[str, Any]):
        """Check a medication list for medicines associated with muscle cramps."""
        result = services().pipeline.check(body["medications"], body["conditions"], body["openfda"],
                                            onset=body["onset"])
        lang = i18n.choose(body["lang"], request.accept_languages)
        # Built without marshmallow's dump (the schema documents it; tests hold the two equal).
        response = current_app.json.response(i18n.translator(lang).json(check_json(result)))
        return language_headers(response, lang)


@blp.route("/drug-classes")
class DrugClasses(MethodView):
    @blp.response(200, schemas.DrugClassListSchema)
    def get(self):
        """List the seeded drug classes with their members and references."""
        lex = lexicon()
        return {"seed_version": lex.version, "drug_classes": [_class(lex, c) for c in lex.classes]}


@blp.route("/drug-classes/<class_id>")
class DrugClassDetail(MethodView):
    @blp.response(200, schemas.DrugClassSchema)
    @problem(blp, 404, "No such class")
    def get(self, class_id: str):
        """Show one drug class with its members and references."""
        lex = lexicon()
        if class_id not in lex.classes:
            abort(404, message=f"No drug class with id '{class_id}'. GET /api/v1/drug-classes lists them.")
        return _class(lex, class_id)


@blp.route("/medications/suggest")
class Suggest(MethodView):
    @blp.arguments(schemas.SuggestQuerySchema, location="query")
    @blp.response(200, schemas.SuggestResponseSchema)
    def get(self, args: dict[str, str]):
        """Suggest medication names for autocomplete (prefix and typo tolerant, at most 10)."""
        return {"suggestions": suggest(args["q"], lexicon(), limit=10)}


def _class(lex: Lexicon, class_id: str) -> dict[str, Any]:
    drug_class = lex.classes[class_id]
    return {**vars(drug_class), "members": lex.class_members.get(class_id, [])}
