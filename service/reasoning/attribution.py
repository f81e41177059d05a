"""Attribution: the flagged entries of a list ordered by how plausibly each explains the cramps.

The rule (seed/README.md, "Attribution"), applied to each flagged entry:

1. an entry started after the cramps began goes below every other entry;
2. then by level, highest first: the evidence tier (strong 3, moderate 2, weak 1), plus 1 when a
   risk-raising combination on the list involves it, plus 1 when its stated dose is above the
   seed's high-dose limit, plus 1 when it was started within its class's onset window before the
   cramps began, minus 1 when it was started longer before them than its class's window allows;
3. then a quantified association whose interval excludes no effect before one without;
4. then the number of independent sources (1, 2, or 3 and more).

Entries equal on all four share a rank: the evidence does not separate them, and no finer score
is made up. Each entry carries its reasons in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from .. import messages
from ..amplifiers import FoundAmplifier, entry_dose
from .rules import TIERS, ClassWeighting, Rules
from .timing import describe_weeks, weeks_between

if TYPE_CHECKING:
    from ..lexicon import Reference
    from ..matching import EntryResult

TIER_POINTS = {"strong": 3, "moderate": 2, "weak": 1}
MAX_COUNTED_SOURCES = 3
EFFECT_WORDS = {"muscle": "muscle toxicity", "potassium": "potassium loss", "magnesium": "magnesium loss"}


@dataclass(frozen=True)
class Attributed:
    """One flagged entry's place in the attribution, and why."""

    rank: int
    index: int
    input: str
    ingredients: tuple[str, ...]
    evidence_tier: str
    factors: dict[str, Any]
    reasons: tuple[str, ...]
    references: tuple[Reference, ...]
    key: tuple[int, ...]

    def json(self) -> dict[str, Any]:
        return {"rank": self.rank, "index": self.index, "input": self.input, "ingredients": list(self.ingredients),
                "evidence_tier": self.evidence_tier, "factors": self.factors, "reasons": list(self.reasons),
                "references": [{"citation": r.citation, "url": r.url} for r in self.references]}


def attribute(entries: Sequence[EntryResult], started: Sequence[date | None], amplifiers: Sequence[FoundAmplifier],
              rules: Rules, onset: date | None = None) -> list[Attributed]:
    """The flagged entries, most plausible first, with equal ranks where the evidence is equal."""
    starts = [started[index] if index < len(started) else None for index in range(len(entries))]
    items = [_weigh(index, entry, starts[index], amplifiers, rules, onset,
                    _partner_start(index, entries, starts, amplifiers, onset))
             for index, entry in enumerate(entries) if entry.status == "flagged"]
    items.sort(key=lambda item: (item.key, item.index))
    ranked: list[Attributed] = []
    for position, item in enumerate(items):
        rank = ranked[-1].rank if ranked and ranked[-1].key == item.key else position + 1
        ranked.append(_with_rank(item, rank))
    return [_with_ties(item, ranked) for item in ranked]


def _with_rank(item: Attributed, rank: int) -> Attributed:
    return Attributed(rank, item.index, item.input, item.ingredients, item.evidence_tier, item.factors,
                      item.reasons, item.references, item.key)


def _with_ties(item: Attributed, ranked: list[Attributed]) -> Attributed:
    tied = [other.input for other in ranked if other.rank == item.rank and other.index != item.index]
    if not tied:
        return item
    reason = messages.ATTRIBUTION_TIED.format(others=", ".join(tied))
    return Attributed(item.rank, item.index, item.input, item.ingredients, item.evidence_tier, item.factors,
                      (*item.reasons, reason), item.references, item.key)


