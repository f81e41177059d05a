"""What careless or hostile bodies cost: the slowest check and the heaviest immediate batch the limits allow.

    .venv/bin/python bench/hostile.py

- slowest check: POST /api/v1/check with 200 entries of 33 random nonsense words each (about
  52 KB, within the 256 KiB body limit), new words each run so no cache helps; median of 5;
- heaviest immediate batch: 1,000 rows (the most answered at once) of 20 entries of 3 nonsense
  words each (about 500 KB); median of 3;
- a body over the limit sent chunked, and JSON nested 100,000 levels deep: the status answered.

In-process (Flask test client) on a scratch SQLite database; openFDA is off.
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


if __name__ == "__main__":
    main()
