"""The production job path: a Redis queue and a separate worker process that gets killed."""

import csv
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import forget_jobs

from service import create_app
from service.extensions import db
from service.models import BatchJob

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


def _worker(env):
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "service", "worker", "--workers", "2"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _job(job_id):
    db.session.expire_all()
    return db.session.get(BatchJob, job_id)


def test_killed_worker_restarts_and_the_job_completes_with_every_row_once(redis_url, database_uri, tmp_path):
    settings = {"DATABASE_URL": database_uri, "REDIS_URL": redis_url, "HUEY_NAME": f"test-{uuid.uuid4().hex}",
                "BATCH_SYNC_MAX_ROWS": 5, "BATCH_CHUNK_ROWS": 200, "BATCH_STALE_SECONDS": 1}
    env = {**os.environ, **{k: str(v) for k, v in settings.items()}}
    app = create_app({"TESTING": True, **settings})
    rows = 40_000
    data = "patient_id,medications\n" + "".join(f"P{n},Lasix {n % 80}mg; Lipitor; xyzzy\n" for n in range(rows))
    with app.app_context():
        forget_jobs()
        job_id = app.test_client().post("/api/v1/batch", data=data.encode(), content_type="text/csv").get_json()["id"]
        worker = _worker(env)
        try:
            deadline = time.monotonic() + 60
            while _job(job_id).rows_done < 1000:
                assert time.monotonic() < deadline, "worker never started the job"
                time.sleep(0.02)
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
            killed_at = _job(job_id)
            assert killed_at.status == "running" and 0 < killed_at.rows_done < rows
            time.sleep(1.5)  # longer than BATCH_STALE_SECONDS: the job is now stale
            worker = _worker(env)
            while (job := _job(job_id)).status != "done":
                assert job.status == "running" and time.monotonic() < deadline, job.status
                time.sleep(0.1)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(20)
        text = app.test_client().get(f"/api/v1/batch/jobs/{job_id}/results.csv").get_data(as_text=True)
    seen = [(r["row"], r["position"]) for r in csv.DictReader(io.StringIO(text))]
    assert len(seen) == len(set(seen)) == rows * 3
    assert seen == [(str(n), str(p)) for n in range(2, rows + 2) for p in (1, 2, 3)]
