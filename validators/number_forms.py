"""Numbers written one way, for the duplicate detector's lexical features.

A key reworded by writing its number another way ("60 days" / "Sixty days", "$950" /
"Nine hundred fifty dollars", "16" / "Sixteen") shares no n-gram with the original, so
TF-IDF scores it as another answer. `lexical_form` rewrites spelled-out numbers as
digits, drops thousands separators and writes a dollar sign as the word after its
amount; the detector counts n-grams of that form (the static vectors read the text as
written).
"""

from __future__ import annotations

import re

from bank.text import nfkc
from validators.quantity_checks import spelled_numbers_as_digits

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DOLLARS = re.compile(r"\$\s*(\d+(?:\.\d+)?)")


def lexical_form(text: str) -> str:
    """The text lower-cased with its numbers in digits ("Sixty days" -> "60 days")."""
    low = spelled_numbers_as_digits(nfkc(text).lower())
    low = _THOUSANDS.sub("", low)
    return _DOLLARS.sub(r"\1 dollars", low)
