"""Thresholded similarity search over unit rows: dense, projected and sparse.

Rows are L2-normalized, so a dot product is a cosine. Every search returns the
(query, target) pairs at or above a threshold, computed by matrix products in chunks:
`dense_pairs` for sentence embeddings, `projected_pairs` for an approximate candidate
search on fewer dimensions, and `sparse_pairs` for TF-IDF rows, with a norm bound that
skips the common n-grams without losing a pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]  # query rows, target rows, similarities


def _empty_pairs() -> Pairs:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)


def _concat(parts: list[Pairs]) -> Pairs:
    if not parts:
        return _empty_pairs()
    qi, tj, sims = (np.concatenate([p[k] for p in parts]) for k in range(3))
    return qi, tj, sims


def rowwise_dot(a: sp.csr_matrix | np.ndarray, b: sp.csr_matrix | np.ndarray) -> np.ndarray:
    """Dot products of row i of `a` with row i of `b`."""
    # isinstance (not sp.issparse, which scipy leaves untyped) tells the type checker
    # which branch holds an ndarray.
    if isinstance(a, np.ndarray):
        return np.asarray(np.einsum("ij,ij->i", a, b), dtype=np.float32)
    return np.asarray(a.multiply(b).sum(axis=1)).ravel().astype(np.float32)


def dense_pairs(
    queries: np.ndarray,
    targets: np.ndarray,
    threshold: float,
    *,
    earlier_only: bool = False,
    cells: int = 16_000_000,
) -> Pairs:
    """All (query, target) pairs whose dot product is at least `threshold`.

    Products run in blocks of about `cells` similarities (64 MB of float32). With
    `earlier_only` (queries and targets the same rows), only pairs with target < query.
    """
    n_q, n_t = queries.shape[0], targets.shape[0]
    block_t = max(1, min(n_t, 16_384))
    block_q = max(1, cells // block_t)
    parts = []
    for qs in range(0, n_q, block_q):
        q = queries[qs : qs + block_q]
        last = min(n_t, qs + q.shape[0]) if earlier_only else n_t
        for ts in range(0, last, block_t):
            sims = q @ targets[ts : min(ts + block_t, last)].T
            qi, tj = np.nonzero(sims >= threshold)
            found = (qi.astype(np.int64) + qs, tj.astype(np.int64) + ts, sims[qi, tj])
            if earlier_only:
                keep = found[1] < found[0]
                found = (found[0][keep], found[1][keep], found[2][keep])
            parts.append(found)
    return _concat(parts)


@dataclass(frozen=True)
class Projection:
    """A reduced-dimension view of unit rows, for candidate search (`projected_pairs`).

    It holds the top principal directions of a sample of the targets, and the targets
    projected on them. A cosine is approximated by the dot product of the projections;
    what the dropped directions hold shifts it by at most the product of the two residual
    norms, and in practice by far less, so candidates are taken `margin` below the
    threshold and then rescored exactly.
    """

    basis: np.ndarray  # (dim, reduced)
    targets: np.ndarray  # (rows, reduced)

    @classmethod
    def fit(
        cls, targets: np.ndarray, reduced: int, *, sample: int = 20_000, seed: int = 0
    ) -> Projection:
        """The top `reduced` principal directions of at most `sample` target rows (seeded)."""
        rng = np.random.default_rng(seed)
        rows = targets
        if targets.shape[0] > sample:
            rows = targets[rng.choice(targets.shape[0], sample, replace=False)]
        _, _, vt = np.linalg.svd(rows.astype(np.float64), full_matrices=False)
        basis = np.ascontiguousarray(vt[:reduced].T, dtype=np.float32)
        return cls(basis, np.ascontiguousarray(targets @ basis))


def projected_pairs(
    queries: np.ndarray,
    targets: np.ndarray,
    projection: Projection,
    threshold: float,
    margin: float,
) -> Pairs:
    """(query, target) pairs of dot product >= threshold, found on the projection.

    Candidates are the pairs whose projected dot product reaches threshold - margin; they
    are rescored exactly. Approximate: a pair whose dropped directions add more than
    `margin` is missed.
    """
    qi, tj, _ = dense_pairs(queries @ projection.basis, projection.targets, threshold - margin)
    if qi.size == 0:
        return _empty_pairs()
    sims = rowwise_dot(queries[qi], targets[tj])
    ok = sims >= threshold
    return qi[ok], tj[ok], sims[ok]


@dataclass
class SparseIndex:
    """Unit rows of a sparse matrix split into rare and common features, for `sparse_pairs`.

    `rare_t` (features x rows) holds only the features of document frequency at most
    `common_df`; `common_norm` is each row's norm over the other features. A pair that
    shares no rare feature has a dot product of at most the product of their common norms,
    which is how the search skips the long posting lists of common n-grams exactly.
    """

    matrix: sp.csr_matrix
    rare: np.ndarray  # bool per feature
    rare_t: sp.csr_matrix
    common_norm: np.ndarray
    by_common_norm: np.ndarray  # row numbers, largest common norm first

    @classmethod
    def build(cls, matrix: sp.csr_matrix, df: np.ndarray, common_df: int) -> SparseIndex:
        """The index of `matrix`'s rows; features of document frequency > `common_df` are common."""
        matrix = matrix.tocsr()
        rare = df <= common_df
        keep = rare[matrix.indices]
        # Copies: eliminate_zeros works in place and must not touch `matrix`.
        rare_part = sp.csr_matrix(
            (matrix.data * keep, matrix.indices.copy(), matrix.indptr.copy()), shape=matrix.shape
        )
        rare_part.eliminate_zeros()
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        common_sq = np.bincount(rows, (matrix.data * ~keep) ** 2, minlength=matrix.shape[0])
        common_norm = np.sqrt(common_sq).astype(np.float32)
        return cls(
            matrix=matrix,
            rare=rare,
            rare_t=rare_part.T.tocsr(),
            common_norm=common_norm,
            by_common_norm=np.argsort(-common_norm, kind="stable"),
        )


