"""The item bank on disk: the only module that imports duckdb.

Every SQL statement of the project lives here, with bound parameters, behind methods
named for what they do. Connections are short (DuckDB locks the whole file against
other processes), batch writes are one transaction, and bulk inserts go through Arrow.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from bank.errors import BankBusyError, NotFoundError, StateError
from bank.models import (
    Blueprint,
    Flaw,
    Item,
    Learner,
    Provenance,
    Response,
    ReviewEvent,
    RunRecord,
    Source,
)

DEFAULT_DB = Path("cmasprep.duckdb")

# Ordered, named migrations; each runs once and is recorded in `_migrations`.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
        CREATE TABLE blueprints (
            id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, body JSON NOT NULL,
            loaded_at TIMESTAMPTZ NOT NULL);
        CREATE TABLE items (
            id VARCHAR PRIMARY KEY,
            content_hash VARCHAR NOT NULL,
            domain INTEGER NOT NULL,
            topic VARCHAR,
            stem VARCHAR NOT NULL,
            options VARCHAR[] NOT NULL,
            answer VARCHAR NOT NULL,
            rationale VARCHAR,
            sources JSON,
            difficulty VARCHAR,
            bloom VARCHAR,
            extra JSON,
            status VARCHAR NOT NULL,
            flaws JSON,
            reasons JSON,
            generator VARCHAR,
            generator_version VARCHAR,
            model VARCHAR,
            prompt_version VARCHAR,
            run_id VARCHAR,
            notes VARCHAR[],
            tokens_in BIGINT,
            tokens_out BIGINT,
            cost_usd DOUBLE,
            assigned_to VARCHAR,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL);
        CREATE SEQUENCE review_seq START 1;
        CREATE TABLE review_events (
            seq BIGINT PRIMARY KEY DEFAULT nextval('review_seq'),
            item_id VARCHAR NOT NULL, reviewer VARCHAR NOT NULL, decided_at TIMESTAMPTZ NOT NULL,
            decision VARCHAR NOT NULL, reason VARCHAR, note VARCHAR,
            before JSON, after JSON);
        CREATE TABLE learners (
            id VARCHAR PRIMARY KEY, exam_date DATE, hours_per_week DOUBLE,
            created_at TIMESTAMPTZ NOT NULL, token_hash VARCHAR, settings JSON);
        CREATE TABLE responses (
            learner_id VARCHAR NOT NULL, item_id VARCHAR NOT NULL,
            answered_at TIMESTAMPTZ NOT NULL, correct BOOLEAN NOT NULL,
            chosen VARCHAR, seconds DOUBLE);
        CREATE TABLE plans (
            id VARCHAR PRIMARY KEY, learner_id VARCHAR NOT NULL,
            created_at TIMESTAMPTZ NOT NULL, body JSON NOT NULL);
        CREATE TABLE runs (
            id VARCHAR PRIMARY KEY, flow VARCHAR NOT NULL,
            started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ,
            status VARCHAR NOT NULL, params JSON, counts JSON,
            tokens_in BIGINT, tokens_out BIGINT, cost_usd DOUBLE, error VARCHAR);
        CREATE TABLE reviewers (
            name VARCHAR PRIMARY KEY, token_hash VARCHAR NOT NULL,
            created_at TIMESTAMPTZ NOT NULL);
        """,
    ),
]

MIGRATIONS.append(
    (
        "0002_embeddings",
        """
        CREATE TABLE embeddings (
            item_id VARCHAR NOT NULL, model VARCHAR NOT NULL, kind VARCHAR NOT NULL,
            vector FLOAT[] NOT NULL, PRIMARY KEY (item_id, model, kind));
        """,
    )
)

# Column order of `items`, shared by the Arrow schema and the row decoder.
_ITEM_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("content_hash", pa.string()),
        ("domain", pa.int32()),
        ("topic", pa.string()),
        ("stem", pa.string()),
        ("options", pa.list_(pa.string())),
        ("answer", pa.string()),
        ("rationale", pa.string()),
        ("sources", pa.string()),
        ("difficulty", pa.string()),
        ("bloom", pa.string()),
        ("extra", pa.string()),
        ("status", pa.string()),
        ("flaws", pa.string()),
        ("reasons", pa.string()),
        ("generator", pa.string()),
        ("generator_version", pa.string()),
        ("model", pa.string()),
        ("prompt_version", pa.string()),
        ("run_id", pa.string()),
        ("notes", pa.list_(pa.string())),
        ("tokens_in", pa.int64()),
        ("tokens_out", pa.int64()),
        ("cost_usd", pa.float64()),
        ("assigned_to", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("updated_at", pa.timestamp("us", tz="UTC")),
    ]
)
_ITEM_COLUMNS = ", ".join(_ITEM_SCHEMA.names)
_LOCK_PID = re.compile(r"\(PID (\d+)\)")


