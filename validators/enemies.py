"""Enemy items: one item's stem or key gives away the answer of another.

Found by shared key text and stem words (`find_enemies`), reported for review, not
rejected.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from bank.models import Flaw, Item
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


def find_enemies(items: Sequence[Item], among: Collection[int] | None = None) -> list[Enemy]:
    """Pairs where one item's stem (or key) gives away another's key.

    The first holds the other's key text, in one sentence with most of the content words
    of that other's stem: whoever reads the first learns the answer to the second.
    Reported for review, not rejected.

    Keys without a content word or a number ("All of the above", "Yes") are skipped, and
    so are pairs whose keys are the same text. With `among` (indices of `items`), only
    pairs with at least one item among them are sought: a batch against a whole bank.
    """
    keys = [normalize_text(it.key_text).rstrip(" .;:,!?") for it in items]
    texts = [(normalize_text(it.stem), normalize_text(it.key_text)) for it in items]
    stem_words = [content_words(it.stem) for it in items]
    key_words = [content_words(it.key_text) for it in items]
    chosen = set(range(len(items)) if among is None else among)
    by_word: dict[str, set[int]] = {}  # every item, for the chosen ones' answers
    chosen_by_word: dict[str, set[int]] = {}  # the chosen ones, for everyone else's answers
    for a in range(len(items)):
        for w in stem_words[a] | key_words[a]:
            by_word.setdefault(w, set()).add(a)
            if a in chosen:
                chosen_by_word.setdefault(w, set()).add(a)

    out = []
    for b, item in enumerate(items):
        index = by_word if b in chosen else chosen_by_word
        key = keys[b]
        if len(key) < 3 or not (key_words[b] or identifiers(key)):
            continue
        cue = set(stem_words[b] - key_words[b] - ENEMY_IGNORED)
        need = max(ENEMY_MIN_SHARED, int(np.ceil(ENEMY_MIN_SHARE * len(cue))))
        if len(cue) < need:
            continue
        counts: dict[int, int] = {}
        for w in cue:
            for a in index.get(w, ()):
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


ENEMY = "enemy_item"


def enemy_flaws(batch: Sequence[Item], bank: Sequence[Item]) -> list[list[Flaw]]:
    """For each batch item, an `enemy_item` flaw per item (batch or bank) it is an enemy of.

    The evidence starts with the other item's id, so that forms can keep the two apart.
    """
    items = [*batch, *bank]
    found: list[list[Flaw]] = [[] for _ in batch]
    at = {it.id: i for i, it in enumerate(batch)}
    groups = {it.id: it.enemy_group for it in items}
    for e in find_enemies(items, range(len(batch))):
        if groups.get(e.item) and groups.get(e.item) == groups.get(e.other):
            continue  # one fact or item model: the enemy group keeps them apart already
        if e.item in at:
            found[at[e.item]].append(
                Flaw(code=ENEMY, where="stem", evidence=f"{e.other}: gives away its answer")
            )
        if e.other in at:
            found[at[e.other]].append(
                Flaw(code=ENEMY, where="key", evidence=f"{e.item}: gives away this answer")
            )
    return found


def enemy_ids(item: Item) -> set[str]:
    """The ids an item's `enemy_item` flaws name."""
    return {f.evidence.split(":", 1)[0] for f in item.flaws if f.code == ENEMY}


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
