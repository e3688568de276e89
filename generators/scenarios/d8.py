"""Domain 8 scenario families, gathered (each family lives in its own d8_<slug>.py)."""

from __future__ import annotations

from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = ()
