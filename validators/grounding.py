"""Grounding: a generated item's cited quote must appear in the note it cites.

The cited note must also be one the item was written from (`provenance.notes`, when
the generator records them): a model that cites another note copied the citation.

Matching is on normalized text (case, punctuation and spacing folded) and fuzzy: the
quote's best-matching window of the note must reach a similarity threshold.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from bank.models import Flaw, Item
from bank.notes import NoteSet
from bank.text import fold

THRESHOLD = 0.85


def quote_support(quote: str, note_text: str) -> float:
    """How well the note contains the quote: 1.0 for an exact (folded) match."""
    q, t = fold(quote), fold(note_text)
    if not q:
        return 0.0
    if q in t:
        return 1.0
    words, qwords = t.split(), q.split()
    n = len(qwords)
    best = 0.0
    for size in {max(1, n - 2), n, n + 2}:
        for start in range(0, max(1, len(words) - size + 1)):
            window = " ".join(words[start : start + size])
            ratio = SequenceMatcher(None, q, window, autojunk=False).quick_ratio()
            if ratio <= best:
                continue
            best = max(best, SequenceMatcher(None, q, window, autojunk=False).ratio())
    return best


def grounding_flaws(item: Item, notes: NoteSet) -> list[Flaw]:
    """The `ungrounded` flaw of an item whose sources do not hold up; else no flaw.

    Ungrounded: no source cited, a source citing an unknown note or a note the item was
    not written from (its provenance names the notes its generator was given), or a
    quote that its note does not hold (support below THRESHOLD). The first failing
    source decides.
    """
    by_id = notes.by_id()
    if not item.sources:
        return [Flaw(code="ungrounded", where="sources", evidence="no source cited")]
    given = item.provenance.notes if item.provenance else []
    for source in item.sources:
        note = by_id.get(source.note)
        if note is None:
            return [
                Flaw(code="ungrounded", where="sources", evidence=f"unknown note {source.note}")
            ]
        if given and source.note not in given:
            # The generator was not shown this note: its quote came from elsewhere (a
            # few-shot example cites real notes), not from reading the note.
            evidence = (
                f"cites {source.note}, which the item was not written from ({', '.join(given)})"
            )
            return [Flaw(code="ungrounded", where="sources", evidence=evidence)]
        score = quote_support(source.quote, note.text)
        if score < THRESHOLD:
            return [
                Flaw(
                    code="ungrounded",
                    where="sources",
                    evidence=f"quote not found in {source.note} (best match {score:.2f})",
                )
            ]
    return []
