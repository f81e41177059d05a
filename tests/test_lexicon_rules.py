"""Seed rules a test holds over every class and member: routes, tiers, mechanisms, negatives, conditions."""

import csv
import re
from pathlib import Path

import pytest

from service.lexicon import Lexicon
from service.matching import check_entry, match_conditions
from service.seeding import read_seed_from_db

SEED = Path(__file__).resolve().parent.parent / "seed"
MEMBER_ROWS = list(csv.DictReader((SEED / "members.csv").open(encoding="utf-8")))
# The written tier rules (seed/README.md): the evidence for that ingredient decides its tier.
EVIDENCE_TIER = {
    "study": "strong", "label-placebo": "strong",
    "study-ns": "moderate", "review": "moderate", "label": "moderate",
    "secondary": "weak", "class": "weak",
}
ORDER = ("strong", "moderate", "weak")


@pytest.mark.parametrize("row", MEMBER_ROWS, ids=lambda r: f"{r['ingredient']}-{r['class_id']}")
def test_every_member_tier_follows_its_evidence(row, lexicon):
    (membership,) = [m for m in lexicon.memberships[row["ingredient"]] if m.drug_class.id == row["class_id"]]
    assert membership.tier == EVIDENCE_TIER[row["evidence"]]
    if row["evidence"] == "class":
        assert "class extrapolation" in (membership.note or "")


def test_every_class_tier_is_its_best_members_tier(lexicon):
    for class_id, members in lexicon.class_members.items():
        best = min((m.tier for m in members), key=ORDER.index)
        assert lexicon.classes[class_id].tier == best, class_id


def test_class_extrapolation_is_never_above_weak(lexicon):
    for membership in (m for ms in lexicon.memberships.values() for m in ms):
        if "class extrapolation" in (membership.note or "").lower():
            assert membership.tier == "weak", membership.ingredient


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("Breo Ellipta", "weak"), ("Trelegy", "weak"), ("Anoro", "weak"), ("Striverdi", "weak"),
        ("Brovana", "weak"), ("Onbrez", "weak"), ("Serevent", "strong"), ("Symbicort", "strong"),
        ("nifedipine", "moderate"), ("Procardia XL", "moderate"), ("Mestinon", "weak"), ("neostigmine", "moderate"),
        ("estrogen tablets", "weak"), ("Premarin", "strong"), ("Livalo", "weak"), ("Lipitor", "strong"),
        ("Duavee", "strong"), ("Xopenex", "weak"), ("Ventolin", "moderate"), ("Parsabiv", "strong"),
        ("Nexletol", "moderate"), ("bendroflumethiazide", "moderate"), ("Aprinox", "moderate"), ("HCTZ", "strong"),
    ],
)
def test_tiers_shown_for_brands_follow_the_rules(text, tier, lexicon):
    entry = check_entry(text, lexicon)
    assert min((f.tier for f in entry.flags), key=ORDER.index) == tier


def test_every_mechanism_is_worded_as_proposed(lexicon):
    for drug_class in lexicon.classes.values():
        mechanism = drug_class.mechanism
        assert mechanism.startswith(("Proposed:", "Not established")), drug_class.id
        assert not re.search(r"\b(causes?|caused|leads? to|results? in|which (can )?makes?)\b", mechanism, re.I), drug_class.id


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # eye, ear, skin, rectal and vaginal brands keep their route limits
        ("Cortisporin", "not_flagged"), ("Locoid", "not_flagged"), ("Daktacort", "not_flagged"),
        ("Maxidex", "not_flagged"), ("AK-Pred", "not_flagged"), ("Ozurdex", "not_flagged"),
        ("TobraDex", "not_flagged"), ("Pred Forte", "not_flagged"), ("Anusol-HC", "not_flagged"),
        ("Betnovate", "not_flagged"), ("Lotrisone", "not_flagged"), ("Nasacort", "not_flagged"),
        ("Rhinocort", "not_flagged"), ("Pulmicort", "not_flagged"), ("Ciprodex", "not_flagged"),
        ("Alora", "not_flagged"), ("Divigel", "not_flagged"), ("Estraderm", "not_flagged"),
        ("Evamist", "not_flagged"), ("Climara", "not_flagged"), ("Vivelle-Dot", "not_flagged"),
        ("Femring", "not_flagged"), ("Oestrogel", "not_flagged"), ("Vagifem", "not_flagged"),
        ("Estring", "not_flagged"), ("Evorel", "not_flagged"), ("Premarin Vaginal Cream", "not_flagged"),
        # systemic brands of the same ingredients still flag
        ("Cortef", "flagged"), ("Solu-Cortef", "flagged"), ("Decadron", "flagged"), ("Orapred", "flagged"),
        ("Solu-Medrol", "flagged"), ("Celestone Soluspan", "flagged"), ("Kenalog-40", "flagged"),
        ("Estrace", "flagged"), ("Progynova", "flagged"), ("Entocort", "flagged"), ("Emflaza", "flagged"),
        ("Florinef", "flagged"), ("Venofer", "flagged"),
        # a stated form wins
        ("hydrocortisone 10 mg tablets", "flagged"), ("hydrocortisone 1% cream", "not_flagged"),
        ("dexamethasone eye drops", "not_flagged"), ("dexamethasone 4 mg tab", "flagged"),
        ("estradiol 1mg tablet", "flagged"), ("estradiol patch", "not_flagged"), ("estradiol gel", "not_flagged"),
        ("prednisolone eye drops", "not_flagged"), ("prednisolone 5mg tablets", "flagged"),
        # the form decides and is not stated: ask
        ("hydrocortisone", "unresolved"), ("dexamethasone", "unresolved"), ("prednisolone", "unresolved"),
        ("estradiol", "unresolved"), ("betamethasone", "unresolved"), ("budesonide", "unresolved"),
        ("HRT", "unresolved"), ("oestrogen", "unresolved"),
        # the usual form is the associated one
        ("prednisone", "flagged"), ("methylprednisolone", "flagged"), ("conjugated estrogens", "flagged"),
        ("iron", "not_flagged"), ("iron sucrose", "flagged"),
    ],
)
def test_route_limits_hold_for_brands_and_unstated_forms(text, status, lexicon):
    assert check_entry(text, lexicon).status == status


