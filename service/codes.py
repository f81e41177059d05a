"""Drug codes sent instead of (or beside) a name: RxNorm RXCUIs and FDA NDCs.

Pure functions: read a code in any written form, and reconcile what a code says with what the
entry's text says. Looking a code up (the seed's table, openFDA) is the pipeline's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import messages
from .resolution import MatchedIngredient, Resolution, Suggestion

RXNORM = "rxnorm"
NDC = "ndc"
SYSTEM_NAMES = {RXNORM: "RxNorm code", NDC: "NDC"}
FHIR_SYSTEMS = {"http://www.nlm.nih.gov/research/umls/rxnorm": RXNORM, "http://hl7.org/fhir/sid/ndc": NDC}

_RXCUI = re.compile(r"^\d{1,8}$")
_RXCUI_TEXT = re.compile(r"^\s*(?:rx\s*cui|rxnorm)\s*[:#]?\s*(\d{1,8})\s*$", re.IGNORECASE)
_NDC_TEXT = re.compile(r"^\s*(?:ndc\s*[:#]?\s*)?(\d{4,5}-\d{3,4}-\d{1,2}|\d{4,5}-\d{3,4})\s*$", re.IGNORECASE)
_NDC_DIGITS_TEXT = re.compile(r"^\s*ndc\s*[:#]?\s*(\d{10,11})\s*$", re.IGNORECASE)
# FDA's 10-digit layouts (labeler-product-package) and the 11-digit billing form 5-4-2
_PACKAGE_LAYOUTS = ((4, 4, 2), (5, 3, 2), (5, 4, 1))
_PRODUCT_LAYOUTS = ((4, 4), (5, 3), (5, 4))


@dataclass(frozen=True)
class Ndc:
    """An NDC as written, and the FDA-formatted (hyphenated 10-digit) forms it may stand for."""

    written: str
    packages: tuple[str, ...]  # candidate package NDCs, e.g. ("0378-0208-01",)
    products: tuple[str, ...]  # candidate product NDCs, e.g. ("0378-0208",)


def parse_rxcui(value: str) -> str:
    """An RXCUI as digits; ValueError when it is not one."""
    value = value.strip()
    if not _RXCUI.match(value):
        raise ValueError(f"An RxCUI is 1 to 8 digits; got {value[:40]!r}.")
    return value


def parse_ndc(value: str) -> Ndc:
    """Read an NDC in any FDA format: 4-4-2, 5-3-2, 5-4-1, 11-digit 5-4-2, a product NDC, or bare digits.

    Bare 10 digits do not say where the hyphens go, so every layout is a candidate; an 11-digit
    form says only which segment was padded with a zero. ValueError when it is no NDC.
    """
    written = value.strip()
    parts = written.split("-")
    if not all(p.isdigit() for p in parts) or not 1 <= len(parts) <= 3:
        raise ValueError(f"An NDC is 10 or 11 digits, optionally as 4-4-2, 5-3-2, 5-4-1 or 5-4-2; got {written[:40]!r}.")
    lengths = tuple(len(p) for p in parts)
    if len(parts) == 3 and lengths in _PACKAGE_LAYOUTS:
        return Ndc(written, (written,), (f"{parts[0]}-{parts[1]}",))
    if len(parts) == 3 and lengths == (5, 4, 2):
        return _from_eleven("".join(parts), written)
    if len(parts) == 2 and lengths in _PRODUCT_LAYOUTS:
        return Ndc(written, (), (written,))
    if len(parts) == 1 and len(written) == 11:
        return _from_eleven(written, written)
    if len(parts) == 1 and len(written) == 10:
        packages = tuple(_split(written, layout) for layout in _PACKAGE_LAYOUTS)
        return Ndc(written, packages, tuple(p.rsplit("-", 1)[0] for p in packages))
    raise ValueError(f"An NDC is 10 or 11 digits, optionally as 4-4-2, 5-3-2, 5-4-1 or 5-4-2; got {written[:40]!r}.")


def _split(digits: str, layout: tuple[int, ...]) -> str:
    out, start = [], 0
    for size in layout:
        out.append(digits[start:start + size])
        start += size
    return "-".join(out)


def _from_eleven(digits: str, written: str) -> Ndc:
    """The 10-digit forms an 11-digit (5-4-2) NDC may come from: drop one padding zero."""
    labeler, product, package = digits[:5], digits[5:9], digits[9:]
    packages = []
    if labeler.startswith("0"):
        packages.append(f"{labeler[1:]}-{product}-{package}")
    if product.startswith("0"):
        packages.append(f"{labeler}-{product[1:]}-{package}")
    if package.startswith("0"):
        packages.append(f"{labeler}-{product}-{package[1:]}")
    if not packages:
        raise ValueError(f"An 11-digit NDC has one padding zero (5-4-2); got {written[:40]!r}.")
    return Ndc(written, tuple(packages), tuple(p.rsplit("-", 1)[0] for p in packages))


def code_in_text(text: str) -> tuple[str, str] | None:
    """A code written as the whole entry ("RxCUI 197361", "NDC 00378-0208-01", "0378-0208-01")."""
    if match := _RXCUI_TEXT.match(text):
        return RXNORM, match.group(1)
    if (match := _NDC_TEXT.match(text)) or (match := _NDC_DIGITS_TEXT.match(text)):
        try:
            parse_ndc(match.group(1))
        except ValueError:
            return None
        return NDC, match.group(1)
    return None


@dataclass(frozen=True)
class CodeReading:
    """What a code was found to stand for."""

    system: str
    code: str
    ingredients: tuple[str, ...] | None  # None: not found
    source: str  # "table" (the seed) or "openfda"
    note: str | None = None  # why it was not found, or how it could be

    @property
    def label(self) -> str:
        return f"{SYSTEM_NAMES[self.system]} {self.code}"


def reconcile(text: str, reading: CodeReading, from_text: Resolution | None) -> Resolution:
    """One resolution from a code and, when given, the entry's text: agreeing, or saying they disagree.

    A code that was not found leaves the text's reading (with a note); a code alone that was not
    found is unresolved with a note saying what would resolve it; a code and a text that name
    different ingredients are unresolved, showing both readings, trusting neither.
    """
    label = reading.label
    if reading.ingredients is None:
        note = reading.note or messages.CODE_NOT_FOUND.format(code=label)
        if from_text is None:
            return Resolution(text or label, (), frozenset(), (), (), (note,))
        return _with_notes(from_text, messages.CODE_NOT_USED.format(code=label, why=note))
    by_code = tuple(MatchedIngredient(name, "code", reading.code, label) for name in reading.ingredients)
    if from_text is None or not from_text.ingredients:
        notes = (messages.CODE_READ.format(code=label, ingredients=", ".join(reading.ingredients)),)
        if from_text is not None and from_text.unrecognised:
            notes += (messages.CODE_TEXT_UNREAD.format(code=label),)
        return Resolution(text or label, by_code, frozenset(from_text.routes if from_text else ()), (), (), notes)
    if {i.name for i in from_text.ingredients} == set(reading.ingredients):
        return _with_notes(from_text, messages.CODE_AGREES.format(code=label))
    text_names = ", ".join(dict.fromkeys(i.name for i in from_text.ingredients))
    return Resolution(
        text, (), from_text.routes, (), (
            Suggestion(" / ".join(reading.ingredients), reading.ingredients),
            Suggestion(text_names, tuple(dict.fromkeys(i.name for i in from_text.ingredients))),
        ),
        (messages.CODE_DISAGREES.format(code=label, by_code=", ".join(reading.ingredients), by_text=text_names),),
    )


def _with_notes(resolution: Resolution, *notes: str) -> Resolution:
    return Resolution(resolution.input, resolution.ingredients, resolution.routes, resolution.unrecognised,
                      resolution.suggestions, resolution.notes + notes)
