"""A durable write-ahead journal for a server process: writes kept until the bank has them.

DuckDB lets one process at a time hold the bank file, so a web server that wrote
straight to it would make a learner's answer wait behind a nightly flow's transaction.
Instead the server appends each write here (SQLite in WAL mode, synchronous FULL: the
record is on disk when `append` returns) and a flusher moves records into the bank when
the file is free. Every record has a key; appending a key the journal already holds is a
no-op, so a retried request is not written twice, and applying a record to the bank is
idempotent, so a crash between the bank's commit and `done` loses and doubles nothing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class _Batch:
    """One caller's writes waiting for a group commit, and what came of them."""

    rows: list[tuple[str, str, str]]
    done: bool = False
    new: list[bool] = field(default_factory=list)
    error: BaseException | None = None

    def result(self) -> list[bool]:
        """Whether each write was new; raises what the commit raised."""
        if self.error is not None:
            raise self.error
        return self.new


@dataclass(frozen=True)
class JournalRecord:
    """One journaled write: its order, kind ("response", "plan"...), key and JSON body."""

    seq: int
    kind: str
    key: str
    body: dict[str, Any]


class Journal:
    """An append-only queue of writes in one SQLite file, safe across threads.

    Attributes:
        path: the journal file (created with its table when missing).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # the connection: one statement at a time
        self._turn = threading.Condition()  # the group commit's queue
        self._queue: list[_Batch] = []
        self._committing = False
        self._con = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.execute("PRAGMA synchronous=FULL")
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE, body TEXT NOT NULL)"
        )

    def append(self, kind: str, key: str, body: dict[str, Any]) -> bool:
        """Append a write durably; False (and nothing written) when `key` is held already."""
        return self.append_many([(kind, key, body)])[0]

    def append_many(self, writes: Sequence[tuple[str, str, dict[str, Any]]]) -> list[bool]:
        """Append writes durably, all or none; for each, whether it was new (key not held).

        Group commit: a thread that finds another committing waits, and whoever commits
        next takes every batch queued meanwhile in one transaction, so concurrent requests
        share one fsync instead of queueing for one each. Each caller returns once its own
        writes are on disk, or raises what their transaction raised.
        """
        rows = [(kind, key, json.dumps(body, ensure_ascii=False, default=str))
                for kind, key, body in writes]  # fmt: skip
        mine = _Batch(rows)
        with self._turn:
            self._queue.append(mine)
            while self._committing and not mine.done:
                self._turn.wait()
            if mine.done:
                return mine.result()
            self._committing = True
            taken, self._queue = self._queue, []
        try:
            self._commit(taken)
        finally:
            with self._turn:
                self._committing = False
                for batch in taken:
                    batch.done = True
                self._turn.notify_all()
        return mine.result()

    def _commit(self, batches: list[_Batch]) -> None:
        """Write queued batches in one transaction (one fsync); record each one's outcome."""
        with self._lock:
            try:
                self._con.execute("BEGIN IMMEDIATE")
                for batch in batches:
                    batch.new = [
                        self._con.execute(
                            "INSERT OR IGNORE INTO pending (kind, key, body) VALUES (?, ?, ?)",
                            row,
                        ).rowcount
                        == 1
                        for row in batch.rows
                    ]
                self._con.execute("COMMIT")
            except BaseException as exc:
                if self._con.in_transaction:
                    self._con.execute("ROLLBACK")
                for batch in batches:
                    batch.error = exc
                raise

    def holds(self, key: str) -> bool:
        """Whether a write with this key is waiting for the bank."""
        with self._lock:
            row = self._con.execute("SELECT 1 FROM pending WHERE key = ?", (key,)).fetchone()
        return row is not None

    def pending(self, limit: int | None = None, after: int = 0) -> list[JournalRecord]:
        """The writes the bank does not have yet, oldest first (those after seq `after`)."""
        sql = "SELECT seq, kind, key, body FROM pending WHERE seq > ? ORDER BY seq"
        with self._lock:
            rows = self._con.execute(
                sql + (" LIMIT ?" if limit else ""), (after, limit) if limit else (after,)
            ).fetchall()
        return [JournalRecord(s, k, key, json.loads(b)) for s, k, key, b in rows]

    def done(self, seqs: Sequence[int]) -> None:
        """Forget writes the bank has committed."""
        if not seqs:
            return
        # One statement (one pass, one fsync) however many: the journal's lock is held
        # meanwhile, and answers wait for it.
        with self._lock:
            self._con.execute(
                "DELETE FROM pending WHERE seq IN (SELECT value FROM json_each(?))",
                (json.dumps(list(seqs)),),
            )

    def count(self) -> int:
        """How many writes wait for the bank."""
        with self._lock:
            row = self._con.execute("SELECT count(*) FROM pending").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        """Close the file (the writes stay in it for the next start)."""
        with self._lock:
            self._con.close()
