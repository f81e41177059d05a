"""The whole-list reasoning of a check: attribution, checks for the professional, other causes, self-care."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from .. import messages
from .attribution import Attributed, attribute
from .rules import CareItem, Rules

if TYPE_CHECKING:
    from ..amplifiers import FoundAmplifier
    from ..lexicon import Condition, Reference
    from ..matching import EntryResult


def _refs(references: Sequence[Reference]) -> list[dict[str, str]]:
    return [{"citation": r.citation, "url": r.url} for r in references]


@dataclass
class Reasoning:
    """What a check says beyond each entry's flags."""

    attribution: list[Attributed] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    other_causes: list[dict[str, Any]] = field(default_factory=list)
    self_care: list[dict[str, Any]] = field(default_factory=list)
    onset: date | None = None

    @property
    def attribution_json(self) -> dict[str, Any]:
        return {"items": [item.json() for item in self.attribution], "note": messages.ATTRIBUTION_NOTE,
                "onset": self.onset.isoformat() if self.onset else None}

    @property
    def checks_json(self) -> dict[str, Any]:
        return {"items": self.checks, "note": messages.CHECKS_NOTE}

    @property
    def top_ranked(self) -> list[Attributed]:
        return [item for item in self.attribution if item.rank == 1]


def explain(entries: Sequence[EntryResult], conditions: Sequence[Condition], amplifiers: Sequence[FoundAmplifier],
            rules: Rules, started: Sequence[date | None] = (), onset: date | None = None) -> Reasoning:
    """The reasoning of a checked list; `started` gives each entry's start date (or None), in order."""
    return Reasoning(
        attribution=attribute(entries, started, amplifiers, rules, onset),
        checks=lab_checks(entries, conditions, amplifiers, rules),
        other_causes=other_causes(entries, conditions, rules),
        self_care=[_care(item, ()) for item in rules.self_care],
        onset=onset,
    )


def flagged_classes(entry: EntryResult, rules: Rules) -> set[str]:
    """The class ids an entry is flagged in; a kind of medicine ("a water pill") counts all its classes."""
    if entry.status != "flagged":
        return set()
    kind = rules.kinds.get(entry.resolution.kind or "")
    if kind is not None:
        return {c.id for c in kind.classes}
    return {flag.drug_class.id for flag in entry.flags}


def lab_checks(entries: Sequence[EntryResult], conditions: Sequence[Condition], amplifiers: Sequence[FoundAmplifier],
               rules: Rules) -> list[dict[str, Any]]:
    """The laboratory checks the list's flags, combinations and conditions suggest, each with what suggests it."""
    classes = [flagged_classes(entry, rules) for entry in entries]
    names = [{i.name for i in entry.resolution.ingredients if i.match != "fuzzy" or entry.status != "unresolved"}
             for entry in entries]
    items = []
    for check in rules.lab_checks:
        suggested_by: list[dict[str, Any]] = [
            {"kind": "medicine", "index": index, "input": entry.resolution.input}
            for index, entry in enumerate(entries)
            if classes[index] & check.classes or names[index] & check.ingredients
        ]
        suggested_by += [
            {"kind": "combination", "id": found.amplifier.id,
             "medicines": [entries[found.first[0]].resolution.input, entries[found.second[0]].resolution.input]}
            for found in amplifiers
            if found.amplifier.effect in check.amplifier_effects or found.amplifier.id in check.amplifiers
        ]
        suggested_by += [{"kind": "condition", "id": c.id, "name": c.name} for c in conditions if c.id in check.conditions]
        if suggested_by:
            items.append({"id": check.id, "name": check.name, "why": check.why, "suggested_by": suggested_by,
                          "references": _refs(check.references)})
    return items


def other_causes(entries: Sequence[EntryResult], conditions: Sequence[Condition], rules: Rules) -> list[dict[str, Any]]:
    """The non-drug causes of cramps, those the list's conditions or flags point to first."""
    given = {c.id: c.name for c in conditions}
    flagged = {flag.drug_class.id: flag.drug_class.name for entry in entries if entry.status == "flagged"
               for flag in entry.flags}
    items = []
    for cause in rules.other_causes:
        because = [given[c] for c in cause.conditions if c in given]
        because += [name for class_id, name in flagged.items() if class_id in cause.classes]
        items.append(_care(cause, because))
    return sorted(items, key=lambda item: not item["relevant"])


def _care(item: CareItem, because: Sequence[str]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": item.id, "title": item.title, "text": item.text}
    if item.kind == "other_causes":
        body.update(what_you_can_do=item.what_you_can_do, relevant=bool(because), because=list(because))
    else:
        body["evidence"] = item.evidence
    body["references"] = _refs(item.references)
    return body
