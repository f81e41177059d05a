"""Seed integrity: every fact referenced, every member and brand resolvable and flagged."""

from sqlalchemy import func, select

from service import models
from service.extensions import db
from service.matching import check_entry
from service.seeding import load_seed, loaded_version, read_seed_files

TIERS = {"strong", "moderate", "weak"}


def test_every_class_has_a_tier_mechanism_and_reference(seed):
    for drug_class in seed.classes:
        assert drug_class["tier"] in TIERS, drug_class["id"]
        assert drug_class["mechanism"], drug_class["id"]
        assert drug_class["references"], drug_class["id"]


def test_every_cited_reference_exists_and_has_a_url(seed):
    known = {r["id"] for r in seed.references}
    cited = {r for c in seed.classes for r in c["references"]}
    cited |= {r for m in seed.members for r in m["references"]}
    cited |= {r for c in seed.conditions for r in c["references"]}
    assert cited <= known
    assert all(r["url"].startswith("http") and r["citation"] for r in seed.references)


def test_seed_covers_at_least_100_flagged_ingredients(seed):
    assert len({m["ingredient"] for m in seed.members}) >= 100


FORM_WORDS = {"oral": "tablet", "injection": "injection"}


def test_every_member_resolves_and_is_flagged_with_its_class(seed, lexicon):
    for member in seed.members:
        needs_form = member["routes"] and not member["flag_when_route_unstated"]
        route = " " + FORM_WORDS[sorted(member["routes"])[-1]] if needs_form else ""
        entry = check_entry(member["ingredient"] + route, lexicon)
        assert member["class_id"] in {f.drug_class.id for f in entry.flags}, member["ingredient"]
        for synonym in member["synonyms"]:
            names = {i.name for i in check_entry(synonym + route, lexicon).resolution.ingredients}
            assert names == {member["ingredient"]}, synonym


def test_every_brand_maps_to_ingredients_the_index_knows(seed, lexicon):
    for record in (n for n in seed.names if n["source"] == "products"):
        entry = check_entry(record["name"], lexicon)
        assert {i.name for i in entry.resolution.ingredients} == set(record["ingredients"]), record["name"]
        for ingredient in record["ingredients"]:
            assert check_entry(ingredient, lexicon).resolution.complete, ingredient


def test_every_condition_has_references_and_synonyms(seed):
    for condition in seed.conditions:
        assert condition["references"] and condition["synonyms"], condition["id"]


def test_loading_the_same_seed_twice_changes_nothing(app):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(models.DrugName))
        assert load_seed(read_seed_files()) is False
        assert db.session.scalar(select(func.count()).select_from(models.DrugName)) == before
        assert loaded_version() == read_seed_files().version


def test_forced_reload_replaces_rather_than_duplicates(app):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(models.Member))
        assert load_seed(read_seed_files(), force=True) is True
        assert db.session.scalar(select(func.count()).select_from(models.Member)) == before


def test_no_class_or_member_text_says_a_drug_causes_cramps(seed):
    import re

    texts = [c[field] or "" for c in seed.classes for field in ("name", "mechanism", "key_figure", "note")]
    texts += [m["note"] or "" for m in seed.members]
    for text in texts:
        assert not re.search(r"\bcause[sd]?\b", text, re.I), text


def test_quinine_is_never_offered_as_a_remedy():
    from service import messages

    for name in dir(messages):
        value = getattr(messages, name)
        if isinstance(value, str) and not name.startswith("__") and "quinine" in value.lower():
            assert "should not be used" in value or "not a treatment" in value, name
