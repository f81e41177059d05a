"""Match resolved ingredients against the seeded classes and build a whole-list result."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from . import messages
from .amplifiers import FoundAmplifier, find_amplifiers
from .entries import MedicationEntry
from .i18n import join
from .lexicon import Condition, DrugClass, Lexicon, Membership, Reference
from .reasoning.explain import Reasoning, explain
from .reasoning.rules import ClassWord
from .resolution import Resolution, resolve
from .text import BOUNDARIES, tokenize

if TYPE_CHECKING:
    from .evidence import Evidence

TIER_ORDER = ("strong", "moderate", "weak")
NO_TIER = len(TIER_ORDER)  # the tier index of an entry without flags
STATUSES = ("flagged", "not_flagged", "unresolved")
QUININE = "quinine"


@dataclass(frozen=True)
class Flag:
    """One association between an ingredient of an entry and a drug class."""

    ingredient: str
    drug_class: DrugClass
    tier: str
    references: tuple[Reference, ...]
    routes: tuple[str, ...]
    note: str | None
    source: str = "seed"  # seed, or the evidence source's kind (openfda-label, ...)

    @cached_property
    def json(self) -> dict[str, Any]:
        """The flag as the API sends it; built once per flag (seed flags are shared by every check)."""
        drug_class = self.drug_class
        return {
            "ingredient": self.ingredient, "class_id": drug_class.id, "class_name": drug_class.name,
            "evidence_tier": self.tier,
            "association": messages.ASSOCIATION.format(ingredient=self.ingredient, tier=self.tier),
            "mechanism": drug_class.mechanism, "key_figure": drug_class.key_figure, "routes": list(self.routes),
            "note": self.note, "source": self.source,
            "references": [{"citation": r.citation, "url": r.url} for r in self.references],
        }


@dataclass(frozen=True)
class Facts:
    """What an entry adds to a list's summary: all that batch keeps of a checked entry."""

    status: str
    classes: tuple[str, ...]
    tier: int  # index into TIER_ORDER; NO_TIER without flags
    warnings: tuple[str, ...]  # codes of the list-level warnings the entry triggers


