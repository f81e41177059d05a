"""The seed's clinical-reasoning records as typed, immutable rules (built once with the index)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..text import name_key

if TYPE_CHECKING:
    from ..lexicon import DrugClass, Reference

KINDS = ("class_words", "lab_checks", "attribution", "other_causes", "self_care")
TIERS = ("strong", "moderate", "weak")


def _text(value: str | None) -> str | None:
    """YAML folded text as one line."""
    return " ".join(value.split()) if value else None


@dataclass(frozen=True)
class ClassWord:
    """A kind of medicine people write instead of a name ("a water pill", "my statin")."""

    id: str
    name: str
    words: tuple[str, ...]
    classes: tuple[DrugClass, ...]
    all_associated: bool  # every medicine of the kind is in an associated class
    note: str | None  # which medicines of the kind are associated, when only some are
    references: tuple[Reference, ...]

    @property
    def tier(self) -> str | None:
        """The weakest tier of its classes: what every medicine of the kind has at least."""
        return max((c.tier for c in self.classes), key=TIERS.index, default=None)


@dataclass(frozen=True)
class Effect:
    measure: str
    figure: str
    excludes_no_effect: bool
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class Timing:
    supports_within_weeks: float | None
    against_after_weeks: float | None
    not_informative: bool  # the start date neither supports nor rules out this class
    note: str | None
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class HighDose:
    ingredient: str
    mg: float
    why: str
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class ClassWeighting:
    """What the attribution weighs for one drug class beyond its tier."""

    class_id: str
    effect: Effect | None
    timing: Timing | None
    caveat: str | None
    caveat_references: tuple[Reference, ...]
    high_doses: Mapping[str, HighDose]


@dataclass(frozen=True)
class LabCheck:
    id: str
    name: str
    classes: frozenset[str]
    ingredients: frozenset[str]
    amplifier_effects: frozenset[str]
    amplifiers: frozenset[str]
    conditions: frozenset[str]
    why: str
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class CareItem:
    """An other possible cause of cramps, or a self-care measure, in plain words."""

    kind: str  # other_causes or self_care
    id: str
    title: str
    text: str
    what_you_can_do: str | None
    evidence: str | None
    conditions: frozenset[str]
    classes: frozenset[str]
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class Rules:
    class_words: Mapping[str, ClassWord]  # by name key of each word
    weightings: Mapping[str, ClassWeighting]  # by class id
    lab_checks: tuple[LabCheck, ...]
    other_causes: tuple[CareItem, ...]
    self_care: tuple[CareItem, ...]

    @classmethod
    def build(cls, records: Iterable[Mapping[str, Any]], classes: Mapping[str, DrugClass],
              refs: Mapping[str, Reference]) -> Rules:
        """Index the records ({kind, id, position, data}) of the seed's reasoning files."""
        by_kind: dict[str, list[tuple[str, dict[str, Any]]]] = {kind: [] for kind in KINDS}
        for record in sorted(records, key=lambda r: (r["kind"], r["position"])):
            by_kind[record["kind"]].append((record["id"], record["data"]))

        def cited(ids: Iterable[str] | None) -> tuple[Reference, ...]:
            return tuple(refs[i] for i in ids or ())

        words: dict[str, ClassWord] = {}
        for id_, data in by_kind["class_words"]:
            word = ClassWord(id_, data["name"], tuple(data["words"]), tuple(classes[c] for c in data["classes"]),
                             data["associated"] == "all", _text(data.get("some_note")), cited(data["references"]))
            for written in word.words:
                words.setdefault(name_key(written) or written, word)
        weightings = {id_: _weighting(id_, data, cited) for id_, data in by_kind["attribution"]}
        checks = tuple(
            LabCheck(id_, data["name"], frozenset(data.get("classes") or ()), frozenset(data.get("ingredients") or ()),
                     frozenset(data.get("amplifier_effects") or ()), frozenset(data.get("amplifiers") or ()),
                     frozenset(data.get("conditions") or ()), _text(data["why"]) or "", cited(data["references"]))
            for id_, data in by_kind["lab_checks"]
        )
        care = {
            kind: tuple(
                CareItem(kind, id_, data["title"], _text(data["text"]) or "", _text(data.get("what_you_can_do")),
                         _text(data.get("evidence")), frozenset(data.get("conditions") or ()),
                         frozenset(data.get("classes") or ()), cited(data["references"]))
                for id_, data in by_kind[kind]
            )
            for kind in ("other_causes", "self_care")
        }
        return cls(words, weightings, checks, care["other_causes"], care["self_care"])

    @cached_property
    def kinds(self) -> dict[str, ClassWord]:
        """The kinds of medicine by id."""
        return {word.id: word for word in self.class_words.values()}

    @cached_property
    def longest_word(self) -> int:
        """The most tokens in one class word ("pastilla para el agua": 4)."""
        return max((len(key.split()) for key in self.class_words), default=0)


def _weighting(class_id: str, data: Mapping[str, Any], cited: Any) -> ClassWeighting:
    effect = data.get("effect")
    timing = data.get("timing")
    caveat = data.get("caveat") or {}
    return ClassWeighting(
        class_id,
        Effect(effect["measure"], effect["figure"], bool(effect["excludes_no_effect"]), cited(effect["references"]))
        if effect else None,
        Timing(timing.get("supports_within_weeks"), timing.get("against_after_weeks"), bool(timing.get("none")),
               _text(timing.get("note")), cited(timing["references"])) if timing else None,
        _text(caveat.get("text")), cited(caveat.get("references")),
        {ingredient: HighDose(ingredient, float(d["mg"]), d["why"], cited(d["references"]))
         for ingredient, d in (data.get("high_dose_mg") or {}).items()},
    )


def seed_records(files: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The records of the reasoning files ({file stem: parsed YAML}) as the database keeps them."""
    records = []
    for kind, items in (("class_words", files["class_words"]), ("lab_checks", files["lab_checks"]),
                        ("attribution", files["attribution"]), ("other_causes", files["care"]["other_causes"]),
                        ("self_care", files["care"]["self_care"])):
        records.extend({"kind": kind, "id": id_, "position": position, "data": data}
                       for position, (id_, data) in enumerate(items.items()))
    return records
