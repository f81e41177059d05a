"""Check the rows of a batch file with the core checker, resolving each unique string once."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .. import messages
from ..amplifiers import find_amplifiers
from ..entries import MedicationEntry
from ..evidence import Evidence
from ..i18n import DEFAULT, Translator, translator
from ..matching import LIST_RULES, Facts, Tally, assess, match_conditions
from ..pipeline import Pipeline
from ..reasoning.attribution import attribute
from ..resolution import FuzzyBudget
from .reading import InputRow

COLUMNS = ("patient_id", "row", "position", "medication", "status", "ingredients", "match", "drug_classes",
           "evidence_tiers", "sources", "suggestions", "notes", "warnings", "openfda", "problem")
WARNINGS_AT = COLUMNS.index("warnings") - 4  # its place among a result's columns (after the first four)
STATUS_TEXT = {"flagged": "flagged", "not_flagged": "not flagged", "unresolved": "unresolved"}
PATIENT_ADVICE = messages.BATCH_PATIENT_ADVICE
ERROR_COLUMNS = ("error", "", "", "", "", "", "", "", "", "")
QUININE_WARNING = LIST_RULES[0].code
EvidenceProvider = Callable[[list[str]], tuple[dict[str, list[Evidence]], set[str]]]


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
        results = [tuple(r) for r in data["results"]]
        if results and len(results[0]) < len(ERROR_COLUMNS):  # stored before rows carried warnings
            results = [(*r[:WARNINGS_AT], "", *r[WARNINGS_AT:]) for r in results]
        return cls(data["rows"], results)


_gc_lock = threading.Lock()
_gc_pauses = 0


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is checked.

    A batch allocates millions of small lists and tuples that never form cycles (reference counting
    frees them); each automatic collection on the way walks every live object, and took more time
    than the checking itself. Nested and concurrent pauses are counted; the last one out resumes.
    """
    global _gc_pauses
    with _gc_lock:
        _gc_pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0:
                gc.enable()


