"""The review workflow in the bank: the queue, assignments, decisions and reviewers.

Review events are append-only: no method updates or deletes one. Every change of an
item's content or status goes with its event, in one transaction. An event written by a
server's journal carries an id (`event_id`), so replaying it writes it once.

A reviewer's sessions carry the reviewer's session generation: signing out raises it,
rotating the token raises it, removing the reviewer drops the row, and a session whose
generation or token hash is no longer the reviewer's is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bank.errors import NotFoundError, StateError
from bank.models import Item, ReviewEvent
from bank.store.base import StoreBase, from_json, now_utc, to_json
from bank.store.items import ITEM_COLUMNS, decode_item

VOIDING = ("reopen", "requeue")
"""Decisions that, right after a reviewer's own vote on an item, take that vote back."""


@dataclass(frozen=True)
class ReviewerRecord:
    """A reviewer as the bank keeps them: the token's hash and the session generation."""

    name: str
    token_hash: str
    generation: int
    created_at: datetime


def insert_event(db: StoreBase, event: ReviewEvent, event_id: str | None = None) -> None:
    """Append one review event; the caller holds the transaction it belongs to."""
    db._q(
        "INSERT INTO review_events (item_id, reviewer, decided_at, decision, reason, note,"
        " before, after, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            event.item_id,
            event.reviewer,
            event.at,
            event.decision,
            event.reason,
            event.note,
            to_json(event.before),
            to_json(event.after),
            event_id,
        ],
    )


class ReviewsMixin(StoreBase):
    """The review queue, assignments, review events and reviewers."""

    def review_queue(
        self, *, domain: int | None = None, reviewer: str | None = None, limit: int = 1
    ) -> list[Item]:
        """Pending items for a reviewer: assigned to them first, then unassigned, oldest first.

        Items the reviewer already voted on in double review are left for someone else,
        unless the reviewer took the vote back (their own reopen or requeue right after it).
        """
        rows = self._rows(
            f"""
            SELECT {ITEM_COLUMNS} FROM items
            WHERE status = 'pending_review'
              AND (? IS NULL OR domain = ?)
              AND (assigned_to IS NULL OR ? IS NULL OR assigned_to = ?)
              AND id NOT IN (
                SELECT item_id FROM (
                  SELECT item_id, reviewer, decision,
                         lead(decision) OVER w AS next_decision,
                         lead(reviewer) OVER w AS next_reviewer
                  FROM review_events WINDOW w AS (PARTITION BY item_id ORDER BY seq))
                WHERE reviewer = ? AND decision IN ('approve', 'reject')
                  AND NOT (list_contains(?, coalesce(next_decision, ''))
                           AND next_reviewer = reviewer))
            ORDER BY (assigned_to IS NULL), created_at, id
            LIMIT ?
            """,
            [domain, domain, reviewer, reviewer, reviewer or "", list(VOIDING), int(limit)],
        )
        return [decode_item(r) for r in rows]

    def assignee(self, item_id: str) -> str | None:
        """Who the item is assigned to (None when unassigned or not in the bank)."""
        row = self._one("SELECT assigned_to FROM items WHERE id = ?", [item_id])
        return row[0] if row else None

    def update_item(
        self,
        item: Item,
        event: ReviewEvent,
        *,
        assigned_to: str | None = None,
        event_id: str | None = None,
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
            insert_event(self, event, event_id)

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

    def assign_item(
        self, item_id: str, reviewer: str, event: ReviewEvent, event_id: str | None = None
    ) -> bool:
        """Assign one pending item with a given event (a server's journaled assignment).

        Returns:
            Whether the item was assigned (False when it is not pending review).
        """
        with self.transaction():
            rows = self._q(
                "UPDATE items SET assigned_to = ?, updated_at = ? "
                "WHERE id = ? AND status = 'pending_review' RETURNING id",
                [reviewer, event.at, item_id],
            )
            if rows:
                insert_event(self, event, event_id)
        return bool(rows)

    def assignments(self) -> dict[str, str]:
        """Who each assigned item is assigned to, by item id."""
        return dict(self._q("SELECT id, assigned_to FROM items WHERE assigned_to IS NOT NULL"))

    def held_event_ids(self, event_ids: Iterable[str]) -> set[str]:
        """Those of `event_ids` whose event the bank holds already."""
        wanted = list(event_ids)
        if not wanted:
            return set()
        rows = self._q(
            "SELECT event_id FROM review_events WHERE list_contains(?, event_id)", [wanted]
        )
        return {r[0] for r in rows}

    def add_reviewer(self, name: str, token_hash: str, now: datetime | None = None) -> None:
        """Record a reviewer and the hash of their token.

        Raises:
            StateError: a reviewer of this name exists already.
        """
        if self._one("SELECT 1 FROM reviewers WHERE name = ?", [name]):
            raise StateError(f"reviewer {name!r} exists already")
        self._q(
            "INSERT INTO reviewers (name, token_hash, created_at, session_gen) VALUES (?, ?, ?, 0)",
            [name, token_hash, now or now_utc()],
        )

    def reviewer_records(self) -> list[ReviewerRecord]:
        """Every reviewer with their token hash and session generation, by name."""
        rows = self._q(
            "SELECT name, token_hash, coalesce(session_gen, 0), created_at FROM reviewers "
            "ORDER BY name"
        )
        return [ReviewerRecord(n, h, int(g), c) for n, h, g, c in rows]

    def rotate_reviewer_token(self, name: str, token_hash: str) -> None:
        """Give a reviewer a new token; every session signed in with the old one ends.

        Raises:
            NotFoundError: no reviewer of this name.
        """
        rows = self._q(
            "UPDATE reviewers SET token_hash = ?, session_gen = coalesce(session_gen, 0) + 1 "
            "WHERE name = ? RETURNING name",
            [token_hash, name],
        )
        if not rows:
            raise NotFoundError(f"no reviewer {name!r} in the bank {self.path}")

    def remove_reviewer(self, name: str) -> None:
        """Remove a reviewer: their sessions end, their past review events stay.

        Raises:
            NotFoundError: no reviewer of this name.
        """
        if not self._q("DELETE FROM reviewers WHERE name = ? RETURNING name", [name]):
            raise NotFoundError(f"no reviewer {name!r} in the bank {self.path}")

    def end_sessions(self, name: str, generation: int) -> None:
        """End a reviewer's sessions older than `generation` (sign-out; repeats are no-ops)."""
        self._q(
            "UPDATE reviewers SET session_gen = greatest(coalesce(session_gen, 0), ?) "
            "WHERE name = ?",
            [int(generation), name],
        )

    def reviewer_for_token_hash(self, token_hash: str) -> str | None:
        """The reviewer whose token has this hash, or None."""
        found = self._one("SELECT name FROM reviewers WHERE token_hash = ?", [token_hash])
        return found[0] if found else None

    def reviewers(self) -> list[str]:
        """Every reviewer's name, sorted."""
        return [r[0] for r in self._q("SELECT name FROM reviewers ORDER BY name")]
