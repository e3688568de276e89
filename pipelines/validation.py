"""The `validate FILE` use case: check a file's items against the spec and the bank."""

from __future__ import annotations

from pathlib import Path

from bank.models import Blueprint, Item
from bank.store.access import BankAccess
from pipelines.components import build_detector
from validators.file_check import LineResult, validate_file

POOL_STATUSES = ["approved", "pending_review"]


def validate_items_file(
    path: Path,
    blueprint: Blueprint,
    *,
    bank: BankAccess | None = None,
    mapping: dict[str, str] | None = None,
    default_domain: int | None = None,
) -> list[LineResult]:
    """One result per record of the file: schema, flaws and duplicates.

    Duplicates are sought inside the file and among the bank's approved and pending
    items (when a bank is given).
    """
    pool: list[Item] = []
    if bank is not None:
        with bank.read() as store:
            pool = store.find_items(statuses=POOL_STATUSES)
    return validate_file(
        path,
        blueprint,
        bank=pool,
        detector=build_detector(bank.path if bank is not None and pool else None),
        mapping=mapping,
        default_domain=default_domain,
    )
