"""Validation of a batch of items: flaws, duplicates and grounding, with one verdict each.

Statuses follow ../shared/spec/item-format.md: rejected > duplicate > flagged > clean.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from bank.models import Blueprint, Flaw, Item
from bank.notes import NoteSet
from validators.detector import Detector, DuplicateRef, ExactDetector
from validators.enemies import ENEMY, enemy_flaws
from validators.flaws import RULES, check_flaws
from validators.notes_checks import CODE as DISTRACTOR_TRUE_IN_NOTES
from validators.notes_checks import distractor_true_in_notes
from validators.option_checks import MIXED, OFF_TOPIC, mixed_options, off_topic_distractor

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

    def routed(self, now: datetime | None = None) -> list[Item]:
        """Items as they go to the bank: survivors to review with their flaws, the rest rejected.

        A fuzzy duplicate (no exact match, similarity under REJECT_SIMILARITY) is not thrown
        away: it goes to a reviewer flagged `possible_duplicate`, who sees both side by side.
        With `now`, every item is marked checked then (by CHECKS_VERSION).
        """
        out = []
        stamp = checked_stamp(now)
        for v in self.verdicts:
            if v.item is None:
                continue
            if v.status in ("clean", "flagged") or possible_duplicate(v):
                flaws = v.flaws + duplicate_flaws(v.duplicates)
                out.append(
                    v.item.model_copy(update={"status": "pending_review", "flaws": flaws, **stamp})
                )
            else:
                reasons = v.errors + [
                    f"duplicate of {d.of} ({d.kind}, {d.similarity:.2f})" for d in v.duplicates
                ]
                out.append(
                    v.item.model_copy(
                        update={"status": "rejected", "flaws": v.flaws, "reasons": reasons, **stamp}
                    )
                )
        return out

    def checked(self, now: datetime) -> list[Item]:
        """The items as checked now, their status kept: flaws with near-duplicates added.

        For items a person brought in (an import, an edit): nothing is rejected for a near
        match; the reviewer sees it flagged `possible_duplicate` beside the other item.
        """
        stamp = checked_stamp(now)
        return [
            v.item.model_copy(update={"flaws": v.flaws + duplicate_flaws(v.duplicates), **stamp})
            for v in self.verdicts
            if v.item is not None
        ]


CHECKS_VERSION = "2026.12.1"
"""The version of the checks; bump it when a rule, a threshold or a check changes, so that
`review revalidate` finds the items checked by an older version."""
POSSIBLE_DUPLICATE = "possible_duplicate"


OPTION_CHECKS = (OFF_TOPIC, MIXED, DISTRACTOR_TRUE_IN_NOTES)
"""Checks of the options beyond the spec's rules (validators.option_checks, notes_checks)."""
RECOMPUTED = frozenset({*RULES, *OPTION_CHECKS, "ungrounded", POSSIBLE_DUPLICATE, ENEMY})
"""Codes the checks compute afresh: an item's old findings of these are dropped first."""


def checked_stamp(now: datetime | None) -> dict[str, Any]:
    """The fields that mark an item checked at `now` (none when `now` is None)."""
    return {} if now is None else {"checked_at": now, "checks_version": CHECKS_VERSION}


def duplicate_flaws(duplicates: list[DuplicateRef]) -> list[Flaw]:
    """A `possible_duplicate` flaw per near-duplicate, naming the other item."""
    return [
        Flaw(
            code=POSSIBLE_DUPLICATE, where="stem", evidence=f"{d.of} ({d.kind} {d.similarity:.2f})"
        )
        for d in duplicates
    ]


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


def siblings(item: Item, other: Item | None) -> bool:
    """Two instances of one item model in different situations: not duplicates.

    An item model asks one question of many situations (other figures, other dates, other
    options); its instances share an enemy group, which keeps them apart on forms, and a
    bank wants several of them. Only instances alike in key, options and figures (the
    names aside) are duplicates, and the detector's verdict stands for those.
    """
    return (
        other is not None
        and item.enemy_group is not None
        and item.enemy_group == other.enemy_group
        and item.situation() != other.situation()
    )


def status_of(errors: list[str], duplicates: list[DuplicateRef], flaws: list[Flaw]) -> Status:
    """The status by precedence: rejected > duplicate > flagged > clean."""
    if errors:
        return "rejected"
    if duplicates:
        return "duplicate"
    return "flagged" if flaws else "clean"


def item_flaws(item: Item, notes: NoteSet | None = None) -> list[Flaw]:
    """Rule and option-check flaws of an item, plus what its cited notes show.

    With `notes`: `distractor_true_in_notes` for an item citing notes, and `ungrounded`
    when a generated item's quote is not in its note. Rule and check flaws are
    recomputed; flaws the checks do not compute (a generator's or a judge's, e.g.
    echoes_instructions, more_than_one_correct) travel with the item and are kept.
    """
    options = list(item.options)
    flaws = check_flaws(item.stem, options, item.answer)
    flaws += off_topic_distractor(item.stem, options, item.answer)
    flaws += mixed_options(item.stem, options, item.answer)
    flaws += [f for f in item.flaws if f.code not in RECOMPUTED and f not in flaws]
    if notes is not None and item.sources:
        flaws.extend(distractor_true_in_notes(item, notes))
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
    recent: list[Item] | None = None,
    check_enemies: bool = True,
) -> BatchReport:
    """One verdict per item, in order; duplicates within the batch point at the earlier item.

    `recent` are items stored since `bank` was read (earlier domains of the same run): they
    are compared in a second, small pass, so the detector keeps its index of `bank`.
    """
    labels = labels or [it.id for it in items]
    enemies = enemy_flaws(items, bank or []) if check_enemies else [[] for _ in items]
    finder = detector or ExactDetector()
    dups = finder.find(items, bank or [], labels)
    if recent:
        later = finder.find(items, recent, labels)
        dups = [
            found + [r for r in more if r.of not in {f.of for f in found}]
            for found, more in zip(dups, later, strict=True)
        ]
    known = {it.id: it for it in [*(bank or []), *(recent or [])]}
    known.update(zip(labels, items, strict=True))
    dups = [
        [d for d in found if not siblings(item, known.get(d.of))]
        for item, found in zip(items, dups, strict=True)
    ]
    verdicts = []
    for item, found, enemy in zip(items, dups, enemies, strict=True):
        errors = [] if blueprint.domain(item.domain) else [f"unknown domain {item.domain}"]
        flaws = item_flaws(item, notes) + enemy
        verdicts.append(Verdict(item, status_of(errors, found, flaws), errors, flaws, found))
    return BatchReport(verdicts)
