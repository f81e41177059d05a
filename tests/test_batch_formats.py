"""Batch files as pharmacy teams export them: list cells, header names, Excel's `sep=` line,
UTF-16 "Unicode text", .xlsx workbooks, and a plain refusal for anything else."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from service.batch.reading import BatchFileError, decode, detect_layout, read_rows


def _rows(data: bytes):
    text = decode(data)
    layout = detect_layout(text)
    return layout, list(read_rows(text, layout, 4000))


def _medications(cell: str) -> list[str]:
    return _rows(f'patient_id,medications\nP1,"{cell}"\n'.encode())[1][0].medications


@pytest.mark.parametrize(
    ("cell", "entries"),
    [
        # separators people use between entries
        ("Lasix 40mg, Lipitor 20mg, Tylenol", ["Lasix 40mg", "Lipitor 20mg", "Tylenol"]),
        ("Lasix 40mg,Lipitor", ["Lasix 40mg", "Lipitor"]),
        ("Lasix; Lipitor | Tylenol", ["Lasix", "Lipitor", "Tylenol"]),
        ("Lasix\nLipitor\r\nTylenol", ["Lasix", "Lipitor", "Tylenol"]),
        ("Lasix,, Lipitor;", ["Lasix", "Lipitor"]),
        ("Lasix 40mg daily, 1,000 mg calcium", ["Lasix 40mg daily", "1,000 mg calcium"]),
        # strengths with a comma stay whole
        ("Vitamin D 1,000 IU, Lasix", ["Vitamin D 1,000 IU", "Lasix"]),
        ("calcium 1,000mg; Lasix", ["calcium 1,000mg", "Lasix"]),
        ("metformin 1,000 mg bid, Lipitor 20mg", ["metformin 1,000 mg bid", "Lipitor 20mg"]),
        ("vitamin D3 50,000 units weekly|Lipitor", ["vitamin D3 50,000 units weekly", "Lipitor"]),
        ("amlodipine 2,5 mg, Lasix", ["amlodipine 2,5 mg", "Lasix"]),
        ("Hyzaar 50/12.5", ["Hyzaar 50/12.5"]),
    ],
)
def test_list_cells_split_on_every_separator_but_not_inside_a_strength(cell, entries):
    assert _medications(cell) == entries


def test_conditions_cells_split_on_commas_too():
    _, rows = _rows(b'patient_id,medications,conditions\nP1,Lasix,"CKD, diabetes"\n')
    assert rows[0].conditions == ["CKD", "diabetes"]


def test_long_layout_keeps_one_medication_per_row_even_with_a_comma():
    _, rows = _rows(b'Patient ID,Drug Name\nP1,"Vitamin D 1,000 IU"\n')
    assert rows[0].medications == ["Vitamin D 1,000 IU"]


@pytest.mark.parametrize(
    "id_header",
    ["Patient Number", "Patient No", "Patient No.", "Patient #", "Patient Num", "PatientNo", "Pt ID", "PtID",
     "pt_id", "Patient-ID", "PATIENT NUMBER", "Patient Identifier", "MRN", "Medical Record Number",
     "NHS Number", "Client ID", "Resident ID", "Patient Name", "patientid"],
)
def test_patient_column_header_variants_are_accepted(id_header):
    _, rows = _rows(f'{id_header},medications\nP7,"Lasix, Lipitor"\n'.encode())
    assert rows[0].patient_id == "P7" and rows[0].medications == ["Lasix", "Lipitor"]


@pytest.mark.parametrize(
    ("medication_header", "kind"),
    [("Medication Name", "long"), ("Drug Name", "long"), ("DrugName", "long"), ("Rx", "long"),
     ("Medicine Name", "long"), ("Drug Description", "long"), ("Product Name", "long"),
     ("Generic Name", "long"), ("Prescription", "long"), ("Medication", "long"),
     ("Medications", "wide"), ("Medication(s)", "wide"), ("Medication List", "wide"), ("Current Meds", "wide"),
     ("Drug Names", "wide"), ("Prescriptions", "wide"), ("Active Medications", "wide")],
)
def test_medication_column_header_variants_are_accepted(medication_header, kind):
    layout, rows = _rows(f"Patient Number,{medication_header}\nP1,Lasix 40mg\n".encode())
    assert layout.kind == kind and rows[0].medications == ["Lasix 40mg"]


def test_header_error_lists_the_accepted_names_including_the_variants():
    with pytest.raises(BatchFileError) as raised:
        detect_layout(decode(b"Name,Notes\nP1,Lasix\n"))
    detail = raised.value.detail
    for name in ("patient_number", "mrn", "medication_name", "drug_name", "rx", "medications", "conditions"):
        assert name in detail
    assert "'#'" in detail and "'Pt'" in detail


@pytest.mark.parametrize(
    ("data", "delimiter"),
    [
        (b"sep=;\npatient_id;medications\nP1;Lasix, Lipitor\n", ";"),
        (b"sep=;\r\nPatient Number;Medications\r\nP1;Lasix, Lipitor\r\n", ";"),
        (b'"sep=,"\npatient_id,medications\nP1,"Lasix, Lipitor"\n', ","),
        (b"SEP=\t\npatient_id\tmedications\nP1\tLasix, Lipitor\n", "\t"),
        (b"sep=|\npatient_id|medications\nP1|Lasix, Lipitor\n", "|"),
        ("\ufeffsep=;\npatient_id;medications\nP1;Lasix, Lipitor\n".encode(), ";"),
        # the declared delimiter wins even when the header has more of another character
        (b'sep=;\npatient_id;medications;"notes, if any, from the pharmacist"\nP1;Lasix, Lipitor;\n', ";"),
    ],
)
def test_excel_sep_line_names_the_delimiter_and_the_header_stays_row_1(data, delimiter):
    layout, rows = _rows(data)
    assert layout.delimiter == delimiter
    assert [(r.row, r.patient_id, r.medications) for r in rows] == [(2, "P1", ["Lasix", "Lipitor"])]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_unicode_text_is_read(encoding):
    text = "Patient Number\tMedications\tConditions\r\nP1\tLasix 40mg; Lipitor\tCKD\r\nP2\tHydrochlorothiazide 12,5 mg\t\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-le":  # Excel's "Unicode Text" writes a BOM; some tools do not
        data = b"\xff\xfe" + data
    layout, rows = _rows(data)
    assert layout.delimiter == "\t"
    assert [(r.patient_id, r.medications) for r in rows] == [
        ("P1", ["Lasix 40mg", "Lipitor"]), ("P2", ["Hydrochlorothiazide 12,5 mg"])]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_recognised(encoding):
    _, rows = _rows("patient_id,medications\nP1,Lasix – 40mg\n".encode(encoding))
    assert rows[0].medications == ["Lasix – 40mg"]


def _workbook(*rows, extra_sheet: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    if extra_sheet:
        book.create_sheet("Notes").append(["patient_id", "medications"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_first_sheet_is_read_with_numbers_and_dates_as_text():
    data = _workbook(
        ["Patient Number", "Medications", "Conditions", "Reviewed"],
        [1001, "Lasix 40mg daily, Lipitor 20mg\nTylenol", "CKD", dt.datetime(2026, 11, 3)],
        [],
        [1002.5, "quinine", None, dt.datetime(2026, 11, 3, 14, 5)],
        extra_sheet=True,
    )
    layout, rows = _rows(data)
    assert layout.kind == "wide"
    assert [(r.row, r.patient_id, r.medications, r.conditions) for r in rows] == [
        (2, "1001", ["Lasix 40mg daily", "Lipitor 20mg", "Tylenol"], ["CKD"]),
        (4, "1002.5", ["quinine"], [])]
    text = decode(data)
    assert "2026-11-03" in text and "2026-11-03 14:05:00" in text


def test_xlsx_long_layout_and_trailing_empty_cells():
    data = _workbook(["Pt ID", "Drug Name", None, None], ["P1", "Lasix 40mg", None, None], ["P1", "Lipitor", None, None])
    layout, rows = _rows(data)
    assert layout.kind == "long" and [r.medications for r in rows] == [["Lasix 40mg"], ["Lipitor"]]
    assert all(r.problem is None for r in rows)


def test_xlsx_that_turns_into_too_much_text_is_refused_with_413():
    from service.batch.reading import workbook_to_csv

    data = _workbook(["patient_id", "medications"], *[[f"P{n}", "Lasix 40mg daily"] for n in range(500)])
    with pytest.raises(BatchFileError) as raised:
        workbook_to_csv(data, max_chars=1000)
    assert raised.value.status == 413 and "split it" in raised.value.detail


def _with_shared_strings(workbook: bytes, count: int) -> bytes:
    """A workbook with `count` shared strings of 90 characters added: a few MB that unpack to far more."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item.filename))
        strings = b"".join(b"<si><t>%010d%s</t></si>" % (n, b"x" * 80) for n in range(count))
        archive.writestr("xl/sharedStrings.xml", b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats'
                         b'.org/spreadsheetml/2006/main">' + strings + b"</sst>")
    return out.getvalue()