def test_unstated_form_asks_for_it_in_words(lexicon):
    entry = check_entry("hydrocortisone", lexicon)
    assert entry.flags == ()
    assert any("Please say which form" in note and "hydrocortisone" in note for note in entry.notes)
    # a flagged partner still flags, and the question is still asked
    entry = check_entry("budesonide/formoterol", lexicon)
    assert entry.status == "flagged" and any("which form" in note for note in entry.notes)


def test_not_associated_separates_checked_from_not_found(lexicon):
    checked = check_entry("amoxicillin", lexicon)
    assert checked.status == "not_flagged" and any(n.startswith("Checked:") for n in checked.notes)
    both = check_entry("Augmentin", lexicon)
    assert any(n.startswith("Checked:") for n in both.notes)
    unreviewed = check_entry("sitagliptin", lexicon)
    assert unreviewed.status == "not_flagged"
    assert any(n.startswith("No association with muscle cramps found in our sources") for n in unreviewed.notes)
    assert not any(n.startswith("Checked:") for n in unreviewed.notes)


@pytest.mark.parametrize("text", ["levothyroxine", "lithium", "morphine", "oxycodone", "tramadol", "metformin",
                                  "metoprolol", "tiotropium", "sertraline", "ibuprofen", "famotidine", "lisinopril",
                                  "montelukast"])
def test_borderline_drugs_are_kept_off_the_not_associated_list(text, lexicon):
    entry = check_entry(text, lexicon)
    assert entry.status == "not_flagged"
    assert not any(n.startswith("Checked:") for n in entry.notes)
    assert any(n.startswith(text + ":") and "not associated' list" in n for n in entry.notes)


def test_negatives_are_not_members_and_carry_references(lexicon):
    for negative in lexicon.negatives.values():
        assert negative.ingredient not in lexicon.memberships
        assert negative.references
        assert negative.status in {"checked", "borderline"}
        if negative.status == "borderline":
            assert negative.note
        assert check_entry(negative.ingredient, lexicon).resolution.complete, negative.ingredient


def test_montelukast_is_borderline_on_its_label_report(lexicon):
    entry = check_entry("Singulair", lexicon)
    assert entry.status == "not_flagged"
    assert any("myalgia including muscle cramps" in n for n in entry.notes)
    assert lexicon.negatives["montelukast"].references[0].id == "label_singulair"


@pytest.mark.parametrize(
    ("text", "condition"),
    [("alcohol use disorder", "alcohol-use-disorder"), ("history of alcoholism", "alcohol-use-disorder"),
     ("AKI last year", "acute-kidney-injury"), ("acute renal failure", "acute-kidney-injury"),
     ("osteoarthritis of the knee", "osteoarthritis"), ("Parkinson's disease", "parkinsons-disease"),
     ("type 2 diabetes", "diabetes")],
)
def test_sourced_conditions_are_recognised(text, condition, lexicon):
    matched, _ = match_conditions([text], lexicon)
    assert [c.id for c in matched] == [condition]


@pytest.mark.parametrize("text", ["pd", "dm", "PD", "DM", "pad", "expecting"])
def test_ambiguous_condition_abbreviations_are_not_guessed(text, lexicon):
    matched, unmatched = match_conditions([text], lexicon)
    assert matched == [] and unmatched == [text]


