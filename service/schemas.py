"""marshmallow schemas at the edges of the API; the OpenAPI document is generated from them."""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

TIERS = ("strong", "moderate", "weak")
STATUSES = ("flagged", "not_flagged", "unresolved")
MATCHES = ("exact", "brand", "synonym", "fuzzy")


class CheckRequestSchema(Schema):
    medications = fields.List(
        fields.String(), required=True,
        metadata={"description": "Medication entries as written, one per item (\"Lasix 40mg daily\").",
                  "example": ["Lasix 40mg daily", "Hyzaar 50/12.5", "simvastatine", "Ventolin inhaler"]},
    )
    conditions = fields.List(
        fields.String(), load_default=list,
        metadata={"description": "Optional health conditions (\"CKD\", \"type 2 diabetes\").", "example": ["CKD"]},
    )

    @validates_schema
    def within_limits(self, data: dict[str, Any], **_: Any) -> None:
        """Check list sizes and entry lengths against the configured limits."""
        config = current_app.config
        errors: dict[str, Any] = {}
        for field, limit in (("medications", config["MAX_MEDICATIONS"]), ("conditions", config["MAX_CONDITIONS"])):
            items = data.get(field, [])
            if field == "medications" and not items:
                errors[field] = ["Give at least one medication."]
            elif len(items) > limit:
                errors[field] = [f"At most {limit} items per request; got {len(items)}."]
            else:
                bad = _entry_errors(items, config["MAX_ENTRY_CHARS"])
                if bad:
                    errors[field] = bad
        if errors:
            raise ValidationError(errors)


def _entry_errors(items: list[str], max_chars: int) -> dict[int, list[str]]:
    errors = {}
    for index, item in enumerate(items):
        if not item.strip():
            errors[index] = ["Must not be blank."]
        elif len(item) > max_chars:
            errors[index] = [f"At most {max_chars} characters; got {len(item)}."]
    return errors


class ReferenceSchema(Schema):
    citation = fields.String()
    url = fields.String()


class IngredientSchema(Schema):
    name = fields.String(metadata={"description": "US generic name, lower case."})
    match = fields.String(validate=validate.OneOf(MATCHES), metadata={"description": "How the name was matched."})
    matched_text = fields.String(metadata={"description": "The words of the entry that matched."})
    via = fields.String(metadata={"description": "The name it matched (brand, synonym or generic)."})


class FlagSchema(Schema):
    ingredient = fields.String()
    class_id = fields.String(attribute="drug_class.id")
    class_name = fields.String(attribute="drug_class.name")
    evidence_tier = fields.String(attribute="tier", validate=validate.OneOf(TIERS))
    association = fields.Function(lambda f: f"{f.ingredient} is associated with muscle cramps ({f.tier} evidence).")
    mechanism = fields.String(attribute="drug_class.mechanism")
    key_figure = fields.String(attribute="drug_class.key_figure", allow_none=True)
    routes = fields.List(fields.String(), metadata={"description": "Forms the association applies to; empty: all."})
    note = fields.String(allow_none=True)
    references = fields.List(fields.Nested(ReferenceSchema))


class SuggestionSchema(Schema):
    name = fields.String()
    ingredients = fields.List(fields.String())


class MedicationResultSchema(Schema):
    input = fields.String(attribute="resolution.input")
    status = fields.String(validate=validate.OneOf(STATUSES))
    ingredients = fields.List(fields.Nested(IngredientSchema), attribute="resolution.ingredients")
    flags = fields.List(fields.Nested(FlagSchema))
    unrecognised = fields.List(fields.String(), attribute="resolution.unrecognised")
    suggestions = fields.List(fields.Nested(SuggestionSchema), attribute="resolution.suggestions")
    notes = fields.List(fields.String())


class ConditionSchema(Schema):
    id = fields.String()
    name = fields.String()
    note = fields.String()
    references = fields.List(fields.Nested(ReferenceSchema))


class WarningSchema(Schema):
    code = fields.String()
    message = fields.String()
    references = fields.List(fields.Nested(ReferenceSchema))


class SummarySchema(Schema):
    total = fields.Integer()
    flagged = fields.Integer()
    not_flagged = fields.Integer()
    unresolved = fields.Integer()
    highest_tier = fields.String(allow_none=True)
    classes = fields.List(fields.String())


class AdviceSchema(Schema):
    patient = fields.String()
    professional = fields.String()


class CheckResponseSchema(Schema):
    seed_version = fields.String()
    medications = fields.List(fields.Nested(MedicationResultSchema), attribute="entries")
    summary = fields.Nested(SummarySchema)
    conditions = fields.List(fields.Nested(ConditionSchema))
    unmatched_conditions = fields.List(fields.String())
    advice = fields.Nested(AdviceSchema)
    warnings = fields.List(fields.Nested(WarningSchema))
    disclaimer = fields.String()


class MemberSchema(Schema):
    ingredient = fields.String()
    evidence_tier = fields.String(attribute="tier")
    routes = fields.List(fields.String())
    flag_when_route_unstated = fields.Boolean()
    note = fields.String(allow_none=True)
    references = fields.List(fields.Nested(ReferenceSchema))


class DrugClassSchema(Schema):
    id = fields.String()
    name = fields.String()
    evidence_tier = fields.String(attribute="tier")
    mechanism = fields.String()
    key_figure = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    references = fields.List(fields.Nested(ReferenceSchema))
    members = fields.List(fields.Nested(MemberSchema))


class DrugClassListSchema(Schema):
    seed_version = fields.String()
    drug_classes = fields.List(fields.Nested(DrugClassSchema))


class SuggestQuerySchema(Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=100))


class SuggestResponseSchema(Schema):
    suggestions = fields.List(fields.Nested(SuggestionSchema))


class StatusSchema(Schema):
    status = fields.String()
    seed_version = fields.String(allow_none=True)
