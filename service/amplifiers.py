"""Amplifiers: combinations on one list that raise the risk of muscle toxicity or electrolyte loss.

Pure data and matching over resolved entries: the seed says which combinations count
(`seed/amplifiers.yaml`); this module finds them on a list. No Flask, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import messages
from .doses import Dose, daily_dose

if TYPE_CHECKING:
    from .lexicon import Lexicon, Reference
    from .matching import EntryResult

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
    """An amplifier found on a list: the two ingredients that make it up and why it counts.

    `first` and `second` are the first entries of the list holding each ingredient; `entries` are all
    the entries that take part (the same ingredient written twice, each above a dose limit).
    """

    amplifier: Amplifier
    first: tuple[int, str]  # (entry index, ingredient)
    second: tuple[int, str]
    dose: Dose  # the first ingredient's daily dose in its entry
    entries: frozenset[int] = frozenset()

    @property
    def medicines(self) -> tuple[str, str]:
        return self.first[1], self.second[1]

    def involves(self, index: int) -> bool:
        return index in self.entries or index in (self.first[0], self.second[0])

    def json(self, entries: Sequence[EntryResult]) -> dict[str, Any]:
        amplifier = self.amplifier
        limit = amplifier.first_above_mg
        dose_note = None
        if limit is not None:
            if self.dose.mg is not None:
                dose_note = messages.AMPLIFIER_DOSE_ABOVE.format(
                    ingredient=self.first[1], dose=f"{self.dose.mg:g}", limit=f"{limit:g}")
            elif self.dose.written:
                dose_note = messages.AMPLIFIER_DOSE_UNREAD.format(ingredient=self.first[1], limit=f"{limit:g}")
            else:
                dose_note = messages.AMPLIFIER_DOSE_UNSTATED.format(ingredient=self.first[1], limit=f"{limit:g}")
        return {
            "id": amplifier.id, "effect": amplifier.effect, "evidence_tier": amplifier.tier,
            "medicines": [
                {"index": index, "input": entries[index].resolution.input, "ingredient": ingredient}
                for index, ingredient in (self.first, self.second)
            ],
            "why": amplifier.why, "dose_note": dose_note,
            "references": [{"citation": r.citation, "url": r.url} for r in amplifier.references],
        }


def entry_dose(entry: EntryResult, ingredient: str) -> Dose:
    """The daily dose of one ingredient of a checked entry, as its text writes it."""
    resolution = entry.resolution
    return daily_dose(resolution.input, [i.name for i in resolution.ingredients], ingredient,
                      [i.matched_text for i in resolution.ingredients])


def find_amplifiers(entries: Sequence[EntryResult], lexicon: Lexicon) -> list[FoundAmplifier]:
    """Every seeded combination made by two different entries of the list, in seed order.

    Each pair of ingredients that makes a combination is reported once (by the first entries that
    hold them), with every entry that takes part: with simvastatin and atorvastatin on a list with
    clarithromycin, both statins are reported; Lasix written twice takes part twice. A dose limit
    counts per entry: an entry at or under it does not take part.
    """
    ingredients = [(index, i.name) for index, entry in enumerate(entries)
                   for i in entry.resolution.ingredients if entry.status != "unresolved" or i.match != "fuzzy"]
    found = []
    for amplifier in lexicon.amplifiers:
        pairs: dict[tuple[str, str], FoundAmplifier] = {}
        seconds = [(j, n) for j, n in ingredients if amplifier.second.matches(n, lexicon)]
        for index, name in ingredients:
            if not seconds or not amplifier.first.matches(name, lexicon):
                continue
            dose = entry_dose(entries[index], name)
            if amplifier.first_above_mg is not None and dose.mg is not None and dose.mg <= amplifier.first_above_mg:
                continue
            for other in ((j, n) for j, n in seconds if j != index):
                key = (name, other[1])
                if key in pairs:
                    known = pairs[key]
                    pairs[key] = FoundAmplifier(amplifier, known.first, known.second, known.dose,
                                                known.entries | {index, other[0]})
                else:
                    pairs[key] = FoundAmplifier(amplifier, (index, name), other, dose, frozenset({index, other[0]}))
        found.extend(pairs.values())
    return found
