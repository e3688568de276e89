"""What every part of the store stands on: one open connection and how statements run on it.

`StoreBase` holds the connection and the bank's path, runs statements with bound
parameters, and wraps transactions; the query mixins of the other modules extend it and
`bank.store.store.Store` composes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb


def now_utc() -> datetime:
    """The current time, timezone-aware (the default of every `now` argument)."""
    return datetime.now(UTC)


def to_json(value: Any) -> str | None:
    """Encode a value for a JSON column; None stays NULL."""
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def from_json(value: Any, default: Any) -> Any:
    """Decode a JSON column, which DuckDB returns as text; NULL becomes `default`."""
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str) else value


class StoreBase:
    """One open connection to the bank file, and the statement helpers its queries use.

    Attributes:
        con: the DuckDB connection (closed by whoever opened it, not by the store).
        path: the bank file, as given (error messages name it).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path) -> None:
        self.con = con
        self.path = path

    def _q(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement and return all its rows (DuckDB 2 wants each result consumed)."""
        cur = self.con.execute(sql, list(params) if params is not None else None)
        return cur.fetchall() if cur.description else []

    def _one(self, sql: str, params: Sequence[Any] | None = None) -> tuple[Any, ...] | None:
        """Run one statement and return its first row, or None when it returned none."""
        rows = self._q(sql, params)
        return rows[0] if rows else None

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run one query and return its rows as dicts keyed by column name."""
        cur = self.con.execute(sql, list(params))
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the `with` block in one transaction: all of it is committed, or none of it.

        A transaction opened inside another joins it: the outer one commits or rolls back.
        """
        if getattr(self, "_in_transaction", False):
            yield
            return
        self._q("BEGIN TRANSACTION")
        self._in_transaction = True
        try:
            yield
        except BaseException:
            self._q("ROLLBACK")
            raise
        finally:
            self._in_transaction = False
        self._q("COMMIT")

    def content_digest(self) -> dict[str, str]:
        """A hash of every table's rows, order-blind: equal digests mean equal content."""
        tables = [
            r[0]
            for r in self._q(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "ORDER BY table_name"
            )
        ]
        digest = {}
        for table in tables:
            # A table name cannot be a bound parameter; these come from the catalog itself.
            rows = sorted(repr(r) for r in self._q(f'SELECT * FROM "{table}"'))
            digest[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return digest
