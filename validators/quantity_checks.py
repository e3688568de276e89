"""`lost_sequence`: options that are all quantities, out of order, and how options are read.

The spec (../shared/spec/item-flaws.md) counts an option set as quantities when every
option parses as a number, money, a percentage, a duration, a date or a range. Options
of other people's items write them many ways, so an option is read here as

    [qualifier] number [unit] [- number [unit]] [tail]

- a qualifier or bound leads: "within", "only", "less than", "<", "up to" ...;
- the number is a decimal, "1,200", a fraction "1/2", a proportion "1 in 40" (read as
  its value) or an ordinal "5th"; money may lead with "$" or be spelled out;
- a range ("14-18 weeks", "between 2 and 5", "60 to 100 bpm") is ordered by its low end,
  then its high end; an age range may open at birth ("Birth to 18 months") and a range
  may be open at the top ("12 years onwards", "65 and older", "2+") or at the bottom
  ("80% or below"); a number may carry a sign ("-20", "+45 mV");
- units of one dimension (durations, lengths, masses, volumes) are converted to one
  unit, so "90 days, 6 months" and "2 feet, 48 inches" are in order;
- a tail is the words after the number ("% of cases", "day column", "m/s^2"): options
  compare only when their tails agree, so "10% bleach" and "70% alcohol" do not.

Dates come from bank.quantities. Names that carry digits (CMS-1500, UB-04, Form 941,
Stage 3, 837P) are not quantities: an option must open with its number, and a word
before it is allowed only before a measured range ("Current 0-30 day column").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from bank.models import Flaw
from bank.quantities import parse_quantity
from bank.text import nfkc, stem
from validators.flaw_inputs import option_texts, shorten

# Every unit converts to its dimension's base unit: days, metres, grams, litres, dollars.
_UNIT_TABLE: dict[str, dict[str, float]] = {
    "time": {
        "second|sec|s": 1 / 86400,
        "minute|min": 1 / 1440,
        "hour|hr|h": 1 / 24,
        "day|d|calendar day": 1.0,
        "business day|working day": 7 / 5,
        "week|wk": 7.0,
        "month|mo": 365.25 / 12,
        "year|yr|y": 365.25,
        "decade": 3652.5,
    },
    "length": {
        "nanometre|nanometer|nm": 1e-9,
        "micrometre|micrometer|micron|µm|μm|um": 1e-6,
        "millimetre|millimeter|mm": 1e-3,
        "centimetre|centimeter|cm": 1e-2,
        "metre|meter|m": 1.0,
        "kilometre|kilometer|km": 1e3,
        "inch|in": 0.0254,
        "foot|feet|ft": 0.3048,
        "yard|yd": 0.9144,
        "mile|mi": 1609.344,
    },
    "mass": {
        "nanogram|ng": 1e-9,
        "microgram|mcg|µg|μg|ug": 1e-6,
        "milligram|mg": 1e-3,
        "gram|gm|g": 1.0,
        "kilogram|kg": 1e3,
        "pound|lb": 453.59237,
        "ounce|oz": 28.349523125,
    },
    "volume": {
        "microlitre|microliter|µl|μl|ul": 1e-6,
        "millilitre|milliliter|ml|cc": 1e-3,
        "decilitre|deciliter|dl": 0.1,
        "litre|liter|l": 1.0,
    },
    "money": {"dollar|usd": 1.0, "cent": 0.01},
    "percent": {"%|percent|per cent": 1.0},
    # Temperatures compare within one scale only (no factor turns °C into °F).
    "fahrenheit": {"°f|º f|° f|degrees f|degrees fahrenheit|fahrenheit": 1.0},
    "celsius": {"°c|° c|degrees c|degrees celsius|celsius|centigrade": 1.0},
}
_UNITS: dict[str, tuple[str, float]] = {
    name: (dimension, factor)
    for dimension, table in _UNIT_TABLE.items()
    for names, factor in table.items()
    for name in names.split("|")
}

_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9}
_SMALL_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
)
_NUMBER_WORDS: dict[str, int] = {w: v for v, w in enumerate(_SMALL_NUMBERS.split())} | {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_MULTIPLIERS = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_SPELLED = re.compile(
    r"\b(?:" + "|".join([*_NUMBER_WORDS, *_MULTIPLIERS]) + r")(?:(?:\s+|-|\s+and\s+)"
    r"(?:" + "|".join([*_NUMBER_WORDS, *_MULTIPLIERS]) + r"))*\b"
)


def _spelled_value(phrase: str) -> int:
    """The value of a spelled-out number ("nine hundred fifty" -> 950)."""
    total = current = 0
    for word in re.split(r"[\s-]+", phrase):
        if word in _NUMBER_WORDS:
            current += _NUMBER_WORDS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _MULTIPLIERS:
            total += max(current, 1) * _MULTIPLIERS[word]
            current = 0
    return total + current


# Qualifiers and bounds that may lead a quantity; "only 5%" and "less than 1%" are amounts.
_QUALIFIER = re.compile(
    r"^(?:within|after|before|by|on|in|at|every|once\s+every|up\s+to|at\s+least|at\s+most"
    r"|no\s+more\s+than|no\s+less\s+than|no\s+later\s+than|no\s+earlier\s+than|only|just"
    r"|less\s+than|more\s+than|greater\s+than|fewer\s+than|over|under|above|below|about"
    r"|exactly|approximately|approx\.?|around|nearly|almost|roughly|between|from|upto"
    r"|[<>≤≥~≈=]=?|\+/-)(?:\s+|(?=[\d$.]))"
)
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_SIDE = (
    r"(?P<cur{n}>\$\s*)?(?P<num{n}>{num})(?:\s*/\s*(?P<den{n}>\d+)(?!\s*[a-z]))?"
    r"(?:\s+in\s+(?P<of{n}>{num}))?(?P<ord{n}>st|nd|rd|th)?"
    r"(?:\s*(?P<unit{n}>{unit}))?"
)
_UNIT_NAMES = sorted(_UNITS | _SCALES, key=len, reverse=True)
_UNIT = r"(?:" + "|".join(re.escape(u) + ("(?:es|s)?" if len(u) > 2 else "") for u in _UNIT_NAMES)
_UNIT += r")"
_UNIT += r"(?![a-z0-9µμ])"
_QUANTITY = re.compile(
    r"^(?P<lead>[a-z]+\s+)?"
    + _SIDE.format(n=1, num=_NUMBER, unit=_UNIT)
    + r"(?:\s*(?P<to>-|–|—|to|through|and)\s*"
    + _SIDE.format(n=2, num=_NUMBER, unit=_UNIT)
    + r")?"
    + r"(?P<tail>(?:(?:\s+|\s*[/^]\s*)[a-zµμ%][a-zµμ%/^.\d]*){0,6})$"
)


@dataclass(frozen=True)
class OptionQuantity:
    """An option read as a quantity: its dimension, its low and high ends, and its tail.

    ``dimension`` is "time", "length", "mass", "volume", "money", "percent", "date" or
    "" for a count; ``low`` and ``high`` are in the dimension's base unit (equal unless a
    range); ``tail`` is the words after the number, which must agree to compare.
    """

    dimension: str
    low: float
    high: float
    tail: str = ""


# An age range may open at birth ("Birth to 18 months": 0 to 18 months).
_FROM_BIRTH = re.compile(r"^(?:from\s+)?birth\s*(?=-|–|—|to\b|through\b)")
# A range open at the top ("12 years onwards", "65 and older", "3 or more", "2+"), or at
# the bottom ("80% or below", "5 or fewer").
_OPEN_TOP = re.compile(
    r"\s*(?:onwards?|and\s+(?:above|over|older|beyond|later|up)|or\s+(?:more|older|above|over"
    r"|later|longer|greater|higher)|\+)$"
)
_OPEN_BOTTOM = re.compile(
    r"\s*(?:(?:or|and)\s+(?:below|under|less|fewer|lower|younger|earlier|shorter))$"
)
# A leading sign: "-20", "+45 mV", and "--45mV" (a doubled dash, as scanned text has it).
_SIGN = re.compile(r"^([-+])\1?\s*(?=\.?\d)")


# A range whose top is exclusive reads as the range ("18.5 to less than 25").
_EXCLUSIVE_TOP = re.compile(r"\b(?:to|-)\s*(?:less|fewer)\s+than\b")
# A ratio "30:2" reads as its value; a two-digit second term ("1:04", "8:30") may be a
# clock time, so it is not read at all.
_RATIO = re.compile(r"^(\d{1,3})\s*:\s*([1-9])$")


def spelled_numbers_as_digits(low: str) -> str:
    """Lower-case text with its spelled-out numbers as digits ("nine hundred fifty" -> "950")."""
    return _SPELLED.sub(lambda m: str(_spelled_value(m[0])), low)


def _clean(text: str) -> str:
    low = " ".join(nfkc(text).lower().split()).rstrip(" .;,\"'")
    low = low.replace("−", "-")
    low = _FROM_BIRTH.sub("0 ", low)
    low = _EXCLUSIVE_TOP.sub("to", low)
    return spelled_numbers_as_digits(low)


def _unit_of(name: str | None) -> tuple[str, float]:
    """The dimension and factor of a unit as written ("Weeks" -> time, 7)."""
    if not name:
        return "", 1.0
    key = " ".join(name.split())
    for form in (key, key.removesuffix("s"), key.removesuffix("es")):
        if form in _UNITS:
            return _UNITS[form]
        if form in _SCALES:
            return "", _SCALES[form]
    return "", 1.0


def _side(m: re.Match[str], n: int) -> float:
    value = float(m[f"num{n}"].replace(",", ""))
    if m[f"den{n}"]:
        denominator = float(m[f"den{n}"])
        value = value / denominator if denominator else value
    if m[f"of{n}"]:
        of = float(m[f"of{n}"].replace(",", ""))
        value = value / of if of else value
    return value


def _tail_key(tail: str) -> str:
    """The tail's comparison form: its words stemmed, punctuation dropped ("L/cm" = "L cm")."""
    return " ".join(stem(w) for w in re.split(r"[^a-z0-9µμ%]+", tail) if w)


