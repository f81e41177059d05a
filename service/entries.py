"""A medication entry as a client sends it: free text, or an object with text, codes and a start date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class MedicationEntry:
    """One item of a medication list.

    `text` is what resolution reads; `rxcui` and `ndc` are codes a pharmacy system may send
    instead of (or beside) the text; `started` is when the person started the medicine.
    """

    text: str
    rxcui: str | None = None
    ndc: str | None = None
    started: date | None = None

    @classmethod
    def of(cls, value: str | MedicationEntry) -> MedicationEntry:
        return value if isinstance(value, MedicationEntry) else cls(value)
