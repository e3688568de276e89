"""What a server's replica holds: the bank as last read (`BankImage`) and the copy it serves.

A `BankImage` is the bank's content as decoded objects, with a fingerprint of every part
(a row hash per item; a count and a sum of row hashes per learner's answers, plans and
sessions; one per small table). `read_image` reads the fingerprints first, in one short
read, and decodes again only the parts whose fingerprint changed since the last image:
after a flow wrote a few items or re-planned a few learners, a refresh decodes those rows
and nothing else, so the background thread never holds the GIL for long (a whole-bank
decode takes seconds on a loaded machine, and every request stalls behind it).

The copy the replica serves (`Copy`) is built from an image (shallow copies, so the image
stays the bank's state) with the journal's writes laid on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bank.models import Blueprint, Item, Learner, Response, ReviewEvent
from bank.store.base import from_json
from bank.store.journal import JournalRecord
from bank.store.review_journal import DECISION, REVIEWER_SESSION, ReviewCopy
from bank.store.sessions import _COLUMNS as SESSION_COLUMNS
from bank.store.sessions import _record as session_record
from bank.store.store import Store

RESPONSE, PLAN, LEARNER = "response", "plan", "learner"
SESSION = "session"  # a practice session record: upserted by id, the newest revision wins

Print = tuple[int, int]
"""A fingerprint: how many rows, and the sum of their hashes (any change of a row moves it)."""


def response_key(r: Response) -> str:
    """What makes a response one answer: learner, item and the moment it was given."""
    return f"{RESPONSE}|{r.learner_id}|{r.item_id}|{r.answered_at.astimezone(UTC).isoformat()}"


@dataclass
class Copy:
    """Everything the replica serves, as of one image plus the journal."""

    items: dict[str, Item] = field(default_factory=dict)
    learners: dict[str, Learner] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # token hash -> learner id
    responses: dict[str, list[Response]] = field(default_factory=dict)
    response_keys: set[str] = field(default_factory=set)
    plans: dict[str, tuple[datetime, str, dict[str, Any]]] = field(default_factory=dict)
    learner_model: dict[str, Any] | None = None
    blueprint: Blueprint | None = None
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    learner_sessions: dict[str, list[str]] = field(default_factory=dict)
    reviews: ReviewCopy = field(default_factory=ReviewCopy)  # reviewers' events and sessions

    def add_response(self, r: Response) -> bool:
        """Add one answer; False when it is held already (same learner, item and moment)."""
        key = response_key(r)
        if key in self.response_keys:
            return False
        self.response_keys.add(key)
        mine = self.responses.setdefault(r.learner_id, [])
        mine.append(r)
        if len(mine) > 1 and mine[-2].answered_at > r.answered_at:
            mine.sort(key=lambda x: x.answered_at)
        return True

    def add_plan(self, plan_id: str, learner_id: str, made: datetime, body: dict[str, Any]) -> None:
        """Make a plan the learner's latest unless a newer one is held."""
        latest = self.plans.get(learner_id)
        if latest is None or (made, plan_id) >= (latest[0], latest[1]):
            self.plans[learner_id] = (made, plan_id, body)

    def add_session(self, record: dict[str, Any]) -> None:
        """Hold a session record unless a newer revision of it is held."""
        held = self.sessions.get(record["id"])
        if held is not None and int(held["revision"]) > int(record["revision"]):
            return
        if held is None:
            self.learner_sessions.setdefault(record["learner_id"], []).append(record["id"])
        self.sessions[record["id"]] = record

    def apply(self, record: JournalRecord) -> None:
        """Lay one journaled write on the copy."""
        body = record.body
        if record.kind == RESPONSE:
            self.add_response(Response.model_validate(body))
        elif record.kind == PLAN:
            made = datetime.fromisoformat(body["created_at"])
            self.add_plan(body["id"], body["learner_id"], made, body["body"])
        elif record.kind == LEARNER:
            learner = Learner.model_validate(body)
            self.learners[learner.id] = learner
        elif record.kind == SESSION:
            self.add_session(body)
        elif record.kind in (DECISION, REVIEWER_SESSION):
            self.reviews.apply(record.kind, body, self.items)


