"""Batch endpoints: upload a CSV, get results at once or follow a job."""

from __future__ import annotations

import csv
import io
import socket
import time
from typing import Any

from flask import Response, current_app, request, stream_with_context, url_for
from flask.views import MethodView
from flask_smorest import abort

from .. import audit, i18n, metrics
from ..access import current_principal
from ..api import language_headers
from ..bodies import whole_body
from ..errors import problem as problem_response
from ..errors import problem_type
from ..extensions import Blueprint, problem
from ..i18n import LANGUAGES
from ..resolution import FuzzyBudget
from ..services import services
from . import jobs
from .checking import BatchChecker, Chunk, Tally, collection_paused, patient_summaries
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
    @problem(blp, 429, "Too many unfinished jobs, or too much stored, for this client")
    def post(self, args: dict[str, str]):
        """Check a CSV of medication lists (wide or long layout); large files become a job."""
        upload = _upload()
        lang = _language(args["lang"])
        text, layout = _read(upload)
        total = _count_records(text, layout)
        if _small(upload, text, layout, total):
            answer = _answer_now(text, layout, args["part"], lang)
            if answer is not None:
                return language_headers(answer, lang)
            # Over the immediate path's time or lookup budget: the file is checked as a job instead.
        client = jobs.client_of(current_principal(), request.remote_addr)
        try:
            job = jobs.create_job(upload, total, current_principal(), lang, client)
        except jobs.QuotaExceeded as refused:
            return problem_response(429, "Too Many Requests", str(refused), type_=problem_type(429, "job-quota"),
                                    headers={"Retry-After": "60"})
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


# Room for a multipart form's boundaries, part headers and small fields around the file itself.
MULTIPART_ROOM = 64 * 1024


def _upload() -> bytes:
    """The uploaded file; BATCH_MAX_BYTES limits the file, whether sent as the body or in a form."""
    limit = current_app.config["BATCH_MAX_BYTES"]
    request.max_content_length = limit
    if request.mimetype == "multipart/form-data":
        request.max_content_length = limit + MULTIPART_ROOM
        files = [(name, part) for name in request.files for part in request.files.getlist(name)]
        if len(files) > 1:
            abort(422, message=f"The form holds {len(files)} files; send one file per upload, in the field 'file' "
                               "(each file is its own batch).", errors={"file": ["One file per upload."]})
        file = request.files.get("file")
        if file is None:
            abort(422, message="Send the CSV in a multipart field named 'file'.", errors={"file": ["Missing file."]})
        data = file.read(limit + 1)
        if len(data) > limit:
            abort(413, message=f"The file is larger than {limit:,} bytes, the most CrampCheck takes in one upload. "
                               "Split it into smaller files and upload each.")
        return data
    if request.mimetype in CSV_TYPES:
        return whole_body()
    abort(415, message="Upload a CSV file: multipart/form-data with a 'file' field, or a text/csv body.")


def _language(explicit: str | None) -> str:
    """The language of the results: `lang` in the query or the multipart form, else Accept-Language."""
    if explicit is None and request.mimetype == "multipart/form-data":
        if len(request.form.getlist("lang")) > 1:
            abort(422, message="lang was given more than once: give it once.", errors={"lang": ["Given more than once."]})
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
        abort(error.status, message=error.detail, **({"headers": {"Retry-After": "30"}} if error.status == 503 else {}))


def _count_records(text: str, layout: Layout) -> int:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter)
    try:
        total = sum(1 for record in reader if record) - 1 - layout.skip
    except csv.Error as error:
        abort(422, message=f"The file is not valid CSV (record {reader.line_num}): {error}.")
    if total < 1:
        abort(422, message="The file has a header but no data rows.")
    return total


def _small(upload: bytes, text: str, layout: Layout, total: int) -> bool:
    """Whether a file is answered at once: few enough rows, entries and bytes (otherwise it is a job)."""
    config = current_app.config
    if total > config["BATCH_SYNC_MAX_ROWS"] or len(upload) > config["BATCH_SYNC_MAX_BYTES"]:
        return False
    entries = 0
    for row in read_rows(text, layout, config["BATCH_MAX_CELL_CHARS"], config["BATCH_MAX_ENTRIES_PER_ROW"]):
        entries += len(row.medications) or 1
        if entries > config["BATCH_SYNC_MAX_ENTRIES"]:
            return False
    return True


SYNC_CHUNK_ROWS = 50  # rows checked between two looks at the clock, the budget and the connection


def _answer_now(text: str, layout: Layout, part: str, lang: str):
    """The results of a small file, or None when it needs more than the immediate path allows.

    Rows are checked in small chunks; between two, the work stops when the file has used its
    misspelling lookups (BATCH_SYNC_FUZZY_WORDS) or time (BATCH_SYNC_SECONDS), and the caller
    makes it a job; when the client has gone, it stops with a 503 problem nobody reads.
    """
    config = current_app.config
    pipeline = services().pipeline
    translate = i18n.translator(lang)
    file_budget = FuzzyBudget(per_check=config["BATCH_SYNC_FUZZY_WORDS"])
    checker = BatchChecker(pipeline, config["MAX_ENTRY_CHARS"], pipeline.evidence_provider(shared_budget=True),
                           budget=file_budget, translate=translate)
    patients: dict[str, Tally] = {}
    started = time.perf_counter()
    deadline = started + config["BATCH_SYNC_SECONDS"]
    chunk = Chunk()
    rows = read_rows(text, layout, config["BATCH_MAX_CELL_CHARS"], config["BATCH_MAX_ENTRIES_PER_ROW"])
    for part_rows in jobs.batched(rows, SYNC_CHUNK_ROWS):
        with collection_paused():
            checker.check_rows(part_rows, patients, into=chunk)
        if file_budget.cut or time.perf_counter() > deadline:
            return None
        if _client_gone():
            abort(503, message="The client closed the connection before the results were ready; the work was "
                               "stopped. Upload the file again.")
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


def _client_gone() -> bool:
    """Whether the client has closed its connection (seen on the socket gunicorn hands over; the
    request body has been read, so anything but "nothing to read yet" means it is gone)."""
    sock = request.environ.get("gunicorn.socket")
    if sock is None:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


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