def test_a_workbook_packing_too_much_text_is_refused_before_it_is_read():
    # 2.4 million strings in a 6.6 MB file once took 30 s and 900 MB of a web thread to read.
    data = _with_shared_strings(_workbook(["patient_id", "medications"], ["P1", "Lasix"]), 300_000)
    assert len(data) < 2_000_000
    with pytest.raises(BatchFileError) as raised:
        decode(data)
    assert raised.value.status == 413 and "unpack to more than" in raised.value.detail


def test_workbooks_are_read_one_at_a_time_and_a_waiting_one_is_told_to_retry(monkeypatch, client):
    from service.batch import reading

    monkeypatch.setattr(reading, "WORKBOOK_WAIT_SECONDS", 0.1)
    data = _workbook(["patient_id", "medications"], ["P1", "Lasix"])
    assert reading._WORKBOOK_READS.acquire(timeout=5)  # another upload's workbook is being read
    try:
        response = client.post("/api/v1/batch", data={"file": (io.BytesIO(data), "lists.xlsx")},
                               content_type="multipart/form-data")
    finally:
        reading._WORKBOOK_READS.release()
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert client.post("/api/v1/batch", data={"file": (io.BytesIO(data), "lists.xlsx")},
                       content_type="multipart/form-data").status_code == 200


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), ".xls"),
        (_zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}), ".ods"),
        (_zip({"readme.txt": "hello"}), "ZIP archive"),
        (b"PK\x03\x04 damaged", "not a CSV"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x00\x01", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ],
)
def test_other_binary_files_get_415_that_says_how_to_save_as_csv(data, words):
    with pytest.raises(BatchFileError) as raised:
        decode(data)
    assert raised.value.status == 415
    assert words in raised.value.detail
    assert "CSV UTF-8" in raised.value.detail and "Save the file as CSV" in raised.value.detail


