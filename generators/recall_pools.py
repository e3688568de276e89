"""Distractor pools for recall items: which siblings are the same kind of thing as the key.

An item writer puts a claim form beside claim forms: a sibling stands beside the key when
it has the key's head word, shares a word of its description that is not generic in this
bank, or (for an effect) is about the same thing. These functions decide it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bank.notes import Fact, NoteSet
from bank.text import content_words, normalize_text


def unique(values: Sequence[str], exclude: str) -> list[str]:
    """Values without repeats (after normalizing) and without `exclude`, order kept."""
    seen = {normalize_text(exclude)}
    out = []
    for v in values:
        norm = normalize_text(v)
        if norm not in seen:
            seen.add(norm)
            out.append(v)
    return out


def likeness(a: str, b: str) -> float:
    """How much two phrases are about the same thing: the Jaccard of their content words.

    Siblings of one note are ranked by it, so a heart-rate term's distractors are the
    other heart-rate terms before the blood-pressure ones.
    """
    wa, wb = content_words(a), content_words(b)
    return len(wa & wb) / len(wa | wb) if wa | wb else 0.0


# Words too common in this bank to say two phrases are about the same kind of thing.
GENERIC = frozenset(
    content_words(
        "patient patients office offices medical practice provider providers health care "
        "staff person people used uses record records information form forms service services "
        "code codes"
    )
)


def head(name: str) -> str:
    """The head word of a multi-word name, stemmed ("Incremental backup" -> "backup")."""
    words = [
        w
        for w in name.replace("(", " ").replace(")", " ").split()
        if w.replace("-", "").replace("'", "").isalpha()
    ]
    return next(iter(content_words(words[-1])), words[-1].lower()) if len(words) > 1 else ""


def narrower_kind(name: str, key: str) -> bool:
    """Whether `name` is a kind of `key` ("Single-line correction" of "Correction")."""
    return not head(key) and bool(head(name)) and head(name) in content_words(key)


def same_kind(key_name: str, key_text: str, name: str, text: str) -> bool:
    """Whether a sibling is the same kind of thing as the key, so that it can stand beside it.

    The same head word ("Full backup" beside "Incremental backup"), or descriptions that
    share a word that is not generic in this bank ("a lying position with the face down"
    beside "... face up"). "Cloud computing" is no distractor for a backup, nor a body
    plane for a position: an item writer sends those back.
    """
    if head(key_name):  # a named kind of thing: only others of that kind stand beside it
        return head(key_name) == head(name)
    return bool((content_words(key_text) & content_words(text)) - GENERIC)


def confusables(fact: Fact, notes: NoteSet, answer: str) -> list[str]:
    """The other members of every confusable set of the domain that holds `answer`."""
    low = answer.casefold()
    out: list[str] = []
    for members in notes.confusable_sets(fact.domain):
        if low in (m.casefold() for m in members):
            out.extend(m for m in members if m.casefold() != low)
    return out


def one_kind(term: str, siblings: list[Fact], close: int) -> list[Fact]:
    """The siblings of one kind when the key's name says none (a memo beside letter styles).

    A one-word key ("Memo") has no head word to match; when three or more of its siblings
    share one ("Full block letter", "Semi-block letter", "Modified block letter"), those
    are its distractors, not a mail service that shares a word of its definition.
    """
    if head(term) or len(siblings) - close <= 3:
        return siblings
    heads: dict[str, list[Fact]] = {}
    for f in siblings[close:]:
        if head(f.fields[0]):
            heads.setdefault(head(f.fields[0]), []).append(f)
    best = max(heads.values(), key=len, default=[])
    if len(best) < 3:
        return siblings
    return [*siblings[:close], *best]