def _now() -> datetime:
    return datetime.now(UTC)


def _is_lock_error(exc: Exception) -> bool:
    return "lock" in str(exc).lower() and "conflicting" in str(exc).lower()


def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    wait_s: float = 30.0,
    rng: random.Random | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the bank file, waiting with jittered backoff while another process holds it.

    Raises BankBusyError after `wait_s` seconds, naming the holder's PID and how to see it.
    """
    rng = rng or random.Random()
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                match = _LOCK_PID.search(str(exc))
                pid = match.group(1) if match else "?"
                raise BankBusyError(
                    f"the bank {path} is busy: another process (PID {pid}) holds its lock, "
                    f"and it was not released within {wait_s:g} s. See the holder with "
                    f"`ps -o pid,etime,cmd -p {pid}` (or `lsof {path}`), then retry when it "
                    "ends; wait longer with CMASPREP_LOCK_WAIT=SECONDS. Nothing was written."
                ) from exc
            time.sleep(min(delay * (0.5 + rng.random()), remaining))
            delay = min(delay * 2, 1.0)


@dataclass
class SaveResult:
    """Which items a batch write stored, and which it left out because they were there."""

    inserted: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _loads(value: Any, default: Any) -> Any:
    if value is None:
        return default
    return json.loads(value) if isinstance(value, str) else value


class _Result(list):
    """Rows of a finished statement, read like a cursor."""

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self)

    def fetchone(self) -> tuple[Any, ...] | None:
        return self[0] if self else None


class Store:
    """Methods over one open connection; use `open_store` to get one."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path) -> None:
        self.con = con
        self.path = path

    def _q(self, sql: str, params: Sequence[Any] | None = None) -> _Result:
        """Run one statement and consume its whole result (DuckDB 2 requires it)."""
        cur = self.con.execute(sql, list(params) if params is not None else None)
        return _Result(cur.fetchall() if cur.description else [])

    # ---- schema -------------------------------------------------------------------
    def applied_migrations(self) -> list[str]:
        exists = self._q(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = '_migrations'"
        ).fetchone()
        if not exists or not exists[0]:
            return []
        return [r[0] for r in self._q("SELECT name FROM _migrations ORDER BY seq").fetchall()]

    def pending_migrations(self) -> list[str]:
        done = set(self.applied_migrations())
        return [name for name, _ in MIGRATIONS if name not in done]

    def migrate(self) -> list[str]:
        """Apply pending migrations in order, each in its own transaction."""
        self._q(
            "CREATE TABLE IF NOT EXISTS _migrations "
            "(seq INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
        )
        done = set(self.applied_migrations())
        applied = []
        for seq, (name, sql) in enumerate(MIGRATIONS, start=1):
            if name in done:
                continue
            with self.transaction():
                self._q(sql)
                self._q("INSERT INTO _migrations VALUES (?, ?, ?)", [seq, name, _now()])
            applied.append(name)
        return applied

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._q("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._q("ROLLBACK")
            raise
        self._q("COMMIT")

    def content_digest(self) -> dict[str, str]:
        """A hash of every table's rows, order-blind: equal digests mean equal content."""
        import hashlib

        tables = [
            r[0]
            for r in self._q(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "ORDER BY table_name"
            )
        ]
        digest = {}
        for table in tables:
            rows = sorted(repr(r) for r in self._q(f'SELECT * FROM "{table}"'))
            digest[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return digest

    # ---- blueprint ----------------------------------------------------------------
    def save_blueprint(self, blueprint: Blueprint, now: datetime | None = None) -> None:
        with self.transaction():
            self._q(
                "INSERT OR REPLACE INTO blueprints VALUES (?, ?, ?, ?)",
                [blueprint.id, blueprint.name, blueprint.model_dump_json(), now or _now()],
            )
            self._q("INSERT OR REPLACE INTO meta VALUES ('blueprint', ?)", [blueprint.id])

    def active_blueprint(self) -> Blueprint | None:
        row = self._q(
            "SELECT b.body FROM blueprints b JOIN meta m ON m.key = 'blueprint' AND m.value = b.id"
        ).fetchone()
        return Blueprint.model_validate_json(row[0]) if row else None

    # ---- items --------------------------------------------------------------------
    def _item_table(self, items: Sequence[Item], now: datetime) -> pa.Table:
        rows: dict[str, list[Any]] = {name: [] for name in _ITEM_SCHEMA.names}
        for it in items:
            p = it.provenance
            values = {
                "id": it.id,
                "content_hash": it.content_hash,
                "domain": it.domain,
                "topic": it.topic,
                "stem": it.stem,
                "options": list(it.options),
                "answer": it.answer,
                "rationale": it.rationale,
                "sources": _json([s.model_dump() for s in it.sources]),
                "difficulty": it.difficulty,
                "bloom": it.bloom,
                "extra": _json(it.extra),
                "status": it.status,
                "flaws": _json([f.model_dump() for f in it.flaws]),
                "reasons": _json(list(it.reasons)),
                "generator": p.generator,
                "generator_version": p.generator_version,
                "model": p.model,
                "prompt_version": p.prompt_version,
                "run_id": p.run_id,
                "notes": list(p.notes),
                "tokens_in": p.tokens_in,
                "tokens_out": p.tokens_out,
                "cost_usd": p.cost_usd,
                "assigned_to": None,
                "created_at": now,
                "updated_at": now,
            }
            for name in _ITEM_SCHEMA.names:
                rows[name].append(values[name])
        return pa.table(rows, schema=_ITEM_SCHEMA)

    def save_items(self, items: Sequence[Item], now: datetime | None = None) -> SaveResult:
        """Insert a batch in one transaction through Arrow; items already there are skipped.

        "Already there" means the same id or the same content hash, so re-importing
        a file, or re-running a generation, adds nothing.
        """
        if not items:
            return SaveResult()
        with self.transaction():
            return self._save_items_in_transaction(items, now)

    def _save_items_in_transaction(
        self, items: Sequence[Item], now: datetime | None = None
    ) -> SaveResult:
        seen: set[str] = set()
        unique = []
        for it in items:  # first occurrence wins inside a batch
            if it.id not in seen and it.content_hash not in seen:
                unique.append(it)
            seen.update((it.id, it.content_hash))
        self.con.register("_batch_items", self._item_table(unique, now or _now()))
        try:
            inserted = self._q(
                f"""
                INSERT INTO items ({_ITEM_COLUMNS})
                SELECT {_ITEM_COLUMNS} FROM _batch_items b
                WHERE b.id NOT IN (SELECT id FROM items)
                  AND b.content_hash NOT IN (SELECT content_hash FROM items)
                RETURNING id
                """
            )
        finally:
            self.con.unregister("_batch_items")
        done = {r[0] for r in inserted}
        return SaveResult(
            inserted=[it.id for it in items if it.id in done],
            existing=[it.id for it in items if it.id not in done],
        )

    def save_items_row_by_row(self, items: Sequence[Item], now: datetime | None = None) -> int:
        """The slow path bulk inserts replace: one INSERT per row (benchmarks/bank.py baseline)."""
        table = self._item_table(items, now or _now())
        marks = ", ".join("?" for _ in _ITEM_SCHEMA.names)
        with self.transaction():
            self.con.executemany(
                f"INSERT INTO items ({_ITEM_COLUMNS}) VALUES ({marks})",
                [list(row.values()) for row in table.to_pylist()],
            )
        return len(items)

    def _decode_item(self, row: dict[str, Any]) -> Item:
        return Item(
            id=row["id"],
            domain=row["domain"],
            topic=row["topic"],
            stem=row["stem"],
            options=list(row["options"]),
            answer=row["answer"],
            rationale=row["rationale"],
            sources=[Source(**s) for s in _loads(row["sources"], [])],
            difficulty=row["difficulty"],
            bloom=row["bloom"],
            extra=_loads(row["extra"], {}),
            status=row["status"],
            flaws=[Flaw(**f) for f in _loads(row["flaws"], [])],
            reasons=_loads(row["reasons"], []),
            provenance=Provenance(
                generator=row["generator"],
                generator_version=row["generator_version"],
                model=row["model"],
                prompt_version=row["prompt_version"],
                run_id=row["run_id"],
                notes=list(row["notes"] or []),
                tokens_in=row["tokens_in"] or 0,
                tokens_out=row["tokens_out"] or 0,
                cost_usd=row["cost_usd"] or 0.0,
            ),
        )

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def get_item(self, item_id: str) -> Item:
        rows = self._rows(f"SELECT {_ITEM_COLUMNS} FROM items WHERE id = ?", [item_id])
        if not rows:
            raise NotFoundError(f"no item {item_id!r} in the bank {self.path}")
        return self._decode_item(rows[0])

    def find_items(
        self,
        *,
        domain: int | None = None,
        statuses: Iterable[str] | None = None,
        ids: Iterable[str] | None = None,
        assigned_to: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Item]:
        """Items filtered by domain, statuses, ids and assignee, oldest first."""
        where, params = ["TRUE"], []
        if domain is not None:
            where.append("domain = ?")
            params.append(domain)
        if statuses is not None:
            where.append("list_contains(?, status)")
            params.append(list(statuses))
        if ids is not None:
            where.append("list_contains(?, id)")
            params.append(list(ids))
        if assigned_to is not None:
            where.append("assigned_to = ?")
            params.append(assigned_to)
        sql = (
            f"SELECT {_ITEM_COLUMNS} FROM items WHERE {' AND '.join(where)} ORDER BY created_at, id"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [self._decode_item(r) for r in self._rows(sql, params)]

    def review_queue(
        self, *, domain: int | None = None, reviewer: str | None = None, limit: int = 1
    ) -> list[Item]:
        """Pending items for a reviewer: assigned to them first, then unassigned, oldest first;
        items they already voted on in double review are left for someone else."""
        rows = self._rows(
            f"""
            SELECT {_ITEM_COLUMNS} FROM items
            WHERE status = 'pending_review'
              AND (? IS NULL OR domain = ?)
              AND (assigned_to IS NULL OR ? IS NULL OR assigned_to = ?)
              AND id NOT IN (SELECT item_id FROM review_events
                             WHERE reviewer = ? AND decision IN ('approve', 'reject'))
            ORDER BY (assigned_to IS NULL), created_at, id
            LIMIT {int(limit)}
            """,
            [domain, domain, reviewer, reviewer, reviewer or ""],
        )
        return [self._decode_item(r) for r in rows]

    def assignee(self, item_id: str) -> str | None:
        row = self._q("SELECT assigned_to FROM items WHERE id = ?", [item_id]).fetchone()
        return row[0] if row else None

    def item_ids_by_hash(self, hashes: Iterable[str]) -> dict[str, str]:
        rows = self._q(
            "SELECT content_hash, id FROM items WHERE list_contains(?, content_hash)",
            [list(hashes)],
        ).fetchall()
        return {h: i for h, i in rows}

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        rows = self._q("SELECT id FROM items WHERE list_contains(?, id)", [list(ids)])
        return {r[0] for r in rows.fetchall()}

    def content_hashes(self, exclude_run: str | None = None) -> set[str]:
        """Hashes of every item in the bank, optionally leaving out one run's own items."""
        rows = self._q(
            "SELECT content_hash FROM items WHERE run_id IS DISTINCT FROM ?", [exclude_run]
        )
        return {r[0] for r in rows}

    def counts_by_domain_status(self) -> dict[tuple[int, str], int]:
        rows = self._q(
            "SELECT domain, status, count(*) FROM items GROUP BY domain, status"
        ).fetchall()
        return {(d, s): n for d, s, n in rows}

    def item_count(self) -> int:
        row = self._q("SELECT count(*) FROM items").fetchone()
        return int(row[0]) if row else 0

    def update_item(
        self, item: Item, event: ReviewEvent, *, assigned_to: str | None = None
    ) -> None:
        """Replace an item's content and status and append its review event, atomically."""
        p = item.provenance
        with self.transaction():
            old = self._q("SELECT content_hash FROM items WHERE id = ?", [item.id]).fetchone()
            if old is not None and old[0] != item.content_hash:
                # an edited item's stored vectors describe its old text
                self._q("DELETE FROM embeddings WHERE item_id = ?", [item.id])
            updated = self._q(
                """
                UPDATE items SET content_hash = ?, domain = ?, topic = ?, stem = ?, options = ?,
                    answer = ?, rationale = ?, sources = ?, difficulty = ?, bloom = ?, extra = ?,
                    status = ?, flaws = ?, reasons = ?, notes = ?,
                    assigned_to = coalesce(?, assigned_to), updated_at = ?
                WHERE id = ? RETURNING id
                """,
                [
                    item.content_hash,
                    item.domain,
                    item.topic,
                    item.stem,
                    list(item.options),
                    item.answer,
                    item.rationale,
                    _json([s.model_dump() for s in item.sources]),
                    item.difficulty,
                    item.bloom,
                    _json(item.extra),
                    item.status,
                    _json([f.model_dump() for f in item.flaws]),
                    _json(item.reasons),
                    list(p.notes),
                    assigned_to,
                    event.at,
                    item.id,
                ],
            ).fetchall()
            if not updated:
                raise NotFoundError(f"no item {item.id!r} in the bank {self.path}")
            self._insert_event(event)

    def assign(self, item_ids: Sequence[str], reviewer: str, event_at: datetime, by: str) -> int:
        """Assign pending items to a reviewer; each assignment is an event."""
        with self.transaction():
            rows = self._q(
                "UPDATE items SET assigned_to = ?, updated_at = ? "
                "WHERE list_contains(?, id) AND status = 'pending_review' RETURNING id",
                [reviewer, event_at, list(item_ids)],
            ).fetchall()
            for (item_id,) in rows:
                self._insert_event(
                    ReviewEvent(
                        item_id=item_id,
                        reviewer=by,
                        at=event_at,
                        decision="assign",
                        note=f"assigned to {reviewer}",
                    )
                )
        return len(rows)

    # ---- embeddings (stored so the bank's vectors are not recomputed) -----------------
    def get_embeddings(self, ids: Sequence[str], model: str, kind: str) -> dict[str, Any]:
        import numpy as np

        if not ids:
            return {}
        rows = self._q(
            "SELECT item_id, vector FROM embeddings WHERE model = ? AND kind = ? "
            "AND list_contains(?, item_id)",
            [model, kind, list(ids)],
        )
        return {r[0]: np.asarray(r[1], dtype=np.float32) for r in rows}

    def put_embeddings(self, ids: Sequence[str], model: str, kind: str, vectors: Any) -> None:
        if not len(ids):
            return
        table = pa.table(
            {
                "item_id": list(ids),
                "model": [model] * len(ids),
                "kind": [kind] * len(ids),
                "vector": pa.array([list(map(float, v)) for v in vectors], pa.list_(pa.float32())),
            }
        )
        self.con.register("_batch_vectors", table)
        try:
            with self.transaction():
                self._q("INSERT OR REPLACE INTO embeddings SELECT * FROM _batch_vectors")
        finally:
            self.con.unregister("_batch_vectors")

    # ---- review events (append-only: no method updates or deletes them) -------------
    def _insert_event(self, event: ReviewEvent) -> None:
        self._q(
            "INSERT INTO review_events (item_id, reviewer, decided_at, decision, reason, note,"
            " before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                event.item_id,
                event.reviewer,
                event.at,
                event.decision,
                event.reason,
                event.note,
                _json(event.before),
                _json(event.after),
            ],
        )

    def add_event(self, event: ReviewEvent) -> None:
        with self.transaction():
            self._insert_event(event)

    def events(self, item_id: str | None = None) -> list[ReviewEvent]:
        sql = (
            "SELECT item_id, reviewer, decided_at AS at, decision, reason, note, before, after "
            "FROM review_events"
        )
        params: list[Any] = []
        if item_id is not None:
            sql += " WHERE item_id = ?"
            params.append(item_id)
        rows = self._rows(sql + " ORDER BY seq", params)
        return [
            ReviewEvent(
                **{k: r[k] for k in ("item_id", "reviewer", "at", "decision", "reason", "note")},
                before=_loads(r["before"], None),
                after=_loads(r["after"], None),
            )
            for r in rows
        ]

    # ---- reviewers ----------------------------------------------------------------
    def add_reviewer(self, name: str, token_hash: str, now: datetime | None = None) -> None:
        if self._q("SELECT 1 FROM reviewers WHERE name = ?", [name]).fetchone():
            raise StateError(f"reviewer {name!r} exists already")
        self._q("INSERT INTO reviewers VALUES (?, ?, ?)", [name, token_hash, now or _now()])

    def reviewer_for_token_hash(self, token_hash: str) -> str | None:
        row = self._q("SELECT name FROM reviewers WHERE token_hash = ?", [token_hash])
        found = row.fetchone()
        return found[0] if found else None

    def reviewers(self) -> list[str]:
        return [r[0] for r in self._q("SELECT name FROM reviewers ORDER BY name").fetchall()]

    # ---- learners and responses -----------------------------------------------------
    def add_learner(self, learner: Learner, now: datetime | None = None) -> None:
        if self._q("SELECT 1 FROM learners WHERE id = ?", [learner.id]).fetchone():
            raise StateError(f"learner {learner.id!r} exists already")
        self._q(
            "INSERT INTO learners (id, exam_date, hours_per_week, created_at) VALUES (?, ?, ?, ?)",
            [learner.id, learner.exam_date, learner.hours_per_week, now or _now()],
        )

    def update_learner(self, learner: Learner) -> None:
        self._q(
            "UPDATE learners SET exam_date = ?, hours_per_week = ? WHERE id = ?",
            [learner.exam_date, learner.hours_per_week, learner.id],
        )

    def get_learner(self, learner_id: str) -> Learner:
        rows = self._rows(
            "SELECT id, exam_date, hours_per_week, created_at FROM learners WHERE id = ?",
            [learner_id],
        )
        if not rows:
            raise NotFoundError(f"no learner {learner_id!r} in the bank {self.path}")
        return Learner(**rows[0])

    def learners(self) -> list[Learner]:
        rows = self._rows(
            "SELECT id, exam_date, hours_per_week, created_at FROM learners ORDER BY id"
        )
        return [Learner(**r) for r in rows]

    def set_learner_token_hash(self, learner_id: str, token_hash: str) -> None:
        self.get_learner(learner_id)
        self._q("UPDATE learners SET token_hash = ? WHERE id = ?", [token_hash, learner_id])

    def learner_for_token_hash(self, token_hash: str) -> str | None:
        row = self._q("SELECT id FROM learners WHERE token_hash = ?", [token_hash])
        found = row.fetchone()
        return found[0] if found else None

    def save_responses(self, responses: Sequence[Response]) -> int:
        """Append responses in one transaction; an exact repeat of a stored one is skipped."""
        if not responses:
            return 0
        table = pa.table(
            {
                "learner_id": [r.learner_id for r in responses],
                "item_id": [r.item_id for r in responses],
                "answered_at": pa.array(
                    [r.answered_at for r in responses], pa.timestamp("us", tz="UTC")
                ),
                "correct": [r.correct for r in responses],
                "chosen": pa.array([r.chosen for r in responses], pa.string()),
                "seconds": pa.array([r.seconds for r in responses], pa.float64()),
            }
        )
        self.con.register("_batch_responses", table)
        try:
            with self.transaction():
                rows = self._q(
                    """
                    INSERT INTO responses
                    SELECT DISTINCT b.* FROM _batch_responses b
                    WHERE NOT EXISTS (SELECT 1 FROM responses r
                        WHERE r.learner_id = b.learner_id AND r.item_id = b.item_id
                          AND r.answered_at = b.answered_at)
                    RETURNING 1
                    """
                ).fetchall()
        finally:
            self.con.unregister("_batch_responses")
        return len(rows)

    def responses(self, learner_id: str | None = None) -> list[Response]:
        sql = "SELECT learner_id, item_id, answered_at, correct, chosen, seconds FROM responses"
        params: list[Any] = []
        if learner_id is not None:
            sql += " WHERE learner_id = ?"
            params.append(learner_id)
        return [Response(**r) for r in self._rows(sql + " ORDER BY answered_at", params)]

    # ---- plans --------------------------------------------------------------------
    def save_plan(
        self, plan_id: str, learner_id: str, body: dict[str, Any], now: datetime | None = None
    ) -> None:
        self._q(
            "INSERT INTO plans VALUES (?, ?, ?, ?)",
            [plan_id, learner_id, now or _now(), _json(body)],
        )

    def latest_plan(self, learner_id: str) -> tuple[datetime, dict[str, Any]] | None:
        row = self._q(
            "SELECT created_at, body FROM plans WHERE learner_id = ? "
            "ORDER BY created_at DESC LIMIT 1",
            [learner_id],
        ).fetchone()
        return (row[0], _loads(row[1], {})) if row else None

    # ---- runs ---------------------------------------------------------------------
    def save_domain_batch(self, items: Sequence[Item], run: RunRecord) -> SaveResult:
        """One domain's items and the run's updated progress, in one transaction."""
        with self.transaction():
            saved = self._save_items_in_transaction(items) if items else SaveResult()
            self._save_run(run)
        return saved

    def save_run(self, run: RunRecord) -> None:
        """Insert or update a run record (runs are written at start and again at the end)."""
        self._save_run(run)

    def _save_run(self, run: RunRecord) -> None:
        self._q(
            "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run.id,
                run.flow,
                run.started_at,
                run.finished_at,
                run.status,
                _json(run.params),
                _json(run.counts),
                run.tokens_in,
                run.tokens_out,
                run.cost_usd,
                run.error,
            ],
        )

    def get_run(self, run_id: str) -> RunRecord:
        rows = self._rows("SELECT * FROM runs WHERE id = ?", [run_id])
        if not rows:
            raise NotFoundError(f"no run {run_id!r}")
        return self._decode_run(rows[0])

    def runs(self, flow: str | None = None) -> list[RunRecord]:
        sql, params = "SELECT * FROM runs", []
        if flow:
            sql += " WHERE flow = ?"
            params.append(flow)
        return [self._decode_run(r) for r in self._rows(sql + " ORDER BY started_at", params)]

    @staticmethod
    def _decode_run(r: dict[str, Any]) -> RunRecord:
        return RunRecord(
            id=r["id"],
            flow=r["flow"],
            started_at=r["started_at"],
            finished_at=r["finished_at"],
            status=r["status"],
            params=_loads(r["params"], {}),
            counts=_loads(r["counts"], {}),
            tokens_in=r["tokens_in"] or 0,
            tokens_out=r["tokens_out"] or 0,
            cost_usd=r["cost_usd"] or 0.0,
            error=r["error"],
        )


class StoreEmbeddingCache:
    """The bank's stored vectors as a validators.embeddings.EmbeddingCache.

    Opens the bank briefly per call (DuckDB locks the file), so it can be held by a
    long-running flow without holding the lock.
    """

    def __init__(self, path: str | Path, wait_s: float = 30.0) -> None:
        self.path = Path(path)
        self.wait_s = wait_s

    def get(self, ids: Sequence[str], model: str, kind: str) -> dict[str, Any]:
        if not self.path.exists():
            return {}
        with open_store(self.path, wait_s=self.wait_s) as store:
            return store.get_embeddings(ids, model, kind)

    def put(self, ids: Sequence[str], model: str, kind: str, vectors: Any) -> None:
        with open_store(self.path, wait_s=self.wait_s) as store:
            store.put_embeddings(ids, model, kind, vectors)


@contextmanager
def open_store(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    create: bool = True,
    wait_s: float | None = None,
) -> Iterator[Store]:
    """Open the bank for the length of a `with` block; migrate it when opened for writing.

    A read-only open of a file that needs migrating reopens it for writing once.
    """
    file = Path(path) if path is not None else DEFAULT_DB
    if wait_s is None:
        wait_s = float(os.environ.get("CMASPREP_LOCK_WAIT", "30"))
    if not file.exists():
        if not create or read_only:
            raise NotFoundError(f"no bank at {file}: create one with `cmasprep init`")
        file.parent.mkdir(parents=True, exist_ok=True)
    con = connect(file, read_only=read_only, wait_s=wait_s)
    store = Store(con, file)
    try:
        if store.pending_migrations():
            if read_only:
                con.close()
                con = connect(file, wait_s=wait_s)
                store = Store(con, file)
            store.migrate()
        yield store
    finally:
        con.close()
