"""Fitting the pair classifier on the calibration pairs, and measuring it on held-out pairs.

`calibrate()` fits validators.pair_model on the calibration part only (old pairs plus
the new pairs of half the topics, benchmarks.dedup_pairs), choosing the threshold on
5-fold cross-validation by topic inside it, and writes validators/pair_model.json.
`evaluate()` runs the product's detector (`default_detector`) on the held-out pairs:
for each pair, item b is checked against a bank of every pair's item a, and the pair is
called a duplicate when b's references name a. It also gives k-fold-by-topic figures
over all the new pairs (each fold's classifier fitted without that fold's topics).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from bank.models import LETTERS, Item
from benchmarks.dedup_pairs import (
    DUPLICATE_KINDS,
    MCQ,
    NEGATIVE_KINDS,
    ROOT,
    PairSet,
    Split,
    _mcq_records,
    fold_of,
    topic_groups,
)
from validators.calibration import precision_recall
from validators.detector import Detector, default_detector
from validators.encoders import Encoder
from validators.pair_detector import PairDetector, top_neighbours
from validators.pair_features import ItemVectors, another_number, item_model, pair_features
from validators.pair_model import MODEL_FILE, PairModel
from validators.tfidf import TfidfSpace, raw_counts

# Chosen by 5-fold cross-validation by topic on the calibration part (depth 2-4,
# learning rate 0.03-0.1, 150-600 trees, leaves of 10-20 pairs): the best min(P, R).
HYPER = {
    "max_depth": 3,
    "learning_rate": 0.1,
    "max_iter": 150,
    "min_samples_leaf": 10,
    "l2_regularization": 1.0,
    "random_state": 0,
}
THRESHOLDS = np.round(np.arange(0.15, 0.7001, 0.05), 2)
FOLDS = 5


def _vectors(
    items: list[Item], encoder: Encoder, stem_space: TfidfSpace, option_space: TfidfSpace
) -> ItemVectors:
    detector = PairDetector(encoder, encoder, None, model=_placeholder())
    return detector._vectors(items, stem_space, option_space, None)[1]


def _placeholder() -> PairModel:
    return PairModel((), 0.0, (), 1.0, {})


def features_of(pairs: PairSet, encoder: Encoder) -> np.ndarray:
    """The feature rows of labeled pairs, IDF from every item of the set."""
    items = pairs.a + pairs.b
    stem_space = TfidfSpace.fit(raw_counts([it.stem for it in items]))
    option_space = TfidfSpace.fit(raw_counts([o for it in items for o in it.options]))
    va: ItemVectors = _vectors(pairs.a, encoder, stem_space, option_space)
    vb: ItemVectors = _vectors(pairs.b, encoder, stem_space, option_space)
    at = np.arange(len(pairs))
    return pair_features(va, at, vb, at)


def exact_of(pairs: PairSet) -> np.ndarray:
    """Per pair, whether the two items have the same content hash."""
    return np.array(
        [x.content_hash == y.content_hash for x, y in zip(pairs.a, pairs.b, strict=True)]
    )


def calibration_folds(pairs: PairSet, k: int = FOLDS) -> np.ndarray:
    """Folds inside calibration: new pairs by topic group, old pairs by their first item."""
    new = np.array([f != "duplicate_pairs" for f in pairs.files])
    groups = topic_groups(pairs.subset(new))
    keys = [
        groups[t] if f != "duplicate_pairs" else "old:" + a.id
        for f, t, a in zip(pairs.files, pairs.topics, pairs.a, strict=True)
    ]
    return np.array([hashlib.sha256(("cv:" + x).encode()).digest()[0] % k for x in keys])


def fit(x: np.ndarray, y: np.ndarray) -> HistGradientBoostingClassifier:
    """The classifier of HYPER fitted on feature rows x and labels y."""
    return HistGradientBoostingClassifier(**HYPER).fit(x, y)


def out_of_fold(x: np.ndarray, y: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """Out-of-fold duplicate probabilities."""
    prob = np.zeros(len(y))
    for k in np.unique(folds):
        train = folds != k
        prob[~train] = fit(x[train], y[train]).predict_proba(x[~train])[:, 1]
    return prob


def choose_threshold(prob: np.ndarray, exact: np.ndarray, y: np.ndarray) -> float:
    """The grid threshold of best min(precision, recall); the lowest of ties."""
    scores = [min(precision_recall((prob >= t) | exact, y)) for t in THRESHOLDS]
    return float(THRESHOLDS[int(np.argmax(scores))])


def by_kind(pred: np.ndarray, pairs: PairSet) -> dict[str, Any]:
    """Recall per duplicate kind and false positives per negative kind."""
    kinds = np.array(pairs.kinds)
    recall = {
        k: f"{int(pred[kinds == k].sum())}/{int((kinds == k).sum())}"
        for k in DUPLICATE_KINDS
        if (kinds == k).any()
    }
    false = {
        k: f"{int(pred[kinds == k].sum())}/{int((kinds == k).sum())}"
        for k in NEGATIVE_KINDS
        if (kinds == k).any()
    }
    return {"recall_by_kind": recall, "false_positives_by_kind": false}


def figures(pred: np.ndarray, pairs: PairSet) -> dict[str, Any]:
    """Precision, recall, counts and per-kind figures of predictions on labeled pairs."""
    p, r = precision_recall(pred, pairs.truth)
    return {
        "pairs": len(pairs),
        "duplicates": int(pairs.truth.sum()),
        "topics": len(set(pairs.topics)),
        "precision": round(p, 3),
        "recall": round(r, 3),
        **by_kind(pred, pairs),
    }


BACKGROUND = 3_000  # candidate pairs of the medical data, as the detector meets them
BACKGROUND_SEED = 20261203


def background_pairs(split: Split, searcher: Encoder, n: int = BACKGROUND) -> PairSet:
    """Pairs the detector's candidate search yields among real items, taken as non-duplicates.

    The labeled pairs alone hold few of the pairs a search of a real bank turns up (two
    unrelated vignettes that share most of their words): without them the classifier
    flagged a fifth of the medical data. These are drawn from the medical MCQ items,
    leaving out every item of a held-out pair and exact copies; a few true duplicates
    among them are label noise (the data hold a few hundred duplicate pairs among about
    80,000 candidates).
    """
    records = _mcq_records(MCQ)
    held = {x.content_hash for p in (split.held_out.a, split.held_out.b) for x in p}
    items = []
    for r in records.values():
        try:
            it = Item(
                domain=2,
                stem=r["question"].strip(),
                options=[str(r["options"][k]).strip() for k in LETTERS],
                answer=r["answer_idx"],
            )
        except ValueError:
            continue
        if it.content_hash not in held:
            items.append(it)
    vectors = searcher.encode([f"{it.stem} {it.key_text}" for it in items])
    qi, tj = top_neighbours(vectors, vectors, earlier_only=True)
    keep = [k for k in range(qi.size) if items[qi[k]].content_hash != items[tj[k]].content_hash]
    chosen = sorted(random.Random(BACKGROUND_SEED).sample(keep, min(n, len(keep))))
    a = [items[qi[k]] for k in chosen]
    b = [items[tj[k]] for k in chosen]
    m = len(chosen)
    return PairSet(
        a,
        b,
        np.zeros(m, dtype=bool),
        ["background"] * m,
        ["background"] * m,
        ["background"] * m,
        ["background"] * m,
    )


GENERATED_SEEDS = (101, 102, 103)  # offline-generator batches for `generated_pairs`
GENERATED_PER_DOMAIN = 80
GENERATED = 1_500  # pairs kept, drawn at random


def generated_pairs(split: Split, searcher: Encoder, n: int = GENERATED) -> PairSet:
    """Candidate pairs of two item models of one scenario family, taken as non-duplicates.

    A scenario family (validators' view: items whose enemy group is "family/model") tells
    one story in several item models that ask different questions with different keys
    ("the patient refuses" and "questions after signing" of d1-consent): their stems share
    most of their words, which the labeled pairs hold too few of. These come from seeded
    offline-generator batches; pairs of one item model (siblings, kept apart by the
    validators) and pairs whose keys read the same are left out, and so is every item
    whose text appears in a held-out pair.
    """
    from bank.blueprint import load_blueprint
    from bank.notes import load_notes
    from bank.text import normalize_text
    from generators.base import GenerationRequest
    from generators.offline import OfflineGenerator

    blueprint = load_blueprint()
    notes = load_notes(ROOT / "data" / "notes", blueprint)
    generator = OfflineGenerator()
    held = {x.content_hash for p in (split.held_out.a, split.held_out.b) for x in p}
    held_stems = {normalize_text(x.stem) for p in (split.held_out.a, split.held_out.b) for x in p}
    items: dict[str, Item] = {}
    for seed in GENERATED_SEEDS:
        for domain in blueprint.numbers:
            request = GenerationRequest(domain=domain, count=GENERATED_PER_DOMAIN, seed=seed)
            for it in generator.generate(request, notes, blueprint).items:
                if (
                    item_model(it) is not None
                    and it.content_hash not in held
                    and normalize_text(it.stem) not in held_stems
                ):
                    items.setdefault(it.content_hash, it)
    pool = list(items.values())
    vectors = searcher.encode([f"{it.stem} {it.key_text}" for it in pool])
    qi, tj = top_neighbours(vectors, vectors, earlier_only=True)
    a, b = [], []
    for i, j in zip(qi.tolist(), tj.tolist(), strict=True):
        fa, fb = item_model(pool[i]), item_model(pool[j])
        if (
            fa is not None
            and fb is not None
            and fa[0] == fb[0]
            and fa[1] != fb[1]
            and normalize_text(pool[i].key_text) != normalize_text(pool[j].key_text)
        ):
            a.append(pool[i])
            b.append(pool[j])
    # As many as the medical background: more would outweigh the labeled pairs.
    chosen = sorted(random.Random(BACKGROUND_SEED).sample(range(len(a)), min(n, len(a))))
    a, b = [a[k] for k in chosen], [b[k] for k in chosen]
    m = len(a)
    return PairSet(
        a,
        b,
        np.zeros(m, dtype=bool),
        ["generated"] * m,
        ["generated"] * m,
        ["generated"] * m,
        ["generated"] * m,
    )


def background(split: Split, searcher: Encoder) -> PairSet:
    """Every unlabeled non-duplicate the classifier is trained on: medical and generated."""
    return PairSet.join([background_pairs(split, searcher), generated_pairs(split, searcher)])


def calibrate(split: Split, encoder: Encoder, searcher: Encoder) -> dict[str, Any]:
    """Fit the classifier on calibration pairs only, write pair_model.json, return figures.

    Training adds `background_pairs` as non-duplicates (spread over the folds); the
    threshold and the figures come from the labeled calibration pairs alone.
    """
    cal = split.calibration
    x, y, exact = features_of(cal, encoder), cal.truth, exact_of(cal)
    bg = background(split, searcher)
    xb = features_of(bg, encoder)
    folds = calibration_folds(cal)
    bg_folds = np.arange(len(bg)) % FOLDS
    prob = np.zeros(len(y))
    bg_prob = np.zeros(len(bg))
    for k in range(FOLDS):
        clf = fit(
            np.vstack([x[folds != k], xb[bg_folds != k]]),
            np.concatenate([y[folds != k], np.zeros(int((bg_folds != k).sum()), dtype=bool)]),
        )
        prob[folds == k] = clf.predict_proba(x[folds == k])[:, 1]
        bg_prob[bg_folds == k] = clf.predict_proba(xb[bg_folds == k])[:, 1]
    # The detector's rule beside the classifier: one template with other numbers.
    apart = another_number(x)
    prob[apart] = 0.0
    bg_prob[another_number(xb)] = 0.0
    threshold = choose_threshold(prob, exact, y)
    cv = figures((prob >= threshold) | exact, cal)
    kinds = np.array(bg.kinds)
    for kind in ("background", "generated"):
        flagged = int((bg_prob[kinds == kind] >= threshold).sum())
        cv[f"{kind}_flagged"] = f"{flagged}/{int((kinds == kind).sum())}"
    meta = {
        "fitted_on": "calibration part of benchmarks.dedup_pairs (old pairs + half the topics)"
        f" and {len(bg)} unlabeled non-duplicates: candidate pairs of the medical data and"
        " of two item models of one offline scenario family",
        "pairs": len(cal),
        "hyper": HYPER,
        "encoder": encoder.name,
        "cv_5fold_by_topic": {
            k: cv[k] for k in ("precision", "recall", "background_flagged", "generated_flagged")
        },
    }
    model = PairModel.from_sklearn(
        fit(np.vstack([x, xb]), np.concatenate([y, np.zeros(len(bg), dtype=bool)])),
        threshold,
        meta,
    )
    MODEL_FILE.write_text(json.dumps(model.to_json(), separators=(",", ":")) + "\n")
    return {"threshold": threshold, "calibration_cv": cv}


def detector_predictions(pairs: PairSet, detector: Detector) -> np.ndarray:
    """Per pair: does the detector, checking b against a bank of all a items, name a?"""
    bank = list({x.id: x for x in pairs.a}.values())
    found = detector.find(pairs.b, bank, [f"b:{n}" for n in range(len(pairs))])
    return np.array([x.id in {r.of for r in refs} for x, refs in zip(pairs.a, found, strict=True)])


def kfold(
    split: Split,
    encoder: Encoder,
    searcher: Encoder,
    make: Callable[[PairModel], Detector],
    k: int = FOLDS,
) -> dict[str, Any]:
    """K-fold by topic over every new pair: fit without a fold's topics, detect on it."""
    new = PairSet.join([split.new_calibration, split.held_out])
    old = split.calibration.subset(
        np.array([f == "duplicate_pairs" for f in split.calibration.files])
    )
    folds = fold_of(new, k)
    x_new, x_old = features_of(new, encoder), features_of(old, encoder)
    # Background pairs may hold items of any fold's pairs here: only the pairs themselves
    # are kept apart, so k-fold is a looser check than the held-out part.
    x_bg = features_of(background(split, searcher), encoder)
    threshold = json.loads(MODEL_FILE.read_text())["threshold"]
    pred = np.zeros(len(new), dtype=bool)
    per_fold = []
    for f in range(k):
        train = folds != f
        clf = fit(
            np.vstack([x_old, x_new[train], x_bg]),
            np.concatenate([old.truth, new.truth[train], np.zeros(len(x_bg), dtype=bool)]),
        )
        model = PairModel.from_sklearn(clf, threshold, {})
        part = new.subset(~train)
        pred[~train] = detector_predictions(part, make(model))
        per_fold.append([round(v, 3) for v in precision_recall(pred[~train], part.truth)])
    return {**figures(pred, new), "k": k, "per_fold_precision_recall": per_fold}


def evaluate(split: Split, encoder: Encoder, searcher: Encoder) -> dict[str, Any]:
    """Held-out figures of the product's detector, and k-fold-by-topic figures beside them."""
    held = split.held_out
    headline = figures(detector_predictions(held, default_detector()), held)
    folds = kfold(
        split, encoder, searcher, lambda model: PairDetector(encoder, searcher, model=model)
    )
    return {"held_out": headline, "kfold_by_topic_all_new_pairs": folds}
