"""Pure text helpers: words, stop words, simple stemming, quantities and a/an sounds.

The readings of ../shared/spec/item-flaws.md made into code: words are runs of
letters and digits, stop words are NLTK's English list plus "following", content
words are the other words of four or more characters (at least one a letter),
compared after a simple stemming. No I/O, no third-party dependency.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

# NLTK's English stop-word list (nltk 3.9, 198 words), typed in to avoid the dependency
# and its corpus download, plus "following" as the spec asks.
_NLTK_ENGLISH = """
    a about above after again against ain all am an and any are aren aren't as at be
    because been before being below between both but by can couldn couldn't d did didn
    didn't do does doesn doesn't doing don don't down during each few for from further
    had hadn hadn't has hasn hasn't have haven haven't having he he'd he'll he's her here
    hers herself him himself his how i i'd i'll i'm i've if in into is isn isn't it it'd
    it'll it's its itself just ll m ma me mightn mightn't more most mustn mustn't my
    myself needn needn't no nor not now o of off on once only or other our ours ourselves
    out over own re s same shan shan't she she'd she'll she's should should've shouldn
    shouldn't so some such t than that that'll the their theirs them themselves then
    there these they they'd they'll they're they've this those through to too under
    until up ve very was wasn wasn't we we'd we'll we're we've were weren weren't what
    when where which while who whom why will with won won't wouldn wouldn't y you you'd
    you'll you're you've your yours yourself yourselves
"""
STOP_WORDS: frozenset[str] = frozenset([*_NLTK_ENGLISH.split(), "following"])

_WORD = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    """NFKC form of a text, so that ligatures, full-width digits and the like read plainly."""
    return unicodedata.normalize("NFKC", text)


def words(text: str) -> list[str]:
    """The words of a text: runs of letters and digits, in order, case kept."""
    return _WORD.findall(normalize(text))


# ---------------------------------------------------------------------------
# Stemming and content words
# ---------------------------------------------------------------------------

_VOWELS = frozenset("aeiouy")
_KEEP_DOUBLE = frozenset("lsz")  # "billed" -> "bill", "missed" -> "miss"


def _has_vowel(text: str) -> bool:
    return any(ch in _VOWELS for ch in text)


def _strip_ending(word: str) -> str:
    """Strip one inflectional ending: -ies, -s/-es, -ed or -ing."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) > 5 and _has_vowel(word[:-3]):
        return _undouble(word[:-3])
    if word.endswith("ed") and len(word) > 4 and _has_vowel(word[:-2]):
        return _undouble(word[:-2])
    if word.endswith("s") and len(word) > 3 and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _undouble(root: str) -> str:
    if len(root) > 2 and root[-1] == root[-2] and root[-1] not in _VOWELS | _KEEP_DOUBLE:
        return root[:-1]
    return root


@lru_cache(maxsize=65536)  # a pure function of one word, called for every word of every item
def stem(word: str) -> str:
    """The comparison key of a word under the spec's simple stemming.

    Lower-case, drop a possessive 's, strip one inflectional ending (plural
    -s/-es/-ies -> y, -ed, -ing), then drop a final silent "e" so that the forms
    of one verb meet: "schedule", "scheduled", "scheduling" and "schedules" all
    give "schedul"; "drugs" gives "drug"; "policies" gives "policy". The key is
    for comparing words, not for showing them.
    """
    low = normalize(word).strip().lower()
    for suffix in ("'s", "\u2019s", "'", "\u2019"):
        if low.endswith(suffix) and len(low) > len(suffix):
            low = low[: -len(suffix)]
            break
    root = _strip_ending(low)
    if len(root) > 3 and root.endswith("e") and not root.endswith("ee"):
        root = root[:-1]
    return root


def is_content_word(word: str) -> bool:
    """A word of four or more characters, at least one a letter, not a stop word."""
    return len(word) >= 4 and word.lower() not in STOP_WORDS and any(c.isalpha() for c in word)


def content_words(text: str) -> set[str]:
    """The stemmed content words of a text."""
    return {stem(w) for w in words(text) if is_content_word(w)}


def content_forms(text: str) -> dict[str, str]:
    """Each stemmed content word of a text mapped to its first spelling there (for evidence)."""
    forms: dict[str, str] = {}
    for w in words(text):
        if is_content_word(w):
            forms.setdefault(stem(w), w)
    return forms


# ---------------------------------------------------------------------------
# Quantities
# ---------------------------------------------------------------------------

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
    low = " ".join(normalize(text).lower().split()).rstrip(" .;,")
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


# ---------------------------------------------------------------------------
# a / an: the sound a word starts with
# ---------------------------------------------------------------------------

