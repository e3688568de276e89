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
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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
        self._lock = threading.Lock()
        self._con = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.execute("PRAGMA synchronous=FULL")
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE, body TEXT NOT NULL)"
        )

    def append(self, kind: str, key: str, body: dict[str, Any]) -> bool:
        """Append a write durably; False (and nothing written) when `key` is held already."""
        text = json.dumps(body, ensure_ascii=False, default=str)
        with self._lock:
            cur = self._con.execute(
                "INSERT OR IGNORE INTO pending (kind, key, body) VALUES (?, ?, ?)",
                (kind, key, text),
            )
            return cur.rowcount == 1

    def holds(self, key: str) -> bool:
        """Whether a write with this key is waiting for the bank."""
        with self._lock:
            row = self._con.execute("SELECT 1 FROM pending WHERE key = ?", (key,)).fetchone()
        return row is not None

    def pending(self, limit: int | None = None) -> list[JournalRecord]:
        """The writes the bank does not have yet, oldest first."""
        sql = "SELECT seq, kind, key, body FROM pending ORDER BY seq"
        with self._lock:
            rows = self._con.execute(
                sql + (" LIMIT ?" if limit else ""), (limit,) if limit else ()
            ).fetchall()
        return [JournalRecord(s, k, key, json.loads(b)) for s, k, key, b in rows]

    def done(self, seqs: Sequence[int]) -> None:
        """Forget writes the bank has committed."""
        if not seqs:
            return
        with self._lock:
            self._con.execute("BEGIN")
            self._con.executemany("DELETE FROM pending WHERE seq = ?", [(s,) for s in seqs])
            self._con.execute("COMMIT")

    def count(self) -> int:
        """How many writes wait for the bank."""
        with self._lock:
            row = self._con.execute("SELECT count(*) FROM pending").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        """Close the file (the writes stay in it for the next start)."""
        with self._lock:
            self._con.close()
