"""Validation of a batch of items: flaws, duplicates and grounding, with one verdict each.

Statuses follow ../shared/spec/item-format.md: rejected > duplicate > flagged > clean.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from bank.models import Blueprint, Flaw, Item
from bank.notes import NoteSet
from validators.detector import Detector, DuplicateRef, ExactDetector
from validators.flaws import RULES, check_flaws

Status = Literal["clean", "flagged", "duplicate", "rejected"]


@dataclass
class Verdict:
    """One item's status, with the errors, flaws and duplicates that decided it."""

    item: Item | None
    status: Status
    errors: list[str] = field(default_factory=list)
    flaws: list[Flaw] = field(default_factory=list)
    duplicates: list[DuplicateRef] = field(default_factory=list)


@dataclass
class BatchReport:
    """The verdicts on a batch, one per item in order."""

    verdicts: list[Verdict]

    def count(self, status: Status) -> int:
        """How many verdicts have this status."""
        return sum(1 for v in self.verdicts if v.status == status)

    def possible_duplicates(self) -> int:
        """How many duplicate verdicts rest only on fuzzy matches (`possible_duplicate`)."""
        return sum(1 for v in self.verdicts if possible_duplicate(v))

    def counts(self) -> dict[str, int]:
        """The number of verdicts of each status present."""
        return dict(Counter(v.status for v in self.verdicts))

    def routed(self) -> list[Item]:
        """Items as they go to the bank: survivors to review with their flaws, the rest rejected.

        A fuzzy duplicate (no exact match, similarity under REJECT_SIMILARITY) is not thrown
        away: it goes to a reviewer flagged `possible_duplicate`, who sees both side by side.
        """
        out = []
        for v in self.verdicts:
            if v.item is None:
                continue
            if v.status in ("clean", "flagged") or possible_duplicate(v):
                flaws = v.flaws + [
                    Flaw(
                        code=POSSIBLE_DUPLICATE,
                        where="stem",
                        evidence=f"{d.of} ({d.kind} {d.similarity:.2f})",
                    )
                    for d in v.duplicates
                ]
                out.append(v.item.model_copy(update={"status": "pending_review", "flaws": flaws}))
            else:
                reasons = v.errors + [
                    f"duplicate of {d.of} ({d.kind}, {d.similarity:.2f})" for d in v.duplicates
                ]
                out.append(
                    v.item.model_copy(
                        update={"status": "rejected", "flaws": v.flaws, "reasons": reasons}
                    )
                )
        return out


POSSIBLE_DUPLICATE = "possible_duplicate"
# Matches at or above this similarity (or exact ones) are rejected as duplicates; fuzzier
# ones go to a reviewer: on template-built items the semantic layer meets hard negatives
# (debit vs credit entry, input vs output device) that only a person can tell apart.
REJECT_SIMILARITY = 0.90


def possible_duplicate(v: Verdict) -> bool:
    """A duplicate verdict resting only on fuzzy, below-threshold matches."""
    return (
        v.status == "duplicate"
        and not v.errors
        and all(d.kind != "exact" and d.similarity < REJECT_SIMILARITY for d in v.duplicates)
    )


def status_of(errors: list[str], duplicates: list[DuplicateRef], flaws: list[Flaw]) -> Status:
    """The status by precedence: rejected > duplicate > flagged > clean."""
    if errors:
        return "rejected"
    if duplicates:
        return "duplicate"
    return "flagged" if flaws else "clean"


def item_flaws(item: Item, notes: NoteSet | None = None) -> list[Flaw]:
    """Rule flaws of an item, plus `ungrounded` when a generated item's quote is not in its note.

    Rule flaws are recomputed; flaws the rules do not compute (a generator's or a judge's,
    e.g. echoes_instructions, more_than_one_correct) travel with the item and are kept.
    """
    flaws = check_flaws(item.stem, list(item.options), item.answer)
    flaws += [
        f for f in item.flaws if f.code not in RULES and f.code != "ungrounded" and f not in flaws
    ]
    if notes is not None and item.generated:
        from validators.grounding import grounding_flaws

        flaws.extend(grounding_flaws(item, notes))
    return flaws


def validate_batch(
    items: list[Item],
    blueprint: Blueprint,
    *,
    bank: list[Item] | None = None,
    notes: NoteSet | None = None,
    detector: Detector | None = None,
    labels: list[str] | None = None,
) -> BatchReport:
    """One verdict per item, in order; duplicates within the batch point at the earlier item."""
    labels = labels or [it.id for it in items]
    dups = (detector or ExactDetector()).find(items, bank or [], labels)
    verdicts = []
    for item, found in zip(items, dups, strict=True):
        errors = [] if blueprint.domain(item.domain) else [f"unknown domain {item.domain}"]
        flaws = item_flaws(item, notes)
        verdicts.append(Verdict(item, status_of(errors, found, flaws), errors, flaws, found))
    return BatchReport(verdicts)
