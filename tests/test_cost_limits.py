"""Bounded work per request: misspelling lookups have a budget per entry and per list.

Words over the budget are reported (unrecognised, with a note saying why and what to do), never
guessed, and the answer does not depend on what was checked before.
"""

from __future__ import annotations

import random
import socket
import string

import pytest
from conftest import forget_jobs

from service.pipeline import Pipeline
from service.resolution import FUZZY_WORDS_PER_CHECK, FUZZY_WORDS_PER_ENTRY, FuzzyBudget, resolve
from service.services import services


def _nonsense(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return ["q" + "".join(rng.choice("xzqjv") for _ in range(6)) for _ in range(count)]


def test_an_entry_with_many_unknown_words_looks_up_only_its_first_ones(lexicon):
    words = _nonsense(FUZZY_WORDS_PER_ENTRY)
    resolution = resolve(" ".join([*words, "simvastatinn"]), lexicon)
    # "simvastatinn" alone is read as simvastatin; here it is past the entry's budget: not guessed.
    assert resolve("simvastatinn", lexicon).ingredients[0].name == "simvastatin"
    assert resolution.ingredients == ()
    assert "simvastatinn" in resolution.unrecognised
    (note,) = [n for n in resolution.notes if "Not looked up" in n]
    assert "'simvastatinn'" in note and "this entry" in note.lower() and "one medicine per entry" in note


def test_a_list_over_its_budget_reports_the_rest_as_not_looked_up(lexicon):
    pipeline = Pipeline(lexicon)
    filler = [" ".join(_nonsense(4, seed)) for seed in range(FUZZY_WORDS_PER_CHECK // 4)]
    result = pipeline.check([*filler, "Lasics"])
    last = result.entries[-1]
    assert last.status == "unresolved"
    assert last.resolution.unrecognised == ("lasics",)
    assert last.resolution.suggestions == ()  # not looked up, so nothing offered as a guess
    assert any("This list has more than" in n and "send fewer entries" in n for n in last.notes)
    # Within the budget, the same entry gets its suggestions.
    alone = pipeline.check(["Lasics"]).entries[0]
    assert [s.name for s in alone.resolution.suggestions][:1] == ["Lasix"]
    assert not any("Not looked up" in n for n in alone.notes)


def test_the_budget_is_charged_the_same_for_answers_already_known(lexicon):
    """A list's answer does not depend on which entries another check resolved before."""
    filler = [" ".join(_nonsense(4, seed)) for seed in range(FUZZY_WORDS_PER_CHECK // 4)]
    cold = Pipeline(lexicon).check([*filler, "simvastatinn"]).entries[-1]
    warm_pipeline = Pipeline(lexicon)
    warm_pipeline.check(filler)
    warm = warm_pipeline.check([*filler, "simvastatinn"]).entries[-1]
    assert cold.json == warm.json
    assert cold.status == "unresolved" and cold.resolution.ingredients == ()


def test_a_misspelling_within_the_budget_is_still_matched(lexicon):
    budget = FuzzyBudget(per_check=3)
    resolution = resolve("simvastatinn 20 mg", lexicon, budget)
    assert [i.name for i in resolution.ingredients] == ["simvastatin"]
    assert budget.remaining == 2 and not budget.cut


def test_the_largest_check_the_limits_allow_is_answered_with_notes(client):
    rng = random.Random(3)
    entry = " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(6)) for _ in range(33))
    response = client.post("/api/v1/check", json={"medications": [entry] * 199 + ["Lasics"], "openfda": False})
    assert response.status_code == 200
    entries = response.get_json()["medications"]
    assert all(e["status"] == "unresolved" for e in entries)
    assert any("Not looked up as possible misspellings" in n for n in entries[-1]["notes"])


# Batch: the immediate path is for files that are small in rows, entries, bytes, lookups and time.

@pytest.fixture
def batch_app(make_app):
    """An app whose immediate path takes up to 100 entries, 4 KiB and 20 lookups; jobs run by the test."""
    app = make_app(BATCH_SYNC_MAX_ENTRIES=100, BATCH_SYNC_MAX_BYTES=4096, BATCH_SYNC_FUZZY_WORDS=20,
                   BATCH_MAX_ENTRIES_PER_ROW=30, BATCH_WORKER="external")
    with app.app_context():
        forget_jobs()
        services(app).run_job = lambda _: None
        yield app


def _post(app, lines: list[str], **kwargs):
    body = ("patient_id,medications\n" + "\n".join(lines) + "\n").encode()
    return app.test_client().post("/api/v1/batch", data=body, content_type="text/csv", **kwargs)


def test_a_file_of_few_rows_but_many_entries_becomes_a_job(batch_app):
    few_rows = [f'P{n},"{"; ".join(["Lasix", "Tylenol"] * 10)}"' for n in range(6)]  # 6 rows, 120 entries
    assert _post(batch_app, few_rows[:4]).status_code == 200  # 80 entries: at once
    response = _post(batch_app, few_rows)
    assert response.status_code == 202
    assert response.get_json()["progress"]["total_rows"] == 6


def test_a_file_of_few_entries_but_many_bytes_becomes_a_job(batch_app):
    long_names = [f"P{n},{'Lasix 40 mg tablet by mouth once daily in the morning ' * 5}" for n in range(20)]
    assert _post(batch_app, long_names).status_code == 202


def test_a_row_with_too_many_entries_is_a_row_error_and_the_others_are_checked(batch_app):
    response = _post(batch_app, [f'P1,"{"; ".join(["Lasix"] * 31)}"', "P2,Lasix"], headers={"Accept": "application/json"})
    assert response.status_code == 200
    rows = response.get_json()["rows"]
    assert [(r["patient_id"], r["status"]) for r in rows] == [("P1", "error"), ("P2", "flagged")]
    assert "31 medications" in rows[0]["problem"] and "at most 30" in rows[0]["problem"]


def test_a_file_over_the_immediate_lookup_budget_becomes_a_job_not_a_guess(batch_app):
    nonsense = [f"P{n},{' '.join(_nonsense(3, n))}" for n in range(20)]  # 80 lookups, 20 allowed at once
    assert _post(batch_app, nonsense[:5]).status_code == 200
    assert _post(batch_app, nonsense).status_code == 202


def test_immediate_work_stops_when_the_client_has_gone(batch_app):
    ours, theirs = socket.socketpair()
    theirs.close()
    try:
        response = _post(batch_app, ["P1,Lasix"], environ_overrides={"gunicorn.socket": ours})
    finally:
        ours.close()
    assert response.status_code == 503
    assert "closed the connection" in response.get_json()["detail"]


def test_a_job_row_is_answered_as_a_check_of_its_list_whatever_came_before(batch_app):
    """Rows carry a check's lookup budget; answers already known are charged too (resumable jobs)."""
    from service.batch.checking import BatchChecker
    from service.batch.reading import InputRow

    pipeline = services(batch_app).pipeline
    filler = [" ".join(_nonsense(4, seed)) for seed in range(FUZZY_WORDS_PER_CHECK // 4)]
    row = InputRow(2, "P1", [*filler, "simvastatinn"])
    fresh = BatchChecker(pipeline, 2000).check_rows([row], {})
    warm_checker = BatchChecker(pipeline, 2000)
    warm_checker.check_rows([InputRow(2, "P0", filler)], {})
    warm = warm_checker.check_rows([row], {})
    assert list(fresh.full_rows())[-1] == list(warm.full_rows())[-1]
    last = list(fresh.full_rows())[-1]
    assert last[4] == "unresolved" and "send fewer entries" in last[11]
