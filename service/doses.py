"""The daily dose of one ingredient, as an entry writes it: pure, no Flask, no database.

Only what can be told for sure is read; anything else is "not read" (None), never a guess:
- the strength written after the ingredient's name ("simvastatin 40 mg", "Zocor 80", "0.08 g");
- in a combination, each ingredient's part of a strength run, in the order the ingredients are
  written or listed on the product ("ezetimibe/simvastatin 10/40", "Vytorin 10/80", "Caduet 5/40"),
  or the strength written after each name ("ezetimibe 10 mg / simvastatin 40");
- times a day and tablets a dose ("20 mg twice daily", "40 mg bd", "q12h", "2 tablets", "1/2 tab").
A count or frequency that could be read two ways ("x 2", "0.5 tab", "½", "1 1/2", "twice weekly", a
concentration such as "5 mg/ml") leaves the dose unread: a wrong dose is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .text import normalize

_UNIT_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001, "ug": 0.001}
# A strength: a number with a mass unit, or a bare number (read only right after a name).
_AMOUNT = re.compile(r"(?<![\d.,/])(\d+(?:\.\d+)?)\s*(mg|mcg|ug|g)?(?![\d.]|\s*/\s*\d)(?!\s*(?:ml|%|units?|iu|mmol)\b)")
# Strength runs of a combination: "10/80", "10 mg/80 mg", "5/40 mg".
_RUN = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?(?:\s*(?:mg|mcg|g))?(?:\s*/\s*\d+(?:\.\d+)?(?:\s*(?:mg|mcg|g))?)+)(?![\d.])")
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(mg|mcg|g)?")
_FRACTIONS = frozenset({"1/2", "1/3", "2/3", "1/4", "3/4"})
_PER_DAY = r"(?:\s*(?:a|per|/|al)?\s*(?:day|daily|dia))"
_TIMES = [
    (re.compile(rf"\b(?:qid|qds|q6h|every 6 hours|(?:four|4) times{_PER_DAY}|4 ?x{_PER_DAY}|(?:cuatro|4) veces)\b"), 4.0),
    (re.compile(rf"\b(?:tid|tds|q8h|every 8 hours|(?:three|3) times{_PER_DAY}|3 ?x{_PER_DAY}|(?:tres|3) veces)\b"), 3.0),
    (re.compile(rf"\b(?:bid|bd|b\.i\.d\.?|q12h|every 12 hours|twice|(?:two|2) times{_PER_DAY}|2 ?x{_PER_DAY}"
                r"|(?:dos|2) veces|am and pm|morning and (?:evening|night)|manana y noche)\b"), 2.0),
]
# Counts and frequencies that cannot be told for sure: then the dose is not read, never guessed.
_UNCLEAR = re.compile(
    r"[½¼¾⁄]"  # fraction characters ("½ tab")
    r"|\d\.\d+\s*(?:tabs?|tablets?|caps?|capsules?|pills?|comprimidos?|pastillas?)\b"  # "0.5 tab"
    r"|\b\d+\s+\d/\d\b"  # "1 1/2 tablets"
    r"|\bx\s?\d"  # "x 2": twice, two tablets, or two weeks?
    r"|\b(?:weekly|biweekly|fortnightly|monthly|semanal|mensual)\b"
    r"|\b(?:a|per|each|every|/)\s?(?:week|wk|month)\b(?!\s*ago)|\b(?:a la|por) semana\b|\bal mes\b"
    r"|\d\s*(?:mg|mcg|g)\s*/\s*\d*\s*ml"  # a concentration: the volume taken decides
)
_UNITS_A_DOSE = re.compile(r"(?<![\d.,/])(1/2|1/4|3/4|half|one|two|three|four|medio|media|un|una|dos|[1-4])(?![\d.,/])"
                           r"\s*(?:tabs?|tablets?|caps?|capsules?|pills?|comprimidos?|pastillas?)\b")
_COUNTS = {"1/2": 0.5, "half": 0.5, "medio": 0.5, "media": 0.5, "1/4": 0.25, "3/4": 0.75, "one": 1.0, "un": 1.0,
           "una": 1.0, "two": 2.0, "dos": 2.0, "three": 3.0, "four": 4.0}
# Words before a slashed pair that make it a date ("since 3/2025"), not strengths.
_DATE_BEFORE = re.compile(r"\b(?:since|started|start|from|on|desde|el|date|dated|filled|exp|expires|expiry)\s*$")
MIN_BARE_MG = 5  # a bare number smaller than this after a name is a count, not milligrams ("Zocor 1 daily")


@dataclass(frozen=True)
class Dose:
    """A daily dose in mg (None: not read for sure) and whether the entry writes any strength at all."""

    mg: float | None
    written: bool


def daily_dose(text: str, ingredients: Sequence[str], ingredient: str, names: Sequence[str] = ()) -> Dose:
    """The daily dose of `ingredient` in an entry of `ingredients` (in written or product order).

    `names` are the texts that matched each ingredient ("zocor", "simvastatin"), in the same order.
    """
    written = normalize(text)
    any_number = bool(re.search(r"\d", written))
    if _UNCLEAR.search(written):
        return Dose(None, True)
    strength = _strength(written, list(ingredients), ingredient, list(names))
    if strength is None:
        return Dose(None, any_number)
    return Dose(strength * _times_a_day(written), True)


def _strength(text: str, ingredients: list[str], ingredient: str, names: list[str]) -> float | None:
    if ingredient not in ingredients:
        return None
    if len(ingredients) > 1:
        runs = [run for run in _RUN.finditer(text) if re.sub(r"\s", "", run[0]) not in _FRACTIONS]
        if any(_DATE_BEFORE.search(text[:run.start()]) or any(part >= 1000 for part in _parts(run[0]))
               for run in runs):
            return None  # a date ("since 3/2025") or a figure no strength has: not read
        for run in runs:
            parts = _parts(run[0])
            if len(parts) == len(ingredients):
                return parts[ingredients.index(ingredient)]
        if runs:
            return None
    return _after_name(text, ingredients, ingredient, names)


def _parts(run: str) -> list[float]:
    """Each part of a strength run in mg; a unit written once at the end applies to every part."""
    found = _PART.findall(run)
    last_unit = found[-1][1] if found else ""
    return [float(number) * _UNIT_MG[unit or last_unit or "mg"] for number, unit in found]


def _after_name(text: str, ingredients: list[str], ingredient: str, names: list[str]) -> float | None:
    """The strength written after the ingredient's own name, before the next ingredient's name."""
    index = ingredients.index(ingredient)
    name = names[index] if index < len(names) else ingredient
    if len(ingredients) > 1 and names.count(name) > 1:
        return None  # a product's one name stands for all its ingredients: its strength is not theirs alone
    start = text.find(name)
    if start < 0:
        start = 0
    begin = start + len(name) if start or text.startswith(name) else 0
    ends = [text.find(other, begin) for other in names if other != name]
    end = min((e for e in ends if e >= 0), default=len(text))
    segment = text[begin:end]
    amounts = [(float(n), unit, match.start()) for match in _AMOUNT.finditer(segment) for n, unit in [match.groups()]]
    with_unit = {n * _UNIT_MG[unit] for n, unit, _ in amounts if unit}
    if len(with_unit) == 1:
        return with_unit.pop()
    if with_unit:
        return None  # two different strengths: which one is taken is not clear
    bare = [n for n, _, at in amounts if at <= 1 and n >= MIN_BARE_MG]  # "zocor 80", right after the name
    return bare[0] if len(amounts) == 1 and bare else None


def _times_a_day(text: str) -> float:
    """How many times the strength is taken a day ("bid": 2, "2 tablets": 2, "1/2 tab": 0.5); 1 if unsaid."""
    times = next((n for pattern, n in _TIMES if pattern.search(text)), 1.0)
    units = _UNITS_A_DOSE.search(text)
    count = 1.0
    if units:
        word = units.group(1)
        count = _COUNTS.get(word, float(word) if word.isdigit() else 1.0)
    return times * count
