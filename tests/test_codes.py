"""Codes sent instead of names: every NDC format, RxCUIs, and codes that disagree with the text."""

import pytest

from service.codes import NDC, RXNORM, code_in_text, parse_ndc, parse_rxcui
from service.entries import MedicationEntry
from service.pipeline import Pipeline


@pytest.mark.parametrize("written, packages, products", [
    ("0378-0208-01", ("0378-0208-01",), ("0378-0208",)),          # 4-4-2
    ("50090-347-01", ("50090-347-01",), ("50090-347",)),          # 5-3-2
    ("68682-0652-1", ("68682-0652-1",), ("68682-0652",)),         # 5-4-1
    # 11-digit 5-4-2: each segment that starts with a zero may be the padded one
    ("00378-0208-01", ("0378-0208-01", "00378-208-01", "00378-0208-1"), ("0378-0208", "00378-208", "00378-0208")),
    ("50090-0347-01", ("50090-347-01", "50090-0347-1"), ("50090-347", "50090-0347")),
    ("12345-6789-01", ("12345-6789-1",), ("12345-6789",)),
    ("00378020801", ("0378-0208-01", "00378-208-01", "00378-0208-1"), ("0378-0208", "00378-208", "00378-0208")),
    ("0378-0208", (), ("0378-0208",)),                            # product NDC 4-4
    ("50090-347", (), ("50090-347",)),                            # product NDC 5-3
])
def test_every_fda_ndc_format_gives_the_fda_forms_to_look_up(written, packages, products):
    ndc = parse_ndc(written)
    assert ndc.packages == packages and ndc.products == products


def test_bare_ten_digits_keep_every_layout_as_a_candidate():
    assert parse_ndc("0378020801").packages == ("0378-0208-01", "03780-208-01", "03780-2080-1")


@pytest.mark.parametrize("bad", ["", "abc", "123", "12345-678", "1234-56789-0", "12345678901234", "12345-6789-012",
                                 "11111111111", "1-2-3"])
def test_what_is_not_an_ndc_is_refused_with_the_formats(bad):
    if bad == "12345-678":  # a 5-3 product NDC is valid
        assert parse_ndc(bad).products == ("12345-678",)
        return
    with pytest.raises(ValueError, match="NDC"):
        parse_ndc(bad)


@pytest.mark.parametrize("text, code", [
    ("RxCUI 197361", (RXNORM, "197361")), ("rxcui:4603", (RXNORM, "4603")), ("RXNORM 36567", (RXNORM, "36567")),
    ("NDC 00378-0208-01", (NDC, "00378-0208-01")), ("0378-0208-01", (NDC, "0378-0208-01")),
    ("ndc: 00378020801", (NDC, "00378020801")),
    ("Lasix 40mg", None), ("vitamin D 1000", None), ("12345", None), ("00378020801", None),
])
def test_a_code_written_as_the_whole_entry_is_read_as_a_code(text, code):
    assert code_in_text(text) == code


def test_rxcui_must_be_digits():
    assert parse_rxcui(" 4603 ") == "4603"
    with pytest.raises(ValueError):
        parse_rxcui("RX4603")


def _entry(pipeline, **fields):
    (entry,) = pipeline.check([MedicationEntry(fields.pop("text", ""), **fields)], use_sources=False).entries
    return entry


def test_a_code_in_the_table_resolves_without_text(lexicon):
    entry = _entry(Pipeline(lexicon), rxcui="4603")
    assert entry.status == "flagged" and [i.name for i in entry.resolution.ingredients] == ["furosemide"]
    assert entry.resolution.ingredients[0].match == "code" and entry.resolution.input == "RxNorm code 4603"


def test_a_code_and_a_text_that_agree_answer_as_the_text_with_a_note(lexicon):
    entry = _entry(Pipeline(lexicon), text="Lasix 40 mg", rxcui="4603")
    assert entry.status == "flagged" and entry.resolution.ingredients[0].match == "brand"
    assert any("agrees" in note for note in entry.notes)


