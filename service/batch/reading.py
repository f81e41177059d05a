"""Read an uploaded batch file of medication lists: format, encoding, delimiter, header and layout.

Pure functions over bytes: no Flask, no database. File-level problems raise BatchFileError;
row-level problems travel with the row and never stop the batch. CSV text (UTF-8, UTF-16 or
Windows-1252) is read as it is; an Excel workbook (.xlsx) is turned into CSV text first, so
everything after `decode` sees one format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import threading
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

# Header names after normalisation (see _header_key): "Patient Number", "Patient No.", "Patient #",
# "PatientNo" and "patient-number" are all patient_number; "Pt ID" and "PtID" are patient_id.
ID_COLUMNS = ("patient_id", "patient_number", "patient", "patient_code", "patient_ref", "patient_reference",
              "patient_key", "patient_name", "id", "mrn", "medical_record_number", "record_number",
              "nhs_number", "hospital_number", "person_id", "client_id", "client_number", "customer_id",
              "customer_number", "member_id", "member_number", "record_id", "resident_id", "subject_id",
              "participant_id", "case_id")
WIDE_COLUMNS = ("medications", "medication_list", "medications_list", "meds", "med_list", "current_meds",
                "drugs", "drug_list", "drug_names", "medication_names", "medicines", "medicine_list",
                "current_medications", "active_medications", "prescriptions", "rx_list")
LONG_COLUMNS = ("medication", "drug", "med", "medicine", "drug_name", "medication_name", "medicine_name",
                "rx", "rx_name", "prescription", "drug_description", "medication_description",
                "product_name", "item_description", "generic_name", "brand_name")
CONDITION_COLUMNS = ("conditions", "condition", "diagnoses", "diagnosis", "problems", "problem_list",
                     "medical_conditions", "health_conditions")
_WORD_ALIASES = {"#": "number", "no": "number", "nr": "number", "num": "number", "nbr": "number",
                 "pt": "patient", "identifier": "id"}
_WHOLE_ALIASES = {"patientid": "patient_id", "patientno": "patient_number", "patientnumber": "patient_number",
                  "ptid": "patient_id", "ptno": "patient_number", "drugname": "drug_name",
                  "medicationname": "medication_name"}
DELIMITERS = (",", ";", "\t")
# Over-long cells are a row problem we report, not a parser failure: lift the csv module's
# 128 KiB field limit (uploads are capped by BATCH_MAX_BYTES anyway).
csv.field_size_limit(2**31 - 1)
# Inside a list cell, entries are separated by ";", "|", line breaks or commas; a comma with a digit
# on both sides belongs to a number ("1,000 mg", "50,000 IU", "2,5 mg") and does not separate.
ENTRY_SEPARATORS = re.compile(r"(?:[;|\r\n]|(?<!\d),|,(?!\d))+")
_PLAIN_SEPARATORS = re.compile(r"[;|\r\n]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Excel's "sep=;" first line names the delimiter; Excel hides it, so the header stays row 1.
_SEP_LINE = re.compile(r'^"?sep=([^"\r\n])"?[,;\t]*$', re.IGNORECASE)

SAVE_AS_CSV = (
    "Save the file as CSV and upload that: in Excel, File > Save As > 'CSV UTF-8 (Comma delimited) "
    "(*.csv)'; in LibreOffice Calc, File > Save As > 'Text CSV (.csv)' with character set 'Unicode "
    "(UTF-8)'; in Google Sheets, File > Download > 'Comma-separated values (.csv)'; in Numbers, "
    "File > Export To > CSV with 'Unicode (UTF-8)'. Excel workbooks (.xlsx) are also accepted."
)
# The most CSV text a workbook may turn into (the default largest upload): a small .xlsx can hold
# far more, and this keeps a compressed workbook from filling memory.
WORKBOOK_MAX_CHARS = 10_485_760
# Shared strings, styles and the like, uncompressed, which openpyxl loads whole: room for the text of
# the largest upload (123,000 rows of unique lists take about 12 MB) but not for a workbook that
# packs 250 MB of strings into 6 MB (30 s and 900 MB to read). 24 MiB read in about 2.5 s, 100 MB.
_WORKBOOK_PARTS_MAX_BYTES = 24 * 1024 * 1024
# One workbook read at a time per process: each costs up to about 100 MB while it is read.
_WORKBOOK_READS = threading.BoundedSemaphore(1)
WORKBOOK_WAIT_SECONDS = 15


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
    skip: int = 0  # records before the header (an Excel "sep=" line)
    # Further columns of the same role, read too ("drug_name" and "generic_name", "conditions" and
    # "diagnoses"): a second column is never dropped.
    more_medications: tuple[int, ...] = ()
    more_conditions: tuple[int, ...] = ()


@dataclass
class InputRow:
    """One record of the file: a patient's list (wide) or one medication (long)."""

    row: int  # spreadsheet row number; the header is row 1
    patient_id: str
    medications: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    problem: str | None = None


