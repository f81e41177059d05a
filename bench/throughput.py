"""/api/v1/check throughput and p99 latency beside a bare Flask JSON echo, measured in one run.

    .venv/bin/python bench/throughput.py            # needs wrk (Debian package 'wrk')

Both servers run under gunicorn with the same settings (2 workers, 4 threads each, app preloaded,
no access log) on loopback, one after the other, and wrk drives each with 8 connections for
DURATION seconds after a warm-up. The check posts a 5-item list with openFDA off, so the figures
are the service's own. Targets: at least 0.6x the echo's requests/s, p99 at most 2x the echo's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8767
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
FIVE = {"medications": ["Lasix 40mg daily", "Hyzaar 50/12.5", "simvastatine", "Tylenol 500mg", "salbutamol inhaler"],
        "openfda": False}
GUNICORN = ["--workers", "2", "--threads", "4", "--preload", "--bind", f"127.0.0.1:{PORT}"]


def _wait(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except urllib.error.HTTPError:  # any answer means it is up
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


def _wrk(url: str, body: dict, seconds: int) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of POSTs of this body."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                     f"wrk.body = {json.dumps(json.dumps(body))}\n")
    output = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", script.name, url],
                            capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    if "Non-2xx" in output:
        raise RuntimeError("the server answered errors:\n" + output)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()
    return rps, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def measure(command: list[str], env: dict[str, str], ready: str, url: str, body: dict,
            cwd: Path = ROOT) -> tuple[float, float]:
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(ready, process)
        _wrk(url, body, 2)  # warm-up
        return _wrk(url, body, DURATION)
    finally:
        process.terminate()
        process.wait(20)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    base = f"http://127.0.0.1:{PORT}"
    with tempfile.TemporaryDirectory() as folder:
        # As in production: access lines logged (INFO), to standard error (discarded here).
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/bench.db", "OPENFDA_ENABLED": "false",
               "PREPARE_ON_START": "true", "WEB_CONCURRENCY": "2",
               "LOG_LEVEL": "INFO", "GUNICORN_THREADS": "4"}
        env.pop("REDIS_URL", None)
        # Started from bench/, so gunicorn does not pick up the service's gunicorn.conf.py.
        echo_rps, echo_p99 = measure([gunicorn, *GUNICORN, "echo_app:app"], env, base + "/nothing-here",
                                     base + "/echo", FIVE, cwd=ROOT / "bench")
        check_rps, check_p99 = measure([gunicorn, "--config", "gunicorn.conf.py", *GUNICORN, "service:create_app()"],
                                       env, base + "/readyz", base + "/api/v1/check", FIVE)
    print(f"bare Flask JSON echo: {echo_rps:,.0f} requests/s, p99 {echo_p99:.2f} ms")
    print(f"POST /api/v1/check (5 items): {check_rps:,.0f} requests/s, p99 {check_p99:.2f} ms")
    print(f"throughput ratio: {check_rps / echo_rps:.2f} (target >= 0.6); "
          f"p99 ratio: {check_p99 / echo_p99:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