def test_xlsx_upload_through_the_api_answers_every_row(client):
    data = _workbook(["Patient #", "Medication List"], ["P1", "Lasix 40mg, Tylenol"], ["P2", "Lipitor"])
    response = client.post("/api/v1/batch", data={"file": (io.BytesIO(data), "lists.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["patient_id"], r["row"], r["medication"], r["status"]) for r in rows] == [
        ("P1", "2", "Lasix 40mg", "flagged"), ("P1", "2", "Tylenol", "not flagged"), ("P2", "3", "Lipitor", "flagged")]


def test_sep_line_upload_through_the_api_counts_only_data_rows(client):
    ok = client.post("/api/v1/batch", data=b"sep=;\nPatient Number;Medications\nP1;Lasix 40mg, Tylenol\n",
                     content_type="text/csv")
    rows = list(csv.DictReader(io.StringIO(ok.get_data(as_text=True))))
    assert [(r["row"], r["medication"]) for r in rows] == [("2", "Lasix 40mg"), ("2", "Tylenol")]
    empty = client.post("/api/v1/batch", data=b"sep=;\npatient_id;medications\n", content_type="text/csv")
    assert empty.status_code == 422 and "no data rows" in empty.get_json()["detail"]


def test_binary_upload_through_the_api_is_a_415_problem_saying_how_to_save_as_csv(client):
    response = client.post("/api/v1/batch", data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00"), "scan.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 415 and response.mimetype == "application/problem+json"
    assert "CSV UTF-8" in response.get_json()["detail"]


@pytest.mark.parametrize("kind", ["xlsx", "sep-line", "utf-16"])
def test_large_exports_become_jobs_whose_results_match_the_input_rows(job_app, kind):
    from service.batch import jobs

    lists = [(f"P{n}", f"Lasix {n + 1}0mg, Tylenol") for n in range(12)]
    if kind == "xlsx":
        data = _workbook(["Patient Number", "Medications"], *lists)
    elif kind == "sep-line":
        data = ("sep=;\nPatient Number;Medications\n" + "".join(f"{p};{m}\n" for p, m in lists)).encode()
    else:
        data = ("Patient Number\tMedications\r\n" + "".join(f"{p}\t{m}\r\n" for p, m in lists)).encode("utf-16")
    client = job_app.test_client()
    response = client.post("/api/v1/batch", data={"file": (io.BytesIO(data), "lists")}, content_type="multipart/form-data")
    assert response.status_code == 202 and response.get_json()["progress"]["total_rows"] == 12
    job_id = response.get_json()["id"]
    jobs.process_job(job_id)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/batch/jobs/{job_id}/results.csv").get_data(as_text=True))))
    assert [(r["patient_id"], r["row"], r["medication"]) for r in rows[:2]] == [("P0", "2", "Lasix 10mg"), ("P0", "2", "Tylenol")]
    assert len(rows) == 24 and rows[-1]["row"] == "13"
