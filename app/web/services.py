"""The web app's near-duplicate search, with a vector cache that follows the bank's edits."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import numpy as np

from bank.models import Item
from validators.detector import Detector, DuplicateRef, default_detector, near_duplicates


class FreshEmbeddingCache:
    """An EmbeddingCache that never serves a vector of an item's older text.

    Vectors are stored with the stem and key they were computed from; `track` tells the
    cache the bank's current texts, and a vector whose text changed since (an edit) is
    left out, so the detector encodes it again.
    """

    def __init__(self) -> None:
        self._texts: dict[str, tuple[str, str]] = {}
        self._rows: dict[tuple[str, str, str], tuple[tuple[str, str], np.ndarray]] = {}

    def track(self, items: Sequence[Item]) -> None:
        self._texts.update({it.id: (it.stem, it.key_text) for it in items})

    def get(self, ids: Sequence[str], model: str, kind: str) -> Mapping[str, np.ndarray]:
        out = {}
        for item_id in ids:
            row = self._rows.get((model, kind, item_id))
            if row is not None and row[0] == self._texts.get(item_id):
                out[item_id] = row[1]
        return out

    def put(self, ids: Sequence[str], model: str, kind: str, vectors: np.ndarray) -> None:
        for item_id, vector in zip(ids, np.asarray(vectors, dtype=np.float32), strict=True):
            if item_id in self._texts:
                self._rows[(model, kind, item_id)] = (self._texts[item_id], vector)


class NearDuplicates:
    """Near-duplicates of one item among others, with the CLI's detector.

    The default detector (with the semantic layer when its model is installed) is built
    on first use; a detector passed in (tests: the lexical one) is used as is.
    """

    def __init__(self, detector: Detector | None = None) -> None:
        self._detector = detector
        self._cache: FreshEmbeddingCache | None = None
        self._lock = threading.Lock()  # the detector keeps its last bank index: one at a time

    def _ready(self) -> Detector:
        if self._detector is None:
            self._cache = FreshEmbeddingCache()
            self._detector = default_detector(cache=self._cache)
        return self._detector

    def warm(self, items: list[Item]) -> None:
        """Load the model and encode `items` now, so the first item page is not slow."""
        if not items:
            return
        with self._lock:
            detector = self._ready()
            if self._cache is not None:
                self._cache.track(items)
                detector.find(items[:1], items, [items[0].id])

    def find(self, item: Item, others: list[Item]) -> list[tuple[Item, DuplicateRef]]:
        with self._lock:
            detector = self._ready()
            if self._cache is not None:
                self._cache.track(others)
            return near_duplicates(detector, item, others)
