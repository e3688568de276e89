"""Practice sessions and mock exams in the bank: one row per session, the newest copy kept.

A session record is a JSON object (its shape is `pipelines.practice_sessions.SessionRecord`):
the fields a query may want are columns (learner, kind, times, the drawn items in order,
answers, flags), the rest stays in `body`. Every save carries a `revision`; a row is only
replaced by a copy of equal or higher revision, so replaying an old journal record after a
newer one changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from bank.store.base import StoreBase, from_json, to_json

_COLUMNS = (
    "id, learner_id, kind, created_at, started_at, deadline, finished_at, item_ids, answers, "
    "flags, revision, updated_at, body"
)
_TIMES = ("created_at", "started_at", "deadline", "finished_at", "updated_at")
_TOP = {"id", "learner_id", "kind", "items", "answers", "flags", "revision", *_TIMES}


def _when(value: Any) -> datetime | None:
    """A record's time (ISO text or datetime) as an aware UTC datetime; None stays None."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _record(row: dict[str, Any]) -> dict[str, Any]:
    """A session record from its row: the body with the columns laid back on it."""
    record: dict[str, Any] = dict(from_json(row["body"], {}) or {})
    record.update(
        {
            "id": row["id"],
            "learner_id": row["learner_id"],
            "kind": row["kind"],
            "items": list(row["item_ids"] or []),
            "answers": from_json(row["answers"], {}),
            "flags": list(row["flags"] or []),
            "revision": int(row["revision"]),
        }
    )
    for name in _TIMES:
        moment = _when(row[name])
        record[name] = moment.isoformat() if moment else None
    return record


def newest_copies(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per session id: the highest revision (the later one on a tie)."""
    newest: dict[str, dict[str, Any]] = {}
    for record in records:
        held = newest.get(record["id"])
        if held is None or int(record["revision"]) >= int(held["revision"]):
            newest[record["id"]] = record
    return list(newest.values())


class SessionsMixin(StoreBase):
    """Practice sessions: saved whole, newest revision wins; read one or a learner's."""

    def save_practice_sessions(self, records: Sequence[dict[str, Any]]) -> int:
        """Store session records in one statement, skipping older revisions than stored.

        A replayed journal therefore changes nothing.

        Returns:
            How many distinct sessions were written (or found newer already).
        """
        rows = newest_copies(records)
        if not rows:
            return 0
        stamp = pa.timestamp("us", tz="UTC")
        table = pa.table(
            {
                "id": [r["id"] for r in rows],
                "learner_id": [r["learner_id"] for r in rows],
                "kind": [r["kind"] for r in rows],
                **{
                    name: pa.array([_when(r.get(name)) for r in rows], stamp)
                    for name in ("created_at", "started_at", "deadline", "finished_at")
                },
                "item_ids": pa.array(
                    [list(r.get("items") or []) for r in rows], pa.list_(pa.string())
                ),
                "answers": [to_json(r.get("answers") or {}) for r in rows],
                "flags": pa.array([list(r.get("flags") or []) for r in rows], pa.list_(pa.int32())),
                "revision": pa.array([int(r["revision"]) for r in rows], pa.int64()),
                "updated_at": pa.array([_when(r.get("updated_at")) for r in rows], stamp),
                "body": [to_json({k: v for k, v in r.items() if k not in _TOP}) for r in rows],
            }
        )
        self.con.register("_batch_sessions", table)
        try:
            with self.transaction():
                self._q(
                    f"""
                    INSERT INTO practice_sessions ({_COLUMNS})
                    SELECT {_COLUMNS} FROM _batch_sessions
                    ON CONFLICT (id) DO UPDATE SET
                        started_at = excluded.started_at, deadline = excluded.deadline,
                        finished_at = excluded.finished_at, item_ids = excluded.item_ids,
                        answers = excluded.answers, flags = excluded.flags,
                        revision = excluded.revision, updated_at = excluded.updated_at,
                        body = excluded.body
                    WHERE excluded.revision >= practice_sessions.revision
                    """
                )
        finally:
            self.con.unregister("_batch_sessions")
        return len(rows)

    def save_practice_session(self, record: dict[str, Any]) -> None:
        """Store one session record (see `save_practice_sessions`)."""
        self.save_practice_sessions([record])

    def practice_session(self, session_id: str) -> dict[str, Any] | None:
        """The session record with this id, or None."""
        rows = self._rows(f"SELECT {_COLUMNS} FROM practice_sessions WHERE id = ?", [session_id])
        return _record(rows[0]) if rows else None

    def practice_sessions(self, learner_id: str | None = None) -> list[dict[str, Any]]:
        """Session records, oldest first, of one learner or of all."""
        sql = f"SELECT {_COLUMNS} FROM practice_sessions"
        params: list[Any] = []
        if learner_id is not None:
            sql += " WHERE learner_id = ?"
            params.append(learner_id)
        return [_record(r) for r in self._rows(sql + " ORDER BY created_at, id", params)]
