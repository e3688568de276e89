"""The web app's near-duplicates: the checks' stored findings, else a search off the request.

The checks store every near-duplicate they find as a `possible_duplicate` flaw naming the
other item (validators.report), when an item is generated, imported or edited, so an item
page reads them from the item itself. Only an item version the checks never saw (stored
before them) is searched, once, by a background worker: its page says the search is
running, and the next view shows the result. No page waits for another's search.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from bank.models import Item
from validators.detector import Detector, DuplicateRef, default_detector, near_duplicates
from validators.report import POSSIBLE_DUPLICATE

log = logging.getLogger(__name__)
_EVIDENCE = re.compile(r"^(?P<of>.+) \((?P<kind>\w+) (?P<sim>[0-9.]+)\)$")


def stored_duplicates(item: Item) -> list[DuplicateRef]:
    """The near-duplicates the checks stored on an item (its `possible_duplicate` flaws)."""
    found = []
    for flaw in item.flaws:
        match = _EVIDENCE.match(flaw.evidence) if flaw.code == POSSIBLE_DUPLICATE else None
        if match:
            found.append(DuplicateRef(match["of"], match["kind"], float(match["sim"])))
    return found


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
        self._found: dict[tuple[str, str], list[tuple[Item, DuplicateRef]]] = {}
        self._asked: set[tuple[str, str]] = set()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="near-duplicates")

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

    def detector(self, others: list[Item]) -> Detector:
        """The detector, its cache told the bank's current texts (for an edit's checks)."""
        with self._lock:
            detector = self._ready()
            if self._cache is not None:
                self._cache.track(others)
            return detector

    def for_page(
        self, item: Item, lookup: Callable[[str], Item | None], others: Callable[[], list[Item]]
    ) -> list[tuple[Item, DuplicateRef]] | None:
        """An item page's near-duplicates, without waiting; None while a search runs.

        A checked item shows what its checks stored (`lookup` finds the other items); an
        item never checked is searched once per version in the background among `others`.
        """
        if item.checked_at is not None:
            pairs = [(lookup(ref.of), ref) for ref in stored_duplicates(item)]
            return [(other, ref) for other, ref in pairs if other is not None]
        key = (item.id, item.content_hash)
        if key in self._found:
            return self._found[key]
        if key not in self._asked:
            self._asked.add(key)
            self._worker.submit(self._search, key, item, others())
        return None

    def _search(self, key: tuple[str, str], item: Item, others: list[Item]) -> None:
        try:
            self._found[key] = self.find(item, others)
        except Exception:  # the page keeps saying "not searched"; the log says why
            self._asked.discard(key)
            log.warning("near-duplicate search of %s failed", item.id, exc_info=True)

    def wait(self) -> None:
        """Wait for the searches asked so far (tests; a page never calls it)."""
        self._worker.submit(lambda: None).result()

    def find(self, item: Item, others: list[Item]) -> list[tuple[Item, DuplicateRef]]:
        """Search near-duplicates now (the background worker and the CLI's way)."""
        with self._lock:
            detector = self._ready()
            if self._cache is not None:
                self._cache.track(others)
            return near_duplicates(detector, item, others)
