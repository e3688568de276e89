"""What the pair classifier sees of two items: similarities of stems, keys and options.

One function computes the features for the detector's candidate pairs and for the
labeled pairs the classifier is fitted on (benchmarks/dedup.py), so both see the same
numbers. Every feature is symmetric in the two items:

- `s_stem`, `s_key`, `s_stem_key`: cosine of static sentence vectors (StaticEncoder
  "mean") of the stems, the keys, and stem and key read together;
- `l_stem`, `l_key`: TF-IDF cosine (char_wb 3-5 and word 1-2 n-grams) of stems, of keys;
- `l_options`: how well each item's options find a match among the other's (mean of the
  best match per option, both ways); `l_key_elsewhere`: how much better one item's key
  matches a wrong option of the other than the other's key (the same option set keyed
  differently);
- `numbers_agree`, `key_codes_agree`: no number or code of one stem (or key) contradicts
  the other's (validators.identifiers);
- `template_share`, `slot_overlap`: the share of the shorter stem in the two stems'
  common opening and ending, and the overlap of the content words, numbers and codes
  of what lies between (one template with another subject or number in its slot
  shares much and overlaps little);
- `negation_differs`: one stem asks the negative ("NOT", "EXCEPT", "false") and the
  other does not.

The classifier (validators.pair_model) learns the weights and thresholds of all of
these from labeled pairs; no word list is fitted to the pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from bank.models import Item
from bank.text import content_words, normalize_text
from validators.identifiers import identifiers
from validators.similarity import rowwise_dot

FEATURES = (
    "s_stem",
    "s_key",
    "l_stem",
    "l_key",
    "l_options",
    "l_key_elsewhere",
    "numbers_agree",
    "key_codes_agree",
    "template_share",
    "slot_overlap",
    "negation_differs",
    "s_stem_key",
    "key_contained",
    "key_acronym",
)

_TOKEN = re.compile(r"[^\W_]+(?:[-/.,:][^\W_]+)*")
# The ways an item-writer asks the negative form of a question (spec: negative stems).
_NEGATIVE = re.compile(r"\b(?:not|except|false|incorrect|untrue|least|never|no)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ItemVectors:
    """What the features need of a list of items, row i for item i.

    `stems`, `keys`, `stem_keys`: unit static vectors (dense); `lex_stems`, `lex_keys`:
    unit TF-IDF rows; `lex_options`: 4 unit TF-IDF rows per item (item i: rows 4i..4i+3),
    in the option space, with `answers` the keyed option's position; `models` each
    item's (scenario family, item model) when it has one (`item_model`).
    """

    stem_texts: list[str]
    key_texts: list[str]
    answers: np.ndarray
    stems: np.ndarray
    keys: np.ndarray
    stem_keys: np.ndarray
    lex_stems: sp.csr_matrix
    lex_keys: sp.csr_matrix
    lex_options: sp.csr_matrix
    models: list[tuple[str, str] | None] = field(default_factory=list)  # item_model(item)
    facts: TextFacts | None = None  # a bank's, made with its index; else read per pair
    key_marks: sp.csr_matrix | None = None  # `key_marks`: the keys' n-grams, IDF-weighted
    short_keys: np.ndarray | None = None  # per item: its key holds an abbreviation


@dataclass(frozen=True)
class _Profile:
    """What the per-pair features need of one stem, computed once per text."""

    tokens: tuple[str, ...]
    stems: tuple[tuple[str, ...], ...]  # the content-word stems of each token
    counts: dict[str, int]  # content stems and how often they occur
    negative: bool
    content: frozenset[str]  # the keys of counts: the slot of a pair with nothing shared


@lru_cache(maxsize=65_536)
def _profile(text: str) -> _Profile:
    tokens = tuple(t.casefold() for t in _TOKEN.findall(text))
    # A token such as "check-in" holds several words: its content stems, as content_words.
    # A number or code ("42", "cms-1500", "2027") is content too, which content_words
    # drops: one template with another number in its slot is another question.
    stems = tuple(
        tuple(sorted(content_words(t) | ({t} if any(c.isdigit() for c in t) else set())))
        for t in tokens
    )
    counts: dict[str, int] = {}
    for group in stems:
        for s in group:
            counts[s] = counts.get(s, 0) + 1
    return _Profile(tokens, stems, counts, bool(_NEGATIVE.search(text)), frozenset(counts))


@dataclass(frozen=True)
class TextFacts:
    """What the per-pair text features read of each item (row i for item i), made once.

    A bank's are made with its index, outside any check: reading them per pair from a
    100,000-item bank took 0.9 s for the 2,700 pairs that reach the text features.
    """

    profiles: list[_Profile]
    stem_codes: list[frozenset[str]]  # identifiers(stem)
    key_codes: list[frozenset[str]]  # identifiers(key, letters=True)


def text_facts(stems: list[str], keys: list[str]) -> TextFacts:
    """The `TextFacts` of items with these stems and keys."""
    return TextFacts(
        [_profile(s) for s in stems],
        [identifiers(s) for s in stems],
        [identifiers(k, letters=True) for k in keys],
    )


def _facts(v: ItemVectors, i: int) -> tuple[_Profile, frozenset[str], frozenset[str]]:
    if v.facts is not None:
        return v.facts.profiles[i], v.facts.stem_codes[i], v.facts.key_codes[i]
    stem = v.stem_texts[i]
    return _profile(stem), identifiers(stem), identifiers(v.key_texts[i], letters=True)


def _slot(p: _Profile, head: int, tail: int) -> frozenset[str] | set[str]:
    """The content stems of the tokens between the first `head` and the last `tail`."""
    if head + tail == 0:
        return p.content
    left = dict(p.counts)
    for group in p.stems[:head] + p.stems[len(p.stems) - tail :]:
        for s in group:
            left[s] -= 1
    return {s for s, n in left.items() if n > 0}


def template_overlap(stem_a: str, stem_b: str) -> tuple[float, float]:
    """(share of the shorter stem in the common opening and ending, content overlap between).

    "In which DEA schedule is ketamine placed?" and "... is Tylenol with codeine placed?"
    share most of their words around a slot whose content words do not overlap.
    """
    return _overlap(_profile(stem_a), _profile(stem_b))


def _overlap(pa: _Profile, pb: _Profile) -> tuple[float, float]:
    a, b = pa.tokens, pb.tokens
    short = min(len(a), len(b))
    if short == 0:
        return 0.0, 1.0
    head = 0
    while head < short and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < short - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    slot_a, slot_b = _slot(pa, head, tail), _slot(pb, head, tail)
    union = len(slot_a | slot_b)
    return (head + tail) / short, (len(slot_a & slot_b) / union if union else 1.0)


# One template with another number in its slot: at least this share of the shorter stem
# around a slot whose words, numbers and codes overlap at most SLOT_APART, with the stems'
# numbers in conflict. Chosen on the calibration pairs (benchmarks/dedup.py): 0 of 316
# duplicates and 13 of 547 non-duplicates there; the classifier alone had not learned
# it from so few.
TEMPLATE_SHARE = 0.5
SLOT_APART = 0.2


def another_number(x: np.ndarray) -> np.ndarray:
    """Per feature row: one stem template with other numbers in its slot (another question)."""
    col = {name: c for c, name in enumerate(FEATURES)}
    out: np.ndarray = (
        (x[:, col["template_share"]] >= TEMPLATE_SHARE)
        & (x[:, col["slot_overlap"]] <= SLOT_APART)
        & (x[:, col["numbers_agree"]] == 0)
    )
    return out


def item_model(item: Item) -> tuple[str, str] | None:
    """(scenario family, item model) of an item built from a scenario family, else None.

    The offline generator gives such an item the enemy group "family/model"
    ("d1-consent/patient-refuses"); an item from a fact ("fact:<note>:<line>"), from an
    LLM or from an import has none.
    """
    group = item.enemy_group or ""
    if "/" not in group or group.startswith("fact:"):
        return None
    family, _, model = group.partition("/")
    return family, model


def other_model_of_family(
    va: ItemVectors, ia: np.ndarray, vb: ItemVectors, ib: np.ndarray
) -> np.ndarray:
    """Per pair: two item models of one scenario family with keys that read differently.

    A family tells one story in several item models, each asking its own question ("the
    patient refuses", "questions after signing"): their stems share most of their words,
    but with another key they ask another thing, so they are never duplicates. (Two
    instances of one model are siblings, which the validators' report keeps apart.)
    """
    out = np.zeros(ia.size, dtype=bool)
    if not va.models or not vb.models:
        return out
    for k, (i, j) in enumerate(zip(ia.tolist(), ib.tolist(), strict=True)):
        ma, mb = va.models[i], vb.models[j]
        out[k] = (
            ma is not None
            and mb is not None
            and ma[0] == mb[0]
            and ma[1] != mb[1]
            and normalize_text(va.key_texts[i]) != normalize_text(vb.key_texts[j])
        )
    return out


def _agree(a: frozenset[str], b: frozenset[str]) -> float:
    # One may name fewer (a paraphrase drops "(UB-04)"), but none may name another.
    return float(a <= b or b <= a)


def _grouped_dots(
    a: sp.csr_matrix, ia: np.ndarray, b: sp.csr_matrix, ib: np.ndarray, m: int
) -> np.ndarray:
    """Per pair k, the (m, m) dot products of item ia[k]'s m rows of `a` with ib[k]'s of `b`.

    Item i holds rows m*i .. m*i+m-1. Each of the m*m products is one elementwise
    product of the pairs' gathered rows: only the pairs' own dots are computed. (A sparse
    product per group of query items computed every query row against every target row
    of its group, and converted the transposed targets each time: slower at 100k.)
    """
    out = np.zeros((ia.size, m, m), dtype=np.float32)
    if ia.size == 0:
        return out
    rows_a = [a[ia * m + r] for r in range(m)]
    rows_b = [b[ib * m + s] for s in range(m)]
    for r in range(m):
        for s in range(m):
            out[:, r, s] = np.asarray(rows_a[r].multiply(rows_b[s]).sum(axis=1)).ravel()
    return out


def _option_block(
    va: ItemVectors, ia: np.ndarray, vb: ItemVectors, ib: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pair: option-set match (both ways), the key-elsewhere margin, the keys' cosine."""
    n = ia.size
    sims = _grouped_dots(va.lex_options, ia, vb.lex_options, ib, 4)
    match = (sims.max(axis=2).mean(axis=1) + sims.max(axis=1).mean(axis=1)) / 2
    ka, kb = va.answers[ia], vb.answers[ib]
    at = np.arange(n)
    key_key = sims[at, ka, kb]
    a_key_row = sims[at, ka, :].copy()  # a's key against each of b's options
    a_key_row[at, kb] = -1.0
    b_key_col = sims[at, :, kb].copy()  # b's key against each of a's options
    b_key_col[at, ka] = -1.0
    elsewhere = np.maximum(a_key_row.max(axis=1), b_key_col.max(axis=1)) - key_key
    return match, elsewhere, key_key


SAME_TEXT = 0.98  # TF-IDF cosine at which two options are one text


def key_is_wrong_elsewhere(x: np.ndarray) -> np.ndarray:
    """Per feature row: one item's key is, word for word, a wrong option of the other.

    Then the two items give different answers to one choice: not one question with one
    answer, however alike the stems ("Increase" keyed in one, "Decrease" keyed in the
    other, over the same options). A rule beside the classifier, as `another_number`.
    The best match of either key among the other's wrong options is `l_key` plus the
    key-elsewhere margin (`_option_block`), so the rule reads the feature row.
    """
    col = {name: c for c, name in enumerate(FEATURES)}
    out: np.ndarray = x[:, col["l_key"]] + x[:, col["l_key_elsewhere"]] >= SAME_TEXT
    return out


CHUNK = 16_384  # pairs at a time: the gathered dense rows stay small


# The features numpy computes for all pairs at once, and those read per pair from the texts.
VECTOR_FEATURES = (
    "s_stem",
    "s_key",
    "s_stem_key",
    "l_stem",
    "l_key",
    "l_options",
    "l_key_elsewhere",
    "key_contained",
    "key_acronym",
)
VECTOR_COLUMNS = np.array([name in VECTOR_FEATURES for name in FEATURES])


def vector_features(va: ItemVectors, ia: np.ndarray, vb: ItemVectors, ib: np.ndarray) -> np.ndarray:
    """Feature rows with the VECTOR_FEATURES columns filled and the others zero."""
    n = ia.size
    if n > CHUNK:
        return np.vstack(
            [
                vector_features(va, ia[s : s + CHUNK], vb, ib[s : s + CHUNK])
                for s in range(0, n, CHUNK)
            ]
        )
    out = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if n == 0:
        return out
    col = {name: c for c, name in enumerate(FEATURES)}
    out[:, col["s_stem"]] = rowwise_dot(va.stems[ia], vb.stems[ib])
    out[:, col["s_key"]] = rowwise_dot(va.keys[ia], vb.keys[ib])
    out[:, col["s_stem_key"]] = rowwise_dot(va.stem_keys[ia], vb.stem_keys[ib])
    out[:, col["l_stem"]] = _grouped_dots(va.lex_stems, ia, vb.lex_stems, ib, 1)[:, 0, 0]
    match, elsewhere, key_key = _option_block(va, ia, vb, ib)
    # The key's TF-IDF row is its option's row (ItemVectors.lex_keys): read from the block.
    out[:, col["l_key"]] = key_key
    out[:, col["l_options"]] = match
    out[:, col["l_key_elsewhere"]] = elsewhere
    if va.key_marks is not None and vb.key_marks is not None:
        out[:, col["key_contained"]] = key_containment(va.key_marks[ia], vb.key_marks[ib])
    # The abbreviation test reads only the pairs where a key holds an abbreviation: known
    # here, with the vector features, so that the probability bound can use it.
    short_a = va.short_keys if va.short_keys is not None else has_short_form(va.key_texts)
    short_b = vb.short_keys if vb.short_keys is not None else has_short_form(vb.key_texts)
    for k in np.flatnonzero(short_a[ia] | short_b[ib]).tolist():
        i, j = int(ia[k]), int(ib[k])
        out[k, col["key_acronym"]] = key_acronym(va.key_texts[i], vb.key_texts[j])
    return out


def has_short_form(keys: list[str]) -> np.ndarray:
    """Per key: whether it holds a word `key_acronym` may read as an abbreviation."""
    return np.array(
        [any(2 <= len(f) <= 8 for f in _SHORT_FORM.findall(k)) for k in keys], dtype=bool
    )


def key_marks(key_counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Each key's n-grams (rows of raw counts) as presence times IDF: what containment sums."""
    x = key_counts.tocsr(copy=True)
    x.data = idf[x.indices].astype(np.float32)
    return x


def key_containment(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    """Per row pair: the IDF mass of the n-grams both keys hold, over the shorter key's mass.

    A key reworded by adding to it ("Ethambutol" and "EMB (ethambutol)", "Narcolepsy" and
    "Sleep attack disorder (narcolepsy)") is wholly inside the other, which the cosine of
    the two keys dilutes by the added words.
    """
    shared = np.asarray(a.minimum(b).sum(axis=1)).ravel()
    mass = np.minimum(np.asarray(a.sum(axis=1)).ravel(), np.asarray(b.sum(axis=1)).ravel())
    out: np.ndarray = np.where(mass > 0, shared / np.maximum(mass, 1e-12), 0.0)
    return out.astype(np.float32)


def _acronym_of(short: str, long: str) -> bool:
    """Whether `short`'s letters run in order through `long`, the first at a word's start.

    The Schwartz-Hearst test for an abbreviation and its long form (Schwartz & Hearst
    2003, "A simple algorithm for identifying abbreviation definitions in biomedical
    text"), read from the end: "PCNL" in "percutaneous nephrolithotomy", "TB" in
    "tuberculosis".
    """
    s, i = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (long[i].lower() != c or (s == 0 and i > 0 and long[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return False
        i -= 1
        s -= 1
    return True


_SHORT_FORM = re.compile(r"\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*\b")  # two capitals or more: EMB, HbA


def key_acronym(key_a: str, key_b: str) -> float:
    """1.0 when one key holds an abbreviation (2-8 letters) whose long form is the other key.

    The long form must not hold the abbreviation itself: "PCNL" and "Percutaneous
    nephrolithotomy", "EMB (ethambutol)" and "Ethambutol" match; "CMS" and "Medicare" do
    not. A match is one feature of the pair, weighed by the classifier with the others.
    """
    for short, long in ((key_a, key_b), (key_b, key_a)):
        words = _TOKEN.findall(long)
        for form in _SHORT_FORM.findall(short):
            if not 2 <= len(form) <= 8 or form.casefold() in (w.casefold() for w in words):
                continue
            if _acronym_of(form, long):
                return 1.0
    return 0.0


def add_text_features(
    out: np.ndarray, va: ItemVectors, ia: np.ndarray, vb: ItemVectors, ib: np.ndarray
) -> np.ndarray:
    """`out` (rows of `vector_features`) with the per-pair text features filled in, in place."""
    col = {name: c for c, name in enumerate(FEATURES)}
    for k, (i, j) in enumerate(zip(ia.tolist(), ib.tolist(), strict=True)):
        pa, stem_a, key_a = _facts(va, i)
        pb, stem_b, key_b = _facts(vb, j)
        share, overlap = _overlap(pa, pb)
        out[k, col["numbers_agree"]] = _agree(stem_a, stem_b)
        out[k, col["key_codes_agree"]] = _agree(key_a, key_b)
        out[k, col["template_share"]] = share
        out[k, col["slot_overlap"]] = overlap
        out[k, col["negation_differs"]] = float(pa.negative != pb.negative)
    return out


def pair_features(va: ItemVectors, ia: np.ndarray, vb: ItemVectors, ib: np.ndarray) -> np.ndarray:
    """The feature rows (columns in FEATURES order) of pairs (va[ia[k]], vb[ib[k]])."""
    return add_text_features(vector_features(va, ia, vb, ib), va, ia, vb, ib)
