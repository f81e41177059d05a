"""What careless or hostile bodies cost: the slowest check and the heaviest immediate batch the limits allow.

    .venv/bin/python bench/hostile.py

- slowest check: POST /api/v1/check with 200 entries of 33 random nonsense words each (about
  52 KB, within the 256 KiB body limit), new words each run so no cache helps; median of 5;
- heaviest immediate batch: 1,000 rows (the most answered at once) of 20 entries of 3 nonsense
  words each (about 500 KB); median of 3;
- a body over the limit sent chunked, and JSON nested 100,000 levels deep: the status answered.

In-process (Flask test client) on a scratch SQLite database; openFDA is off. Then, through the
Procfile's web process on loopback (its own scratch database):

- /healthz latency (median and max of 20, a new connection each) with nothing else open, with 40
  idle connections, with 4 connections sending a request one byte a second, with both, and with
  1,100 idle connections;
- the status and problem type answered to over-limit bodies (chunked and not) and hostile JSON.

    .venv/bin/python bench/hostile.py --web-only                  # only the web-server figures
    .venv/bin/python bench/hostile.py --web-only --plain-gthread  # the same with gunicorn's gthread worker
"""

from __future__ import annotations

import io
import os
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 9)))


def main() -> None:
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from service import create_app
    from service.startup import prepare

    folder = tempfile.mkdtemp(prefix="crampcheck-hostile-")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/bench.db", "OPENFDA_ENABLED": False, "RATE_LIMIT": "off",
                      "HUEY_SQLITE_FILE": f"{folder}/queue.db"})
    prepare(app)
    client = app.test_client()
    client.post("/api/v1/check", json={"medications": ["Lasix"]})  # warm the index
    rng = random.Random(14)

    times = []
    for _ in range(5):
        body = {"medications": [" ".join(_word(rng) for _ in range(33)) for _ in range(200)]}
        started = time.perf_counter()
        assert client.post("/api/v1/check", json=body).status_code == 200
        times.append(time.perf_counter() - started)
    print(f"slowest check within the limits (200 x 33 nonsense words): median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s")

    times = []
    for _ in range(3):
        rows = "patient_id,medications\n" + "".join(
            f"P{i},{'; '.join(' '.join(_word(rng) for _ in range(3)) for _ in range(20))}\n" for i in range(1000))
        started = time.perf_counter()
        assert client.post("/api/v1/batch", data=rows.encode(), content_type="text/csv").status_code == 200
        times.append(time.perf_counter() - started)
    print(f"heaviest immediate batch (1,000 rows x 20 nonsense entries, {len(rows) // 1024} KiB): "
          f"median {statistics.median(times):.2f} s")

    over = b'{"medications": [' + b'"Lasix",' * 40_000 + b'"Lasix"]}'
    chunked = client.post("/api/v1/check", input_stream=io.BytesIO(over), content_type="application/json",
                          environ_base={"wsgi.input_terminated": True}, headers={"Transfer-Encoding": "chunked"})
    deep = client.post("/api/v1/check", data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    print(f"chunked body of {len(over) // 1024} KiB (over 256 KiB): {chunked.status_code}; "
          f"JSON nested 100,000 deep: {deep.status_code}")


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
            ("CSV upload of 51 MiB (limit 50 MiB), chunked", "/api/v1/batch", "text/csv",
             b"patient_id,medications\n" + b"P1,Lasix\n" * (51 * 1024 * 1024 // 9), True),
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
    if "--web-only" not in sys.argv:
        main()
    web_server(plain_gthread="--plain-gthread" in sys.argv)
