"""Match resolved ingredients against the seeded classes and build a whole-list result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import messages
from .lexicon import Condition, DrugClass, Lexicon, Reference
from .resolution import Resolution, resolve
from .text import BOUNDARIES, tokenize

TIER_ORDER = ("strong", "moderate", "weak")
QUININE = "quinine"
QUININE_REFERENCES = ("fda_quinine_2010", "fda_quinine_2006", "fda_quinine_otc")
OPENFDA_LABEL_CLASS = DrugClass(
    "openfda-label", "US drug label mentions muscle cramps or spasms", "moderate",
    "Not established; the label lists muscle cramps or spasms among reported adverse reactions or warnings.",
    None, None, (),
)
OPENFDA_FAERS_CLASS = DrugClass(
    "openfda-faers", "FAERS reporting signal for muscle spasms", "weak",
    "Not established; muscle spasms are reported with this drug more often than with other drugs.",
    None, None, (),
)


@dataclass(frozen=True)
class Flag:
    """One association between an ingredient of an entry and a drug class."""

    ingredient: str
    drug_class: DrugClass
    tier: str
    references: tuple[Reference, ...]
    routes: tuple[str, ...]
    note: str | None
    source: str = "seed"  # seed, openfda-label, openfda-faers or openfda-class


@dataclass(frozen=True)
class EntryResult:
    resolution: Resolution
    status: str  # flagged, not_flagged or unresolved
    flags: tuple[Flag, ...]
    notes: tuple[str, ...]
    evidence: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Warning:
    code: str
    message: str
    references: tuple[Reference, ...]


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
    openfda: dict[str, Any] | None = None


def flags_for(resolution: Resolution, lexicon: Lexicon) -> list[Flag]:
    """The class associations of every ingredient of a resolved entry, strongest first."""
    flags = []
    for ingredient in resolution.ingredients:
        for membership in lexicon.memberships.get(ingredient.name, ()):
            if membership.applies_to(resolution.routes):
                flags.append(Flag(
                    ingredient=ingredient.name,
                    drug_class=membership.drug_class,
                    tier=membership.tier,
                    references=membership.references,
                    routes=tuple(sorted(membership.routes)),
                    note=membership.note,
                ))
    return sorted(flags, key=lambda f: TIER_ORDER.index(f.tier))


def openfda_flags(resolution: Resolution, lexicon: Lexicon, evidence: Mapping[str, list[dict[str, Any]]]) -> list[Flag]:
    """Flags from openFDA evidence for ingredients the seed does not cover; never strong."""
    flags = []
    for ingredient in resolution.ingredients:
        if ingredient.name in lexicon.memberships:
            continue
        for entry in evidence.get(ingredient.name, ()):
            flag = _openfda_flag(ingredient.name, entry, lexicon)
            if flag is not None:
                flags.append(flag)
    return flags


def _openfda_flag(ingredient: str, entry: dict[str, Any], lexicon: Lexicon) -> Flag | None:
    refs = lexicon.references
    if entry["source"] == "label" and entry.get("mentions_cramps"):
        source = Reference("openfda_label_" + (entry.get("set_id") or ""), "US label of " + ingredient + " (openFDA)",
                           entry.get("url") or refs["openfda_label"].url)
        return Flag(ingredient, OPENFDA_LABEL_CLASS, "moderate", (source, refs["openfda_label"]), (),
                    f"Label text: {entry.get('snippet')}", "openfda-label")
    if entry["source"] == "faers" and entry.get("signal"):
        note = (f"PRR {entry['prr']} (95% CI {entry['prr_ci_low']}-{entry['prr_ci_high']}), "
                f"{entry['reports_with_drug_and_reaction']} reports. {entry['caveat']}")
        return Flag(ingredient, OPENFDA_FAERS_CLASS, "weak", (refs["openfda_faers"], refs["evans2001"]), (), note,
                    "openfda-faers")
    if entry["source"] == "class" and entry.get("matched_class_id") in lexicon.classes:
        drug_class = lexicon.classes[entry["matched_class_id"]]
        note = ("Not in the CrampCheck seed; its FDA pharmacologic class ("
                + ", ".join(entry["pharm_classes"]) + ") matches this class, so the association is extrapolated.")
        return Flag(ingredient, drug_class, "weak", drug_class.references, (), note, "openfda-class")
    return None


def check_entry(text: str, lexicon: Lexicon,
                evidence: Mapping[str, list[dict[str, Any]]] | None = None) -> EntryResult:
    """Resolve one entry and say whether it is flagged (by the seed, or by openFDA evidence given)."""
    return assess(resolve(text, lexicon), lexicon, evidence)


def assess(resolution: Resolution, lexicon: Lexicon,
           evidence: Mapping[str, list[dict[str, Any]]] | None = None) -> EntryResult:
    """Say whether a resolved entry is flagged, with its notes."""
    flags = flags_for(resolution, lexicon)
    if evidence:
        flags += openfda_flags(resolution, lexicon, evidence)
    notes = [
        messages.FUZZY_NOTE.format(text=i.matched_text, name=i.via)
        for i in resolution.ingredients if i.match == "fuzzy"
    ]
    if any(i.name == QUININE for i in resolution.ingredients):
        notes.append(messages.QUININE_NOTE)
    if not resolution.ingredients and not resolution.unrecognised:
        notes.append(messages.NO_NAME_NOTE)
    if resolution.unrecognised:
        notes.append(messages.UNRESOLVED_NOTE.format(
            parts=", ".join(f"'{p}'" for p in resolution.unrecognised),
            or_suggestions=" or choose one of the suggestions" if resolution.suggestions else "",
        ))
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
    entries = tuple(e for i in resolution.ingredients for e in (evidence or {}).get(i.name, ()))
    return EntryResult(resolution, status, tuple(flags), tuple(dict.fromkeys(notes)), entries)


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
          evidence: Mapping[str, list[dict[str, Any]]] | None = None,
          resolutions: Sequence[Resolution] | None = None) -> CheckResult:
    """Check a whole medication list (and optional conditions) against the seed and any openFDA evidence.

    `resolutions`, when given, are the entries already resolved (in the same order).
    """
    if resolutions is None:
        resolutions = [resolve(text, lexicon) for text in medications]
    entries = [assess(resolution, lexicon, evidence) for resolution in resolutions]
    matched, unmatched = match_conditions(conditions, lexicon)
    result = CheckResult(entries, matched, unmatched, _warnings(entries, lexicon), lexicon.version)
    result.summary = _summary(entries)
    result.advice = _advice(entries)
    return result


def _warnings(entries: list[EntryResult], lexicon: Lexicon) -> list[Warning]:
    takes_quinine = any(
        i.name == QUININE for e in entries for i in e.resolution.ingredients
    )
    if not takes_quinine:
        return []
    refs = tuple(r for r in lexicon.references.values() if r.id in QUININE_REFERENCES)
    return [Warning("quinine-for-cramps", messages.QUININE_WARNING, refs)]


def _summary(entries: list[EntryResult]) -> dict:
    counts = {status: sum(e.status == status for e in entries) for status in ("flagged", "not_flagged", "unresolved")}
    tiers = [f.tier for e in entries for f in e.flags]
    classes = list(dict.fromkeys(f.drug_class.id for e in entries for f in e.flags))
    return {
        "total": len(entries),
        **counts,
        "highest_tier": min(tiers, key=TIER_ORDER.index) if tiers else None,
        "classes": classes,
    }


def _advice(entries: list[EntryResult]) -> dict:
    flagged = [e for e in entries if e.status == "flagged"]
    unresolved = [e for e in entries if e.status == "unresolved"]
    if flagged:
        patient = messages.ADVICE_FLAGGED.format(
            count=len(flagged), verb="is" if len(flagged) == 1 else "are",
            pronoun="it is" if len(flagged) == 1 else "they are",
        )
        items = "; ".join(
            f"{e.resolution.input} ({', '.join(f'{f.drug_class.name}, {f.tier} evidence' for f in e.flags)})"
            for e in flagged
        )
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
