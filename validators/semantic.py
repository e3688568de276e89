"""The semantic duplicate layer: cosine of sentence embeddings of stems and of keys.

The sentence encoder is injected (validators.encoders.Encoder); bank vectors come from
an `EmbeddingCache` (validators.vector_cache), so only new texts are encoded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from validators.encoders import Encoder
from validators.layer import PROJECT_FROM, SEMANTIC_RULE, Rule, Scored, Texts
from validators.similarity import Projection, dense_pairs, projected_pairs, rowwise_dot
from validators.vector_cache import EmbeddingCache, cached_vectors

# Against a bank of PROJECT_FROM items or more, the semantic pass can take candidates on
# `reduced` principal directions, PROJECTION_MARGIN below the threshold, then rescore
# them exactly (benchmarks/dedup.py --compare, 1,000 vs 100k, 128 directions: 0.79 ->
# 0.47 s but 105 of 2,596 references missed); off by default.
PROJECTED_DIM: int | None = None  # 128 to turn the projection on
PROJECTION_MARGIN = 0.08


@dataclass
class _SemanticIndex:
    stems: np.ndarray
    keys: np.ndarray
    projection: Projection | None = None  # for candidate search in a large bank


class SemanticLayer:
    """Cosine of sentence embeddings of stems and of keys; bank vectors through the cache."""

    kind = "semantic"

    def __init__(
        self,
        encoder: Encoder,
        cache: EmbeddingCache | None = None,
        rule: Rule = SEMANTIC_RULE,
        *,
        reduced: int | None = PROJECTED_DIM,
    ) -> None:
        self.encoder = encoder
        self.cache = cache
        self.rule = rule
        self.reduced = reduced

    def prepare(self, bank: Texts, reference: Texts | None) -> _SemanticIndex:
        """The bank's stem and key vectors (cached or encoded); `reference` is not needed."""
        stems = cached_vectors(self.encoder, self.cache, bank.ids, bank.stems, "stem")
        keys = cached_vectors(self.encoder, self.cache, bank.ids, bank.keys, "key")
        projection = None
        if self.reduced is not None and len(bank) >= PROJECT_FROM and self.reduced < stems.shape[1]:
            projection = Projection.fit(stems, self.reduced)
        return _SemanticIndex(stems, keys, projection)

    def _search(self, stems: np.ndarray, index: _SemanticIndex) -> tuple[np.ndarray, ...]:
        if index.projection is None:
            return dense_pairs(stems, index.stems, self.rule.stem)
        return projected_pairs(
            stems, index.stems, index.projection, self.rule.stem, PROJECTION_MARGIN
        )

    def _encode(self, texts: Texts) -> tuple[np.ndarray, np.ndarray]:
        vectors = self.encoder.encode(texts.stems + texts.keys) if len(texts) else None
        if vectors is None:
            empty = np.zeros((0, self.encoder.dim), dtype=np.float32)
            return empty, empty
        return vectors[: len(texts)], vectors[len(texts) :]

    def candidates(self, index: _SemanticIndex, batch: Texts) -> tuple[Scored, Scored]:
        """Pairs of stem similarity >= rule.stem: batch x bank, and batch x earlier batch."""
        stems, keys = self._encode(batch)
        qi, tj, sims = self._search(stems, index)
        vs_bank = (qi, tj, sims, rowwise_dot(keys[qi], index.keys[tj]))
        qi, tj, sims = dense_pairs(stems, stems, self.rule.stem, earlier_only=True)
        return vs_bank, (qi, tj, sims, rowwise_dot(keys[qi], keys[tj]))

    def within(self, index: _SemanticIndex) -> Scored:
        """Pairs inside the bank itself (row j < row i) of stem similarity >= rule.stem."""
        qi, tj, sims = dense_pairs(index.stems, index.stems, self.rule.stem, earlier_only=True)
        return qi, tj, sims, rowwise_dot(index.keys[qi], index.keys[tj])

    def score(self, a: Texts, b: Texts) -> tuple[np.ndarray, np.ndarray]:
        """Stem and key similarity of a[i] and b[i], for calibration."""
        a_stems, a_keys = self._encode(a)
        b_stems, b_keys = self._encode(b)
        return rowwise_dot(a_stems, b_stems), rowwise_dot(a_keys, b_keys)
