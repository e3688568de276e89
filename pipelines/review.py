"""Review use cases: the next item with its near-duplicates, decisions, edits, assignment.

The CLI and the web call these; each decision is one short write that appends the
review event with the item's new state (validators.review holds the pure rules).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bank.errors import StateError
from bank.models import Blueprint, Item
from bank.store import Store
from bank.store.access import BankAccess
from validators.detector import Detector, DuplicateRef, near_duplicates
from validators.review import Decision, agreement, apply_edit, decide

POOL_STATUSES = ["approved", "pending_review"]


def comparison_pool(store: Store, item: Item) -> list[Item]:
    """The bank items an item's near-duplicates are sought among (its domain, live items)."""
    return [
        i for i in store.find_items(domain=item.domain, statuses=POOL_STATUSES) if i.id != item.id
    ]


@dataclass(frozen=True)
class QueuedItem:
    """An item waiting for review, and the bank items it nearly duplicates."""

    item: Item
    near: list[tuple[Item, DuplicateRef]]


def next_for_review(
    bank: BankAccess, detector: Detector, *, domain: int | None = None, reviewer: str | None = None
) -> QueuedItem | None:
    """The next queued item (a reviewer's assigned items first) with its near-duplicates."""
    with bank.read() as store:
        queue = store.review_queue(domain=domain, reviewer=reviewer, limit=1)
        if not queue:
            return None
        item = queue[0]
        others = comparison_pool(store, item)
    return QueuedItem(item, near_duplicates(detector, item, others))


def check_unchanged(item: Item, seen_hash: str | None) -> None:
    """Refuse a decision on an item edited since the reviewer opened it."""
    if seen_hash and seen_hash != item.content_hash:
        raise StateError(
            f"{item.id} changed since you opened it (someone edited it): review the new version"
        )


def decide_in(
    store: Store,
    item_id: str,
    reviewer: str,
    decision: str,
    now: datetime,
    *,
    reason: str | None = None,
    note: str | None = None,
    double: bool = False,
    seen_hash: str | None = None,
) -> Decision:
    """Approve or reject an item inside an open write, appending its review event."""
    item = store.get_item(item_id)
    check_unchanged(item, seen_hash)
    outcome = decide(
        item,
        reviewer,
        decision,
        now,
        reason=reason,
        note=note,
        double=double,
        history=store.events(item_id),
    )
    store.update_item(outcome.item, outcome.event)
    return outcome


def decide_item(
    bank: BankAccess,
    item_id: str,
    reviewer: str,
    decision: str,
    now: datetime,
    **options: Any,
) -> Decision:
    """Approve or reject a queued item in one short write (options: see `decide_in`)."""
    with bank.write() as store:
        return decide_in(store, item_id, reviewer, decision, now, **options)


def edit_in(
    store: Store,
    item_id: str,
    patch: dict[str, Any],
    blueprint: Blueprint,
    reviewer: str,
    now: datetime,
    *,
    seen_hash: str | None = None,
) -> Decision:
    """Apply an edit inside an open write; the edit is re-validated before it is stored."""
    item = store.get_item(item_id)
    check_unchanged(item, seen_hash)
    outcome = apply_edit(item, patch, blueprint, reviewer, now)
    store.update_item(outcome.item, outcome.event)
    return outcome


def edit_item(
    bank: BankAccess,
    item_id: str,
    patch: dict[str, Any],
    blueprint: Blueprint,
    reviewer: str,
    now: datetime,
) -> Decision:
    """Edit a queued item in one short write."""
    with bank.write() as store:
        return edit_in(store, item_id, patch, blueprint, reviewer, now)


def assign_items(
    bank: BankAccess,
    reviewer: str,
    count: int,
    now: datetime,
    by: str,
    *,
    domain: int | None = None,
) -> int:
    """Assign up to `count` unassigned queued items (oldest first) to a reviewer."""
    with bank.write() as store:
        ids = [
            i.id
            for i in store.review_queue(domain=domain, reviewer=None, limit=10**6)
            if store.assignee(i.id) is None
        ][:count]
        return store.assign(ids, reviewer, now, by)


def review_stats(bank: BankAccess) -> dict[str, Any]:
    """Decisions per reviewer, reject reasons, the queue's length and pairwise agreement."""
    with bank.read() as store:
        events = store.events()
        pending = sum(
            n for (_, s), n in store.counts_by_domain_status().items() if s == "pending_review"
        )
    decisions = Counter((e.reviewer, e.decision) for e in events)
    return {
        "pending": pending,
        "reviewers": {
            r: {d: n for (rr, d), n in decisions.items() if rr == r}
            for r in sorted({r for r, _ in decisions})
        },
        "reject_reasons": dict(Counter(e.reason for e in events if e.decision == "reject")),
        "agreement": agreement(events),
    }
