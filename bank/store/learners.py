"""Learners in the bank: who they are, what they answered, and their study plans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from bank.errors import NotFoundError, StateError
from bank.models import Learner, Response
from bank.store.base import StoreBase, from_json, now_utc, to_json

_LEARNER_COLUMNS = "id, exam_date, hours_per_week, created_at, profile, updated_at"


def _learner(row: dict[str, Any]) -> Learner:
    """A Learner from a learners row: the profile JSON spread into its fields."""
    profile = from_json(row.pop("profile"), {}) or {}
    fields = {k: v for k, v in profile.items() if v is not None}
    return Learner(**row, **fields)


class LearnersMixin(StoreBase):
    """Learners, their responses (append-only) and their plans."""

    def add_learner(self, learner: Learner, now: datetime | None = None) -> None:
        """Record a new learner with their profile.

        Raises:
            StateError: a learner with this id exists already.
        """
        if self._one("SELECT 1 FROM learners WHERE id = ?", [learner.id]):
            raise StateError(f"learner {learner.id!r} exists already")
        when = now or now_utc()
        self._q(
            "INSERT INTO learners (id, exam_date, hours_per_week, created_at, profile, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                learner.id,
                learner.exam_date,
                learner.hours_per_week,
                when,
                to_json(learner.profile()),
                learner.updated_at,
            ],
        )

    def update_learner(self, learner: Learner, now: datetime | None = None) -> None:
        """Store a learner's new profile and when it changed (an unknown id changes nothing)."""
        self._q(
            "UPDATE learners SET exam_date = ?, hours_per_week = ?, profile = ?, updated_at = ?"
            " WHERE id = ?",
            [
                learner.exam_date,
                learner.hours_per_week,
                to_json(learner.profile()),
                now or learner.updated_at or now_utc(),
                learner.id,
            ],
        )

    def get_learner(self, learner_id: str) -> Learner:
        """The learner with this id.

        Raises:
            NotFoundError: the bank holds no such learner.
        """
        rows = self._rows(f"SELECT {_LEARNER_COLUMNS} FROM learners WHERE id = ?", [learner_id])
        if not rows:
            raise NotFoundError(f"no learner {learner_id!r} in the bank {self.path}")
        return _learner(rows[0])

    def learners(self) -> list[Learner]:
        """Every learner, by id."""
        return [
            _learner(r) for r in self._rows(f"SELECT {_LEARNER_COLUMNS} FROM learners ORDER BY id")
        ]

    def set_learner_token_hash(self, learner_id: str, token_hash: str) -> None:
        """Store the hash of a learner's token (replacing any earlier one).

        Raises:
            NotFoundError: the bank holds no such learner.
        """
        self.get_learner(learner_id)
        self._q("UPDATE learners SET token_hash = ? WHERE id = ?", [token_hash, learner_id])

    def learner_token_hashes(self) -> dict[str, str]:
        """Every learner link's token hash, with the learner it opens."""
        rows = self._q("SELECT token_hash, id FROM learners WHERE token_hash IS NOT NULL")
        return {h: i for h, i in rows}

    def learner_for_token_hash(self, token_hash: str) -> str | None:
        """The id of the learner whose token has this hash, or None."""
        found = self._one("SELECT id FROM learners WHERE token_hash = ?", [token_hash])
        return found[0] if found else None

    def save_responses(self, responses: Sequence[Response]) -> int:
        """Append responses in one transaction; an exact repeat of a stored one is skipped.

        Returns:
            How many responses were stored.
        """
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
                )
        finally:
            self.con.unregister("_batch_responses")
        return len(rows)

    def responses(self, learner_id: str | None = None) -> list[Response]:
        """Responses in the order they were answered, of one learner or of all."""
        sql = "SELECT learner_id, item_id, answered_at, correct, chosen, seconds FROM responses"
        params: list[Any] = []
        if learner_id is not None:
            sql += " WHERE learner_id = ?"
            params.append(learner_id)
        return [Response(**r) for r in self._rows(sql + " ORDER BY answered_at", params)]

    def save_plan(
        self, plan_id: str, learner_id: str, body: dict[str, Any], now: datetime | None = None
    ) -> None:
        """Store a learner's plan (its JSON body, as the plan spec writes it).

        A repeat of a stored id changes nothing (a journal replayed after a crash).
        """
        self._q(
            "INSERT OR IGNORE INTO plans VALUES (?, ?, ?, ?)",
            [plan_id, learner_id, now or now_utc(), to_json(body)],
        )

    def latest_plan(self, learner_id: str) -> tuple[datetime, dict[str, Any]] | None:
        """When the learner's newest plan was made, and its body; None when they have none."""
        row = self._one(
            "SELECT created_at, body FROM plans WHERE learner_id = ? "
            "ORDER BY created_at DESC LIMIT 1",
            [learner_id],
        )
        return (row[0], from_json(row[1], {})) if row else None

    def latest_plans(self) -> dict[str, tuple[datetime, str, dict[str, Any]]]:
        """Each learner's newest plan: when it was made, its id and its body."""
        rows = self._q(
            "SELECT learner_id, created_at, id, body FROM plans "
            "QUALIFY row_number() OVER (PARTITION BY learner_id ORDER BY created_at DESC, id DESC)"
            " = 1"
        )
        return {lid: (made, pid, from_json(body, {})) for lid, made, pid, body in rows}

    def save_learner_model(self, body: dict[str, Any]) -> None:
        """Store the fitted learner model (item difficulties and prior), replacing the last."""
        self._q("INSERT OR REPLACE INTO meta VALUES ('learner_model', ?)", [to_json(body)])

    def learner_model(self) -> dict[str, Any] | None:
        """The stored learner model's body, or None before the first fit."""
        row = self._one("SELECT value FROM meta WHERE key = 'learner_model'")
        found: dict[str, Any] | None = from_json(row[0], None) if row else None
        return found
