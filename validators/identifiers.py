"""What tells two alike items apart: numbers, codes, opposite words and template slots.

Two items whose stems (or keys) carry different numbers or codes ask different things,
however alike the rest of the wording; two keys naming opposite poles ("increase" and
"decrease") are different answers; two stems built on one template with another subject
in its slot ask about different things. Every duplicate layer checks a candidate pair
with `identifiers_agree` before it reports it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bank.text import content_words

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
# In keys: words of opposite (or mutually exclusive) pairs and groups. Two keys alike but
# for one of these ("debit entry" and "credit entry", "an input device" and "an output
# device") name different answers, as two different numbers would.
_OPPOSITES = [
    "increase decrease",
    "increased decreased",
    "debit credit",
    "debits credits",
    "input output",
    "inpatient outpatient",
    "privacy security",
    "high low",
    "higher lower",
    "upper lower",
    "large small",
    "larger smaller",
    "before after",
    "ante post",
    "front back",
    "anterior posterior",
    "superior inferior",
    "medial lateral",
    "internal external",
    "entry exit",
    "entering leaving",
    "donning doffing",
    "required voluntary optional",
    "accrual cash",
    "systolic diastolic",
    "initial subsequent",
    "new established",
    "acute chronic",
    "benign malignant",
    "positive negative",
    "minimum maximum",
    "direct indirect",
    "administrative physical technical",
    "technical professional",
    "compliance accreditation waiver",
    "cashier teller certified",
]
_POLAR = frozenset(w for group in _OPPOSITES for w in group.split())


@lru_cache(maxsize=65_536)
def identifiers(text: str, *, letters: bool = False) -> frozenset[str]:
    """Numbers and codes of a text ("30", "w-4", "icd-10-cm"), and more with `letters`.

    With `letters` (keys): also lone capitals and roman numerals after another word
    ("Part B", "Schedule II"), ordinals and multiplicatives ("third" as "3rd", "twice" as
    "2"), and words of opposite pairs ("debit", "credit", "input", "output": `_OPPOSITES`).

    Two items whose stems (or keys) carry different numbers or codes ask different
    things, however alike the rest of the wording; two keys naming opposite poles
    ("increase" and "decrease") are different answers.
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
        elif low in _POLAR:
            found.add(low)
    return frozenset(found)


def _agree(a: frozenset[str], b: frozenset[str]) -> bool:
    # One may name fewer (a paraphrase drops "(UB-04)"), but none may name another.
    return a <= b or b <= a


@lru_cache(maxsize=65_536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(token.casefold() for token in _TOKEN.findall(text))


TEMPLATE_SHARE = 0.5  # of the shorter stem's words, in the shared opening and ending
SLOT_OVERLAP = 0.34  # below this Jaccard of content words, two slots name other subjects


@lru_cache(maxsize=65_536)
def other_subject(stem_a: str, stem_b: str) -> bool:
    """Whether two stems are one template with another subject in its slot.

    They share an opening and an ending (together at least TEMPLATE_SHARE of the shorter
    stem's words), and the words between share few content words ("In which DEA schedule is
    ketamine placed?", "... is Tylenol with codeine placed?"; "For a valid HIPAA
    authorization, <element> is which kind of component?").

    A one-word synonym swap ("records" for "charts") looks the same and is lost: on the
    labeled set, 2 such duplicates against about 70 template-built hard negatives.
    """
    a, b = _words(stem_a), _words(stem_b)
    short = min(len(a), len(b))
    head = 0
    while head < short and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < short - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    if head + tail < TEMPLATE_SHARE * short:
        return False
    slot_a = content_words(" ".join(a[head : len(a) - tail]))
    slot_b = content_words(" ".join(b[head : len(b) - tail]))
    if not slot_a or not slot_b:
        return False
    return len(slot_a & slot_b) < SLOT_OVERLAP * len(slot_a | slot_b)


def identifiers_agree(stem_a: str, key_a: str, stem_b: str, key_b: str) -> bool:
    """Whether nothing tells the two items apart: no identifier conflicts, no template slot.

    No number or code in the stems, nor number, code, letter, ordinal or opposite word in
    the keys, conflicts; and the stems are not one template with another subject
    (`other_subject`).
    """
    return (
        _agree(identifiers(stem_a), identifiers(stem_b))
        and _agree(identifiers(key_a, letters=True), identifiers(key_b, letters=True))
        and not other_subject(stem_a, stem_b)
    )
