"""The contract of a duplicate-detection layer: its decision `Rule`, the `Texts` it compares.

Two items are duplicates when they ask the same thing with the same answer, however
reworded and in whatever option order. So every layer compares the stems *and* the keys
(the keyed option's text): a pair is a duplicate when its stem similarity and its key
similarity both reach the layer's `Rule`, and no number or code tells them apart
(validators.identifiers). Stems alone cannot decide: the same wording with another key,
or another question in shared wording, is no duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from bank.models import Item


@dataclass(frozen=True)
class Rule:
    """A pair is a duplicate when stem similarity >= stem and key similarity >= key."""

    stem: float
    key: float


# Calibrated on tests/data/duplicate_pairs.jsonl (python -m benchmarks.dedup --calibrate):
# best recall at precision >= 0.9, the middle of the plateau, on a 0.01 grid (`calibrate`).
SEMANTIC_RULE = Rule(stem=0.67, key=0.71)
LEXICAL_RULE = Rule(stem=0.64, key=0.71)  # behind the semantic layer: what it adds
LEXICAL_ALONE_RULE = Rule(stem=0.26, key=0.50)  # when lexical is the only layer

# Approximate searches against a bank of PROJECT_FROM items or more, both off by default
# (benchmarks/dedup.py --compare, 1,000 vs 100k): see PROJECTED_DIM in
# validators.semantic and LEXICAL_TOP_K in validators.lexical.
PROJECT_FROM = 20_000


@dataclass(frozen=True)
class Texts:
    """What the layers compare of a list of items: ids, stems and key texts."""

    ids: list[str]
    stems: list[str]
    keys: list[str]

    @classmethod
    def of(cls, items: Sequence[Item]) -> Texts:
        """The ids, stems and key texts of `items`, in order."""
        return cls(
            [it.id for it in items], [it.stem for it in items], [it.key_text for it in items]
        )

    def __len__(self) -> int:
        return len(self.ids)


# Candidate pairs of a layer: rows of the batch, rows of the target, stem and key similarity.
Scored = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class Layer(Protocol):
    """One way of scoring stem and key similarity, with the rule that decides a duplicate.

    `kind` names the layer in a `DuplicateRef` ("lexical", "semantic"); `rule` holds its
    thresholds. The detector calls `prepare` once per bank, then `candidates` per batch.
    """

    kind: str
    rule: Rule

    def prepare(self, bank: Texts, reference: Texts | None) -> Any:
        """Whatever the layer keeps of the bank; `reference` joins the bank for IDF."""
        ...

    def candidates(self, index: Any, batch: Texts) -> tuple[Scored, Scored]:
        """Pairs of stem similarity >= rule.stem: batch x bank, and batch x earlier batch."""
        ...

    def within(self, index: Any) -> Scored:
        """Pairs inside the bank itself (row j < row i), from what `prepare` kept."""
        ...

    def score(self, a: Texts, b: Texts) -> tuple[np.ndarray, np.ndarray]:
        """Stem and key similarity of a[i] and b[i], for calibration."""
        ...