def _partner_start(index: int, entries: Sequence[EntryResult], starts: Sequence[date | None],
                   amplifiers: Sequence[FoundAmplifier], onset: date | None) -> tuple[date, str] | None:
    """The latest start, before the cramps began, of a medicine that raises this one's muscle risk.

    Statin muscle symptoms usually begin within weeks of starting a statin, raising its dose or
    starting an interacting medicine: a clarithromycin started last week dates a statin's risk from
    then, however long the statin has been taken.
    """
    if onset is None:
        return None
    names = {i.name for i in entries[index].resolution.ingredients}
    found = []
    for amplifier in amplifiers:
        if amplifier.amplifier.effect != "muscle" or not amplifier.involves(index):
            continue
        # The partner is the other side of the pair, whichever side this entry is on (a statin is the
        # first side with clarithromycin, the second with colchicine).
        partners = {amplifier.second[1]} if amplifier.first[1] in names else set()
        partners |= {amplifier.first[1]} if amplifier.second[1] in names else set()
        for other in amplifier.entries - {index}:  # the entries that take part, not the whole list
            when = starts[other]
            if (when is not None and when <= onset
                    and partners & {i.name for i in entries[other].resolution.ingredients}):
                found.append((when, entries[other].resolution.input))
    return max(found, default=None)


def _weightings(entry: EntryResult, rules: Rules) -> list[ClassWeighting]:
    ids = dict.fromkeys(flag.drug_class.id for flag in entry.flags)
    return [rules.weightings[i] for i in ids if i in rules.weightings]


def _weigh(index: int, entry: EntryResult, started: date | None, amplifiers: Sequence[FoundAmplifier],
           rules: Rules, onset: date | None, partner: tuple[date, str] | None = None) -> Attributed:
    flags = entry.flags
    tier = min((flag.tier for flag in flags), key=TIERS.index)
    weightings = _weightings(entry, rules)
    reasons = [messages.ATTRIBUTION_TIER[tier]]
    references: dict[str, Reference] = {}
    level = TIER_POINTS[tier]

    # A class's figure was measured on the members graded at the class's tier; a member graded lower
    # was added by extrapolation (amlodipine from nifedipine, pitavastatin after the study years), so
    # the figure is said to be the class's and does not count for it.
    measured = {f.drug_class.id for f in flags if f.tier == f.drug_class.tier}
    effects = [w.effect for w in weightings if w.effect is not None and w.class_id in measured]
    extrapolated = [w.effect for w in weightings if w.effect is not None and w.class_id not in measured]
    quantified = next((e for e in effects if e.excludes_no_effect), None)
    for effect in effects:
        reasons.append(messages.ATTRIBUTION_EFFECT.format(measure=effect.measure, figure=effect.figure))
        references.update((r.id, r) for r in effect.references)
    for effect in extrapolated:
        reasons.append(messages.ATTRIBUTION_EFFECT_EXTRAPOLATED.format(measure=effect.measure, figure=effect.figure))
    if not effects and not extrapolated:
        reasons.append(messages.ATTRIBUTION_NO_EFFECT)

    sources = {r.id for flag in flags for r in flag.references}
    reasons.append(messages.ATTRIBUTION_SOURCES.format(
        count=len(sources), sources="source" if len(sources) == 1 else "independent sources"))

    dose_above = False
    for weighting in weightings:
        for ingredient in entry.resolution.ingredients:
            high = weighting.high_doses.get(ingredient.name)
            if high is None:
                continue
            dose = entry_dose(entry, ingredient.name)
            if dose.mg is not None and dose.mg > high.mg:
                dose_above = True
                reasons.append(messages.ATTRIBUTION_HIGH_DOSE.format(
                    ingredient=ingredient.name, dose=f"{dose.mg:g}", limit=f"{high.mg:g}", why=high.why))
                references.update((r.id, r) for r in high.references)
            elif dose.mg is None:
                unread = messages.ATTRIBUTION_DOSE_UNREAD if dose.written else messages.ATTRIBUTION_DOSE_UNSTATED
                reasons.append(unread.format(ingredient=ingredient.name, limit=f"{high.mg:g}"))
    level += dose_above

    combined = [a for a in amplifiers if a.involves(index)]
    names = {i.name for i in entry.resolution.ingredients}
    for found in combined:
        other = found.second if found.first[1] in names else found.first
        reasons.append(messages.ATTRIBUTION_AMPLIFIER.format(
            other=other[1], effect=EFFECT_WORDS.get(found.amplifier.effect, found.amplifier.effect),
            tier=found.amplifier.tier))
        references.update((r.id, r) for r in found.amplifier.references)
    level += bool(combined)

    window = next((w.timing for w in weightings if w.timing is not None and w.timing.supports_within_weeks), None)
    if (partner is not None and onset is not None and window is not None and not (started and started > onset)
            and weeks_between(partner[0], onset) <= window.supports_within_weeks):
        # A newly started interacting medicine dates the risk from its start, whenever this one began.
        reasons.append(messages.ATTRIBUTION_PARTNER_START.format(
            other=partner[1], before=describe_weeks(weeks_between(partner[0], onset)),
            window=describe_weeks(window.supports_within_weeks), note=window.note or ""))
        references.update((r.id, r) for r in window.references)
        timing, after_onset, delta = "supports", False, 1
    else:
        timing, after_onset, delta = _timing(started, onset, weightings, reasons, references)
    level += delta

    for weighting in weightings:
        if weighting.caveat:
            reasons.append(weighting.caveat)
            references.update((r.id, r) for r in weighting.caveat_references)

    counted = min(len(sources), MAX_COUNTED_SOURCES)
    factors = {
        "evidence_tier": tier,
        "quantified_effect": quantified.figure if quantified else None,
        "sources": len(sources),
        "dose_above_limit": dose_above,
        "amplifiers": [found.amplifier.id for found in combined],
        "timing": timing,
        "started": started.isoformat() if started else None,
    }
    key = (int(after_onset), -level, -int(quantified is not None), -counted)
    return Attributed(0, index, entry.resolution.input, tuple(i.name for i in entry.resolution.ingredients),
                      tier, factors, tuple(reasons), tuple(references.values()), key)


