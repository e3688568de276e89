"""The labeled duplicate pairs and their split by topic into calibration and held-out parts.

Three files (never edited here):
- tests/data/duplicate_pairs.jsonl: the OLD 282 pairs the first detector was tuned on.
  Calibration only, never held out.
- benchmarks/data/dedup/cmas_pairs.jsonl: 499 CMAS pairs (writer and generator sources).
- benchmarks/data/dedup/medical_pairs.jsonl: 525 medical pairs (medmcqa and writer
  sources); `ref` items point into ../shared/data/medical-mcq/ and are read from there.

The new pairs are split by topic, deterministically: topics joined by an item that
appears under both (the same text in pairs of two topics) form one group, and a group
goes to the held-out part when the first byte of sha256(SALT + its first topic) is odd.
So no item straddles the split. The split never looked at a score: the salt was kept at
its first value once every kind and source had pairs on both sides.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from bank.models import LETTERS, Item

ROOT = Path(__file__).resolve().parents[1]
OLD_PAIRS = ROOT / "tests" / "data" / "duplicate_pairs.jsonl"
NEW_PAIRS = [
    ROOT / "benchmarks" / "data" / "dedup" / "cmas_pairs.jsonl",
    ROOT / "benchmarks" / "data" / "dedup" / "medical_pairs.jsonl",
]
MCQ = ROOT.parent / "shared" / "data" / "medical-mcq"
# The fresh held-out sets already evaluated, now spent and part of the development data
# (less the pairs that were development pairs already): round 3's (evaluated once,
# P 0.955 / R 0.900), round 4's (evaluated once with the unchanged detector, P 0.934 /
# R 0.900), round 5's (evaluated once, P 0.946 / R 0.918) and the one that scored round
# 5's model a second time (P 0.943 / R 0.900).
SPENT_FRESH_DIRS = (
    ROOT / "benchmarks" / "data" / "dedup_fresh",
    ROOT / "benchmarks" / "data" / "dedup_fresh3",
    ROOT / "benchmarks" / "data" / "dedup_fresh4",
    ROOT / "benchmarks" / "data" / "dedup_fresh5",
    ROOT / "benchmarks" / "data" / "dedup_fresh6",
)
# Pairs written after round 6's model was fitted, by writers who never saw the detector:
# read only by benchmarks/dedup.py's fresh headline, never by calibration.
FRESH_DIR = ROOT / "benchmarks" / "data" / "dedup_fresh7"
SALT = "dedup-split-1:"

DUPLICATE_KINDS = ("paraphrase", "rekey_paraphrase", "reorder", "shuffled")
NEGATIVE_KINDS = ("hard_negative", "reverse", "different_key", "unrelated")
# The old set's kinds, under the new names (for per-kind figures on calibration).
OLD_KIND = {
    "paraphrase": "paraphrase",
    "reordered": "reorder",
    "hard_negative_question": "hard_negative",
    "hard_negative_answer": "different_key",
    "unrelated": "unrelated",
}


@dataclass(frozen=True)
class PairSet:
    """Labeled pairs: items a[i] and b[i], whether they are duplicates, and what else is known."""

    a: list[Item]
    b: list[Item]
    truth: np.ndarray
    kinds: list[str]
    sources: list[str]
    topics: list[str]
    files: list[str]

    def __len__(self) -> int:
        return len(self.a)

    def subset(self, mask: np.ndarray) -> PairSet:
        """The pairs where `mask` is true, in order."""
        pick = np.nonzero(mask)[0]
        return PairSet(
            [self.a[i] for i in pick],
            [self.b[i] for i in pick],
            self.truth[pick],
            [self.kinds[i] for i in pick],
            [self.sources[i] for i in pick],
            [self.topics[i] for i in pick],
            [self.files[i] for i in pick],
        )

    @staticmethod
    def join(parts: list[PairSet]) -> PairSet:
        """The pairs of every part, in order."""
        return PairSet(
            [x for p in parts for x in p.a],
            [x for p in parts for x in p.b],
            np.concatenate([p.truth for p in parts]),
            [x for p in parts for x in p.kinds],
            [x for p in parts for x in p.sources],
            [x for p in parts for x in p.topics],
            [x for p in parts for x in p.files],
        )


def _mcq_records(folder: Path = MCQ) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in ("medmcqa", "medqa", "mmlu"):
        path = folder / f"{name}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                out[f"{name}:{r['realidx']}"] = r
    return out


def _item(raw: dict[str, Any], records: dict[str, dict[str, Any]] | None) -> Item:
    if "ref" not in raw:
        return Item.model_validate(raw)
    if records is None:
        raise FileNotFoundError(f"{raw['ref']}: {MCQ} is needed to read referenced items")
    r = records[raw["ref"]]
    options = [str(r["options"][k]).strip() for k in LETTERS]
    return Item(domain=2, stem=r["question"].strip(), options=options, answer=r["answer_idx"])


def load(path: Path, records: dict[str, dict[str, Any]] | None = None) -> PairSet:
    """The pairs of one file; `ref` items are read from `records` (the medical MCQ data)."""
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    old = path == OLD_PAIRS
    return PairSet(
        [_item(r["a"], records) for r in rows],
        [_item(r["b"], records) for r in rows],
        np.array([bool(r["duplicate"]) for r in rows]),
        [OLD_KIND[r["kind"]] if old else r["kind"] for r in rows],
        [r.get("source", "old") if not old else "old" for r in rows],
        [r.get("topic", "old") for r in rows],
        [path.stem] * len(rows),
    )


_ITEM_FIELDS = ("stem", "options", "answer", "domain", "id", "enemy_group")


def _fresh_item(raw: dict[str, Any], records: dict[str, dict[str, Any]] | None) -> Item:
    """An item of a fresh pair: a `ref`, or the item fields it holds (others ignored)."""
    if "ref" in raw:
        return _item(raw, records)
    kept = {k: raw[k] for k in _ITEM_FIELDS if k in raw}
    kept.setdefault("domain", 1)  # the detector does not read the domain
    return Item.model_validate(kept)


def load_fresh(paths: list[Path], mcq: Path = MCQ) -> PairSet:
    """The pairs of the fresh files, in order; `ref` items read from the medical MCQ data.

    A pair with an item the item format refuses (a real record with two equal options) is
    left out, as `import` would refuse the item; `skipped_invalid` says how many.
    """
    records = _mcq_records(mcq) if mcq.is_dir() else None
    parts = []
    for path in paths:
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        a, b, kept = [], [], []
        for row in rows:
            try:
                pair = (_fresh_item(row["a"], records), _fresh_item(row["b"], records))
            except ValidationError:
                continue
            a.append(pair[0])
            b.append(pair[1])
            kept.append(row)
        skipped_invalid[path.name] = len(rows) - len(kept)
        parts.append(
            PairSet(
                a,
                b,
                np.array([bool(r["duplicate"]) for r in kept], dtype=bool),
                [str(r.get("kind", "unknown")) for r in kept],
                [str(r.get("source", "unknown")) for r in kept],
                [str(r.get("topic", "unknown")) for r in kept],
                [path.stem] * len(kept),
            )
        )
    return PairSet.join(parts)


skipped_invalid: dict[str, int] = {}  # per fresh file, pairs left out by load_fresh


def _text_key(item: Item) -> str:
    return item.content_hash


def topic_groups(pairs: PairSet) -> dict[str, str]:
    """Each topic's group name: topics joined by a shared item are one group (union-find)."""
    parent: dict[str, str] = {t: t for t in pairs.topics}

    def root(t: str) -> str:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    seen: dict[str, str] = {}
    for x, y, topic in zip(pairs.a, pairs.b, pairs.topics, strict=True):
        for it in (x, y):
            other = seen.setdefault(_text_key(it), topic)
            ra, rb = root(other), root(topic)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {t: root(t) for t in parent}


