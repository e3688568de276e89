"""The bank as a server process sees it: an in-memory copy, with writes journaled.

A server (the web app) answers from `Replica`: reads never open the DuckDB file, so they
never wait on another process (a nightly flow) that holds it. Writes go to the journal
(`bank.store.journal`, durable when the call returns) and into the copy at once, so the
next read sees them; `sync` (a background thread of the server) moves journaled writes
into the bank in one short transaction when the file is free, and loads the bank again
when another process changed it, with the writes still journaled laid on top.

The replica offers the `Store` methods the learner use cases call (see
`bank.store.protocols.LearnerStore`); they behave like the store's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from bank.errors import BankBusyError, NotFoundError
from bank.models import Blueprint, Item, Learner, Response
from bank.store.access import BankFile, file_stamp
from bank.store.journal import Journal, JournalRecord
from bank.store.review_journal import (
    DECISION,
    REVIEWER_SESSION,
    ReviewCopy,
    ReviewReplica,
    apply_review_record,
    load_reviews,
)
from bank.store.store import Store

RESPONSE, PLAN, LEARNER = "response", "plan", "learner"
SESSION = "session"  # a practice session record: upserted by id, the newest revision wins


def response_key(r: Response) -> str:
    """What makes a response one answer: learner, item and the moment it was given."""
    return f"{RESPONSE}|{r.learner_id}|{r.item_id}|{r.answered_at.astimezone(UTC).isoformat()}"


@dataclass
class _Copy:
    """Everything the replica serves, as of one load plus the journal."""

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
        latest = self.plans.get(learner_id)
        if latest is None or (made, plan_id) >= (latest[0], latest[1]):
            self.plans[learner_id] = (made, plan_id, body)

    def add_session(self, record: dict[str, Any]) -> None:
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


def _load(store: Store) -> _Copy:
    copy = _Copy()
    copy.items = {it.id: it for it in store.find_items()}
    copy.learners = {lr.id: lr for lr in store.learners()}
    copy.tokens = store.learner_token_hashes()
    for r in store.responses():
        copy.add_response(r)
    for learner_id, (made, plan_id, body) in store.latest_plans().items():
        copy.plans[learner_id] = (made, plan_id, body)
    copy.learner_model = store.learner_model()
    copy.blueprint = store.active_blueprint()
    for session in store.practice_sessions():
        copy.add_session(session)
    copy.reviews = load_reviews(store)
    return copy


def apply_to_bank(store: Store, records: Sequence[JournalRecord]) -> int:
    """Write journaled records into the bank in one transaction; repeats change nothing.

    Returns:
        How many decisions the bank did not take as journaled (an ended session, or a
        conflict with another process's change): the replica's copy must be reloaded.
    """
    declined = 0
    responses = [Response.model_validate(r.body) for r in records if r.kind == RESPONSE]
    with store.transaction():
        store.save_responses(responses)
        for r in records:
            if r.kind == PLAN:
                made = datetime.fromisoformat(r.body["created_at"])
                store.save_plan(r.body["id"], r.body["learner_id"], r.body["body"], now=made)
            elif r.kind == LEARNER:
                learner = Learner.model_validate(r.body)
                store.update_learner(learner, learner.updated_at)
            elif r.kind in (DECISION, REVIEWER_SESSION):  # in journal order: see review_journal
                declined += not apply_review_record(store, r.kind, r.body)
        store.save_practice_sessions([r.body for r in records if r.kind == SESSION])
    return declined


class Replica(ReviewReplica):
    """An in-memory copy of one bank file for a long-running server process.

    Attributes:
        bank: the bank file (its `lock_wait` bounds how long `sync` waits for it).
        journal: where writes wait for the bank.
    """

    _copy: _Copy

    def __init__(self, bank: BankFile, journal: Journal) -> None:
        self.bank = bank
        self.journal = journal
        self._lock = threading.RLock()
        self._flushing = threading.Lock()
        self._copy = _Copy()
        self._seen: tuple[int, int, int, int] | None = None
        self.last_sync: datetime | None = None
        self.last_error: str | None = None

    # ---- keeping the copy and the bank in step ------------------------------------------
    def load(self) -> None:
        """Read the whole bank (one read), then lay the journal's writes on top."""
        with self.bank.read() as store:
            fresh = _load(store)
        with self._lock:
            for record in self.journal.pending():
                fresh.apply(record)
            self._copy = fresh
            self._seen = file_stamp(self.bank.path)

    def flush(self, bank: BankFile | None = None) -> int:
        """Move journaled writes into the bank (one short write); how many were moved.

        `bank` opens the file another way (`try_flush`: without waiting).

        Raises:
            BankBusyError: another process held the bank longer than `bank.lock_wait`.
        """
        with self._flushing:  # one flush at a time: a record is applied by one of them
            return self._flush(bank or self.bank)

    def _flush(self, bank: BankFile) -> int:
        records = self.journal.pending(limit=5000)
        if not records:
            return 0
        with bank.write() as store:
            # While we hold the file nobody else writes it: a stamp unlike the one we saw
            # last means another process wrote it before, and the copy must be reloaded.
            others = file_stamp(self.bank.path) != self._seen
            # A decision the bank declined is shown in the copy: reload it too.
            others = apply_to_bank(store, records) > 0 or others
        with self._lock:
            self._seen = None if others else file_stamp(self.bank.path)
        self.journal.done([r.seq for r in records])
        return len(records)

    def sync(self) -> bool:
        """Flush what is journaled; reload if another process wrote the bank since.

        Returns False (and keeps everything journaled) when the bank was busy.
        """
        try:
            while self.flush():
                pass
            if file_stamp(self.bank.path) != self._seen:
                self.load()
        except BankBusyError as exc:
            self.last_error = str(exc)
            return False
        self.last_sync = datetime.now(UTC)
        self.last_error = None
        return True

    # ---- reads: the Store methods the learner use cases call -----------------------------
    def get_learner(self, learner_id: str) -> Learner:
        """The learner with this id.

        Raises:
            NotFoundError: the bank holds no such learner.
        """
        found = self._copy.learners.get(learner_id)
        if found is None:
            raise NotFoundError(f"no learner {learner_id!r} in the bank {self.bank.path}")
        return found

    def learners(self) -> list[Learner]:
        """Every learner, by id."""
        return sorted(self._copy.learners.values(), key=lambda lr: lr.id)

    def learner_for_token_hash(self, token_hash: str) -> str | None:
        """The id of the learner whose token has this hash, or None."""
        return self._copy.tokens.get(token_hash)

    def responses(self, learner_id: str | None = None) -> list[Response]:
        """Responses in the order they were answered, of one learner or of all."""
        with self._lock:
            if learner_id is not None:
                return list(self._copy.responses.get(learner_id, []))
            everyone = [r for rs in self._copy.responses.values() for r in rs]
        return sorted(everyone, key=lambda r: r.answered_at)

    def get_item(self, item_id: str) -> Item:
        """The item with this id.

        Raises:
            NotFoundError: the bank holds no such item.
        """
        found = self._copy.items.get(item_id)
        if found is None:
            raise NotFoundError(f"no item {item_id!r} in the bank {self.bank.path}")
        return found

    def find_items(
        self,
        *,
        domain: int | None = None,
        statuses: Iterable[str] | None = None,
        ids: Iterable[str] | None = None,
        assigned_to: str | None = None,
        limit: int | None = None,
    ) -> list[Item]:
        """Items filtered by domain, statuses, ids and assignee, in the bank's order."""
        wanted = set(statuses) if statuses is not None else None
        chosen = set(ids) if ids is not None else None
        owners = self._copy.reviews.assignments
        found = [
            it
            for it in self._copy.items.values()
            if (domain is None or it.domain == domain)
            and (wanted is None or it.status in wanted)
            and (chosen is None or it.id in chosen)
            and (assigned_to is None or owners.get(it.id) == assigned_to)
        ]
        return found if limit is None else found[: int(limit)]

    def latest_plan(self, learner_id: str) -> tuple[datetime, dict[str, Any]] | None:
        """When the learner's newest plan was made, and its body; None when they have none."""
        found = self._copy.plans.get(learner_id)
        return (found[0], found[2]) if found else None

    def learner_model(self) -> dict[str, Any] | None:
        """The stored learner model's body, or None before the first fit."""
        return self._copy.learner_model

    def active_blueprint(self) -> Blueprint | None:
        """The bank's blueprint, or None when it has none."""
        return self._copy.blueprint

    # ---- writes: journaled, and visible at once --------------------------------------------
    def save_responses(self, responses: Sequence[Response]) -> int:
        """Journal responses (durably) and add them; an exact repeat is skipped.

        Returns:
            How many responses were new.
        """
        added = 0
        with self._lock:
            for r in responses:
                key = response_key(r)
                if key in self._copy.response_keys:
                    continue
                self.journal.append(RESPONSE, key, r.model_dump(mode="json"))
                self._copy.add_response(r)
                added += 1
        return added

    def save_plan(
        self, plan_id: str, learner_id: str, body: dict[str, Any], now: datetime | None = None
    ) -> None:
        """Journal a learner's new plan and make it their latest."""
        made = now or datetime.now(UTC)
        record = {"id": plan_id, "learner_id": learner_id, "created_at": made.isoformat()}
        with self._lock:
            self.journal.append(PLAN, f"{PLAN}|{plan_id}", {**record, "body": body})
            self._copy.add_plan(plan_id, learner_id, made, body)

    def update_learner(self, learner: Learner, now: datetime | None = None) -> None:
        """Journal a learner's new profile (an unknown id changes nothing)."""
        if learner.id not in self._copy.learners:
            return
        stamped = learner.model_copy(update={"updated_at": now or learner.updated_at})
        key = f"{LEARNER}|{learner.id}|{stamped.updated_at}"
        with self._lock:
            self.journal.append(LEARNER, key, stamped.model_dump(mode="json"))
            self._copy.learners[learner.id] = stamped

    # ---- practice sessions: records read and saved whole, newest revision wins ----------
    def practice_session(self, session_id: str) -> dict[str, Any] | None:
        """The session record with this id, or None."""
        return self._copy.sessions.get(session_id)

    def practice_sessions(self, learner_id: str | None = None) -> list[dict[str, Any]]:
        """Session records, oldest first, of one learner or of all."""
        with self._lock:
            copy = self._copy
            ids = copy.learner_sessions.get(learner_id, []) if learner_id else list(copy.sessions)
            found = [copy.sessions[i] for i in ids]
        return sorted(found, key=lambda r: (r["created_at"], r["id"]))

    def save_practice_session(self, record: dict[str, Any]) -> None:
        """Journal a session record (durably) and make it the one served.

        The journal's own lock orders the appends; the copy's lock is not held while the
        record goes to disk, so reads do not wait on it. The newest revision wins both in
        the copy and in the bank, whatever order two saves of one session land in.
        """
        key = f"{SESSION}|{record['id']}|{record['revision']}"
        self.journal.append(SESSION, key, record)
        with self._lock:
            self._copy.add_session(record)


class Syncer:
    """A daemon thread that keeps a replica and its bank in step every `interval` seconds."""

    def __init__(self, replica: Replica, interval: float = 0.25) -> None:
        self.replica = replica
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bank-sync", daemon=True)

    def start(self) -> None:
        """Start syncing in the background."""
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self.replica.decision_due:  # a request is flushing its own decision
                continue
            try:
                self.replica.sync()
            except Exception as exc:  # keep syncing; the journal still holds the writes
                self.replica.last_error = repr(exc)

    def stop(self) -> None:
        """Stop, then flush what is left (waiting for the bank as `lock_wait` allows)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.replica.sync()


if TYPE_CHECKING:  # mypy checks that both satisfy what the learner use cases call
    from bank.store.protocols import LearnerStore

    _replica: LearnerStore = Replica(BankFile(Path()), Journal(Path()))
    _store: LearnerStore = Store(cast(Any, None), Path())

    from bank.store.protocols import SessionStore

    _replica_sessions: SessionStore = Replica(BankFile(Path()), Journal(Path()))
    _store_sessions: SessionStore = Store(cast(Any, None), Path())
