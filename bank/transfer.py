"""Importing item files into the bank and exporting items out of it.

An import reads and checks the whole file first; it writes only when nothing is wrong
(or, with `skip_invalid`, only the valid lines), in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bank.errors import BankError, InputError, Problem
from bank.formats import READ_FORMATS, WRITE_FORMATS, detect_format, read_records
from bank.models import Blueprint, Item
from bank.records import parse_record
from bank.store import Store


@dataclass
class ReadResult:
    """Items read from a file with their lines, and every problem found."""

    items: list[tuple[int, Item]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    records: int = 0

    def refuse_if_invalid(self, path: Path, skip_invalid: bool) -> None:
        """Raise InputError naming every problem, unless `skip_invalid` (or there is none)."""
        if self.problems and not skip_invalid:
            lines = len({p.line for p in self.problems})
            raise InputError(
                self.problems,
                f"{path}: {lines} of {self.records} records are invalid; nothing was imported "
                "(fix them, or pass --skip-invalid to import the valid ones)",
            )


@dataclass
class ImportReport:
    """What an import did: records read, ids stored, ids already there, lines skipped."""

    file: str
    records: int
    inserted: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    """Ids of stored items the checks found flaws in (near-duplicates and enemies too)."""


def read_item_file(
    path: Path,
    blueprint: Blueprint,
    *,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    default_domain: int | None = None,
    status: str | None = None,
) -> ReadResult:
    """Read every record of a file into Items; problems name file, line and field."""
    file = str(path)
    fmt = detect_format(path, fmt)
    if fmt not in READ_FORMATS:
        raise InputError(
            [Problem(f"unknown format {fmt!r}; use one of {', '.join(READ_FORMATS)}", file)]
        )
    try:
        raws = list(read_records(path, fmt))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else f"not UTF-8 text ({exc.reason})"
        raise InputError([Problem(f"cannot read the file: {reason}", file)]) from exc
    result = ReadResult(records=len(raws))
    first_line: dict[str, int] = {}
    for raw in raws:
        if raw.record is None:
            result.problems.append(Problem(raw.error or "unreadable", file, raw.line))
            continue
        parsed = parse_record(
            raw.record, blueprint, mapping=mapping, default_domain=default_domain, status=status
        )
        if parsed.item is None:
            result.problems.extend(
                Problem(p.message, file, raw.line, p.field) for p in parsed.problems
            )
            continue
        item_id = parsed.item.id
        if item_id in first_line:
            given = raw.record.get((mapping or {}).get("id", "id")) not in (None, "")
            message = (
                f"duplicate id {item_id!r} (first on line {first_line[item_id]})"
                if given
                else f"the same item as line {first_line[item_id]} (exact duplicate)"
            )
            result.problems.append(Problem(message, file, raw.line, "id"))
            continue
        first_line[item_id] = raw.line
        result.items.append((raw.line, parsed.item))
    return result


def import_item_file(
    store: Store,
    path: Path,
    blueprint: Blueprint,
    *,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    default_domain: int | None = None,
    status: str = "pending_review",
    skip_invalid: bool = False,
) -> ImportReport:
    """Import a file as read, unchecked: all or nothing, unless skip_invalid.

    The product's import (pipelines.imports.import_items) checks every item first; this one
    stores what it reads (the bank's throughput benchmark measures it).
    """
    read = read_item_file(
        path, blueprint, fmt=fmt, mapping=mapping, default_domain=default_domain, status=status
    )
    read.refuse_if_invalid(path, skip_invalid)
    saved = store.save_items([item for _, item in read.items])
    return ImportReport(str(path), read.records, saved.inserted, saved.existing, read.problems)


class EmptyExportError(BankError):
    """An export that matches no item: nothing is written (unless empty ones are allowed)."""


def export_items(
    items: list[Item], fmt: str, path: Path, *, excel: bool = False, allow_empty: bool = False
) -> int:
    """Write items to a file in one of WRITE_FORMATS; returns how many were written.

    `excel` (csv only) writes the spreadsheet variant (bank.formats.csvfile.dumps_csv).
    With no items it raises EmptyExportError and writes nothing, unless `allow_empty`:
    an empty file looks like a finished export to whoever imports it.
    """
    if fmt not in WRITE_FORMATS:
        raise InputError(
            [Problem(f"unknown format {fmt!r}; use one of {', '.join(WRITE_FORMATS)}")]
        )
    if excel and fmt != "csv":
        raise InputError([Problem(f"the spreadsheet variant is a CSV, not {fmt}")])
    if not items and not allow_empty:
        raise EmptyExportError(f"no items to export: {path} was not written")
    data: str | bytes
    if fmt == "jsonl":
        from bank.formats.jsonl import dumps_jsonl

        data = dumps_jsonl(items)
    elif fmt == "csv":
        from bank.formats.csvfile import dumps_csv

        data = dumps_csv(items, excel=excel)
    elif fmt == "gift":
        from bank.formats.gift import dumps_gift

        data = dumps_gift(items)
    elif fmt == "qti21":
        from bank.formats.qti import dumps_qti

        data = dumps_qti(items)
    else:
        from bank.formats.anki import dumps_anki

        data = dumps_anki(items)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    if isinstance(data, bytes):
        tmp.write_bytes(data)
    else:
        tmp.write_text(data, encoding="utf-8", newline="")  # line ends as the format wrote them
    tmp.replace(path)  # never leave a half-written export behind
    return len(items)
