"""Production shape: two web instances and two workers on one PostgreSQL and one Redis.

Both web instances start at the same moment on an empty database (migrations and seed must
serialise), then 200 checks and 4 batch jobs go to them concurrently. Every job completes
once, every row appears once, and both instances answer the same.
"""

import csv
import io
import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "crampcheck_multi_instance"
LISTS = [["Lasix 40mg daily", "Lipitor"], ["Hyzaar 50/12.5", "Tylenol", "xyzzy"], ["simvastatine", "Ventolin HFA"],
         ["Advair Diskus 250/50", "metformin 500mg", "quinine"], ["Premarin 0.625mg", "Nexium", "Lasics"]]


@pytest.fixture(scope="module")
def postgres_url():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgresql", "postgres")):
        pytest.skip("runs in the PostgreSQL pass (TEST_DATABASE_URL)")
    import psycopg

    admin = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    base, _, _ = admin.rpartition("/")
    yield f"{base}/{DATABASE}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@pytest.fixture(scope="module")
def redis_url():
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.fail(f"the multi-instance test needs Redis at {url}: {error}")
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def instances(postgres_url, redis_url, tmp_path_factory):
    env = {**os.environ, "DATABASE_URL": postgres_url, "REDIS_URL": redis_url,
           "HUEY_NAME": f"multi-{uuid.uuid4().hex}", "OPENFDA_ENABLED": "false", "BATCH_SYNC_MAX_ROWS": "100",
           "BATCH_CHUNK_ROWS": "400", "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "4", "LOG_LEVEL": "WARNING",
           # Both instances prepare the empty database at start, at the same moment: the lock must hold.
           "PREPARE_ON_START": "true",
           # Four jobs from one address at once: more than the default quota, which is tested elsewhere.
           "BATCH_MAX_ACTIVE_JOBS": "8"}
    env.pop("TEST_DATABASE_URL", None)
    bin_dir = Path(sys.executable).parent
    logs = tmp_path_factory.mktemp("instances")
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen([str(bin_dir / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                          "service:create_app()"], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=(logs / f"web-{port}.log").open("w"))
        for port in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    if requests.get(url + "/readyz", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert time.monotonic() < deadline, (logs / "web.log", [p.poll() for p in processes])
                time.sleep(0.2)
        for number in range(2):
            processes.append(subprocess.Popen(
                [str(bin_dir / "flask"), "--app", "service", "worker", "--workers", "2"], cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=(logs / f"worker-{number}.log").open("w")))
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)


def _batch_file(rows: int, seed: int) -> bytes:
    lines = ["patient_id,medications"]
    for n in range(rows):
        meds = LISTS[(n + seed) % len(LISTS)]
        lines.append(f'J{seed}-{n},"{"; ".join(meds)}"')
    return ("\n".join(lines) + "\n").encode()


def test_two_instances_and_two_workers_share_one_database_and_queue(instances, postgres_url):
    errors = []

    def check(n: int) -> dict:
        response = requests.post(instances[n % 2] + "/api/v1/check", json={"medications": LISTS[n % len(LISTS)]},
                                 timeout=30)
        if response.status_code != 200:
            errors.append(response.status_code)
        return response.json()

    def submit(n: int) -> tuple[int, str]:
        response = requests.post(instances[n % 2] + "/api/v1/batch", data=_batch_file(3000, n),
                                 headers={"Content-Type": "text/csv"}, timeout=60)
        assert response.status_code == 202, response.text
        return n, response.headers["Location"]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        jobs = list(pool.map(submit, range(4)))
        answers = list(pool.map(check, range(200)))
    assert errors == []

    # Both instances give the same answer to the same list.
    by_list: dict[int, list[dict]] = {}
    for n, answer in enumerate(answers):
        by_list.setdefault(n % len(LISTS), []).append(answer)
    for same in by_list.values():
        assert all(a == same[0] for a in same)

    rows_seen = 0
    for n, location in jobs:
        other = instances[(n + 1) % 2]  # read each job from the instance that did not take it
        deadline = time.monotonic() + 120
        while (job := requests.get(other + location, timeout=10).json())["status"] != "done":
            assert job["status"] in ("queued", "running") and time.monotonic() < deadline, job
            time.sleep(0.2)
        text = requests.get(other + job["links"]["results_csv"], timeout=60).text
        rows = list(csv.DictReader(io.StringIO(text)))
        keys = [(r["patient_id"], r["position"]) for r in rows]
        expected = [(f"J{n}-{i}", str(p + 1)) for i in range(3000) for p in range(len(LISTS[(i + n) % len(LISTS)]))]
        assert keys == expected  # every row exactly once, in order
        rows_seen += len(rows)
    elapsed = time.monotonic() - started

    import psycopg

    from service.seeding import read_seed_files

    seed = read_seed_files()
    with psycopg.connect(postgres_url) as connection:
        names = connection.execute("SELECT count(*) FROM drug_name").fetchone()[0]
        members = connection.execute("SELECT count(*) FROM member").fetchone()[0]
        versions = connection.execute("SELECT count(*) FROM seed_version").fetchone()[0]
    assert (versions, names, members) == (1, len(seed.names), len(seed.members))  # no duplicate seed rows
    print(f"\nmulti-instance: 2 web instances x 2 workers, 2 worker processes; 200 checks, 4 jobs x 3000 rows, "
          f"{rows_seen} result rows, {len(errors)} errors, {elapsed:.1f} s")
