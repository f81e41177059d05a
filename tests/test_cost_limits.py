"""Bounded work per request: misspelling lookups have a budget per entry and per list.

Words over the budget are reported (unrecognised, with a note saying why and what to do), never
guessed, and the answer does not depend on what was checked before.
"""

from __future__ import annotations

import random
import string

from service.pipeline import Pipeline
from service.resolution import FUZZY_WORDS_PER_CHECK, FUZZY_WORDS_PER_ENTRY, FuzzyBudget, resolve


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