def test_mayo_page_that_changed_is_cited_by_its_dated_copy(lexicon):
    for class_id in ("iv-iron", "naproxen-nsaids", "conjugated-estrogens"):
        ids = {r.id for r in lexicon.classes[class_id].references}
        assert "mayo_2013" in ids and "mayo" not in ids
    assert "web.archive.org/web/2013" in lexicon.references["mayo_2013"].url


def test_routes_and_form_questions_survive_the_database(app):
    with app.app_context():
        lexicon = Lexicon.build(read_seed_from_db())
    assert lexicon.names["alora"].routes == {"transdermal"}
    assert check_entry("Maxidex", lexicon).status == "not_flagged"
    assert check_entry("hydrocortisone", lexicon).status == "unresolved"
    assert check_entry("amoxicillin", lexicon).notes[0].startswith("Checked:")


def test_every_brand_of_an_ingredient_whose_form_decides_says_its_form(seed, lexicon):
    asks = {i for i, ms in lexicon.memberships.items() if any(m.ask_when_route_unstated for m in ms)}
    for record in (n for n in seed.names if n["source"] == "products"):
        if asks & set(record["ingredients"]):
            assert record["routes"], record["name"]
            assert check_entry(record["name"], lexicon).status != "unresolved", record["name"]


CASES = list(csv.DictReader((Path(__file__).parent / "resolution_cases.csv").open(encoding="utf-8")))
# What a user sees for each category of the resolution table whose answer does not depend on the case.
STATUS_BY_CATEGORY = (
    ("route brand injection", "flagged"),
    ("route brand", "not_flagged"),
    ("form unstated", "unresolved"),
    ("form stated topical", "not_flagged"),
    ("form stated", "flagged"),
    ("vocabulary fixed iv iron", "flagged"),
    ("vocabulary fixed inhaler", "flagged"),
    ("class gap", "flagged"),
    ("combination brand", "flagged"),
    ("label member", "flagged"),
    ("borderline", "not_flagged"),
    ("negative oral iron", "not_flagged"),
)


def _expected_status(category):
    return next((status for prefix, status in STATUS_BY_CATEGORY if category.startswith(prefix)), None)


@pytest.mark.parametrize("row", [r for r in CASES if _expected_status(r["category"])], ids=lambda r: r["input"])
def test_resolution_table_answers_by_category(row, lexicon):
    entry = check_entry(row["input"], lexicon)
    assert entry.status == _expected_status(row["category"])
    if row["category"].startswith("borderline"):
        assert not any(n.startswith("Checked:") for n in entry.notes)


def test_no_seed_text_says_a_medicine_causes_cramps(lexicon):
    texts = [n.note or "" for n in lexicon.negatives.values()]
    texts += [c.note for c in lexicon.conditions.values()]
    texts += [m.note or "" for ms in lexicon.memberships.values() for m in ms]
    texts += [c.note or "" for c in lexicon.classes.values()] + [c.key_figure or "" for c in lexicon.classes.values()]
    for text in texts:
        assert not re.search(r"\bcause[sd]?\b", text, re.I), text


def test_drug_class_api_says_which_members_ask_for_the_form(client):
    members = client.get("/api/v1/drug-classes/systemic-corticosteroids").get_json()["members"]
    ask = {m["ingredient"]: m["ask_when_route_unstated"] for m in members}
    assert ask["hydrocortisone"] is True and ask["prednisone"] is False


@pytest.mark.parametrize(
    ("text", "status"),
    [("Estrace", "flagged"), ("Estrace cream", "not_flagged"), ("Decadron eye drops", "not_flagged"),
     ("Cortef", "flagged"), ("Kenalog-40 injection", "flagged")],
)
def test_a_stated_form_wins_over_the_form_a_brand_implies(text, status, lexicon):
    assert check_entry(text, lexicon).status == status


def test_check_api_asks_for_the_form_and_separates_checked_from_not_found(client):
    body = client.post("/api/v1/check", json={
        "medications": ["hydrocortisone", "Maxidex eye drops", "amoxicillin", "sitagliptin", "Locoid", "Cortef 10mg"],
        "openfda": False,
    }).get_json()
    hydrocortisone, maxidex, amoxicillin, sitagliptin, locoid, cortef = body["medications"]
    assert hydrocortisone["status"] == "unresolved" and hydrocortisone["ingredients"][0]["name"] == "hydrocortisone"
    assert any("Please say which form" in n for n in hydrocortisone["notes"])
    assert maxidex["status"] == locoid["status"] == "not_flagged"
    assert cortef["status"] == "flagged" and cortef["flags"][0]["evidence_tier"] == "weak"
    assert amoxicillin["notes"][0].startswith("Checked:")
    assert sitagliptin["notes"][0].startswith("No association with muscle cramps found in our sources")
    assert body["summary"]["flagged"] == 1 and body["summary"]["unresolved"] == 1
