"""The derived vocabulary is untrusted: the rule a derived name must pass, over the whole vocabulary."""

import csv
from pathlib import Path

import pytest
from rapidfuzz.distance import OSA

from service.matching import check_entry
from service.resolution import resolve
from service.text import name_key

VOCABULARY = Path(__file__).resolve().parent.parent / "seed" / "vocabulary.csv"


def _curated_spellings(lexicon, ingredient):
    return {k for k, e in lexicon.names.items() if e.curated and e.ingredients == (ingredient,)} | {ingredient}


def _names_it(key, spellings):
    words = key.split()
    for spelling in spellings:
        size = len(spelling.split())
        for start in range(len(words) - size + 1):
            window = " ".join(words[start:start + size])
            if window == spelling or (len(spelling) >= 5 and window[:3] == spelling[:3]
                                      and OSA.distance(window, spelling) <= (1 if len(spelling) <= 6 else 2)):
                return True
    return False


def test_every_derived_name_in_use_passes_the_rule(lexicon):
    derived = {k: e for k, e in lexicon.names.items() if not e.curated}
    assert len(derived) > 30_000  # the rule keeps the general vocabulary, not just the seed
    flagged_names = [
        (frozenset(k.split()), set(e.ingredients)) for k, e in lexicon.names.items()
        if e.curated and len(k) >= 4 and set(e.ingredients) & set(lexicon.memberships)
    ]
    for key, entry in derived.items():
        assert len(entry.ingredients) == 1, key
        assert not {"impurity", "related", "metabolite", "sulfone"} & set(key.split()), key
        (ingredient,) = entry.ingredients
        if ingredient in lexicon.memberships:
            assert _names_it(key, _curated_spellings(lexicon, ingredient)), key
        words = frozenset(key.split())
        for named_words, named in flagged_names:
            if named_words <= words and not any(named_words < other for other, _ in flagged_names if other <= words):
                assert named <= set(entry.ingredients), (key, named)


def test_a_derived_combination_is_never_used_as_a_whole_name(lexicon):
    # "co vasotec" was valsartan + hydrochlorothiazide; Vasotec is enalapril.
    rows = [r for r in csv.DictReader(VOCABULARY.open(encoding="utf-8")) if ";" in r["ingredients"]]
    assert len(rows) > 500
    curated = {k for k, e in lexicon.names.items() if e.curated}
    assert all(name_key(r["name"]) not in lexicon.names or name_key(r["name"]) in curated for r in rows)
    assert {i.name for i in resolve("co vasotec", lexicon).ingredients} <= {"enalapril"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # wrong drugs the vocabulary used to give
        ("norethisteron", {"norethindrone"}),
        ("noretisterona", {"norethindrone"}),
        ("Neosporin", {"neomycin", "polymyxin b", "bacitracin"}),
        ("clofezone", None),
        ("flusemide", None),
        ("sone", None),
        ("vals", None),
        ("zide", None),
        ("liquid pred", None),
        ("d nor psi ephedrine", None),
        ("lansoprazole impurity b", None),
        ("lansoprazole related compound a", None),
        # flagged drugs the vocabulary cleared
        ("ferric hydroxide sucrose complex", {"iron sucrose"}),
        ("saccharated iron oxide", {"iron sucrose"}),
        ("iron saccharate", {"iron sucrose"}),
        ("dextran iron", {"iron dextran"}),
        ("iron dextran complex", {"iron dextran"}),
        ("salbutamol inhalers", {"albuterol"}),
        ("hormone replacement therapy", {"estrogen"}),
        ("HRT", {"estrogen"}),
        ("estrogen replacement therapy", {"estrogen"}),
        ("s amlodipine", {"levamlodipine"}),
        # spellings the rule keeps
        ("furosemidum", {"furosemide"}),
        ("amlodipino", {"amlodipine"}),
        ("simvastatina", {"simvastatin"}),
        ("felodipin stada", {"felodipine"}),
    ],
)
def test_vocabulary_examples(text, expected, lexicon):
    resolution = resolve(text, lexicon)
    if expected is None:
        assert not resolution.complete
    else:
        assert resolution.complete and {i.name for i in resolution.ingredients} == expected


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("ferric hydroxide sucrose complex", "flagged"),
        ("dextran iron", "flagged"),
        ("salbutamol inhalers", "flagged"),
        ("HRT", "unresolved"),
        ("norethisteron", "not_flagged"),
    ],
)
def test_vocabulary_fixes_change_the_answer(text, status, lexicon):
    assert check_entry(text, lexicon).status == status
