"""Domain 1 scenario families, gathered (each family lives in its own d1_<slug>.py)."""

from __future__ import annotations

from generators.scenarios import d1_consent, d1_do_not_use, d1_word_building
from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = (
    *d1_word_building.FAMILIES,
    *d1_do_not_use.FAMILIES,
    *d1_consent.FAMILIES,
)
