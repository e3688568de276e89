"""Domain 7 scenario families, gathered (each family lives in its own d7_<slug>.py)."""

from __future__ import annotations

from generators.scenarios import d7_backups, d7_safeguards, d7_x12
from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = (
    *d7_backups.FAMILIES,
    *d7_x12.FAMILIES,
    *d7_safeguards.FAMILIES,
)
