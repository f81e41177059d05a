"""Batch jobs: stored uploads processed by a Huey worker in resumable chunks.

Huey is the task queue: Redis-backed when REDIS_URL is set (a `flask --app service worker`
process consumes it), otherwise SQLite-backed with a consumer thread inside the web process,
so `make run` needs no other service. Job state and results live in the database. Each chunk
of input rows is written once (unique per job and index), so a job whose worker died is simply
queued again and carries on where it stopped; a sweep re-queues jobs whose heartbeat is stale.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import hashlib
import logging
import os
import threading
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from itertools import count, islice
from typing import TYPE_CHECKING, Any

import orjson
from flask import Flask, current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit, metrics
from ..access import Principal, keys
from ..extensions import db
from ..i18n import DEFAULT, Translator, translator
from ..models import BatchChunk, BatchJob
from ..models import utcnow as now
from ..services import services
from .checking import BatchChecker, Chunk, Tally, collection_paused, merge_patients, patient_summaries
from .reading import decode, detect_layout, read_rows
from .writing import csv_header, csv_text

if TYPE_CHECKING:
    from huey import Huey

log = logging.getLogger(__name__)
_consumer_lock = threading.Lock()
EMBEDDED_MAX_DELAY = 0.5  # seconds between polls of an idle embedded queue, at most


def batched(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Split an iterable into lists of `size` items (itertools.batched arrives in Python 3.12)."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def init_app(app: Flask) -> None:
    """Set up the app's Huey queue (built on first use) and, by default, an embedded consumer."""
    services(app).queue_factory = lambda: _queue(app)
    if app.config["BATCH_WORKER"] == "embedded":
        app.before_request(lambda: ensure_embedded_consumer(app))


def _queue(app: Flask) -> tuple[Huey, Callable[[str], Any]]:
    """The job queue with its tasks: Redis when configured, else a SQLite file in the instance folder."""
    from huey import RedisHuey, SqliteHuey, crontab  # imported on first use: commands that queue nothing skip it

    config = app.config
    huey: Huey
    if config.get("REDIS_URL"):
        huey = RedisHuey(config["HUEY_NAME"], url=config["REDIS_URL"], utc=True)
    else:
        filename = config["HUEY_SQLITE_FILE"] or os.path.join(app.instance_path, "queue.db")
        huey = SqliteHuey(config["HUEY_NAME"], filename=filename, utc=True)

    def run_job(job_id: str) -> None:
        with app.app_context():
            process_job(job_id)

    def maintain() -> None:
        with app.app_context():
            requeue_stale_jobs()
            purge_expired()

    task = huey.task(name="process_job")(run_job)
    huey.periodic_task(crontab(minute="*"), name="maintain")(maintain)
    huey.on_startup(name="recover")(maintain)
    return huey, task


def ensure_embedded_consumer(app: Flask) -> None:
    """Start this process's consumer threads once (after any fork)."""
    state = services(app).consumer
    if state.get("pid") == os.getpid():
        return
    with _consumer_lock:
        if state.get("pid") != os.getpid():
            # An idle consumer polls its queue less and less often (Huey's default backs off to 10 s);
            # capped at half a second, an upload starts being processed within a second.
            consumer = _thread_consumer()(services(app).queue, workers=app.config["BATCH_WORKERS"],
                                       worker_type="thread", periodic=True, check_worker_health=False,
                                       max_delay=EMBEDDED_MAX_DELAY)
            consumer.start()
            state.update(pid=os.getpid(), consumer=consumer)


def _thread_consumer() -> type:
    """A Huey consumer class that runs in threads of the web process (no signal handlers there)."""
    from huey.consumer import Consumer

    class ThreadConsumer(Consumer):
        def _set_signal_handlers(self) -> None:
            pass

    return ThreadConsumer


def run_worker(app: Flask, workers: int) -> None:
    """Run a standalone consumer (the Procfile's worker process) until it is stopped."""
    consumer = services(app).queue.create_consumer(workers=workers, worker_type="thread",
                                                                 periodic=True)
    consumer.run()