def held_out_mask(pairs: PairSet) -> np.ndarray:
    """Per pair, whether its topic group falls in the held-out part."""
    groups = topic_groups(pairs)

    def odd(group: str) -> bool:
        return hashlib.sha256((SALT + group).encode()).digest()[0] % 2 == 1

    return np.array([odd(groups[t]) for t in pairs.topics])


def fold_of(pairs: PairSet, k: int) -> np.ndarray:
    """Per pair, its fold (0..k-1) by topic group, for k-fold cross-validation by topic."""
    groups = topic_groups(pairs)
    return np.array(
        [
            hashlib.sha256((SALT + "fold:" + groups[t]).encode()).digest()[1] % k
            for t in pairs.topics
        ]
    )


@dataclass(frozen=True)
class Split:
    """The calibration part (old pairs plus half the new topics) and the held-out part."""

    calibration: PairSet
    held_out: PairSet
    new_calibration: PairSet  # the new pairs on the calibration side (no old pairs)


def load_split(mcq: Path = MCQ) -> Split:
    """Every labeled pair, split by topic; the old pairs go to calibration.

    Old pairs that share an item with the held-out part are left out (2 of 282).
    """
    records = _mcq_records(mcq) if mcq.is_dir() else None
    new = PairSet.join([load(p, records) for p in NEW_PAIRS])
    held = held_out_mask(new)
    held_items = {_text_key(x) for i in np.nonzero(held)[0] for x in (new.a[i], new.b[i])}
    old = load(OLD_PAIRS)
    # An old pair sharing an item with the held-out part would straddle the split: dropped.
    old = old.subset(
        np.array(
            [
                _text_key(x) not in held_items and _text_key(y) not in held_items
                for x, y in zip(old.a, old.b, strict=True)
            ]
        )
    )
    new_cal = new.subset(~held)
    return Split(PairSet.join([old, new_cal]), new.subset(held), new_cal)