class BatchChecker:
    """Turns input rows into output rows; remembers every medication string it has checked."""

    def __init__(self, pipeline: Pipeline, max_entry_chars: int, evidence: EvidenceProvider | None = None,
                 budget: FuzzyBudget | None = None, translate: Translator | None = None):
        self.pipeline = pipeline
        self.translate = translate or translator(DEFAULT)  # the language of the texts in the rows
        self.max_entry_chars = max_entry_chars
        self.evidence = evidence
        # Misspelling lookups: each row has a check's budget (so a row is answered as /check would
        # answer its list); `budget`, when given, bounds the lookups actually done for the whole file.
        self.budget = budget
        # text -> (columns, facts, lookups its reading spent)
        self._medications: dict[str, tuple[tuple[str, ...], Facts, int]] = {}
        self._conditions: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._evidence: dict[str, list[Evidence] | None] = {}  # None: the sources could not say in time
        self._local: dict[int, dict[str, int]] = {}  # a chunk filled in several calls: its result indexes

    def _evidence_for(self, ingredients: list[str]) -> dict[str, list[Evidence]]:
        """Source evidence, asked once per ingredient for the whole batch."""
        missing = [i for i in ingredients if i not in self._evidence]
        if missing and self.evidence is not None:
            found, not_checked = self.evidence(missing)
            for ingredient in missing:
                self._evidence[ingredient] = None if ingredient in not_checked else found.get(ingredient, [])
        return {i: records for i in ingredients if (records := self._evidence.get(i))}

    def _result(self, text: str, budget: FuzzyBudget) -> tuple[tuple[str, ...], Facts, int | None]:
        """An entry's columns, facts and the lookups it spent (None: the budget cut it short)."""
        before, was_cut = budget.remaining, budget.cut
        budget.cut = False
        # A cell that is a code ("RxCUI 4603", "NDC 0378-0208-01") is read from the seed's code table.
        resolution = self.pipeline.resolve_entry(MedicationEntry(text), budget=budget)
        cut, budget.cut = budget.cut, budget.cut or was_cut
        names = [i.name for i in resolution.ingredients]
        evidence = self._evidence_for(names) if self.evidence is not None and names else None
        entry = assess(resolution, self.pipeline.lexicon, evidence)
        text = self.translate.text
        columns = (
            STATUS_TEXT[entry.status],
            "; ".join(names),
            "; ".join(i.match for i in resolution.ingredients),
            "; ".join(text(f.drug_class.name) for f in entry.flags),
            "; ".join(f.tier for f in entry.flags),
            " ".join(dict.fromkeys(r.url for f in entry.flags for r in f.references)),
            "; ".join(s.name for s in resolution.suggestions),
            " ".join(text(n) for n in entry.notes if n != messages.NOT_FLAGGED_NOTE),
            "; ".join(entry.warnings),
            self._evidence_cell(entry.evidence, names) if self.evidence is not None else "",
        )
        return columns, entry.facts, None if cut else before - budget.remaining

    def _evidence_cell(self, records: Iterable[Evidence], ingredients: list[str]) -> str:
        """A short account of the sources' evidence for a CSV cell."""
        parts = [cell for record in records if (cell := record.cell())]
        unchecked = [i for i in ingredients if self._evidence.get(i) is None]
        if unchecked:
            parts.append("not checked: " + ", ".join(unchecked))
        return "; ".join(parts)

    def _condition_ids(self, conditions: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The seeded conditions a cell names, and the parts it could not match."""
        key = tuple(conditions)
        if key not in self._conditions:
            matched, unmatched = match_conditions(conditions, self.pipeline.lexicon)
            self._conditions[key] = (tuple(c.id for c in matched), tuple(unmatched))
        return self._conditions[key]

    def check_rows(self, rows: Iterable[InputRow], patients: dict[str, Tally], into: Chunk | None = None) -> Chunk:
        """Check input rows, in order; patient tallies are added to `patients`, rows to `into` (or a new chunk).

        The hot loop of a batch (once per mention): one cache lookup per entry, the tally counted
        per row.
        """
        chunk = into if into is not None else Chunk()
        local = self._local.setdefault(id(chunk), {}) if into is not None else {}
        output, results = chunk.rows, chunk.results
        cache, max_chars = self._medications, self.max_entry_chars
        for row in rows:
            patient_id, number, problem = row.patient_id, row.row, row.problem or ""
            tally = patients.get(patient_id)
            if tally is None:
                tally = patients[patient_id] = Tally()
            if row.conditions:
                matched, unmatched = self._condition_ids(row.conditions)
                tally.conditions.update(dict.fromkeys(matched))
                tally.unmatched_conditions.update(dict.fromkeys(unmatched))
            if not row.medications:  # the row's problem stopped it being read
                output.append([patient_id, number, 1, "", -1, row.problem])
                tally.errors += 1
                continue
            facts = []
            budget = self.pipeline.budget()
            budget.parent = self.budget
            for position, text in enumerate(row.medications, start=1):
                if len(text) > max_chars:
                    tally.errors += 1
                    output.append([patient_id, number, position, text[:max_chars], -1,
                                   self.translate.text(messages.BATCH_ENTRY_TOO_LONG.format(limit=max_chars))])
                    continue
                result = cache.get(text)
                if result is not None and budget.can(result[2], cached=True):
                    budget.spend(result[2], cached=True)
                else:
                    fresh = self._result(text, budget)
                    if result is None and fresh[2] is not None:
                        cache[text] = fresh
                    result = fresh
                facts.append(result[1])
                if result[1].status != "unresolved":
                    tally.texts[text] = None
                index = local.get(text)
                if index is None:
                    index = local[text] = len(results)
                    results.append(result[0])
                output.append([patient_id, number, position, text, index, problem])
            tally.add_all(facts)
        return chunk


def merge_patients(into: dict[str, Tally], other: dict[str, Tally]) -> None:
    """Add one set of patient tallies to another (jobs tally each chunk separately)."""
    for patient_id, tally in other.items():
        if patient_id in into:
            into[patient_id].merge(tally)
        else:
            into[patient_id] = tally


def patient_summaries(patients: dict[str, Tally], pipeline: Pipeline,
                      translate: Translator | None = None) -> list[dict[str, Any]]:
    """One summary per patient, in first-seen order, ready for JSON or CSV.

    Each carries the patient's top-ranked medicines (the attribution's rank 1, without timing: a
    batch row has no onset) and the combinations on the patient's list that raise the risk.
    """
    translate = translate or translator(DEFAULT)
    advice = translate.text(PATIENT_ADVICE)
    return [
        {
            "patient_id": patient_id,
            "medications": t.medications + t.errors,
            "flagged": t.flagged,
            "not_flagged": t.not_flagged,
            "unresolved": t.unresolved,
            "errors": t.errors,
            "drug_classes": sorted(t.classes),
            "highest_tier": t.highest_tier,
            "conditions": sorted(t.conditions),
            "unrecognised_conditions": list(t.unmatched_conditions),
            "quinine_warning": QUININE_WARNING in t.warnings,
            **_reasoning(t, pipeline, translate),
            "advice": advice,
        }
        for patient_id, t in patients.items()
    ]


def _reasoning(tally: Tally, pipeline: Pipeline, translate: Translator) -> dict[str, list[str]]:
    """A patient's top-ranked flagged medicines and risk-raising combinations, from the entries as written."""
    if not tally.flagged or not tally.texts:
        return {"top_ranked": [], "amplifiers": []}
    lexicon = pipeline.lexicon
    entries = [pipeline.assess(text) for text in tally.texts]
    found = find_amplifiers(entries, lexicon)
    ranked = attribute(entries, (), found, lexicon.rules)
    return {
        "top_ranked": [item.input for item in ranked if item.rank == 1],
        "amplifiers": [translate.text(messages.BATCH_AMPLIFIER.format(
            first=a.first[1], second=a.second[1], effect=a.amplifier.effect, tier=a.amplifier.tier)) for a in found],
    }
