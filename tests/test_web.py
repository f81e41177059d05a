"""The web page, driven in a real browser (Debian's Chromium through Playwright)."""

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from service import create_app

SCREENSHOTS = Path(__file__).parent / "screenshots"
# The README's screenshot: rewritten by the results test when UPDATE_DOCS_SCREENSHOT is set.
DOCS_SCREENSHOT = Path(__file__).parent.parent / "docs" / "screenshot-results.png"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def base_url(database_uri, tmp_path_factory):
    app = create_app({"TESTING": True, "DATABASE_URL": database_uri, "OPENFDA_ENABLED": False,
                      "HUEY_SQLITE_FILE": str(tmp_path_factory.mktemp("web") / "queue.db"),
                      "HUEY_NAME": "web-tests", "BATCH_SYNC_MAX_ROWS": 50, "BATCH_CHUNK_ROWS": 20})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: Chromium ({CHROMIUM}) and playwright are required")
        pytest.skip("Chromium or playwright is not installed")
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/")
    yield page
    context.close()
    assert not [e for e in errors if "Failed to load resource" not in e], errors


def _check(page, text):
    page.get_by_label("Your medicines").fill(text)
    page.get_by_role("button", name="Check my medicines").click()
    page.get_by_role("heading", name="Your results").wait_for()


def test_typed_list_shows_flagged_entries_with_references(page):
    _check(page, "Lasix 40mg daily\nTylenol, Lipitor 20mg\nxyzzy")
    flagged = page.locator(".group-flagged")
    assert "(2)" in flagged.locator("h3").inner_text()
    assert flagged.get_by_text("Loop diuretics").is_visible()
    assert flagged.get_by_text("Moderate evidence").first.is_visible()
    link = flagged.get_by_role("link", name="Garrison SR").first
    assert link.get_attribute("href").startswith("https://")
    assert page.locator(".group-not_flagged").get_by_role("heading", name="Tylenol").is_visible()
    assert page.locator(".group-unresolved").get_by_role("heading", name="xyzzy").is_visible()
    assert "prescriber or pharmacist" in page.locator(".advice").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "results.png"), full_page=True)
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        page.screenshot(path=str(DOCS_SCREENSHOT), full_page=True)


def test_misspelling_is_fixed_in_one_click_through_its_suggestion(page):
    _check(page, "Lasics\nTylenol")
    page.get_by_role("button", name="Use Lasix instead of Lasics and check again").click()
    page.locator(".group-flagged").get_by_text("Loop diuretics").wait_for()
    assert page.get_by_label("Your medicines").input_value() == "Lasix\nTylenol"
    assert page.locator(".group-unresolved").count() == 0


@pytest.mark.parametrize(
    ("typed", "after"),
    [
        ("Lasics 40mg daily, Tylenol", "Lasix 40mg daily, Tylenol"),
        ("Tylenol\nLasics 40 mg twice daily\nLipitor", "Tylenol\nLasix 40 mg twice daily\nLipitor"),
        ("Tylenol; LASICS 20mg PO qd", "Tylenol; Lasix 20mg PO qd"),
        ("Lipitor 20mg,\n  Lasiks tablet 40 mg at bedtime", "Lipitor 20mg,\n  Lasix tablet 40 mg at bedtime"),
    ],
)
def test_suggestion_fixes_only_the_misspelt_words_and_keeps_dose_and_layout(page, typed, after):
    _check(page, typed)
    page.locator(".group-unresolved").get_by_role("button", name="Lasix").click()
    page.locator(".group-flagged").get_by_text("Loop diuretics").wait_for()
    assert page.get_by_label("Your medicines").input_value() == after
    assert page.locator(".group-unresolved").count() == 0


def test_suggestion_replaces_the_part_it_belongs_to_when_two_were_not_recognised(page):
    _check(page, "Tylenol\nVentalinn inhaler 2 puffs, Lasiks 40mg")
    page.get_by_role("button", name="Use Ventolin instead of Ventalinn and check again").click()
    page.locator(".group-flagged").get_by_text("beta-2 agonists").first.wait_for()
    assert page.get_by_label("Your medicines").input_value() == "Tylenol\nVentolin inhaler 2 puffs, Lasiks 40mg"


