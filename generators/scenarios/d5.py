"""Domain 5 scenario families, gathered (each family lives in its own d5_<slug>.py)."""

from __future__ import annotations

from generators.scenarios import (
    d5_appeals,
    d5_cost_sharing,
    d5_outpatient_dx,
    d5_payer_order,
    d5_timely_filing,
)
from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = (
    *d5_cost_sharing.FAMILIES,
    *d5_payer_order.FAMILIES,
    *d5_timely_filing.FAMILIES,
    *d5_appeals.FAMILIES,
    *d5_outpatient_dx.FAMILIES,
)
