"""FHIR and CDS Hooks routes: thin views over interop.fhir, interop.cds_hooks and the check pipeline."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, request, url_for
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields

from ..bodies import whole_body
from ..extensions import Blueprint, problem
from ..jsonio import refuse_duplicate_keys
from ..presenting import check_json
from ..schemas import CheckResponseSchema
from ..services import services
from . import cds_hooks, fhir

log = logging.getLogger(__name__)
FHIR_TYPES = ("application/fhir+json", "application/json+fhir", "application/json")

fhir_blp = Blueprint("fhir", __name__, url_prefix="/api/v1", description="Check a FHIR R4 medication list.")
cds_blp = Blueprint("cds-hooks", __name__, url_prefix="/cds-services",
                    description="CDS Hooks 2.0 service (order-select, order-sign, patient-view).")


def _json_body(types: tuple[str, ...]) -> Any:
    """The request's JSON, within the size limit; a 415 or 400 problem otherwise."""
    request.max_content_length = current_app.config["FHIR_MAX_BODY_BYTES"]
    if request.mimetype not in types:
        abort(415, message=f"Send the body as JSON with Content-Type: {types[0]}.")
    data = whole_body()
    try:
        parsed = current_app.json.loads(data)
    except ValueError:
        abort(400, message="The body is not valid JSON.")
    refuse_duplicate_keys(data)
    return parsed


class FhirCheckResponseSchema(CheckResponseSchema):
    fhir_entries = fields.List(fields.String(), metadata={
        "description": "Where each checked medication came from (FHIRPath), in the order of `medications`."})
    operation_outcome = fields.Dict(metadata={
        "description": "A FHIR OperationOutcome listing the entries not checked (skipped by status, or unusable)."})


FHIR_BODY = {"content": {"application/fhir+json": {"schema": {"type": "object", "description": (
    "A FHIR R4 Bundle, List, MedicationStatement or MedicationRequest (application/json+fhir and "
    "application/json are accepted too)")}}}, "required": True}


class ServiceSchema(Schema):
    hook = fields.String()
    title = fields.String()
    description = fields.String()
    id = fields.String()
    prefetch = fields.Dict(keys=fields.String(), values=fields.String())


class DiscoverySchema(Schema):
    services = fields.List(fields.Nested(ServiceSchema))


class CardSourceSchema(Schema):
    label = fields.String()
    url = fields.String()


class LinkSchema(Schema):
    label = fields.String()
    url = fields.String()
    type = fields.String()


class CardSchema(Schema):
    uuid = fields.String()
    summary = fields.String(metadata={"description": "One sentence, under 140 characters."})
    indicator = fields.String(metadata={"description": "warning (strong evidence, or part of a combination) or info"})
    detail = fields.String(metadata={"description": "GitHub Flavored Markdown: reasons and references."})
    source = fields.Nested(CardSourceSchema)
    links = fields.List(fields.Nested(LinkSchema))


class CardsSchema(Schema):
    cards = fields.List(fields.Nested(CardSchema))


@fhir_blp.route("/check/fhir")
class FhirCheck(MethodView):
    @fhir_blp.doc(requestBody=FHIR_BODY)
    @fhir_blp.response(200, FhirCheckResponseSchema)
    @problem(fhir_blp, 400, "Not JSON, or not a FHIR resource CrampCheck reads")
    @problem(fhir_blp, 413, "Body too large")
    @problem(fhir_blp, 415, "Not FHIR JSON")
    @problem(fhir_blp, 422, "Valid FHIR, but more medication entries than a check takes")
    def post(self):
        """Check the medications of a FHIR R4 Bundle, List, MedicationStatement or MedicationRequest.

        Codes (RxNorm, NDC) in `coding` and names in `text`/`display` are read; statements and
        requests that are entered-in-error, stopped, completed, cancelled or not-taken are skipped
        and listed in `operation_outcome`. Add `?openfda=false` to skip openFDA.
        """
        try:
            found = fhir.read(_json_body(FHIR_TYPES))
        except fhir.FhirInputError as error:
            abort(400, message=str(error), errors={"body": error.errors} if error.errors else None)
        limit = current_app.config["MAX_MEDICATIONS"]
        if len(found.entries) > limit:
            abort(422, message=f"At most {limit} medication entries per check; the resource has {len(found.entries)}.")
        use_openfda = request.args.get("openfda", "true").lower() not in ("false", "0", "no")
        result = services().pipeline.check(found.entries, (), use_openfda)
        body = check_json(result)
        body["fhir_entries"] = found.expressions
        body["operation_outcome"] = found.outcome()
        return current_app.json.response(body)


