"""Evidence sources: what the check pipeline may ask beyond the seed, and the records they return.

A source (openFDA is one, in its own package) looks up evidence for ingredients within a deadline
and answers with typed records. Each record turns itself into a flag (or none), a CSV cell and
JSON; the pipeline never reads a source's fields. Adding a source means writing one class with
`name`, `budget_seconds`, `clock` and `lookup`, and records with `flag`, `cell` and `to_json`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .lexicon import Lexicon
    from .matching import Flag

STATUSES = ("ok", "partial", "unavailable", "disabled")


class Evidence(Protocol):
    """One piece of evidence about one ingredient."""

    ingredient: str
    last_updated: str | None

    def flag(self, lexicon: Lexicon) -> Flag | None:
        """The association this evidence supports for an ingredient the seed does not cover, if any."""

    def cell(self) -> str | None:
        """A short account for a CSV cell, or None when there is nothing worth saying."""

    def to_json(self) -> dict[str, Any]:
        """The record as JSON (the `evidence` items of a check response)."""


@dataclass
class SourceReport:
    """What a source said about a set of ingredients, and what it could not be asked in time."""

    source: str
    entries: dict[str, list[Evidence]] = field(default_factory=dict)
    not_checked: list[str] = field(default_factory=list)
    status: str = "ok"
    disclaimer: str | None = None

    @property
    def last_updated(self) -> str | None:
        dates = [e.last_updated for found in self.entries.values() for e in found if e.last_updated]
        return max(dates, default=None)

    def block(self) -> dict[str, Any]:
        """The response's account of what this source contributed."""
        return {"source": self.source, "status": self.status, "not_checked": self.not_checked,
                "last_updated": self.last_updated, "disclaimer": self.disclaimer}

    @classmethod
    def finished(cls, source: str, entries: dict[str, list[Evidence]], asked: Sequence[str],
                 unchecked: set[str], disclaimer: str | None = None) -> SourceReport:
        """A report whose status follows from what was and was not checked."""
        not_checked = [i for i in asked if i in unchecked]
        status = "ok" if not not_checked else ("partial" if entries else "unavailable")
        return cls(source, entries, not_checked, status, disclaimer)


class EvidenceSource(Protocol):
    """Something the pipeline can ask about ingredients, within a time budget."""

    name: str
    budget_seconds: float
    disclaimer: str | None

    def clock(self) -> float:
        """The clock deadlines are measured on (monotonic seconds)."""

    def lookup(self, ingredients: Sequence[str], deadline: float | None) -> SourceReport:
        """Evidence for each ingredient, stopping at the deadline; never raises for a source failure."""