def test_quinine_note_points_to_the_warning_on_the_page(page):
    _check(page, "Lasix\nquinine 300mg at night")
    warning = page.get_by_role("alert")
    assert "FDA" in warning.inner_text()
    entry = page.locator(".entry", has_text="quinine 300mg at night")
    note = entry.get_by_text("Quinine is not a treatment for leg cramps").inner_text()
    assert "below" not in note and "above" not in note and "quinine warning in this result" in note
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    entry.get_by_role("link", name="Go to the quinine warning").click()
    assert page.evaluate("document.activeElement.id") == "warning-quinine-for-cramps"
    assert warning.is_visible()


def test_no_quinine_link_without_quinine(page):
    _check(page, "Lasix")
    assert page.get_by_role("link", name="Go to the quinine warning").count() == 0


def test_unrecognised_conditions_are_shown_with_a_hint(page):
    page.get_by_label("Health conditions (optional)").fill("CKD, diabetis, bad knees")
    _check(page, "Lasix")
    section = page.locator(".group-unmatched-conditions")
    assert "Conditions not recognised (2)" in section.get_by_role("heading").inner_text()
    assert section.get_by_text("diabetis", exact=True).is_visible()
    assert section.get_by_text("bad knees", exact=True).is_visible()
    assert "Check the spelling" in section.inner_text() and "kidney disease" in section.inner_text()
    recognised = page.locator(".group", has=page.get_by_role("heading", name="Conditions linked to cramps"))
    assert recognised.get_by_text("Kidney disease, kidney failure or dialysis").is_visible()  # the one recognised
    assert page.get_by_label("Health conditions (optional)").input_value() == "CKD, diabetis, bad knees"


def test_a_long_pack_name_is_answered_with_the_rest_of_the_list(page):
    pack = "{21 (ethinyl estradiol 0.03 MG / levonorgestrel 0.15 MG Oral Tablet) / 7 (inert ingredients 1 MG " \
           "Oral Tablet) } Pack [Levora 28]"
    _check(page, "Lasix\n" + pack + "\n" + "a" * 2500)
    assert page.locator(".group-flagged").get_by_role("heading", name="Lasix").is_visible()
    assert page.locator(".group-unresolved").count() == 1


@pytest.mark.parametrize(
    ("medicines", "conditions", "what", "todo"),
    [
        ("\n".join(["Tylenol"] * 250), "", "You entered 250 medicines; CrampCheck checks at most 200 at a time.",
         "Split your list into parts of 200 or fewer"),
        ("Lasix", ", ".join(f"condition {n}" for n in range(60)),
         "You entered 60 conditions; CrampCheck checks at most 50 at a time.", "Split the conditions"),
    ],
)
def test_validation_problems_are_told_in_plain_words_and_the_input_is_kept(page, medicines, conditions, what, todo):
    page.get_by_label("Health conditions (optional)").fill(conditions)
    page.get_by_label("Your medicines").fill(medicines)
    page.get_by_role("button", name="Check my medicines").click()
    status = page.locator("#check-status")
    status.get_by_text(what).wait_for()
    text = status.inner_text()
    assert todo in text and "Your list has been kept" in text
    for api_words in ("failed validation", "errors", "per request", "got "):
        assert api_words not in text
    assert page.get_by_label("Your medicines").input_value() == medicines
    assert page.get_by_label("Health conditions (optional)").input_value() == conditions


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (413, '{"title": "Request Entity Too Large", "status": 413, "detail": "The data value transmitted exceeds '
              'the capacity limit."}', "more than CrampCheck accepts in one go"),
        (429, '{"title": "Too Many Requests", "status": 429}', "Wait a minute, then try again"),
        (422, '{"title": "Unprocessable Entity", "status": 422, "detail": "The request body or parameters failed '
              'validation; see errors for each field.", "errors": {"openfda": ["Not a valid boolean."]}}',
         "Reload the page and try again"),
    ],
)
def test_other_problem_documents_are_plain_words_too(page, status, body, words):
    page.route("**/api/v1/check", lambda route: route.fulfill(
        status=status, content_type="application/problem+json", body=body))
    page.get_by_label("Your medicines").fill("Lasix")
    page.get_by_role("button", name="Check my medicines").click()
    page.locator("#check-status .error-box").wait_for()
    text = page.locator("#check-status").inner_text()
    assert words in text and "failed validation" not in text and "capacity limit" not in text
    assert page.get_by_label("Your medicines").input_value() == "Lasix"


