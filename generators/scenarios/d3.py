"""Domain 3 scenario families, gathered (each family lives in its own d3_<slug>.py)."""

from __future__ import annotations

from generators.scenarios import d3_mail, d3_reception, d3_scheduling, d3_telephone
from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = (
    *d3_scheduling.FAMILIES,
    *d3_reception.FAMILIES,
    *d3_telephone.FAMILIES,
    *d3_mail.FAMILIES,
)
