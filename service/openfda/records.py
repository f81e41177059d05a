"""Typed openFDA evidence records: each turns itself into a flag, a CSV cell and JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from .. import messages
from ..lexicon import DrugClass, Lexicon, Reference
from ..matching import Flag

# Reference ids of the seed that openFDA-based flags cite.
LABEL_REFERENCE = "openfda_label"
FAERS_REFERENCES = ("openfda_faers", "evans2001")
LABEL_CLASS = DrugClass(
    "openfda-label", "US drug label mentions muscle cramps or spasms", "moderate",
    "Not established; the label lists muscle cramps or spasms among reported adverse reactions or warnings.",
    None, None, (),
)
FAERS_CLASS = DrugClass(
    "openfda-faers", "FAERS reporting signal for muscle spasms", "weak",
    "Not established; muscle spasms are reported with this drug more often than with other drugs.",
    None, None, (),
)


@dataclass(frozen=True)
class LabelEvidence:
    """What the newest US label of the ingredient says about muscle cramps."""

    kind: ClassVar[str] = "label"
    ingredient: str
    found: bool = False
    mentions_cramps: bool = False
    section: str | None = None
    snippet: str | None = None
    set_id: str | None = None
    effective_time: str | None = None
    url: str | None = None
    last_updated: str | None = None

    def flag(self, lexicon: Lexicon) -> Flag | None:
        if not self.mentions_cramps:
            return None
        general = lexicon.references[LABEL_REFERENCE]
        own = Reference(f"openfda_label_{self.set_id or ''}", f"US label of {self.ingredient} (openFDA)",
                        self.url or general.url)
        return Flag(self.ingredient, LABEL_CLASS, "moderate", (own, general), (), f"Label text: {self.snippet}",
                     "openfda-label")

    def cell(self) -> str | None:
        return f"{self.ingredient}: label mentions muscle cramps/spasms" if self.mentions_cramps else None

    def to_json(self) -> dict[str, Any]:
        return {"source": self.kind, **asdict(self)}


@dataclass(frozen=True)
class FaersEvidence:
    """A proportional reporting ratio for muscle spasms in FAERS, with its caveat."""

    kind: ClassVar[str] = "faers"
    ingredient: str
    reaction: str
    reports_with_drug_and_reaction: int
    reports_with_drug: int
    reports_with_reaction: int
    reports_total: int
    prr: float | None
    prr_ci_low: float | None
    prr_ci_high: float | None
    chi_square: float | None
    signal: bool
    caveat: str
    last_updated: str | None = None

    def flag(self, lexicon: Lexicon) -> Flag | None:
        if not self.signal:
            return None
        note = (f"PRR {self.prr} (95% CI {self.prr_ci_low}-{self.prr_ci_high}), "
                f"{self.reports_with_drug_and_reaction} reports. {self.caveat}")
        references = tuple(lexicon.references[r] for r in FAERS_REFERENCES)
        return Flag(self.ingredient, FAERS_CLASS, "weak", references, (), note, "openfda-faers")

    def cell(self) -> str | None:
        if self.prr is None:
            return None
        return f"{self.ingredient}: FAERS PRR {self.prr}" + (" (signal)" if self.signal else "")

    def to_json(self) -> dict[str, Any]:
        return {"source": self.kind, **asdict(self)}


@dataclass(frozen=True)
class ClassEvidence:
    """The FDA established pharmacologic classes of the drug, and the seeded class one matches."""

    kind: ClassVar[str] = "class"
    ingredient: str
    pharm_classes: tuple[str, ...] = ()
    matched_class_id: str | None = None
    last_updated: str | None = None

    def flag(self, lexicon: Lexicon) -> Flag | None:
        drug_class = lexicon.classes.get(self.matched_class_id or "")
        if drug_class is None:
            return None
        note = messages.OPENFDA_CLASS_NOTE.format(classes=", ".join(self.pharm_classes))
        return Flag(self.ingredient, drug_class, "weak", drug_class.references, (), note, "openfda-class")

    def cell(self) -> str | None:
        if not self.matched_class_id:
            return None
        return f"{self.ingredient}: FDA class {', '.join(self.pharm_classes)}"

    def to_json(self) -> dict[str, Any]:
        return {"source": self.kind, **asdict(self), "pharm_classes": list(self.pharm_classes)}


RECORDS = {record.kind: record for record in (LabelEvidence, FaersEvidence, ClassEvidence)}


def from_json(data: dict[str, Any]) -> LabelEvidence | FaersEvidence | ClassEvidence:
    """A record from its JSON form (as the cache stores it)."""
    fields = {k: v for k, v in data.items() if k != "source"}
    if "pharm_classes" in fields:
        fields["pharm_classes"] = tuple(fields["pharm_classes"])
    return RECORDS[data["source"]](**fields)
