"""The in-memory index of the seed: names, drug classes, memberships and conditions.

Built once at start-up from plain records (read from the database, or straight from the seed
files in tests), then only read. Resolution and matching work on it without any I/O.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .text import name_key

# Which name wins when two sources give the same key: the curated ones first.
SOURCES = ("members", "synonyms", "products", "vocabulary")
FUZZY_MIN_LENGTH = 5


@dataclass(frozen=True)
class Reference:
    id: str
    citation: str
    url: str


@dataclass(frozen=True)
class DrugClass:
    id: str
    name: str
    tier: str
    mechanism: str
    key_figure: str | None
    note: str | None
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class Membership:
    """One ingredient in one class, with the limits that decide whether it is flagged."""

    ingredient: str
    drug_class: DrugClass
    tier: str
    routes: frozenset[str]
    flag_when_route_unstated: bool
    references: tuple[Reference, ...]
    note: str | None

    def applies_to(self, routes: frozenset[str]) -> bool:
        """Tell whether the flag applies to a medicine taken by these routes."""
        if not self.routes:
            return True
        if not routes:
            return self.flag_when_route_unstated
        return bool(self.routes & routes)


@dataclass(frozen=True)
class NameEntry:
    """A name people write and the ingredients it stands for."""

    name: str
    ingredients: tuple[str, ...]
    kind: str  # exact, brand or synonym
    curated: bool


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    note: str
    synonyms: tuple[str, ...]
    references: tuple[Reference, ...]


@dataclass
class SeedData:
    """The seed as plain records, whether read from files or from the database."""

    version: str
    references: list[dict[str, Any]] = field(default_factory=list)
    classes: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    names: list[dict[str, Any]] = field(default_factory=list)
    conditions: list[dict[str, Any]] = field(default_factory=list)
    pharm_classes: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Lexicon:
    version: str
    references: dict[str, Reference]
    names: dict[str, NameEntry]
    classes: dict[str, DrugClass]
    memberships: dict[str, list[Membership]]
    class_members: dict[str, list[Membership]]
    conditions: dict[str, Condition]
    condition_names: dict[str, str]
    pharm_classes: dict[str, str]
    fuzzy_keys: list[str]
    sorted_keys: list[str]
    longest_name: int

    @classmethod
    def build(cls, seed: SeedData) -> Lexicon:
        """Index the seed records."""
        refs = {r["id"]: Reference(r["id"], r["citation"], r["url"]) for r in seed.references}
        classes = {
            c["id"]: DrugClass(
                c["id"], c["name"], c["tier"], c["mechanism"], c.get("key_figure"), c.get("note"),
                tuple(refs[i] for i in c["references"]),
            )
            for c in seed.classes
        }
        memberships: dict[str, list[Membership]] = defaultdict(list)
        for m in seed.members:
            drug_class = classes[m["class_id"]]
            memberships[m["ingredient"]].append(
                Membership(
                    ingredient=m["ingredient"],
                    drug_class=drug_class,
                    tier=m.get("tier") or drug_class.tier,
                    routes=frozenset(m.get("routes") or ()),
                    flag_when_route_unstated=m.get("flag_when_route_unstated", True),
                    references=tuple(refs[i] for i in m.get("references") or ()) or drug_class.references,
                    note=m.get("note"),
                )
            )
        class_members: dict[str, list[Membership]] = defaultdict(list)
        for entries in memberships.values():
            for membership in entries:
                class_members[membership.drug_class.id].append(membership)
        names = _index_names(seed.names)
        conditions = {
            c["id"]: Condition(c["id"], c["name"], c["note"], tuple(c["synonyms"]), tuple(refs[i] for i in c["references"]))
            for c in seed.conditions
        }
        condition_names = {}
        for condition in conditions.values():
            for synonym in (condition.name, *condition.synonyms):
                key = name_key(synonym)
                if key:
                    condition_names.setdefault(key, condition.id)
        return cls(
            version=seed.version,
            references=refs,
            names=names,
            classes=classes,
            memberships=dict(memberships),
            class_members={k: sorted(v, key=lambda m: m.ingredient) for k, v in class_members.items()},
            conditions=conditions,
            condition_names=condition_names,
            pharm_classes={p["name"]: p["class_id"] for p in seed.pharm_classes},
            fuzzy_keys=sorted(k for k, e in names.items() if len(k) >= FUZZY_MIN_LENGTH and (e.curated or e.kind != "synonym")),
            sorted_keys=sorted(names),
            longest_name=max(len(k.split()) for k in names),
        )

    def is_flagged_ingredient(self, ingredient: str) -> bool:
        """Tell whether the seed lists this ingredient in any class."""
        return ingredient in self.memberships


def _index_names(records: list[dict[str, Any]]) -> dict[str, NameEntry]:
    names: dict[str, NameEntry] = {}
    for record in sorted(records, key=lambda r: SOURCES.index(r["source"])):
        key = name_key(record["name"])
        if key is None or key in names:
            continue
        ingredients = tuple(record["ingredients"])
        kind = record["kind"]
        if kind not in ("brand", "synonym", "exact"):
            kind = "synonym"
        if ingredients == (key,):
            kind = "exact"
        names[key] = NameEntry(record["name"], ingredients, kind, record["source"] != "vocabulary")
    # One ingredient name per product: the general vocabulary's ingredient names go through the
    # curated ones ("alendronic acid" is alendronate, "fluocinolone acetonide" is fluocinolone).
    canonical = {k: e.ingredients[0] for k, e in names.items() if e.curated and len(e.ingredients) == 1}
    for key, entry in list(names.items()):
        if not entry.curated:
            mapped = tuple(dict.fromkeys(canonical.get(name_key(i) or i, i) for i in entry.ingredients))
            if mapped != entry.ingredients:
                names[key] = NameEntry(entry.name, mapped, entry.kind, False)
    # Every ingredient a curated name stands for can also be written on its own ("senna").
    for entry in list(names.values()):
        for ingredient in entry.ingredients if entry.curated else ():
            key = name_key(ingredient)
            if key and key not in names:
                names[key] = NameEntry(ingredient, (ingredient,), "exact", True)
    return names
