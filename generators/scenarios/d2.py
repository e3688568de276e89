"""Domain 2 scenario families, gathered (each family lives in its own d2_<slug>.py)."""

from __future__ import annotations

from generators.scenarios import (
    d2_blood_pressure,
    d2_bmi,
    d2_controlled_refills,
    d2_exposure_incident,
    d2_hand_hygiene_ppe,
)
from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = (
    *d2_blood_pressure.FAMILIES,
    *d2_hand_hygiene_ppe.FAMILIES,
    *d2_bmi.FAMILIES,
    *d2_controlled_refills.FAMILIES,
    *d2_exposure_incident.FAMILIES,
)
