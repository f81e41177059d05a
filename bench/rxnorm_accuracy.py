"""How cleanly pharmacy-system names are read: RxNorm-style names and shopping-list forms.

    .venv/bin/python bench/rxnorm_accuracy.py [cases.csv]

Reads tests/rxnorm_cases.csv (input, expected ingredients, kind: "rxnorm <term type>" or
"shopping"). For each kind it prints the share of clean answers (exactly the expected
ingredients, the entry not unresolved, nothing left unread), the share with the right
ingredients whatever else, the wrong-drug count (an ingredient named that the product does
not contain), the time per entry, and then every entry that was not clean.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from service.lexicon import Lexicon  # noqa: E402
from service.resolution import resolve  # noqa: E402
from service.seeding import read_seed_files  # noqa: E402

CASES = Path(__file__).resolve().parent.parent / "tests" / "rxnorm_cases.csv"


def score(rows: list[dict[str, str]], lexicon: Lexicon) -> dict:
    """Clean, right-ingredient and wrong-drug counts over some cases, with the entries not clean."""
    clean = right = wrong = 0
    misses = []
    for row in rows:
        expected = set(row["ingredients"].split(";"))
        resolution = resolve(row["input"], lexicon)
        got = {i.name for i in resolution.ingredients}
        right += got == expected
        wrong += bool(got - expected)
        if got == expected and resolution.complete:
            clean += 1
        else:
            misses.append((row["input"], sorted(expected), sorted(got), list(resolution.unrecognised)))
    return {"cases": len(rows), "clean": clean, "right": right, "wrong": wrong, "misses": misses}


def main(path: Path) -> None:
    lexicon = Lexicon.build(read_seed_files())
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    groups = {
        "rxnorm": [r for r in rows if r["kind"].startswith("rxnorm")],
        "shopping": [r for r in rows if r["kind"] == "shopping"],
    }
    resolve("warm up the word lists", lexicon)
    started = time.perf_counter()
    results = {name: score(group, lexicon) for name, group in groups.items()}
    per_entry_ms = (time.perf_counter() - started) / max(1, len(rows)) * 1000
    for name, result in results.items():
        for miss in result["misses"]:
            print("NOT CLEAN", name, *miss)
    for name, result in results.items():
        cases = result["cases"] or 1
        print(f"{name:9} cases {result['cases']:4}  clean {result['clean'] / cases:6.1%}  "
              f"right ingredients {result['right'] / cases:6.1%}  wrong drugs {result['wrong']}")
    print(f"{per_entry_ms:.3f} ms per entry")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else CASES)