@dataclass(frozen=True)
class EntryResult:
    resolution: Resolution
    status: str  # flagged, not_flagged or unresolved
    flags: tuple[Flag, ...]
    notes: tuple[str, ...]
    evidence: tuple[Evidence, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def evidence_json(self) -> list[dict[str, Any]]:
        return [record.to_json() for record in self.evidence]

    @cached_property
    def json(self) -> dict[str, Any]:
        """The entry as the API sends it (MedicationResultSchema); built once per result."""
        resolution = self.resolution
        return {
            "input": resolution.input,
            "status": self.status,
            "ingredients": [{"name": i.name, "match": i.match, "matched_text": i.matched_text, "via": i.via}
                            for i in resolution.ingredients],
            "flags": [f.json for f in self.flags],
            "unrecognised": list(resolution.unrecognised),
            "suggestions": [{"name": s.name, "ingredients": list(s.ingredients)} for s in resolution.suggestions],
            "notes": list(self.notes),
            "evidence": self.evidence_json,
        }

    @property
    def facts(self) -> Facts:
        return Facts(self.status, tuple(dict.fromkeys(f.drug_class.id for f in self.flags)),
                     min((TIER_ORDER.index(f.tier) for f in self.flags), default=NO_TIER), self.warnings)


@dataclass(frozen=True)
class Warning:
    code: str
    message: str
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class ListRule:
    """A warning about the whole list, raised when any entry holds one of its ingredients."""

    code: str
    ingredients: frozenset[str]
    message: str
    references: tuple[str, ...]  # reference ids of the seed


# The list-level rules, as data: every check and every batch patient applies the same table.
LIST_RULES = (
    ListRule("quinine-for-cramps", frozenset({QUININE}), messages.QUININE_WARNING,
             ("fda_quinine_2010", "fda_quinine_2006", "fda_quinine_otc")),
)


class Tally:
    """The counts, classes, tier and warnings of a list: one patient, or one check.

    Compact (a batch may hold 100,000 patients) and mergeable (a job tallies each chunk).
    """

    __slots__ = ("medications", "flagged", "not_flagged", "unresolved", "errors", "classes", "tier", "conditions",
                 "warnings", "unmatched_conditions", "texts")

    def __init__(self) -> None:
        self.medications = self.flagged = self.not_flagged = self.unresolved = self.errors = 0
        self.classes: dict[str, None] = {}
        self.conditions: dict[str, None] = {}
        self.warnings: dict[str, None] = {}
        self.unmatched_conditions: dict[str, None] = {}  # condition texts that name no seeded condition
        self.texts: dict[str, None] = {}  # the recognised entries as written: for combinations and attribution
        self.tier = NO_TIER

    def add(self, facts: Facts) -> None:
        """Count one checked entry (called once per mention of a batch: kept lean)."""
        self.medications += 1
        status = facts.status
        if status == "flagged":
            self.flagged += 1
            classes = self.classes
            for class_id in facts.classes:
                classes[class_id] = None
            if facts.tier < self.tier:
                self.tier = facts.tier
        elif status == "not_flagged":
            self.not_flagged += 1
        else:
            self.unresolved += 1
        for code in facts.warnings:
            self.warnings[code] = None

    def add_all(self, facts: Iterable[Facts]) -> None:
        """Count several checked entries (a batch row's): add() with the attribute work done once."""
        flagged = not_flagged = count = 0
        classes, warnings, tier = self.classes, self.warnings, self.tier
        for one in facts:
            count += 1
            status = one.status
            if status == "flagged":
                flagged += 1
                for class_id in one.classes:
                    classes[class_id] = None
                if one.tier < tier:
                    tier = one.tier
            elif status == "not_flagged":
                not_flagged += 1
            for code in one.warnings:
                warnings[code] = None
        self.medications += count
        self.flagged += flagged
        self.not_flagged += not_flagged
        self.unresolved += count - flagged - not_flagged
        self.tier = tier

    def merge(self, other: Tally) -> None:
        """Add another tally of the same list (from another chunk of a job)."""
        for name in ("medications", "flagged", "not_flagged", "unresolved", "errors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("classes", "conditions", "warnings", "unmatched_conditions", "texts"):
            getattr(self, name).update(getattr(other, name))
        self.tier = min(self.tier, other.tier)

    @property
    def highest_tier(self) -> str | None:
        return TIER_ORDER[self.tier] if self.tier < NO_TIER else None

    def summary(self) -> dict[str, Any]:
        """The summary of a check response."""
        return {"total": self.medications, "flagged": self.flagged, "not_flagged": self.not_flagged,
                "unresolved": self.unresolved, "highest_tier": self.highest_tier, "classes": list(self.classes)}

    def to_list(self) -> list[Any]:
        # Tuples: cheaper to build than lists, and orjson writes them as arrays all the same.
        return [self.medications, self.flagged, self.not_flagged, self.unresolved, self.errors,
                tuple(self.classes), self.tier, tuple(self.conditions), tuple(self.warnings),
                tuple(self.unmatched_conditions), tuple(self.texts)]

    @classmethod
    def from_list(cls, values: list[Any]) -> Tally:
        tally = cls()
        (tally.medications, tally.flagged, tally.not_flagged, tally.unresolved, tally.errors,
         classes, tally.tier, conditions, warnings, *later) = values  # older jobs stored neither of the later two
        tally.classes, tally.conditions = dict.fromkeys(classes), dict.fromkeys(conditions)
        if isinstance(warnings, bool):  # a job stored before warnings were codes: True meant quinine
            warnings = [LIST_RULES[0].code] if warnings else []
        tally.warnings = dict.fromkeys(warnings)
        tally.unmatched_conditions = dict.fromkeys(later[0] if later else ())
        tally.texts = dict.fromkeys(later[1] if len(later) > 1 else ())
        return tally


@dataclass
class CheckResult:
    entries: list[EntryResult]
    conditions: list[Condition]
    unmatched_conditions: list[str]
    warnings: list[Warning]
    seed_version: str
    summary: dict = field(default_factory=dict)
    advice: dict = field(default_factory=dict)
    disclaimer: str = messages.DISCLAIMER
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)  # each evidence source's block
    inputs: list[MedicationEntry] = field(default_factory=list)  # the entries as sent, in order
    amplifiers: list[FoundAmplifier] = field(default_factory=list)
    reasoning: Reasoning = field(default_factory=Reasoning)

    @property
    def amplifiers_json(self) -> list[dict[str, Any]]:
        return [found.json(self.entries) for found in self.amplifiers]

    @property
    def evidence_sources(self) -> list[dict[str, Any]]:
        return list(self.sources.values())

    @property
    def openfda(self) -> dict[str, Any]:
        """openFDA's block (the documented `openfda` member); 'disabled' when it was not asked."""
        return self.sources.get("openfda") or {"source": "openfda", "status": "disabled", "not_checked": [],
                                               "last_updated": None, "disclaimer": messages.OPENFDA_DISCLAIMER}


def _seed_flag(membership: Membership) -> Flag:
    return Flag(membership.ingredient, membership.drug_class, membership.tier, membership.references,
                tuple(sorted(membership.routes)), membership.note)


def flags_for(resolution: Resolution, lexicon: Lexicon) -> list[Flag]:
    """The class associations of every ingredient of a resolved entry, strongest first."""
    flags = []
    for ingredient in resolution.ingredients:
        for membership in lexicon.memberships.get(ingredient.name, ()):
            if membership.applies_to(resolution.routes):
                cached = _SEED_FLAGS.get(id(membership))
                if cached is None:
                    cached = _SEED_FLAGS[id(membership)] = (membership, _seed_flag(membership))
                flags.append(cached[1])
    return sorted(flags, key=lambda f: TIER_ORDER.index(f.tier))


# One Flag per seed membership, so its JSON is built once (memberships are immutable and few).
# Keyed by identity (hashing a membership costs more than the lookup saves); holding the
# membership keeps its id from being reused.
_SEED_FLAGS: dict[int, tuple[Membership, Flag]] = {}


def evidence_flags(resolution: Resolution, lexicon: Lexicon,
                   evidence: Mapping[str, Sequence[Evidence]]) -> list[Flag]:
    """Flags from an evidence source for ingredients the seed does not cover."""
    return [
        flag
        for ingredient in resolution.ingredients if ingredient.name not in lexicon.memberships
        for record in evidence.get(ingredient.name, ())
        if (flag := record.flag(lexicon)) is not None
    ]


def check_entry(text: str, lexicon: Lexicon, evidence: Mapping[str, Sequence[Evidence]] | None = None) -> EntryResult:
    """Resolve one entry and say whether it is flagged (by the seed, or by the evidence given)."""
    return assess(resolve(text, lexicon), lexicon, evidence)


def assess(resolution: Resolution, lexicon: Lexicon,
           evidence: Mapping[str, Sequence[Evidence]] | None = None) -> EntryResult:
    """Say whether a resolved entry is flagged, with its notes."""
    if resolution.kind is not None:
        return _assess_kind(resolution, lexicon.rules.kinds[resolution.kind])
    flags = flags_for(resolution, lexicon)
    if evidence:
        flags += evidence_flags(resolution, lexicon, evidence)
    notes = [
        messages.FUZZY_NOTE.format(text=i.matched_text, name=i.via)
        for i in resolution.ingredients if i.match == "fuzzy"
    ]
    if any(i.name == QUININE for i in resolution.ingredients):
        notes.append(messages.QUININE_NOTE)
    notes.extend(resolution.notes)
    if not resolution.ingredients and not resolution.unrecognised and not resolution.notes:
        notes.append(messages.NO_NAME_NOTE)
    if resolution.unrecognised:
        template = messages.UNRESOLVED_SUGGESTIONS_NOTE if resolution.suggestions else messages.UNRESOLVED_NOTE
        notes.append(template.format(parts=", ".join(f"'{p}'" for p in resolution.unrecognised)))
    notes.extend(
        messages.ROUTE_NOTE.format(routes=", ".join(f.routes)) for f in flags if f.routes
    )
    form_needed = [
        m for i in resolution.ingredients for m in lexicon.memberships.get(i.name, ())
        if m.needs_form(resolution.routes)
    ]
    notes.extend(
        messages.FORM_NEEDED_NOTE.format(ingredient=m.ingredient, routes=", ".join(sorted(m.routes)))
        for m in form_needed
    )
    notes.extend(
        messages.ROUTE_EXCLUDED_NOTE.format(ingredient=m.ingredient, routes=", ".join(sorted(m.routes)))
        for i in resolution.ingredients
        for m in lexicon.memberships.get(i.name, ())
        if not m.applies_to(resolution.routes) and m not in form_needed
    )
    if flags:
        status = "flagged"
    elif resolution.complete and not form_needed:
        status = "not_flagged"
        notes.extend(_not_flagged_notes(resolution, lexicon))
    else:
        status = "unresolved"
    records = tuple(e for i in resolution.ingredients for e in (evidence or {}).get(i.name, ()))
    names = {i.name for i in resolution.ingredients}
    warnings = tuple(rule.code for rule in LIST_RULES if rule.ingredients & names)
    return EntryResult(resolution, status, tuple(flags), tuple(dict.fromkeys(notes)), records, warnings)


def _assess_kind(resolution: Resolution, kind: ClassWord) -> EntryResult:
    """An entry naming a kind of medicine ("a water pill"): flagged only when every medicine of the kind is."""
    if kind.all_associated and kind.classes:
        flag = kind_flag(kind)
        note = messages.KIND_FLAGGED_NOTE.format(kind=kind.name, tier=flag.tier)
        return EntryResult(resolution, "flagged", (flag,), (note,))
    return EntryResult(resolution, "unresolved", (), (messages.KIND_UNRESOLVED_NOTE.format(kind=kind.name, note=kind.note),))


def kind_flag(kind: ClassWord) -> Flag:
    """The flag of a kind of medicine: its one class, or a class standing for all of its classes."""
    flag = _KIND_FLAGS.get(kind.id)
    if flag is None:
        if len(kind.classes) == 1:
            drug_class = kind.classes[0]
        else:
            drug_class = DrugClass(
                kind.id, join("; ", (c.name for c in kind.classes)), kind.tier or "weak",
                join(" ", dict.fromkeys(c.mechanism for c in kind.classes)), None, None, kind.references)
        flag = _KIND_FLAGS[kind.id] = Flag(kind.name, drug_class, kind.tier or "weak", kind.references, (), None)
    return flag


_KIND_FLAGS: dict[str, Flag] = {}


def _not_flagged_notes(resolution: Resolution, lexicon: Lexicon) -> list[str]:
    """Say whether "not flagged" means checked and not associated, or only not found in our sources.

    A seeded ingredient in a form that is not associated already has its route note.
    """
    reviewed = {i.name: lexicon.negatives.get(i.name) for i in resolution.ingredients}
    unreviewed = [name for name, n in reviewed.items()
                  if name not in lexicon.memberships and (n is None or n.status != "checked")]
    if unreviewed:
        return [messages.NOT_FOUND_NOTE] + [
            messages.BORDERLINE_NOTE.format(ingredient=n.ingredient, note=n.note)
            for n in reviewed.values() if n is not None and n.status == "borderline"
        ]
    if any(n is not None for n in reviewed.values()):
        return [messages.CHECKED_NOT_ASSOCIATED_NOTE]
    return []


NEGATIONS = frozenset({"no", "not", "denies", "without", "never", "none"})


def match_conditions(conditions: Sequence[str], lexicon: Lexicon) -> tuple[list[Condition], list[str]]:
    """The seeded conditions named in a list ("stage 3 CKD" names kidney disease), and those matching none."""
    matched: dict[str, Condition] = {}
    unmatched = []
    for text in conditions:
        condition_id = _condition_in(text, lexicon)
        if condition_id is None:
            unmatched.append(text)
        else:
            matched.setdefault(condition_id, lexicon.conditions[condition_id])
    return list(matched.values()), unmatched


def _condition_in(text: str, lexicon: Lexicon) -> str | None:
    words = [w for w in tokenize(text) if w not in BOUNDARIES]
    if not words or words[0] in NEGATIONS or "family history" in " ".join(words):
        return None
    for length in range(len(words), 0, -1):  # the longest name written in the text wins
        for start in range(len(words) - length + 1):
            condition_id = lexicon.condition_names.get(" ".join(words[start:start + length]))
            if condition_id is not None:
                return condition_id
    return None


def check(medications: Sequence[str], conditions: Sequence[str], lexicon: Lexicon,
          evidence: Mapping[str, Sequence[Evidence]] | None = None,
          resolutions: Sequence[Resolution] | None = None, entries: Sequence[EntryResult] | None = None,
          started: Sequence[date | None] = (), onset: date | None = None) -> CheckResult:
    """Check a whole medication list (and optional conditions) against the seed and any evidence given.

    `resolutions` or `entries`, when given, are the entries already resolved or assessed (in order);
    `started` (each entry's start date or None) and `onset` (when the cramps began) weigh timing.
    """
    if entries is None:
        if resolutions is None:
            resolutions = [resolve(text, lexicon) for text in medications]
        entries = [assess(resolution, lexicon, evidence) for resolution in resolutions]
    entries = _with_duplicate_notes(list(entries))
    matched, unmatched = match_conditions(conditions, lexicon)
    tally = Tally()
    for entry in entries:
        tally.add(entry.facts)
    result = CheckResult(entries, matched, unmatched, list_warnings(tally.warnings, lexicon), lexicon.version)
    result.amplifiers = find_amplifiers(entries, lexicon)
    result.reasoning = explain(entries, matched, result.amplifiers, lexicon.rules, started, onset)
    result.summary = tally.summary()
    result.advice = _advice(entries)
    return result


def _with_duplicate_notes(entries: list[EntryResult]) -> list[EntryResult]:
    """Entries that hold an ingredient an earlier entry holds say so ("Zocor 40 mg" after "simvastatin")."""
    seen: dict[str, list[int]] = {}
    noted = []
    for index, entry in enumerate(entries):
        earlier: dict[int, list[str]] = {}
        routes = entry.resolution.routes
        for ingredient in entry.resolution.ingredients:
            if ingredient.match == "fuzzy" and entry.status == "unresolved":
                continue
            # A nasal spray and an inhaler of fluticasone, a cream and an injection of hydrocortisone,
            # are two medicines: only a form that could be the same makes a duplicate.
            same = next((at for at in seen.get(ingredient.name, ())
                         if not (routes and entries[at].resolution.routes) or routes & entries[at].resolution.routes),
                        None)
            if same is not None:
                earlier.setdefault(same, []).append(ingredient.name)
            seen.setdefault(ingredient.name, []).append(index)
        notes = tuple(messages.DUPLICATE_NOTE.format(ingredients=", ".join(names), number=at + 1,
                                                     input=entries[at].resolution.input)
                      for at, names in earlier.items())
        noted.append(replace(entry, notes=entry.notes + notes) if notes else entry)
    return noted


def list_warnings(codes: Iterable[str], lexicon: Lexicon) -> list[Warning]:
    """The list-level warnings with these codes, with their references."""
    codes = set(codes)
    return [Warning(rule.code, rule.message, tuple(lexicon.references[r] for r in rule.references))
            for rule in LIST_RULES if rule.code in codes]


def _advice(entries: list[EntryResult]) -> dict:
    flagged = [e for e in entries if e.status == "flagged"]
    unresolved = [e for e in entries if e.status == "unresolved"]
    if flagged:
        patient = messages.ADVICE_FLAGGED.format(
            count=len(flagged), verb="is" if len(flagged) == 1 else "are",
            pronoun="it is" if len(flagged) == 1 else "they are",
        )
        items = join("; ", (
            messages.PROFESSIONAL_ITEM.format(input=e.resolution.input, classes=join(", ", (
                messages.PROFESSIONAL_CLASS.format(name=name, tier=tier)
                for name, tier in dict.fromkeys((f.drug_class.name, f.tier) for f in e.flags))))
            for e in flagged
        ))
        professional = messages.PROFESSIONAL_NOTE.format(items=items)
    else:
        patient = messages.ADVICE_NONE_FLAGGED
        professional = messages.PROFESSIONAL_NOTE_NONE
    if unresolved:
        patient += messages.ADVICE_UNRESOLVED.format(
            count=len(unresolved), entries="entry" if len(unresolved) == 1 else "entries",
            them="it" if len(unresolved) == 1 else "them",
        )
    return {"patient": patient, "professional": professional}
