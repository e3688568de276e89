"""Domain 6 scenario families, gathered (each family lives in its own d6_<slug>.py)."""

from __future__ import annotations

from generators.scenarios import (
    d6_bank_reconciliation,
    d6_collections,
    d6_patient_ledger,
    d6_payroll,
    d6_petty_cash,
)
from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = (
    *d6_payroll.FAMILIES,
    *d6_petty_cash.FAMILIES,
    *d6_bank_reconciliation.FAMILIES,
    *d6_patient_ledger.FAMILIES,
    *d6_collections.FAMILIES,
)
