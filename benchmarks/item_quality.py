"""Item quality of a generated bank, measured from the items and the notes alone.

Generates a bank the way a content team does (`generate --domain all --total N`, offline,
through the product's generation use case) into a temporary bank, reads what it queued for
review, and prints:

- per domain, the distinct flaw-free items the notes support against 3x the blueprint count;
- the share of items from scenario item models, and at application level or above;
- the share of the six most common stem frames (a frame is the question sentence with the
  words that are rare across the bank masked: "What does the term … mean?");
- the share of recall items with a distractor from outside the fact's concept class (not a
  fact of its note, not a member of a confusable set with the key, not hand-picked);
- enemy pairs placed together on mock-exam forms drawn from the bank;
- what the reference flaw rules find.

With `--sample N --seed S` it also writes a blind-review sample (N/8 items per domain,
drawn with the seed, only what a reviewer sees) to --out, for reviewers who apply
docs/item-review.md without seeing the generator.

Run: python -m benchmarks.item_quality [--total 400] [--seed 0] [--sample 48 --out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
from collections import Counter
from pathlib import Path

from bank.blueprint import DATA_DIR, load_blueprint
from bank.models import Blueprint, Item
from bank.notes import NoteSet, load_notes
from bank.text import normalize_text
from generators.offline import supported_items
from pipelines.generation import split_by_weight
from pipelines.jobs import GenerationJob, generate
from pipelines.learners import TYPICAL
from pipelines.practice import LearnerModel, PracticeSession
from planner.mastery import initial_state
from validators.flaws import check_flaws

FRAME_DF = 0.02  # a token at one place in at least this share of questions is frame
HEAD, TAIL = 8, 5  # the frame is looked for in the first and last tokens of a question
MIN_FIXED = 3  # words a frame must fix (punctuation aside) to group different questions
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"[$]?\d[\d,./:-]*%?|[A-Za-z’'-]+|[^\sA-Za-z0-9]")
APPLY_OR_ABOVE = {"apply", "analyze"}


def question(stem: str) -> str:
    """The sentence of a stem that asks (its last one)."""
    parts = [p for p in _SENTENCES.split(stem.strip()) if p]
    return parts[-1] if parts else stem


def frames(stems: list[str]) -> list[str]:
    """Each stem's frame: the fixed opening and ending of its question sentence.

    A token belongs to the frame when it stands at the same place from the start (or from
    the end) of the question in at least FRAME_DF of the bank's stems; the frame is the run
    of such tokens from the start and from the end, the rest masked: "What does coinsurance
    mean?" and "What does copayment mean?" share "what does … mean ?".
    """
    tokenized = [[t.lower() for t in _TOKEN.findall(question(s))] for s in stems]
    need = FRAME_DF * len(stems)
    heads = Counter((i, t) for tokens in tokenized for i, t in enumerate(tokens[:HEAD]))
    tails = Counter((i, t) for tokens in tokenized for i, t in enumerate(reversed(tokens[-TAIL:])))
    out = []
    for tokens in tokenized:
        head = 0
        while head < min(HEAD, len(tokens)) and heads[(head, tokens[head])] >= need:
            head += 1
        tail = 0
        while (
            tail < min(TAIL, len(tokens) - head)
            and tails[(tail, tokens[len(tokens) - 1 - tail])] >= need
        ):
            tail += 1
        fixed = [t for t in (*tokens[:head], *tokens[len(tokens) - tail :]) if t.isalnum()]
        if len(fixed) < MIN_FIXED:  # "Which … ?" is no frame: the question is its own
            out.append(" ".join(tokens))
            continue
        middle = ["…"] if head + tail < len(tokens) else []
        out.append(" ".join([*tokens[:head], *middle, *tokens[len(tokens) - tail :]]))
    return out


def foreign_distractors(item: Item, notes: NoteSet) -> list[str]:
    """A recall item's distractors that come from outside its fact's concept class."""
    fact_id = item.extra.get("fact")
    if not fact_id or item.extra.get("item_model") == "numeric_fact":
        return []  # scenario options and figures near the key are computed, not borrowed
    note_id, line = fact_id.rsplit(":", 1)
    note = notes.by_id()[note_id]
    fact = next(f for f in note.facts if f.line == int(line))
    allowed = {normalize_text(v) for f in note.facts for v in f.fields}
    allowed |= {normalize_text(step) for f in note.facts for v in f.fields for step in v.split(">")}
    allowed |= {normalize_text(a) for a in fact.alts}
    key = normalize_text(item.key_text)
    for members in notes.confusable_sets(item.domain):
        if key in {normalize_text(m) for m in members}:
            allowed |= {normalize_text(m) for m in members}
    for f in notes.facts:  # a confusable member's own definition comes with it
        if f.kind == "term" and normalize_text(f.fields[0]) in allowed:
            allowed.add(normalize_text(f.fields[1]))
    options = [o for o, letter in zip(item.options, "ABCD", strict=True) if letter != item.answer]
    return [o for o in options if normalize_text(o) not in allowed]


def enemies_on_forms(items: list[Item], blueprint: Blueprint, forms: int, seed: int) -> int:
    """Pairs of one enemy group placed together on mock-exam forms drawn from `items`."""
    together = 0
    model = LearnerModel(initial_state(), TYPICAL, {})
    for n in range(forms):
        session = PracticeSession(
            "benchmark", blueprint, items, model, save=lambda r: None, rng=random.Random(seed + n)
        )
        from datetime import UTC, datetime

        form = session.draw_form(blueprint.exam.form_length, datetime(2027, 1, 1, tzinfo=UTC))
        groups = Counter(it.enemy_group for it in form if it.enemy_group)
        together += sum(k * (k - 1) // 2 for k in groups.values())
    return together


def blind_sample(
    items: list[Item], blueprint: Blueprint, n: int, seed: int
) -> list[dict[str, object]]:
    """n/8 items per domain, drawn with the seed; only what a reviewer reads."""
    rng = random.Random(seed)
    per = max(1, n // len(blueprint.domains))
    out: list[dict[str, object]] = []
    for d in blueprint.domains:
        pool = sorted((it for it in items if it.domain == d.number), key=lambda it: it.id)
        for it in rng.sample(pool, min(per, len(pool))):
            out.append(
                {
                    "id": it.id,
                    "domain": f"{d.number}. {d.name}",
                    "topic": it.topic,
                    "stem": it.stem,
                    "options": dict(zip("ABCD", it.options, strict=True)),
                    "key": it.answer,
                    "rationale": it.rationale,
                    "sources": [s.model_dump() for s in it.sources],
                }
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--total", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=0, help="blind-review sample size")
    parser.add_argument("--out", type=Path, default=Path("/tmp/item-review"))
    parser.add_argument("--forms", type=int, default=5)
    args = parser.parse_args()

    blueprint = load_blueprint()
    notes = load_notes(DATA_DIR / "notes", blueprint)
    print(
        "Supply: distinct flaw-free items the notes support, per domain, against 3x the blueprint"
    )
    for d in blueprint.domains:
        supply = supported_items(notes, blueprint, d.number, screen=check_flaws)
        ok = "ok" if len(supply) >= 3 * d.count else "SHORT"
        print(f"  domain {d.number}: {len(supply):4d} (need {3 * d.count:3d}) {ok}")

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bank.duckdb"
        job = GenerationJob(
            db=str(db), counts=split_by_weight(args.total, blueprint), seed=args.seed
        )
        generate(job)
        with job.bank().read() as store:
            items = store.find_items(statuses=["pending_review"])
    n = len(items)
    scenario = [it for it in items if "fact" not in it.extra]
    applied = [it for it in scenario if it.bloom in APPLY_OR_ABOVE]
    frame_counts = Counter(frames([it.stem for it in items]))
    top6 = frame_counts.most_common(6)
    recall = [it for it in items if "fact" in it.extra]
    foreign = [it for it in recall if foreign_distractors(it, notes)]
    flaws = Counter(f.code for it in items for f in check_flaws(it.stem, it.options, it.answer))
    together = enemies_on_forms(items, blueprint, args.forms, args.seed)
    report = {
        "items": n,
        "scenario_share": round(len(scenario) / n, 3),
        "scenario_apply_or_above_share": round(len(applied) / n, 3),
        "top6_frame_share": round(sum(c for _, c in top6) / n, 3),
        "top6_frames": top6,
        "recall_items": len(recall),
        "foreign_distractor_share": round(len(foreign) / max(1, len(recall)), 3),
        "enemy_pairs_on_forms": together,
        "flaws": dict(flaws),
        "bloom": dict(Counter(it.bloom for it in items)),
        "difficulty": dict(Counter(it.difficulty for it in items)),
    }
    call = f"generate --domain all --total {args.total} --seed {args.seed}"
    print(f"Generated bank ({call}): {n} items queued")
    print(f"  from scenario item models:          {report['scenario_share']:.1%}")
    print(f"  scenario and apply/analyze level:   {report['scenario_apply_or_above_share']:.1%}")
    print(f"  six most common stem frames:        {report['top6_frame_share']:.1%}")
    for frame, count in top6:
        print(f"      {count:4d}  {frame}")
    print(f"  recall items with a foreign distractor: {report['foreign_distractor_share']:.1%}")
    print(f"  enemy pairs on {args.forms} drawn mock-exam forms: {together}")
    print(f"  reference flaw rules: {dict(flaws) or 'none'}")
    for it in foreign[:5]:
        print(f"      foreign: {it.id} {foreign_distractors(it, notes)}")
    if args.sample:
        args.out.mkdir(parents=True, exist_ok=True)
        sample = blind_sample(items, blueprint, args.sample, args.seed)
        path = args.out / f"sample-seed{args.seed}.jsonl"
        path.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sample))
        print(f"Blind-review sample: {len(sample)} items (seed {args.seed}) -> {path}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
