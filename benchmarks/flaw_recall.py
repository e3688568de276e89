"""Recall and precision of the flaw rules and option checks on items written by others.

Ground truth: benchmarks/data/flaws/labels.jsonl (672 items labeled blind against
../shared/spec/item-flaws.md; README.md beside it). The items are split for good into a
dev part and a held-out part by a hash of their reference (`part_of`), so that both parts
hold random and enriched items. Rules are fixed only from what the dev part shows; the
held-out figures are the honest estimate and are printed first.

Printed per rule code and per option check: positives, true and false positives, misses,
recall and precision on held-out, then on dev. Then the readings the spec leaves open
(tags in the labels' `note`) scored both ways, and with --list the misses and false
flags of the dev part (or with --heldout of both parts) to read.

`distractor_true_in_notes` needs an item's cited source notes, which no labeled item has.
It is measured on the offline generator's items instead (`notes_figures`): how many of
them it flags (each flag a false one, or a real fault of the generator), and how many
of two corruptions it catches: the key moved to another letter (the true answer becomes
a distractor), and, for a "which item is in this category" question, a distractor
replaced by another item the note puts in the key's category.

With --fresh, every item of a fresh labeled set (benchmarks/data/flaws_fresh5/labels.jsonl,
same format, labeled by another blind reader; --fresh-path names another file) is scored
as one part and printed first. The fresh sets are all spent now: benchmarks/data/flaws_fresh/
(scored once: true_false 35/38, lost_sequence 28/31), flaws_fresh3/ (21/29, 39/50),
flaws_fresh4/ (30/32, 30/35) and flaws_fresh5/ (30/32, 30/35); the readings added after
each were designed on its misses (tests/test_flaws_round5_readings.py,
tests/test_flaws_round6_readings.py), so a fresh set written after those measures them.

Run: python -m benchmarks.flaw_recall [--list CODE ...] [--heldout] [--no-notes]
     [--fresh [--fresh-path FILE]]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bank.blueprint import DATA_DIR, load_blueprint
from bank.models import LETTERS, Flaw, Item
from bank.notes import NoteSet, load_notes
from generators.offline import supported_items
from validators.flaws import RULES, check_flaws
from validators.notes_checks import distractor_true_in_notes
from validators.option_checks import mixed_options, off_topic_distractor

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "benchmarks" / "data" / "flaws" / "labels.jsonl"
FRESH = ROOT / "benchmarks" / "data" / "flaws_fresh5" / "labels.jsonl"
MEDICAL = ROOT.parent / "shared" / "data" / "medical-mcq"

Check = Callable[[str, list[str], str | None], list[Flaw]]
CHECKS: dict[str, tuple[Check, str]] = {
    "off_topic_distractor": (off_topic_distractor, "off_topic_distractor"),
    "mixed_options": (mixed_options, "mixed_options"),
}
"""Each option check, with the labels' `checks` field it is scored against."""

# A tag of the labels' `note` marks a reading the spec leaves open: the code it concerns.
TAGS: dict[str, str] = {
    "[gram:key-disagrees]": "grammatical_cues",
    "[unfocused:telegraphic]": "unfocused_stem",
    "[unfocused:no-colon]": "unfocused_stem",
    "[unfocused:topic-sentence]": "unfocused_stem",
    "[count]": "unfocused_stem",
    "[k:sequence]": "complex_k_type",
    "[blank:dots]": "fill_in_the_blank",
}


@dataclass
class Labeled:
    """One labeled item: its text, its part, and the labels of every code and check."""

    ref: str
    part: str
    sample: str
    stem: str
    options: list[str]
    answer: str | None
    labels: dict[str, bool | None]
    note: str = ""


@dataclass
class Score:
    """Counts of one code on one part."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    false_flags: list[str] = field(default_factory=list)

    @property
    def positives(self) -> int:
        """The labeled positives."""
        return self.tp + self.fn

    def add(self, ref: str, label: bool | None, found: bool) -> None:
        """Count one item; an item with no label for the code (None) is not counted."""
        if label is None:
            return
        if label and found:
            self.tp += 1
        elif label:
            self.fn += 1
            self.misses.append(ref)
        elif found:
            self.fp += 1
            self.false_flags.append(ref)

    def row(self) -> str:
        """Positives, TP, FP, FN, recall and precision."""
        recall = f"{self.tp / self.positives:.3f}" if self.positives else "  -  "
        flagged = self.tp + self.fp
        precision = f"{self.tp / flagged:.3f}" if flagged else "  -  "
        return f"{self.positives:>4} {self.tp:>4} {self.fp:>4} {self.fn:>4}  {recall}  {precision}"


def part_of(ref: str) -> str:
    """`heldout` or `dev`, fixed by the SHA-256 of the item's reference."""
    digest = hashlib.sha256(ref.encode()).digest()
    return "heldout" if digest[0] % 2 else "dev"


def _medical_rows() -> dict[str, dict[str, object]]:
    rows: dict[str, dict[str, object]] = {}
    for path in sorted(MEDICAL.glob("*.jsonl")):
        with path.open() as lines:
            for line in lines:
                row = json.loads(line)
                rows[f"{path.stem}:{row['realidx']}"] = row
    return rows