def dev_split(mcq: Path = MCQ) -> Split:
    """Every labeled pair as development data (no held-out part).

    The old held-out part and the evaluated fresh sets (SPENT_FRESH_DIRS) are spent: all their
    pairs serve to choose features, model and threshold, by k-fold cross-validation by
    topic; a spent fresh pair that is already a development pair (the same two items) is
    not counted twice. The held-out figures come from fresh pairs (FRESH_DIR) instead.
    """
    records = _mcq_records(mcq) if mcq.is_dir() else None
    new = PairSet.join([load(p, records) for p in NEW_PAIRS])
    for folder in SPENT_FRESH_DIRS:
        spent = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
        if not spent:
            continue
        # skipped_invalid counts the headline's fresh files: kept as it was.
        counted = dict(skipped_invalid)
        fresh = load_fresh(spent, mcq)
        skipped_invalid.clear()
        skipped_invalid.update(counted)
        # Against the development data so far, earlier spent sets included.
        same, _ = seen_in_development(fresh, PairSet.join([load(OLD_PAIRS), new]))
        new = PairSet.join([new, fresh.subset(~same)])
    empty = new.subset(np.zeros(len(new), dtype=bool))
    return Split(PairSet.join([load(OLD_PAIRS), new]), empty, new)


def seen_in_development(fresh: PairSet, dev: PairSet) -> tuple[np.ndarray, np.ndarray]:
    """For each fresh pair: is it a development pair (the same two items), does it share an item.

    Items are compared by content (`content_hash`), the pair in either order. A fresh pair
    that is a development pair is development data (the detector was fitted on it); one
    that only shares an item is a new pair of a seen item.
    """
    items = {_text_key(x) for side in (dev.a, dev.b) for x in side}
    pairs = {frozenset((_text_key(x), _text_key(y))) for x, y in zip(dev.a, dev.b, strict=True)}
    keys = [(_text_key(x), _text_key(y)) for x, y in zip(fresh.a, fresh.b, strict=True)]
    same = np.array([frozenset(k) in pairs for k in keys], dtype=bool)
    shared = np.array([k[0] in items or k[1] in items for k in keys], dtype=bool)
    return same, shared


def straddling_items(split: Split) -> int:
    """How many distinct items appear on both sides of the split (must be 0)."""
    cal = {_text_key(x) for p in (split.calibration.a, split.calibration.b) for x in p}
    held = {_text_key(x) for p in (split.held_out.a, split.held_out.b) for x in p}
    return len(cal & held)
