"""The review workflow in the bank: the queue, assignments, decisions and reviewers.

Review events are append-only: no method updates or deletes one. Every change of an
item's content or status goes with its event, in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bank.errors import NotFoundError, StateError
from bank.models import Item, ReviewEvent
from bank.store.base import StoreBase, from_json, now_utc, to_json
from bank.store.items import ITEM_COLUMNS, decode_item


def insert_event(db: StoreBase, event: ReviewEvent) -> None:
    """Append one review event; the caller holds the transaction it belongs to."""
    db._q(
        "INSERT INTO review_events (item_id, reviewer, decided_at, decision, reason, note,"
        " before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            event.item_id,
            event.reviewer,
            event.at,
            event.decision,
            event.reason,
            event.note,
            to_json(event.before),
            to_json(event.after),
        ],
    )


class ReviewsMixin(StoreBase):
    """The review queue, assignments, review events and reviewers."""

    def review_queue(
        self, *, domain: int | None = None, reviewer: str | None = None, limit: int = 1
    ) -> list[Item]:
        """Pending items for a reviewer: assigned to them first, then unassigned, oldest first.

        Items the reviewer already voted on in double review are left for someone else.
        """
        rows = self._rows(
            f"""
            SELECT {ITEM_COLUMNS} FROM items
            WHERE status = 'pending_review'
              AND (? IS NULL OR domain = ?)
              AND (assigned_to IS NULL OR ? IS NULL OR assigned_to = ?)
              AND id NOT IN (SELECT item_id FROM review_events
                             WHERE reviewer = ? AND decision IN ('approve', 'reject'))
            ORDER BY (assigned_to IS NULL), created_at, id
            LIMIT ?
            """,
            [domain, domain, reviewer, reviewer, reviewer or "", int(limit)],
        )
        return [decode_item(r) for r in rows]

    def assignee(self, item_id: str) -> str | None:
        """Who the item is assigned to (None when unassigned or not in the bank)."""
        row = self._one("SELECT assigned_to FROM items WHERE id = ?", [item_id])
        return row[0] if row else None

    def update_item(
        self, item: Item, event: ReviewEvent, *, assigned_to: str | None = None
    ) -> None:
        """Replace an item's content and status and append its review event, atomically.

        Raises:
            NotFoundError: the bank holds no item with this id (nothing is written).
        """
        p = item.provenance
        with self.transaction():
            old = self._one("SELECT content_hash FROM items WHERE id = ?", [item.id])
            if old is not None and old[0] != item.content_hash:
                # an edited item's stored vectors describe its old text
                self._q("DELETE FROM embeddings WHERE item_id = ?", [item.id])
            updated = self._q(
                """
                UPDATE items SET content_hash = ?, domain = ?, topic = ?, stem = ?, options = ?,
                    answer = ?, rationale = ?, sources = ?, difficulty = ?, bloom = ?, extra = ?,
                    status = ?, flaws = ?, reasons = ?, notes = ?, enemy_group = ?,
                    checked_at = ?, checks_version = ?,
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
                    to_json([s.model_dump() for s in item.sources]),
                    item.difficulty,
                    item.bloom,
                    to_json(item.extra),
                    item.status,
                    to_json([f.model_dump() for f in item.flaws]),
                    to_json(item.reasons),
                    list(p.notes),
                    item.enemy_group,
                    item.checked_at,
                    item.checks_version,
                    assigned_to,
                    event.at,
                    item.id,
                ],
            )
            if not updated:
                raise NotFoundError(f"no item {item.id!r} in the bank {self.path}")
            insert_event(self, event)

    def assign(self, item_ids: Sequence[str], reviewer: str, event_at: datetime, by: str) -> int:
        """Assign pending items to a reviewer; each assignment is an event.

        Returns:
            How many items were assigned (those not pending review are left alone).
        """
        with self.transaction():
            rows = self._q(
                "UPDATE items SET assigned_to = ?, updated_at = ? "
                "WHERE list_contains(?, id) AND status = 'pending_review' RETURNING id",
                [reviewer, event_at, list(item_ids)],
            )
            for (item_id,) in rows:
                insert_event(
                    self,
                    ReviewEvent(
                        item_id=item_id,
                        reviewer=by,
                        at=event_at,
                        decision="assign",
                        note=f"assigned to {reviewer}",
                    ),
                )
        return len(rows)

    def add_event(self, event: ReviewEvent) -> None:
        """Append one review event in its own transaction."""
        with self.transaction():
            insert_event(self, event)

    def events(self, item_id: str | None = None) -> list[ReviewEvent]:
        """Review events in the order they were recorded, of one item or of all."""
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
                before=from_json(r["before"], None),
                after=from_json(r["after"], None),
            )
            for r in rows
        ]

    def add_reviewer(self, name: str, token_hash: str, now: datetime | None = None) -> None:
        """Record a reviewer and the hash of their token.

        Raises:
            StateError: a reviewer of this name exists already.
        """
        if self._one("SELECT 1 FROM reviewers WHERE name = ?", [name]):
            raise StateError(f"reviewer {name!r} exists already")
        self._q("INSERT INTO reviewers VALUES (?, ?, ?)", [name, token_hash, now or now_utc()])

    def reviewer_for_token_hash(self, token_hash: str) -> str | None:
        """The reviewer whose token has this hash, or None."""
        found = self._one("SELECT name FROM reviewers WHERE token_hash = ?", [token_hash])
        return found[0] if found else None

    def reviewers(self) -> list[str]:
        """Every reviewer's name, sorted."""
        return [r[0] for r in self._q("SELECT name FROM reviewers ORDER BY name")]