def client_of(owner: Principal | None, address: str | None) -> str:
    """Whose quota a job counts against: its owner, else a hash of the client address (never the address)."""
    if owner is not None:
        return owner.owner
    return "addr:" + hashlib.sha256((address or "unknown").encode()).hexdigest()[:32]


class QuotaExceeded(Exception):
    """A client may not start another job now; the message says why and what to do."""


def over_quota(client: str, upload_bytes: int, stored_job: str | None = None) -> str | None:
    """Why a client may not start another job now (its unfinished jobs, or what it has stored), or None.

    `stored_job`: the job being started is already stored (counted in what the client holds, not
    among the others still being checked).
    """
    config = current_app.config
    live = (BatchJob.client == client) & (BatchJob.expires_at > now())
    active = db.session.scalar(select(func.count()).select_from(BatchJob)
                               .where(live, BatchJob.status.in_(("queued", "running")), BatchJob.id != stored_job))
    if active >= config["BATCH_MAX_ACTIVE_JOBS"]:
        return (f"You have {active} batch jobs still being checked, the most at one time. Wait for one to "
                f"finish (follow its Location), or delete one you no longer need, then upload again.")
    stored = (db.session.scalar(select(func.coalesce(func.sum(func.length(BatchJob.upload)), 0)).where(live)) +
              db.session.scalar(select(func.coalesce(func.sum(func.length(BatchChunk.data) +
                                                              func.length(BatchChunk.patients)), 0))
                                .join(BatchJob, BatchChunk.job_id == BatchJob.id).where(live)))
    limit = config["BATCH_MAX_STORED_BYTES"]
    if stored + upload_bytes > limit:
        return (f"Your batch jobs hold {stored / 2**20:,.1f} MiB of uploads and results; with this upload that "
                f"would pass the {limit / 2**20:,.0f} MiB kept per client. Download and delete finished jobs "
                f"(DELETE /api/v1/batch/jobs/<id>), or wait until they expire, then upload again.")
    return None


