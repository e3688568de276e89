"""Item vectors stored in the bank, so the duplicate detector does not recompute them.

Vectors are keyed by item, model and kind (stem or key); editing an item's text deletes
its vectors (see `ReviewsMixin.update_item`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from bank.store.base import StoreBase


class EmbeddingsMixin(StoreBase):
    """Reading and writing stored vectors."""

    def get_embeddings(
        self, ids: Sequence[str], model: str, kind: str
    ) -> dict[str, npt.NDArray[np.float32]]:
        """The stored vectors of those of `ids` that have one for this model and kind."""
        if not ids:
            return {}
        rows = self._q(
            "SELECT item_id, vector FROM embeddings WHERE model = ? AND kind = ? "
            "AND list_contains(?, item_id)",
            [model, kind, list(ids)],
        )
        return {r[0]: np.asarray(r[1], dtype=np.float32) for r in rows}

    def put_embeddings(self, ids: Sequence[str], model: str, kind: str, vectors: Any) -> None:
        """Store one vector per id (replacing older ones), in one transaction.

        Args:
            ids: the items.
            model: the encoder's name.
            kind: what was encoded (e.g. "stem", "key").
            vectors: one vector per id, in order (an array or a sequence of sequences).
        """
        if not len(ids):
            return
        table = pa.table(
            {
                "item_id": list(ids),
                "model": [model] * len(ids),
                "kind": [kind] * len(ids),
                "vector": pa.array([list(map(float, v)) for v in vectors], pa.list_(pa.float32())),
            }
        )
        self.con.register("_batch_vectors", table)
        try:
            with self.transaction():
                self._q("INSERT OR REPLACE INTO embeddings SELECT * FROM _batch_vectors")
        finally:
            self.con.unregister("_batch_vectors")
