"""Derive seed/vocabulary.csv from the drug-named-entity-recognition package (MIT licence).

A maintainer's tool, run by hand when the upstream dictionary changes; the service never
imports the package. Keeps names of real medicines (those with a DrugBank, MedlinePlus,
NHS or Wikipedia entry), drops chemical and protein names, and maps each name to its
ingredients as lower-case generic names (salts dropped, UK names mapped through
synonyms.csv). Curated seed files take precedence over this vocabulary at load time, and
the service uses a derived name only if it passes the vetting rule in service/lexicon.py
(one ingredient; a cramp-associated ingredient must be named; no curated flagged medicine
named and resolved elsewhere). `python seed/changes.py --list` shows what a rebuild changed.

    pip install drug-named-entity-recognition==2.0.9
    python seed/build_vocabulary.py
"""

from __future__ import annotations

import bz2
import csv
import importlib.resources
import pickle
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from service.text import name_key, strip_salt  # noqa: E402

SEED = Path(__file__).resolve().parent
REAL_DRUG_SOURCES = ("drugbank_id", "medline_plus_id", "nhs_url", "wikipedia_url")
# Class and group names in the upstream dictionary are not single medicines.
GROUP_WORDS = re.compile(r"\b(agents?|drugs|inhibitors|antagonists|agonists|blockers|products|preparations|combinations?|vaccines?|antigens?|proteins?|receptors?|enzymes?|kinases?|factors?|antibod(?:y|ies))\b")


def load_upstream() -> dict:
    path = importlib.resources.files("drug_named_entity_recognition") / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(str(path), "rb") as handle:
        return pickle.load(handle)  # noqa: S301 - the package's own data file


def ingredients_of(canonical: str, synonyms: dict[str, str], members: list[str]) -> list[str] | None:
    parts = re.split(r"\s*(?:/|,\s*and\s+|,|\band\b|\bwith\b)\s*", canonical)
    result = []
    for part in filter(None, (p.strip() for p in parts)):
        key = name_key(part)
        if key is None or GROUP_WORDS.search(key):
            return None
        key = strip_salt(key)
        # Esters and forms of a seeded ingredient ("estradiol cypionate") are that ingredient.
        key = next((m for m in members if key.startswith(m + " ")), key)
        result.append(synonyms.get(key, key))
    return result or None


def main() -> None:
    upstream = load_upstream()
    real = {
        name
        for name, data in upstream["drug_canonical_to_data"].items()
        if any(source in data for source in REAL_DRUG_SOURCES)
    }
    with open(SEED / "synonyms.csv", newline="") as handle:
        synonyms = {name_key(r["name"]): r["ingredient"] for r in csv.DictReader(handle) if ";" not in r["ingredient"]}
    with open(SEED / "members.csv", newline="") as handle:
        members = sorted({r["ingredient"] for r in csv.DictReader(handle)}, key=len, reverse=True)
    brands = upstream["drug_variant_to_variant_data"]
    rows = {}
    for variant, canonicals in upstream["drug_variant_to_canonical"].items():
        key = name_key(variant)
        if key is None or len(key) < 4 or len(key.split()) > 4 or re.search(r"\d", key):
            continue
        if GROUP_WORDS.search(key):
            continue
        canonicals = [c for c in canonicals if c in real]
        if len(canonicals) != 1:
            continue
        ingredients = ingredients_of(canonicals[0], synonyms, members)
        if not ingredients:
            continue
        kind = "brand" if brands.get(variant, {}).get("is_brand") else "synonym"
        if [key] == ingredients:
            kind = "generic"
        rows[key] = (key, ";".join(ingredients), kind)
    with open(SEED / "vocabulary.csv", "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["name", "ingredients", "kind"])
        writer.writerows(sorted(rows.values()))
    print(f"wrote {len(rows)} names for {len({r[1] for r in rows.values()})} ingredient sets")


if __name__ == "__main__":
    main()
