"""Generate a realistic wide batch file: one row per patient, about five medications each.

    .venv/bin/python bench/batch_generate.py 100000 bench/out/wide-100k.csv

Entries are drawn from brands, generics, UK names, doses, frequencies, combinations and
misspellings, with repeats as in a real pharmacy export (a few hundred distinct strings).
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

NAMES = [
    "Lasix", "furosemide", "frusemide", "HCTZ", "hydrochlorothiazide", "Hyzaar", "losartan/hydrochlorothiazide",
    "Lipitor", "atorvastatin", "simvastatin", "simvastatine", "Zocor", "Crestor", "rosuvastatin", "pravastatin",
    "Ventolin", "salbutamol inhaler", "albuterol HFA", "Advair Diskus", "Symbicort", "Breo Ellipta", "Spiriva",
    "metformin", "Glucophage", "lisinopril", "Zestoretic", "amlodipine", "Norvasc", "amlodipin", "nifedipine XL",
    "Tylenol", "paracetamol", "aspirin", "Eliquis", "warfarin", "Plavix", "levothyroxine", "Synthroid",
    "omeprazole", "Nexium", "pantoprazole", "donepezil", "Aricept", "gabapentin", "sertraline", "Premarin",
    "Evista", "Forteo", "Venofer", "ferrous sulfate", "spironolactone", "Aldactone", "Dyazide", "metoprolol succinate ER",
    "atenolol", "prednisone", "fluticasone nasal spray", "Flonase", "montelukast", "tamsulosin", "Vytorin", "Caduet",
    "lisinipril", "atorvastin", "metforman", "xyzzy", "vitamin D3", "fish oil", "quinine",
]
DOSES = ["", " 5mg", " 10 mg", " 20mg", " 40mg", " 50/12.5", " 250/50", " 0.625 mg", " 100mcg", " 500mg"]
FREQUENCIES = ["", " daily", " bid", " at bedtime", " PO qd", " 2 puffs prn", " once daily"]


def main(rows: int, path: Path) -> None:
    random.seed(20261128)
    path.parent.mkdir(parents=True, exist_ok=True)
    vocabulary = [n + d + f for n in NAMES for d in random.sample(DOSES, 3) for f in random.sample(FREQUENCIES, 2)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["patient_id", "medications", "conditions"])
        for number in range(rows):
            meds = random.choices(vocabulary, k=random.randint(3, 7))
            writer.writerow([f"P{number:06d}", "; ".join(meds), random.choice(["", "", "CKD", "type 2 diabetes"])])
    print(f"wrote {rows} rows to {path}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, Path(sys.argv[2] if len(sys.argv) > 2 else "bench/out/wide-100k.csv"))