def _timing(started: date | None, onset: date | None, weightings: list[ClassWeighting], reasons: list[str],
            references: dict[str, Reference]) -> tuple[str, bool, int]:
    """The timing factor ('supports', 'against', 'after_onset', ...), whether it started after onset, and its points."""
    if onset is None or started is None:
        if onset is not None:
            reasons.append(messages.ATTRIBUTION_NO_START)
        # What timing would say, for the classes where late onset counts against (statins).
        against = next((w.timing for w in weightings if w.timing is not None and w.timing.against_after_weeks), None)
        if against is not None and against.note:
            reasons.append(messages.ATTRIBUTION_TIMING_UNWEIGHED.format(note=against.note))
            references.update((r.id, r) for r in against.references)
        return ("not_given", False, 0)
    if started > onset:
        reasons.append(messages.ATTRIBUTION_AFTER_ONSET.format(after=describe_weeks(weeks_between(onset, started))))
        return ("after_onset", True, 0)
    weeks = weeks_between(started, onset)
    before = describe_weeks(weeks)
    timing = next((w.timing for w in weightings if w.timing is not None), None)
    if timing is None:
        reasons.append(messages.ATTRIBUTION_NO_WINDOW.format(before=before))
        return ("no_window", False, 0)
    references.update((r.id, r) for r in timing.references)
    if timing.not_informative:
        reasons.append(messages.ATTRIBUTION_TIMING_NOT_INFORMATIVE.format(before=before, note=timing.note or ""))
        return ("not_informative", False, 0)
    if timing.against_after_weeks is not None and weeks > timing.against_after_weeks:
        reasons.append(messages.ATTRIBUTION_TIMING_AGAINST.format(
            before=before, window=describe_weeks(timing.against_after_weeks), note=timing.note or ""))
        return ("against", False, -1)
    if timing.supports_within_weeks is not None and weeks <= timing.supports_within_weeks:
        window = describe_weeks(timing.supports_within_weeks) if timing.supports_within_weeks < 52 else messages.DURATION_YEAR
        reasons.append(messages.ATTRIBUTION_TIMING_SUPPORTS.format(before=before, window=window,
                                                                   note=timing.note or messages.GARRISON_WINDOW))
        return ("supports", False, 1)
    reasons.append(messages.ATTRIBUTION_TIMING_OUTSIDE.format(before=before))
    return ("outside_window", False, 0)
