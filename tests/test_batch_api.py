"""POST /api/v1/batch for files small enough to answer at once."""

import csv
import io

import pytest

WIDE = b'patient_id,medications,conditions\nP1,"Lasix 40mg; Tylenol",CKD\nP2,"=HYPERLINK(""x""); xyzzy",\nP3,,\n'


def _post_csv(client, data: bytes, **kwargs):
    return client.post("/api/v1/batch", data=data, content_type="text/csv", **kwargs)


def _csv(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_csv_body_answers_csv_with_every_row_in_order(client):
    response = _post_csv(client, WIDE)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _csv(response)
    assert [(r["patient_id"], r["row"], r["position"]) for r in rows] == [
        ("P1", "2", "1"), ("P1", "2", "2"), ("P2", "3", "1"), ("P2", "3", "2"), ("P3", "4", "1")]
    assert [r["status"] for r in rows] == ["flagged", "not flagged", "unresolved", "unresolved", "error"]
    assert rows[0]["drug_classes"] == "Loop diuretics" and rows[0]["evidence_tiers"] == "moderate"
    assert rows[0]["sources"].startswith("https://")
    assert "empty" in rows[4]["problem"]


def test_formula_cells_are_neutralised(client):
    rows = _csv(_post_csv(client, WIDE))
    assert rows[2]["medication"] == "'=HYPERLINK(\"x\")"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("query", [{}, {"part": "summary"}])
def test_cells_with_a_delimiter_a_spreadsheet_may_split_on_are_quoted(client, query):
    # Long format, so the semicolon stays in one medication; a spreadsheet splitting on ';' or tab
    # must not see '=1+1' or '@SUM(A1)' as cells of their own.
    data = b'patient_id,medication\n"P;=1+1",Lasix\n"P2\t@SUM(A1)","Lasix; =1+1"\n'
    text = _post_csv(client, data, query_string=query).get_data(as_text=True)
    lines = text.splitlines()[1:]
    assert lines[0].startswith('"P;\'=1+1",') and lines[-1].startswith('"P2\t\'@SUM(A1)",')
    for line in lines:
        for delimiter in (";", "\t"):
            for cell in next(csv.reader([line], delimiter=delimiter))[1:]:
                assert not cell.lstrip().startswith(("=", "+", "@")), (delimiter, cell)
    rows = list(csv.DictReader(io.StringIO(text)))  # a comma reader reads every cell back, made inert
    assert rows[0]["patient_id"] == "P;'=1+1"


def test_multipart_upload_and_json_answer(client):
    response = client.post(
        "/api/v1/batch", data={"file": (io.BytesIO(WIDE), "lists.csv")},
        headers={"Accept": "application/json"}, content_type="multipart/form-data",
    )
    body = response.get_json()
    assert [r["medication"] for r in body["rows"]][:2] == ["Lasix 40mg", "Tylenol"]
    assert body["rows"][2]["medication"] == '=HYPERLINK("x")'
    p1 = body["patients"][0]
    assert p1["patient_id"] == "P1" and p1["flagged"] == 1 and p1["conditions"] == ["kidney-disease"]
    assert "prescriber or pharmacist" in body["advice"] and body["disclaimer"] and body["seed_version"]


def test_summary_part_has_one_row_per_patient(client):
    rows = _csv(_post_csv(client, WIDE, query_string={"part": "summary"}))
    assert [(r["patient_id"], r["flagged"], r["errors"]) for r in rows] == [("P1", "1", "0"), ("P2", "0", "0"), ("P3", "0", "1")]
    assert all("prescriber or pharmacist" in r["advice"] for r in rows)


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (b"", 422, "empty"),
        (b"patient_id,medications\n", 422, "no data rows"),
        (b"who,what\nP1,Lasix\n", 422, "patient_id"),
    ],
)
def test_file_problems_are_4xx_problems_that_say_what_was_expected(client, data, status, words):
    response = _post_csv(client, data)
    assert response.status_code == status and response.mimetype == "application/problem+json"
    assert words in response.get_json()["detail"]


@pytest.mark.parametrize("data, medications", [
    (b"patient_id,medications,medications\nP1,simvastatin,xyzzy\n", ["simvastatin", "xyzzy"]),
    (b"patient_id,medications,drugs\nP1,simvastatin; Lasix,xyzzy\n", ["simvastatin", "Lasix", "xyzzy"]),
    (b"patient_id,medications,medication\nP1,simvastatin,xyzzy\n", ["simvastatin", "xyzzy"]),
    (b"MRN,Brand Name,Generic Name\nP1,Lipitor 20mg,atorvastatin\n", ["atorvastatin (Lipitor 20mg)"]),
    (b"patient_id,drug_name,generic_name\nP1,,furosemide\n", ["furosemide"]),
    (b"patient_id,medication,medication_description\nP1,ZOCOR,Zocor\n", ["ZOCOR"]),  # the same: read once
])
def test_every_medication_column_is_read_none_dropped(client, data, medications):
    # The second column was never read, and nothing said so.
    rows = _csv(_post_csv(client, data))
    assert [r["medication"] for r in rows] == medications


