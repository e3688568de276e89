"""Review use cases: the next item with its near-duplicates, decisions, edits, assignment.

The CLI and the web call these; each decision is one short write that appends the
review event with the item's new state (validators.review holds the pure rules). The
decision use cases take a `DecisionBook`: the `Store` inside an open write (the CLI), or
a web server's journaled replica (bank.store.review_journal.SessionBook).

Undo is an appended `reopen` event that puts the item back with its
previous status; the decision and its undo both stay in the audit trail.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol

from bank.errors import InputError, NotFoundError, StateError
from bank.models import Blueprint, Item, ReviewEvent
from bank.notes import NoteSet
from bank.store import Store
from bank.store.access import BankAccess
from pipelines.validation import recheck
from validators.detector import Detector, DuplicateRef, ExactDetector, near_duplicates
from validators.review import Decision, agreement, apply_edit, decide, snapshot

POOL_STATUSES = ["approved", "pending_review"]
REOPEN: Final = "reopen"  # an undo's decision (and the reason of undos recorded before it had one)


class DecisionBook(Protocol):
    """Where decisions are read and recorded: a `Store` in a write, or a server's replica."""

    def get_item(self, item_id: str) -> Item:
        """The item with this id (NotFoundError when unknown)."""
        ...

    def events(self, item_id: str | None = None) -> list[ReviewEvent]:
        """Review events in the order they were recorded."""
        ...

    def update_item(self, item: Item, event: ReviewEvent) -> None:
        """Store the item's new state with its event."""
        ...

    def assign_item(self, item_id: str, reviewer: str, event: ReviewEvent) -> bool:
        """Assign one pending item with this event; False when it is not pending."""
        ...


def is_undo(event: ReviewEvent) -> bool:
    """Whether an event is an undo: a `reopen`, or (older banks) a `requeue` with that reason."""
    return event.decision == REOPEN or (event.decision == "requeue" and event.reason == REOPEN)


def live_history(events: Sequence[ReviewEvent]) -> list[ReviewEvent]:
    """An item's events without the votes their reviewer took back (a reopen right after)."""
    out: list[ReviewEvent] = []
    for e in events:
        if (
            is_undo(e)
            and out
            and out[-1].reviewer == e.reviewer
            and out[-1].decision in ("approve", "reject")
        ):
            out.pop()
            continue
        out.append(e)
    return out


def done_since(events: Sequence[ReviewEvent], reviewer: str, since: datetime) -> int:
    """How many decisions a reviewer made since a moment (a session's start), undos deducted."""
    mine = [e for e in events if e.reviewer == reviewer and e.at >= since]
    made = sum(e.decision in ("approve", "reject") for e in mine)
    undone = sum(is_undo(e) for e in mine)
    return max(0, made - undone)


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
    store: DecisionBook,
    item_id: str,
    reviewer: str,
    decision: str,
    now: datetime,
    *,
    reason: str | None = None,
    note: str | None = None,
    double: bool = False,
    seen_hash: str | None = None,
    over: str | None = None,
) -> Decision:
    """Approve or reject an item inside an open write, appending its review event.

    `over` names the reviewer the item is assigned to when it is not `reviewer` (who was
    warned and decided anyway): the event's note records it.
    """
    item = store.get_item(item_id)
    check_unchanged(item, seen_hash)
    if over:
        note = f"decided over {over}'s assignment" + (f": {note}" if note else "")
    outcome = decide(
        item,
        reviewer,
        decision,
        now,
        reason=reason,
        note=note,
        double=double,
        history=live_history(store.events(item_id)),
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


def reopen_in(store: DecisionBook, item_id: str, reviewer: str, now: datetime) -> Decision:
    """Undo a reviewer's latest decision on an item: it goes back with its previous status.

    Raises:
        StateError: the item's latest event is not this reviewer's approve or reject, or
            the item changed since (someone else decided or edited it).
    """
    item = store.get_item(item_id)
    events = store.events(item_id)
    last = events[-1] if events else None
    if last is None or last.reviewer != reviewer or last.decision not in ("approve", "reject"):
        raise StateError(f"nothing of yours to undo on {item_id}: your decision was not the last")
    if last.after is not None and snapshot(item) != last.after:
        raise StateError(f"{item_id} changed after your decision: it cannot be undone")
    previous = (last.before or {}).get("status", "pending_review")
    reasons = list(item.reasons)
    if item.status == "rejected" and previous != "rejected" and reasons:
        reasons = reasons[:-1]  # the reason the reject added
    restored = item.model_copy(update={"status": previous, "reasons": reasons})
    event = ReviewEvent(
        item_id=item_id,
        reviewer=reviewer,
        at=now,
        decision=REOPEN,
        note=f"undo of {last.decision}",
        before=snapshot(item),
        after=snapshot(restored),
    )
    store.update_item(restored, event)
    return Decision(restored, event, final=False)


def assign_in(
    store: DecisionBook, item_ids: Sequence[str], reviewer: str, by: str, now: datetime
) -> list[str]:
    """Assign pending items to a reviewer, one event each; the ids assigned."""
    done = []
    for item_id in item_ids:
        event = ReviewEvent(
            item_id=item_id, reviewer=by, at=now, decision="assign", note=f"assigned to {reviewer}"
        )
        if store.assign_item(item_id, reviewer, event):
            done.append(item_id)
    return done


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk decision did: the items decided, and why the others were left."""

    decided: list[str]
    skipped: list[tuple[str, str]]


def decide_many(
    store: DecisionBook,
    item_ids: Sequence[str],
    reviewer: str,
    decision: str,
    now: datetime,
    **options: Any,
) -> BulkOutcome:
    """Approve or reject several items, one event each (options: see `decide_in`)."""
    decided, skipped = [], []
    for item_id in item_ids:
        try:
            decide_in(store, item_id, reviewer, decision, now, **options)
        except (StateError, InputError, NotFoundError) as exc:
            skipped.append((item_id, str(exc).split(" in the bank ")[0]))
        else:
            decided.append(item_id)
    return BulkOutcome(decided, skipped)


def edit_in(
    store: Store,
    item_id: str,
    patch: dict[str, Any],
    blueprint: Blueprint,
    reviewer: str,
    now: datetime,
    *,
    seen_hash: str | None = None,
    detector: Detector | None = None,
    notes: NoteSet | None = None,
) -> Decision:
    """Apply an edit inside an open write; the edit is re-validated before it is stored.

    The schema first (a bad edit stores nothing), then every check a new item gets: the
    flaw rules, grounding against its notes, near-duplicates and enemies among the live
    items of every domain.
    """
    item = store.get_item(item_id)
    check_unchanged(item, seen_hash)
    outcome = apply_edit(item, patch, blueprint, reviewer, now)
    pool = store.find_items(statuses=POOL_STATUSES)
    (checked,) = recheck(
        [outcome.item], pool, blueprint, notes=notes, detector=detector or ExactDetector(), now=now
    )
    event = outcome.event.model_copy(update={"after": snapshot(checked)})
    store.update_item(checked, event)
    return Decision(checked, event, outcome.final)


def edit_item(
    bank: BankAccess,
    item_id: str,
    patch: dict[str, Any],
    blueprint: Blueprint,
    reviewer: str,
    now: datetime,
    *,
    detector: Detector | None = None,
    notes: NoteSet | None = None,
) -> Decision:
    """Edit a queued item in one short write (re-validated: see `edit_in`)."""
    with bank.write() as store:
        return edit_in(
            store, item_id, patch, blueprint, reviewer, now, detector=detector, notes=notes
        )


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
