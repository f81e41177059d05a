"""Clinical reasoning: attribution order, class words, timing, checks, other causes and self-care."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from service import messages
from service.entries import MedicationEntry
from service.pipeline import Pipeline
from service.reasoning.timing import WhenError, parse_when, started_in_text

TODAY = date(2026, 11, 28)
EXAMPLE = ["simvastatin 80 mg (started 3 weeks ago)", "clarithromycin", "hydrochlorothiazide", "furosemide",
           "omeprazole", "levothyroxine"]


@pytest.fixture(scope="module")
def pipeline(lexicon):
    return Pipeline(lexicon)


def _ranks(pipeline, medications, onset=None):
    result = pipeline.check(medications, onset=parse_when(onset, TODAY) if onset else None, today=TODAY)
    return [(item.rank, item.input) for item in result.reasoning.attribution], result


def test_the_issue_example_puts_the_statin_first_for_stated_reasons(pipeline):
    ranks, result = _ranks(pipeline, EXAMPLE, "2 weeks ago")
    assert ranks[0] == (1, EXAMPLE[0]) and all(rank > 1 for rank, _ in ranks[1:])
    reasons = " ".join(result.reasoning.attribution[0].reasons)
    assert "simvastatin 80 mg a day, is above 40 mg" in reasons  # the dose
    assert "with clarithromycin" in reasons  # the combination
    assert "started 7 days before the cramps began" in reasons and "supports it" in reasons  # the timing
    assert "Night-time cramps" in reasons  # what counts against a statin is said
    assert {a.amplifier.id for a in result.amplifiers} >= {"statin-strong-cyp3a4-inhibitor", "loop-and-thiazide"}
    assert {c["id"] for c in result.reasoning.checks} >= {"creatine-kinase", "potassium", "magnesium"}
    assert result.reasoning.other_causes and result.reasoning.self_care


# The ordering rule (seed/README.md, "Attribution") as a table: list, onset, expected (rank, input) pairs.
@pytest.mark.parametrize("medications, onset, expected", [
    # tier first: strong, then moderate, then weak
    (["fenofibrate", "naproxen", "hydrochlorothiazide"], None,
     [(1, "hydrochlorothiazide"), (2, "naproxen"), (3, "fenofibrate")]),
    # equal evidence shares a rank (same class, same figure, same number of sources)
    (["atorvastatin", "rosuvastatin", "pravastatin"], None,
     [(1, "atorvastatin"), (1, "rosuvastatin"), (1, "pravastatin")]),
    (["chlorthalidone", "hydrochlorothiazide"], None, [(1, "chlorthalidone"), (1, "hydrochlorothiazide")]),
    # a combination on the list lifts both of its medicines
    (["naproxen", "furosemide", "metolazone"], None, [(1, "metolazone"), (2, "furosemide"), (3, "naproxen")]),
    # a dose above the seed's high-dose limit lifts it above the same evidence at an unstated dose
    (["atorvastatin", "simvastatin 80 mg"], None, [(1, "simvastatin 80 mg"), (2, "atorvastatin")]),
    (["atorvastatin", "simvastatin 20 mg"], None, [(1, "atorvastatin"), (1, "simvastatin 20 mg")]),
    # started after the cramps began: below everything started before, whatever its tier
    (["hydrochlorothiazide (started 1 week ago)", "naproxen"], "4 weeks ago",
     [(1, "naproxen"), (2, "hydrochlorothiazide (started 1 week ago)")]),
    # started within its window before onset lifts it
    (["naproxen", "furosemide (started 2026-10-01)"], "2026-11-01", [(1, "furosemide (started 2026-10-01)"), (2, "naproxen")]),
    # a statin started long before the cramps: one level down, level with a moderate association, and
    # placed above it only by its quantified (if small) association
    (["atorvastatin (started 2 years ago)", "furosemide"], "1 week ago",
     [(1, "atorvastatin (started 2 years ago)"), (2, "furosemide")]),
    (["atorvastatin (started 2 years ago)", "naproxen"], "1 week ago",
     [(1, "atorvastatin (started 2 years ago)"), (2, "naproxen")]),
])
def test_attribution_follows_the_documented_rule(pipeline, medications, onset, expected):
    ranks, _ = _ranks(pipeline, medications, onset)
    assert ranks == expected


def test_every_place_is_explained_in_words(pipeline):
    _, result = _ranks(pipeline, ["atorvastatin", "rosuvastatin", "omeprazole (started 2 weeks ago)"], "1 week ago")
    by_input = {item.input: item for item in result.reasoning.attribution}
    assert any("shares its rank with rosuvastatin" in r for r in by_input["atorvastatin"].reasons)
    omeprazole = " ".join(by_input["omeprazole (started 2 weeks ago)"].reasons)
    assert "more than a year" in omeprazole  # timing does not help a PPI, and it says why
    assert "No start date was given" in " ".join(by_input["atorvastatin"].reasons)
    for item in result.reasoning.attribution:
        assert item.reasons[0] == messages.ATTRIBUTION_TIER[item.evidence_tier]
        assert item.references


@pytest.mark.parametrize("text, ingredient", [
    ("pastilla para el colesterol (simvastatina 20 mg)", "simvastatin"),
    ("pastillas para el agua furosemida", "furosemide"),
    ("medicamento para el azucar metformina", "metformin"),
    ("para-aminosalicylic acid", "aminosalicylic acid"),
])
def test_para_ends_an_entry_only_after_a_name(pipeline, text, ingredient):
    (entry,) = pipeline.check([text]).entries
    assert [i.name for i in entry.resolution.ingredients] == [ingredient] and entry.resolution.complete


def test_an_interacting_medicine_started_recently_dates_a_long_taken_statin_from_then(pipeline):
    medications = [MedicationEntry("simvastatin 40 mg", started=TODAY - timedelta(days=730)),
                   MedicationEntry("clarithromycin 500 mg bid", started=TODAY - timedelta(days=7))]
    result = pipeline.check(medications, onset=TODAY - timedelta(days=3), today=TODAY)
    (statin,) = [i for i in result.reasoning.attribution if i.input.startswith("simvastatin")]
    assert statin.factors["timing"] == "supports"
    assert any("clarithromycin 500 mg bid" in r and "interacting medicine" in r for r in statin.reasons)
    # Without the new partner, two years counts against the statin.
    alone = pipeline.check(medications[:1], onset=TODAY - timedelta(days=3), today=TODAY)
    assert alone.reasoning.attribution[0].factors["timing"] == "against"


def test_colchicine_started_recently_dates_a_statin_too(pipeline):
    medications = [MedicationEntry("atorvastatin 20 mg", started=TODAY - timedelta(days=1_100)),
                   MedicationEntry("colchicine 0.6 mg", started=TODAY - timedelta(days=14))]
    (statin,) = pipeline.check(medications, onset=TODAY - timedelta(days=3), today=TODAY).reasoning.attribution
    assert statin.factors["timing"] == "supports"


@pytest.mark.parametrize("extrapolated, measured", [
    ("amlodipine 5 mg", "nifedipine 30 mg"), ("Livalo 2 mg", "simvastatin 20 mg"), ("Breo Ellipta", "salmeterol"),
    ("galantamine 8 mg", "donepezil 10 mg"),
])
def test_a_class_figure_counts_only_for_members_it_was_measured_on(pipeline, extrapolated, measured):
    (item,) = pipeline.check([extrapolated]).reasoning.attribution
    assert item.factors["quantified_effect"] is None
    assert any("included by extrapolation" in r for r in item.reasons)
    (item,) = pipeline.check([measured]).reasoning.attribution
    assert item.factors["quantified_effect"] is not None


def test_a_statin_without_a_start_date_still_says_what_late_onset_would_mean(pipeline):
    (item,) = pipeline.check(["atorvastatin 20 mg"]).reasoning.attribution
    assert any("When it was started would matter" in r and "12 weeks" in r for r in item.reasons)


def test_denosumab_is_flagged_from_its_leaflet_and_suggests_a_calcium_check(pipeline):
    result = pipeline.check(["Prolia 60 mg every 6 months"], ["dialysis"])
    assert result.entries[0].status == "flagged"
    assert "calcium" in {c["id"] for c in result.reasoning.checks}


def test_a_statin_started_long_before_onset_says_it_counts_against(pipeline):
    _, result = _ranks(pipeline, ["rosuvastatin 10 mg (started 2 years ago)"], "3 days ago")
    (item,) = result.reasoning.attribution
    assert item.factors["timing"] == "against" and "counts against it" in " ".join(item.reasons)


@pytest.mark.parametrize("text, kind, status", [
    ("water pill", "diuretics", "flagged"),
    ("my water pill 40mg daily", "diuretics", "flagged"),
    ("Fluid tablets", "diuretics", "flagged"),
    ("a diuretic", "diuretics", "flagged"),
    ("my statin", "statins", "flagged"),
    ("Statins at night", "statins", "flagged"),
    ("cholesterol pill", "cholesterol-medicines", "unresolved"),
    ("blood thinner", "blood-thinners", "unresolved"),
    ("my inhaler", "inhalers", "unresolved"),
    ("steroid", "steroids", "unresolved"),
    ("steroid cream", "steroids", "unresolved"),
    ("steroid inhaler", "steroids", "unresolved"),  # inhaled steroids are not associated; Advair is one
    ("steroid tablets", "systemic-steroids", "flagged"),
    ("oral steroids 40mg", "systemic-steroids", "flagged"),
    ("blood pressure water pill", "diuretics", "flagged"),
    ("diuretic (water pill)", "diuretics", "flagged"),
    # Spanish, with the words people put around them
    ("mi pastilla para el agua", "diuretics", "flagged"),
    ("un diurético", "diuretics", "flagged"),
    ("las estatinas", "statins", "flagged"),
    ("corticoides orales", "systemic-steroids", "flagged"),
    ("pastilla para el colesterol", "cholesterol-medicines", "unresolved"),
    ("inhalador para el asma", "inhalers", "unresolved"),
    ("anticoagulante", "blood-thinners", "unresolved"),
    # Class names, which hold the name of another substance ("calcium", "potassium", "thyroid")
    ("calcium channel blocker", "calcium-channel-blockers", "unresolved"),
    ("potassium sparing diuretic", "potassium-sparing-diuretics", "flagged"),
    ("thyroid pill", "thyroid-medicines", "unresolved"),
    ("loop diuretic", "loop-diuretics", "flagged"),
    ("a thiazide", "thiazide-diuretics", "flagged"),
    ("PPI", "proton-pump-inhibitors", "flagged"),
    ("my ARB", "angiotensin-receptor-blockers", "flagged"),
    ("beta blocker", "beta-blockers", "unresolved"),
    ("ACE inhibitor", "ace-inhibitors", "unresolved"),
])
def test_class_words_resolve_to_their_kind_never_to_another_drug(pipeline, text, kind, status):
    (entry,) = pipeline.check([text]).entries
    assert entry.resolution.kind == kind and entry.status == status
    assert not entry.resolution.ingredients and not entry.resolution.suggestions  # no "nystatin"
    assert "medicine's name" in " ".join(entry.notes)
    if status == "flagged":
        (flag,) = entry.flags
        kind_tier = max((c.tier for c in pipeline.lexicon.rules.kinds[kind].classes),
                        key=("strong", "moderate", "weak").index)
        assert flag.tier == kind_tier


def test_a_water_pill_is_flagged_at_the_weakest_tier_of_the_diuretics(pipeline):
    (entry,) = pipeline.check(["a water pill"]).entries
    assert entry.flags[0].tier == "moderate"  # loop diuretics are moderate, thiazides strong


@pytest.mark.parametrize("text, ingredient", [("Statin (atorvastatin)", "atorvastatin"), ("nystatin", "nystatin"),
                                              ("HRT", "estrogen"), ("water pill: furosemide", "furosemide")])
def test_a_name_beside_or_like_a_class_word_is_read_as_the_name(pipeline, text, ingredient):
    (entry,) = pipeline.check([text]).entries
    assert entry.resolution.kind is None and [i.name for i in entry.resolution.ingredients] == [ingredient]


@pytest.mark.parametrize("text", ["water pill and statin", "estatina y diurético", "statin, steroid tablets"])
def test_two_kinds_in_one_entry_are_not_guessed(pipeline, text):
    (entry,) = pipeline.check([text]).entries
    assert entry.status == "unresolved" and not entry.resolution.suggestions
    assert "names a kind of medicine" in " ".join(entry.notes)


@pytest.mark.parametrize("written, expected", [
    ("2026-10-01", date(2026, 10, 1)), ("3 weeks ago", TODAY - timedelta(weeks=3)), ("a week ago", TODAY - timedelta(7)),
    ("2 months ago", TODAY - timedelta(61)), ("1 yr ago", TODAY - timedelta(365)), (" 10 days ago ", TODAY - timedelta(10)),
    ("hace 3 semanas", TODAY - timedelta(weeks=3)), ("hace un mes", TODAY - timedelta(30)),
    ("hace 5 días", TODAY - timedelta(5)), ("Hace 2 años", TODAY - timedelta(730)),
    ("two weeks ago", TODAY - timedelta(14)), ("about 3 weeks ago", TODAY - timedelta(21)),
    ("a couple of weeks ago", TODAY - timedelta(14)), ("hace dos meses", TODAY - timedelta(61)),
    ("hace unos 3 meses", TODAY - timedelta(91)), ("yesterday", TODAY - timedelta(1)), ("ayer", TODAY - timedelta(1)),
    ("Last week", TODAY - timedelta(7)), ("la semana pasada", TODAY - timedelta(7)),
    ("el mes pasado", TODAY - timedelta(30)), ("today", TODAY),
    ("15 Nov 2026", date(2026, 11, 15)), ("November 15th, 2026", date(2026, 11, 15)),
    ("15-nov-2026", date(2026, 11, 15)), ("15 de noviembre de 2026", date(2026, 11, 15)),
    ("2026/10/1", date(2026, 10, 1)), ("15/11/2026", date(2026, 11, 15)), ("11/15/2026", date(2026, 11, 15)),
    ("10.10.2026", date(2026, 10, 10)),
])
def test_dates_are_read_as_people_write_them(written, expected):
    assert parse_when(written, TODAY) == expected


@pytest.mark.parametrize("written", ["2027-01-01", "last Tuesday", "3 fortnights ago", "", "9999 years ago",
                                     "tomorrow", "a few weeks ago", "3 weeks", "10", "31/02/2026", "x" * 61])
def test_unreadable_or_future_dates_are_refused(written):
    with pytest.raises(WhenError):
        parse_when(written, TODAY)


@pytest.mark.parametrize("written, says", [
    ("01/10/2026", "could be 1 October or 10 January"),  # never a silent guess between day and month first
    ("Oct 2025", "give the day as well"), ("en marzo", "give the day as well"), ("may", "give the day as well"),
])
def test_dates_that_could_mean_two_days_are_refused_with_the_reason(written, says):
    with pytest.raises(WhenError, match=says):
        parse_when(written, TODAY)


@pytest.mark.parametrize("text, expected", [
    ("simvastatin 80 mg (started 3 weeks ago)", TODAY - timedelta(weeks=3)),
    ("Lasix 40mg started 2026-11-01", date(2026, 11, 1)),
    ("Lasix 40mg", None),
    ("simvastatina 80 mg (empezó hace 3 semanas)", TODAY - timedelta(weeks=3)),
    ("furosemida desde el 2026-10-01", date(2026, 10, 1)),
    ("Lipitor (started last week) 40mg", TODAY - timedelta(7)),
    ("simvastatin started on 15 Nov 2026, 80mg", date(2026, 11, 15)),
    ("lasix started 3 weeks ago 40mg daily", TODAY - timedelta(21)),
    ("simvastatina (desde el 15 de octubre de 2026)", date(2026, 10, 15)),
])
def test_start_dates_are_read_from_entries(text, expected):
    assert started_in_text(text, TODAY) == (expected, None)


@pytest.mark.parametrize("text", ["simvastatin started in March", "Lasix started 2030-01-01", "zocor since recently"])
def test_a_start_date_that_cannot_be_used_is_said_not_ignored(pipeline, text):
    assert started_in_text(text, TODAY)[0] is None
    (entry,) = pipeline.check([text], today=TODAY).entries
    assert any("start date written here" in note and "timing is not weighed" in note for note in entry.notes)


def test_date_words_in_an_entry_are_not_read_as_medicine_words(pipeline):
    (entry,) = pipeline.check(["simvastatin 40 mg (started on 15 Nov 2026)"], today=TODAY).entries
    assert entry.resolution.complete and not entry.resolution.suggestions


def test_a_start_written_in_spanish_is_read_and_leaves_the_name_whole(pipeline):
    _, result = _ranks(pipeline, ["simvastatina 80 mg (empezó hace 3 semanas)", "naproxen"], "hace 2 semanas")
    first = result.reasoning.attribution[0]
    assert first.input.startswith("simvastatina") and first.factors["timing"] == "supports"
    assert result.entries[0].resolution.complete  # the date words are not read as unknown medicine words


def test_every_lab_check_row_is_suggested_by_each_of_its_triggers(pipeline, lexicon):
    for check in lexicon.rules.lab_checks:
        for class_id in check.classes:
            member = lexicon.class_members[class_id][0].ingredient
            ids = {c["id"] for c in pipeline.check([member + " tablets"]).reasoning.checks}
            assert check.id in ids, (check.id, member)
        for ingredient in check.ingredients:
            assert check.id in {c["id"] for c in pipeline.check([ingredient]).reasoning.checks}
        for condition in check.conditions:
            name = lexicon.conditions[condition].synonyms[0]
            assert check.id in {c["id"] for c in pipeline.check(["paracetamol"], [name]).reasoning.checks}


def test_checks_name_what_suggests_them(pipeline):
    result = pipeline.check(EXAMPLE)
    ck = next(c for c in result.reasoning.checks if c["id"] == "creatine-kinase")
    assert {"kind": "medicine", "index": 0, "input": EXAMPLE[0]} in ck["suggested_by"]
    assert any(s["kind"] == "combination" and s["id"] == "statin-strong-cyp3a4-inhibitor" for s in ck["suggested_by"])
    assert pipeline.check(["paracetamol"]).reasoning.checks == []  # nothing flagged, nothing to check


def test_age_given_as_a_condition_makes_getting_older_relevant(pipeline):
    causes = {c["id"]: c for c in pipeline.check(["paracetamol"], ["elderly"]).reasoning.other_causes}
    assert causes["age"]["relevant"]
    assert not {c["id"]: c for c in pipeline.check(["paracetamol"]).reasoning.other_causes}["age"]["relevant"]


def test_other_causes_put_what_the_list_points_to_first(pipeline):
    result = pipeline.check(["paracetamol"], ["pregnant"])
    first = result.reasoning.other_causes[0]
    assert first["id"] == "pregnancy" and first["relevant"] and first["because"] == ["Pregnancy"]
    assert not any(c["relevant"] for c in pipeline.check(["paracetamol"]).reasoning.other_causes)
    diuretic = pipeline.check(["furosemide"]).reasoning.other_causes[0]
    assert diuretic["id"] == "fluid-and-electrolytes" and diuretic["relevant"]


def test_self_care_states_its_evidence_and_never_suggests_a_medicine(pipeline, lexicon):
    items = {i["id"]: i for i in pipeline.check(["paracetamol"]).reasoning.self_care}
    assert "unlikely to help" in items["magnesium"]["text"] and "Cochrane" in items["magnesium"]["evidence"]
    assert "Mixed" in items["stretching"]["evidence"]
    assert items["quinine"]["text"].startswith("Do not use quinine")
    medicine_names = set(lexicon.memberships) | set(lexicon.negatives)
    for item in items.values():
        if item["id"] != "quinine":
            assert "quinine" not in item["text"].lower()
        for sentence in re.split(r"(?<=[.;:])\s", item["text"].lower()):
            # a medicine named in self-care is only ever one to avoid ("avoiding alcohol and caffeine")
            if set(re.findall(r"[a-z]+", sentence)) & medicine_names:
                assert re.search(r"\bavoid|\bdo not\b|\bunlikely\b", sentence), (item["id"], sentence)


PATIENT_UNSAFE = re.compile(r"\bcauses? (your|the) cramps\b|\bstop taking\b|\byou should (stop|start|take)\b", re.I)


def test_patient_texts_keep_the_safety_rules(client):
    body = client.post("/api/v1/check", json={"medications": EXAMPLE, "onset": "2 weeks ago",
                                              "conditions": ["pregnant"]}).get_json()
    patient = [body["advice"]["patient"], body["disclaimer"], body["attribution"]["note"]]
    patient += [r for item in body["attribution"]["items"] for r in item["reasons"]]
    patient += [c[k] for c in body["other_causes"] for k in ("title", "text", "what_you_can_do")]
    patient += [c[k] for c in body["self_care"] for k in ("title", "text", "evidence")]
    for text in patient:
        assert not PATIENT_UNSAFE.search(text), text
    # Checks are for the professional only: never a to-do in the patient's advice.
    for check in body["checks"]["items"]:
        assert check["name"] not in body["advice"]["patient"]
    assert "not orders" in body["checks"]["note"]


def test_the_api_takes_onset_and_start_dates_and_refuses_bad_ones(client):
    sent = {"medications": [{"text": "furosemide", "started": "3 weeks ago"}, "naproxen"], "onset": "1 week ago"}
    body = client.post("/api/v1/check", json=sent).get_json()
    first = body["attribution"]["items"][0]
    assert first["input"] == "furosemide" and first["factors"]["timing"] == "supports"
    assert body["attribution"]["onset"] == (date.today() - timedelta(7)).isoformat()
    for bad in ({"onset": "next week"}, {"onset": "2999-01-01"}, {"onset": 5}):
        response = client.post("/api/v1/check", json={"medications": ["furosemide"], **bad})
        assert response.status_code == 422 and "onset" in response.get_json()["errors"]
    response = client.post("/api/v1/check", json={"medications": [{"text": "furosemide", "started": "soon"}]})
    assert response.status_code == 422


def test_the_batch_summary_carries_top_ranked_medicines_and_combinations(client):
    data = "patient_id,medications\nP1,simvastatin 80 mg; clarithromycin; furosemide\nP2,paracetamol\n"
    response = client.post("/api/v1/batch?part=summary", data=data, content_type="text/csv")
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = {r["patient_id"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert rows["P1"]["top_ranked"] == "simvastatin 80 mg"
    assert "simvastatin with clarithromycin (muscle, strong evidence)" in rows["P1"]["amplifiers"]
    assert rows["P2"]["top_ranked"] == "" and rows["P2"]["amplifiers"] == ""


def test_the_cli_prints_attribution_and_checks(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["check", "--no-openfda", "--onset", "2 weeks ago", *EXAMPLE])
    assert result.exit_code == 0, result.output
    assert "1. simvastatin 80 mg (started 3 weeks ago)" in result.output
    assert "Check to consider (for the prescriber): Creatine kinase (CK)" in result.output
    bad = runner.invoke(args=["check", "--onset", "tomorrow", "furosemide"])
    assert bad.exit_code != 0 and "onset" in bad.output
