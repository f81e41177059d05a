"""Batch endpoints: upload a CSV, get results at once or follow a job."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from flask import Response, current_app, request, stream_with_context, url_for
from flask.views import MethodView
from flask_smorest import abort

from .. import audit, i18n, metrics
from ..access import current_principal
from ..api import language_headers
from ..bodies import whole_body
from ..extensions import Blueprint, problem
from ..i18n import LANGUAGES
from ..services import services
from . import jobs
from .checking import BatchChecker, Tally, collection_paused, patient_summaries
from .reading import BatchFileError, Layout, decode, detect_layout, read_rows
from .schemas import BatchQuerySchema, BatchResultSchema, JobSchema
from .writing import csv_rows, csv_summary, json_document

blp = Blueprint("batch", __name__, url_prefix="/api/v1/batch", description="Check CSV files of many patients' lists.")
CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel")


CSV_CONTENT = {"text/csv": {"schema": {"type": "string"}}}


@blp.route("")
class Batch(MethodView):
    @blp.arguments(BatchQuerySchema, location="query")
    @blp.doc(requestBody={"required": True, "content": {
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": {"type": "string", "format": "binary"}}}},
        "text/csv": {"schema": {"type": "string"}},
    }})
    @blp.response(202, JobSchema, description="A job was created (more than BATCH_SYNC_MAX_ROWS rows); "
                                              "follow its Location.")
    @blp.doc(responses={"200": {
        "description": "Results of a small file: CSV (default) or JSON (Accept: application/json).",
        "content": {**CSV_CONTENT, "application/json": {"schema": {"$ref": "#/components/schemas/BatchResult"}}},
    }})
    @problem(blp, 413, "File over the size limit")
    @problem(blp, 415, "Not a CSV upload")
    @problem(blp, 422, "No usable header, empty file, header only, or not valid CSV")
    def post(self, args: dict[str, str]):
        """Check a CSV of medication lists (wide or long layout); large files become a job."""
        upload = _upload()
        lang = _language(args["lang"])
        text, layout = _read(upload)
        total = _count_records(text, layout)
        if total <= current_app.config["BATCH_SYNC_MAX_ROWS"]:
            return language_headers(_answer_now(text, layout, args["part"], lang), lang)
        job = jobs.create_job(upload, total, current_principal(), lang)
        return _job_body(job), 202, {"Location": url_for("batch.BatchJob", job_id=job.id)}


@blp.route("/jobs/<job_id>")
class BatchJob(MethodView):
    @blp.response(200, JobSchema)
    @problem(blp, 404, "No such job, or it expired")
    def get(self, job_id: str):
        """Show a job's status, progress and result links."""
        return _job_body(_job(job_id))

    @blp.response(204)
    @problem(blp, 404, "No such job, or it expired")
    def delete(self, job_id: str):
        """Delete a job and its data now, before its retention ends."""
        _job(job_id)
        jobs.delete_job(job_id)


@blp.route("/jobs/<job_id>/results.csv")
class BatchJobCsv(MethodView):
    @blp.doc(responses={"200": {"description": "The result rows", "content": CSV_CONTENT}})
    @problem(blp, 404, "No such job, or it expired")
    @problem(blp, 409, "The job is not done yet")
    def get(self, job_id: str):
        """Download a finished job's result rows as CSV."""
        job = _done_job(job_id)
        return _csv_response(stream_with_context(jobs.result_csv(job)), f"crampcheck-{job.id}.csv")


@blp.route("/jobs/<job_id>/summary.csv")
class BatchJobSummaryCsv(MethodView):
    @blp.doc(responses={"200": {"description": "The per-patient summary", "content": CSV_CONTENT}})
    @problem(blp, 404, "No such job, or it expired")
    @problem(blp, 409, "The job is not done yet")
    def get(self, job_id: str):
        """Download a finished job's per-patient summary as CSV."""
        job = _done_job(job_id)
        return _csv_response(stream_with_context(csv_summary(jobs.summary_of(job))), f"crampcheck-{job.id}-summary.csv")


@blp.route("/jobs/<job_id>/results.json")
class BatchJobJson(MethodView):
    @blp.response(200, BatchResultSchema)
    @problem(blp, 404, "No such job, or it expired")
    @problem(blp, 409, "The job is not done yet")
    def get(self, job_id: str):
        """Download a finished job's rows and per-patient summary as JSON."""
        job = _done_job(job_id)
        body = json_document(jobs.result_chunks(job), lambda: jobs.summary_of(job), _meta(job.total_rows),
                             jobs.job_translator(job))
        return Response(stream_with_context(body), mimetype="application/json")