def sparse_pairs(
    queries: sp.csr_matrix,
    index: SparseIndex,
    threshold: float,
    *,
    chunk: int = 256,
    top_k: int | None = None,
) -> Pairs:
    """All (query, row) pairs whose cosine is at least `threshold`, none missed.

    For each chunk of queries: a product over rare features only gives a partial score;
    pairs whose partial score plus the bound on the common part can reach the threshold
    are rescored exactly, and so are rows whose common part alone could (few: only rows
    made mostly of common n-grams).

    With `top_k`, only the top_k candidates of each query by partial score are rescored:
    faster against a bank holding many near-copies of a text, but no longer exact.
    """
    parts = []
    for start in range(0, queries.shape[0], chunk):
        q = queries[start : start + chunk]
        parts.append(_sparse_chunk(q, index, threshold, start, top_k))
    return _concat(parts)


def _top_per_row(rows: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores of each row (rows as given, any order)."""
    order = np.lexsort((-scores, rows))
    sorted_rows = rows[order]
    starts = np.searchsorted(sorted_rows, sorted_rows, side="left")
    return order[np.arange(order.size) - starts < k]


def _sparse_chunk(
    q: sp.csr_matrix, index: SparseIndex, threshold: float, offset: int, top_k: int | None
) -> Pairs:
    keep = index.rare[q.indices]
    q_rare = sp.csr_matrix((q.data * keep, q.indices.copy(), q.indptr.copy()), shape=q.shape)
    q_rows = np.repeat(np.arange(q.shape[0]), np.diff(q.indptr))
    q_common = np.sqrt(np.bincount(q_rows, (q.data * ~keep) ** 2, minlength=q.shape[0]))
    partial = (q_rare @ index.rare_t).tocoo()
    bound = partial.data + q_common[partial.row] * index.common_norm[partial.col]
    hit = np.nonzero(bound >= threshold)[0]
    if top_k is not None and hit.size > top_k:
        hit = hit[_top_per_row(partial.row[hit], partial.data[hit], top_k)]
    qi, tj = partial.row[hit].astype(np.int64), partial.col[hit].astype(np.int64)
    # Rows sharing no rare feature with a query can still reach the threshold through
    # common features alone when both common norms are large: check those few directly.
    extra_q, extra_t = [], []
    sorted_norms = index.common_norm[index.by_common_norm]
    for i in np.nonzero(q_common * sorted_norms[:1].max(initial=0.0) >= threshold)[0]:
        need = threshold / max(q_common[i], 1e-12)
        count = int(np.searchsorted(-sorted_norms, -need, side="right"))
        rows = index.by_common_norm[:count]
        extra_q.append(np.full(count, i, dtype=np.int64))
        extra_t.append(rows.astype(np.int64))
    if extra_q:
        qi = np.concatenate([qi, *extra_q])
        tj = np.concatenate([tj, *extra_t])
        pairs = np.unique(np.stack([qi, tj], axis=1), axis=0)
        qi, tj = pairs[:, 0], pairs[:, 1]
    if qi.size == 0:
        return _empty_pairs()
    sims = rowwise_dot(q[qi], index.matrix[tj])
    ok = sims >= threshold
    return qi[ok] + offset, tj[ok], sims[ok]
