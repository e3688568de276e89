"""Duplicate detection, layered: exact (content hash), then lexical and semantic layers.

A detector compares a batch with itself (a later item points at an earlier one) and
with the bank's approved and pending items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bank.models import Item


@dataclass(frozen=True)
class DuplicateRef:
    """Item `of` (an id, or `line:N` inside a file) asks the same thing with the same answer."""

    of: str
    kind: str  # exact | lexical | semantic
    similarity: float


class Detector(Protocol):
    def find(self, batch: list[Item], bank: list[Item], labels: list[str]) -> list[list[DuplicateRef]]:
        """For each batch item, the earlier batch items (by label) and bank items it duplicates."""
        ...


class ExactDetector:
    """Same stem, same options in any order, same keyed text (normalized content hash)."""

    def find(self, batch: list[Item], bank: list[Item], labels: list[str]) -> list[list[DuplicateRef]]:
        known = {it.content_hash: it.id for it in bank}
        out: list[list[DuplicateRef]] = []
        for item, label in zip(batch, labels, strict=True):
            h = item.content_hash
            out.append([DuplicateRef(known[h], "exact", 1.0)] if h in known else [])
            known.setdefault(h, label)
        return out


def default_detector() -> Detector:
    """The best detector this installation supports."""
    return ExactDetector()
