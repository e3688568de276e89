"""`distractor_true_in_notes`: a distractor that the item's own source notes state as true.

An item that cites source notes (`sources` name notes of a bank.notes.NoteSet) is
checked against the facts of those notes: a distractor is a second defensible answer
when a fact pairs what the stem asks about with that distractor, and not with the key.

What a fact pairs (question side -> answer side), and when the stem asks about it:

- term: term -> definition when the stem names the term; definition -> term when it
  holds the definition;
- classify: item -> category, category -> item, when the stem names the one side;
- number: question -> value; cause: cause -> effect, when the stem holds the first;
- procedure: name -> first (last) step when the stem names the procedure and says
  "first" ("last"); step -> next step when it names the procedure and the step and
  says "after", "next" or "follows".

The stem names or holds a subject when the subject's tokens (its words, stemmed, without
stop words but with the words that turn a meaning round: above/below, before/after,
more/less, not, only ...; with "A" in "Part A" and "I" in "Schedule I") occur among the
stem's tokens as one run.
So "heart rate above 100" does not hold "heart rate below 60", "the middle two digits,
then the first two" does not hold "the last two digits, then the middle two", and "U"
is not "IU". A next-step question must name its procedure too (two procedures may share
a step). Only the longest subjects a stem asks about count, so "denied claim" in a stem
does not also ask about "claim". A distractor matches an answer when both fold to the
same text or have the same tokens.

The evidence is the fact as the note states it, with the note and line, so a reviewer
can see at once why the distractor is also right (or the note is wrong).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from bank.models import LETTERS, Flaw, Item
from bank.notes import Fact, NoteSet
from bank.text import STOP_WORDS, fold, nfkc, stem, words
from validators.flaw_inputs import shorten

CODE = "distractor_true_in_notes"
# Stop words that turn a meaning round: kept as tokens.
_POLAR_TEXT = """
    above below before after more most less least over under not no nor only few same up
    down off against all any each both"""
_POLAR = frozenset(_POLAR_TEXT.split())

_FIRST = re.compile(r"\b(?:first|initial)\b")
_LAST = re.compile(r"\b(?:last|final)\b")
_NEXT = re.compile(r"\b(?:after|next|follows?|following|then)\b")


@dataclass(frozen=True)
class Pair:
    """A fact's claim that the answer to a question about `subject` is `answer`."""

    subject: str
    answer: str
    fact: Fact
    asks: str = ""  # "first", "last" or "next": the cue a procedure question needs
    within: str = ""  # what the stem must name as well: a next step's procedure


def _pairs(fact: Fact) -> list[Pair]:
    """What one fact states as the answer to what."""
    f = fact.fields
    if fact.kind == "term":
        return [Pair(f[0], f[1], fact), Pair(f[1], f[0], fact)]
    if fact.kind == "classify":
        return [Pair(f[1], f[2], fact), Pair(f[2], f[1], fact)]
    if fact.kind in ("number", "cause"):
        return [Pair(f[0], f[1], fact)]
    if fact.kind == "procedure":
        steps = [s.strip() for s in f[1].split(">")]
        found = [Pair(f[0], steps[0], fact, "first"), Pair(f[0], steps[-1], fact, "last")]
        return found + [Pair(a, b, fact, "next", f[0]) for a, b in pairwise(steps)]
    return []


@lru_cache(maxsize=8192)  # facts are frozen and shared by every item that cites the note
def _fact_pairs(fact: Fact) -> tuple[Pair, ...]:
    return tuple(_pairs(fact))


@lru_cache(maxsize=16384)
def _folded(text: str) -> str:
    return f" {fold(text)} "


@lru_cache(maxsize=16384)
def _tokens(text: str) -> tuple[str, ...]:
    """The text's words, stemmed, without stop words other than the polar ones.

    A capital letter or Roman numeral after the first word is a name ("Part A",
    "Schedule I", "Category III"), not the article or pronoun it spells.
    """
    found = words(nfkc(text))
    kept = []
    for i, word in enumerate(found):
        low = word.lower()
        name = i > 0 and (word.isupper() and len(word) <= 4)
        if name or low not in STOP_WORDS or low in _POLAR:
            kept.append(stem(low))
    return tuple(kept)


def _holds(tokens: tuple[str, ...], subject: str) -> bool:
    """Whether the subject's tokens occur in `tokens` as one run (none: never)."""
    wanted = _tokens(subject)
    n = len(wanted)
    return n > 0 and any(tokens[i : i + n] == wanted for i in range(len(tokens) - n + 1))


def _asked(pair: Pair, tokens: tuple[str, ...], stem_folded: str) -> bool:
    """Whether the stem asks about the pair's subject (and names its procedure, for a step)."""
    if pair.within and not _holds(tokens, pair.within):
        return False
    return _holds(tokens, pair.subject) and _cue_holds(pair, stem_folded)


def _same(answer: str, option: str) -> bool:
    """Whether an option says the answer: the same folded text or the same tokens."""
    if _folded(answer) == _folded(option):
        return True
    wanted = _tokens(answer)
    return bool(wanted) and wanted == _tokens(option)


def _cue_holds(pair: Pair, stem_folded: str) -> bool:
    cue = {"first": _FIRST, "last": _LAST, "next": _NEXT}.get(pair.asks)
    return cue is None or bool(cue.search(stem_folded))


def _longest(pairs: list[Pair]) -> list[Pair]:
    """The pairs whose subject is not part of a longer subject the stem also asks about."""
    subjects = {_folded(p.subject) for p in pairs}
    return [
        p
        for p in pairs
        if not any(
            _folded(p.subject) in other and _folded(p.subject) != other for other in subjects
        )
    ]


def distractor_true_in_notes(item: Item, notes: NoteSet) -> list[Flaw]:
    """Distractors that the item's cited notes state as the answer to its question.

    One flaw per such distractor, at its letter, with the fact as evidence. Items that
    cite no known note get none (grounding reports those).
    """
    by_id = notes.by_id()
    cited = dict.fromkeys(s.note for s in item.sources if s.note in by_id)
    if not cited:
        return []
    stem_folded = _folded(item.stem)
    tokens = _tokens(item.stem)
    pairs = [
        p
        for note in cited
        for fact in by_id[note].facts
        for p in _fact_pairs(fact)
        if _asked(p, tokens, stem_folded)
    ]
    key = item.key_text
    flaws: list[Flaw] = []
    for pair in _longest(pairs):
        if _same(pair.answer, key):
            continue
        for letter, option in zip(LETTERS, item.options, strict=False):
            if letter == item.answer or not _same(pair.answer, option):
                continue
            if any(f.where == letter for f in flaws):
                continue
            fact = pair.fact
            evidence = f"{fact.note}:{fact.line} states {shorten(fact.quote, 90)}"
            flaws.append(Flaw(code=CODE, where=letter, evidence=evidence))
    return flaws
