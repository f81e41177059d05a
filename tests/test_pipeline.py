"""The check pipeline: one place for every check, with evidence sources plugged in as arguments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.evidence import SourceReport
from service.lexicon import DrugClass
from service.matching import Flag
from service.pipeline import Pipeline

TRIAL_CLASS = DrugClass("trial-registry", "Trial registry reports muscle cramps", "weak",
                        "Not established; reported in a trial registry.", None, None, ())


@dataclass(frozen=True)
class RegistryRecord:
    """A test double's evidence record: everything a source must give the pipeline."""

    ingredient: str
    cramps: bool
    last_updated: str | None = "2026-01-01"

    def flag(self, lexicon) -> Flag | None:
        if not self.cramps:
            return None
        return Flag(self.ingredient, TRIAL_CLASS, "weak", (), (), "From the registry.", "registry")

    def cell(self) -> str | None:
        return f"{self.ingredient}: registry" if self.cramps else None

    def to_json(self) -> dict[str, Any]:
        return {"source": "registry", "ingredient": self.ingredient, "cramps": self.cramps}


class RegistrySource:
    """A second evidence source, written only against the protocol."""

    name = "registry"
    budget_seconds = 1.0
    disclaimer = "Registry data."

    def __init__(self, knows: dict[str, bool], fails: bool = False):
        self.knows, self.fails, self.asked = knows, fails, []

    def clock(self) -> float:
        return 0.0

    def lookup(self, ingredients, deadline) -> SourceReport:
        self.asked.append(list(ingredients))
        if self.fails:
            raise RuntimeError("registry down")
        entries = {i: [RegistryRecord(i, self.knows[i])] for i in ingredients if i in self.knows}
        return SourceReport.finished(self.name, entries, ingredients, set(ingredients) - set(self.knows),
                                     self.disclaimer)


def test_a_new_source_flags_a_drug_the_seed_does_not_cover(lexicon):
    source = RegistrySource({"metformin": True, "furosemide": True})
    result = Pipeline(lexicon, [source]).check(["metformin 500mg", "Lasix"])
    metformin, lasix = result.entries
    assert metformin.status == "flagged" and metformin.flags[0].source == "registry"
    assert [f.source for f in lasix.flags] == ["seed"]  # the seed's own flags are never replaced
    assert result.sources["registry"]["status"] == "ok"
    assert source.asked == [["metformin", "furosemide"]]  # ingredients the seed does not flag come first


def test_a_failing_source_degrades_to_unavailable_and_the_check_still_answers(lexicon):
    result = Pipeline(lexicon, [RegistrySource({}, fails=True)]).check(["Lasix", "metformin"])
    assert result.entries[0].status == "flagged" and result.entries[1].status == "not_flagged"
    assert result.sources["registry"]["status"] == "unavailable"
    assert result.sources["registry"]["not_checked"] == ["metformin", "furosemide"]


def test_what_a_source_could_not_check_is_listed(lexicon):
    result = Pipeline(lexicon, [RegistrySource({"metformin": False})]).check(["metformin", "Tylenol"])
    assert result.sources["registry"]["status"] == "partial"
    assert result.sources["registry"]["not_checked"] == ["acetaminophen"]


def test_sources_can_be_skipped_per_check(lexicon):
    source = RegistrySource({"metformin": True})
    result = Pipeline(lexicon, [source]).check(["metformin"], use_sources=False)
    assert result.entries[0].status == "not_flagged" and source.asked == [] and result.sources == {}
    assert result.openfda["status"] == "disabled"


def test_batch_uses_the_same_pipeline_and_asks_each_ingredient_once(lexicon):
    from service.batch.checking import BatchChecker
    from service.batch.reading import InputRow

    source = RegistrySource({"metformin": True})
    pipeline = Pipeline(lexicon, [source])
    checker = BatchChecker(pipeline, 200, pipeline.evidence_provider(shared_budget=False))
    rows = [InputRow(2, "P1", ["metformin", "Lasix"], [], None), InputRow(3, "P2", ["metformin 500 mg"], [], None)]
    patients: dict = {}
    chunk = checker.check_rows(rows, patients)
    from service.batch.checking import COLUMNS

    rows = [dict(zip(COLUMNS, r, strict=True)) for r in chunk.full_rows()]
    assert rows[0]["status"] == "flagged" and rows[0]["openfda"] == "metformin: registry"
    assert rows[1]["openfda"] == "not checked: furosemide"
    assert sum(1 for asked in source.asked for i in asked if i == "metformin") == 1
    assert patients["P1"].flagged == 2 and patients["P2"].flagged == 1


def test_single_checks_and_batch_share_the_list_rules(lexicon):
    from service.batch.checking import BatchChecker, patient_summaries
    from service.batch.reading import InputRow

    pipeline = Pipeline(lexicon)
    single = pipeline.check(["quinine 300 mg", "Lasix"])
    patients: dict = {}
    BatchChecker(pipeline, 200).check_rows([InputRow(2, "P1", ["quinine 300 mg", "Lasix"], [], None)], patients)
    (summary,) = patient_summaries(patients, pipeline)
    assert [w.code for w in single.warnings] == ["quinine-for-cramps"] and summary["quinine_warning"] is True
    assert single.summary["highest_tier"] == summary["highest_tier"]
    assert set(single.summary["classes"]) == set(summary["drug_classes"])


def test_the_core_imports_without_the_web_stack():
    import subprocess
    import sys

    code = ("import sys, service.pipeline, service.resolution, service.matching, service.presenting; "
            "print(sorted(m for m in ('flask', 'sqlalchemy', 'huey', 'redis', 'requests') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