@dataclass
class BankImage:
    """The bank's content as last read, and the fingerprints it was read at."""

    items: dict[str, Item] = field(default_factory=dict)  # in the bank's order
    item_hashes: dict[str, int] = field(default_factory=dict)
    learners: dict[str, Learner] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    responses: dict[str, list[Response]] = field(default_factory=dict)
    response_keys: dict[str, set[str]] = field(default_factory=dict)  # by learner
    plans: dict[str, tuple[datetime, str, dict[str, Any]]] = field(default_factory=dict)
    sessions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by learner
    learner_model: dict[str, Any] | None = None
    blueprint: Blueprint | None = None
    events: list[ReviewEvent] = field(default_factory=list)
    event_seq: int = 0  # the highest review_events.seq read
    assignments: dict[str, str] = field(default_factory=dict)
    reviewers: dict[str, Any] = field(default_factory=dict)
    prints: dict[str, Any] = field(default_factory=dict)  # part -> fingerprint
    decoded: dict[str, int] = field(default_factory=dict)  # rows decoded by the last read

    def copy(self) -> Copy:
        """A copy to serve: the image's content in fresh containers (the image stays as read)."""
        reviews = ReviewCopy(assignments=dict(self.assignments), reviewers=dict(self.reviewers))
        for event in self.events:
            reviews.add_event(event)
        sessions: dict[str, dict[str, Any]] = {}
        learner_sessions: dict[str, list[str]] = {}
        for learner_id, records in self.sessions.items():
            learner_sessions[learner_id] = [r["id"] for r in records]
            sessions.update((r["id"], r) for r in records)
        return Copy(
            items=dict(self.items),
            learners=dict(self.learners),
            tokens=dict(self.tokens),
            responses={lid: list(rs) for lid, rs in self.responses.items()},
            response_keys=set().union(*self.response_keys.values()),
            plans=dict(self.plans),
            learner_model=self.learner_model,
            blueprint=self.blueprint,
            sessions=sessions,
            learner_sessions=learner_sessions,
            reviews=reviews,
        )


def _by_learner(store: Store, table: str) -> dict[str, Print]:
    # `table` is one of this module's constants, never input.
    rows = store._q(f"SELECT learner_id, count(*), sum(hash(t)) FROM {table} t GROUP BY learner_id")
    return {lid: (int(n), int(h)) for lid, n, h in rows}


def _whole(store: Store, table: str, where: str = "TRUE") -> Print:
    row = store._one(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} t WHERE {where}")
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _changed(old: dict[str, Print], new: dict[str, Print]) -> list[str]:
    return [k for k in new.keys() | old.keys() if old.get(k) != new.get(k)]


def _items(store: Store, old: BankImage, new: BankImage) -> None:
    hashes = {
        i: int(h) for i, h in store._q("SELECT id, hash(t) FROM items t ORDER BY created_at, id")
    }
    stale = [i for i, h in hashes.items() if old.item_hashes.get(i) != h]
    fresh = {it.id: it for it in store.find_items(ids=stale)} if stale else {}
    new.items = {i: fresh[i] if i in fresh else old.items[i] for i in hashes}
    new.item_hashes = hashes
    new.decoded["items"] = len(fresh)


def _responses(store: Store, old: BankImage, new: BankImage) -> None:
    prints = _by_learner(store, "responses")
    stale = _changed(old.prints.get("responses", {}), prints)
    new.responses = {k: v for k, v in old.responses.items() if k in prints}
    new.response_keys = {k: v for k, v in old.response_keys.items() if k in prints}
    for learner_id in stale:
        new.responses.pop(learner_id, None)
        new.response_keys.pop(learner_id, None)
    if stale:
        rows = store._rows(
            "SELECT learner_id, item_id, answered_at, correct, chosen, seconds FROM responses "
            "WHERE list_contains(?, learner_id) ORDER BY answered_at",
            [stale],
        )
        for row in rows:
            r = Response(**row)
            new.responses.setdefault(r.learner_id, []).append(r)
            new.response_keys.setdefault(r.learner_id, set()).add(response_key(r))
        new.decoded["responses"] = len(rows)
    new.prints["responses"] = prints


