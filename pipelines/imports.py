"""Import and export use cases: item files into the bank, items out to LMS and study apps."""

from __future__ import annotations

from pathlib import Path

from bank.store.access import BankAccess
from bank.transfer import ImportReport, export_items, import_item_file
from pipelines.components import blueprint_for


def import_items(
    bank: BankAccess,
    path: Path,
    *,
    blueprint: Path | None = None,
    fallback_blueprint: Path | None = None,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    default_domain: int | None = None,
    status: str = "pending_review",
    skip_invalid: bool = False,
) -> ImportReport:
    """Import a file in one transaction: all or nothing, unless `skip_invalid`."""
    with bank.write() as store:
        bp = blueprint_for(store, blueprint, fallback_blueprint)
        return import_item_file(
            store,
            path,
            bp,
            fmt=fmt,
            mapping=mapping,
            default_domain=default_domain,
            status=status,
            skip_invalid=skip_invalid,
        )


def export(
    bank: BankAccess,
    fmt: str,
    path: Path,
    *,
    status: str | None = None,
    domain: int | None = None,
) -> int:
    """Write the bank's items (of a status and domain) to a file; returns how many."""
    with bank.read() as store:
        items = store.find_items(domain=domain, statuses=[status] if status else None)
    return export_items(items, fmt, path)
