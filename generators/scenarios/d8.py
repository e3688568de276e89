"""Domain 8 scenario families, gathered (each family lives in its own d8_<slug>.py)."""

from __future__ import annotations

from generators.scenarios import d8_fmla, d8_i9, d8_inventory, d8_osha
from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = (
    *d8_fmla.FAMILIES,
    *d8_i9.FAMILIES,
    *d8_osha.FAMILIES,
    *d8_inventory.FAMILIES,
)
