"""The bank's stored vectors as the duplicate detector's cache, one short open per call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bank.store.access import BankFile


class StoreEmbeddingCache:
    """The bank's stored vectors as a validators.vector_cache.EmbeddingCache.

    Opens the bank briefly per call (DuckDB locks the file), so it can be held by a
    long-running flow without holding the lock. Both calls open read-write: a read-only
    open would be refused while another thread of this process holds a write connection.

    Attributes:
        path: the bank file.
        wait_s: seconds to wait for another process's lock.
    """

    def __init__(self, path: str | Path, wait_s: float = 30.0) -> None:
        self.path = Path(path)
        self.wait_s = wait_s

    def get(self, ids: Sequence[str], model: str, kind: str) -> dict[str, npt.NDArray[np.float32]]:
        """The stored vectors of those of `ids` that have one; none when there is no bank."""
        if not self.path.exists():
            return {}
        with BankFile(self.path, lock_wait=self.wait_s).write() as store:
            return store.get_embeddings(ids, model, kind)

    def put(self, ids: Sequence[str], model: str, kind: str, vectors: Any) -> None:
        """Store one vector per id, creating the bank if needed."""
        with BankFile(self.path, lock_wait=self.wait_s).write() as store:
            store.put_embeddings(ids, model, kind, vectors)
