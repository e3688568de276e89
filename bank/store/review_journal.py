"""The review side of a server's replica: reviewer reads from the copy, decisions journaled.

The web app serves every reviewer page (queue, item, dashboard, audit trail, assignments,
sessions) from the replica's in-memory copy, so a page never waits on another process
that holds the bank. A decision (approve, reject, reopen, assign) is a journal record of
kind "decision": the item as decided, its review event, the event's id and the session it
was made in. When the record reaches the bank (`apply_review_record`):

- an event id the bank holds already is skipped (a replay writes nothing twice);
- a session the bank no longer honours (signed out, token rotated, reviewer removed)
  records nothing;
- an item the bank holds in another state than the event's `before` (another process
  changed it meanwhile) is not overwritten: a `requeue` event with reason "conflict"
  records what was not applied, and the item goes back to the queue.

Sign-out is a journal record of kind "reviewer_session" that raises the reviewer's
session generation.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from bank.errors import BankBusyError, NotFoundError
from bank.models import Item, ReviewEvent
from bank.store.reviews import VOIDING, ReviewerRecord
from bank.store.store import Store

DECISION = "decision"
REVIEWER_SESSION = "reviewer_session"
STATE_FIELDS = {"status", "stem", "options", "answer", "rationale", "topic", "domain", "flaws"}
"""What a review event records of an item (validators.review.snapshot): its version."""
CONFLICT = "conflict"


def item_state(item: Item) -> dict[str, Any]:
    """An item's version as review events record it in `before` and `after`."""
    state: dict[str, Any] = json.loads(item.model_dump_json(include=STATE_FIELDS))
    return state


def voted_on(events: Sequence[ReviewEvent], reviewer: str) -> bool:
    """Whether a reviewer's vote on an item stands (not taken back by their own reopen)."""
    for i, e in enumerate(events):
        if e.reviewer != reviewer or e.decision not in ("approve", "reject"):
            continue
        after = events[i + 1] if i + 1 < len(events) else None
        if not (after and after.decision in VOIDING and after.reviewer == reviewer):
            return True
    return False


@dataclass
class ReviewCopy:
    """The review state a replica serves: events, assignments and reviewers."""

    events: list[ReviewEvent] = field(default_factory=list)
    by_item: dict[str, list[ReviewEvent]] = field(default_factory=dict)
    assignments: dict[str, str] = field(default_factory=dict)
    reviewers: dict[str, ReviewerRecord] = field(default_factory=dict)
    event_ids: set[str] = field(default_factory=set)

    def add_event(self, event: ReviewEvent, event_id: str | None = None) -> bool:
        """Append an event (once per id); False when its id was seen already."""
        if event_id is not None:
            if event_id in self.event_ids:
                return False
            self.event_ids.add(event_id)
        self.events.append(event)
        self.by_item.setdefault(event.item_id, []).append(event)
        return True

    def apply(self, kind: str, body: dict[str, Any], items: dict[str, Item]) -> None:
        """Lay one journaled review record on the copy."""
        if kind == REVIEWER_SESSION:
            held = self.reviewers.get(body["reviewer"])
            if held is not None and held.generation < int(body["generation"]):
                self.reviewers[held.name] = replace(held, generation=int(body["generation"]))
            return
        event = ReviewEvent.model_validate(body["event"])
        if not self.add_event(event, body["event_id"]):
            return
        item = items.get(event.item_id)
        if body.get("assign_to") and item is not None and item.status == "pending_review":
            self.assignments[event.item_id] = body["assign_to"]
        if body.get("item") is not None:
            items[event.item_id] = Item.model_validate(body["item"])


def load_reviews(store: Store) -> ReviewCopy:
    """The review state of a bank, read in the caller's connection."""
    copy = ReviewCopy(
        assignments=store.assignments(),
        reviewers={r.name: r for r in store.reviewer_records()},
    )
    for event in store.events():
        copy.add_event(event)
    return copy


def _session_honoured(store: Store, session: dict[str, Any] | None) -> bool:
    if session is None:  # a decision not made through a signed-in session (a tool)
        return True
    held = {r.name: r for r in store.reviewer_records()}.get(session["reviewer"])
    return (
        held is not None
        and held.token_hash == session["token_hash"]
        and held.generation == int(session["generation"])
    )


