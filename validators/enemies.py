"""Enemy items: one item's stem or key gives away the answer of another.

Found by shared key text and stem words (`find_enemies`), reported for review, not
rejected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bank.models import Item
from bank.text import content_words, normalize_text
from validators.identifiers import identifiers


@dataclass(frozen=True)
class Enemy:
    """Item `item`'s stem or key gives away the answer of item `other` (both ids)."""

    item: str
    other: str
    evidence: str


ENEMY_MIN_SHARED = 2  # content words of the other's stem that must appear with its key
ENEMY_MIN_SHARE = 0.4  # ... and at least this share of them
# Words in nearly every stem of this bank: they tie no item to another.
ENEMY_IGNORED = frozenset(content_words("medical office patient practice assistant provider"))


_SENTENCE = re.compile(r"(?<=[.?!;])\s+|\n+")


def _phrase(text: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)")


def find_enemies(items: Sequence[Item]) -> list[Enemy]:
    """Pairs where one item's stem (or key) gives away another's key.

    The first holds the other's key text, in one sentence with most of the content words
    of that other's stem: whoever reads the first learns the answer to the second.
    Reported for review, not rejected.

    Keys without a content word or a number ("All of the above", "Yes") are skipped, and
    so are pairs whose keys are the same text.
    """
    keys = [normalize_text(it.key_text).rstrip(" .;:,!?") for it in items]
    texts = [(normalize_text(it.stem), normalize_text(it.key_text)) for it in items]
    stem_words = [content_words(it.stem) for it in items]
    key_words = [content_words(it.key_text) for it in items]
    by_word: dict[str, set[int]] = {}
    for a in range(len(items)):
        for w in stem_words[a] | key_words[a]:
            by_word.setdefault(w, set()).add(a)

    out = []
    for b, item in enumerate(items):
        key = keys[b]
        if len(key) < 3 or not (key_words[b] or identifiers(key)):
            continue
        cue = set(stem_words[b] - key_words[b] - ENEMY_IGNORED)
        need = max(ENEMY_MIN_SHARED, int(np.ceil(ENEMY_MIN_SHARE * len(cue))))
        if len(cue) < need:
            continue
        counts: dict[int, int] = {}
        for w in cue:
            for a in by_word.get(w, ()):
                counts[a] = counts.get(a, 0) + 1
        pattern = _phrase(key)
        for a in sorted(a for a, n in counts.items() if n >= need and a != b):
            if keys[a] == key:
                continue
            evidence = _giveaway(texts[a], pattern, cue, need)
            if evidence is not None:
                where, shared = evidence
                out.append(
                    Enemy(
                        items[a].id,
                        item.id,
                        f"{where} of {items[a].id} contains the key of {item.id} "
                        f"({item.key_text!r}) with {', '.join(shared)} from its stem",
                    )
                )
    return out


def _giveaway(
    texts: tuple[str, str], pattern: re.Pattern[str], cue: set[str], need: int
) -> tuple[str, list[str]] | None:
    for where, text in zip(("stem", "key"), texts, strict=True):
        if not pattern.search(text):
            continue
        for sentence in _SENTENCE.split(text):
            if pattern.search(sentence):
                shared = sorted(cue & content_words(sentence))
                if len(shared) >= need:
                    return where, shared
    return None