def test_keyboard_only_run_with_autocomplete(page):
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "lang-es"  # the language switch
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "add-input"
    page.keyboard.type("lasi")
    page.locator("#add-options [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    assert page.get_by_role("combobox").get_attribute("aria-activedescendant") == "add-option-0"
    page.keyboard.press("Enter")
    assert page.get_by_label("Your medicines").input_value() == "Lasix"
    for _ in range(5):  # Add button, medicines, conditions, onset, Check button
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "check-button"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your results").wait_for()
    assert page.evaluate("document.activeElement.id") == "results-heading"
    page.screenshot(path=str(SCREENSHOTS / "keyboard.png"), full_page=True)


def test_empty_list_says_what_is_needed(page):
    page.get_by_role("button", name="Check my medicines").click()
    assert page.get_by_text("Enter at least one medicine.").is_visible()
    assert page.evaluate("document.activeElement.id") == "medications"


def test_unreachable_api_shows_a_message_and_keeps_the_input(page):
    page.route("**/api/v1/check", lambda route: route.abort("connectionrefused"))
    page.get_by_label("Your medicines").fill("Lasix 40mg\nLipitor")
    page.get_by_role("button", name="Check my medicines").click()
    page.get_by_text("We could not reach CrampCheck").wait_for()
    assert "Your list has been kept" in page.locator("#check-status").inner_text()
    assert page.get_by_label("Your medicines").input_value() == "Lasix 40mg\nLipitor"
    page.screenshot(path=str(SCREENSHOTS / "offline.png"), full_page=True)


def test_api_failure_shows_a_plain_message_and_keeps_the_input(page):
    page.route("**/api/v1/check", lambda route: route.fulfill(
        status=500, content_type="application/problem+json",
        body='{"type": "about:blank", "title": "Internal Server Error", "status": 500}'))
    page.get_by_label("Your medicines").fill("Lasix")
    page.get_by_role("button", name="Check my medicines").click()
    page.get_by_text("Something went wrong on our side (error 500)").wait_for()
    assert page.get_by_label("Your medicines").input_value() == "Lasix"


def test_csv_upload_gives_a_downloadable_result(page, tmp_path):
    upload = tmp_path / "lists.csv"
    upload.write_text('patient_id,medications\nP1,"Lasix 40mg; Tylenol"\nP2,Lipitor\n')
    page.get_by_label("CSV or Excel file", exact=True).set_input_files(str(upload))
    page.get_by_role("button", name="Upload and check").click()
    link = page.get_by_role("link", name="Download the results (CSV)")
    link.wait_for()
    with page.expect_download() as download_info:
        link.click()
    text = Path(download_info.value.path()).read_text()
    assert text.startswith("patient_id,row,position,medication,status")
    assert "P1,2,1,Lasix 40mg,flagged" in text


@pytest.mark.parametrize(("zone", "shown"), [("Asia/Tokyo", "GMT+9"), ("America/New_York", "EST")])
def test_large_csv_becomes_a_job_with_progress_downloads_and_an_expiry_with_its_time_zone(
        browser, base_url, tmp_path, zone, shown):
    context = browser.new_context(base_url=base_url, timezone_id=zone, locale="en-US")
    page = context.new_page()
    page.goto("/")
    upload = tmp_path / "big.csv"
    upload.write_text("patient_id,medications\n" + "".join(f"P{n},Lasix, Lipitor\n" for n in range(120)))
    page.get_by_label("CSV or Excel file", exact=True).set_input_files(str(upload))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_role("link", name="Download the per-patient summary (CSV)").wait_for(timeout=30_000)
    status = page.locator("#batch-status")
    assert "120 rows checked" in status.inner_text()
    assert shown in status.locator("time").inner_text()
    assert status.locator("time").get_attribute("datetime").endswith(("Z", "+00:00"))
    page.screenshot(path=str(SCREENSHOTS / "batch.png"), full_page=True)
    context.close()


def test_csv_panel_says_what_files_and_separators_it_takes_and_how_results_come_back(page):
    hint = page.locator("#batch-hint").inner_text()
    assert "CSV file or as JSON" in hint
    for accepted in (".xlsx", "comma, semicolon or tab", ", ; | or line breaks", "Patient Number"):
        assert accepted in hint, accepted


def test_excel_workbook_upload_gives_json_results_when_asked(page, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    for row in (["Patient #", "Medications"], ["P1", "Lasix 40mg, Tylenol"], ["P2", "quinine"]):
        book.active.append(row)
    upload = tmp_path / "lists.xlsx"
    book.save(upload)
    page.get_by_label("CSV or Excel file", exact=True).set_input_files(str(upload))
    page.get_by_label("JSON").check()
    page.get_by_role("button", name="Upload and check").click()
    link = page.get_by_role("link", name="Download the results (JSON)")
    link.wait_for()
    with page.expect_download() as download_info:
        link.click()
    body = json.loads(Path(download_info.value.path()).read_text())
    assert [(r["patient_id"], r["medication"], r["status"]) for r in body["rows"]][:2] == [
        ("P1", "Lasix 40mg", "flagged"), ("P1", "Tylenol", "not flagged")]


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("scan.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Save the file as CSV"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "CSV UTF-8"),
        ("lists.csv", b"who,what\nP1,Lasix\n", "patient_number"),
    ],
)
def test_refused_batch_files_say_what_to_do(page, tmp_path, name, data, words):
    upload = tmp_path / name
    upload.write_bytes(data)
    page.get_by_label("CSV or Excel file", exact=True).set_input_files(str(upload))
    page.get_by_role("button", name="Upload and check").click()
    page.locator("#batch-status .error-box").wait_for()
    assert words in page.locator("#batch-status").inner_text()


