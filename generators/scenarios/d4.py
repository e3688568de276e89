"""Domain 4 scenario families, gathered (each family lives in its own d4_<slug>.py)."""

from __future__ import annotations

from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = ()
