"""The exam blueprint the bank was loaded with (one is active at a time)."""

from __future__ import annotations

from datetime import datetime

from bank.models import Blueprint
from bank.store.base import StoreBase, now_utc


class BlueprintsMixin(StoreBase):
    """Saving blueprints and reading the active one."""

    def save_blueprint(self, blueprint: Blueprint, now: datetime | None = None) -> None:
        """Store a blueprint and make it the bank's active one."""
        with self.transaction():
            self._q(
                "INSERT OR REPLACE INTO blueprints VALUES (?, ?, ?, ?)",
                [blueprint.id, blueprint.name, blueprint.model_dump_json(), now or now_utc()],
            )
            self._q("INSERT OR REPLACE INTO meta VALUES ('blueprint', ?)", [blueprint.id])

    def active_blueprint(self) -> Blueprint | None:
        """The blueprint the bank was last loaded with, or None before `cmasprep init`."""
        row = self._one(
            "SELECT b.body FROM blueprints b JOIN meta m ON m.key = 'blueprint' AND m.value = b.id"
        )
        return Blueprint.model_validate_json(row[0]) if row else None
