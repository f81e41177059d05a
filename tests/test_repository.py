"""What a fresh clone offers: the benchmark target, the sample batch file, and no local caches."""

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from service.batch import reading

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _batch_section() -> str:
    return README.split("## Batch checking")[1].split("\n## ")[0]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_bench_runs_every_benchmark_with_the_virtualenv_python():
    plan = subprocess.run(["make", "-n", "bench", "BENCH_ROWS=1500"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout
    runs = re.findall(r"(\S+) bench/(\w+\.py)", plan)
    assert {interpreter for interpreter, _ in runs} == {".venv/bin/python"}, runs
    runnable = {p.name for p in (ROOT / "bench").glob("*.py") if "__main__" in p.read_text()}
    assert {script for _, script in runs} == runnable
    assert "bench/out/wide-1500.csv" in plan


def test_the_readme_sample_input_csv_checks_as_described(client):
    assert "docs/input.csv" in _batch_section()
    data = (ROOT / "docs/input.csv").read_bytes()
    response = client.post("/api/v1/batch", data=data, content_type="text/csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_patient = {}
    for row in rows:
        by_patient.setdefault(row["patient_id"], []).append(row)
    # comma-separated lists are one entry each; "1,000 mg" stays whole
    assert [r["medication"] for r in by_patient["1001"]] == ["Lasix 40mg daily", "Lipitor 20mg", "Tylenol 500mg"]
    assert "Calcium carbonate 1,000 mg" in [r["medication"] for r in by_patient["1003"]]
    statuses = {r["status"] for r in rows}
    assert statuses == {"flagged", "not flagged", "unresolved", "error"}  # every outcome shows up once


def test_readme_lists_every_accepted_batch_header_name():
    section = _batch_section()
    for name in (*reading.ID_COLUMNS, *reading.WIDE_COLUMNS, *reading.LONG_COLUMNS, *reading.CONDITION_COLUMNS):
        assert f"`{name}`" in section, name


@pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None, reason="not a git checkout")
def test_fuzzing_cache_is_neither_committed_nor_picked_up():
    tracked = subprocess.run(["git", "ls-files", ".schemathesis", ".hypothesis"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
    assert tracked == ""
    ignored = subprocess.run(["git", "check-ignore", "-q", ".schemathesis/default/cache/crashes/manifest.json"],
                             cwd=ROOT)
    assert ignored.returncode == 0
