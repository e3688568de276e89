"""Validation use cases: check a file against the spec and the bank; recheck the bank."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bank.models import Blueprint, Item, ReviewEvent
from bank.notes import NoteSet
from bank.store.access import BankAccess
from pipelines.components import build_detector
from validators.detector import Detector
from validators.file_check import LineResult, validate_file
from validators.report import CHECKS_VERSION, validate_batch

POOL_STATUSES = ["approved", "pending_review"]


def validate_items_file(
    path: Path,
    blueprint: Blueprint,
    *,
    bank: BankAccess | None = None,
    mapping: dict[str, str] | None = None,
    default_domain: int | None = None,
) -> list[LineResult]:
    """One result per record of the file: schema, flaws and duplicates.

    Duplicates are sought inside the file and among the bank's approved and pending
    items (when a bank is given).
    """
    pool: list[Item] = []
    if bank is not None:
        with bank.read() as store:
            pool = store.find_items(statuses=POOL_STATUSES)
    return validate_file(
        path,
        blueprint,
        bank=pool,
        detector=build_detector(bank.path if bank is not None and pool else None),
        mapping=mapping,
        default_domain=default_domain,
    )


@dataclass
class Revalidation:
    """What `review revalidate` did: items checked, and those whose findings changed."""

    checked: int = 0
    changed: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    """(item id, codes found now but not before, codes found before but not now)."""
    never_checked: int = 0
    stale: int = 0
    """Items last checked by an older version of the checks."""


def recheck(
    items: list[Item],
    pool: list[Item],
    blueprint: Blueprint,
    *,
    notes: NoteSet | None,
    detector: Detector,
    now: datetime,
) -> list[Item]:
    """The items checked again, each against the live pool without itself."""
    ids = {it.id for it in items}
    others = [p for p in pool if p.id not in ids]
    return validate_batch(items, blueprint, bank=others, notes=notes, detector=detector).checked(
        now
    )


def revalidate(
    bank: BankAccess,
    blueprint: Blueprint,
    *,
    notes: NoteSet | None,
    detector: Detector,
    now: datetime,
    statuses: list[str] | None = None,
) -> Revalidation:
    """Check the bank's items again (after a rule change), storing what the checks find.

    Items whose flaw codes changed get an append-only review event ("flag", naming the
    codes added and dropped); their status stays as it is: a reviewer decides.
    """
    wanted = statuses or POOL_STATUSES
    with bank.read() as store:
        items = store.find_items(statuses=wanted)
        pool = store.find_items(statuses=POOL_STATUSES)
    report = Revalidation(
        never_checked=sum(1 for it in items if it.checked_at is None),
        stale=sum(
            1 for it in items if it.checked_at is not None and it.checks_version != CHECKS_VERSION
        ),
    )
    checked = recheck(items, pool, blueprint, notes=notes, detector=detector, now=now)
    before = {it.id: {f.code for f in it.flaws} for it in items}
    quiet: list[Item] = []
    loud: list[tuple[Item, str]] = []
    for item in checked:
        now_codes = {f.code for f in item.flaws}
        added, dropped = sorted(now_codes - before[item.id]), sorted(before[item.id] - now_codes)
        if added or dropped:
            report.changed.append((item.id, added, dropped))
            note = ", ".join([*(f"+{c}" for c in added), *(f"-{c}" for c in dropped)])
            loud.append((item, f"revalidated: {note}"))
        else:
            quiet.append(item)
    with bank.write() as store:
        store.save_checks(quiet)
        for item, note in loud:
            store.update_item(item, revalidation_event(item, note, now))
    report.checked = len(checked)
    return report


def revalidation_event(item: Item, note: str, now: datetime) -> ReviewEvent:
    """The audit-trail event of a revalidation that changed an item's findings."""
    return ReviewEvent(
        item_id=item.id,
        reviewer="checks",
        at=now,
        decision="flag",
        reason="revalidate",
        note=note,
        after={"flaws": [f.model_dump() for f in item.flaws]},
    )
