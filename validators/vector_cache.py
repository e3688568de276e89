"""The store of bank vectors: the `EmbeddingCache` protocol, an in-memory one, and its use.

The semantic layer takes bank vectors from a cache so that only new texts are encoded;
bank/store.py implements the protocol over the bank's database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from validators.encoders import Encoder


class EmbeddingCache(Protocol):
    """Stored vectors of bank items, by item id, encoder name and kind ("stem" or "key").

    A store keys vectors by item id, so it must drop an item's vectors when the item's
    stem or options change.
    """

    def get(self, ids: Sequence[str], model: str, kind: str) -> Mapping[str, np.ndarray]:
        """The stored vectors of those ids that have one (missing ids are left out)."""
        ...

    def put(self, ids: Sequence[str], model: str, kind: str, vectors: np.ndarray) -> None:
        """Store one row of `vectors` per id, replacing what was there."""
        ...


class MemoryEmbeddingCache:
    """An `EmbeddingCache` in a dict, for tests, benchmarks and one-process runs."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str, str], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, ids: Sequence[str], model: str, kind: str) -> dict[str, np.ndarray]:
        """The stored vectors of those ids that have one (missing ids are left out)."""
        rows = self._rows
        return {i: rows[(model, kind, i)] for i in ids if (model, kind, i) in rows}

    def put(self, ids: Sequence[str], model: str, kind: str, vectors: np.ndarray) -> None:
        """Store one row of `vectors` per id, replacing what was there.

        Raises:
            ValueError: when the number of rows and of ids differ.
        """
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.shape[0] != len(ids):
            raise ValueError(f"{len(ids)} ids but {matrix.shape[0]} vectors")
        for item_id, row in zip(ids, matrix, strict=True):
            self._rows[(model, kind, item_id)] = row


def cached_vectors(
    encoder: Encoder,
    cache: EmbeddingCache | None,
    ids: Sequence[str],
    texts: Sequence[str],
    kind: str,
) -> np.ndarray:
    """Vectors of `texts` (one per id): stored ones from the cache, the rest encoded and stored."""
    out = np.zeros((len(ids), encoder.dim), dtype=np.float32)
    found = cache.get(ids, encoder.name, kind) if cache is not None else {}
    missing = []
    for pos, item_id in enumerate(ids):
        row = found.get(item_id)
        if row is None:
            missing.append(pos)
        else:
            out[pos] = row
    if missing:
        # Each distinct text is encoded once, even when several ids share it.
        distinct = list(dict.fromkeys(texts[p] for p in missing))
        encoded = encoder.encode(distinct)
        where = {text: row for text, row in zip(distinct, encoded, strict=True)}
        for pos in missing:
            out[pos] = where[texts[pos]]
        if cache is not None:
            cache.put([ids[p] for p in missing], encoder.name, kind, out[missing])
    return out