def decode(data: bytes) -> str:
    """The upload as CSV text.

    UTF-16 with a byte-order mark (Excel's "Unicode Text"), UTF-8 with or without BOM, falling back
    to Windows-1252; an Excel workbook (.xlsx) becomes CSV text of its first sheet. Anything else
    binary is refused with 415 and how to save the file as CSV.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _no_binary(data.decode("utf-16", errors="replace"))
    if data.startswith(b"PK\x03\x04"):
        return workbook_to_csv(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .xls, or a password-protected workbook
        raise _unsupported("This is an older Excel workbook (.xls) or a password-protected one, which cannot be "
                           "read here.")
    if b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise _unsupported("This is not a CSV text file or an Excel workbook (it contains binary data).")
        return _no_binary(data.decode(encoding, errors="replace"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _unsupported(what: str) -> BatchFileError:
    return BatchFileError(f"{what} {SAVE_AS_CSV}", status=415, title="Unsupported Media Type")


def _no_binary(text: str) -> str:
    if "\x00" in text:
        raise _unsupported("This is not a CSV text file or an Excel workbook (it contains binary data).")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a byte-order mark: every other byte of Latin text is zero."""
    sample = data[:4096]
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    if not even:
        return None
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def workbook_to_csv(data: bytes, max_chars: int = WORKBOOK_MAX_CHARS) -> str:
    """The first sheet of an .xlsx workbook as CSV text, values as shown (dates and numbers as text).

    Read-only and streaming (openpyxl's read-only mode), with the uncompressed size of the parts it
    loads whole and the size of the text it writes both bounded.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as error:
        raise _unsupported("This is not a CSV text file, and not a workbook that can be opened.") from error
    if "xl/workbook.xml" not in names:
        kind = ("an OpenDocument spreadsheet (.ods)" if "content.xml" in names
                else "a ZIP archive, not a CSV file or an Excel workbook")
        raise _unsupported(f"This is {kind}, which cannot be read here.")
    loaded_whole = sum(i.file_size for i in archive.infolist() if not i.filename.startswith("xl/worksheets/"))
    if loaded_whole > _WORKBOOK_PARTS_MAX_BYTES:
        raise BatchFileError(f"This workbook is too large to read: its shared text and styles unpack to more "
                             f"than {_WORKBOOK_PARTS_MAX_BYTES // 1_048_576} MB. {SAVE_AS_CSV}", status=413,
                             title="Content Too Large")
    if not _WORKBOOK_READS.acquire(timeout=WORKBOOK_WAIT_SECONDS):
        raise BatchFileError("Other workbooks are being read right now; send this one again in a minute, or "
                             f"as CSV. {SAVE_AS_CSV}", status=503, title="Service Unavailable")
    try:
        return _first_sheet_as_csv(data, max_chars)
    finally:
        _WORKBOOK_READS.release()


def _first_sheet_as_csv(data: bytes, max_chars: int) -> str:
    from openpyxl import load_workbook  # only workbook uploads pay for the import

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    return ""
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()  # do not trust the stored used range: read every row
                for values in sheet.iter_rows(values_only=True):
                    cells = [_cell_text(v) for v in values]
                    while cells and not cells[-1]:
                        cells.pop()  # formatted but empty cells past the data
                    writer.writerow(cells)
                    if out.tell() > max_chars:
                        raise BatchFileError(
                            f"The workbook's first sheet holds more than {max_chars // 1_048_576} MB of text: "
                            "split it into smaller files.", status=413, title="Content Too Large")
            finally:
                workbook.close()
    except BatchFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged or unusual workbook
        raise BatchFileError(f"This Excel workbook could not be read ({type(error).__name__}). {SAVE_AS_CSV}") from error
    return out.getvalue()


def _cell_text(value: object) -> str:
    """A cell's value as text the way a CSV export writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _header_key(name: str) -> str:
    """Normalise a header name: case, spaces, punctuation and common abbreviations do not matter."""
    name = name.strip().strip('"').replace("\ufeff", "").replace("(s)", "s")
    name = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)  # PatientID, DrugName
    words = [_WORD_ALIASES.get(w, w) for w in re.findall(r"[a-z0-9]+|#", name.lower())]
    key = "_".join(words)
    return _WHOLE_ALIASES.get(key, key)


