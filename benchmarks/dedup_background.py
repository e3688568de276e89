"""Unlabeled non-duplicates the pair classifier is trained on beside the labeled pairs.

Candidate pairs of the medical data as the detector's search meets them, and pairs of two
item models of one offline scenario family: the labeled pairs hold too few of either.
Items of the split's held-out part are left out (round 3's `dev_split` has none; the
fresh pairs are never read here, so a fresh item may, rarely, sit in a background pair).
"""

from __future__ import annotations

import random

import numpy as np

from bank.models import LETTERS, Item
from benchmarks.dedup_pairs import MCQ, ROOT, PairSet, Split, _mcq_records
from validators.encoders import Encoder
from validators.pair_features import item_model
from validators.pair_search import top_neighbours

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
