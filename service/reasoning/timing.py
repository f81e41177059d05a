"""When a medicine was started and when the cramps began: dates as people and systems write them.

"2026-10-01", "3 weeks ago", "hace 3 semanas", "started 2 months ago" or "empezó hace 2 meses" (inside
an entry's text). Relative dates are
counted back from the day of the check; a date in the future is refused.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .. import messages

_UNIT_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}
_UNIT = r"(days?|weeks?|wks?|months?|mos?|years?|yrs?)"
_UNIT_ES = r"(d[ií]as?|semanas?|mes(?:es)?|a[ñn]os?)"
_COUNT = r"(\d{1,4}|an?|one|una?)"
# "3 weeks ago" and "hace 3 semanas"
_AGO = re.compile(rf"^\s*(?:{_COUNT}\s*{_UNIT}\s+ago|hace\s+{_COUNT}\s*{_UNIT_ES})\s*$", re.IGNORECASE)
# "(started 3 weeks ago)", "since 2 months ago", "started 2026-10-01", "(empezó hace 3 semanas)",
# "desde 2026-10-01" inside an entry's text.
_STARTED = re.compile(
    rf"\b(?:(?:started|start|began|begun|since)\s+{_COUNT}\s*{_UNIT}\s+ago"
    rf"|(?:empez[oó]|comenz[oó]|inici[oó]|desde)\s+hace\s+{_COUNT}\s*{_UNIT_ES}"
    rf"|(?:started|start|began|begun|since|empez[oó]|comenz[oó]|inici[oó]|desde)(?:\s+(?:on|el))?\s+(\d{{4}}-\d{{2}}-\d{{2}}))",
    re.IGNORECASE)
_UNITS = {"day": "day", "dia": "day", "día": "day", "week": "week", "wk": "week", "semana": "week",
          "month": "month", "mo": "month", "mes": "month", "year": "year", "yr": "year", "año": "year",
          "ano": "year"}
MAX_YEARS_BACK = 100


class WhenError(ValueError):
    """A date that cannot be read, or lies in the future."""


def _days(count: str, unit: str) -> float:
    number = int(count) if count.isdigit() else 1  # "a", "an", "one", "un", "una"
    word = unit.lower()
    word = "mes" if word in ("mes", "meses") else word.rstrip("s")
    return number * _UNIT_DAYS[_UNITS[word]]


def _ago(match: re.Match[str], first: int) -> float:
    """Days back from a match whose count and unit are at groups first, first+1 (English) or +2, +3 (Spanish)."""
    if match[first]:
        return _days(match[first], match[first + 1])
    return _days(match[first + 2], match[first + 3])


def _back(today: date, days: float) -> date:
    if days > MAX_YEARS_BACK * 366:
        raise WhenError(f"more than {MAX_YEARS_BACK} years ago")
    return today - timedelta(days=round(days))


def parse_when(value: str, today: date) -> date:
    """A date written as YYYY-MM-DD, as 'N days/weeks/months/years ago' or as 'hace N semanas'."""
    text = value.strip()
    if match := _AGO.match(text):
        return _back(today, _ago(match, 1))
    try:
        when = date.fromisoformat(text)
    except ValueError:
        raise WhenError("write a date as YYYY-MM-DD or as 'N weeks ago'") from None
    if when > today:
        raise WhenError("the date is in the future")
    return when


def started_in_text(text: str, today: date) -> date | None:
    """The start date an entry's text gives ("simvastatin 80 mg (started 3 weeks ago)"), if any."""
    match = _STARTED.search(text)
    if match is None:
        return None
    try:
        if match[5]:
            when = date.fromisoformat(match[5])
            return when if when <= today else None
        return _back(today, _ago(match, 1))
    except (ValueError, WhenError):
        return None


def weeks_between(earlier: date, later: date) -> float:
    return (later - earlier).days / 7


def describe_weeks(weeks: float) -> str:
    """'3 weeks', '1 week', '5 days', '14 months' - rounded as a person would say it."""
    days = round(weeks * 7)
    if days < 14:
        return (messages.DURATION_DAY if days == 1 else messages.DURATION_DAYS).format(count=days)
    if weeks < 17:
        count = round(weeks)
        return (messages.DURATION_WEEK if count == 1 else messages.DURATION_WEEKS).format(count=count)
    return messages.DURATION_MONTHS.format(count=round(days / 30.44))