def test_every_condition_column_is_read(client):
    response = _post_csv(client, b"patient_id,medications,conditions,diagnoses\nP1,simvastatin,CKD,pregnancy\n",
                         headers={"Accept": "application/json"})
    assert response.get_json()["patients"][0]["conditions"] == ["kidney-disease", "pregnancy"]


def test_several_patient_id_columns_are_fine(client):
    rows = _csv(_post_csv(client, b"patient_id,mrn,patient_name,medications\nP1,123,Ann,Lasix\n"))
    assert rows[0]["patient_id"] == "P1" and rows[0]["status"] == "flagged"


def test_not_a_csv_upload_is_415(client):
    response = client.post("/api/v1/batch", json={"medications": ["Lasix"]})
    assert response.status_code == 415 and response.mimetype == "application/problem+json"


def test_multipart_without_file_field_is_422(client):
    response = client.post("/api/v1/batch", data={"other": "x"}, content_type="multipart/form-data")
    assert response.status_code == 422 and "file" in response.get_json()["errors"]


@pytest.mark.parametrize("data", [
    {"file": [(io.BytesIO(WIDE), "a.csv"), (io.BytesIO(WIDE), "b.csv")]},  # the second file was dropped
    {"file": (io.BytesIO(WIDE), "a.csv"), "more": (io.BytesIO(WIDE), "b.csv")},
    {"file": (io.BytesIO(WIDE), "a.csv"), "lang": ["es", "en"]},
])
def test_a_form_with_more_than_it_can_use_is_refused_not_partly_read(client, data):
    response = client.post("/api/v1/batch", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("url", ["/api/v1/batch?part=summary&part=results", "/api/v1/batch?lang=es&lang=en"])
def test_a_query_parameter_given_twice_is_refused(client, url):
    response = client.post(url, data=WIDE, content_type="text/csv")
    assert response.status_code == 422 and "more than once" in response.get_json()["detail"]
    assert client.get("/api/v1/medications/suggest?q=lasi&q=simv").status_code == 422
    # A parameter the service does not use is ignored however often it is given, as once would be.
    assert client.get("/api/v1/medications/suggest?q=simva&utm=a&utm=b").status_code == 200


def test_upload_over_the_size_limit_is_413(app, client):
    limit = app.config["BATCH_MAX_BYTES"]
    response = _post_csv(client, b"patient_id,medications\n" + b"P,Lasix\n" * (limit // 8 + 1))
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_enormous_cell_is_a_row_error_not_a_failure(client):
    data = b"patient_id,medications\nP1," + b"Lasix;" * 5000 + b"\nP2,Lipitor\n"
    rows = _csv(_post_csv(client, data))
    assert rows[0]["status"] == "error" and "longer than" in rows[0]["problem"]
    assert rows[1]["status"] == "flagged"


def test_a_cell_beyond_the_csv_modules_field_limit_is_a_row_error(client):
    data = b"patient_id,medications\nP1," + b"x" * 200_000 + b"\nP2,Lasix\n"
    response = _post_csv(client, data)
    assert response.status_code == 200
    rows = _csv(response)
    assert [r["status"] for r in rows] == ["error", "flagged"]


def test_binary_data_anywhere_in_the_file_is_refused(client):
    response = _post_csv(client, b"patient_id,medications\nP1,Lasix\n" + b"P2,\x00\x01\x02\n")
    assert response.status_code == 415 and response.mimetype == "application/problem+json"


def test_each_row_holding_quinine_carries_the_warning_code(client):
    upload = b"patient_id,medications\nP1,quinine 300mg; Lasix\nP2,Tylenol\nP3,tonic water at night\n"
    rows = client.post("/api/v1/batch", data=upload, content_type="text/csv",
                       headers={"Accept": "application/json"}).get_json()["rows"]
    warned = {(r["patient_id"], r["medication"]) for r in rows if "quinine-for-cramps" in r["warnings"]}
    assert warned == {("P1", "quinine 300mg"), ("P3", "tonic water at night")}


def test_the_summary_lists_conditions_it_could_not_recognise(client):
    upload = b'patient_id,medications,conditions\nP1,Lasix,"CKD; bad knees"\nP2,Tylenol,\n'
    body = client.post("/api/v1/batch", data=upload, content_type="text/csv",
                       headers={"Accept": "application/json"}).get_json()
    p1, p2 = body["patients"]
    assert p1["conditions"] == ["kidney-disease"] and p1["unrecognised_conditions"] == ["bad knees"]
    assert p2["unrecognised_conditions"] == []
    summary = client.post("/api/v1/batch?part=summary", data=upload, content_type="text/csv").get_data(as_text=True)
    assert "unrecognised_conditions" in summary.splitlines()[0] and "bad knees" in summary


def test_codes_in_cells_are_read_like_the_api_reads_them(client):
    data = "patient_id,medications\nP1,\"RxCUI 4603; Lipitor\"\nP2,NDC 0378-0208-01\n"
    rows = client.post("/api/v1/batch", data=data, content_type="text/csv",
                       headers={"Accept": "application/json"}).get_json()["rows"]
    assert [(r["medication"], r["status"], r["ingredients"]) for r in rows] == [
        ("RxCUI 4603", "flagged", ["furosemide"]), ("Lipitor", "flagged", ["atorvastatin"]),
        ("NDC 0378-0208-01", "unresolved", [])]
    assert "openFDA" in rows[2]["notes"]
