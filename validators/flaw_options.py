"""Flaws of single options: pointers at other options, absolute or vague terms.

An option may be "None/All of the above" or a combination of others (complex K-type),
or say an absolute or vague term. (Quantities out of order: validators.quantity_checks.)

Precedence, as the spec words it: an option that is "All/None of the above" is reported
under its own code and is not searched for absolute or vague terms. A combination is
searched: "I only" and "1 and 3 only" say "only", and the spec lists no exception for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bank.models import Flaw
from bank.text import nfkc, plain, words
from validators.flaw_inputs import as_text, join_unique, option_letter, option_texts, shorten

# ---------------------------------------------------------------------------
# Options that point at other options
# ---------------------------------------------------------------------------

_OTHERS = (
    r"(?:the\s+)?(?:above|these|those|them|following|preceding|previous|listed|mentioned"
    r"|given|options?|choices?|answers?|responses?|statements?)\b"
)
_NOTA = re.compile(
    rf"^(?:(?:none|neither|nothing)\s+of\s+{_OTHERS}"
    r"|none\s+(?:is|are|applies|apply)\b"
    r"|(?:there\s+is\s+)?no\s+(?:correct|right|valid|true)\s+(?:answer|option|choice|response)"
    r"|no\s+(?:answer|option|choice|response)s?\s+(?:is|are)\s+(?:correct|right|true)"
    r"|none$|none\s+given$|not\s+given$)"
)
_AOTA = re.compile(
    rf"^(?:(?:all|each|any)\s+of\s+{_OTHERS}"
    r"|all\s+(?:the\s+)?above\b"
    r"|all\s+(?:the\s+)?(?:options|choices|answers|statements)\s+(?:are\s+)?(?:correct|true)"
    r"|all\s+(?:are|is)\s+(?:correct|true|right)\b"
    r"|all$|all\s+of\s+them$)"
)
# An option letter or statement number, bracketed or quoted ("(B)", "'B' & 'C'").
_ITEM = r"(?:\(?(?:[A-D]|[1-9]|I{1,3}|IV|VI?|i{1,3}|iv|vi?)\)?|['\"‘’“”](?:[A-D]|[1-9])['\"‘’“”])"
_JOINER = r"\s*(?:,\s*(?:(?i:and|or)\s+)?|&|/|\+|\s(?i:and|or|nor)\s)\s*"
_COMBINATION = re.compile(
    r"^(?:(?i:both|only|either|neither)\s+)?"
    r"(?:(?i:options?|answers?|choices?|statements?|responses?|items?)\s+)?"
    rf"{_ITEM}(?:{_JOINER}{_ITEM})+"
    r"(?:\s+(?i:only))?"
    r"(?:\s+(?i:are|is)\s+(?:(?i:both|all)\s+)?(?i:correct|true|right))?"
    r"(?:\s+(?i:only))?$"
    r"|^(?i:both\s+of\s+(?:the\s+)?(?:above|these|those|them))$"
)
# Statements the stem labels with letters ("a) SLE b) Hepatitis A", "a. b. c. d."): their
# letters, lower-case or glued ("ab", "a,c,d,b", "ACDB"), are statement numbers too.
# A label is a letter and ")" (often glued to the statement before: "per dayb) Urine"),
# or a letter and "." standing alone.
_LETTER_LABELS = re.compile(r"([a-eA-E])\)|(?:^|[\s(\-–—:,;])([a-eA-E])\.(?=\s|$)")
_LETTER_COMBINATION = re.compile(
    r"^(?:(?i:both|only|either)\s+)?[a-eA-E](?:\s*(?:,\s*(?:(?i:and|or)\s+)?|&|/|\+"
    r"|\s(?i:and|or)\s|)\s*[a-eA-E])+(?:\s+(?i:only))?$"
)


def _is_nota(option: str) -> bool:
    return bool(_NOTA.match(plain(option)))


def _is_aota(option: str) -> bool:
    return bool(_AOTA.match(plain(option)))


def _core(option: str) -> str:
    return " ".join(nfkc(option).split()).strip(" .,;:!")


def _labels_statements_by_letter(stem: str) -> bool:
    """Whether the stem lists statements labeled by two or more letters ("a) ... b) ...")."""
    found = {(a or b).lower() for a, b in _LETTER_LABELS.findall(nfkc(stem))}
    return len(found) >= 2


# Two numbers joined by a slash only ("1/5", "3 / 4") are a fraction unless the stem
# numbers statements ("1. ... 2. ...", "(1) ... (2) ...").
_FRACTION = re.compile(r"^\d+\s*/\s*\d+$")
_NUMBERED = re.compile(r"(?:^|\s)\(?[1-9][.)](?=\s)")


def _is_combination(option: str, lettered: bool = False, numbered: bool = True) -> bool:
    core = _core(option)
    if not numbered and _FRACTION.match(core):
        return False
    if _COMBINATION.match(core):
        return True
    return lettered and bool(_LETTER_COMBINATION.match(core))


def _options_matching(options: object, code: str, test: Callable[[str], bool]) -> list[Flaw]:
    return [
        Flaw(code=code, where=option_letter(i), evidence=shorten(o))
        for i, o in enumerate(option_texts(options))
        if test(o)
    ]


def none_of_the_above(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """An option is "None of the above" or an equivalent ("no correct answer", "None")."""
    return _options_matching(options, "none_of_the_above", _is_nota)


def all_of_the_above(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """An option is "All of the above" or an equivalent ("all of these", "all the above")."""
    return _options_matching(options, "all_of_the_above", _is_aota)


def complex_k_type(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """An option is nothing but a combination of option letters or statement numbers.

    Letters the stem uses to label statements ("a) ... b) ...") count in any case and
    glued ("ab", "a,c,d,b"); otherwise only capitals A-D do ("Medicare Parts A and B" is
    content, not a combination). Two numbers joined by a slash ("1/5") are a fraction
    unless the stem numbers two or more statements.
    """
    text = as_text(stem)
    lettered = _labels_statements_by_letter(text)
    numbered = len(set(_NUMBERED.findall(nfkc(text)))) >= 2
    return _options_matching(
        options, "complex_k_type", lambda o: _is_combination(o, lettered, numbered)
    )


# ---------------------------------------------------------------------------
# Absolute and vague terms in options
# ---------------------------------------------------------------------------

_ABSOLUTE_TEXT = """
    always never all none only completely absolutely entirely must every guaranteed"""
_ABSOLUTE = frozenset(_ABSOLUTE_TEXT.split())
_VAGUE_TEXT = """
    usually frequently often occasionally rarely sometimes seldom generally typically may
    might possibly probably commonly"""
_VAGUE = frozenset(_VAGUE_TEXT.split())


def _is_month_may(found: list[str], index: int) -> bool:
    """Whether the word at index is the month of "May 15" or "May 2024", not the verb."""
    following = found[index + 1] if index + 1 < len(found) else ""
    return found[index] == "May" and following.isdigit()


def _terms(option: str, vocabulary: frozenset[str]) -> list[str]:
    found = words(option)
    return [
        w
        for i, w in enumerate(found)
        if w.lower() in vocabulary and not (w.lower() == "may" and _is_month_may(found, i))
    ]


def _option_terms(options: object, code: str, vocabulary: frozenset[str]) -> list[Flaw]:
    flaws: list[Flaw] = []
    for i, option in enumerate(option_texts(options)):
        if _is_nota(option) or _is_aota(option):
            continue
        found = _terms(option, vocabulary)
        if found:
            flaws.append(Flaw(code=code, where=option_letter(i), evidence=join_unique(found)))
    return flaws


def absolute_terms(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """An option says always, never, all, none, only, must, every ... (whole words)."""
    return _option_terms(options, "absolute_terms", _ABSOLUTE)


def vague_terms(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """An option says usually, often, may, might, probably ... ("May 15" is a month)."""
    return _option_terms(options, "vague_terms", _VAGUE)