@cds_blp.route("")
class Discovery(MethodView):
    @cds_blp.response(200, DiscoverySchema)
    def get(self):
        """CDS Hooks discovery: the services, their hooks and prefetch templates."""
        return cds_hooks.discovery()


@cds_blp.route("/<service_id>")
class Service(MethodView):
    @cds_blp.doc(requestBody={"content": {"application/json": {"schema": {"type": "object"}}}, "required": True})
    @cds_blp.response(200, CardsSchema)
    @problem(cds_blp, 400, "Malformed hook request")
    @problem(cds_blp, 404, "No such service")
    @problem(cds_blp, 412, "Prefetch missing and the FHIR server could not be asked")
    @problem(cds_blp, 413, "Body too large")
    @problem(cds_blp, 415, "Not JSON")
    def post(self, service_id: str):
        """Call a CDS service with a hook request; answers cards (never a prescribing action)."""
        if service_id not in cds_hooks.SERVICES:
            abort(404, message=f"No CDS service '{service_id}'. GET /cds-services lists them.")
        hook_request = _json_body(("application/json", "application/fhir+json"))
        errors = cds_hooks.schema_errors("request", hook_request)
        if errors:
            abort(400, message="The hook request is not a valid CDS Hooks 2.0 request.", errors={"body": errors})
        try:
            fetch = cds_hooks.server_fetcher(tuple(current_app.config["CDS_FHIR_SERVERS"]))
            found = cds_hooks.medications(service_id, hook_request, fetch)
        except cds_hooks.HookError as error:
            abort(error.status, message=str(error), errors={"body": error.errors} if error.errors else None)
        result = services().pipeline.check(found.entries[:current_app.config["MAX_MEDICATIONS"]], (),
                                           current_app.config["CDS_USE_OPENFDA"])
        cards = cds_hooks.cards(result, found.focus, url_for("web.index", _external=True))
        log.info("cds hook %s answered with %d cards", service_id, len(cards))
        return {"cards": cards}


@cds_blp.route("/<service_id>/feedback")
class Feedback(MethodView):
    @cds_blp.doc(requestBody={"content": {"application/json": {"schema": {"type": "object"}}}, "required": True})
    @cds_blp.response(200, Schema, description="Feedback taken (an empty object)")
    @problem(cds_blp, 400, "Malformed feedback")
    @problem(cds_blp, 404, "No such service")
    @problem(cds_blp, 413, "Body too large")
    @problem(cds_blp, 415, "Not JSON")
    def post(self, service_id: str):
        """Take feedback on cards (accepted or overridden); it is counted in the log, not stored."""
        if service_id not in cds_hooks.SERVICES:
            abort(404, message=f"No CDS service '{service_id}'. GET /cds-services lists them.")
        body = _json_body(("application/json",))
        errors = cds_hooks.schema_errors("feedback", body)
        if errors:
            abort(400, message="The feedback is not valid CDS Hooks 2.0 feedback.", errors={"body": errors})
        outcomes = [item["outcome"] for item in body["feedback"]]
        log.info("cds feedback for %s: %d accepted, %d overridden", service_id, outcomes.count("accepted"),
                 outcomes.count("overridden"))
        return {}


def init_app(app: Any, api: Any) -> None:
    api.register_blueprint(fhir_blp)
    api.register_blueprint(cds_blp)
