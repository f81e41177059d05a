"""The in-memory index of the seed: names, drug classes, memberships and conditions.

Built once at start-up from plain records (read from the database, or straight from the seed
files in tests), then only read. Resolution and matching work on it without any I/O.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .amplifiers import Amplifier, Side
from .reasoning.rules import Rules
from .text import name_key

# Which name wins when two sources give the same key: the curated ones first.
# "ndc": brand rows built from FDA's NDC directory by `flask vocabulary`, trusted like a product row.
SOURCES = ("members", "synonyms", "products", "ndc", "vocabulary")
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
    # The form decides and is often not the associated one (hydrocortisone is often a cream):
    # with no form stated, ask for it instead of flagging or clearing.
    ask_when_route_unstated: bool = False

    def applies_to(self, routes: frozenset[str]) -> bool:
        """Tell whether the flag applies to a medicine taken by these routes."""
        if not self.routes:
            return True
        if not routes:
            return self.flag_when_route_unstated
        return bool(self.routes & routes)

    def needs_form(self, routes: frozenset[str]) -> bool:
        """Tell whether the answer depends on a form the entry does not state."""
        return bool(self.routes) and not routes and self.ask_when_route_unstated


@dataclass(frozen=True)
class NameEntry:
    """A name people write and the ingredients it stands for."""

    name: str
    ingredients: tuple[str, ...]
    kind: str  # exact, brand or synonym
    curated: bool
    routes: frozenset[str] = frozenset()  # the form a product implies (eye drops, patch, ...)


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    note: str
    synonyms: tuple[str, ...]
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class Negative:
    """An ingredient the seed reviewed: checked and not associated, or borderline (with why)."""

    ingredient: str
    status: str  # checked or borderline
    note: str | None
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
    negatives: list[dict[str, Any]] = field(default_factory=list)
    codes: list[dict[str, Any]] = field(default_factory=list)
    amplifiers: list[dict[str, Any]] = field(default_factory=list)
    reasoning: list[dict[str, Any]] = field(default_factory=list)  # {kind, id, position, data}


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
    negatives: dict[str, Negative] = field(default_factory=dict)
    codes: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # (system, code) -> ingredients
    amplifiers: tuple[Amplifier, ...] = ()
    rules: Rules = field(default_factory=lambda: Rules.build((), {}, {}))
    # fuzzy_keys by first letter: a misspelling is only matched to names starting with its own first
    # letter, so it is compared with those alone (a twentieth of the names, not all of them).
    fuzzy_by_initial: dict[str, list[str]] = field(default_factory=dict)

    # The first word of every name: a name can only start at a word in here.
    first_words: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.first_words:
            self.first_words = frozenset(key.split(" ", 1)[0] for key in self.names)
        if not self.fuzzy_by_initial:
            for key in self.fuzzy_keys:
                self.fuzzy_by_initial.setdefault(key[0], []).append(key)

    @classmethod
    def build(cls, seed: SeedData, vet: bool = True) -> Lexicon:
        """Index the seed records (`vet=False` keeps every derived name, for comparisons only)."""
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
                    ask_when_route_unstated=m.get("route_unspecified") == "ask",
                    references=tuple(refs[i] for i in m.get("references") or ()) or drug_class.references,
                    note=m.get("note"),
                )
            )
        class_members: dict[str, list[Membership]] = defaultdict(list)
        for entries in memberships.values():
            for membership in entries:
                class_members[membership.drug_class.id].append(membership)
        names = _index_names(seed.names, frozenset(memberships), vet)
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
            negatives={
                n["ingredient"]: Negative(n["ingredient"], n["status"], n.get("note"),
                                          tuple(refs[i] for i in n.get("references") or ()))
                for n in seed.negatives
            },
            codes={(c["system"], c["code"]): tuple(c["ingredients"]) for c in seed.codes},
            amplifiers=tuple(
                Amplifier(a["id"], a["effect"], a["tier"], Side.of(a["first"]), Side.of(a["second"]),
                          a.get("first_above_mg"), " ".join(a["why"].split()),
                          tuple(refs[i] for i in a["references"]))
                for a in seed.amplifiers
            ),
            rules=Rules.build(seed.reasoning, classes, refs),
        )

    def is_flagged_ingredient(self, ingredient: str) -> bool:
        """Tell whether the seed lists this ingredient in any class."""
        return ingredient in self.memberships


def _index_names(records: list[dict[str, Any]], flaggable: frozenset[str], vet: bool = True) -> dict[str, NameEntry]:
    names: dict[str, NameEntry] = {}
    derived = []
    for record in sorted(records, key=lambda r: SOURCES.index(r["source"])):
        if record["source"] == "vocabulary":
            derived.append(record)
            continue
        _add_name(names, record, curated=True)
    # Every ingredient a curated name stands for can also be written on its own ("senna").
    for entry in list(names.values()):
        for ingredient in entry.ingredients:
            key = name_key(ingredient)
            if key and key not in names:
                names[key] = NameEntry(ingredient, (ingredient,), "exact", True)
    # The derived vocabulary is untrusted: a name joins only if the vetting rule accepts it.
    vetting = Vetting(names, flaggable)
    # One ingredient name per product: a derived name's ingredients go through the curated names
    # ("alendronic acid" is alendronate, "fluocinolone acetonide" is fluocinolone).
    canonical = {k: e.ingredients[0] for k, e in names.items() if e.curated and len(e.ingredients) == 1}
    for record in derived:
        key = name_key(record["name"])
        ingredients = tuple(canonical.get(name_key(i) or i, i) for i in record["ingredients"])
        if key is None or key in names or (vet and vetting.problem(key, ingredients) is not None):
            continue
        _add_name(names, {**record, "ingredients": ingredients}, curated=False)
    return names


def _add_name(names: dict[str, NameEntry], record: dict[str, Any], curated: bool) -> None:
    key = name_key(record["name"])
    if key is None or key in names:
        return
    ingredients = tuple(record["ingredients"])
    kind = record["kind"]
    if kind not in ("brand", "synonym", "exact"):
        kind = "synonym"
    if ingredients == (key,):
        kind = "exact"
    names[key] = NameEntry(record["name"], ingredients, kind, curated, frozenset(record.get("routes") or ()))


# Curated names shorter than this are not looked for inside derived names.
VETTING_MIN_KEY = 4
# Words naming a chemical relative of a medicine rather than the medicine ("lansoprazole impurity b").
RELATIVE_WORDS = frozenset(
    "impurity impurities related compound metabolite metabolites analog analogue analogs analogues "
    "derivative derivatives intermediate precursor sulfone sulphone".split()
)


class Vetting:
    """The rule a name from the derived vocabulary must pass to be used (see seed/README.md).

    1. It stands for one ingredient: a combination comes only from a curated product row. It is
       not a chemical relative of a medicine ("impurity", "related compound", "metabolite").
    2. If that ingredient is in a cramp-associated class, the name says so: its words hold the
       ingredient or a curated name of it, or an unambiguous spelling of one ("furosemidum").
    3. Its words name no curated cramp-associated medicine it does not resolve to ("salbutamol
       inhalers" must be albuterol, "dextran iron" iron dextran, "estrogen replacement therapy"
       estrogen).
    """

    def __init__(self, curated: dict[str, NameEntry], flaggable: frozenset[str]):
        self.flaggable = flaggable
        self.curated = curated
        self.spellings: dict[str, set[str]] = defaultdict(set)
        for key, entry in curated.items():
            if len(entry.ingredients) == 1:
                self.spellings[entry.ingredients[0]].add(key)
        self.named = [
            (frozenset(key.split()), entry.ingredients, key)
            for key, entry in curated.items()
            if len(key) >= VETTING_MIN_KEY and flaggable & set(entry.ingredients)
        ]
        self.by_word: dict[str, list[tuple[frozenset[str], tuple[str, ...], str]]] = defaultdict(list)
        for item in self.named:
            for word in item[0]:
                self.by_word[word].append(item)
        self.keys = list(curated)

    def problem(self, key: str, ingredients: tuple[str, ...]) -> str | None:
        """Why a derived name may not be used, or None when it passes the rule."""
        if len(ingredients) != 1:
            return "combination without a curated product row"
        if RELATIVE_WORDS & set(key.split()):
            return "names a chemical relative, not a medicine"
        (ingredient,) = ingredients
        if ingredient in self.flaggable and not self.names_ingredient(key, ingredient):
            return "does not name its cramp-associated ingredient"
        missing = self.named_elsewhere(key, ingredients)
        if missing:
            return "names " + missing + " but resolves elsewhere"
        return None

    def names_ingredient(self, key: str, ingredient: str) -> bool:
        """Tell whether a name holds the ingredient (or a curated name or close spelling of it)."""
        words = key.split()
        for spelling in self.spellings.get(ingredient, {ingredient}) | {ingredient}:
            size = len(spelling.split())
            for start in range(len(words) - size + 1):
                window = " ".join(words[start:start + size])
                if window == spelling or self._unambiguous_spelling(window, spelling, ingredient):
                    return True
        return False

    def _unambiguous_spelling(self, window: str, spelling: str, ingredient: str) -> bool:
        limit = spelling_distance(spelling)
        distance = OSA.distance(window, spelling)
        if limit == 0 or distance > limit or window[:3] != spelling[:3]:
            return False
        rivals = process.extract(window, self.keys, scorer=OSA.distance, score_cutoff=distance, limit=50)
        return all(self.curated[k].ingredients == (ingredient,) for k, _, _ in rivals)

    def named_elsewhere(self, key: str, ingredients: tuple[str, ...]) -> str | None:
        """A curated medicine whose words the name holds but which it does not resolve to."""
        words = frozenset(key.split())
        found = {item for word in words for item in self.by_word.get(word, ()) if item[0] <= words}
        widest = [item for item in found if not any(item[0] < other[0] for other in found)]
        for _, named, curated_key in sorted(widest, key=lambda i: i[2]):
            if not set(named) <= set(ingredients):
                return curated_key
        return None


def spelling_distance(spelling: str) -> int:
    """How many edits a foreign or Latin spelling may differ by ("amlodipino", "furosemidum")."""
    if len(spelling) < 5:
        return 0
    return 1 if len(spelling) <= 6 else 2