def _split_lines(text: str, count: int) -> list[str]:
    return _LINE_BREAK.split(text, maxsplit=count)[:count]  # CRLF, LF or a bare CR


def detect_layout(text: str) -> Layout:
    """Find the delimiter and the id, medication and condition columns from the header."""
    if not text.strip():
        raise BatchFileError(f"The file is empty. {accepted_columns()}")
    first, *rest = _split_lines(text, 2)
    declared = _SEP_LINE.match(first.strip(" "))
    skip = 1 if declared else 0
    header_line = (rest[0] if rest else "") if declared else first
    delimiter = declared.group(1) if declared else max(DELIMITERS, key=header_line.count)
    try:
        written = next(csv.reader([header_line], delimiter=delimiter), [])
    except csv.Error as error:
        raise BatchFileError(f"The header row is not valid CSV ({error}). {accepted_columns()}") from error
    header = [_header_key(h) for h in written]

    def every(names: tuple[str, ...]) -> list[int]:
        return [i for i, key in enumerate(header) if key in names]

    ids, wide, long_, conditions = every(ID_COLUMNS), every(WIDE_COLUMNS), every(LONG_COLUMNS), every(CONDITION_COLUMNS)
    if not ids or not (wide or long_):
        missing = "a patient id column" if not ids else "a medications column"
        raise BatchFileError(f"No usable header: the first row needs {missing}. {accepted_columns()}")
    # Several id columns are usual (patient_id, mrn, patient_name): the first accepted name identifies the
    # row. Every medication and condition column is read, the first accepted name first.
    medications = sorted(wide, key=lambda i: WIDE_COLUMNS.index(header[i])) + \
        sorted(long_, key=lambda i: LONG_COLUMNS.index(header[i]))
    conditions.sort(key=lambda i: CONDITION_COLUMNS.index(header[i]))
    return Layout(
        kind="wide" if wide else "long",
        delimiter=delimiter,
        columns=len(header),
        id_index=min(ids, key=lambda i: ID_COLUMNS.index(header[i])),
        medications_index=medications[0],
        conditions_index=conditions[0] if conditions else None,
        skip=skip,
        more_medications=tuple(medications[1:]),
        more_conditions=tuple(conditions[1:]),
    )


def accepted_columns() -> str:
    """Say which header names are accepted (used in every header error)."""
    return (
        "Accepted header names (case, spaces, hyphens and underscores do not matter; '#', 'No' and 'Num' "
        "count as 'number', 'Pt' as 'patient'): patient id: " + ", ".join(ID_COLUMNS)
        + "; medications, one row per patient with entries separated by ';', ',', '|' or line breaks: "
        + ", ".join(WIDE_COLUMNS) + "; or one row per medication: " + ", ".join(LONG_COLUMNS)
        + "; optional conditions: " + ", ".join(CONDITION_COLUMNS) + "."
    )


