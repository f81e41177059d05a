"""Misspelling look-ups have a per-entry and per-request budget: what is over it is reported, never guessed."""

from __future__ import annotations

import random
import string

from service.pipeline import FUZZY_WORDS_PER_REQUEST, Pipeline
from service.resolution import FUZZY_WORDS_PER_ENTRY, resolve


def _nonsense(words: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(6, 9))) for _ in range(words))


def test_an_entry_looks_up_at_most_its_share_and_says_so(lexicon):
    resolution = resolve("Lasix " + _nonsense(30, 1), lexicon)
    assert [i.name for i in resolution.ingredients] == ["furosemide"]  # what was read is still read
    assert any(f"{30 - FUZZY_WORDS_PER_ENTRY} unrecognised words of this entry were not looked up" in n
               for n in resolution.notes)
    assert len(resolution.unrecognised) == FUZZY_WORDS_PER_ENTRY + 1  # the rest reported as one part, not dropped


def test_a_misspelling_within_the_entry_budget_is_still_found(lexicon):
    resolution = resolve("simvastatn 40 mg", lexicon)
    assert [(i.name, i.match) for i in resolution.ingredients] == [("simvastatin", "fuzzy")]
    assert not any("not looked up" in n for n in resolution.notes)


def test_a_request_spends_its_budget_in_order_and_reports_the_rest(lexicon):
    pipeline = Pipeline(lexicon)
    nonsense = [_nonsense(FUZZY_WORDS_PER_ENTRY, seed) for seed in range(FUZZY_WORDS_PER_REQUEST // FUZZY_WORDS_PER_ENTRY + 5)]
    result = pipeline.check([*nonsense, "simvastatn"], use_sources=False)
    looked_up = [e for e in result.entries[:-1] if not any("not looked up" in n for n in e.notes)]
    assert len(looked_up) == FUZZY_WORDS_PER_REQUEST // FUZZY_WORDS_PER_ENTRY
    last = result.entries[-1]  # past the budget: reported as not looked up, never guessed
    assert last.status == "unresolved" and not last.resolution.ingredients and not last.resolution.suggestions
    assert any("not looked up" in n for n in last.notes)
    # The same entry alone is looked up: the budget is the request's, not the entry's.
    (alone,) = pipeline.check(["simvastatn"], use_sources=False).entries
    assert alone.status == "flagged"


def test_known_names_cost_no_budget(lexicon):
    pipeline = Pipeline(lexicon, fuzzy_budget=0)
    result = pipeline.check(["Lasix 40mg daily", "Hyzaar 50/12.5", "water pill"], use_sources=False)
    assert [e.status for e in result.entries] == ["flagged", "flagged", "flagged"]


def test_an_immediate_batch_has_a_budget_and_reports_what_was_over_it(make_app):
    client = make_app(BATCH_SYNC_FUZZY_WORDS=2, RATE_LIMIT="off").test_client()
    data = b"patient_id,medications\nP1,simvastatn xqzvbn\nP2,atorvastain\n"
    text = client.post("/api/v1/batch", data=data, content_type="text/csv").get_data(as_text=True)
    first, second = text.splitlines()[1:3]
    assert "flagged" in first and "simvastatin" in first
    assert "unresolved" in second and "not looked up" in second


def test_a_row_with_more_entries_than_a_check_allows_is_a_row_error_not_cut(make_app):
    client = make_app(MAX_MEDICATIONS=5, RATE_LIMIT="off").test_client()
    data = b"patient_id,medications\nP1,Lasix; Tylenol\nP2,a; b; c; d; e; f\nP3,Lipitor\n"
    text = client.post("/api/v1/batch", data=data, content_type="text/csv").get_data(as_text=True)
    lines = text.splitlines()[1:]
    assert [line.split(",")[0] for line in lines] == ["P1", "P1", "P2", "P3"]
    assert "error" in lines[2] and "lists 6 medicines; at most 5 are checked per row" in lines[2]
    assert "flagged" in lines[3]  # the rows after it are checked as usual
