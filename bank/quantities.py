"""Quantities read from option text: numbers, money, percentages, durations, dates, ranges.

`parse_quantity` is what `lost_sequence` (../shared/spec/item-flaws.md) and the
generators' numeric options compare by: durations in one unit, dates as ordinals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from bank.text import nfkc, stem

QuantityKind = Literal["number", "money", "percent", "duration", "date", "range"]


@dataclass(frozen=True)
class Quantity:
    """A quantity read from an option, in a canonical unit.

    Durations are in days, dates are ordinals, ranges carry their low end. ``unit``
    says what the value counts: "day", "usd", "%", "date", a unit such as "mg", then
    the stemmed words that follow the number ("% formalin", "molecul of water"), or
    "" for a bare number. Quantities with different non-empty units do not compare.
    """

    kind: QuantityKind
    value: float
    unit: str = ""


_DAYS_PER_UNIT: dict[str, float] = {
    "second": 1 / 86400,
    "sec": 1 / 86400,
    "minute": 1 / 1440,
    "min": 1 / 1440,
    "hour": 1 / 24,
    "hr": 1 / 24,
    "h": 1 / 24,
    "day": 1.0,
    "d": 1.0,
    "business day": 7 / 5,
    "working day": 7 / 5,
    "calendar day": 1.0,
    "week": 7.0,
    "wk": 7.0,
    "month": 365.25 / 12,
    "mo": 365.25 / 12,
    "year": 365.25,
    "yr": 365.25,
    "y": 365.25,
}

_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

_SMALL_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS: dict[str, int] = {
    word: value for value, word in enumerate(_SMALL_NUMBERS.split())
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90}

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_DURATION_UNIT = (
    r"(?:(?:business|working|calendar)\s+days?|seconds?|secs?|minutes?|mins?|hours?|hrs?|h"
    r"|days?|d|weeks?|wks?|months?|mos?|years?|yrs?|y)"
)
_MONEY_UNIT = r"(?:dollars?|usd|cents?)"
_PERCENT_UNIT = r"(?:%|percent|per\s+cent)"
_SCALE_UNIT = r"(?:thousands?|millions?|billions?|k|mn|bn)"
# Units that may be written glued to the number ("500mg", "48hrs"); any other word must
# follow a space, so "837P" is not a number.
_GLUED_UNIT = r"(?:mg|mcg|µg|μg|g|kg|ml|l|cc|mm|cm|m|km|mmhg|bpm|iu|meq|mmol)"
_UNIT = (
    rf"(?:{_PERCENT_UNIT}|{_MONEY_UNIT}|{_DURATION_UNIT}|{_SCALE_UNIT}|{_GLUED_UNIT})"
    r"(?![a-z0-9µμ])"
)
_QUALIFIER = re.compile(
    r"^(?P<q>within|after|before|by|on|in|every|once\s+every|up\s+to|at\s+least|at\s+most"
    r"|no\s+more\s+than|no\s+less\s+than|no\s+later\s+than|no\s+earlier\s+than"
    r"|less\s+than|more\s+than|greater\s+than|fewer\s+than|over|under|above|below|about"
    r"|approximately|around|nearly|almost|roughly|between|from|[<>≤≥~≈]=?)(?:\s+|(?=[\d$.]))"
)
_SIDE = r"(?P<cur{n}>\$\s*)?(?P<num{n}>{num})(?:\s*(?P<unit{n}>{unit}))?"
_QUANTITY = re.compile(
    "^"
    + _SIDE.format(n=1, num=_NUM, unit=_UNIT)
    + r"(?:\s*(?P<to>-|–|—|to|through|and)\s*"
    + _SIDE.format(n=2, num=_NUM, unit=_UNIT)
    + r")?"
    + r"(?P<tail>(?:\s+[a-zµμ][a-zµμ/.]*){0,3})$"
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_MONTH_FIRST = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?,?(?:\s+(\d{4}))?$")
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?,?\s+(\d{4})$")
_FRACTION = re.compile(r"^(\d+)\s*/\s*(\d+)$")
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b")
_SCALES: dict[str, float] = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
}
_LEAP_YEAR = 2000  # month-day dates without a year are ordered inside one leap year


def _ordinal(year: int, month: int, day: int) -> float | None:
    try:
        return float(date(year, month, day).toordinal())
    except ValueError:
        return None


def _full_year(text: str | None) -> int:
    if not text:
        return _LEAP_YEAR
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def _parse_date(text: str) -> Quantity | None:
    ordinal: float | None = None
    if m := _ISO_DATE.match(text):
        ordinal = _ordinal(int(m[1]), int(m[2]), int(m[3]))
    elif m := _SLASH_DATE.match(text):
        ordinal = _ordinal(_full_year(m[3]), int(m[1]), int(m[2]))
    elif (m := _MONTH_FIRST.match(text)) and m[1] in _MONTHS:
        ordinal = _ordinal(_full_year(m[3]), _MONTHS[m[1]], int(m[2]))
    elif (m := _DAY_FIRST.match(text)) and m[2] in _MONTHS:
        ordinal = _ordinal(_full_year(m[3]), _MONTHS[m[2]], int(m[1]))
    elif (m := _MONTH_YEAR.match(text)) and m[1] in _MONTHS:
        ordinal = _ordinal(int(m[2]), _MONTHS[m[1]], 1)
    return None if ordinal is None else Quantity("date", ordinal, "date")


def _unit_key(unit: str) -> str:
    """One spelling per unit: lower-case, single spaces, no plural s ("Hrs" -> "hr")."""
    key = " ".join(unit.lower().split())
    return key[:-1] if len(key) > 1 and key.endswith("s") else key


def _measure(number: float, unit: str, money: bool) -> Quantity:
    """The quantity one number makes with the unit written after it (or after the range)."""
    key = _unit_key(unit)
    if key in _SCALES:
        number *= _SCALES[key]
        key = ""
    if money or key in ("dollar", "usd"):
        return Quantity("money", number, "usd")
    if key == "cent":
        return Quantity("money", number / 100, "usd")
    if key in ("%", "percent", "per cent"):
        return Quantity("percent", number, "%")
    if key in _DAYS_PER_UNIT:
        return Quantity("duration", number * _DAYS_PER_UNIT[key], "day")
    return Quantity("number", number, key)


def _parse_measure(text: str, qualifier: str) -> Quantity | None:
    m = _QUANTITY.match(text)
    if m is None or (m["to"] == "and" and qualifier != "between"):
        return None
    low = float(m["num1"].replace(",", ""))
    if m["num2"] is not None:
        low = min(low, float(m["num2"].replace(",", "")))
    found = _measure(low, m["unit1"] or m["unit2"] or "", bool(m["cur1"] or m["cur2"]))
    # The words after the number belong to the unit: "10% formalin" and "10% alcohol"
    # are different things, "3 identifiers" counts identifiers.
    tail = " ".join(stem(w) for w in m["tail"].split())
    unit = f"{found.unit} {tail}".strip()
    kind = "range" if m["num2"] is not None else found.kind
    return Quantity(kind, found.value, unit)


def _clean_quantity_text(text: str) -> str:
    low = " ".join(nfkc(text).lower().split()).rstrip(" .;,")
    return _NUMBER_WORD.sub(lambda m: str(_NUMBER_WORDS[m[1]]), low)


def parse_quantity(text: str) -> Quantity | None:
    """Read a number, amount, percentage, duration, date or range, or None.

    "$1,200.50" is money; "20%" a percentage; "90 days", "6 months", "48 hours" are
    durations in days; "2024-01-15", "01/15/2024" and "January 15, 2024" are dates
    (as ordinals); "60-100" and "60 to 100 bpm" are ranges valued by their low end.
    A short unit or noun may follow ("500 mg", "3 identifiers") and a qualifier may
    lead ("within 30 days", "at least 18"). Names that carry digits (CMS-1500,
    UB-04, Form 941, W-2, I-9, 837P) are not quantities.
    """
    low = _clean_quantity_text(text)
    qualifier = ""
    if m := _QUALIFIER.match(low):
        qualifier = " ".join(m["q"].split())
        low = low[m.end() :]
    if not any(ch.isdigit() for ch in low):
        return None
    found = _parse_date(low)
    if found is not None:
        return found
    if m := _FRACTION.match(low):
        denominator = int(m[2])
        return Quantity("number", int(m[1]) / denominator) if denominator else None
    return _parse_measure(low, qualifier)
