"""Import and export use cases: item files into the bank, items out to LMS and study apps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bank.store.access import BankAccess
from bank.transfer import ImportReport, export_items, read_item_file
from pipelines.components import blueprint_for
from validators.detector import Detector, ExactDetector
from validators.report import validate_batch

POOL_STATUSES = ["approved", "pending_review"]

EXPORT_DEFAULT_STATUS = "approved"


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
    detector: Detector | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Import a file: every item checked, then stored in one transaction.

    All or nothing, unless `skip_invalid`. Each item gets the checks of a generated one
    (the flaw rules, near-duplicates and enemies among the bank's live items of every
    domain and the file's other items) and is stored with what they found, so the queue
    never calls an unchecked item clean. The bank is not held while the checks run.
    """
    with bank.write() as store:  # creates and migrates a new bank
        bp = blueprint_for(store, blueprint, fallback_blueprint)
        pool = store.find_items(statuses=POOL_STATUSES)
    read = read_item_file(
        path, bp, fmt=fmt, mapping=mapping, default_domain=default_domain, status=status
    )
    read.refuse_if_invalid(path, skip_invalid)
    items = [item for _, item in read.items]
    report = validate_batch(items, bp, bank=pool, detector=detector or ExactDetector())
    checked = report.checked(now or datetime.now(UTC))
    with bank.write() as store:
        saved = store.save_items(checked)
    stored = set(saved.inserted)
    flagged = [it.id for it in checked if it.flaws and it.id in stored]
    return ImportReport(
        str(path), read.records, saved.inserted, saved.existing, read.problems, flagged
    )


def export(
    bank: BankAccess,
    fmt: str,
    path: Path,
    *,
    status: str | None = None,
    domain: int | None = None,
) -> int:
    """Write the bank's items (of a status and domain) to a file; returns how many.

    Without a status only approved items go out: an export is for learners (an LMS, a
    study app), and a candidate, a pending or a rejected item (a failed generation's
    placeholder among them) is not for them.
    """
    with bank.read() as store:
        items = store.find_items(domain=domain, statuses=[status or EXPORT_DEFAULT_STATUS])
    return export_items(items, fmt, path)
