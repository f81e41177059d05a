"""Careless and hostile clients through the Procfile's web process (gunicorn on loopback).

    .venv/bin/python bench/hostile.py                   # the service's worker
    .venv/bin/python bench/hostile.py --plain-gthread   # the same with gunicorn's own gthread worker

- /healthz latency (median and max of 20, a new connection each) with nothing else open, with 40
  idle connections, with 4 connections sending a request one byte a second, with both, and with
  1,100 idle connections (any connection the server closes is opened again);
- the status and problem type answered to over-limit bodies (chunked and not) and hostile JSON.

On a scratch SQLite database, openFDA off. The costliest checks and batches the limits allow are
measured by bench/check_cost.py.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def web_server(samples: int = 20, plain_gthread: bool = False) -> None:
    """Through the Procfile's gunicorn: /healthz with idle and slow connections open, and the 413/400 answers.

    With --plain-gthread, gunicorn's own threaded worker instead of the service's (the figures
    before requests were read whole off the threads; each /healthz then waits up to 100 s).
    """
    import http.client
    import json

    from bench.slow_clients import healthz, hostile_connections, procfile_server

    folder = Path(tempfile.mkdtemp(prefix="crampcheck-hostile-web-"))
    env = {"DATABASE_URL": f"sqlite:///{folder}/web.db", "HUEY_SQLITE_FILE": str(folder / "queue.db"),
           "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"), "OPENFDA_ENABLED": "false", "RATE_LIMIT": "off",
           "LOG_LEVEL": "WARNING"}
    if plain_gthread:
        env["GUNICORN_CMD_ARGS"] = "--worker-class gthread"
        samples = min(samples, 3)
    worker = "gunicorn's gthread worker" if plain_gthread else "the service's worker"
    with procfile_server(env) as port:
        for idle, slow in ((0, 0), (40, 0), (0, 4), (40, 4), (1_100, 0)):
            with hostile_connections(port, idle, slow, seconds=samples * 110):
                times = []
                for _ in range(samples):
                    took = healthz(port, timeout=100)
                    times.append(took if took is not None else float("inf"))
                    time.sleep(0.5)
            times.sort()
            print(f"/healthz with {idle} idle and {slow} slow (1 byte/s) connections, {worker}: "
                  f"median {statistics.median(times) * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms (n={samples})",
                  flush=True)
        if plain_gthread:
            return
        bodies = [  # what, url, content type, body, sent chunked
            ("check body of 300 KiB (limit 256 KiB), chunked", "/api/v1/check", "application/json",
             b'{"medications": [' + b'"Lasix",' * 38_000 + b'"Lasix"]}', True),
            ("check body of 300 KiB, with a Content-Length", "/api/v1/check", "application/json",
             b'{"medications": [' + b'"Lasix",' * 38_000 + b'"Lasix"]}', False),
            ("CSV upload of 11 MiB (limit 10 MiB), chunked", "/api/v1/batch", "text/csv",
             b"patient_id,medications\n" + b"P1,Lasix\n" * (11 * 1024 * 1024 // 9), True),
            ("CSV upload of 11 MiB, with a Content-Length", "/api/v1/batch", "text/csv",
             b"patient_id,medications\n" + b"P1,Lasix\n" * (11 * 1024 * 1024 // 9), False),
            ("JSON nested 100,000 levels deep", "/api/v1/check", "application/json",
             b"[" * 100_000 + b"]" * 100_000, False),
            ("an integer of 5,000 digits", "/api/v1/check", "application/json",
             b'{"medications": [' + b"9" * 5_000 + b"]}", False),
        ]
        for what, url, content_type, body, chunked in bodies:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            started = time.perf_counter()
            if chunked:
                pieces = (body[i:i + 65_536] for i in range(0, len(body), 65_536))
                connection.request("POST", url, body=pieces, headers={"Content-Type": content_type},
                                   encode_chunked=True)
            else:
                connection.request("POST", url, body=body, headers={"Content-Type": content_type})
            response = connection.getresponse()
            answer = response.read()
            connection.close()
            kind = json.loads(answer).get("type", "") if answer.startswith(b"{") else ""
            print(f"{what}: {response.status} {kind} in {time.perf_counter() - started:.2f} s", flush=True)


if __name__ == "__main__":
    web_server(plain_gthread="--plain-gthread" in sys.argv)
