"""Domain 5 scenario families, gathered (each family lives in its own d5_<slug>.py)."""

from __future__ import annotations

from generators.scenarios import d5_cost_sharing
from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = (*d5_cost_sharing.FAMILIES,)
