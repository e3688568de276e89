"""The bank as a server process sees it: an in-memory copy, with writes journaled.

A server (the web app) answers from `Replica`: reads never open the DuckDB file, so they
never wait on another process (a nightly flow) that holds it. Writes go to the journal
(`bank.store.journal`, durable when the call returns) and into the copy at once, so the
next read sees them; `sync` (a background thread of the server) moves journaled writes
into the bank in one short transaction when the file is free, and refreshes the copy
when another process changed it, decoding only the rows whose fingerprint moved
(`bank.store.replica_copy`), with the writes still journaled laid on top. An answer's
writes go to the journal together (`Replica.batch`: one transaction, group-committed with
other requests').

The replica offers the `Store` methods the learner use cases call (see
`bank.store.protocols.LearnerStore`); they behave like the store's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from bank.errors import BankBusyError, NotFoundError
from bank.models import Blueprint, Item, Learner, Response
from bank.store.access import BankFile, file_stamp
from bank.store.journal import Journal, JournalRecord
from bank.store.replica_copy import (
    LEARNER,
    PLAN,
    RESPONSE,
    SESSION,
    BankImage,
    Copy,
    read_image,
    response_key,
)
from bank.store.review_journal import (
    DECISION,
    REVIEWER_SESSION,
    ReviewReplica,
    apply_review_record,
)
from bank.store.store import Store

__all__ = ["LEARNER", "PLAN", "RESPONSE", "SESSION", "Replica", "Syncer", "response_key"]


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

    _copy: Copy

    def __init__(self, bank: BankFile, journal: Journal) -> None:
        self.bank = bank
        self.journal = journal
        self._lock = threading.RLock()
        self._flushing = threading.Lock()
        self._copy = Copy()
        self._image: BankImage | None = None
        self._seen: tuple[int, int, int, int] | None = None
        # Writes of open `batch` blocks: in the copy, not yet in the journal. A reload lays
        # them on the fresh copy too, so a learner never loses sight of their own answer.
        self._local = threading.local()
        self._inflight: dict[int, list[JournalRecord]] = {}  # by id of the list
        self.last_sync: datetime | None = None
        self.last_error: str | None = None
        self.last_refresh: dict[str, int] = {}  # rows the last refresh decoded, by part

    # ---- keeping the copy and the bank in step ------------------------------------------
    def load(self, *, full: bool = False) -> None:
        """Read the bank (one read), then lay the journal's writes on top.

        Only the parts whose fingerprint changed since the last load are decoded again
        (`bank.store.replica_copy.read_image`); `full` decodes everything.
        """
        with self.bank.read() as store:
            seen = file_stamp(self.bank.path)  # nobody writes while we read
            image = read_image(store, None if full else self._image)
        fresh = image.copy()  # new containers: built without holding up the requests
        journaled = self.journal.pending()  # decoded before the lock is taken: it can be long
        for record in journaled:
            fresh.apply(record)
        with self._lock:  # what was journaled meanwhile, and what requests hold in a batch
            for record in self.journal.pending(after=journaled[-1].seq if journaled else 0):
                fresh.apply(record)
            for records in self._inflight.values():
                for record in records:
                    fresh.apply(record)
            self._copy = fresh
            self._image = image
            self._seen = seen
        self.last_refresh = dict(image.decoded)

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
        for r in responses:
            key = response_key(r)
            if key in self._copy.response_keys:
                continue
            # A racing repeat is caught twice over: the journal ignores a held key, the
            # copy a held answer.
            self._write(RESPONSE, key, r.model_dump(mode="json"), partial(Copy.add_response, r=r))
            added += 1
        return added

    def save_plan(
        self, plan_id: str, learner_id: str, body: dict[str, Any], now: datetime | None = None
    ) -> None:
        """Journal a learner's new plan and make it their latest."""
        made = now or datetime.now(UTC)
        record = {"id": plan_id, "learner_id": learner_id, "created_at": made.isoformat()}
        self._write(
            PLAN,
            f"{PLAN}|{plan_id}",
            {**record, "body": body},
            lambda c: c.add_plan(plan_id, learner_id, made, body),
        )

    def update_learner(self, learner: Learner, now: datetime | None = None) -> None:
        """Journal a learner's new profile (an unknown id changes nothing)."""
        if learner.id not in self._copy.learners:
            return
        stamped = learner.model_copy(update={"updated_at": now or learner.updated_at})
        key = f"{LEARNER}|{learner.id}|{stamped.updated_at}"
        self._write(
            LEARNER,
            key,
            stamped.model_dump(mode="json"),
            lambda c: c.learners.__setitem__(learner.id, stamped),
        )

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

        The newest revision wins both in the copy and in the bank, whatever order two
        saves of one session land in.
        """
        key = f"{SESSION}|{record['id']}|{record['revision']}"
        self._write(SESSION, key, record, lambda c: c.add_session(record))

    # ---- how a write reaches the journal and the copy ------------------------------------
    def _write(self, kind: str, key: str, body: dict[str, Any], lay: Callable[[Copy], Any]) -> None:
        """Journal one write (or hold it for the open batch) and lay it on the copy.

        The copy's lock is not held while a record goes to disk, so reads never wait on an
        fsync; outside a batch the record is on disk before the copy shows it.
        """
        held: list[JournalRecord] | None = getattr(self._local, "records", None)
        if held is None:
            self.journal.append(kind, key, body)
            with self._lock:
                lay(self._copy)
            return
        with self._lock:
            held.append(JournalRecord(0, kind, key, body))
            lay(self._copy)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Journal this thread's writes in the block together: one transaction at its end.

        An answer is a response and its session's new record: one fsync instead of two,
        and the journal commits the batches of concurrent requests together (group
        commit). The writes are in the copy at once (the learner sees them), and on disk
        when the block is left, so before the request returns. Nested blocks join the
        outer one. Left by an exception, the writes made so far are journaled all the
        same: they are in the copy already, as they would be without a batch.
        """
        if getattr(self._local, "records", None) is not None:
            yield
            return
        records: list[JournalRecord] = []
        with self._lock:
            self._inflight[id(records)] = records
        self._local.records = records
        try:
            yield
        finally:
            self._local.records = None
            try:
                if records:
                    self.journal.append_many([(r.kind, r.key, r.body) for r in records])
            finally:
                with self._lock:
                    del self._inflight[id(records)]


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
