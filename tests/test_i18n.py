"""Spanish: every text a person sees has a translation, and the API, batch files and page speak it."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from service import i18n, messages
from service.i18n import Message, Template, Translator, extract, placeholders, read_catalog, translator
from service.pipeline import Pipeline
from service.presenting import check_json
from service.resolution import resolve

# A list that reaches most of what a check can say: flags, a kind of medicine, a misspelling, a form
# to ask for, quinine, combinations, a high dose with timing, conditions matched and not.
BROAD_LIST = ["Lasix 40mg daily", "Hyzaar 50/12.5", "simvastatin 80 mg (started 3 weeks ago)", "Lasics",
              "clarithromycin", "quinine", "hydrocortisone", "a water pill", "my inhaler", "amlodipine",
              "omeprazole", "Ventolin inhaler", "lisinopril", "metformin", "hydrocortisone cream", "xyzzy",
              "Procardia XL 30 mg", "amiodarone", "RxCUI 4603", "losartan/hydrochlorothiazide/xyzzy"]
BROAD_CONDITIONS = ["CKD", "type 2 diabetes", "pregnancy", "something else"]


def test_every_text_shown_has_a_spanish_translation_with_the_same_placeholders():
    """The catalog is complete: a new message, seed text or page text fails here until it is translated.

    To fix: run `flask --app service translations`, then fill in the new msgstr entries of
    service/translations/es/LC_MESSAGES/messages.po.
    """
    spanish = read_catalog("es")
    problems = []
    for message in extract():
        if not message.id:
            continue
        found = spanish.get(message.id, context=message.context)
        where = "; ".join(message.auto_comments)
        if found is None or not found.string:
            problems.append(f"untranslated ({where}): {message.id!r}")
        elif found.fuzzy:
            problems.append(f"fuzzy, needs review ({where}): {message.id!r}")
        elif placeholders(message.id) != placeholders(found.string):
            problems.append(f"placeholders differ ({where}): {message.id!r} -> {found.string!r}")
    assert not problems, "\n".join(problems)


def test_every_message_constant_is_extracted():
    constants = [value for name, value in vars(messages).items() if name.isupper() and isinstance(value, str)]
    assert constants and all(isinstance(value, Template) for value in constants)
    template = extract()
    assert all(template.get(i18n.fold(value)) is not None for value in constants)


def test_page_script_texts_are_all_literals_the_extractor_sees():
    source = (Path(i18n.__file__).parent / "static" / "app.js").read_text(encoding="utf-8")
    calls = re.findall(r"\bt\(", source)
    literals = re.findall(r"""\bt\(\s*["']""", source)
    assert len(calls) - 1 == len(literals)  # the one non-literal is t's own definition


def test_spanish_safety_texts_keep_their_meaning():
    """Never that a medicine causes cramps, never advice to stop or change one on one's own."""
    es = translator("es")
    disclaimer = es.text(messages.DISCLAIMER)
    assert "No deje, empiece ni cambie ningún medicamento" in disclaimer
    assert "no significa que un medicamento esté provocando" in disclaimer
    advice = es.text(messages.ADVICE_FLAGGED.format(count=2, verb="are", pronoun="they are"))
    assert advice.startswith("2 de sus medicamentos están asociados con calambres musculares")
    assert "Esto no significa que estén provocando sus calambres" in advice
    assert "No deje ni cambie ningún medicamento por su cuenta" in advice
    assert "no debe usarse para los calambres" in es.text(messages.QUININE_WARNING)
    # "causa" as a verb (the medicine causes) appears in no translation; "causas" (other causes) may.
    verbs = re.compile(r"\b(causa|causan|causando|causó)\b", re.IGNORECASE)
    assert not [m.string for m in read_catalog("es") if m.string and verbs.search(m.string)]


@pytest.fixture(scope="module")
def broad(lexicon):
    result = Pipeline(lexicon).check(BROAD_LIST, BROAD_CONDITIONS, onset=date(2026, 11, 1), today=date(2026, 11, 20))
    return check_json(result)


def _texts(english, spanish, key=None, path=""):
    """Pairs of (path, English, Spanish) for every string a person reads."""
    if key in i18n.UNTRANSLATED_KEYS:
        return
    if isinstance(english, dict):
        for k in english:
            yield from _texts(english[k], spanish[k], k, f"{path}.{k}")
    elif isinstance(english, list):
        for index, (e, s) in enumerate(zip(english, spanish, strict=True)):
            yield from _texts(e, s, key, f"{path}[{index}]")
    elif isinstance(english, str):
        yield path, english, spanish


# Strings that are not words of CrampCheck's (product names the API echoes as suggestions).
SAME_IN_BOTH = re.compile(r"^\.medications\[\d+\]\.suggestions\[\d+\]\.name$|\.factors\.amplifiers\[\d+\]$")


def test_a_spanish_check_leaves_no_english_text(broad):
    """Every text of a check in Spanish differs from the English one: none was left out."""
    es = Translator("es", translator("es").translations)
    spanish = es.json(broad)
    left = [(path, english) for path, english, text in _texts(broad, spanish)
            if text == english and not SAME_IN_BOTH.search(path)]
    assert not left, left
    assert not es.missing


def test_messages_stay_plain_english_strings(broad):
    note = broad["medications"][3]["notes"][0]
    assert isinstance(note, Message) and note == "Could not recognise: 'lasics'. Check the spelling or choose one of " \
                                                 "the suggestions."
    assert translator("en").json(broad) is broad


def test_placeholder_words_are_translated_in_their_context():
    es = translator("es")
    assert es.text(messages.ASSOCIATION.format(ingredient="furosemide", tier="moderate")) == \
        "furosemide está asociado con calambres musculares (evidencia moderada)."
    one = messages.ADVICE_UNRESOLVED.format(count=1, entries="entry", them="it")
    assert "1 entrada" in es.text(one) and es.text(one).startswith(" ")  # joined to the advice before it


def test_language_is_chosen_by_lang_then_accept_language():
    from werkzeug.datastructures import LanguageAccept

    accept = LanguageAccept([("es-MX", 1), ("en", 0.5)])
    assert i18n.choose(None, accept) == "es"
    assert i18n.choose("en", accept) == "en"
    assert i18n.choose(None, LanguageAccept([("fr", 1)])) == "en"
    assert i18n.choose(None, None) == "en"


@pytest.mark.parametrize(("spanish", "ingredient"), [
    ("simvastatina", "simvastatin"), ("furosemida", "furosemide"), ("hidroclorotiazida", "hydrochlorothiazide"),
    ("omeprazol", "omeprazole"), ("levotiroxina sódica", "levothyroxine"), ("claritromicina", "clarithromycin"),
    ("espironolactona", "spironolactone"), ("clortalidona", "chlorthalidone"), ("ácido bempedoico", "bempedoic acid"),
])
def test_spanish_generic_names_are_read(lexicon, spanish, ingredient):
    resolution = resolve(spanish, lexicon)
    assert [i.name for i in resolution.ingredients] == [ingredient]
    assert resolution.ingredients[0].match in ("synonym", "exact") and not resolution.unrecognised


# ---- The API ------------------------------------------------------------------------------------

def test_check_in_spanish_by_accept_language(client):
    response = client.post("/api/v1/check", json={"medications": ["Lasix 40mg", "Lasics"]},
                           headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "es" and "Accept-Language" in response.headers["Vary"]
    body = response.get_json()
    assert body["advice"]["patient"].startswith("1 de sus medicamentos está asociado con calambres musculares")
    assert body["disclaimer"].startswith("CrampCheck ofrece información general")
    flag = body["medications"][0]["flags"][0]
    assert flag["class_name"] == "Diuréticos del asa" and flag["evidence_tier"] == "moderate"
    assert flag["association"] == "furosemide está asociado con calambres musculares (evidencia moderada)."
    assert body["medications"][1]["notes"] == [
        "No se reconoció: 'lasics'. Revise cómo está escrito o elija una de las sugerencias."]
    assert body["medications"][1]["status"] == "unresolved"  # codes stay codes


def test_lang_field_wins_over_accept_language(client):
    spanish = client.post("/api/v1/check", json={"medications": ["quinina"], "lang": "es"},
                          headers={"Accept-Language": "en"}).get_json()
    assert spanish["warnings"][0]["message"].startswith("La quinina (incluida la quinina del agua tónica")
    assert spanish["medications"][0]["notes"][0].startswith("La quinina no es un tratamiento")
    english = client.post("/api/v1/check", json={"medications": ["quinine"], "lang": "en"},
                          headers={"Accept-Language": "es"})
    assert english.headers["Content-Language"] == "en"
    assert english.get_json()["disclaimer"].startswith("CrampCheck gives general information")


def test_english_is_the_default_and_an_unknown_language_is_refused(client):
    response = client.post("/api/v1/check", json={"medications": ["Lasix"]})
    assert response.headers["Content-Language"] == "en"
    assert response.get_json()["advice"]["patient"].startswith("1 of your medicines is associated")
    refused = client.post("/api/v1/check", json={"medications": ["Lasix"], "lang": "fr"})
    assert refused.status_code == 422 and "lang" in refused.get_json()["errors"]


# ---- Batch files --------------------------------------------------------------------------------

BATCH = b'patient_id,medications\nP1,"Lasix 40mg; simvastatina 80 mg; claritromicina"\nP2,"Lasics"\n'


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_batch_csv_in_spanish_with_the_lang_parameter(client):
    response = client.post("/api/v1/batch?lang=es", data=BATCH, content_type="text/csv")
    assert response.status_code == 200 and response.headers["Content-Language"] == "es"
    rows = _rows(response)
    assert rows[0]["drug_classes"] == "Diuréticos del asa" and rows[0]["status"] == "flagged"
    assert rows[3]["notes"] == "No se reconoció: 'lasics'. Revise cómo está escrito o elija una de las sugerencias."
    summary = _rows(client.post("/api/v1/batch?lang=es&part=summary", data=BATCH, content_type="text/csv"))
    assert summary[0]["advice"] == "Hable con el médico o el farmacéutico antes de cambiar cualquier medicamento."
    assert "simvastatin con clarithromycin (músculo, evidencia sólida)" in summary[0]["amplifiers"]


def test_batch_json_in_spanish_from_the_form_field_or_accept_language(client):
    form = client.post("/api/v1/batch", data={"file": (io.BytesIO(BATCH), "lists.csv"), "lang": "es"},
                       content_type="multipart/form-data", headers={"Accept": "application/json"}).get_json()
    assert form["advice"].startswith("Las marcas indican que un medicamento está asociado")
    assert form["disclaimer"].startswith("CrampCheck ofrece información general")
    by_header = client.post("/api/v1/batch", data=BATCH, content_type="text/csv",
                            headers={"Accept": "application/json", "Accept-Language": "es"}).get_json()
    assert by_header["rows"][0]["drug_classes"] == ["Diuréticos del asa"]
    english = _rows(client.post("/api/v1/batch", data=BATCH, content_type="text/csv"))
    assert english[0]["drug_classes"] == "Loop diuretics"


def test_batch_job_keeps_the_language_it_was_uploaded_with(job_app):
    from service.batch import jobs

    lines = ["patient_id,medications"] + [f'P{n},"Lasix {n}mg; Lasics"' for n in range(12)]
    client = job_app.test_client()
    response = client.post("/api/v1/batch?lang=es", data="\n".join(lines).encode(), content_type="text/csv")
    assert response.status_code == 202
    jobs.process_job(response.get_json()["id"])
    location = response.headers["Location"]
    rows = _rows(client.get(location + "/results.csv", headers={"Accept-Language": "en"}))
    assert len(rows) == 24 and rows[0]["drug_classes"] == "Diuréticos del asa"
    assert rows[1]["notes"].startswith("No se reconoció")
    summary = _rows(client.get(location + "/summary.csv"))
    assert summary[0]["advice"].startswith("Hable con el médico")
    assert client.get(location + "/results.json").get_json()["advice"].startswith("Las marcas indican")


# ---- The page -----------------------------------------------------------------------------------

def test_page_in_spanish_by_parameter_or_browser_language(client):
    page = client.get("/?lang=es")
    html = page.get_data(as_text=True)
    assert page.headers["Content-Language"] == "es" and '<html lang="es">' in html
    assert "Comprobar mis medicamentos" in html and "Check my medicines" not in html
    assert '"Sources:": "Fuentes:"' in html  # the script's texts, handed over with the page
    assert 'href="?lang=en"' in html  # the switch back
    by_browser = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Sus medicamentos" in by_browser
    english = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in english and "Check my medicines" in english and 'href="?lang=es"' in english