@pytest.mark.parametrize("text, rxcui", [("atorvastatin 20 mg", "4603"), ("Lasix", "36567"), ("Tylenol", "83367")])
def test_a_code_and_a_text_that_disagree_trust_neither(lexicon, text, rxcui):
    entry = _entry(Pipeline(lexicon), text=text, rxcui=rxcui)
    assert entry.status == "unresolved" and entry.flags == ()
    assert len(entry.resolution.suggestions) == 2
    assert any("does not choose" in note for note in entry.notes)


def test_a_code_not_in_the_table_without_openfda_says_what_would_resolve_it(lexicon):
    entry = _entry(Pipeline(lexicon), rxcui="197361")
    assert entry.status == "unresolved"
    assert "text" in entry.notes[0] and "openFDA" in entry.notes[0]
    entry = _entry(Pipeline(lexicon), ndc="0378-0208-01")
    assert entry.status == "unresolved" and "openFDA" in entry.notes[0]


def test_an_unknown_code_beside_a_text_answers_from_the_text_and_says_so(lexicon):
    entry = _entry(Pipeline(lexicon), text="Lipitor 20 mg", ndc="0071-0155-23")
    assert entry.status == "flagged" and any("read from the name only" in note for note in entry.notes)


class CodeSource:
    """A source that looks codes up, as openFDA does, answering from a dictionary."""

    name = "codes"
    budget_seconds = 1.0
    disclaimer = None

    def __init__(self, names=None, fail=False):
        self.names, self.fail, self.asked = names or {}, fail, []

    def clock(self):
        return 0.0

    def lookup(self, ingredients, deadline):
        from service.evidence import SourceReport

        return SourceReport(self.name)

    def code_names(self, system, codes, deadline):
        self.asked.append((system, codes))
        if self.fail:
            raise TimeoutError
        return [name for code in codes for name in self.names.get(code, ())]


def test_a_code_source_resolves_codes_the_table_lacks(lexicon):
    source = CodeSource({"197361": ["Amlodipine Besylate"], "0378-0208-01": ["Furosemide"]})
    pipeline = Pipeline(lexicon, [source])
    (amlodipine, furosemide) = pipeline.check([MedicationEntry("", rxcui="197361"),
                                               MedicationEntry("", ndc="00378-0208-01")]).entries
    assert [i.name for i in amlodipine.resolution.ingredients] == ["amlodipine"] and amlodipine.status == "flagged"
    assert [i.name for i in furosemide.resolution.ingredients] == ["furosemide"]
    system, asked = source.asked[1]
    assert system == "ndc" and asked[0] == "0378-0208-01" and "0378-0208" in asked


def test_a_code_matching_different_products_is_not_guessed(lexicon):
    source = CodeSource({"0378-0208-01": ["Furosemide"], "03780-208-01": ["Atorvastatin Calcium"]})
    (entry,) = Pipeline(lexicon, [source]).check([MedicationEntry("", ndc="0378020801")]).entries
    assert entry.status == "unresolved" and "different ingredients" in entry.notes[0]


def test_a_failing_code_source_degrades_to_a_note(lexicon):
    (entry,) = Pipeline(lexicon, [CodeSource(fail=True)]).check([MedicationEntry("", rxcui="197361")]).entries
    assert entry.status == "unresolved" and "could not be looked up" in entry.notes[0]


def test_every_code_in_the_table_names_an_ingredient_the_seed_knows(lexicon):
    known = {i for entry in lexicon.names.values() for i in entry.ingredients}
    assert len(lexicon.codes) >= 80
    assert {i for ingredients in lexicon.codes.values() for i in ingredients} <= known


def test_code_lookups_of_one_check_share_the_sources_budget(lexicon):
    class Clocked(CodeSource):
        def __init__(self):
            super().__init__()
            self.now, self.deadlines = 100.0, []

        def clock(self):
            self.now += 1.0  # every look at the clock is a second later
            return self.now

        def code_names(self, system, codes, deadline):
            self.deadlines.append(deadline)
            return []

    source = Clocked()
    Pipeline(lexicon, [source]).check([MedicationEntry("", rxcui=str(900000 + n)) for n in range(5)])
    assert len(source.deadlines) == 5 and len(set(source.deadlines)) == 1
