"""Sparse TF-IDF vectors of hashed n-grams, for the lexical duplicate layer.

Each text becomes a char_wb 3-5 block and a word 1-2 block, sublinear TF times IDF,
each block L2-normalized and weighted so that a row has unit norm: a dot product of two
rows is `CHAR_WEIGHT` times the char-n-gram cosine plus the rest times the word cosine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

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
        """The weighted, unit-norm rows of `texts` in this space (`weigh` of `raw_counts`)."""
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
