"""Reading batch files: layouts, delimiters, encodings, and row problems that never stop a batch."""

import csv
import io

import pytest

from service.batch.reading import BatchFileError, decode, detect_layout, read_rows


def _rows(data: bytes, max_cell_chars: int = 4000):
    text = decode(data)
    layout = detect_layout(text)
    return layout, list(read_rows(text, layout, max_cell_chars))


def test_wide_layout_splits_cells_on_semicolons_pipes_and_line_breaks():
    layout, rows = _rows(b'patient_id,medications\nP1,"Lasix; Lipitor | Tylenol\nVentolin"\n')
    assert layout.kind == "wide"
    assert rows[0].medications == ["Lasix", "Lipitor", "Tylenol", "Ventolin"]


def test_long_layout_has_one_medication_per_row():
    layout, rows = _rows(b"Patient ID,Medication,Conditions\nP1,Lasix 40mg,CKD\nP1,Lipitor,\n")
    assert layout.kind == "long"
    assert [(r.patient_id, r.medications, r.conditions) for r in rows] == [
        ("P1", ["Lasix 40mg"], ["CKD"]), ("P1", ["Lipitor"], [])]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_detected(delimiter):
    data = f"patient_id{delimiter}medications\nP1{delimiter}Lasix\n".encode()
    layout, rows = _rows(data)
    assert layout.delimiter == delimiter and rows[0].medications == ["Lasix"]


def test_utf8_bom_and_crlf_are_accepted():
    layout, rows = _rows("\ufeffPATIENT_ID,MEDICATIONS\r\nP1,Lasix\r\nP2,Lipitor\r\n".encode("utf-8"))
    assert [r.patient_id for r in rows] == ["P1", "P2"]


def test_windows_1252_falls_back():
    layout, rows = _rows("patient_id,medications\nP1,Lasix – 40mg\n".encode("cp1252"))
    assert rows[0].medications == ["Lasix – 40mg"]


def test_row_numbers_are_spreadsheet_rows_even_with_quoted_newlines():
    _, rows = _rows(b'patient_id,medications\nP1,"Lasix\nLipitor"\nP2,Tylenol\n')
    assert [r.row for r in rows] == [2, 3]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"name,drugs_taken\nP1,Lasix\n", "patient id"),
        (b"patient_id,notes\nP1,Lasix\n", "medications column"),
    ],
)
def test_file_level_problems_name_the_accepted_columns(data, words):
    with pytest.raises(BatchFileError) as raised:
        detect_layout(decode(data))
    assert words in raised.value.detail
    assert "patient_id" in raised.value.detail and "medications" in raised.value.detail


def test_binary_file_is_refused():
    with pytest.raises(BatchFileError) as raised:
        decode(b"PK\x03\x04\x00\x00binary")
    assert raised.value.status == 415


def test_row_problems_travel_with_the_row():
    data = b"patient_id,medications\nP1,\n,Lasix\nP3,Lasix,extra\nP4," + b"x" * 50 + b"\n"
    _, rows = _rows(data, max_cell_chars=40)
    assert [r.row for r in rows] == [2, 3, 4, 5]
    assert "empty" in rows[0].problem
    assert "patient id is missing" in rows[1].problem and rows[1].medications == ["Lasix"]
    assert "Too many columns" in rows[2].problem and rows[2].medications == []
    assert "longer than 40" in rows[3].problem


@pytest.mark.parametrize("data, bad_row, line", [
    # never closed: before, it swallowed every later line (other patients' medicines) into P1's cell
    (b'patient_id,medications\nP1,"Lasix; Tylenol\nP2,Lipitor\nP3,Zocor; aspirin\n', 2, 2),
    # closed in the middle of a cell further down: before, P2's row was merged into P1's
    (b'patient_id,medications\nP0,Lasix\nP1,"Lasix\nP2,Lipitor\nP3,"Zocor" x\n', 3, 3),
    # long format, after a legitimate multi-line cell: the line named is the physical line
    (b'patient_id,medication\nP0,"Lasix\n40 mg"\nP1,"Lipitor\nP2,Zocor\nP3,aspirin\n', 3, 4),
])
def test_an_unclosed_quote_is_a_row_problem_naming_its_line_and_later_rows_stand_alone(data, bad_row, line):
    _, rows = _rows(data)
    bad = next(r for r in rows if r.problem)
    assert bad.row == bad_row and f"Line {line} has a quote that is not closed" in bad.problem
    assert bad.medications == []  # not checked, never merged
    later = [r for r in rows if r.row > bad_row and not r.problem]
    assert later and all(len(r.medications) <= 2 for r in later)
    assert all("Lipitor" not in r.medications for r in rows if r.patient_id != "P2")  # never under another id


def test_the_api_answers_the_rows_after_an_unclosed_quote_under_their_own_patients(client):
    data = b'patient_id,medications\nP1,"Lasix; Tylenol\nP2,Lipitor\nP3,Zocor\n'
    text = client.post("/api/v1/batch", data=data, content_type="text/csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["patient_id"], r["medication"], r["status"]) for r in rows] == [
        ("P1", "", "error"), ("P2", "Lipitor", "flagged"), ("P3", "Zocor", "flagged")]
    assert "Line 2 has a quote" in rows[0]["problem"]
