"""What the seed's answers changed since a git revision: derived names, members and tiers.

    .venv/bin/python seed/changes.py [REVISION] [--list]

REVISION (default: e6ad56d, the last commit with seed 2026.11.0) is read with `git show`; its derived vocabulary is taken as the service
used it then (unvetted, curated names winning). Prints:
- derived names that changed meaning: vocabulary names that now resolve to other ingredients,
  or to none (rejected by the vetting rule and not re-added by a curated file);
- members added: ingredients in a cramp-associated class now and not then;
- tiers changed: ingredient-class pairs present in both whose evidence tier differs.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from service.lexicon import Lexicon  # noqa: E402
from service.seeding import SEED_FILES, read_seed_files  # noqa: E402
from service.text import name_key  # noqa: E402

SEED_2026_11_0 = "e6ad56d"


def seed_at(revision: str, into: Path) -> Path:
    for name in SEED_FILES:
        shown = subprocess.run(["git", "show", f"{revision}:seed/{name}"], cwd=ROOT, capture_output=True)
        (into / name).write_bytes(shown.stdout if shown.returncode == 0 else b"ingredient,status,references,note\n")
    return into


def tiers(lexicon: Lexicon) -> dict[tuple[str, str], str]:
    return {(m.ingredient, m.drug_class.id): m.tier for ms in lexicon.memberships.values() for m in ms}


def main(revision: str, show: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        before = Lexicon.build(read_seed_files(seed_at(revision, Path(tmp))), vet=False)
    after = Lexicon.build(read_seed_files())
    vocabulary = ROOT / "seed" / "vocabulary.csv"
    changed, reasons = [], Counter()
    for row in csv.DictReader(vocabulary.open(encoding="utf-8")):
        key = name_key(row["name"])
        if key is None or key not in before.names:
            continue
        old = before.names[key]
        new = after.names.get(key)
        if old.curated or (new is not None and new.ingredients == old.ingredients):
            continue
        changed.append((key, old.ingredients, new.ingredients if new else None))
        reasons["now from a curated file" if new else "rejected, now unrecognised"] += 1
    added = sorted(set(after.memberships) - set(before.memberships))
    old_tiers, new_tiers = tiers(before), tiers(after)
    tier_changes = sorted((k, old_tiers[k], new_tiers[k]) for k in old_tiers.keys() & new_tiers.keys()
                          if old_tiers[k] != new_tiers[k])
    if show:
        for key, old, new in changed:
            print("NAME", key, "|", ";".join(old), "->", ";".join(new) if new else "(not recognised)")
        print("ADDED", ", ".join(added))
        for (ingredient, class_id), old, new in tier_changes:
            print("TIER", ingredient, class_id, old, "->", new)
    print(f"derived names that changed meaning: {len(changed)} ({', '.join(f'{v} {k}' for k, v in reasons.items())})")
    print(f"members added: {len(added)}")
    print(f"tiers changed: {len(tier_changes)}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--list"]
    main(args[0] if args else SEED_2026_11_0, "--list" in sys.argv)