def _upload() -> bytes:
    request.max_content_length = current_app.config["BATCH_MAX_BYTES"]
    if request.mimetype == "multipart/form-data":
        file = request.files.get("file")
        if file is None:
            abort(422, message="Send the CSV in a multipart field named 'file'.", errors={"file": ["Missing file."]})
        return file.read()
    if request.mimetype in CSV_TYPES:
        return whole_body()
    abort(415, message="Upload a CSV file: multipart/form-data with a 'file' field, or a text/csv body.")


def _language(explicit: str | None) -> str:
    """The language of the results: `lang` in the query or the multipart form, else Accept-Language."""
    if explicit is None and request.mimetype == "multipart/form-data":
        explicit = request.form.get("lang") or None
        if explicit is not None and explicit not in LANGUAGES:
            abort(422, message=f"lang must be one of: {', '.join(LANGUAGES)}.",
                  errors={"lang": [f"Must be one of: {', '.join(LANGUAGES)}."]})
    return i18n.choose(explicit, request.accept_languages)


def _read(upload: bytes) -> tuple[str, Layout]:
    try:
        text = decode(upload)
        return text, detect_layout(text)
    except BatchFileError as error:
        abort(error.status, message=error.detail)


def _count_records(text: str, layout: Layout) -> int:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter)
    try:
        total = sum(1 for record in reader if record) - 1 - layout.skip
    except csv.Error as error:
        abort(422, message=f"The file is not valid CSV (record {reader.line_num}): {error}.")
    if total < 1:
        abort(422, message="The file has a header but no data rows.")
    return total


def _answer_now(text: str, layout: Layout, part: str, lang: str):
    config = current_app.config
    pipeline = services().pipeline
    translate = i18n.translator(lang)
    checker = BatchChecker(pipeline, config["MAX_ENTRY_CHARS"], pipeline.evidence_provider(shared_budget=True),
                           fuzzy_budget=config["BATCH_SYNC_FUZZY_WORDS"], max_entries=config["MAX_MEDICATIONS"],
                           translate=translate)
    patients: dict[str, Tally] = {}
    started = time.perf_counter()
    with collection_paused():
        chunk = checker.check_rows(read_rows(text, layout, config["BATCH_MAX_CELL_CHARS"]), patients)
    counts = jobs.entry_statuses(chunk)
    metrics.record_entries("batch", counts)
    audit.batch(counts, len({r[1] for r in chunk.rows}), time.perf_counter() - started)
    summaries = patient_summaries(patients, pipeline, translate)
    if request.accept_mimetypes.best_match(["text/csv", "application/json"]) == "application/json":
        total = len({r[1] for r in chunk.rows})
        return Response("".join(json_document([chunk], lambda: summaries, _meta(total), translate)),
                        mimetype="application/json")
    if part == "summary":
        return _csv_response("".join(csv_summary(summaries)), "crampcheck-summary.csv")
    return _csv_response("".join(csv_rows([chunk])), "crampcheck-results.csv")


def _csv_response(body: Any, filename: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _meta(total_rows: int) -> dict[str, Any]:
    return {"seed_version": services().lexicon.version, "total_rows": total_rows}


def _job(job_id: str):
    job = jobs.live_job(job_id)
    if job is None or not jobs.visible_to(job, current_principal()):
        abort(404, message="No such batch job: it never existed, was deleted, or has expired.")
    return job


def _done_job(job_id: str):
    job = _job(job_id)
    if job.status != "done":
        abort(409, message=f"The job is {job.status}; results are ready when its status is done.")
    return job


def _job_body(job) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": job.id,
        "status": job.status,
        "progress": {"rows_done": job.rows_done, "total_rows": job.total_rows,
                     "percent": round(100 * job.rows_done / job.total_rows, 1) if job.total_rows else 100.0},
        "created_at": job.created_at.isoformat() + "Z",
        "expires_at": job.expires_at.isoformat() + "Z",
        "links": {"self": url_for("batch.BatchJob", job_id=job.id)},
    }
    if job.error:
        body["error"] = job.error
    if job.status == "done":
        body["links"].update(
            results_csv=url_for("batch.BatchJobCsv", job_id=job.id),
            results_json=url_for("batch.BatchJobJson", job_id=job.id),
            summary_csv=url_for("batch.BatchJobSummaryCsv", job_id=job.id),
        )
    return body