def apply_review_record(store: Store, kind: str, body: dict[str, Any]) -> bool:
    """Write one journaled review record into the bank (inside the caller's transaction).

    Returns:
        True when the bank now holds it as journaled; False when it was refused (a
        session that has ended) or recorded as a conflict: the caller reloads its copy.
    """
    if kind == REVIEWER_SESSION:
        store.end_sessions(body["reviewer"], int(body["generation"]))
        return True
    event_id = body["event_id"]
    if store.held_event_ids([event_id]):
        return True
    if not _session_honoured(store, body.get("session")):
        return False
    event = ReviewEvent.model_validate(body["event"])
    try:
        current = store.get_item(event.item_id)
    except NotFoundError:
        return False
    if body.get("assign_to"):
        return store.assign_item(event.item_id, body["assign_to"], event, event_id)
    if event.before is not None and item_state(current) != event.before:
        store.update_item(*conflict(current, event), event_id=event_id)
        return False
    store.update_item(Item.model_validate(body["item"]), event, event_id=event_id)
    return True


def conflict(current: Item, event: ReviewEvent) -> tuple[Item, ReviewEvent]:
    """The bank's item back in the queue, and the event that says which decision was lost."""
    requeued = current.model_copy(update={"status": "pending_review"})
    note = (
        f"{event.decision} by {event.reviewer} at {event.at:%Y-%m-%d %H:%M} not applied: "
        "the item changed in the bank meanwhile (another process); review it again"
    )
    record = ReviewEvent(
        item_id=current.id,
        reviewer=event.reviewer,
        at=event.at,
        decision="requeue",
        reason=CONFLICT,
        note=note,
        before=item_state(current),
        after=item_state(requeued),
    )
    return requeued, record


class _ReviewState(Protocol):
    items: dict[str, Item]
    reviews: ReviewCopy


