"""Resolution accuracy over tests/resolution_cases.csv, with every miss listed.

    .venv/bin/python bench/resolution_accuracy.py [cases.csv]

A case counts as right when the entry resolves completely to exactly the expected ingredient
set (an empty set: nothing recognised, as for nonsense).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from service.lexicon import Lexicon  # noqa: E402
from service.resolution import resolve  # noqa: E402
from service.seeding import read_seed_files  # noqa: E402


def main(path: Path) -> None:
    lexicon = Lexicon.build(read_seed_files())
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    misses, wrong_for_nonsense = [], 0
    for row in rows:
        resolution = resolve(row["input"], lexicon)
        got = {i.name for i in resolution.ingredients} if resolution.complete else set()
        expected = set(filter(None, row["ingredients"].split(";")))
        if got != expected:
            misses.append((row["input"], sorted(expected), sorted(got)))
        if row["category"] == "nonsense" and resolution.ingredients:
            wrong_for_nonsense += 1
    for miss in misses:
        print("MISS", *miss)
    nonsense = sum(1 for r in rows if r["category"] == "nonsense")
    print(f"cases {len(rows)}  exact {len(rows) - len(misses)}  accuracy {(len(rows) - len(misses)) / len(rows):.1%}")
    print(f"nonsense cases {nonsense}  resolved to a drug {wrong_for_nonsense}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "tests/resolution_cases.csv")
