"""Calibration of the duplicate layers' rules on labeled pairs (benchmarks/dedup.py, the tests).

A labeled pair is two items and whether they are duplicates. Each layer scores the
pairs' stems and keys (`score_pairs`); `calibrate` picks the `Rule` of best recall at a
minimum precision, on a 0.01 grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bank.models import Item
from validators.identifiers import identifiers_agree
from validators.layer import Layer, Rule, Texts


@dataclass(frozen=True)
class PairScores:
    """Per labeled pair: stem and key similarity under one layer, and identifier agreement."""

    stem: np.ndarray
    key: np.ndarray
    agree: np.ndarray

    def decide(self, rule: Rule) -> np.ndarray:
        """Per pair, whether `rule` (with identifier agreement) calls it a duplicate."""
        decided: np.ndarray = (self.stem >= rule.stem) & (self.key >= rule.key) & self.agree
        return decided


def score_pairs(layer: Layer, a: Sequence[Item], b: Sequence[Item]) -> PairScores:
    """Stem and key similarity of a[i] and b[i] under `layer`, and whether they agree."""
    ta, tb = Texts.of(a), Texts.of(b)
    stem, key = layer.score(ta, tb)
    agree = np.array(
        [
            identifiers_agree(x.stem, x.key_text, y.stem, y.key_text)
            for x, y in zip(a, b, strict=True)
        ]
    )
    return PairScores(stem, key, agree)


def exact_pairs(a: Sequence[Item], b: Sequence[Item]) -> np.ndarray:
    """Per pair, whether a[i] and b[i] have the same content hash (the exact layer)."""
    return np.array([x.content_hash == y.content_hash for x, y in zip(a, b, strict=True)])


def precision_recall(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Precision and recall of boolean predictions; 1.0 for either when undefined."""
    tp = int(np.sum(predicted & truth))
    flagged, positives = int(np.sum(predicted)), int(np.sum(truth))
    return (tp / flagged if flagged else 1.0), (tp / positives if positives else 1.0)


def calibrate(
    scores: PairScores,
    truth: np.ndarray,
    *,
    also: np.ndarray | None = None,
    min_precision: float = 0.9,
) -> Rule:
    """The rule of best recall at precision >= min_precision, on a 0.01 grid.

    Predictions are OR-ed with `also` (the layers before this one). A false duplicate
    rejects a good item, so precision comes first; when no grid point reaches
    `min_precision`, the rule of best F1. Deterministic: of the grid points tied at the
    best, the median key threshold, then the median stem threshold at that key
    threshold (the middle of the plateau, away from the nearest labeled pair).
    """
    grid = np.round(np.arange(0.0, 1.0001, 0.01), 2)
    stem_ok = scores.stem[None, :] >= grid[:, None]  # (grid, pairs)
    key_ok = (scores.key[None, :] >= grid[:, None]) & scores.agree[None, :]
    pred = stem_ok[:, None, :] & key_ok[None, :, :]  # (stem grid, key grid, pairs)
    if also is not None:
        pred = pred | also[None, None, :]
    tp = (pred & truth).sum(axis=2)
    flagged = pred.sum(axis=2)
    precision = tp / np.maximum(flagged, 1)
    recall = tp / max(int(truth.sum()), 1)
    objective = np.where(precision >= min_precision, recall, -1.0)
    if objective.max() < 0:
        objective = 2 * tp / np.maximum(flagged + truth.sum(), 1)
    best_s, best_k = np.nonzero(np.isclose(objective, objective.max()))
    key_t = np.sort(best_k)[(len(best_k) - 1) // 2]
    stems_at = np.sort(best_s[best_k == key_t])
    return Rule(stem=float(grid[stems_at[(len(stems_at) - 1) // 2]]), key=float(grid[key_t]))