class ReviewReplica:
    """The replica's reviewer reads and journaled decisions (mixed into `Replica`).

    The methods keep the names and behaviour of `Store`'s (bank.store.reviews, items).
    """

    _copy: _ReviewState
    journal: Any
    bank: Any
    _lock: Any

    _flushing: Any

    def _flush(self, bank: Any) -> int:  # Replica's: the flush, its lock held
        """Move journaled writes into the bank through `bank`."""
        raise NotImplementedError

    # ---- reads ----------------------------------------------------------------------------
    def review_queue(
        self, *, domain: int | None = None, reviewer: str | None = None, limit: int = 50
    ) -> list[Item]:
        """Pending items for a reviewer: assigned to them first, then unassigned, oldest first.

        Items the reviewer already voted on are left for someone else, unless the reviewer
        took the vote back (their own reopen right after it).
        """
        copy = self._copy
        assigned: list[Item] = []
        free: list[Item] = []
        for it in copy.items.values():
            if it.status != "pending_review" or (domain is not None and it.domain != domain):
                continue
            owner = copy.reviews.assignments.get(it.id)
            if owner is not None and reviewer is not None and owner != reviewer:
                continue
            if reviewer and voted_on(copy.reviews.by_item.get(it.id, []), reviewer):
                continue
            (free if owner is None else assigned).append(it)
        return (assigned + free)[: int(limit)]

    def assignee(self, item_id: str) -> str | None:
        """Who the item is assigned to (None when unassigned or not in the bank)."""
        return self._copy.reviews.assignments.get(item_id)

    def assignments(self) -> dict[str, str]:
        """Who each assigned item is assigned to, by item id."""
        return dict(self._copy.reviews.assignments)

    def events(self, item_id: str | None = None) -> list[ReviewEvent]:
        """Review events in the order they were recorded, of one item or of all."""
        reviews = self._copy.reviews
        return list(reviews.events if item_id is None else reviews.by_item.get(item_id, []))

    def reviewers(self) -> list[str]:
        """Every reviewer's name, sorted."""
        return sorted(self._copy.reviews.reviewers)

    def reviewer_record(self, name: str) -> ReviewerRecord | None:
        """A reviewer's token hash and session generation, or None."""
        return self._copy.reviews.reviewers.get(name)

    def reviewer_for_token_hash(self, token_hash: str) -> str | None:
        """The reviewer whose token has this hash, or None."""
        for r in self._copy.reviews.reviewers.values():
            if r.token_hash == token_hash:
                return r.name
        return None

    def counts_by_domain_status(self) -> dict[tuple[int, str], int]:
        """How many items each (domain, status) holds."""
        counts: dict[tuple[int, str], int] = {}
        for it in self._copy.items.values():
            counts[(it.domain, it.status)] = counts.get((it.domain, it.status), 0) + 1
        return counts

    # ---- writes ---------------------------------------------------------------------------
    def record_decision(
        self,
        item: Item | None,
        event: ReviewEvent,
        *,
        session: dict[str, Any] | None = None,
        assign_to: str | None = None,
    ) -> str:
        """Journal a decision (durably) and show it at once; returns its event id.

        `item` is the item as decided (None for an assignment, which changes only who
        holds it); `session` the reviewer's session, re-checked when it reaches the bank.
        """
        event_id = uuid.uuid4().hex
        body = {
            "event_id": event_id,
            "event": event.model_dump(mode="json"),
            "item": None if item is None else item.model_dump(mode="json"),
            "session": session,
            "assign_to": assign_to,
        }
        with self._lock:
            self._due_until = time.monotonic() + 1.0  # its request flushes it (`try_flush`)
            self.journal.append(DECISION, f"{DECISION}|{event_id}", body)
            self._copy.reviews.apply(DECISION, body, self._copy.items)
        return event_id

    def end_reviewer_sessions(self, name: str, generation: int) -> None:
        """Journal a sign-out: the reviewer's sessions before `generation` end everywhere."""
        body = {"reviewer": name, "generation": int(generation)}
        with self._lock:
            self.journal.append(REVIEWER_SESSION, f"{REVIEWER_SESSION}|{name}|{generation}", body)
            self._copy.reviews.apply(REVIEWER_SESSION, body, self._copy.items)

    def note_written(self, item: Item, event: ReviewEvent) -> None:
        """Show a change this process wrote straight to the bank (an edit) before the reload."""
        with self._lock:
            self._copy.items[item.id] = item
            self._copy.reviews.add_event(event)

    def try_flush(self) -> bool:
        """Move journaled writes into the bank now, if that waits for nothing.

        Run by a request that journaled a decision: it never waits for another process's
        lock, nor for this process's own flush or connection in progress (the sync thread,
        which leaves a decision to its request meanwhile, moves it on its next turn).
        Returns False when it could not: the writes wait in the journal.
        """
        from bank.store.access import _serial_lock

        try:
            if not self._flushing.acquire(blocking=False):
                return False
            try:
                serial = _serial_lock(self.bank.path.resolve())
                if not serial.acquire(blocking=False):
                    return False
                try:
                    self._flush(replace(self.bank, lock_wait=0.0))
                except BankBusyError:
                    return False
                finally:
                    serial.release()
            finally:
                self._flushing.release()
            return True
        finally:
            self._due_until = 0.0

    _due_until: float = 0.0  # time.monotonic() until which a request flushes its decision

    @property
    def decision_due(self) -> bool:
        """A request journaled a decision and is about to flush it: the sync thread waits.

        For a second at most, so a request that failed before its flush stalls nothing.
        """
        return time.monotonic() < self._due_until


class SessionBook:
    """Decisions of one signed-in session, journaled in a server's replica.

    Reads come from the replica's copy; each decision is journaled with the session, so
    a session that ended before its decision reached the bank records nothing.
    """

    def __init__(self, replica: ReviewReplica, session: dict[str, Any]) -> None:
        self.replica = replica
        self.session = session

    def get_item(self, item_id: str) -> Item:
        """The item with this id, as the replica holds it.

        Raises:
            NotFoundError: no such item.
        """
        found = self.replica._copy.items.get(item_id)
        if found is None:
            raise NotFoundError(f"no item {item_id!r} in the bank")
        return found

    def events(self, item_id: str | None = None) -> list[ReviewEvent]:
        """Review events in the order they were recorded."""
        return self.replica.events(item_id)

    def update_item(self, item: Item, event: ReviewEvent) -> None:
        """Journal the item as decided with its event."""
        self.replica.record_decision(item, event, session=self.session)

    def assign_item(self, item_id: str, reviewer: str, event: ReviewEvent) -> bool:
        """Journal an assignment of a pending item; False when it is not pending."""
        item = self.replica._copy.items.get(item_id)
        if item is None or item.status != "pending_review":
            return False
        self.replica.record_decision(None, event, session=self.session, assign_to=reviewer)
        return True
