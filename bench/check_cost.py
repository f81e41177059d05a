"""The slowest checks the limits allow, and the heaviest immediate batch.

    .venv/bin/python bench/check_cost.py

In process (Flask test client, openFDA off, a fresh SQLite database): each hostile shape of
POST /api/v1/check that the limits accept (entries full of unknown words, the longest entries,
distinct misspellings), timed on a pipeline whose caches are empty, best of 3; then the largest
batch file the immediate path accepts, made of unknown words. Target: under 1 s for every check.
"""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 8)))


def shapes(max_medications: int, max_chars: int, body_bytes: int) -> dict[str, list[str]]:
    rng = random.Random(7)
    long_entry_count = max(1, min(max_medications, body_bytes // (max_chars + 8)))
    return {
        f"{max_medications} entries of 33 unknown words": [
            " ".join(_word(rng) for _ in range(33)) for _ in range(max_medications)],
        f"{long_entry_count} entries of {max_chars} characters of unknown words (the body limit)": [
            " ".join(_word(rng) for _ in range(max_chars // 7))[:max_chars] for _ in range(long_entry_count)],
        f"{max_medications} entries of 6 unknown words": [
            " ".join(_word(rng) for _ in range(6)) for _ in range(max_medications)],
        f"{max_medications} distinct misspellings": [
            _misspell(rng, name) for name in rng.sample(_names(), max_medications)],
    }


def _names() -> list[str]:
    from service.lexicon import Lexicon
    from service.seeding import read_seed_files

    return [k for k in Lexicon.build(read_seed_files()).fuzzy_keys if " " not in k and len(k) >= 8]


def _misspell(rng: random.Random, name: str) -> str:
    position = rng.randrange(1, len(name))
    return name[:position] + rng.choice("aeiou") + name[position + 1:]


def main() -> None:
    os.environ["OPENFDA_ENABLED"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from service import create_app
    from service.services import services

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        flask = str(Path(sys.executable).parent / "flask")
        subprocess.run([flask, "--app", "service", "prepare"], env={**os.environ, "DATABASE_URL": url}, cwd=ROOT,
                       check=True, capture_output=True)
        app = create_app({"DATABASE_URL": url, "RATE_LIMIT": "off"})
        client = app.test_client()
        config = app.config
        client.post("/api/v1/check", json={"medications": ["Lasix"]})  # load the index
        for name, medications in shapes(config["MAX_MEDICATIONS"], config["MAX_ENTRY_CHARS"],
                                        config["CHECK_MAX_BODY_BYTES"]).items():
            timings = []
            for _ in range(3):
                pipeline = services(app).pipeline  # empty caches: the first time a list is seen
                pipeline._resolutions.clear()
                pipeline.assess.cache_clear()
                started = time.perf_counter()
                response = client.post("/api/v1/check", json={"medications": medications, "openfda": False})
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, response.get_json()
            size = len(json.dumps({"medications": medications}))
            print(f"POST /api/v1/check, {name} ({size:,} bytes): {min(timings):.2f} s (target < 1)")
        batch(client, config)


def batch(client, config) -> None:
    """The heaviest file the immediate path takes: unknown words up to its entry and byte limits."""
    rng = random.Random(11)
    entries = config.get("BATCH_SYNC_MAX_ENTRIES", 2000)
    per_row = min(config.get("BATCH_MAX_ENTRIES_PER_ROW", 200), entries)
    rows = []
    for number in range(entries // per_row):
        cell = "; ".join(_word(rng) for _ in range(per_row))  # within BATCH_MAX_CELL_CHARS
        rows.append(f'P{number},"{cell}"')
    body = ("patient_id,medications\n" + "\n".join(rows) + "\n").encode()
    limit = config.get("BATCH_SYNC_MAX_BYTES")
    if limit and len(body) > limit:
        body = body[:limit].rsplit(b"\n", 1)[0] + b"\n"
    started = time.perf_counter()
    response = client.post("/api/v1/batch", data=body, content_type="text/csv")
    print(f"POST /api/v1/batch, largest immediate-size file of unknown words ({len(body):,} bytes, {entries} entries): "
          f"{time.perf_counter() - started:.2f} s, status {response.status_code}, answer {len(response.data)} bytes")


if __name__ == "__main__":
    main()
