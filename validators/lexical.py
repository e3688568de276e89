"""The lexical duplicate layer: TF-IDF cosine of n-grams over stems and over keys.

Char_wb 3-5 and word 1-2 n-grams (validators.tfidf), searched by thresholded sparse
products (validators.similarity.sparse_pairs), exact by default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from validators.layer import LEXICAL_ALONE_RULE, PROJECT_FROM, Rule, Scored, Texts
from validators.similarity import SparseIndex, rowwise_dot, sparse_pairs
from validators.tfidf import TfidfSpace, raw_counts, weigh

FULL_PRODUCT_BELOW = 5_000  # below this many rows, sparse search skips no feature
COMMON_DF_FRACTION = 0.02  # n-grams in more documents than this are "common" in the search
# Against a bank of PROJECT_FROM items or more, the lexical pass can rescore at most
# `top_k` rows per query (100: 2.10 -> 2.06 s on 1,000 vs 100k, benchmarks/dedup.py
# --compare); off by default.
LEXICAL_TOP_K: int | None = None  # 100 to cap


def _earlier(pairs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
    qi, tj, sims = pairs
    keep = tj < qi
    return qi[keep], tj[keep], sims[keep]


@dataclass
class _LexicalIndex:
    stem_space: TfidfSpace
    key_space: TfidfSpace
    stems: SparseIndex
    keys: sp.csr_matrix


def _search_index(matrix: sp.csr_matrix, df: np.ndarray) -> SparseIndex:
    n = matrix.shape[0]
    common_df = n if n < FULL_PRODUCT_BELOW else max(1, int(COMMON_DF_FRACTION * n))
    return SparseIndex.build(matrix, df, common_df)


class LexicalLayer:
    """TF-IDF cosine of char_wb 3-5 and word 1-2 n-grams, over stems and over keys."""

    kind = "lexical"

    def __init__(
        self, rule: Rule = LEXICAL_ALONE_RULE, *, top_k: int | None = LEXICAL_TOP_K
    ) -> None:
        self.rule = rule
        self.top_k = top_k

    def _top_k(self, rows: int) -> int | None:
        return self.top_k if rows >= PROJECT_FROM else None

    def prepare(self, bank: Texts, reference: Texts | None) -> _LexicalIndex:
        """The bank's weighted stems (indexed for search) and keys; IDF from bank + reference."""
        stem_counts, key_counts = raw_counts(bank.stems), raw_counts(bank.keys)
        stem_ref, key_ref = stem_counts, key_counts
        if reference is not None and len(reference):
            stem_ref = sp.vstack([stem_counts, raw_counts(reference.stems)], format="csr")
            key_ref = sp.vstack([key_counts, raw_counts(reference.keys)], format="csr")
        stem_space, key_space = TfidfSpace.fit(stem_ref), TfidfSpace.fit(key_ref)
        stems = weigh(stem_counts, stem_space.idf)
        return _LexicalIndex(
            stem_space,
            key_space,
            _search_index(stems, stem_space.df),
            weigh(key_counts, key_space.idf),
        )

    def candidates(self, index: _LexicalIndex, batch: Texts) -> tuple[Scored, Scored]:
        """Pairs of stem similarity >= rule.stem: batch x bank, and batch x earlier batch."""
        stems = index.stem_space.transform(batch.stems)
        keys = index.key_space.transform(batch.keys)
        top_k = self._top_k(index.stems.matrix.shape[0])
        qi, tj, sims = sparse_pairs(stems, index.stems, self.rule.stem, top_k=top_k)
        vs_bank = (qi, tj, sims, rowwise_dot(keys[qi], index.keys[tj]))
        own_df = np.bincount(stems.indices, minlength=stems.shape[1])
        qi, tj, sims = _earlier(sparse_pairs(stems, _search_index(stems, own_df), self.rule.stem))
        return vs_bank, (qi, tj, sims, rowwise_dot(keys[qi], keys[tj]))

    def within(self, index: _LexicalIndex) -> Scored:
        """Pairs inside the bank itself (row j < row i) of stem similarity >= rule.stem."""
        qi, tj, sims = _earlier(sparse_pairs(index.stems.matrix, index.stems, self.rule.stem))
        return qi, tj, sims, rowwise_dot(index.keys[qi], index.keys[tj])

    def score(self, a: Texts, b: Texts) -> tuple[np.ndarray, np.ndarray]:
        """Stem and key similarity of a[i] and b[i] (IDF from both), for calibration."""
        index = self.prepare(a, b)
        stems = index.stem_space.transform(b.stems)
        keys = index.key_space.transform(b.keys)
        return rowwise_dot(index.stems.matrix, stems), rowwise_dot(index.keys, keys)
