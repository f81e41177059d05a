from service.text import name_key, normalize, strip_salt, tokenize


def test_normalize_drops_trademark_signs_case_and_accents():
    assert normalize("  Lasix®  40 MG ") == "lasix 40 mg"
    assert normalize("Lipitor™") == "lipitor"
    assert normalize("simvastatiné") == "simvastatine"


def test_tokenize_separates_strengths_units_and_combination_marks():
    assert tokenize("Hyzaar 50/12.5mg") == ["hyzaar", "50", "/", "12.5", "mg"]
    assert tokenize("Lasix40mg") == ["lasix", "40", "mg"]
    assert tokenize("losartan+HCTZ") == ["losartan", "+", "hctz"]


def test_tokenize_joins_hyphenated_words_and_undots_abbreviations():
    assert tokenize("co-amoxiclav") == ["co", "amoxiclav"]
    assert tokenize("Lipitor p.o. q.h.s.") == ["lipitor", "po", "qhs"]


def test_name_key_refuses_names_that_span_a_boundary():
    assert name_key("Advair Diskus") == "advair diskus"
    assert name_key("budesonide/formoterol") is None


def test_strip_salt_keeps_mineral_salts_whole():
    assert strip_salt("atorvastatin calcium") == "atorvastatin"
    assert strip_salt("losartan potassium") == "losartan"
    assert strip_salt("potassium chloride") == "potassium chloride"
