"""marshmallow schemas at the edges of the API; the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from . import messages
from .codes import parse_ndc, parse_rxcui
from .entries import MedicationEntry
from .i18n import LANGUAGES
from .reasoning.timing import WhenError, parse_when

TIERS = ("strong", "moderate", "weak")
STATUSES = ("flagged", "not_flagged", "unresolved")
MATCHES = ("exact", "brand", "synonym", "fuzzy", "code")


class StrictBoolean(fields.Boolean):
    """JSON true or false only (marshmallow would also take 0, 1, "yes" and the like)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false.")
        return value


NOT_BLANK = validate.Regexp(r"\s*\S", error="Must not be blank.")


def _rxcui(value: str) -> None:
    try:
        parse_rxcui(value)
    except ValueError as error:
        raise ValidationError(str(error)) from error


def _ndc(value: str) -> None:
    try:
        parse_ndc(value)
    except ValueError as error:
        raise ValidationError(str(error)) from error


class WhenField(fields.Field):
    """A date in the past, as service.reasoning.timing reads it (YYYY-MM-DD, "15 Nov 2026", "3 weeks ago")."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str):
            raise ValidationError("Must be a date (YYYY-MM-DD) or 'N weeks ago'.")
        try:
            return parse_when(value, date.today())
        except WhenError as error:
            raise ValidationError(f"Not a date we can use: {error}.") from error

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return value.isoformat() if value else None


class StructuredEntrySchema(Schema):
    """A medication entry as an object: the text as written, and what a pharmacy system knows about it.

    At least one of `text`, `rxcui` and `ndc`. A code and a text that name different medicines are
    answered `unresolved`, with both readings.
    """

    text = fields.String(validate=NOT_BLANK, metadata={"description": "The medication as written (\"Lasix 40mg daily\")."})
    rxcui = fields.String(validate=_rxcui, metadata={"description": "An RxNorm concept id (RXCUI), e.g. \"4603\"."})
    ndc = fields.String(validate=_ndc, metadata={
        "description": "An NDC in any FDA format: 4-4-2, 5-3-2, 5-4-1, 11-digit 5-4-2, or a product NDC."})
    started = WhenField(load_default=None, metadata={
        "type": "string", "description": "When it was started: YYYY-MM-DD, \"15 Nov 2026\", \"3 weeks ago\" or "
                       "\"hace 3 semanas\"."})

    @validates_schema
    def _something_to_read(self, data: dict[str, Any], **_: Any) -> None:
        if not any(data.get(k) for k in ("text", "rxcui", "ndc")):
            raise ValidationError("Give at least one of text, rxcui and ndc.", "text")

    @post_load
    def entry(self, data: dict[str, Any], **_: Any) -> MedicationEntry:
        return MedicationEntry(data.get("text", ""), data.get("rxcui"), data.get("ndc"), data.get("started"))


class EntryField(fields.Field):
    """A medication entry: a string as written, or a StructuredEntry object."""

    _structured = StructuredEntrySchema()

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> MedicationEntry:
        if isinstance(value, str):
            NOT_BLANK(value)
            return MedicationEntry(value)
        if isinstance(value, dict):
            return self._structured.load(value)
        raise ValidationError("Must be a string or an object with text, rxcui or ndc.")


def entry_field_properties(self: Any, field: fields.Field, **_: Any) -> dict[str, Any]:
    """OpenAPI for EntryField: a string, or a StructuredEntry object."""
    if not isinstance(field, EntryField):
        return {}
    return {"oneOf": [{"type": "string", "pattern": r"\S"}, self.resolve_nested_schema(StructuredEntrySchema)]}


class CheckRequestSchema(Schema):
    medications = fields.List(
        EntryField(), required=True,
        validate=validate.Length(min=1, error="Give at least one medication."),
        metadata={"description": "Medication entries, one per item: a string as written (\"Lasix 40mg daily\"), "
                                 "or an object with `text` and optional `started`.",
                  "example": ["Lasix 40mg daily", "Hyzaar 50/12.5", "simvastatine",
                              {"text": "Ventolin inhaler", "started": "2026-10-01"}]},
    )
    conditions = fields.List(
        fields.String(validate=NOT_BLANK), load_default=list,
        metadata={"description": "Optional health conditions (\"CKD\", \"type 2 diabetes\").", "example": ["CKD"]},
    )
    openfda = StrictBoolean(load_default=True,
                             metadata={"description": "Set false to skip openFDA for this request."})
    onset = WhenField(load_default=None, metadata={
        "type": "string", "example": "2 weeks ago",
        "description": "When the cramps began: YYYY-MM-DD, \"15 Nov 2026\", \"2 weeks ago\" or \"hace 2 semanas\". "
                       "With start dates it weighs timing "
                       "in the attribution."})
    lang = fields.String(load_default=None, validate=validate.OneOf(LANGUAGES), metadata={
        "example": "es",
        "description": "The language of the answer's texts (advice, notes, reasons, class names): `en` or `es`. "
                       "Without it, the request's Accept-Language chooses; English by default."})

    @validates_schema
    def within_limits(self, data: dict[str, Any], **_: Any) -> None:
        """Check list sizes and entry lengths against the configured limits."""
        config = current_app.config
        errors: dict[str, Any] = {}
        for field, limit in (("medications", config["MAX_MEDICATIONS"]), ("conditions", config["MAX_CONDITIONS"])):
            items = data.get(field, [])
            if len(items) > limit:
                errors[field] = [f"At most {limit} items per request; got {len(items)}."]
            elif field == "conditions":
                # An over-long medication is that entry's problem (answered as unresolved), not the list's.
                bad = _entry_errors(items, config["MAX_ENTRY_CHARS"])
                if bad:
                    errors[field] = bad
        if errors:
            raise ValidationError(errors)


def _entry_errors(items: list[str | MedicationEntry], max_chars: int) -> dict[int, list[str]]:
    errors = {}
    for index, item in enumerate(items):
        length = len(MedicationEntry.of(item).text)
        if length > max_chars:
            errors[index] = [f"At most {max_chars} characters; got {length}."]
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
    association = fields.Function(lambda f: messages.ASSOCIATION.format(ingredient=f.ingredient, tier=f.tier))
    mechanism = fields.String(attribute="drug_class.mechanism")
    key_figure = fields.String(attribute="drug_class.key_figure", allow_none=True)
    routes = fields.List(fields.String(), metadata={"description": "Forms the association applies to; empty: all."})
    note = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "seed, openfda-label, openfda-faers or openfda-class"})
    references = fields.List(fields.Nested(ReferenceSchema))


class EvidenceSchema(Schema):
    """One kind of openFDA evidence for one ingredient (fields by source)."""

    source = fields.String(metadata={"description": "label, faers or class"})
    ingredient = fields.String()
    found = fields.Boolean(metadata={"description": "label: a label was found"})
    mentions_cramps = fields.Boolean(metadata={"description": "label: muscle cramp or spasm wording found"})
    section = fields.String(allow_none=True)
    snippet = fields.String(allow_none=True)
    set_id = fields.String(allow_none=True)
    effective_time = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    reaction = fields.String()
    reports_with_drug_and_reaction = fields.Integer()
    reports_with_drug = fields.Integer()
    reports_with_reaction = fields.Integer()
    reports_total = fields.Integer()
    prr = fields.Float(allow_none=True)
    prr_ci_low = fields.Float(allow_none=True)
    prr_ci_high = fields.Float(allow_none=True)
    chi_square = fields.Float(allow_none=True)
    signal = fields.Boolean(metadata={"description": "faers: Evans criteria met (PRR >= 2, chi-square >= 4, >= 3 reports)"})
    caveat = fields.String()
    pharm_classes = fields.List(fields.String())
    matched_class_id = fields.String(allow_none=True)
    last_updated = fields.String(allow_none=True)


class SourceStatusSchema(Schema):
    """What one evidence source contributed to a check."""

    source = fields.String(metadata={"description": "The source's name (openfda)."})
    status = fields.String(metadata={"description": "ok, partial, unavailable or disabled"})
    not_checked = fields.List(fields.String(), metadata={"description": "Ingredients openFDA was not asked about in time"})
    last_updated = fields.String(allow_none=True)
    disclaimer = fields.String()


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
    evidence = fields.List(fields.Nested(EvidenceSchema), attribute="evidence_json")


class ConditionSchema(Schema):
    id = fields.String()
    name = fields.String()
    note = fields.String()
    references = fields.List(fields.Nested(ReferenceSchema))


class WarningSchema(Schema):
    code = fields.String()
    message = fields.String()
    references = fields.List(fields.Nested(ReferenceSchema))


class AmplifierMedicineSchema(Schema):
    index = fields.Integer(metadata={"description": "Position of the entry in `medications` (from 0)."})
    input = fields.String()
    ingredient = fields.String()


class AmplifierSchema(Schema):
    """A combination on the list that raises the risk of muscle toxicity or electrolyte loss."""

    id = fields.String()
    effect = fields.String(metadata={"description": "muscle (toxicity), potassium or magnesium (loss)"})
    evidence_tier = fields.String(validate=validate.OneOf(TIERS))
    medicines = fields.List(fields.Nested(AmplifierMedicineSchema))
    why = fields.String()
    dose_note = fields.String(allow_none=True, metadata={"description": "The dose limit, when the combination has one."})
    references = fields.List(fields.Nested(ReferenceSchema))


class AttributionFactorsSchema(Schema):
    evidence_tier = fields.String(validate=validate.OneOf(TIERS))
    quantified_effect = fields.String(allow_none=True, metadata={
        "description": "A published size of the association whose interval excludes no effect."})
    sources = fields.Integer(metadata={"description": "Independent sources naming the association."})
    dose_above_limit = fields.Boolean()
    amplifiers = fields.List(fields.String(), metadata={"description": "Ids of the combinations involving it."})
    timing = fields.String(metadata={"description": "supports, against, after_onset, outside_window, no_window, "
                                                    "not_informative or not_given"})
    started = fields.String(allow_none=True)


class AttributedSchema(Schema):
    rank = fields.Integer(metadata={"description": "1 is the most plausible; equal evidence shares a rank."})
    index = fields.Integer(metadata={"description": "Position of the entry in `medications` (from 0)."})
    input = fields.String()
    ingredients = fields.List(fields.String())
    evidence_tier = fields.String(validate=validate.OneOf(TIERS))
    factors = fields.Nested(AttributionFactorsSchema)
    reasons = fields.List(fields.String(), metadata={"description": "Why it sits where it does, in words."})
    references = fields.List(fields.Nested(ReferenceSchema))


class AttributionSchema(Schema):
    """The flagged entries, ordered by how plausibly each explains the cramps (rule: seed/README.md)."""

    items = fields.List(fields.Nested(AttributedSchema))
    note = fields.String()
    onset = fields.String(allow_none=True)


class SuggestedBySchema(Schema):
    kind = fields.String(metadata={"description": "medicine, combination or condition"})
    index = fields.Integer()
    input = fields.String()
    id = fields.String()
    name = fields.String()
    medicines = fields.List(fields.String())


class LabCheckSchema(Schema):
    id = fields.String()
    name = fields.String()
    why = fields.String()
    suggested_by = fields.List(fields.Nested(SuggestedBySchema))
    references = fields.List(fields.Nested(ReferenceSchema))


class ChecksSchema(Schema):
    """Laboratory checks a prescriber may consider (professional wording; never orders)."""

    items = fields.List(fields.Nested(LabCheckSchema))
    note = fields.String()


class OtherCauseSchema(Schema):
    id = fields.String()
    title = fields.String()
    text = fields.String()
    what_you_can_do = fields.String()
    relevant = fields.Boolean(metadata={"description": "A condition given or a flag on the list points to it."})
    because = fields.List(fields.String())
    references = fields.List(fields.Nested(ReferenceSchema))


class SelfCareSchema(Schema):
    id = fields.String()
    title = fields.String()
    text = fields.String()
    evidence = fields.String(metadata={"description": "How strong the evidence is, in plain words."})
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
    amplifiers = fields.List(fields.Nested(AmplifierSchema), attribute="amplifiers_json",
                             metadata={"description": "Combinations on the list that raise the risk (seed data)."})
    attribution = fields.Nested(AttributionSchema, attribute="reasoning.attribution_json")
    checks = fields.Nested(ChecksSchema, attribute="reasoning.checks_json")
    other_causes = fields.List(fields.Nested(OtherCauseSchema), attribute="reasoning.other_causes")
    self_care = fields.List(fields.Nested(SelfCareSchema), attribute="reasoning.self_care")
    openfda = fields.Nested(SourceStatusSchema)
    evidence_sources = fields.List(fields.Nested(SourceStatusSchema),
                                   metadata={"description": "Every evidence source asked, in order."})
    disclaimer = fields.String()


class MemberSchema(Schema):
    ingredient = fields.String()
    evidence_tier = fields.String(attribute="tier")
    routes = fields.List(fields.String())
    flag_when_route_unstated = fields.Boolean()
    ask_when_route_unstated = fields.Boolean()  # the form decides: an entry without one is asked for it
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
