"""Domain 4 scenario families, gathered (each family lives in its own d4_<slug>.py)."""

from __future__ import annotations

from generators.scenarios import (
    d4_alphabetic,
    d4_breach,
    d4_corrections,
    d4_numeric,
    d4_release,
)
from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = (
    *d4_alphabetic.FAMILIES,
    *d4_numeric.FAMILIES,
    *d4_corrections.FAMILIES,
    *d4_breach.FAMILIES,
    *d4_release.FAMILIES,
)
