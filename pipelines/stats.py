"""Coverage statistics: items per domain and status against the blueprint's targets."""

from __future__ import annotations

from typing import Any

from bank.models import STATUSES, Blueprint
from bank.store import Store
from bank.store.access import BankAccess


def coverage_record(store: Store, blueprint: Blueprint) -> dict[str, Any]:
    """Per domain: name, weight, target count and the number of items in each status."""
    counts = store.counts_by_domain_status()
    domains = {}
    for d in blueprint.domains:
        entry: dict[str, Any] = {"name": d.name, "weight": d.weight, "target": d.count}
        entry.update({s: counts.get((d.number, s), 0) for s in STATUSES})
        domains[str(d.number)] = entry
    return {"blueprint": blueprint.id, "domains": domains, "total": sum(counts.values())}


def coverage(bank: BankAccess) -> dict[str, Any]:
    """The coverage record of a bank against its own blueprint (CMAS's when it has none)."""
    from pipelines.components import blueprint_for

    with bank.read() as store:
        return coverage_record(store, blueprint_for(store))
