"""marshmallow schemas of the batch endpoints: the OpenAPI document and the job bodies come from them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..i18n import LANGUAGES

JOB_STATUSES = ("queued", "running", "done", "failed")
ROW_STATUSES = ("flagged", "not flagged", "unresolved", "error")
LIST_COLUMNS = ("ingredients", "match", "drug_classes", "evidence_tiers", "suggestions", "warnings")


class BatchQuerySchema(Schema):
    part = fields.String(load_default="rows", validate=validate.OneOf(("rows", "summary")),
                         metadata={"description": "With a CSV answer: the result rows (default) or the "
                                                  "per-patient summary."})
    lang = fields.String(load_default=None, validate=validate.OneOf(LANGUAGES), metadata={
        "description": "The language of the results' texts (notes, class names, advice): `en` or `es`; also "
                       "accepted as a multipart form field. Without it, Accept-Language chooses; English by default. "
                       "Status and tier columns stay the same codes in every language."})


class ProgressSchema(Schema):
    rows_done = fields.Integer()
    total_rows = fields.Integer()
    percent = fields.Float()


class JobLinksSchema(Schema):
    self = fields.String()
    results_csv = fields.String(metadata={"description": "When the job is done."})
    results_json = fields.String(metadata={"description": "When the job is done."})
    summary_csv = fields.String(metadata={"description": "When the job is done."})


class JobSchema(Schema):
    """A batch job: its status, progress and links."""

    id = fields.String()
    status = fields.String(validate=validate.OneOf(JOB_STATUSES))
    progress = fields.Nested(ProgressSchema)
    created_at = fields.String(metadata={"description": "UTC, ISO 8601"})
    expires_at = fields.String(metadata={"description": "UTC, ISO 8601; the job and its data are deleted then"})
    links = fields.Nested(JobLinksSchema)
    error = fields.String(metadata={"description": "Why a failed job failed."})


class BatchRowSchema(Schema):
    """One input medication's result."""

    patient_id = fields.String()
    row = fields.Integer(metadata={"description": "Spreadsheet row of the input (the header is row 1)."})
    position = fields.Integer(metadata={"description": "The entry's place in a wide cell."})
    medication = fields.String()
    status = fields.String(validate=validate.OneOf(ROW_STATUSES))
    ingredients = fields.List(fields.String())
    match = fields.List(fields.String())
    drug_classes = fields.List(fields.String())
    evidence_tiers = fields.List(fields.String())
    sources = fields.List(fields.String(), metadata={"description": "Reference URLs of the flags."})
    suggestions = fields.List(fields.String())
    notes = fields.String()
    warnings = fields.List(fields.String(), metadata={"description": "Codes of list-level warnings this entry "
                                                                    "raises (quinine-for-cramps)."})
    openfda = fields.String(metadata={"description": "What openFDA said, and ingredients not checked."})
    problem = fields.String(metadata={"description": "Why the row could not be read or checked."})


class PatientSummarySchema(Schema):
    patient_id = fields.String()
    medications = fields.Integer()
    flagged = fields.Integer()
    not_flagged = fields.Integer()
    unresolved = fields.Integer()
    errors = fields.Integer()
    drug_classes = fields.List(fields.String())
    highest_tier = fields.String(allow_none=True)
    conditions = fields.List(fields.String())
    unrecognised_conditions = fields.List(fields.String(), metadata={"description": "Condition texts that name "
                                                                                    "no condition CrampCheck knows."})
    quinine_warning = fields.Boolean()
    top_ranked = fields.List(fields.String(), metadata={
        "description": "The flagged medicines that most plausibly explain cramps (rank 1 of the attribution; "
                       "several when the evidence is equal)."})
    amplifiers = fields.List(fields.String(), metadata={
        "description": "Combinations on the patient's list that raise the risk: 'a with b (effect, tier evidence)'."})
    advice = fields.String()


class BatchResultSchema(Schema):
    """A batch's results as JSON: every input row, then the per-patient summary."""

    seed_version = fields.String()
    total_rows = fields.Integer()
    advice = fields.String()
    disclaimer = fields.String()
    rows = fields.List(fields.Nested(BatchRowSchema))
    patients = fields.List(fields.Nested(PatientSummarySchema))
