"""Batch benchmark: a 100,000-row wide file through the HTTP API, beside a csv-module baseline.

    .venv/bin/python bench/batch_generate.py 100000 bench/out/wide-100k.csv
    .venv/bin/python bench/batch_bench.py bench/out/wide-100k.csv

Starts the service as `make run` does (gunicorn, SQLite, embedded job worker) on a fresh
database, uploads the file, follows the job to done and downloads the result CSV. Reports
the wall time from upload to the last byte of results, the peak RSS of the server process
(web and embedded worker threads share it), and a baseline measured in the same run:
reading, splitting and writing the same file with the csv module alone.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PORT = 8766


def baseline(path: Path) -> float:
    """Read, split each medications cell and write one row per medication: the csv module alone."""
    started = time.perf_counter()
    out = io.StringIO()
    writer = csv.writer(out)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for number, (patient, meds, _conditions) in enumerate(reader, start=2):
            for position, med in enumerate(re.split(r"[;|\n]", meds), start=1):
                writer.writerow([patient, number, position, med.strip()])
    return time.perf_counter() - started


def peak_rss_mb(pid: int) -> float:
    return int(Path(f"/proc/{pid}/status").read_text().split("VmHWM:")[1].split()[0]) / 1024


def run(path: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        # openFDA off: this measures our own batch path, not openFDA round trips (those are cached per ingredient).
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/bench.db", "WEB_CONCURRENCY": "1", "OPENFDA_ENABLED": "false"}
        env.pop("REDIS_URL", None)
        bin_dir = Path(sys.executable).parent
        server = subprocess.Popen(
            [str(bin_dir / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{PORT}",
             "--preload", "service:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{PORT}"
        try:
            for _ in range(300):
                try:
                    requests.get(base + "/readyz", timeout=1).raise_for_status()
                    break
                except requests.RequestException:
                    time.sleep(0.05)
            worker_pid = int(subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()[0])
            started = time.perf_counter()
            with path.open("rb") as handle:
                answer = requests.post(base + "/api/v1/batch", files={"file": (path.name, handle, "text/csv")}, timeout=300)
            uploaded = time.perf_counter()
            assert answer.status_code == 202, answer.text
            job_url = base + answer.headers["Location"]
            while (job := requests.get(job_url, timeout=10).json())["status"] not in ("done", "failed"):
                time.sleep(0.05)
            finished = time.perf_counter()
            assert job["status"] == "done", job
            result = requests.get(base + job["links"]["results_csv"], timeout=600)
            ended = time.perf_counter()
            lines = result.text.count("\r\n") - 1
            rows = sum(1 for _ in path.open()) - 1
            print(f"input rows {rows}, output rows {lines}")
            print(f"upload {uploaded - started:.2f} s, processing {finished - uploaded:.2f} s, "
                  f"download {ended - finished:.2f} s")
            peak = peak_rss_mb(worker_pid)
            print(f"end to end: {ended - started:.2f} s; peak RSS of the server worker process: {peak:.0f} MB "
                  "(target <= 300)")
            time.sleep(2)
            rss = int(Path(f"/proc/{worker_pid}/status").read_text().split("VmRSS:")[1].split()[0]) / 1024
            print(f"RSS of the worker process after the job and the download: {rss:.0f} MB")
            base = baseline(path)
            print(f"baseline (csv module: read, split, write): {base:.2f} s; "
                  f"ratio {(ended - started) / base:.1f}x (target <= 6)")
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    run(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/wide-100k.csv"))
