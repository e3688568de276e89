"""Items in the bank: writing batches through Arrow, reading them back, counting them.

An item is stored once: a batch write skips items whose id or content hash the bank
holds already, so re-importing a file or re-running a generation adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from bank.errors import NotFoundError
from bank.limits import STORED
from bank.models import Item
from bank.store.base import StoreBase, from_json, now_utc, to_json

# Column order of `items`, shared by the Arrow schema and the row decoder.
ITEM_SCHEMA = pa.schema(
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
        ("enemy_group", pa.string()),
        ("checked_at", pa.timestamp("us", tz="UTC")),
        ("checks_version", pa.string()),
    ]
)
ITEM_COLUMNS = ", ".join(ITEM_SCHEMA.names)


@dataclass
class SaveResult:
    """Which items a batch write stored, and which it left out because they were there."""

    inserted: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def item_table(items: Sequence[Item], now: datetime) -> pa.Table:
    """The items as an Arrow table in the column order of `items`, ready to insert."""
    rows: dict[str, list[Any]] = {name: [] for name in ITEM_SCHEMA.names}
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
            "sources": to_json([s.model_dump() for s in it.sources]),
            "difficulty": it.difficulty,
            "bloom": it.bloom,
            "extra": to_json(it.extra),
            "status": it.status,
            "flaws": to_json([f.model_dump() for f in it.flaws]),
            "reasons": to_json(list(it.reasons)),
            "enemy_group": it.enemy_group,
            "checked_at": it.checked_at,
            "checks_version": it.checks_version,
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
        for name in ITEM_SCHEMA.names:
            rows[name].append(values[name])
    return pa.table(rows, schema=ITEM_SCHEMA)


def decode_item(row: dict[str, Any]) -> Item:
    """An item from a row of `items` selected with ITEM_COLUMNS.

    Read with the `STORED` context: a text longer than today's limits still loads.
    """
    return Item.model_validate(
        {
            "id": row["id"],
            "domain": row["domain"],
            "topic": row["topic"],
            "stem": row["stem"],
            "options": list(row["options"]),
            "answer": row["answer"],
            "rationale": row["rationale"],
            "sources": from_json(row["sources"], []),
            "difficulty": row["difficulty"],
            "bloom": row["bloom"],
            "extra": from_json(row["extra"], {}),
            "status": row["status"],
            "flaws": from_json(row["flaws"], []),
            "reasons": from_json(row["reasons"], []),
            "enemy_group": row["enemy_group"],
            "checked_at": row["checked_at"],
            "checks_version": row["checks_version"],
            "provenance": {
                "generator": row["generator"],
                "generator_version": row["generator_version"],
                "model": row["model"],
                "prompt_version": row["prompt_version"],
                "run_id": row["run_id"],
                "notes": list(row["notes"] or []),
                "tokens_in": row["tokens_in"] or 0,
                "tokens_out": row["tokens_out"] or 0,
                "cost_usd": row["cost_usd"] or 0.0,
            },
        },
        context=STORED,
    )


def insert_items(db: StoreBase, items: Sequence[Item], now: datetime | None = None) -> SaveResult:
    """Insert the items the bank does not hold yet; the caller holds the transaction.

    The first occurrence of an id or content hash inside the batch wins.
    """
    seen: set[str] = set()
    unique = []
    for it in items:
        if it.id not in seen and it.content_hash not in seen:
            unique.append(it)
        seen.update((it.id, it.content_hash))
    # Registered inside the caller's transaction: when the INSERT fails, the ROLLBACK
    # drops the registration too (unregistering in an aborted transaction would raise
    # and hide the INSERT's own error).
    db.con.register("_batch_items", item_table(unique, now or now_utc()))
    inserted = db._q(
        f"""
        INSERT INTO items ({ITEM_COLUMNS})
        SELECT {ITEM_COLUMNS} FROM _batch_items b
        WHERE b.id NOT IN (SELECT id FROM items)
          AND b.content_hash NOT IN (SELECT content_hash FROM items)
        RETURNING id
        """
    )
    db.con.unregister("_batch_items")
    done = {r[0] for r in inserted}
    return SaveResult(
        inserted=[it.id for it in items if it.id in done],
        existing=[it.id for it in items if it.id not in done],
    )


class ItemsMixin(StoreBase):
    """Writing, reading and counting items."""

    def save_items(self, items: Sequence[Item], now: datetime | None = None) -> SaveResult:
        """Insert a batch in one transaction through Arrow; items already there are skipped.

        "Already there" means the same id or the same content hash, so re-importing
        a file, or re-running a generation, adds nothing.
        """
        if not items:
            return SaveResult()
        with self.transaction():
            return insert_items(self, items, now)

    def save_items_row_by_row(self, items: Sequence[Item], now: datetime | None = None) -> int:
        """The slow path bulk inserts replace: one INSERT per row (benchmarks/bank.py baseline)."""
        table = item_table(items, now or now_utc())
        marks = ", ".join("?" for _ in ITEM_SCHEMA.names)
        with self.transaction():
            self.con.executemany(
                f"INSERT INTO items ({ITEM_COLUMNS}) VALUES ({marks})",
                [list(row.values()) for row in table.to_pylist()],
            )
        return len(items)

    def get_item(self, item_id: str) -> Item:
        """The item with this id.

        Raises:
            NotFoundError: the bank holds no such item.
        """
        rows = self._rows(f"SELECT {ITEM_COLUMNS} FROM items WHERE id = ?", [item_id])
        if not rows:
            raise NotFoundError(f"no item {item_id!r} in the bank {self.path}")
        return decode_item(rows[0])

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
        where: list[str] = ["TRUE"]
        params: list[Any] = []
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
            f"SELECT {ITEM_COLUMNS} FROM items WHERE {' AND '.join(where)} ORDER BY created_at, id"
        )
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params.extend([int(limit), int(offset)])
        return [decode_item(r) for r in self._rows(sql, params)]

    def item_ids_by_hash(self, hashes: Iterable[str]) -> dict[str, str]:
        """The id of the stored item with each content hash, for the hashes the bank holds."""
        rows = self._q(
            "SELECT content_hash, id FROM items WHERE list_contains(?, content_hash)",
            [list(hashes)],
        )
        return {h: i for h, i in rows}

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of `ids` the bank holds."""
        rows = self._q("SELECT id FROM items WHERE list_contains(?, id)", [list(ids)])
        return {r[0] for r in rows}

    def content_hashes(self, exclude_run: str | None = None) -> set[str]:
        """Hashes of every item in the bank, optionally leaving out one run's own items."""
        rows = self._q(
            "SELECT content_hash FROM items WHERE run_id IS DISTINCT FROM ?", [exclude_run]
        )
        return {r[0] for r in rows}

    def counts_by_domain_status(self) -> dict[tuple[int, str], int]:
        """How many items each (domain, status) pair has; pairs with none are left out."""
        rows = self._q("SELECT domain, status, count(*) FROM items GROUP BY domain, status")
        return {(d, s): n for d, s, n in rows}

    def item_count(self) -> int:
        """How many items the bank holds."""
        row = self._one("SELECT count(*) FROM items")
        return int(row[0]) if row else 0

    def save_checks(self, items: Sequence[Item]) -> int:
        """Store what the checks found (flaws, when, by which version), in one transaction.

        Only those fields change: no review event is written (a change of findings that
        matters gets its own event from the caller). Returns how many items were updated.
        """
        if not items:
            return 0
        updated = 0
        with self.transaction():
            for item in items:
                rows = self._q(
                    "UPDATE items SET flaws = ?, checked_at = ?, checks_version = ? "
                    "WHERE id = ? RETURNING id",
                    [
                        to_json([f.model_dump() for f in item.flaws]),
                        item.checked_at,
                        item.checks_version,
                        item.id,
                    ],
                )
                updated += len(rows)
        return updated
