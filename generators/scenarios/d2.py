"""Domain 2 scenario families, gathered (each family lives in its own d2_<slug>.py)."""

from __future__ import annotations

from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = ()
