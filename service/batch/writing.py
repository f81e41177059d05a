"""Write batch results as CSV (safe to open in a spreadsheet) or JSON, streaming."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .. import messages
from ..i18n import DEFAULT, Translator, translator
from .checking import COLUMNS, ERROR_COLUMNS, Chunk
from .schemas import LIST_COLUMNS

SUMMARY_COLUMNS = ("patient_id", "medications", "flagged", "not_flagged", "unresolved", "errors", "drug_classes",
                   "highest_tier", "conditions", "unrecognised_conditions", "quinine_warning", "top_ranked",
                   "amplifiers", "advice")
# A spreadsheet runs a cell starting with these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FIRST_CHARS = frozenset(FORMULA_STARTS)
# Quoted: a cell holding a delimiter a spreadsheet may split on (comma, semicolon, tab), a quote or a
# line break. Python's csv module quotes only its own delimiter, quote and line breaks, so a
# spreadsheet splitting on ';' would see '=1+1' after a semicolon as a cell of its own.
_NEEDS_QUOTES = re.compile(r'[",;\t\r\n]')


# A formula starter after a semicolon or tab inside a cell: a spreadsheet that splits on those reads it
# as the start of a cell of its own, whatever the quoting for commas.
_INNER_FORMULA = re.compile(r"([;\t]\s*)(?=[=+\-@])")


def _cell(value: str) -> str:
    """One CSV cell, quoted where needed and neutralised (at its start and after any ';' or tab)."""
    if value[:1] in _FIRST_CHARS:
        value = "'" + value
    if _NEEDS_QUOTES.search(value):
        return '"' + _INNER_FORMULA.sub(r"\1'", value).replace('"', '""') + '"'
    return value


def _line(values: Iterable[Any]) -> str:
    """A CSV line (without its terminator) of safe cells."""
    return ",".join(_cell(str(value)) if value not in (None, "") else "" for value in values)


def csv_header() -> str:
    return ",".join(COLUMNS) + "\r\n"


def csv_text(chunk: Chunk) -> str:
    """A chunk's rows as CSV text without a header, every cell safe to open in a spreadsheet."""
    tails = [_line(columns) for columns in (*chunk.results, ERROR_COLUMNS)]
    cells: dict[str, str] = {"": ""}  # medications, patient ids and problems repeat: quote each once
    lines = []
    for patient_id, row, position, medication, result, problem in chunk.rows:
        patient = cells.get(patient_id)
        if patient is None:
            patient = cells[patient_id] = _cell(patient_id)
        cell = cells.get(medication)
        if cell is None:
            cell = cells[medication] = _cell(medication)
        reason = cells.get(problem)
        if reason is None:
            reason = cells[problem] = _cell(problem)
        lines.append(f"{patient},{row},{position},{cell},{tails[result]},{reason}\r\n")
    return "".join(lines)


def csv_rows(chunks: Iterable[Chunk]) -> Iterator[str]:
    """The result rows as CSV text, header first, one piece per chunk."""
    yield csv_header()
    for chunk in chunks:
        yield csv_text(chunk)


def csv_summary(patients: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The per-patient summary as CSV text, a piece at a time."""
    lines = [",".join(SUMMARY_COLUMNS) + "\r\n"]
    for number, patient in enumerate(patients, start=1):
        lines.append(_line(_summary_cell(patient[c]) for c in SUMMARY_COLUMNS) + "\r\n")
        if number % 5000 == 0:
            yield "".join(lines)
            lines.clear()
    yield "".join(lines)


def _summary_cell(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


def _json_row(row: list[Any]) -> dict[str, Any]:
    """A result row for JSON: list columns as lists (CSV joins them with '; ')."""
    record = dict(zip(COLUMNS, row, strict=True))
    for column in LIST_COLUMNS:
        record[column] = record[column].split("; ") if record[column] else []
    record["sources"] = record["sources"].split() if record["sources"] else []
    return record


def json_document(chunks: Iterable[Chunk], patients: Callable[[], Iterable[dict[str, Any]]],
                  meta: dict[str, Any], translate: Translator | None = None) -> Iterator[str]:
    """The whole result as one JSON document, written piece by piece (its advice in the rows' language)."""
    text = (translate or translator(DEFAULT)).text
    head = {**meta, "advice": text(messages.BATCH_ADVICE), "disclaimer": text(messages.DISCLAIMER)}
    yield json.dumps(head)[:-1] + ', "rows": ['
    first = True
    for chunk in chunks:
        if chunk.rows:
            text = ",".join(json.dumps(_json_row(row)) for row in chunk.full_rows())
            yield text if first else "," + text
            first = False
    yield '], "patients": ['
    yield ",".join(json.dumps(p) for p in patients())
    yield "]}"