def test_page_works_at_phone_width(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto("/")
    _check(page, "Lasix\nLipitor")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SCREENSHOTS / "phone.png"), full_page=True)
    context.close()


def test_page_has_a_strict_content_security_policy(base_url):
    import requests

    response = requests.get(base_url + "/", timeout=5)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "<script>" not in response.text and "https://" not in response.text.split("<footer")[0]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, two: str) -> float:
    high, low = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_palette_meets_wcag_aa_contrast():
    import re

    css = (Path(__file__).parent.parent / "service/static/app.css").read_text()
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", css))
    for name in ("ink", "muted", "brand", "strong", "moderate", "weak", "ok"):
        for background in ("paper", "wash", "danger-wash", "warn-wash"):
            assert _contrast(colours[name], colours[background]) >= 4.5, (name, background)
    assert _contrast("#ffffff", colours["brand"]) >= 4.5  # button text
    assert _contrast(colours["focus"], colours["paper"]) >= 3  # focus ring (non-text)


def test_api_docs_page_renders_offline_under_its_csp(browser, base_url):
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/api/v1/docs")
    page.get_by_text("/api/v1/check", exact=True).wait_for()
    assert page.get_by_role("heading", name="CrampCheck API").is_visible()
    assert errors == []
    context.close()


@pytest.mark.parametrize(
    ("typed", "headings"),
    [
        ("Vitamin D 1,000 IU, Lasix 40mg", ["Vitamin D 1,000 IU", "Lasix 40mg"]),
        ("calcium 1,000mg; Lipitor | Tylenol", ["calcium 1,000mg", "Lipitor", "Tylenol"]),
        ("Lasix 40mg,Lipitor\nTylenol", ["Lasix 40mg", "Lipitor", "Tylenol"]),
    ],
)
def test_typed_list_splits_like_a_batch_cell_and_keeps_strengths_whole(page, typed, headings):
    _check(page, typed)
    # entries are grouped by outcome, so compare them as a set of headings
    assert sorted(page.locator(".entry-name").all_inner_texts()) == sorted(headings)


def test_combinations_that_raise_the_risk_are_shown_with_their_sources(page):
    _check(page, "simvastatin 40 mg\nclarithromycin 500 mg\nLasix\nHCTZ")
    combinations = page.locator(".group-amplifiers")
    assert "(2)" in combinations.locator("h3").inner_text()
    text = combinations.inner_text()
    assert "simvastatin 40 mg with clarithromycin 500 mg" in text and "Lasix with HCTZ" in text
    assert "prescriber or pharmacist" in text
    assert combinations.get_by_role("link", name="MHRA").first.get_attribute("href").startswith("http")


def test_a_list_in_the_address_fragment_is_checked_and_leaves_the_address(browser, base_url):
    from urllib.parse import quote

    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/#list=" + quote("Lasix 40mg\nTylenol", safe=""))
    page.get_by_role("heading", name="Your results").wait_for()
    assert page.get_by_label("Your medicines").input_value() == "Lasix 40mg\nTylenol"
    assert "(1)" in page.locator(".group-flagged h3").inner_text()
    assert page.evaluate("window.location.hash") == ""
    context.close()


