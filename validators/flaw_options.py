"""Flaws of the options: pointers at other options, absolute or vague terms, lost order.

An option may be "None/All of the above" or a combination of others (complex K-type),
say an absolute or vague term, or the options may be quantities out of order.

Precedence: an option that is "All/None of the above" or a combination of other
options ("Both A and B", "1 and 3 only") is reported under its own code and is not
searched for absolute or vague terms (its "all", "none" or "only" is the same flaw).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from bank.models import Flaw
from bank.quantities import parse_quantity
from bank.text import nfkc, plain, words
from validators.flaw_inputs import join_unique, option_letter, option_texts, shorten

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
_ITEM = r"\(?(?:[A-D]|[1-9]|I{1,3}|IV|VI?|i{1,3}|iv|vi?)\)?"
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


def _is_nota(option: str) -> bool:
    return bool(_NOTA.match(plain(option)))


def _is_aota(option: str) -> bool:
    return bool(_AOTA.match(plain(option)))


def _is_combination(option: str) -> bool:
    core = " ".join(nfkc(option).split()).strip(" .,;:!")
    return bool(_COMBINATION.match(core))


# One statement named alone, as in the K-type set "I only", "II only", "I and III".
_SINGLE_REFERENCE = re.compile(rf"^(?:(?i:only)\s+)?{_ITEM}(?:\s+(?i:only))?$")


def _points_at_others(option: str) -> bool:
    """An option that refers to other options: its "all", "none" or "only" is no absolute."""
    core = " ".join(nfkc(option).split()).strip(" .,;:!")
    return (
        _is_nota(option)
        or _is_aota(option)
        or _is_combination(option)
        or bool(_SINGLE_REFERENCE.match(core))
    )


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
    """An option is nothing but a combination of option letters or statement numbers."""
    return _options_matching(options, "complex_k_type", _is_combination)


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
        if _points_at_others(option):
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


# ---------------------------------------------------------------------------
# The option set
# ---------------------------------------------------------------------------


def lost_sequence(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """All options are comparable quantities, in neither ascending nor descending order."""
    texts = option_texts(options)
    if len(texts) < 3:
        return []
    quantities = [parse_quantity(t) for t in texts]
    if any(q is None for q in quantities):
        return []
    units = {q.unit for q in quantities if q and q.unit}
    kinds = {q.kind for q in quantities if q} - {"range"}
    if len(units) > 1 or ("date" in kinds and kinds != {"date"}):
        return []
    values = [q.value for q in quantities if q]
    pairs = list(pairwise(values))
    if all(a <= b for a, b in pairs) or all(a >= b for a, b in pairs):
        return []
    evidence = shorten(" | ".join(texts), 80)
    return [Flaw(code="lost_sequence", where="options", evidence=evidence)]
