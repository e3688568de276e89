"""Item file formats: readers yield raw records by line, writers take Items.

Readers never build Items themselves: `bank.records.parse_record` does, so that every
format means the same by each field.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

READ_FORMATS = ("jsonl", "csv", "gift")
WRITE_FORMATS = ("jsonl", "csv", "gift", "qti21", "anki")


@dataclass(frozen=True)
class RawRecord:
    """One record read from a file: its line, and the record or why it could not be read."""

    line: int
    record: dict[str, Any] | None
    error: str | None = None


def detect_format(path: Path, explicit: str | None = None) -> str:
    """The read format named explicitly, or guessed from the file's extension."""
    if explicit:
        return explicit
    suffix = path.suffix.lower().lstrip(".")
    return {"json": "jsonl", "ndjson": "jsonl", "txt": "gift", "tsv": "csv"}.get(suffix, suffix)


def read_records(path: Path, fmt: str) -> Iterator[RawRecord]:
    """Raw records of an item file; raises OSError/UnicodeDecodeError if it cannot be read."""
    text = path.read_text(encoding="utf-8-sig")
    if fmt == "jsonl":
        from bank.formats.jsonl import read_jsonl

        return read_jsonl(text)
    if fmt == "csv":
        from bank.formats.csvfile import read_csv

        return read_csv(text, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
    if fmt == "gift":
        from bank.formats.gift import read_gift

        return read_gift(text)
    raise ValueError(f"cannot read format {fmt!r}; readable formats: {', '.join(READ_FORMATS)}")
