"""Worker peak RSS for the largest upload the limits allow, and what the worker keeps afterwards.

    .venv/bin/python bench/batch_memory.py [bytes]

Writes a wide file of unique rows (bench/batch_generate.py's made-up lists, each row with its own
patient id and dose) up to BATCH_MAX_BYTES (10 MiB by default, or the size given), then runs
bench/batch_bench.py on it: gunicorn as `make run` starts it, the embedded job worker, upload,
job to done, results downloaded. It prints the worker's peak RSS (target <= 300 MB) and its RSS
once the job is done and the results were read (memory should return).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from batch_bench import run  # noqa: E402

from service.config import SETTINGS  # noqa: E402


def write_file(path: Path, size: int) -> None:
    """Unique wide rows up to `size` bytes (a row never cut: the file stays valid CSV)."""
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        header = "patient_id,medications,conditions\n"
        handle.write(header)
        written += len(header)
        number = 0
        while True:
            row = (f'P{number:08d},"Lasix {number % 997 + 1}mg daily; atorvastatin {number % 83 + 1} mg; '
                   f'metformin {number % 1999 + 1} mg bid; Tylenol",CKD\n')
            if written + len(row) > size:
                break
            handle.write(row)
            written += len(row)
            number += 1


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else SETTINGS["BATCH_MAX_BYTES"][0]
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    path = out / f"largest-{size}.csv"
    write_file(path, size)
    print(f"file {path.name}: {path.stat().st_size:,} bytes")
    run(path)