def _item_text(
    item: dict[str, object], medical: dict[str, dict[str, object]]
) -> tuple[str, str, list[str], str | None]:
    """(ref, stem, options, answer) of a record's item: a medical reference or the item itself."""
    ref = item.get("ref")
    if isinstance(ref, str) and ref in medical:
        row = medical[ref]
        options_map = row["options"]
        assert isinstance(options_map, dict)
        options = [str(options_map[k]) for k in sorted(options_map)]
        return ref, str(row["question"]), options, str(row["answer_idx"])
    stem = str(item["stem"])
    raw = item["options"]
    if isinstance(raw, dict):
        options = [str(raw[k]) for k in sorted(raw)]
    else:
        assert isinstance(raw, list)
        options = [str(o) for o in raw]
    answer = item.get("answer")
    if not isinstance(ref, str):
        ref = "cmas:" + hashlib.sha256(stem.encode()).hexdigest()[:12]
    return ref, stem, options, None if answer is None else str(answer)


def load_labels(path: Path = LABELS, part: str | None = None) -> list[Labeled]:
    """The labeled items, their medical references resolved into shared/data/medical-mcq.

    Each item goes to the part its reference hashes to (`part_of`), or to `part` when
    given (a fresh set is one part). A code or check a record leaves out is unlabeled
    (None) and is not counted for that item.
    """
    medical = _medical_rows()
    out = []
    with path.open() as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            ref, stem, options, answer = _item_text(record["item"], medical)
            given = {**record.get("flaws", {}), **record.get("checks", {})}
            labels: dict[str, bool | None] = {
                label: (None if given.get(label) is None else bool(given[label]))
                for _, label, _ in _codes()
            }
            out.append(
                Labeled(
                    ref,
                    part or part_of(ref),
                    str(record.get("part", "")),
                    stem,
                    options,
                    answer,
                    labels,
                    str(record.get("note", "")),
                )
            )
    return out


def _codes() -> Iterator[tuple[str, str, Check]]:
    """(code, label field, function) for every rule, then every option check."""
    for code, rule in RULES.items():
        yield code, code, rule
    for code, (check, label) in CHECKS.items():
        yield code, label, check


def _open_reading(item: Labeled, code: str) -> bool:
    """Whether the item's label of `code` follows a reading the spec leaves open (a tag)."""
    return any(item.note.startswith(tag) and TAGS[tag] == code for tag in TAGS)


def score(items: list[Labeled]) -> dict[tuple[str, str], Score]:
    """Scores per (code, part), and per (code, part + "-spec") without the open readings."""
    scores: dict[tuple[str, str], Score] = {}
    for code, label, check in _codes():
        for item in items:
            found = bool(check(item.stem, item.options, item.answer))
            scores.setdefault((code, item.part), Score()).add(item.ref, item.labels[label], found)
            if not _open_reading(item, code):
                spec = scores.setdefault((code, item.part + "-spec"), Score())
                spec.add(item.ref, item.labels[label], found)
    return scores


def open_readings(items: list[Labeled]) -> list[str]:
    """Each tagged open reading scored as labeled and the other way (the label flipped)."""
    lines = []
    for tag, code in TAGS.items():
        tagged = [i for i in items if i.note.startswith(tag)]
        if not tagged:
            continue
        rule = RULES[code]
        found = [bool(rule(i.stem, i.options, i.answer)) for i in tagged]
        agree = sum(f == i.labels[code] for f, i in zip(found, tagged, strict=True))
        label = "true" if tagged[0].labels[code] else "false"
        lines.append(
            f"  {tag:<28} {code:<18} {len(tagged):>2} items labeled {label}: rule agrees with "
            f"the label on {agree}, with the other reading on {len(tagged) - agree}"
        )
    return lines


def _other_member(item: Item, notes: NoteSet) -> str | None:
    """Another item the cited note puts in the key's category, not among the options."""
    facts = [f for n in notes.notes if n.id in {s.note for s in item.sources} for f in n.facts]
    key = item.key_text.casefold()
    category = next(
        (f.fields[2] for f in facts if f.kind == "classify" and f.fields[1].casefold() == key),
        None,
    )
    shown = {o.casefold() for o in item.options}
    return next(
        (
            f.fields[1]
            for f in facts
            if f.kind == "classify"
            and f.fields[2] == category
            and f.fields[1].casefold() not in shown
        ),
        None,
    )