def _plans(store: Store, old: BankImage, new: BankImage) -> None:
    prints = _by_learner(store, "plans")
    stale = _changed(old.prints.get("plans", {}), prints)
    new.plans = {k: v for k, v in old.plans.items() if k in prints and k not in stale}
    if stale:
        rows = store._q(
            "SELECT learner_id, created_at, id, body FROM plans WHERE list_contains(?, learner_id) "
            "QUALIFY row_number() OVER (PARTITION BY learner_id ORDER BY created_at DESC, id DESC)"
            " = 1",
            [stale],
        )
        new.plans.update({lid: (made, pid, from_json(b, {})) for lid, made, pid, b in rows})
        new.decoded["plans"] = len(rows)
    new.prints["plans"] = prints


def _sessions(store: Store, old: BankImage, new: BankImage) -> None:
    prints = _by_learner(store, "practice_sessions")
    stale = _changed(old.prints.get("sessions", {}), prints)
    new.sessions = {k: v for k, v in old.sessions.items() if k in prints and k not in stale}
    if stale:
        rows = store._rows(
            f"SELECT {SESSION_COLUMNS} FROM practice_sessions WHERE list_contains(?, learner_id) "
            "ORDER BY created_at, id",
            [stale],
        )
        for row in rows:
            new.sessions.setdefault(row["learner_id"], []).append(session_record(row))
        new.decoded["sessions"] = len(rows)
    new.prints["sessions"] = prints


def _events(store: Store, old: BankImage, new: BankImage) -> None:
    """Review events are appended (by seq): read the new ones unless older ones changed."""
    prefix = _whole(store, "review_events", f"seq <= {int(old.event_seq)}")
    since = old.event_seq if prefix == old.prints.get("events") else 0
    new.events = list(old.events) if since else []
    rows = store._rows(
        "SELECT seq, item_id, reviewer, decided_at AS at, decision, reason, note, before, after "
        "FROM review_events WHERE seq > ? ORDER BY seq",
        [since],
    )
    for r in rows:
        new.events.append(
            ReviewEvent(
                **{k: r[k] for k in ("item_id", "reviewer", "at", "decision", "reason", "note")},
                before=from_json(r["before"], None),
                after=from_json(r["after"], None),
            )
        )
    new.event_seq = int(rows[-1]["seq"]) if rows else since
    new.prints["events"] = _whole(store, "review_events", f"seq <= {new.event_seq}")
    new.decoded["events"] = len(rows)


def read_image(store: Store, old: BankImage | None = None) -> BankImage:
    """The bank's content, decoding again only what changed since `old` (all without it).

    Call it inside one read (or write) of the bank, so every part is of one moment.
    """
    old = old or BankImage()
    new = BankImage()
    _items(store, old, new)
    _responses(store, old, new)
    _plans(store, old, new)
    _sessions(store, old, new)
    _events(store, old, new)
    small = {
        "learners": _whole(store, "learners"),
        "meta": _whole(store, "meta"),
        "blueprints": _whole(store, "blueprints"),
        "reviewers": _whole(store, "reviewers"),
    }
    same = {k: old.prints.get(k) == v for k, v in small.items()}
    if same["learners"]:
        new.learners, new.tokens = old.learners, old.tokens
    else:
        new.learners = {lr.id: lr for lr in store.learners()}
        new.tokens = store.learner_token_hashes()
    if same["meta"] and same["blueprints"]:
        new.learner_model, new.blueprint = old.learner_model, old.blueprint
    else:
        new.learner_model = store.learner_model()
        new.blueprint = store.active_blueprint()
    if new.decoded["items"] or len(new.items) != len(old.items):
        new.assignments = store.assignments()
    else:
        new.assignments = old.assignments
    if same["reviewers"]:
        new.reviewers = old.reviewers
    else:
        new.reviewers = {r.name: r for r in store.reviewer_records()}
    new.prints.update(small)
    return new