def read_rows(text: str, layout: Layout, max_cell_chars: int, max_entries: int | None = None) -> Iterator[InputRow]:
    """Yield every record after the header as an InputRow, row problems included.

    A row listing more than `max_entries` medications is a row problem (reported, not checked).

    Quoting is read strictly: a quote that is never closed (or closed in the middle of a cell) would
    otherwise swallow the following lines, other patients' medicines included, into one cell. Such
    a record is reported as a row problem naming the line where it began, and reading starts again
    on the next line, so the rows after it are checked on their own.
    """
    source = io.StringIO(text, newline="")
    reader = csv.reader(source, delimiter=layout.delimiter, strict=True)
    for _ in range(layout.skip + 1):
        next(reader, None)
    lines_read = reader.line_num  # physical lines consumed by earlier readers and this one
    base = 0
    number = 1  # spreadsheet row of the last record (the header is row 1)
    while True:
        start = source.tell()
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            number += 1
            source.seek(start)
            line = lines_read + 1  # the physical line where the bad record began
            yield _quote_problem(number, line, source.readline(), layout, error)
            reader = csv.reader(source, delimiter=layout.delimiter, strict=True)
            base = lines_read = line
            continue
        lines_read = base + reader.line_num
        number += 1
        if not record:
            continue  # a blank line is not a record
        yield _input_row(number, record, layout, max_cell_chars, max_entries)


def _quote_problem(number: int, line: int, raw: str, layout: Layout, error: csv.Error) -> InputRow:
    """The row problem of a record whose quoting is broken, with the patient id read from its first line."""
    first = raw.rstrip("\r\n").split(layout.delimiter)
    patient_id = first[layout.id_index].strip().strip('"') if layout.id_index < len(first) else ""
    row = InputRow(number, patient_id)
    row.problem = (f"Line {line:,} has a quote that is not closed where it should be ({error}): this row was not "
                   "checked, and the lines after it were read as rows of their own. Close the quote, or remove it.")
    return row


def _input_row(number: int, record: list[str], layout: Layout, max_cell_chars: int,
               max_entries: int | None = None) -> InputRow:
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
    if layout.kind == "long":
        # One medication written in several columns: "Lipitor 20mg" and "atorvastatin" read as
        # "Lipitor 20mg (atorvastatin)", so both are checked and a mismatch shows.
        more = [text for i in layout.more_medications if (text := cell(i)) and text.lower() != medications.lower()]
        medications = f"{medications} ({'; '.join(more)})" if medications and more else medications or "; ".join(more)
        row.medications = [medications] if medications else []
    else:
        row.medications = split_entries(medications)
        for index in layout.more_medications:
            row.medications.extend(split_entries(cell(index)))
    conditions = "; ".join(text for i in (layout.conditions_index, *layout.more_conditions) if (text := cell(i)))
    row.conditions = list(_split_conditions(conditions)) if conditions else []
    if max_entries is not None and len(row.medications) > max_entries:
        row.problem = (f"The row lists {len(row.medications):,} medications; at most {max_entries:,} are checked "
                       "per row. This row was not checked: split the list over several rows of the same patient.")
        row.medications = []
    elif not row.medications:
        row.problem = "The medication cell is empty."
    elif not row.patient_id:
        row.problem = "The patient id is missing; results are matched to this row by its row number."
    return row


def split_entries(cell: str) -> list[str]:
    """The entries of a list cell (a comma between digits stays: '1,000 mg' is one strength)."""
    # Most cells hold no comma: the plain separators are cheaper to split on than the full rule.
    pattern = ENTRY_SEPARATORS if "," in cell else _PLAIN_SEPARATORS
    return [part for m in pattern.split(cell) if (part := m.strip())]


@lru_cache(maxsize=4096)
def _split_conditions(cell: str) -> tuple[str, ...]:
    # Condition cells repeat across patients ("CKD", "type 2 diabetes"): split each once.
    return tuple(split_entries(cell))


def _shown(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else delimiter