# Letter names that start with a vowel sound: "an F", "an HMO", "an MRI", "an X-ray".
_VOWEL_LETTER_NAMES = frozenset("AEFHILMNORSX")
# Acronyms read as words, whose first letter alone would mislead.
_WORD_ACRONYMS_TEXT = """
    HIPAA HIPPA OSHA CLIA COBRA HITECH TRICARE CHAMPVA NATO HCPCS HCFA FICA FUTA SUTA MAC RAC
    ZPIC MIPS MACRA HEDIS MRSA SNOMED LOINC NIOSH FEMA FERPA SOAP STAT NICU LASIK HEPA SARS
    MERS SIDS FOIA
"""
_WORD_ACRONYMS = frozenset(_WORD_ACRONYMS_TEXT.split())
_ONSETS_TEXT = (
    "bl br ch cl cr dr fl fr gl gr kl kn kr ph pl pr sc sh sk sl sm sn sp st sw th tr tw wh wr "
    "scr shr spl spr str thr"
)
_ONSETS = frozenset(_ONSETS_TEXT.split())
_SILENT_H = ("hour", "honest", "honor", "honour", "heir")
# Words starting with a "you" sound ("a unit", "a user", "a European", "a urinalysis").
_YOU_SOUND = (
    "uni",
    "use",
    "usi",
    "usu",
    "uti",
    "ute",
    "ure",
    "uri",
    "uro",
    "ura",
    "uku",
    "ubi",
    "uvu",
    "ufo",
    "ukr",
    "eu",
    "ewe",
)
_UN_PREFIX = ("unin", "unim", "unid")  # "an uninsured", "an unimportant", "an unidentified"
_W_SOUND = ("one", "once")  # "a one-time fee"
_TOKEN = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d[\d,]*")


def _sounds_like_word(acronym: str) -> bool:
    """An all-caps token of 4+ letters read aloud as a word: a consonant onset, then a vowel.

    HIPAA, NATO, FICA, STAT and SNOMED read as words; NCCI, FMLA and MSDS do not.
    Tokens starting with a vowel letter are spelled (the letter names A, E, I, O
    start with a vowel sound anyway, and U-acronyms mostly say "you").
    """
    low = acronym.lower()
    if len(low) < 4 or not low.isalpha() or low[0] in "aeiou":
        return False
    for size in (3, 2, 1):
        onset, after = low[:size], low[size : size + 1]
        if (size == 1 or onset in _ONSETS) and after in ("a", "e", "i", "o", "u"):
            return True
    return False


def _number_vowel_sound(digits: str) -> bool:
    """An 8, an 11, an 18, an 800, an 1800 (eighteen hundred): numbers said with a vowel."""
    plain = digits.replace(",", "")
    if plain.startswith("8"):
        return True
    if digits.split(",")[0] in ("11", "18"):
        return True
    return len(plain) == 4 and plain[:2] in ("11", "18") and plain[2:] == "00"


def _spelled_letter_by_letter(token: str) -> bool:
    if len(token) == 1:
        return True
    if token.isupper():
        return token not in _WORD_ACRONYMS and not _sounds_like_word(token)
    # Mixed-case abbreviations such as HbA1c, ePHI, eMAR: read letter by letter.
    capitals = sum(ch.isupper() for ch in token)
    return capitals >= 2 and not token.istitle()


def _word_vowel_sound(low: str) -> bool:
    if low.startswith(_SILENT_H):
        return True
    if low.startswith(_W_SOUND) and not low.startswith("onerous"):
        return False
    if low.startswith(_UN_PREFIX):
        return True
    if low.startswith(_YOU_SOUND):
        return False
    return low[0] in "aeiou"


def starts_with_vowel_sound(word: str) -> bool:
    """Whether a word is said with a leading vowel sound, which makes "an" its article.

    Acronyms spelled letter by letter go by the first letter's name ("an HMO", "a
    CPT code", "an MRI", "a UB-04", "an X-ray"); acronyms read as words by the word
    ("a HIPAA", "an OSHA"); silent h ("an hour", "an honest"); "you" and "w" sounds
    ("a unit", "a user", "a European", "a one-time"); numbers ("an 8", "an 11",
    "an 837P", "a 1099").
    """
    text = normalize(word)
    match = _TOKEN.search(text)
    if match is None:
        return False
    token = match.group()
    if token[0].isdigit():
        digits = _DIGITS.match(text, match.start())
        return _number_vowel_sound(digits.group() if digits else token)
    if _spelled_letter_by_letter(token):
        return token[0].upper() in _VOWEL_LETTER_NAMES
    return _word_vowel_sound(token.lower())
