"""The pair detector's candidate search: each query's nearest bank items by search vector.

`top_neighbours`: one float32 matrix product per block of queries, each row's top `k`
at or above a floor, found from chunk maxima (`_best_per_row`). A bank of COARSE_FROM
items or more is searched on its top COARSE_DIMS principal directions first (the basis
and the projected bank are made with the bank's index, outside any check), keeping
COARSE_POOL targets per query, re-ranked on the full vectors: in a 100,000-item bank
this kept 299 of the 301 calibration duplicates the full search finds.

(Tried and dropped: an inverted file of 500 spherical k-means clusters, probing the
nearest 8-32 per query. It cut the products twentyfold but, the static vectors being
diffuse, it lost 24 to 41 of the 173 pairs the detector flags in the 100,000-item
benchmark bank, one planted near-copy's bank item lying in the 171st nearest cluster.
Below 64 principal directions the projection lost as badly.)
"""

from __future__ import annotations

import numpy as np

NEIGHBOURS = 16  # candidates per item by stem and key
FLOOR = 0.25  # ... at least this similar (zipf-weighted static vectors)
COARSE_FROM = 20_000  # banks this large are searched on a projection first
COARSE_DIMS = 128  # ... onto the bank's top principal directions
COARSE_POOL = 64  # ... keeping this many per query, re-ranked on the full vectors


CHUNKS_PER_K = 8  # `_best_per_row` cuts each row into this many chunks per wanted entry


def _best_per_row(sims: np.ndarray, k: int, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of each row's top `k` entries at or above `floor`, best first.

    np.argpartition over every row of a 1,000 x 100,000 block took longer than the
    product that made it. Instead: the columns are cut into CHUNKS_PER_K * k chunks; the
    k-th largest of the chunk maxima is at most the row's k-th largest entry, so only
    the chunks whose maximum reaches it (about k of them) can hold the top `k`, and only
    their entries at or above it are read again. (Comparing the whole row with the
    bound, as before, read all of it twice more: 0.25 s of a 0.3 s selection.)
    """
    n_r, n_c = sims.shape
    chunks = CHUNKS_PER_K * k
    if n_c < 4 * chunks:
        rows, cols = np.nonzero(sims >= floor)
        return _first_k(rows, cols, sims[rows, cols], k)
    width = n_c // chunks
    body = sims[:, : width * chunks].reshape(n_r, chunks, width)
    peaks = body.max(axis=2)
    bound = np.maximum(np.partition(peaks, chunks - k, axis=1)[:, chunks - k], floor)
    r, c = np.nonzero(peaks >= bound[:, None])
    hit, at = np.nonzero(body[r, c] >= bound[r][:, None])
    tail_r, tail_c = np.nonzero(sims[:, width * chunks :] >= bound[:, None])
    rows = np.concatenate([r[hit], tail_r])
    cols = np.concatenate([c[hit] * width + at, tail_c + width * chunks])
    return _first_k(rows, cols, sims[rows, cols], k)


def _first_k(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The (row, col) entries of each row's `k` largest values, by row, best first."""
    order = np.lexsort((-vals, rows))
    rows, cols = rows[order], cols[order]
    first = np.searchsorted(rows, rows, side="left")
    top = np.arange(rows.size) - first < k
    return rows[top].astype(np.int64), cols[top].astype(np.int64)


def coarse_basis(targets: np.ndarray, dims: int = COARSE_DIMS) -> np.ndarray:
    """The `dims` directions that keep most of the targets' dot products (top eigenvectors)."""
    _, vecs = np.linalg.eigh(targets.T.astype(np.float64) @ targets.astype(np.float64))
    basis: np.ndarray = vecs[:, ::-1][:, :dims].astype(np.float32)
    return np.ascontiguousarray(basis)


def top_neighbours(
    queries: np.ndarray,
    targets: np.ndarray,
    *,
    k: int = NEIGHBOURS,
    floor: float = FLOOR,
    earlier_only: bool = False,
    cells: int = 32_000_000,
    coarse: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(query, target) rows: each query's top `k` targets at or above `floor`.

    With `earlier_only` (queries and targets the same rows), only targets before the query.
    With `coarse` (a `coarse_basis` and the targets projected on it), the search runs on
    the projection (a third of the products), keeps COARSE_POOL targets per query, and
    ranks those on the full vectors.
    """
    n_q, n_t = queries.shape[0], targets.shape[0]
    if n_q == 0 or n_t == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if coarse is not None and not earlier_only and n_t > COARSE_POOL:
        basis, projected = coarse
        qi, pool = top_neighbours(
            queries @ basis, projected, k=COARSE_POOL, floor=-np.inf, cells=cells
        )
        slot = np.arange(qi.size) - np.searchsorted(qi, qi, side="left")
        owner = np.zeros((n_q, COARSE_POOL), dtype=np.int64)
        owner[qi, slot] = pool
        filled = np.zeros((n_q, COARSE_POOL), dtype=bool)
        filled[qi, slot] = True
        # Each query against its own pool, one batched product: the queries not gathered.
        exact = np.matmul(targets[owner], queries[:, :, None])[:, :, 0]
        grid = np.where(filled, exact, -np.inf).astype(np.float32)
        rows, cols = _best_per_row(grid, k, floor)
        return rows, owner[rows, cols]
    block = max(1, min(n_q, cells // n_t))
    parts_q, parts_t = [], []
    # One block of similarities, written over: a fresh 128 MB block per product cost
    # its page faults each time.
    buffer = np.empty((block, n_t), dtype=np.result_type(queries, targets))
    for start in range(0, n_q, block):
        rows_q = queries[start : start + block]
        sims = np.matmul(rows_q, targets.T, out=buffer[: rows_q.shape[0]])
        if earlier_only:
            rows = np.arange(sims.shape[0])
            sims[np.arange(n_t)[None, :] >= (rows + start)[:, None]] = -2.0
        qi, tj = _best_per_row(sims, k, floor)
        parts_q.append(qi + start)
        parts_t.append(tj)
    return np.concatenate(parts_q), np.concatenate(parts_t)
