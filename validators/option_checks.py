"""Checks of the option set as an item writer reads it: an off-topic distractor, mixed options.

Neither code is in ../shared/spec/item-flaws.md's rule table: both are the judgement
code `implausible_distractors` ("a different category of thing") made checkable with
cheap lexical evidence, and both are tuned for precision over recall, since a false flag
costs a reviewer's time on every item it lands on. benchmarks/flaw_recall.py measures
them against labels of items written by others.

- `off_topic_distractor`: the stem names the kind of thing it asks for ("Which type of
  consent ...", "What does denied claim mean?", "... this definition: patient seen ..."),
  the key and at least one other option name that kind, and a distractor does not: it
  can be struck out without knowing the topic.
- `mixed_options`: the options are not parallel in form, so one stands out from the list
  alone: a clause ("No treatment is necessary") among short noun phrases, a number among
  names (or a name among numbers), or a long sentence among short phrases.

Both are pure functions ``(stem, options, answer) -> list[Flaw]`` like the flaw rules,
and never raise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bank.models import Flaw
from bank.text import STOP_WORDS, nfkc, stem, words
from validators.flaw_inputs import as_text, key_index, option_letter, option_texts, shorten
from validators.quantity_checks import read_quantity

OFF_TOPIC = "off_topic_distractor"
MIXED = "mixed_options"

# ---------------------------------------------------------------------------
# off_topic_distractor: the kind the stem asks for
# ---------------------------------------------------------------------------

_KIND_WORDS = r"(?:kind|type|sort|form|class|category|variety)s?"
_VERB_AFTER = (
    r"(?:\?|$|[,:;]|\b(?:is|are|was|were|has|have|had|does|do|did|can|could|should|would|will"
    r"|best|most|usually|this|these|that|which|who)\b)"
)
_ASKED_KIND = re.compile(
    rf"\b(?:what|which)\s+{_KIND_WORDS}\s+of\s+(?P<kind>[a-z][a-z' -]{{1,40}}?)\s*{_VERB_AFTER}"
)
_ASKED_TERM = re.compile(
    r"^\W*what\s+(?:does|do)\s+(?:the\s+)?(?:term\s+|abbreviation\s+|word\s+)?[\"'“‘]?"
    r"(?P<term>[^?\"”’]{1,50}?)[\"'”’]?\s+(?:mean|stand\s+for|refer\s+to)\b"
    r"|^\W*what\s+is\s+(?:an?\s+)?[\"'“‘]?(?P<term2>(?!the\b)[^\s?,;:\"”’]+(?:\s+[^\s?,;:\"”’]+){0,3})"
    r"[\"'”’]?\s*\?\s*$"
)
_DEFINED = re.compile(r"\bdefinition\s*:\s*(?:an?\s+|the\s+)?(?P<head>[a-z][a-z-]+)")
_CALLED = re.compile(r"\bwhat\s+is\s+(?:this|that|the)\s+(?P<head>[a-z][a-z-]+)\s+called\b")
_NAMES_THE = re.compile(
    r"\bwhich\s+(?:term|word|name)\s+(?:names|describes|means)\s+(?:the|a|an)\s+"
    r"(?P<kind>[a-z][a-z -]{1,40}?)\s+(?:that|which|who|whom|when|where|for|of|in|used)\b"
)
# Words a stem uses to ask that name no kind of thing ("which term matches ...").
_NO_KIND_TEXT = """
    term word phrase statement option answer choice one following best most thing item
    example way"""
_NO_KIND = frozenset(_NO_KIND_TEXT.split())


@dataclass(frozen=True)
class _Asked:
    """The kind a stem asks for: its phrase, its head word (stemmed), and how options name it.

    Options name a kind by its head word anywhere in them, except the definitions a
    "What does X mean?" stem asks for: a definition names its kind first ("claim the
    payer processed ..."), so there the head must be among its first words.
    """

    phrase: str
    head: str
    within: int | None = None


_GENUS_WORDS = 3  # a definition names its kind within its first words


def _asked_kind(stem_text: str) -> _Asked | None:
    """What the stem asks for, or None when it names no kind of thing."""
    text = " ".join(nfkc(stem_text).lower().split())
    phrase, within = "", None
    if m := _ASKED_KIND.search(text) or _NAMES_THE.search(text):
        phrase = m["kind"]
    elif m := _ASKED_TERM.search(text):
        phrase, within = (m["term"] or m["term2"]), _GENUS_WORDS
    elif m := _DEFINED.search(text) or _CALLED.search(text):
        phrase = m["head"]
    found = words(phrase)
    head = found[-1] if found else ""
    if head in _NO_KIND or len(head) < 4 or head in STOP_WORDS:
        return None
    return _Asked(phrase, stem(head), within)


def _names(option: str, asked: _Asked) -> bool:
    """Whether an option names the kind asked for (its head word, where it must stand)."""
    found = words(option)
    if asked.within is not None:
        found = [w for w in found if w.lower() not in _ARTICLES][: asked.within]
    return any(stem(w) == asked.head for w in found)


_ARTICLES = frozenset({"a", "an", "the"})


def off_topic_distractor(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """A distractor that does not name the kind of thing the stem asks for, when others do.

    The stem must name the kind (see the module's docstring), the key must name it, and
    at least one other distractor too: then the option set is built around that kind, and
    a distractor outside it stands out. Each such distractor is reported at its letter.
    """
    texts = option_texts(options)
    key = key_index(texts, answer)
    asked = _asked_kind(as_text(stem))
    if key is None or asked is None or len(texts) < 3:
        return []
    names = [_names(t, asked) for t in texts]
    if not names[key] or sum(names) < 2:
        return []
    naming = ", ".join(option_letter(i) for i, n in enumerate(names) if n)
    return [
        Flaw(
            code=OFF_TOPIC,
            where=option_letter(i),
            evidence=f'not a "{shorten(asked.phrase, 30)}", which the stem asks for ({naming} are)',
        )
        for i, n in enumerate(names)
        if not n and i != key
    ]


# ---------------------------------------------------------------------------
# mixed_options: options of different form
# ---------------------------------------------------------------------------

# Finite verbs and auxiliaries that make an option a clause rather than a noun phrase.
_FINITE_TEXT = """
    is are was were has have had does do did can could will would should may might must
    shall"""
_FINITE = frozenset(_FINITE_TEXT.split())
_SHORT_PHRASE_WORDS = 2  # the parallel options of a clause-among-phrases set are this short
# Openers that fix an option's grammatical form: "By splicing ..." answers "how".
_FORM_OPENERS = frozenset({"by", "to", "because", "due", "when", "if", "since", "through"})


def _form(option: str) -> str:
    """An option's form: "quantity", "clause" (it has a finite verb) or "phrase".

    A quantity is a bare number or amount ("12 weeks", "5%"): "1st tracheal ring" and
    "100% oxygen therapy" are names. A clause has three words or more and a finite verb
    before its last word ("Tell Show Do" is a name).
    """
    quantity = read_quantity(option)
    if quantity is not None and not quantity.tail:
        return "quantity"
    found = [w.lower() for w in words(option)]
    if len(found) >= 3 and _FINITE.intersection(found[:-1]):
        return "clause"
    return "phrase"


def _odd_one(values: list[object]) -> int | None:
    """The index of the one value that differs when all the others agree, else None."""
    for i, value in enumerate(values):
        others = values[:i] + values[i + 1 :]
        if len(set(others)) == 1 and others[0] != value:
            return i
    return None


def _odd_form(texts: list[str]) -> tuple[int, str] | None:
    """The option whose form differs from the other options' forms, with why."""
    forms: list[object] = [_form(t) for t in texts]
    odd = _odd_one(forms)
    if odd is None:
        return None
    others = [t for i, t in enumerate(texts) if i != odd]
    if forms[odd] == "clause" and all(len(words(t)) <= _SHORT_PHRASE_WORDS for t in others):
        return odd, "a clause among short noun phrases"
    if forms[odd] == "quantity" and not any(ch.isdigit() for t in others for ch in t):
        return odd, "a quantity among names"
    # Bare numbers may be codes ("25", "51", "LT" are modifiers): only measured amounts count.
    measured = [read_quantity(t) for i, t in enumerate(texts) if i != odd]
    amounts = all(q is not None and q.dimension for q in measured)
    if forms[odd] == "phrase" and amounts and not any(ch.isdigit() for ch in texts[odd]):
        return odd, "a name among quantities"
    return None


def _odd_opener(texts: list[str]) -> tuple[int, str] | None:
    """One option not opening with the word ("By ...", "To ...") that all the others do."""
    openers: list[object] = [(words(t) or [""])[0].lower() for t in texts]
    odd = _odd_one(openers)
    if odd is None or openers[(odd + 1) % len(texts)] not in _FORM_OPENERS:
        return None
    return odd, f'the others open with "{openers[(odd + 1) % len(texts)]}"'


def _mixed_form(texts: list[str]) -> tuple[int, str] | None:
    """The option whose form differs from the others', with why, or None."""
    return _odd_form(texts) or _odd_opener(texts)


def mixed_options(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """One option differs in form from the three others, so it stands out from the list.

    A clause among noun phrases of one or two words, a quantity among names, a name among
    quantities, or an option not opening with the "By"/"To"/"Because" that all the others
    open with. (One option far longer than the others was tried: on the dev part it added
    2 true flags and 2 false ones, all four on the key, which longest_answer_correct
    already names; left out.)
    """
    texts = option_texts(options)
    if len(texts) < 3 or not all(texts):
        return []
    found = _mixed_form(texts)
    if found is None:
        return []
    odd, why = found
    return [Flaw(code=MIXED, where=option_letter(odd), evidence=f"{why}: {shorten(texts[odd])}")]
