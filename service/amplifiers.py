"""Amplifiers: combinations on one list that raise the risk of muscle toxicity or electrolyte loss.

Pure data and matching over resolved entries: the seed says which combinations count
(`seed/amplifiers.yaml`); this module finds them on a list. No Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import messages

if TYPE_CHECKING:
    from .lexicon import Lexicon, Reference
    from .matching import EntryResult

# "simvastatin 80 mg", "Zocor 40mg", "simva 20 MG Oral Tablet": the first strength in milligrams.
_MG = re.compile(r"(\d+(?:\.\d+)?)\s*mg\b", re.IGNORECASE)


@dataclass(frozen=True)
class Side:
    """One side of a combination: any ingredient of these classes, or any of these ingredients."""

    classes: frozenset[str]
    ingredients: frozenset[str]

    @classmethod
    def of(cls, record: dict[str, Any]) -> Side:
        return cls(frozenset(record.get("classes") or ()), frozenset(record.get("ingredients") or ()))

    def matches(self, ingredient: str, lexicon: Lexicon) -> bool:
        return ingredient in self.ingredients or any(
            m.drug_class.id in self.classes for m in lexicon.memberships.get(ingredient, ()))


@dataclass(frozen=True)
class Amplifier:
    id: str
    effect: str  # muscle, potassium, magnesium
    tier: str
    first: Side
    second: Side
    first_above_mg: float | None
    why: str
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class FoundAmplifier:
    """An amplifier found on a list: which entries make it up and why it counts."""

    amplifier: Amplifier
    first: tuple[int, str]  # (entry index, ingredient)
    second: tuple[int, str]
    dose_mg: float | None  # the first ingredient's dose, when the entry states one

    @property
    def medicines(self) -> tuple[str, str]:
        return self.first[1], self.second[1]

    def json(self, entries: Sequence[EntryResult]) -> dict[str, Any]:
        amplifier = self.amplifier
        limit = amplifier.first_above_mg
        dose_note = None
        if limit is not None:
            dose_note = (messages.AMPLIFIER_DOSE_ABOVE.format(ingredient=self.first[1], dose=f"{self.dose_mg:g}",
                                                              limit=f"{limit:g}")
                         if self.dose_mg is not None else
                         messages.AMPLIFIER_DOSE_UNSTATED.format(ingredient=self.first[1], limit=f"{limit:g}"))
        return {
            "id": amplifier.id, "effect": amplifier.effect, "evidence_tier": amplifier.tier,
            "medicines": [
                {"index": index, "input": entries[index].resolution.input, "ingredient": ingredient}
                for index, ingredient in (self.first, self.second)
            ],
            "why": amplifier.why, "dose_note": dose_note,
            "references": [{"citation": r.citation, "url": r.url} for r in amplifier.references],
        }


def stated_dose_mg(text: str) -> float | None:
    """The strength in mg written in an entry ("simvastatin 80 mg" -> 80), when there is exactly one."""
    doses = {float(m) for m in _MG.findall(text)}
    return doses.pop() if len(doses) == 1 else None


def find_amplifiers(entries: Sequence[EntryResult], lexicon: Lexicon) -> list[FoundAmplifier]:
    """Every seeded combination made by two different entries of the list, in seed order.

    A combination is reported once, by its first matching pair of entries.
    """
    ingredients = [(index, i.name) for index, entry in enumerate(entries)
                   for i in entry.resolution.ingredients if entry.status != "unresolved" or i.match != "fuzzy"]
    found = []
    for amplifier in lexicon.amplifiers:
        for index, name in ingredients:
            if not amplifier.first.matches(name, lexicon):
                continue
            dose = stated_dose_mg(entries[index].resolution.input)
            if amplifier.first_above_mg is not None and dose is not None and dose <= amplifier.first_above_mg:
                continue
            other = next(((j, n) for j, n in ingredients if j != index and amplifier.second.matches(n, lexicon)), None)
            if other:
                found.append(FoundAmplifier(amplifier, (index, name), other, dose))
                break
    return found
