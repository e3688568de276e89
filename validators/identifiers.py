"""What tells two alike items apart for certain: the numbers and codes they carry.

Two items whose stems (or keys) carry different numbers or codes ask different things,
however alike the rest of the wording. The rule-based layers check a candidate pair with
`identifiers_agree`; the pair classifier (validators.pair_model) takes the agreements as
features beside the similarities. (The hand lists of opposite words and the template-slot
rule that were fitted to the first labeled pairs are gone: the classifier learns what a
shared template with another slot means from `validators.pair_features.template_overlap`.)
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"[^\W_]+(?:[-/.,:][^\W_]+)*")
_ROMAN = frozenset(["II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"])
_NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        re.findall(r"\w+", "zero one two three four five six seven eight nine ten eleven twelve")
    )
} | {"twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "ninety": "90"}
# In keys: ordinals and multiplicatives are numbers too ("first level", "twice a day").
_KEY_NUMBER_WORDS = {
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
    "sixth": "6th",
    "once": "1",
    "twice": "2",
    "thrice": "3",
}


@lru_cache(maxsize=65_536)
def identifiers(text: str, *, letters: bool = False) -> frozenset[str]:
    """Numbers and codes of a text ("30", "w-4", "icd-10-cm"), and more with `letters`.

    With `letters` (keys): also lone capitals and roman numerals after another word
    ("Part B", "Schedule II"), and ordinals and multiplicatives ("third" as "3rd",
    "twice" as "2").

    Two items whose stems (or keys) carry different numbers or codes ask different
    things, however alike the rest of the wording.
    """
    found = set()
    tokens = _TOKEN.findall(text)
    for pos, token in enumerate(tokens):
        low = token.casefold()
        if any(ch.isdigit() for ch in token):
            found.add(low.replace(",", "") if low.replace(",", "").isdigit() else low)
        elif low in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[low])
        elif not letters:
            continue
        elif pos > 0 and (token in _ROMAN or (len(token) == 1 and token.isupper())):
            found.add(token)
        elif low in _KEY_NUMBER_WORDS:
            found.add(_KEY_NUMBER_WORDS[low])
    return frozenset(found)


def _agree(a: frozenset[str], b: frozenset[str]) -> bool:
    # One may name fewer (a paraphrase drops "(UB-04)"), but none may name another.
    return a <= b or b <= a


def identifiers_agree(stem_a: str, key_a: str, stem_b: str, key_b: str) -> bool:
    """Whether no number or code of the stems, nor of the keys, conflicts.

    In the keys, lone letters and ordinals count too. The rule-based layers
    (validators.layer.Rule) check a candidate with it; the pair classifier takes the same
    two agreements as features (validators.pair_features).
    """
    return _agree(identifiers(stem_a), identifiers(stem_b)) and _agree(
        identifiers(key_a, letters=True), identifiers(key_b, letters=True)
    )