def create_job(upload: bytes, total_rows: int, owner: Principal | None = None, language: str = DEFAULT,
               client: str | None = None) -> BatchJob:
    """Store an upload as a queued job of its owner (None: API keys are off) and queue it; texts in `language`.

    `client` is whose quota it counts against (client_of); QuotaExceeded when it is over.
    """
    if client is not None and (why := over_quota(client, len(upload))) is not None:
        raise QuotaExceeded(why)
    config = current_app.config
    chunk_rows = config["BATCH_CHUNK_ROWS"]
    job = BatchJob(
        id=str(uuid.uuid4()), status="queued", total_rows=total_rows, chunk_rows=chunk_rows,
        chunks_total=-(-total_rows // chunk_rows), created_at=now(), updated_at=now(),
        expires_at=now() + timedelta(hours=config["BATCH_RETENTION_HOURS"]),
        upload=zlib.compress(upload, 1), owner=owner.owner if owner else None, language=language, client=client,
    )
    db.session.add(job)
    db.session.commit()
    # Uploads sent by one client at the same moment all pass the count above. Counted again once this
    # job is stored, any over the quota is refused: the last to be counted sees every job stored before.
    if client is not None and (why := over_quota(client, 0, stored_job=job.id)) is not None:
        delete_job(job.id)
        raise QuotaExceeded(why)
    services().run_job(job.id)
    metrics.JOBS.labels("queued").inc()
    audit.job("created", job.id, owner.name if owner else audit.ANONYMOUS, total_rows, "queued")
    return job


def visible_to(job: BatchJob, caller: Principal | None) -> bool:
    """Whether a caller may see a job: its owner only (anyone with the id, for jobs made without keys)."""
    return job.owner is None or (caller is not None and caller.owner == job.owner)


def owner_name(owner: str | None) -> str:
    """The audit name of a job's owner."""
    kind, _, ident = (owner or "").partition(":")
    if kind == "key" and ident.isdigit():
        return keys.name_of(int(ident)) or "deleted key"
    return "web page" if kind == "page" else audit.ANONYMOUS


def entry_statuses(chunk: Chunk) -> dict[str, int]:
    """Checked entries of a chunk by status (flagged, not_flagged, unresolved, error)."""
    counts: dict[str, int] = {}
    for row in chunk.rows:
        status = chunk.results[row[4]][0].replace(" ", "_") if row[4] >= 0 else "error"
        counts[status] = counts.get(status, 0) + 1
    return counts


def process_job(job_id: str) -> None:
    """Process every chunk of a job not yet written, then finish it."""
    job = db.session.get(BatchJob, job_id)
    if job is None or job.status in ("done", "failed") or job.upload is None:
        return
    job.status, job.updated_at = "running", now()
    db.session.commit()
    try:
        with _heartbeat(job_id, current_app.config["BATCH_STALE_SECONDS"] / 3):
            if not _process_chunks(job):
                return  # it gave way to another job and is queued again behind it
            if not _finish(job):
                return  # another worker is still writing a chunk; it will finish the job
    except Exception as error:  # noqa: BLE001 - any failure must end as a failed job, never silently
        db.session.rollback()
        log.error("batch job %s failed: %s", job_id, type(error).__name__)
        job = db.session.get(BatchJob, job_id)
        if job is not None:
            job.status, job.error, job.updated_at = "failed", "The job failed unexpectedly; please upload again.", now()
            db.session.commit()
    finally:
        release_memory()
    _audit_end(job_id)


@cache
def _libc() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:  # not glibc (or not Linux): nothing to trim
        return None


def release_memory() -> None:
    """Give the memory a job freed back to the system: glibc keeps freed heap pages for reuse otherwise,
    so a worker would hold a large job's peak for the rest of its life."""
    gc.collect()
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def _audit_end(job_id: str) -> None:
    """Count and log a job that ended here (done or failed), with its time since upload."""
    job = db.session.get(BatchJob, job_id)
    if job is None:
        return
    metrics.JOBS.labels(job.status).inc()
    seconds = (job.updated_at - job.created_at).total_seconds()
    audit.job("ended", job.id, owner_name(job.owner), job.total_rows, job.status, seconds)


@contextmanager
def _heartbeat(job_id: str, every: float) -> Iterator[None]:
    """Keep the job's heartbeat fresh while it runs, even through a slow chunk (openFDA lookups)."""
    stop = threading.Event()
    engine = db.engine

    def beat() -> None:
        while not stop.wait(every):
            with engine.begin() as connection:
                connection.execute(update(BatchJob).where(BatchJob.id == job_id, BatchJob.status == "running")
                                   .values(updated_at=now()))

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _others_waiting(job: BatchJob) -> bool:
    """Whether another job is queued: a job gives way to it after each chunk (round robin)."""
    return db.session.scalar(select(func.count()).where(
        BatchJob.status == "queued", BatchJob.id != job.id, BatchJob.expires_at > now())) > 0


def _give_way(job: BatchJob) -> None:
    """Queue a job again behind the jobs waiting, so a large job cannot starve other clients' jobs."""
    job.status, job.updated_at = "queued", now()
    db.session.commit()
    services().run_job(job.id)


def _process_chunks(job: BatchJob) -> bool:
    """Write the job's chunks not yet written, in order; False when it gave way to a waiting job first."""
    config = current_app.config
    text = decode(zlib.decompress(job.upload))
    layout = detect_layout(text)
    done = set(db.session.scalars(select(BatchChunk.index).where(BatchChunk.job_id == job.id)))
    pipeline = services().pipeline
    checker = BatchChecker(pipeline, config["MAX_ENTRY_CHARS"], pipeline.evidence_provider(shared_budget=False),
                           translate=job_translator(job))
    chunks = batched(read_rows(text, layout, config["BATCH_MAX_CELL_CHARS"], config["BATCH_MAX_ENTRIES_PER_ROW"]),
                     job.chunk_rows)
    for index in count():
        with collection_paused():  # reading, checking and packing a chunk allocate no cycles
            rows = next(chunks, None)
            if rows is None:
                break
            if index in done:
                continue
            patients: dict[str, Tally] = {}
            output = checker.check_rows(rows, patients)
            metrics.record_entries("job", entry_statuses(output))
            chunk = BatchChunk(job_id=job.id, index=index, rows=len(rows), data=_pack(output.to_json()),
                               patients=_pack([[p, *t.to_list()] for p, t in patients.items()]))
        db.session.add(chunk)
        try:
            db.session.flush()
        except IntegrityError:  # another worker wrote this chunk first
            db.session.rollback()
            continue
        job.rows_done = db.session.scalar(select(func.sum(BatchChunk.rows)).where(BatchChunk.job_id == job.id))
        job.updated_at = now()
        db.session.commit()
        if index + 1 < job.chunks_total and _others_waiting(job):
            _give_way(job)
            return False
    return True


def _finish(job: BatchJob) -> bool:
    """Mark the job done once every chunk is written; False while another worker still writes one."""
    written = db.session.scalar(select(func.count()).where(BatchChunk.job_id == job.id))
    if written < job.chunks_total:
        return False
    job.status, job.upload, job.updated_at = "done", None, now()
    job.rows_done = job.total_rows
    db.session.commit()
    return True


def _pack(value: Any) -> bytes:
    return zlib.compress(orjson.dumps(value), 1)


def _unpack(data: bytes) -> Any:
    return orjson.loads(zlib.decompress(data))


def result_chunks(job: BatchJob) -> Iterator[Chunk]:
    """The checked rows of a finished job, one chunk at a time, in order."""
    for data in _chunk_column(job, BatchChunk.data):
        yield Chunk.from_json(_unpack(data))


def result_csv(job: BatchJob) -> Iterator[str]:
    """A finished job's result CSV, header first, one piece per chunk."""
    yield csv_header()
    for data in _chunk_column(job, BatchChunk.data):
        with collection_paused():
            text = csv_text(Chunk.from_json(_unpack(data)))
        yield text


def _chunk_column(job: BatchJob, column: Any) -> Iterator[bytes]:
    # One chunk in memory at a time, in order.
    for index in range(job.chunks_total):
        yield db.session.scalar(select(column).where(BatchChunk.job_id == job.id, BatchChunk.index == index))


def summary_of(job: BatchJob) -> list[dict[str, Any]]:
    """The per-patient summary of a finished job (patients may span chunks, so tallies are merged)."""
    patients: dict[str, Tally] = {}
    for data in _chunk_column(job, BatchChunk.patients):
        merge_patients(patients, {p[0]: Tally.from_list(p[1:]) for p in _unpack(data)})
    return patient_summaries(patients, services().pipeline, job_translator(job))


def job_translator(job: BatchJob) -> Translator:
    """The translator of a job's language (English for jobs made before jobs had one)."""
    return translator(job.language or DEFAULT)


def live_job(job_id: str) -> BatchJob | None:
    """The job with this id, or None if there is none or it has expired."""
    job = db.session.get(BatchJob, job_id)
    if job is None or job.expires_at <= now():
        return None
    return job


def requeue_stale_jobs() -> list[str]:
    """Queue again the unfinished jobs whose worker has gone quiet (killed or restarted)."""
    cutoff = now() - timedelta(seconds=current_app.config["BATCH_STALE_SECONDS"])
    stale = list(db.session.scalars(
        select(BatchJob.id).where(BatchJob.status.in_(("queued", "running")), BatchJob.updated_at < cutoff)
    ))
    for job_id in stale:
        db.session.get(BatchJob, job_id).updated_at = now()
        db.session.commit()
        services().run_job(job_id)
    if stale:
        log.info("re-queued %d stale batch job(s)", len(stale))
    return stale


def delete_job(job_id: str) -> None:
    db.session.execute(delete(BatchChunk).where(BatchChunk.job_id == job_id))
    db.session.execute(delete(BatchJob).where(BatchJob.id == job_id))
    db.session.commit()


def purge_expired() -> int:
    """Delete jobs past their retention, with their uploads and results."""
    expired = list(db.session.scalars(select(BatchJob.id).where(BatchJob.expires_at <= now())))
    for job_id in expired:
        delete_job(job_id)
    if expired:
        log.info("deleted %d expired batch job(s)", len(expired))
    return len(expired)
