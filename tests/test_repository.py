"""What a fresh clone offers: the benchmark target, the sample batch file, and no local caches."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_bench_runs_every_benchmark_with_the_virtualenv_python():
    plan = subprocess.run(["make", "-n", "bench", "BENCH_ROWS=1500"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout
    commands = [line for line in plan.splitlines() if "bench/" in line and ".py" in line]
    scripts = {Path(m).name for line in commands for m in re.findall(r"bench/\w+\.py", line)}
    assert scripts == {p.name for p in (ROOT / "bench").glob("*.py")}
    assert all(line.startswith(".venv/bin/python ") for line in commands), commands
    assert "bench/out/wide-1500.csv" in plan


@pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None, reason="not a git checkout")
def test_fuzzing_cache_is_neither_committed_nor_picked_up():
    tracked = subprocess.run(["git", "ls-files", ".schemathesis", ".hypothesis"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
    assert tracked == ""
    ignored = subprocess.run(["git", "check-ignore", "-q", ".schemathesis/default/cache/crashes/manifest.json"],
                             cwd=ROOT)
    assert ignored.returncode == 0
