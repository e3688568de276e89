"""What every flaw rule shares: reading its arguments, whatever their type, and its evidence.

Rules never raise, whatever the text and however many options, so they read their
arguments through these: None and non-strings become text, a non-list of options
becomes no options, an unknown or out-of-range key letter becomes None.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from bank.models import LETTERS
from bank.text import forbidden_character


def as_text(value: object) -> str:
    """Any input as a string: None is empty, anything else its str()."""
    return "" if value is None else value if isinstance(value, str) else str(value)


def option_texts(options: object) -> list[str]:
    """The options as stripped strings; [] when `options` is None, a string or not iterable."""
    if options is None or isinstance(options, str | bytes):
        return []
    try:
        # Whatever came in is tried as an iterable; a TypeError says it was none.
        return [as_text(o).strip() for o in cast(Iterable[object], options)]
    except TypeError:
        return []


def option_letter(index: int) -> str:
    """The letter of the option at `index`: A-D, then E-Z, then its 1-based number."""
    if index < len(LETTERS):
        return LETTERS[index]
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def key_index(options: list[str], answer: object) -> int | None:
    """The index of the keyed option, or None when the key is unknown or out of range."""
    letter = as_text(answer).strip().upper()
    if len(letter) != 1 or not "A" <= letter <= "Z":
        return None
    index = ord(letter) - ord("A")
    return index if index < len(options) else None


def shorten(text: str, limit: int = 60) -> str:
    """`text` with its whitespace folded, cut to `limit` characters with an ellipsis.

    Characters a flaw's evidence may not hold (control characters, lone surrogates, which
    an imported option can carry) are dropped, so quoting an option never fails.
    """
    text = " ".join("".join(c for c in text if forbidden_character(c) is None).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def join_unique(items: list[str]) -> str:
    """The distinct items, in first-seen order, joined by commas (for evidence)."""
    return ", ".join(dict.fromkeys(items))
