"""Start-up time, worker memory and in-process check time.

    .venv/bin/python bench/core_figures.py

- start-up: seconds from starting a gunicorn worker (`make run`'s command) to its first
  answered /readyz, on a database that already holds the seed;
- RSS: resident memory of that worker process after 200 checks;
- job start: seconds from uploading a batch that becomes a job (after 12 s with no work, when an
  idle queue polls least often) to the job leaving `queued`;
- `flask check` of one name: median wall time of the whole command (5 runs), on the same database;
- check: median in-process time of POST /api/v1/check with a 5-item list (Flask test client,
  1,000 runs, access logging on), and of the pure core check() alone.

openFDA is off here (OPENFDA_ENABLED=false): these are the service's own figures; openFDA adds
at most OPENFDA_BUDGET_SECONDS on a cache miss and one database read on a hit.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIVE = ["Lasix 40mg daily", "Hyzaar 50/12.5", "simvastatine", "Tylenol 500mg", "salbutamol inhaler"]


def _post(url: str) -> None:
    body = b'{"medications": ["Lasix 40mg daily", "Hyzaar 50/12.5", "simvastatine", "Tylenol", "Ventolin"]}'
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).read()


def _job_start(base: str) -> float:
    rows = "".join(f"P{n},Lasix {n}mg; Tylenol\n" for n in range(1500)).encode()  # over BATCH_SYNC_MAX_ROWS
    request = urllib.request.Request(f"{base}/api/v1/batch", b"patient_id,medications\n" + rows,
                                     {"Content-Type": "text/csv"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=10) as response:
        location = response.headers["Location"]
    while json.load(urllib.request.urlopen(base + location, timeout=5))["status"] == "queued":
        time.sleep(0.02)
    return time.perf_counter() - started


def server_figures(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:8765", "service:create_app()"]
    flask = str(Path(sys.executable).parent / "flask")
    # As a release does, so the start measured is a start on a seeded database.
    subprocess.run([flask, "--app", "service", "prepare"], env=env, cwd=ROOT, check=True, capture_output=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen("http://127.0.0.1:8765/readyz", timeout=1).read()
                break
            except OSError:
                if time.perf_counter() - started > 30:
                    raise
                time.sleep(0.02)
        print(f"start-up to first answer: {time.perf_counter() - started:.2f} s (target <= 2)")
        for _ in range(200):
            _post("http://127.0.0.1:8765/api/v1/check")
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        for pid in [str(process.pid), *children]:
            rss_kb = int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0])
            role = "master" if pid == str(process.pid) else "worker"
            print(f"{role} pid {pid} RSS: {rss_kb / 1024:.0f} MB" + (" (target <= 150)" if role == "worker" else ""))
        time.sleep(12)
        print(f"embedded job start after upload: {_job_start('http://127.0.0.1:8765'):.2f} s (target <= 1)")
    finally:
        process.terminate()
        process.wait(10)


def cli_figures(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    flask = str(Path(sys.executable).parent / "flask")
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([flask, "--app", "service", "check", "Lasix 40mg"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        timings.append(time.perf_counter() - started)
    print(f"flask check of one name, median of 5: {statistics.median(timings):.2f} s (target well under 1)")


def in_process_figures(database_url: str) -> None:
    from service import create_app
    from service.matching import check

    app = create_app({"DATABASE_URL": database_url})
    client = app.test_client()
    timings = []
    for _ in range(1000):
        started = time.perf_counter()
        client.post("/api/v1/check", json={"medications": FIVE})
        timings.append(time.perf_counter() - started)
    print(f"POST /api/v1/check, 5 items, median: {statistics.median(timings) * 1000:.2f} ms")
    from service.services import services

    lexicon = services(app).lexicon
    timings = []
    for _ in range(1000):
        started = time.perf_counter()
        check(FIVE, [], lexicon)
        timings.append(time.perf_counter() - started)
    print(f"core check(), 5 items, median: {statistics.median(timings) * 1000:.2f} ms")


if __name__ == "__main__":
    os.environ["OPENFDA_ENABLED"] = "false"
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        server_figures(url)
        cli_figures(url)
        in_process_figures(url)
