"""The check pipeline: the one place every check runs (API, page, CLI and batch).

resolve each entry (once) -> ask the evidence sources about its ingredients, within each source's
budget -> assess each entry against the seed and the evidence -> list-level rules and summary.
It takes the seed index and the sources as arguments: no Flask, no configuration lookups.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from functools import lru_cache

from . import messages
from .codes import NDC, RXNORM, CodeReading, code_in_text, parse_ndc, reconcile
from .entries import MedicationEntry
from .evidence import Evidence, EvidenceSource, SourceReport
from .lexicon import Lexicon
from .matching import CheckResult, EntryResult, assess, check
from .reasoning.timing import started_in_text
from .resolution import FUZZY_WORDS_PER_CHECK, FUZZY_WORDS_PER_ENTRY, FuzzyBudget, Resolution, resolve

log = logging.getLogger(__name__)
Evidences = dict[str, list[Evidence]]
RESOLUTION_CACHE = 8192  # distinct entries kept per process; most lists repeat a few hundred names


class Pipeline:
    """Checks lists against one seed index and a list of evidence sources."""

    def __init__(self, lexicon: Lexicon, sources: Sequence[EvidenceSource] = (),
                 observe: Callable[[CheckResult, float], None] | None = None,
                 fuzzy_per_check: int = FUZZY_WORDS_PER_CHECK, fuzzy_per_entry: int = FUZZY_WORDS_PER_ENTRY):
        self.lexicon = lexicon
        self.sources = tuple(sources)
        self.observe = observe  # told of every check and its seconds (metrics, audit log)
        self.fuzzy_per_check = fuzzy_per_check
        self.fuzzy_per_entry = fuzzy_per_entry
        # Resolution is pure and its results immutable: the same text always resolves the same way
        # (within the per-entry budget). Each is kept with the misspelling lookups it spent, so a
        # list's budget is charged the same whether the answer was cached or not.
        self._resolutions: OrderedDict[str, tuple[Resolution, int]] = OrderedDict()
        self._lock = threading.Lock()
        # An entry judged on the seed alone is the same every time, down to its JSON: keep it.
        self.assess: Callable[[str], EntryResult] = lru_cache(maxsize=RESOLUTION_CACHE)(
            lambda text: assess(self.resolve(text), lexicon))

    def budget(self) -> FuzzyBudget:
        """A fresh budget of misspelling lookups for one check (or one batch row)."""
        return FuzzyBudget(self.fuzzy_per_check, self.fuzzy_per_entry)

    def resolve(self, text: str, budget: FuzzyBudget | None = None) -> Resolution:
        """Resolve a text, charging `budget` (when given) for the misspelling lookups it takes.

        An answer the list's budget cut short is not kept: the same text may be read in full in
        another list.
        """
        with self._lock:
            cached = self._resolutions.get(text)
            if cached is not None:
                self._resolutions.move_to_end(text)
        if cached is not None:
            resolution, spent = cached
            if budget is None or budget.can(spent, cached=True):
                if budget is not None:
                    budget.spend(spent, cached=True)
                return resolution
            return resolve(text, self.lexicon, budget)
        resolution, spent = self.resolve_spending(text, budget)
        if spent is not None:
            with self._lock:
                self._resolutions[text] = (resolution, spent)
                if len(self._resolutions) > RESOLUTION_CACHE:
                    self._resolutions.popitem(last=False)
        return resolution

    def resolve_spending(self, text: str, budget: FuzzyBudget | None = None) -> tuple[Resolution, int | None]:
        """Resolve a text afresh: the resolution and the lookups it spent, None when the budget cut it short."""
        probe = budget or FuzzyBudget(per_check=None, per_entry=self.fuzzy_per_entry)
        before, was_cut = probe.remaining, probe.cut
        probe.cut = False
        resolution = resolve(text, self.lexicon, probe)
        cut, probe.cut = probe.cut, probe.cut or was_cut
        return resolution, None if cut else before - probe.remaining

    def _assessed(self, resolution: Resolution) -> EntryResult:
        """The seed-only assessment of a resolution: the kept one when it is the text's full reading."""
        cached = self._resolutions.get(resolution.input)
        if cached is not None and cached[0] is resolution:
            return self.assess(resolution.input)
        return assess(resolution, self.lexicon)

    def check(self, medications: Sequence[str | MedicationEntry], conditions: Sequence[str] = (),
              use_sources: bool = True, onset: date | None = None, today: date | None = None) -> CheckResult:
        """Check a list: the seed's flags, plus what the sources add within their budgets.

        Entries are strings as written or MedicationEntry objects; the result keeps them
        (`CheckResult.inputs`, in order) for the steps that use more than the text. `onset` is when
        the cramps began; with start dates (an entry's `started`, or "started 3 weeks ago" in its
        text, counted back from `today`) it weighs timing in the attribution.
        """
        started = time.perf_counter()
        inputs = [MedicationEntry.of(m) for m in medications]
        sources = self.sources if use_sources else ()
        # One deadline per source for the whole check: code lookups and evidence share the budget.
        deadlines = {source.name: source.clock() + source.budget_seconds for source in sources}
        budget = self.budget()
        resolutions = [self.resolve_entry(entry, sources, deadlines, budget) for entry in inputs]
        # Ingredients the seed does not flag first: that is where a source adds the most.
        ingredients = sorted(dict.fromkeys(i.name for r in resolutions for i in r.ingredients),
                             key=self.lexicon.is_flagged_ingredient)
        reports = [ask(source, ingredients, deadlines[source.name]) for source in sources]
        evidence = merge(reports)
        entries = [
            assess(resolution, self.lexicon, evidence)
            if _coded(entry) or any(i.name in evidence for i in resolution.ingredients)
            else self._assessed(resolution)
            for entry, resolution in zip(inputs, resolutions, strict=True)
        ]
        today = today or date.today()
        written = [(entry.started, None) if entry.started else started_in_text(entry.text, today) for entry in inputs]
        start_dates = [when for when, _ in written]
        entries = [replace(e, notes=e.notes + (messages.START_UNREAD_NOTE.format(written=unread),)) if unread else e
                   for e, (_, unread) in zip(entries, written, strict=True)]
        result = check([e.text for e in inputs], conditions, self.lexicon, entries=entries, started=start_dates,
                       onset=onset)
        result.sources = {report.source: report.block() for report in reports}
        result.inputs = inputs
        if self.observe is not None:
            self.observe(result, time.perf_counter() - started)
        return result

    def resolve_entry(self, entry: MedicationEntry, sources: Sequence[EvidenceSource] = (),
                      deadlines: dict[str, float] | None = None, budget: FuzzyBudget | None = None) -> Resolution:
        """Resolve an entry: its text, or its code (RXCUI, NDC) and text together.

        A code is read from the seed's table, then from the sources that can look codes up. A
        whole entry that is a code ("RxCUI 197361", "NDC 0378-0208-01") is read as one.
        """
        code = (RXNORM, entry.rxcui) if entry.rxcui else (NDC, entry.ndc) if entry.ndc else code_in_text(entry.text)
        if code is None:
            return self.resolve(entry.text, budget)
        written_code = not (entry.rxcui or entry.ndc)
        from_text = self.resolve(entry.text, budget) if entry.text.strip() and not written_code else None
        return reconcile(entry.text, self.read_code(*code, sources, deadlines), from_text)

    def read_code(self, system: str, code: str, sources: Sequence[EvidenceSource] = (),
                  deadlines: dict[str, float] | None = None) -> CodeReading:
        """What a code stands for: the seed's table of ingredient codes, then any source that looks codes up."""
        if system == RXNORM and (found := self.lexicon.codes.get((system, code))):
            return CodeReading(system, code, found, "table")
        label = CodeReading(system, code, None, "table").label
        lookups = [s for s in sources if hasattr(s, "code_names")]
        if not lookups:
            return CodeReading(system, code, None, "table")
        codes = (code,) if system == RXNORM else _ndc_forms(code)
        for source in lookups:
            try:
                deadline = (deadlines or {}).get(source.name) or source.clock() + source.budget_seconds
                names = source.code_names(system, codes, deadline)
            except Exception as error:  # noqa: BLE001 - a source must never break a check
                log.info("code lookup in %s not done: %s", source.name, type(error).__name__)
                return CodeReading(system, code, None, source.name, messages.CODE_LOOKUP_UNAVAILABLE.format(code=label))
            readings = {self._ingredients_of(name) for name in names} - {()}
            if len(readings) == 1:
                return CodeReading(system, code, readings.pop(), source.name)
            if len(readings) > 1:
                return CodeReading(system, code, None, source.name, messages.CODE_AMBIGUOUS.format(
                    code=label, readings="; ".join(" / ".join(r) for r in sorted(readings))))
        return CodeReading(system, code, None, lookups[-1].name, messages.CODE_NOT_IN_OPENFDA.format(code=label))

    def _ingredients_of(self, name: str) -> tuple[str, ...]:
        """The ingredients a product's generic name reads as, when it reads completely."""
        resolution = self.resolve(name)
        return tuple(sorted({i.name for i in resolution.ingredients})) if resolution.complete else ()

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


def _coded(entry: MedicationEntry) -> bool:
    return bool(entry.rxcui or entry.ndc or code_in_text(entry.text))


def _ndc_forms(code: str) -> tuple[str, ...]:
    """The FDA-formatted package and product NDCs an NDC as written may stand for."""
    ndc = parse_ndc(code)
    return ndc.packages + ndc.products


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