def notes_figures() -> list[str]:
    """`distractor_true_in_notes` on the offline generator's items and two corruptions."""
    blueprint = load_blueprint()
    notes = load_notes(DATA_DIR / "notes", blueprint)
    items = [
        it
        for d in blueprint.domains
        for it in supported_items(notes, blueprint, d.number, screen=check_flaws)
    ]
    flagged = sum(bool(distractor_true_in_notes(it, notes)) for it in items)
    lines = [f"  generated items flagged: {flagged} of {len(items)}"]
    caught: dict[str, list[bool]] = {}
    misplaced = 0
    for it in items:
        model = str(it.extra.get("item_model", "?"))
        kind = "scenario" if "/" in model else model
        moved = LETTERS[(LETTERS.index(it.answer) + 1) % len(LETTERS)]
        wrong_key = it.model_copy(update={"answer": moved})
        found = distractor_true_in_notes(wrong_key, notes)
        caught.setdefault(f"key moved, {kind}", []).append(any(f.where == it.answer for f in found))
        misplaced += sum(f.where != it.answer for f in found)
        member = _other_member(it, notes) if model == "item_from_category" else None
        if member is not None:
            spot = LETTERS[(LETTERS.index(it.answer) + 1) % len(LETTERS)]
            options = [
                member if letter == spot else o
                for letter, o in zip(LETTERS, it.options, strict=True)
            ]
            second = it.model_copy(update={"options": options})
            found = distractor_true_in_notes(second, notes)
            caught.setdefault("second member of the key's category", []).append(
                any(f.where == spot for f in found)
            )
    lines.append(f"  flags at another letter than the true answer, key moved: {misplaced}")
    for name, hits in sorted(caught.items()):
        lines.append(
            f"  caught {sum(hits):>4} of {len(hits):>4} ({sum(hits) / len(hits):.2f}): {name}"
        )
    return lines


def _print_table(scores: dict[tuple[str, str], Score], codes: list[str]) -> None:
    header = "pos   tp   fp   fn  recall  precision"
    print(f"{'':<24} {'HELD-OUT':<40}| {'held-out, open readings out':<40}| dev")
    print(f"{'code':<24} {header:<40}| {header:<40}| {header}")
    for code in codes:
        held, spec, dev = (scores[(code, p)] for p in ("heldout", "heldout-spec", "dev"))
        print(f"{code:<24} {held.row():<40}| {spec.row():<40}| {dev.row()}")


def _print_fresh(path: Path) -> None:
    """The headline: every item of the fresh set scored, all of it and without open readings."""
    items = load_labels(path, part="fresh")
    random_n = sum(i.sample == "random" for i in items)
    print(
        f"FRESH (headline): {len(items)} items of {path} ({random_n} random, "
        f"{len(items) - random_n} other), labeled blind; spent once scored (later readings"
        " were designed on its misses)"
    )
    scores = score(items)
    header = "pos   tp   fp   fn  recall  precision"
    for title, codes in (("Rule codes", list(RULES)), ("Option checks", list(CHECKS))):
        print(f"\n{title}")
        print(f"{'':<24} {'FRESH':<40}| fresh, open readings out")
        print(f"{'code':<24} {header:<40}| {header}")
        for code in codes:
            every, spec = (scores.get((code, p), Score()) for p in ("fresh", "fresh-spec"))
            print(f"{code:<24} {every.row():<40}| {spec.row()}")
    print()


def main(argv: list[str] | None = None) -> None:
    """Print the figures; with --list, the misses and false flags of the named codes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", nargs="*", default=[], metavar="CODE")
    parser.add_argument("--heldout", action="store_true", help="list held-out items too")
    parser.add_argument("--no-notes", action="store_true", help="skip the generated items")
    parser.add_argument(
        "--fresh", action="store_true", help="score the fresh labeled set first, as the headline"
    )
    parser.add_argument(
        "--fresh-path", type=Path, default=FRESH, metavar="FILE", help="the fresh set's labels"
    )
    args = parser.parse_args(argv)
    if args.fresh:
        if args.fresh_path.exists():
            _print_fresh(args.fresh_path)
        else:
            print(f"FRESH: no labels at {args.fresh_path}\n")
    items = load_labels()
    parts = {p: [i for i in items if i.part == p] for p in ("dev", "heldout")}
    for name, chosen in parts.items():
        random_n = sum(i.sample == "random" for i in chosen)
        print(f"{name}: {len(chosen)} items ({random_n} random, {len(chosen) - random_n} enriched)")
    scores = score(items)
    print("\nRule codes (item level: a code found anywhere on the item against its label)")
    _print_table(scores, list(RULES))
    print("\nOption checks (against the labels' `checks`)")
    _print_table(scores, list(CHECKS))
    print("\nReadings the spec leaves open (all parts):")
    print("\n".join(open_readings(items)))
    if not args.no_notes:
        print(
            "\ndistractor_true_in_notes on the offline generator's items (screened by the rules):"
        )
        print("\n".join(notes_figures()))
    by_ref = {i.ref: i for i in items}
    listed = ("dev", "heldout") if args.heldout else ("dev",)
    for code in args.list:
        for part in listed:
            s = scores[(code, part)]
            for kind, refs in (("MISS", s.misses), ("FALSE", s.false_flags)):
                for ref in refs:
                    it = by_ref[ref]
                    check = RULES.get(code) or CHECKS[code][0]
                    print(f"\n[{part} {kind} {code}] {ref} key={it.answer} note={it.note[:200]}")
                    print(f"  STEM: {it.stem[:300]}")
                    for letter, option in zip("ABCDE", it.options, strict=False):
                        print(f"  {letter}: {option}")
                    print(f"  found: {[f.evidence for f in check(it.stem, it.options, it.answer)]}")


if __name__ == "__main__":
    main()
