"""When a medicine was started and when the cramps began: dates as people and systems write them.

A strict grammar, in English and Spanish, that refuses what it cannot read for sure (a general
date parser read "10" as October and "01/10/2026" silently as 10 January):
- how long ago: "3 weeks ago", "two months ago", "about a year ago", "hace 3 semanas", "hace dos meses";
- a day: "today", "yesterday", "last week", "last month", "last year", "hoy", "ayer", "la semana
  pasada", "el mes pasado", "el año pasado";
- a date: "2026-10-01", "2026/10/01", "15 Nov 2026", "November 15, 2026", "15 de noviembre de 2026",
  and day/month/year in figures when only one reading is possible ("15/11/2026", "11/15/2026");
  "01/10/2026" could be 1 October or 10 January and is refused, as is a month without a day.
Inside an entry's text, after "started", "since", "empezó" or "desde": "(started 3 weeks ago)",
"desde el 15 de octubre de 2026". Relative dates count back from the day of the check; a date in
the future is refused.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .. import messages
from ..text import normalize

MAX_CHARS = 60  # a date written longer than this is not read (bounded work per field)
MAX_YEARS_BACK = 100

_UNIT_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}
_UNITS = {
    **dict.fromkeys("day days dia dias".split(), "day"),
    **dict.fromkeys("week weeks wk wks semana semanas".split(), "week"),
    **dict.fromkeys("month months mo mos mes meses".split(), "month"),
    **dict.fromkeys("year years yr yrs ano anos".split(), "year"),
}
_NUMBERS = {
    **dict.fromkeys("a an one un una uno".split(), 1),
    **dict.fromkeys("two dos".split(), 2), **dict.fromkeys("three tres".split(), 3),
    **dict.fromkeys("four cuatro".split(), 4), **dict.fromkeys("five cinco".split(), 5),
    **dict.fromkeys("six seis".split(), 6), **dict.fromkeys("seven siete".split(), 7),
    **dict.fromkeys("eight ocho".split(), 8), **dict.fromkeys("nine nueve".split(), 9),
    **dict.fromkeys("ten diez".split(), 10), **dict.fromkeys("eleven once".split(), 11),
    **dict.fromkeys("twelve doce".split(), 12),
}
_DAYS_BACK = {
    "today": 0, "hoy": 0, "yesterday": 1, "ayer": 1, "last week": 7, "la semana pasada": 7,
    "last month": 30, "el mes pasado": 30, "last year": 365, "el ano pasado": 365,
}
MONTHS = {
    **dict.fromkeys("january jan enero ene".split(), 1), **dict.fromkeys("february feb febrero".split(), 2),
    **dict.fromkeys("march mar marzo".split(), 3), **dict.fromkeys("april apr abril abr".split(), 4),
    **dict.fromkeys("may mayo".split(), 5), **dict.fromkeys("june jun junio".split(), 6),
    **dict.fromkeys("july jul julio".split(), 7), **dict.fromkeys("august aug agosto".split(), 8),
    **dict.fromkeys("september sep sept septiembre setiembre set".split(), 9),
    **dict.fromkeys("october oct octubre".split(), 10), **dict.fromkeys("november nov noviembre".split(), 11),
    **dict.fromkeys("december dec diciembre dic".split(), 12),
}
_COUNT = r"(\d{1,5}|[a-z]+)"
_UNIT = r"([a-z]+)"
_ABOUT = r"(?:(?:about|around|roughly|approximately|approx|some|unos|unas|aproximadamente|casi)\s+)?"
_AGO = re.compile(rf"^(?:{_ABOUT}{_COUNT}\s*(?:of\s+)?{_UNIT}\s+ago|hace\s+{_ABOUT}{_COUNT}\s*{_UNIT})$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_FIGURES = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_DAY_MONTH = re.compile(r"^(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+|de\s+|-)?([a-z]+)\.?,?\s*(?:de\s+|del\s+|-)?(\d{4})$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^(?:in\s+|en\s+)?([a-z]+)\.?,?\s*(?:de\s+|del\s+)?(\d{4})?$")
# Where an entry's text says when it was started; the date is read from the words after it.
_STARTED = re.compile(r"\b(?:started|start|began|begun|since|empezo|comenzo|inicio|desde)\b\s+(?:on\s+|el\s+)?([^(),;]+)")


class WhenError(ValueError):
    """A date that cannot be read, or lies in the future."""


def parse_when(value: str, today: date) -> date:
    """The day a date written in one of the forms above stands for; WhenError says why not."""
    text = normalize(value).strip(" .").replace("a couple of ", "2 ").replace("couple of ", "2 ")
    if len(text) > MAX_CHARS:
        raise WhenError(f"write the date in at most {MAX_CHARS} characters")
    when = _read(text, today)
    if when > today:
        raise WhenError("the date is in the future")
    return when


def _read(text: str, today: date) -> date:
    if text in _DAYS_BACK:
        return today - timedelta(days=_DAYS_BACK[text])
    if match := _AGO.match(text):
        count, unit = match[1] or match[3], match[2] or match[4]
        number = int(count) if count.isdigit() else _NUMBERS.get(count)
        if number is None or unit not in _UNITS:
            raise WhenError(f"'{text}' is not a number of days, weeks, months or years ago")
        return _back(today, number * _UNIT_DAYS[_UNITS[unit]])
    if match := _ISO.match(text):
        return _day(int(match[1]), int(match[2]), int(match[3]))
    if match := _FIGURES.match(text):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if first > 12 or first == second:
            return _day(year, second, first)
        if second > 12:
            return _day(year, first, second)
        raise WhenError(f"'{text}' could be {first} {_NAMES[second]} or {second} {_NAMES[first]}: write it as YYYY-MM-DD")
    for pattern, day, month, year in ((_DAY_MONTH, 1, 2, 3), (_MONTH_DAY, 2, 1, 3)):
        if (match := pattern.match(text)) and match[month] in MONTHS:
            return _day(int(match[year]), MONTHS[match[month]], int(match[day]))
    if (match := _MONTH_YEAR.match(text)) and match[1] in MONTHS:
        raise WhenError("give the day as well (YYYY-MM-DD), or how long ago, such as '3 weeks ago'")
    raise WhenError("write a date as YYYY-MM-DD or as 'N weeks ago'")


_NAMES = dict(enumerate("January February March April May June July August September October November "
                        "December".split(), start=1))


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise WhenError(f"{year:04d}-{month:02d}-{day:02d} is not a day of the calendar") from None


def _back(today: date, days: float) -> date:
    if days > MAX_YEARS_BACK * 366:
        raise WhenError(f"more than {MAX_YEARS_BACK} years ago")
    return today - timedelta(days=round(days))


def started_in_text(text: str, today: date) -> tuple[date | None, str | None]:
    """The start date an entry's text gives ("simvastatin 80 mg (started 3 weeks ago)"), if any.

    The words after "started" are read as a date, the most of them that read as one ("started 3 weeks
    ago 80 mg" reads "3 weeks ago"). Returns (date, None); (None, the words) when they say no date
    this module can read for sure, so the answer can say so; (None, None) when the text gives none.
    """
    match = _STARTED.search(normalize(text)[:2000])
    if match is None:
        return None, None
    words = match[1].split()[:8]
    for end in range(len(words), 0, -1):
        try:
            return parse_when(" ".join(words[:end]), today), None
        except WhenError:
            continue
    return None, match[0].strip()


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
