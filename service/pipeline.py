"""The check pipeline: the one place every check runs (API, page, CLI and batch).

resolve each entry (once) -> ask the evidence sources about its ingredients, within each source's
budget -> assess each entry against the seed and the evidence -> list-level rules and summary.
It takes the seed index and the sources as arguments: no Flask, no configuration lookups.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import lru_cache

from .entries import MedicationEntry
from .evidence import Evidence, EvidenceSource, SourceReport
from .lexicon import Lexicon
from .matching import CheckResult, EntryResult, assess, check
from .resolution import Resolution, resolve

log = logging.getLogger(__name__)
Evidences = dict[str, list[Evidence]]
RESOLUTION_CACHE = 8192  # distinct entries kept per process; most lists repeat a few hundred names


class Pipeline:
    """Checks lists against one seed index and a list of evidence sources."""

    def __init__(self, lexicon: Lexicon, sources: Sequence[EvidenceSource] = ()):
        self.lexicon = lexicon
        self.sources = tuple(sources)
        # Resolution is pure and its results immutable: the same text always resolves the same way.
        self.resolve: Callable[[str], Resolution] = lru_cache(maxsize=RESOLUTION_CACHE)(
            lambda text: resolve(text, lexicon))
        # An entry judged on the seed alone is the same every time, down to its JSON: keep it.
        self.assess: Callable[[str], EntryResult] = lru_cache(maxsize=RESOLUTION_CACHE)(
            lambda text: assess(self.resolve(text), lexicon))

    def check(self, medications: Sequence[str | MedicationEntry], conditions: Sequence[str] = (),
              use_sources: bool = True) -> CheckResult:
        """Check a list: the seed's flags, plus what the sources add within their budgets.

        Entries are strings as written or MedicationEntry objects; the result keeps them
        (`CheckResult.inputs`, in order) for the steps that use more than the text.
        """
        inputs = [MedicationEntry.of(m) for m in medications]
        resolutions = [self.resolve(entry.text) for entry in inputs]
        sources = self.sources if use_sources else ()
        # Ingredients the seed does not flag first: that is where a source adds the most.
        ingredients = sorted(dict.fromkeys(i.name for r in resolutions for i in r.ingredients),
                             key=self.lexicon.is_flagged_ingredient)
        reports = [ask(source, ingredients, source.clock() + source.budget_seconds) for source in sources]
        evidence = merge(reports)
        entries = [
            assess(resolution, self.lexicon, evidence)
            if any(i.name in evidence for i in resolution.ingredients) else self.assess(resolution.input)
            for resolution in resolutions
        ]
        result = check([e.text for e in inputs], conditions, self.lexicon, entries=entries)
        result.sources = {report.source: report.block() for report in reports}
        result.inputs = inputs
        return result

    def evidence_provider(self, shared_budget: bool) -> Callable[[list[str]], tuple[Evidences, set[str]]] | None:
        """A function giving evidence for ingredients and those not checked; None without sources.

        With a shared budget (an immediate batch) each source's budget covers every call; otherwise
        (a job) each call has a budget of its own.
        """
        if not self.sources:
            return None
        shared = {s.name: s.clock() + s.budget_seconds for s in self.sources} if shared_budget else {}

        def provide(ingredients: list[str]) -> tuple[Evidences, set[str]]:
            reports = [ask(s, ingredients, shared.get(s.name) or s.clock() + s.budget_seconds) for s in self.sources]
            return merge(reports), {i for report in reports for i in report.not_checked}

        return provide


def ask(source: EvidenceSource, ingredients: Sequence[str], deadline: float | None) -> SourceReport:
    """A source's evidence; any failure of the source degrades to 'unavailable', never to an error."""
    try:
        return source.lookup(ingredients, deadline)
    except Exception as error:  # noqa: BLE001 - a source must never break a check
        log.error("evidence source %s failed: %s", source.name, type(error).__name__)
        return SourceReport(source.name, not_checked=list(ingredients), status="unavailable",
                            disclaimer=source.disclaimer)


def merge(reports: Sequence[SourceReport]) -> Evidences:
    """Every source's records, by ingredient, in source order."""
    merged: Evidences = {}
    for report in reports:
        for ingredient, records in report.entries.items():
            merged.setdefault(ingredient, []).extend(records)
    return merged