@pytest.fixture(scope="module")
def keys_base_url(database_uri, tmp_path_factory):
    """A server that requires API keys: the page must work through its same-origin session."""
    app = create_app({"TESTING": True, "DATABASE_URL": database_uri, "OPENFDA_ENABLED": False, "API_KEYS": "required",
                      "HUEY_SQLITE_FILE": str(tmp_path_factory.mktemp("web-keys") / "queue.db"),
                      "HUEY_NAME": "web-keys-tests", "BATCH_SYNC_MAX_ROWS": 50, "BATCH_CHUNK_ROWS": 20})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_page_works_without_a_key_when_keys_are_required(browser, keys_base_url, tmp_path):
    context = browser.new_context(base_url=keys_base_url, accept_downloads=True)
    page = context.new_page()
    page.goto("/")
    _check(page, "Lasix 40mg\nLipitor")
    assert "Loop diuretics" in page.locator("#results").inner_text()
    upload = tmp_path / "big.csv"
    upload.write_text("patient_id,medications\n" + "".join(f"P{n},Lasix, Lipitor\n" for n in range(60)))
    page.get_by_label("CSV or Excel file", exact=True).set_input_files(str(upload))
    page.get_by_role("button", name="Upload and check").click()
    link = page.get_by_role("link", name="Download the results (CSV)")
    link.wait_for(timeout=30_000)
    with page.expect_download() as download_info:
        link.click()
    assert Path(download_info.value.path()).read_text().startswith("patient_id,row,position")
    # The same API from anywhere else still needs a key.
    assert context.request.get(keys_base_url + "/api/v1/drug-classes",
                               headers={"Sec-Fetch-Site": "cross-site"}).status == 401
    context.close()


def test_page_explains_the_list_and_the_printed_note_carries_attribution_combinations_and_checks(page):
    page.get_by_label("When did the cramps start?").fill("2 weeks ago")
    _check(page, "simvastatin 80 mg (started 3 weeks ago)\nclarithromycin\nhydrochlorothiazide\nfurosemide\n"
                 "omeprazole\nlevothyroxine")
    attribution = page.locator(".group-attribution")
    assert attribution.locator("ol > li").first.inner_text().startswith("Rank 1: simvastatin 80 mg")
    assert "supports it" in attribution.inner_text()
    assert page.locator(".group-other-causes").get_by_text("Losing fluid or salts").is_visible()
    assert "unlikely to help" in page.locator(".group-self-care").inner_text()
    page.emulate_media(media="print")
    note = page.locator(".prescriber-note")
    assert note.is_visible()
    text = note.inner_text()
    assert "Rank 1: simvastatin 80 mg" in text
    assert "simvastatin 80 mg (started 3 weeks ago) with clarithromycin" in text
    assert "Creatine kinase (CK)" in text and "Serum potassium" in text and "Serum magnesium" in text
    # the checks are the prescriber's: not in the patient's advice above the note
    assert "Creatine kinase" not in page.locator(".advice > p").first.inner_text()


def test_an_unreadable_onset_is_told_beside_its_field_and_the_list_is_kept(page):
    page.get_by_label("When did the cramps start?").fill("last Tuesday")
    page.get_by_label("Your medicines").fill("furosemide")
    page.get_by_role("button", name="Check my medicines").click()
    error = page.locator("#onset-error")
    error.wait_for()
    assert "N weeks ago" in error.inner_text()
    assert page.get_by_label("Your medicines").input_value() == "furosemide"


def test_spanish_page_checks_and_answers_in_spanish_and_switches_back(browser, base_url):
    context = browser.new_context(base_url=base_url, locale="es-ES")  # the browser asks for Spanish
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_label("Sus medicamentos").fill("furosemida 40 mg\nLasics\nquinina")
    page.get_by_role("button", name="Comprobar mis medicamentos").click()
    page.get_by_role("heading", name="Sus resultados").wait_for()
    flagged = page.locator(".group-flagged")
    assert flagged.get_by_text("Diuréticos del asa").is_visible()
    assert flagged.get_by_text("Evidencia moderada").first.is_visible()
    assert "Podrían estar contribuyendo" in flagged.locator("h3").inner_text()
    assert "La quinina" in page.locator("#warning-quinine-for-cramps").inner_text()
    advice = page.locator(".advice").inner_text()
    assert "hable antes con su médico o farmacéutico" in advice and "Qué hacer ahora" in advice
    assert "CrampCheck ofrece información general" in page.locator(".disclaimer").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "results-es.png"), full_page=True)
    page.get_by_role("button", name="Usar Lasix en lugar de Lasics y comprobar de nuevo").click()
    page.locator(".group-flagged h3", has_text="(2)").wait_for()
    assert page.get_by_label("Sus medicamentos").input_value() == "furosemida 40 mg\nLasix\nquinina"
    page.get_by_role("link", name="English").click()
    page.get_by_role("heading", name="Check a medication list").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()
    assert not errors, errors
