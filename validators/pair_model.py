"""The learned pair classifier: gradient-boosted trees over validators.pair_features.

Fitted by `python -m benchmarks.dedup --calibrate` on the calibration part of the labeled
pairs only (scikit-learn HistGradientBoostingClassifier), then stored as plain JSON
(`pair_model.json` beside this module): each tree's nodes as arrays, evaluated here with
numpy, so the product needs no pickle and no particular scikit-learn version to use it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from validators.pair_features import FEATURES

MODEL_FILE = Path(__file__).with_name("pair_model.json")


@dataclass(frozen=True)
class Tree:
    """One regression tree: per node, its feature, threshold, children and leaf value."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray  # bool
    value: np.ndarray

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The leaf value each row of `x` reaches (x <= threshold goes left)."""
        node = np.zeros(x.shape[0], dtype=np.int64)
        rows = np.arange(x.shape[0])
        for _ in range(64):  # deeper than any tree fitted here
            inner = ~self.leaf[node]
            if not inner.any():
                break
            go_left = x[rows, self.feature[node]] <= self.threshold[node]
            step = np.where(go_left, self.left[node], self.right[node])
            node = np.where(inner, step, node)
        out: np.ndarray = self.value[node]
        return out

    @functools.cached_property
    def paths(self) -> list[tuple[int, list[tuple[int, float, bool]]]]:
        """Each leaf and the (feature, threshold, goes left) tests on the way to it."""
        out: list[tuple[int, list[tuple[int, float, bool]]]] = []
        stack: list[tuple[int, list[tuple[int, float, bool]]]] = [(0, [])]
        while stack:
            node, tests = stack.pop()
            if self.leaf[node]:
                out.append((node, tests))
                continue
            f, t = int(self.feature[node]), float(self.threshold[node])
            stack.append((int(self.left[node]), [*tests, (f, t, True)]))
            stack.append((int(self.right[node]), [*tests, (f, t, False)]))
        return out

    def most(self, x: np.ndarray, known: np.ndarray) -> np.ndarray:
        """Per row, the largest leaf value it can reach whatever its unknown features hold.

        `known[f]` says whether column f of `x` is filled; a test on any other column
        may go either way. The rows that can reach each node are passed down from the
        root (a node's children come after it): one comparison per inner node, not one
        per test on every leaf's path.
        """
        best = np.full(x.shape[0], -np.inf)
        reach: dict[int, np.ndarray | None] = {0: None}  # None: every row
        for node in range(self.leaf.size):
            if node not in reach:
                continue
            rows = reach.pop(node)
            if self.leaf[node]:
                value = self.value[node]
                best = (
                    np.maximum(best, value)
                    if rows is None
                    else np.where(rows, np.maximum(best, value), best)
                )
                continue
            f = int(self.feature[node])
            left, right = int(self.left[node]), int(self.right[node])
            if not known[f]:
                reach[left] = reach[right] = rows
                continue
            # A float64 threshold, as in `raw`: a float32 row compared with a Python
            # float would be compared in float32 (0.2 <= 0.2 there).
            go_left = x[:, f] <= np.float64(self.threshold[node])
            reach[left] = go_left if rows is None else rows & go_left
            reach[right] = ~go_left if rows is None else rows & ~go_left
        return best


@dataclass(frozen=True)
class PairModel:
    """Boosted trees and the probability at or above which a pair is a duplicate."""

    features: tuple[str, ...]
    baseline: float
    trees: tuple[Tree, ...]
    threshold: float
    meta: dict[str, Any]

    def probability(self, x: np.ndarray) -> np.ndarray:
        """The duplicate probability of each feature row (columns in `features` order)."""
        raw = np.full(x.shape[0], self.baseline, dtype=np.float64)
        for tree in self.trees:
            raw += tree.raw(x)
        prob: np.ndarray = 1.0 / (1.0 + np.exp(-raw))
        return prob

    def most_probable(self, x: np.ndarray, known: np.ndarray) -> np.ndarray:
        """Per row, an upper bound of `probability` whatever its unknown columns hold.

        A pair whose bound is below the threshold is no duplicate, whatever its other
        features: the detector computes those (per pair, from the texts) only for the rest.
        """
        raw = np.full(x.shape[0], self.baseline, dtype=np.float64)
        for tree in self.trees:
            raw += tree.most(x, known)
        prob: np.ndarray = 1.0 / (1.0 + np.exp(-raw))
        return prob

    def to_json(self) -> dict[str, Any]:
        """The model as JSON-ready data."""
        return {
            "features": list(self.features),
            "baseline": self.baseline,
            "threshold": self.threshold,
            "meta": self.meta,
            "trees": [
                {
                    "feature": t.feature.tolist(),
                    "threshold": [round(float(v), 6) for v in t.threshold],
                    "left": t.left.tolist(),
                    "right": t.right.tolist(),
                    "leaf": t.leaf.astype(int).tolist(),
                    "value": [round(float(v), 6) for v in t.value],
                }
                for t in self.trees
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PairModel:
        """The model from `to_json` data.

        Raises:
            ValueError: when its features are not validators.pair_features.FEATURES.
        """
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"pair model features {data['features']} != {list(FEATURES)}")
        trees = tuple(
            Tree(
                np.asarray(t["feature"], dtype=np.int64),
                np.asarray(t["threshold"], dtype=np.float64),
                np.asarray(t["left"], dtype=np.int64),
                np.asarray(t["right"], dtype=np.int64),
                np.asarray(t["leaf"], dtype=bool),
                np.asarray(t["value"], dtype=np.float64),
            )
            for t in data["trees"]
        )
        return cls(
            tuple(data["features"]),
            float(data["baseline"]),
            trees,
            float(data["threshold"]),
            dict(data.get("meta", {})),
        )

    @classmethod
    def from_sklearn(cls, clf: Any, threshold: float, meta: dict[str, Any]) -> PairModel:
        """The trees of a fitted binary HistGradientBoostingClassifier (numeric features)."""
        trees = []
        for (predictor,) in clf._predictors:
            nodes = predictor.nodes
            trees.append(
                Tree(
                    nodes["feature_idx"].astype(np.int64),
                    nodes["num_threshold"].astype(np.float64),
                    nodes["left"].astype(np.int64),
                    nodes["right"].astype(np.int64),
                    nodes["is_leaf"].astype(bool),
                    nodes["value"].astype(np.float64),
                )
            )
        baseline = float(np.ravel(clf._baseline_prediction)[0])
        return cls(FEATURES, baseline, tuple(trees), threshold, meta)


@functools.cache
def default_model() -> PairModel:
    """The shipped classifier (pair_model.json), read once per process."""
    return PairModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
