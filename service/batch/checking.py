"""Check the rows of a batch file with the core checker, resolving each unique string once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import messages
from ..lexicon import Lexicon
from ..matching import QUININE, TIER_ORDER, assess, match_conditions
from ..resolution import resolve
from .reading import InputRow

COLUMNS = ("patient_id", "row", "position", "medication", "status", "ingredients", "match", "drug_classes",
           "evidence_tiers", "sources", "suggestions", "notes", "openfda", "problem")
STATUS_TEXT = {"flagged": "flagged", "not_flagged": "not flagged", "unresolved": "unresolved"}
PATIENT_ADVICE = "Talk to the prescriber or pharmacist before changing any medicine."
NO_TIER = len(TIER_ORDER)
EMPTY: frozenset[str] = frozenset()
ERROR_COLUMNS = ("error", "", "", "", "", "", "", "", "")
Evidence = Callable[[list[str]], Mapping[str, list[dict[str, Any]]]]


@dataclass
class Chunk:
    """Checked rows, compactly: each row points at one of the chunk's distinct results.

    rows: [patient_id, row, position, medication, result index (-1: error), problem]
    results: the status ... notes columns of each distinct medication string in the chunk
    """

    rows: list[list[Any]] = field(default_factory=list)
    results: list[tuple[str, ...]] = field(default_factory=list)

    def full_rows(self) -> Iterator[list[Any]]:
        """Rows with every output column (COLUMNS)."""
        for patient_id, row, position, medication, result, problem in self.rows:
            columns = self.results[result] if result >= 0 else ERROR_COLUMNS
            yield [patient_id, row, position, medication, *columns, problem]

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "results": self.results}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Chunk:
        return cls(data["rows"], [tuple(r) for r in data["results"]])


class Tally:
    """What a batch says about one patient so far (compact: there may be 100,000 of them)."""

    __slots__ = ("medications", "flagged", "not_flagged", "unresolved", "errors", "classes", "tier", "conditions",
                 "quinine")

    def __init__(self) -> None:
        self.medications = self.flagged = self.not_flagged = self.unresolved = self.errors = 0
        self.classes, self.conditions = EMPTY, EMPTY
        self.tier, self.quinine = NO_TIER, False

    def add(self, other: Tally) -> None:
        """Add another tally of the same patient (from another chunk of a job)."""
        for name in ("medications", "flagged", "not_flagged", "unresolved", "errors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.classes |= other.classes
        self.conditions |= other.conditions
        self.tier = min(self.tier, other.tier)
        self.quinine = self.quinine or other.quinine

    def to_list(self) -> list[Any]:
        return [self.medications, self.flagged, self.not_flagged, self.unresolved, self.errors,
                sorted(self.classes), self.tier, sorted(self.conditions), self.quinine]

    @classmethod
    def from_list(cls, values: list[Any]) -> Tally:
        tally = cls()
        (tally.medications, tally.flagged, tally.not_flagged, tally.unresolved, tally.errors,
         classes, tally.tier, conditions, tally.quinine) = values
        tally.classes, tally.conditions = frozenset(classes), frozenset(conditions)
        return tally


class BatchChecker:
    """Turns input rows into output rows; remembers every medication string it has checked."""

    def __init__(self, lexicon: Lexicon, max_entry_chars: int, evidence: Evidence | None = None):
        self.lexicon = lexicon
        self.max_entry_chars = max_entry_chars
        self.evidence = evidence
        self._medications: dict[str, tuple[Any, ...]] = {}
        self._conditions: dict[tuple[str, ...], frozenset[str]] = {}
        self._evidence: dict[str, list[dict[str, Any]] | None] = {}

    def _evidence_for(self, ingredients: list[str]) -> dict[str, list[dict[str, Any]]]:
        """openFDA evidence, asked once per ingredient for the whole batch (None: not checked)."""
        missing = [i for i in ingredients if i not in self._evidence]
        if missing and self.evidence is not None:
            found = self.evidence(missing)
            for ingredient in missing:
                self._evidence[ingredient] = found.get(ingredient)
        return {i: self._evidence[i] for i in ingredients if self._evidence.get(i)}

    def _result(self, text: str) -> tuple[Any, ...]:
        resolution = resolve(text, self.lexicon)
        evidence = None
        if self.evidence is not None and resolution.ingredients:
            evidence = self._evidence_for([i.name for i in resolution.ingredients])
        entry = assess(resolution, self.lexicon, evidence)
        ingredients = entry.resolution.ingredients
        columns = (
            STATUS_TEXT[entry.status],
            "; ".join(i.name for i in ingredients),
            "; ".join(i.match for i in ingredients),
            "; ".join(f.drug_class.name for f in entry.flags),
            "; ".join(f.tier for f in entry.flags),
            " ".join(dict.fromkeys(r.url for f in entry.flags for r in f.references)),
            "; ".join(s.name for s in entry.resolution.suggestions),
            " ".join(n for n in entry.notes if n != messages.NOT_FLAGGED_NOTE),
            _openfda_text(entry.evidence, [i.name for i in ingredients], evidence) if self.evidence else "",
        )
        classes = frozenset(f.drug_class.id for f in entry.flags)
        tier = min((TIER_ORDER.index(f.tier) for f in entry.flags), default=NO_TIER)
        return columns, entry.status, classes, tier, any(i.name == QUININE for i in ingredients)

    def _condition_ids(self, conditions: list[str]) -> frozenset[str]:
        key = tuple(conditions)
        if key not in self._conditions:
            self._conditions[key] = frozenset(c.id for c in match_conditions(conditions, self.lexicon)[0])
        return self._conditions[key]

    def check_rows(self, rows: Iterable[InputRow], patients: dict[str, Tally]) -> Chunk:
        """Check input rows, in order; patient tallies are added to `patients`."""
        chunk = Chunk()
        output, local = chunk.rows, {}
        cache = self._medications
        for row in rows:
            tally = patients.get(row.patient_id)
            if tally is None:
                tally = patients[row.patient_id] = Tally()
            if row.conditions:
                tally.conditions |= self._condition_ids(row.conditions)
            if not row.medications:  # the row's problem stopped it being read
                output.append([row.patient_id, row.row, 1, "", -1, row.problem])
                tally.errors += 1
                continue
            problem = row.problem or ""
            for position, text in enumerate(row.medications, start=1):
                if len(text) > self.max_entry_chars:
                    tally.errors += 1
                    output.append([row.patient_id, row.row, position, text[: self.max_entry_chars], -1,
                                   f"The medication is longer than {self.max_entry_chars} characters."])
                    continue
                result = cache.get(text)
                if result is None:
                    result = cache[text] = self._result(text)
                columns, status, classes, tier, quinine = result
                tally.medications += 1
                if status == "flagged":
                    tally.flagged += 1
                elif status == "not_flagged":
                    tally.not_flagged += 1
                else:
                    tally.unresolved += 1
                if classes:
                    tally.classes |= classes
                    tally.tier = min(tally.tier, tier)
                tally.quinine = tally.quinine or quinine
                index = local.get(text)
                if index is None:
                    index = local[text] = len(chunk.results)
                    chunk.results.append(columns)
                output.append([row.patient_id, row.row, position, text, index, problem])
        return chunk


def _openfda_text(entries: Iterable[dict[str, Any]], ingredients: list[str],
                  evidence: Mapping[str, Any] | None) -> str:
    """A short account of the openFDA evidence for a CSV cell."""
    parts = []
    for entry in entries:
        if entry["source"] == "label" and entry.get("mentions_cramps"):
            parts.append(f"{entry['ingredient']}: label mentions muscle cramps/spasms")
        elif entry["source"] == "faers" and entry.get("prr") is not None:
            parts.append(f"{entry['ingredient']}: FAERS PRR {entry['prr']}" + (" (signal)" if entry["signal"] else ""))
        elif entry["source"] == "class" and entry.get("matched_class_id"):
            parts.append(f"{entry['ingredient']}: FDA class {', '.join(entry['pharm_classes'])}")
    unchecked = [i for i in ingredients if not (evidence or {}).get(i)]
    if unchecked:
        parts.append("not checked: " + ", ".join(unchecked))
    return "; ".join(parts)


def merge_patients(into: dict[str, Tally], other: dict[str, Tally]) -> None:
    """Add one set of patient tallies to another (jobs tally each chunk separately)."""
    for patient_id, tally in other.items():
        if patient_id in into:
            into[patient_id].add(tally)
        else:
            into[patient_id] = tally


def patient_summaries(patients: dict[str, Tally]) -> list[dict[str, Any]]:
    """One summary per patient, in first-seen order, ready for JSON or CSV."""
    return [
        {
            "patient_id": patient_id,
            "medications": t.medications + t.errors,
            "flagged": t.flagged,
            "not_flagged": t.not_flagged,
            "unresolved": t.unresolved,
            "errors": t.errors,
            "drug_classes": sorted(t.classes),
            "highest_tier": TIER_ORDER[t.tier] if t.tier < NO_TIER else None,
            "conditions": sorted(t.conditions),
            "quinine_warning": t.quinine,
            "advice": PATIENT_ADVICE,
        }
        for patient_id, t in patients.items()
    ]
