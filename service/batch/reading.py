"""Read an uploaded CSV of medication lists: encoding, delimiter, header and layout.

Pure functions over bytes: no Flask, no database. File-level problems raise BatchFileError;
row-level problems travel with the row and never stop the batch.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

ID_COLUMNS = ("patient_id", "patient", "patientid", "id", "mrn", "person_id", "client_id", "customer_id",
              "member_id", "record_id")
WIDE_COLUMNS = ("medications", "medication_list", "meds", "drugs", "drug_list", "medicines",
                "current_medications")
LONG_COLUMNS = ("medication", "drug", "med", "medicine", "drug_name", "medication_name")
CONDITION_COLUMNS = ("conditions", "condition", "diagnoses", "diagnosis", "problems", "problem_list")
DELIMITERS = (",", ";", "\t")
# Over-long cells are a row problem we report, not a parser failure: lift the csv module's
# 128 KiB field limit (uploads are capped by BATCH_MAX_BYTES anyway).
csv.field_size_limit(2**31 - 1)
# Inside a wide cell, entries are separated by ";", "|" or line breaks.
ENTRY_SEPARATORS = re.compile(r"[;|\r\n]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class BatchFileError(ValueError):
    """The file as a whole cannot be read as a medication-list CSV."""

    def __init__(self, detail: str, status: int = 422, title: str = "Unreadable batch file"):
        super().__init__(detail)
        self.detail, self.status, self.title = detail, status, title


@dataclass(frozen=True)
class Layout:
    kind: str  # wide or long
    delimiter: str
    columns: int
    id_index: int
    medications_index: int
    conditions_index: int | None


@dataclass
class InputRow:
    """One record of the file: a patient's list (wide) or one medication (long)."""

    row: int  # spreadsheet row number; the header is row 1
    patient_id: str
    medications: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    problem: str | None = None


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), falling back to Windows-1252."""
    if b"\x00" in data:
        raise BatchFileError("This is not a CSV text file (it contains binary data).", status=415,
                             title="Unsupported Media Type")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _header_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().strip('"').lower())


def detect_layout(text: str) -> Layout:
    """Find the delimiter and the id, medication and condition columns from the header."""
    if not text.strip():
        raise BatchFileError(f"The file is empty. {accepted_columns()}")
    header_line = _LINE_BREAK.split(text, maxsplit=1)[0]  # CRLF, LF or a bare CR
    delimiter = max(DELIMITERS, key=header_line.count)
    try:
        header = [_header_key(h) for h in next(csv.reader([header_line], delimiter=delimiter), [])]
    except csv.Error as error:
        raise BatchFileError(f"The header row is not valid CSV ({error}). {accepted_columns()}") from error

    def find(names: tuple[str, ...]) -> int | None:
        return next((header.index(n) for n in names if n in header), None)

    id_index, wide, long_ = find(ID_COLUMNS), find(WIDE_COLUMNS), find(LONG_COLUMNS)
    if id_index is None or (wide is None and long_ is None):
        missing = "a patient id column" if id_index is None else "a medications column"
        raise BatchFileError(f"No usable header: the first row needs {missing}. {accepted_columns()}")
    return Layout(
        kind="wide" if wide is not None else "long",
        delimiter=delimiter,
        columns=len(header),
        id_index=id_index,
        medications_index=wide if wide is not None else long_,
        conditions_index=find(CONDITION_COLUMNS),
    )


def accepted_columns() -> str:
    """Say which header names are accepted (used in every header error)."""
    return (
        "Accepted header names (any case): patient id: " + ", ".join(ID_COLUMNS)
        + "; medications, one row per patient with entries separated by ';', '|' or line breaks: "
        + ", ".join(WIDE_COLUMNS) + "; or one row per medication: " + ", ".join(LONG_COLUMNS)
        + "; optional conditions: " + ", ".join(CONDITION_COLUMNS) + "."
    )


def read_rows(text: str, layout: Layout, max_cell_chars: int) -> Iterator[InputRow]:
    """Yield every record after the header as an InputRow, row problems included."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter)
    next(reader, None)
    for number, record in enumerate(reader, start=2):
        if not record:
            continue  # a blank line is not a record
        yield _input_row(number, record, layout, max_cell_chars)


def _input_row(number: int, record: list[str], layout: Layout, max_cell_chars: int) -> InputRow:
    def cell(index: int | None) -> str:
        return record[index].strip() if index is not None and index < len(record) else ""

    row = InputRow(number, cell(layout.id_index))
    if len(record) > layout.columns:
        row.problem = (f"Too many columns ({len(record)}; the header has {layout.columns}). Quote cells "
                       f"that contain the delimiter '{_shown(layout.delimiter)}'.")
        return row
    if max(map(len, record)) > max_cell_chars:
        row.problem = f"A cell is longer than {max_cell_chars} characters."
        return row
    medications = cell(layout.medications_index)
    row.medications = [m.strip() for m in ENTRY_SEPARATORS.split(medications) if m.strip()]
    if layout.kind == "long" and row.medications:
        row.medications = [medications]
    row.conditions = [c.strip() for c in ENTRY_SEPARATORS.split(cell(layout.conditions_index)) if c.strip()]
    if not row.medications:
        row.problem = "The medication cell is empty."
    elif not row.patient_id:
        row.problem = "The patient id is missing; results are matched to this row by its row number."
    return row


def _shown(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else delimiter
