"""Batch jobs: lifecycle, progress, resumption after a crash, results, expiry."""

import csv
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from service import create_app
from service.batch import jobs
from service.extensions import db
from service.models import BatchChunk, BatchJob
from service.services import services


def _file(rows: int) -> bytes:
    lines = ["patient_id,medications"] + [f'P{n},"Lasix {n}mg; Tylenol; =cmd"' for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _submit(app, rows: int):
    response = app.test_client().post("/api/v1/batch", data=_file(rows), content_type="text/csv")
    assert response.status_code == 202
    return response


def test_large_upload_becomes_a_queued_job_with_a_location(job_app):
    response = _submit(job_app, 20)
    status = job_app.test_client().get(response.headers["Location"]).get_json()
    assert status["status"] == "queued"
    assert status["progress"] == {"rows_done": 0, "total_rows": 20, "percent": 0.0}
    assert "results_csv" not in status["links"]
    assert job_app.test_client().get(response.headers["Location"] + "/results.csv").status_code == 409


def test_worker_runs_the_job_chunk_by_chunk_with_rising_progress(job_app, monkeypatch):
    job_id = _submit(job_app, 20).get_json()["id"]
    seen = []
    original = jobs.BatchChecker.check_rows

    def watching(self, rows, patients):
        job = db.session.get(BatchJob, job_id)
        seen.append((job.status, job.rows_done))
        return original(self, rows, patients)

    monkeypatch.setattr(jobs.BatchChecker, "check_rows", watching)
    jobs.process_job(job_id)
    assert seen == [("running", 0), ("running", 7), ("running", 14)]
    status = job_app.test_client().get(f"/api/v1/batch/jobs/{job_id}").get_json()
    assert status["status"] == "done" and status["progress"]["percent"] == 100.0
    assert set(status["links"]) == {"self", "results_csv", "results_json", "summary_csv"}


def test_results_come_back_in_order_once_each_in_csv_and_json(job_app):
    job_id = _submit(job_app, 20).get_json()["id"]
    jobs.process_job(job_id)
    client = job_app.test_client()
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/batch/jobs/{job_id}/results.csv").get_data(as_text=True))))
    assert [(r["row"], r["position"]) for r in rows] == [(str(n), str(p)) for n in range(2, 22) for p in (1, 2, 3)]
    assert rows[2]["medication"] == "'=cmd"
    body = client.get(f"/api/v1/batch/jobs/{job_id}/results.json").get_json()
    assert len(body["rows"]) == 60 and body["rows"][2]["medication"] == "=cmd"
    assert [p["patient_id"] for p in body["patients"]] == [f"P{n}" for n in range(20)]
    summary = client.get(f"/api/v1/batch/jobs/{job_id}/summary.csv").get_data(as_text=True)
    assert summary.count("\r\n") == 21


def test_job_killed_mid_way_resumes_and_writes_every_row_once(job_app, monkeypatch):
    job_id = _submit(job_app, 20).get_json()["id"]
    original = jobs.BatchChecker.check_rows
    calls = []

    def dies_on_third_chunk(self, rows, patients):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("worker killed")  # not an Exception: nothing marks the job failed
        return original(self, rows, patients)

    monkeypatch.setattr(jobs.BatchChecker, "check_rows", dies_on_third_chunk)
    with pytest.raises(SystemExit):
        jobs.process_job(job_id)
    db.session.rollback()
    job = db.session.get(BatchJob, job_id)
    assert (job.status, job.rows_done) == ("running", 14)
    monkeypatch.setattr(jobs.BatchChecker, "check_rows", original)
    queued = []
    services(job_app).run_job = queued.append
    assert job_id in jobs.requeue_stale_jobs()
    assert job_id in queued
    jobs.process_job(job_id)
    assert db.session.get(BatchJob, job_id).status == "done"
    assert db.session.scalar(select(func.count()).where(BatchChunk.job_id == job_id)) == 3
    body = job_app.test_client().get(f"/api/v1/batch/jobs/{job_id}/results.json").get_json()
    assert [r["row"] for r in body["rows"]] == [n for n in range(2, 22) for _ in range(3)]


def test_expired_jobs_are_gone_and_purged_with_their_data(job_app):
    job_id = _submit(job_app, 20).get_json()["id"]
    jobs.process_job(job_id)
    db.session.get(BatchJob, job_id).expires_at = jobs.now() - timedelta(seconds=1)
    db.session.commit()
    assert job_app.test_client().get(f"/api/v1/batch/jobs/{job_id}").status_code == 404
    assert jobs.purge_expired() >= 1
    assert db.session.get(BatchJob, job_id) is None
    assert db.session.scalar(select(func.count()).where(BatchChunk.job_id == job_id)) == 0


def test_delete_removes_a_job_now(job_app):
    location = _submit(job_app, 20).headers["Location"]
    client = job_app.test_client()
    assert client.delete(location).status_code == 204
    assert client.get(location).status_code == 404


def test_unknown_job_is_a_404_problem(job_app):
    response = job_app.test_client().get("/api/v1/batch/jobs/not-a-job")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_embedded_worker_finishes_a_job_without_any_other_service(database_uri, tmp_path):
    app = create_app({
        "TESTING": True, "DATABASE_URL": database_uri, "HUEY_SQLITE_FILE": str(tmp_path / "queue.db"),
        "BATCH_SYNC_MAX_ROWS": 5, "BATCH_CHUNK_ROWS": 7, "HUEY_NAME": "embedded-test",
    })
    client = app.test_client()
    location = client.post("/api/v1/batch", data=_file(30), content_type="text/csv").headers["Location"]
    deadline = time.monotonic() + 30
    while (status := client.get(location).get_json())["status"] != "done":
        assert status["status"] in ("queued", "running") and time.monotonic() < deadline
        time.sleep(0.05)
    assert client.get(status["links"]["results_csv"]).get_data(as_text=True).count("\r\n") == 91
    services(app).consumer["consumer"].stop()


def test_a_slow_chunk_keeps_its_job_from_looking_stale(database_uri, tmp_path, monkeypatch):
    app = create_app({
        "TESTING": True, "DATABASE_URL": database_uri, "HUEY_SQLITE_FILE": str(tmp_path / "queue.db"),
        "BATCH_SYNC_MAX_ROWS": 5, "BATCH_CHUNK_ROWS": 50, "BATCH_WORKER": "external", "BATCH_STALE_SECONDS": 0.6,
    })
    original = jobs.BatchChecker.check_rows

    def slow(self, rows, patients):
        time.sleep(1.5)  # longer than BATCH_STALE_SECONDS: only the heartbeat keeps the job fresh
        return original(self, rows, patients)

    def run(job_id):
        with app.app_context():
            jobs.process_job(job_id)

    with app.app_context():
        job_id = _submit(app, 20).get_json()["id"]
        monkeypatch.setattr(jobs.BatchChecker, "check_rows", slow)
        services(app).run_job = lambda _: None
        runner = threading.Thread(target=run, args=(job_id,))
        runner.start()
        time.sleep(1.0)
        assert job_id not in jobs.requeue_stale_jobs()
        runner.join()
        db.session.expire_all()
        assert db.session.get(BatchJob, job_id).status == "done"


def test_a_large_job_gives_way_to_a_waiting_job_after_each_chunk(job_app):
    """Round robin: another client's small job is not kept waiting behind all of a large job."""
    queued = []
    services(job_app).run_job = queued.append
    large = _submit(job_app, 21).get_json()["id"]  # 3 chunks of 7 rows
    small = _submit(job_app, 6).get_json()["id"]  # 1 chunk
    queued.clear()
    jobs.process_job(large)
    assert db.session.get(BatchJob, large).status == "queued"  # one chunk written, then queued again
    assert db.session.get(BatchJob, large).rows_done == 7
    assert queued == [large]  # behind the small job, which was queued first
    jobs.process_job(small)
    assert db.session.get(BatchJob, small).status == "done"
    jobs.process_job(large)  # nobody waiting now: it runs to the end
    assert db.session.get(BatchJob, large).status == "done"
    assert db.session.get(BatchJob, large).rows_done == 21


def _upload_from(app, address: str, rows: int = 20):
    return app.test_client().post("/api/v1/batch", data=_file(rows), content_type="text/csv",
                                  environ_base={"REMOTE_ADDR": address})


def test_a_client_has_at_most_its_quota_of_unfinished_jobs(job_app):
    made = [_upload_from(job_app, "192.0.2.1") for _ in range(job_app.config["BATCH_MAX_ACTIVE_JOBS"])]
    assert all(r.status_code == 202 for r in made)
    refused = _upload_from(job_app, "192.0.2.1")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    body = refused.get_json()
    assert body["type"] == "urn:crampcheck:problem:job-quota" and "still being checked" in body["detail"]
    assert _upload_from(job_app, "192.0.2.2").status_code == 202  # another client is not held up
    job_app.test_client().delete(made[0].headers["Location"])
    assert _upload_from(job_app, "192.0.2.1").status_code == 202  # a slot is free again
    with job_app.app_context():  # the quota's key is a hash: the database never holds the address
        clients = set(db.session.scalars(select(BatchJob.client)))
    assert all(c.startswith("addr:") and "192.0.2" not in c for c in clients)


def test_uploads_sent_at_the_same_moment_never_pass_the_quota(job_app):
    """Each of eight simultaneous uploads once passed the count before any was stored: all became jobs."""
    quota = job_app.config["BATCH_MAX_ACTIVE_JOBS"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: _upload_from(job_app, "203.0.113.9"), range(8)))
    assert sorted({r.status_code for r in answers}) in ([202, 429], [429])
    assert sum(r.status_code == 202 for r in answers) <= quota
    assert all(r.get_json()["type"] == "urn:crampcheck:problem:job-quota" for r in answers if r.status_code == 429)
    with job_app.app_context():
        held = db.session.scalar(select(func.count()).select_from(BatchJob)
                                 .where(BatchJob.client == jobs.client_of(None, "203.0.113.9")))
    assert held == sum(r.status_code == 202 for r in answers)  # a refused upload is not kept


def test_a_client_cannot_store_more_than_its_quota(make_app):
    size = len(_file(20))
    app = make_app(BATCH_SYNC_MAX_ROWS=5, BATCH_WORKER="external", BATCH_MAX_STORED_BYTES=size + 10)
    assert _upload_from(app, "198.51.100.7").status_code == 202
    refused = _upload_from(app, "198.51.100.7")
    assert refused.status_code == 429 and "MiB kept per client" in refused.get_json()["detail"]
    assert _upload_from(app, "198.51.100.8").status_code == 202
