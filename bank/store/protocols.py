"""What the learner use cases need of a bank: the `Store` or a server's `Replica`.

`Store` (one DuckDB connection) and `bank.store.replica.Replica` (a server's in-memory
copy with journaled writes) both satisfy `LearnerStore`, so mastery, practice and plans
run the same code in the CLI, in a flow and in the web app.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from bank.models import Blueprint, Item, Learner, Response


class LearnerStore(Protocol):
    """The reads and writes of learners' answers, plans and profiles."""

    def get_learner(self, learner_id: str) -> Learner:
        """The learner with this id (NotFoundError when unknown)."""
        ...

    def learners(self) -> list[Learner]:
        """Every learner, by id."""
        ...

    def responses(self, learner_id: str | None = None) -> list[Response]:
        """Responses in the order they were answered, of one learner or of all."""
        ...

    def get_item(self, item_id: str) -> Item:
        """The item with this id (NotFoundError when unknown)."""
        ...

    def find_items(
        self,
        *,
        domain: int | None = None,
        statuses: Iterable[str] | None = None,
        ids: Iterable[str] | None = None,
    ) -> list[Item]:
        """Items filtered by domain, statuses and ids."""
        ...

    def latest_plan(self, learner_id: str) -> tuple[datetime, dict[str, Any]] | None:
        """When the learner's newest plan was made, and its body."""
        ...

    def learner_model(self) -> dict[str, Any] | None:
        """The stored learner model's body, or None before the first fit."""
        ...

    def active_blueprint(self) -> Blueprint | None:
        """The bank's blueprint, or None."""
        ...

    def save_responses(self, responses: Sequence[Response]) -> int:
        """Append responses; exact repeats are skipped. Returns how many were new."""
        ...

    def save_plan(
        self, plan_id: str, learner_id: str, body: dict[str, Any], now: datetime | None = None
    ) -> None:
        """Store a learner's plan."""
        ...

    def update_learner(self, learner: Learner, now: datetime | None = None) -> None:
        """Store a learner's new profile."""
        ...


class SessionStore(LearnerStore, Protocol):
    """A `LearnerStore` that also keeps practice sessions (records as JSON objects)."""

    def practice_session(self, session_id: str) -> dict[str, Any] | None:
        """The session record with this id, or None."""
        ...

    def practice_sessions(self, learner_id: str | None = None) -> list[dict[str, Any]]:
        """Session records, oldest first, of one learner or of all."""
        ...

    def save_practice_session(self, record: dict[str, Any]) -> None:
        """Store a session record; the newest revision of a session wins."""
        ...
