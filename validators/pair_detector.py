"""The default duplicate detector: candidate search, then a learned pair classifier.

1. Exact: the same normalized content hash (stem, options in any order, key).
2. Candidates: each item's nearest neighbours by stem and key read together, on static
   vectors that weigh rare tokens most (StaticEncoder "zipf"): the top NEIGHBOURS at or
   above FLOOR. On the calibration pairs (each b against all a items) this misses 1 of
   227 duplicates at 16 neighbours; the stem alone missed 5. (Every item at or above
   0.80 was a candidate too, once: in a bank of many near-copies that made 110 pairs per
   candidate, and checking 1,000 against 100,000 took minutes; at most MAX_REFS are
   reported anyway.) The search is validators.pair_search: one float32 product per
   block of queries, a large bank on its top principal directions first.
3. Decision: each candidate pair's features (validators.pair_features: static-vector
   and TF-IDF similarities of stems, keys and options, number and code agreement, shared
   template, negation) go through the pair classifier (validators.pair_model); a pair at
   or above its threshold is a duplicate. The vector features are computed for every
   pair first; a pair whose probability cannot reach the threshold whatever its text
   features hold (`PairModel.most_probable`, an exact bound) is dropped before the
   per-pair text features are read. A reference's `similarity` is that probability.
   Two item models of one offline scenario family with different keys ask different
   questions by construction and are never duplicates (`other_model_of_family`), nor
   are two stems of one template with other numbers in its slot (`another_number`), nor
   two items one of whose key is, word for word, a wrong option of the other
   (`key_is_wrong_elsewhere`: they answer one choice differently).

TF-IDF n-grams are counted on `validators.number_forms.lexical_form` (numbers in digits,
however written). Each stem and key is tokenized once (its "stem key" tokens are the two joined) and
pooled per kind; bank vectors come from an `EmbeddingCache`, so a stored bank is never
encoded again. What the bank side needs (vectors, TF-IDF rows counted by
validators.pair_ngrams, the text facts of the per-pair features) is made with the
bank's index, once, outside any check. The classifier and its threshold were fitted on
the labeled pairs (benchmarks/dedup.py --calibrate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from bank.models import LETTERS, Item
from validators.detector import MAX_REFS, SMALL_BANK, DuplicateRef, exact_in_bank
from validators.encoders import Encoder
from validators.number_forms import lexical_form
from validators.pair_features import (
    VECTOR_COLUMNS,
    ItemVectors,
    add_text_features,
    another_number,
    has_short_form,
    item_model,
    key_is_wrong_elsewhere,
    key_marks,
    other_model_of_family,
    text_facts,
    vector_features,
)
from validators.pair_model import PairModel, default_model
from validators.pair_ngrams import fast_raw_counts
from validators.pair_search import COARSE_FROM, coarse_basis, top_neighbours
from validators.static_encoder import StaticEncoder, tokenize
from validators.tfidf import TfidfSpace, weigh
from validators.vector_cache import EmbeddingCache, cached_vectors

KIND = "semantic"


@dataclass
class PairIndex:
    """What the detector keeps of one bank: ids, hashes, search vectors, feature vectors."""

    ids: list[str]
    hashes: dict[str, list[str]]
    search: np.ndarray
    vectors: ItemVectors
    stem_space: TfidfSpace
    option_space: TfidfSpace
    coarse: tuple[np.ndarray, np.ndarray] | None = None  # basis, search projected on it


def item_counts(items: Sequence[Item]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """N-gram counts of the items' stems, and of their options (4 rows per item).

    Counted on `lexical_form`: numbers in digits, however the item writes them.
    """
    return fast_raw_counts([lexical_form(it.stem) for it in items]), fast_raw_counts(
        [lexical_form(o) for it in items for o in it.options]
    )


def _fingerprint(bank: Sequence[Item]) -> int:
    # A flat tuple: no tuple per item (a third sooner at 100,000 items).
    return hash(tuple(x for it in bank for x in (it.id, it.stem, it.answer, *it.options)))


class PairDetector:
    """Exact matches, then candidates by stem and key judged by the learned pair classifier.

    `encoder` gives the feature vectors (StaticEncoder "mean"), `searcher` the candidate
    search vectors (StaticEncoder "zipf"); both read and store bank vectors in `cache`.
    The index of the last bank seen is kept, so batch after batch against one bank
    builds it once.
    """

    def __init__(
        self,
        encoder: Encoder,
        searcher: Encoder,
        cache: EmbeddingCache | None = None,
        *,
        model: PairModel | None = None,
        max_refs: int = MAX_REFS,
        prune: bool = True,
        coarse_from: int | None = COARSE_FROM,
    ) -> None:
        self.encoder = encoder
        self.searcher = searcher
        self.cache = cache
        self.model = model or default_model()
        self.max_refs = max_refs
        self.prune = prune  # bound the probability on vector features first (`_judge`)
        self.coarse_from = coarse_from  # banks this large are searched coarse first
        self._memo: tuple[int, PairIndex] | None = None

    @property
    def kinds(self) -> list[str]:
        """The kinds of reference this detector reports, in order of rank: exact first."""
        return ["exact", KIND]

    def _vectors(
        self,
        items: Sequence[Item],
        stem_space: TfidfSpace,
        option_space: TfidfSpace,
        ids: list[str] | None,
        counts: tuple[sp.csr_matrix, sp.csr_matrix] | None = None,
    ) -> tuple[np.ndarray, ItemVectors]:
        """Search and feature vectors; bank items (`ids` given) through the cache.

        `counts` are the items' stem and option `raw_counts`, when already made.
        """
        stems = [it.stem for it in items]
        keys = [it.key_text for it in items]
        stem_keys = [f"{s} {k}" for s, k in zip(stems, keys, strict=True)]
        if ids is not None:
            search = cached_vectors(self.searcher, self.cache, ids, stem_keys, "stem_key")
            sv = cached_vectors(self.encoder, self.cache, ids, stems, "stem")
            kv = cached_vectors(self.encoder, self.cache, ids, keys, "key")
            skv = cached_vectors(self.encoder, self.cache, ids, stem_keys, "stem_key")
        elif isinstance(self.encoder, StaticEncoder) and isinstance(self.searcher, StaticEncoder):
            # Each stem and key tokenized once: "stem key" is their tokens joined.
            n = len(items)
            tokens = tokenize(stems + keys)
            joined = [a + b for a, b in zip(tokens[:n], tokens[n:], strict=True)]
            search = self.searcher.pool(joined)
            both = self.encoder.pool(tokens + joined)
            sv, kv, skv = both[:n], both[n : 2 * n], both[2 * n :]
        else:
            search = self.searcher.encode(stem_keys)
            # One call: each text encoded once, whatever it is used as.
            both = self.encoder.encode(stems + keys + stem_keys)
            n = len(items)
            sv, kv, skv = both[:n], both[n : 2 * n], both[2 * n :]
        answers = np.array([LETTERS.index(it.answer) for it in items], dtype=np.int64)
        stem_counts, option_counts = counts or item_counts(items)
        options = weigh(option_counts, option_space.idf)
        return search, ItemVectors(
            models=[item_model(it) for it in items],
            stem_texts=stems,
            key_texts=keys,
            answers=answers,
            stems=sv,
            keys=kv,
            stem_keys=skv,
            lex_stems=weigh(stem_counts, stem_space.idf),
            lex_keys=options[4 * np.arange(len(items)) + answers],
            lex_options=options,
            # A bank's text facts are made with its index; a batch's only for the pairs
            # that reach the text features.
            facts=text_facts(stems, keys) if ids is not None else None,
            short_keys=has_short_form(keys),
            key_marks=key_marks(
                option_counts[4 * np.arange(len(items)) + answers], option_space.idf
            ),
        )

    def prepare(
        self,
        bank: Sequence[Item],
        reference: Sequence[Item] = (),
        reference_counts: tuple[sp.csr_matrix, sp.csr_matrix] | None = None,
    ) -> PairIndex:
        """The index of `bank` (IDF from bank + reference), reused while the bank is unchanged.

        `reference_counts` are the reference's `raw_counts` of stems and options, if made.
        """
        key = _fingerprint(bank)
        if not reference and self._memo is not None and self._memo[0] == key:
            return self._memo[1]
        hashes: dict[str, list[str]] = {}
        for it in bank:
            hashes.setdefault(it.content_hash, []).append(it.id)
        bank_counts = item_counts(bank)
        stem_ref, option_ref = bank_counts
        if reference:
            ref_stems, ref_options = reference_counts or item_counts(reference)
            stem_ref = sp.vstack([stem_ref, ref_stems], format="csr")
            option_ref = sp.vstack([option_ref, ref_options], format="csr")
        stem_space, option_space = TfidfSpace.fit(stem_ref), TfidfSpace.fit(option_ref)
        ids = [it.id for it in bank]
        search, vectors = self._vectors(bank, stem_space, option_space, ids, bank_counts)
        coarse = None
        if self.coarse_from is not None and len(bank) >= self.coarse_from:
            basis = coarse_basis(search)
            coarse = (basis, np.ascontiguousarray(search @ basis))
        index = PairIndex(ids, hashes, search, vectors, stem_space, option_space, coarse)
        if not reference:
            self._memo = (key, index)
        return index

    def _judge(
        self, va: ItemVectors, ia: np.ndarray, vb: ItemVectors, ib: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if ia.size == 0:
            return ia, ib, np.zeros(0)
        x = vector_features(va, ia, vb, ib)
        # Most candidates cannot reach the threshold on their vector features alone: only
        # the others need the per-pair text features (the bulk of the time at 100k).
        if self.prune:
            maybe = self.model.most_probable(x, VECTOR_COLUMNS) >= self.model.threshold
            ia, ib, x = ia[maybe], ib[maybe], x[maybe]
        x = add_text_features(x, va, ia, vb, ib)
        prob = self.model.probability(x)
        ok = (prob >= self.model.threshold) & ~another_number(x)
        ok &= ~other_model_of_family(va, ia, vb, ib)
        ok &= ~key_is_wrong_elsewhere(x)
        return ia[ok], ib[ok], prob[ok]

    def find(
        self, batch: list[Item], bank: list[Item], labels: list[str]
    ) -> list[list[DuplicateRef]]:
        """For each batch item, the earlier batch items (by label) and bank items it duplicates.

        Exact matches first, then the classifier's, most probable first, at most
        `max_refs`. Below SMALL_BANK bank items, the batch joins the bank for IDF.

        Raises:
            ValueError: when there are not as many labels as items.
        """
        if len(labels) != len(batch):
            raise ValueError(f"{len(batch)} items but {len(labels)} labels")
        found: list[dict[str, DuplicateRef]] = [{} for _ in batch]
        if not batch:
            return []
        counts = item_counts(batch)
        index = self.prepare(bank, batch if len(bank) < SMALL_BANK else (), counts)
        earlier: dict[str, list[str]] = {}
        for i, item in enumerate(batch):
            h = item.content_hash
            for ref_id in index.hashes.get(h, []) + earlier.get(h, []):
                found[i].setdefault(ref_id, DuplicateRef(ref_id, "exact", 1.0))
            earlier.setdefault(h, []).append(labels[i])
        search, vectors = self._vectors(batch, index.stem_space, index.option_space, None, counts)
        coarse = index.coarse if self.coarse_from is not None else None
        qi, tj = top_neighbours(search, index.search, coarse=coarse)
        for i, j, p in zip(*self._judge(vectors, qi, index.vectors, tj), strict=True):
            found[i].setdefault(index.ids[j], DuplicateRef(index.ids[j], KIND, round(float(p), 4)))
        qi, tj = top_neighbours(search, search, earlier_only=True)
        for i, j, p in zip(*self._judge(vectors, qi, vectors, tj), strict=True):
            found[i].setdefault(labels[j], DuplicateRef(labels[j], KIND, round(float(p), 4)))
        return self._ranked(found)

    def find_in_bank(self, bank: list[Item]) -> list[list[DuplicateRef]]:
        """For each bank item, the earlier bank items (by id) it duplicates, from the index."""
        index = self.prepare(bank)
        found = exact_in_bank(bank)
        qi, tj = top_neighbours(index.search, index.search, earlier_only=True)
        for i, j, p in zip(*self._judge(index.vectors, qi, index.vectors, tj), strict=True):
            found[i].setdefault(index.ids[j], DuplicateRef(index.ids[j], KIND, round(float(p), 4)))
        return self._ranked(found)

    def _ranked(self, found: list[dict[str, DuplicateRef]]) -> list[list[DuplicateRef]]:
        return [
            sorted(refs.values(), key=lambda r: (r.kind != "exact", -r.similarity))[: self.max_refs]
            for refs in found
        ]