def read_quantity(text: str) -> OptionQuantity | None:
    """An option read as a quantity (see the module's docstring), or None."""
    low = _clean(text)
    open_top = _OPEN_TOP.search(low)
    open_bottom = None if open_top else _OPEN_BOTTOM.search(low)
    if open_top or open_bottom:
        low = low[: (open_top or open_bottom).start()]  # type: ignore[union-attr]
    sign = _SIGN.match(low)
    if sign:
        low = low[sign.end() :]
    qualified = False
    while m := _QUALIFIER.match(low):
        qualified = True
        low = low[m.end() :]
    if not any(ch.isdigit() for ch in low):
        return None
    if ratio := _RATIO.match(low):
        value = int(ratio[1]) / int(ratio[2])
        return None if sign else OptionQuantity("ratio", value, value)
    found = parse_quantity(low)
    if found is not None and found.kind == "date":
        return None if sign else OptionQuantity("date", found.value, found.value)
    m = _QUANTITY.match(low)
    if m is None or (m["to"] == "and" and not qualified):  # "67 and 70" is a pair
        return None
    ranged = m["num2"] is not None
    if (open_top or open_bottom) and ranged:  # "2-6 years onwards" reads as neither
        return None
    if sign and ranged:  # "-10-20" reads as neither
        return None
    unit1, unit2 = m["unit1"], m["unit2"]
    money = bool(m["cur1"] or m["cur2"])
    # A word before the number is a name ("stage 3", "form 941") unless a measured range
    # follows it ("current 0-30 day column").
    if m["lead"] and not (ranged and (unit1 or unit2)) and not qualified:
        return None
    # A unit written once, after a range, is the unit of both ends ("14-18 weeks").
    dimension, factor = _unit_of(unit2 or unit1)
    first_factor = _unit_of(unit1)[1] if unit1 else factor
    if money:
        dimension = "money"
    ends = [_side(m, 1) * first_factor]
    if ranged:
        ends.append(_side(m, 2) * factor)
    tail = _tail_key(m["tail"])
    if tail in ("dollar", "usd") and dimension in ("", "money"):  # "5 million dollars"
        dimension, tail = "money", ""
    if sign and sign[1] == "-":
        ends = [-e for e in ends]
    low_end = float("-inf") if open_bottom else min(ends)
    return OptionQuantity(dimension, low_end, float("inf") if open_top else max(ends), tail)


# Words that may end the text every option opens with, before its quantity ("Maternal
# death per | 10,000 lives", "Less than | 5 mg"): a preposition, a conjunction, a verb
# "to be" or a comparison. A shared name before the number ("Stage | 3", "Type | 2") is
# kept: those options are names that carry digits.
_SHARED_LEAD_ENDS_TEXT = """
    per of and or at in by to than for with within every about is are was were be
    = < > ≤ ≥ ~ ≈"""
_SHARED_LEAD_ENDS = frozenset(_SHARED_LEAD_ENDS_TEXT.split())
# A count glued to what it counts ("16ATP"), not an ordinal ("5th").
_GLUED = re.compile(r"(?<=\d)(?=[a-z]{2,}\b)(?!(?:st|nd|rd|th)\b)", re.IGNORECASE)


def without_shared_lead(texts: list[str]) -> list[str] | None:
    """The options less the words they all open with, when those words lead into a quantity.

    The shared words must end in a preposition, conjunction or comparison, or every
    remainder must open with a comparison or bound ("LOD Score | < 1", "| > 3"), and they
    must hold no number (then each option is a pair of amounts); a number glued to its
    unit word is split from it ("16ATP" -> "16 ATP"). None when no words are shared or
    they read as a name.
    """
    split = [nfkc(t).split() for t in texts]
    shared = 0
    while all(len(w) > shared + 1 for w in split) and (
        len({w[shared].casefold() for w in split}) == 1
    ):
        shared += 1
    if shared == 0:
        return None
    if any(ch.isdigit() for w in split[0][:shared] for ch in w):
        return None  # "2CO2 and | 2ATP": pairs of amounts, not one quantity each
    rest = [" ".join(w[shared:]) for w in split]
    lead_end = split[0][shared - 1].casefold()
    if lead_end not in _SHARED_LEAD_ENDS and not all(_QUALIFIER.match(r.lower()) for r in rest):
        return None
    return [_GLUED.sub(" ", r) for r in rest]


def lost_sequence(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """All options are comparable quantities, in neither ascending nor descending order.

    Options that all open with the same words leading into a quantity are read without
    them (`without_shared_lead`).
    """
    texts = option_texts(options)
    if len(texts) < 3:
        return []
    read = [read_quantity(t) for t in texts]
    if any(q is None for q in read) and (rest := without_shared_lead(texts)) is not None:
        read = [read_quantity(t) for t in rest]
    quantities = [q for q in read if q is not None]
    if len(quantities) < len(texts):
        return []
    if len({q.dimension for q in quantities}) > 1:
        return []
    if len({q.tail for q in quantities}) > 1:
        return []
    keys = [(q.low, q.high) for q in quantities]
    if all(a <= b for a, b in pairwise(keys)) or all(a >= b for a, b in pairwise(keys)):
        return []
    evidence = shorten(" | ".join(texts), 80)
    return [Flaw(code="lost_sequence", where="options", evidence=evidence)]
