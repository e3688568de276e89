"""CSV: one row an item, one column per option; structured fields as JSON cells."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from bank.formats import RawRecord
from bank.models import LETTERS, Item

OPTION_COLUMNS = [f"option_{letter.lower()}" for letter in LETTERS]
COLUMNS = [
    "id",
    "domain",
    "topic",
    "stem",
    *OPTION_COLUMNS,
    "answer",
    "rationale",
    "sources",
    "difficulty",
    "bloom",
    "enemy_group",
    "status",
    "provenance",
    "flaws",
    "reasons",
    "extra",
]
JSON_COLUMNS = {"sources", "provenance", "flaws", "reasons", "extra"}


def read_csv(text: str, delimiter: str = ",") -> Iterator[RawRecord]:
    r"""Records of a CSV (or, with `delimiter="\t"`, TSV) text with a header row.

    Blank rows are skipped; a row with more cells than the header, or a JSON column
    that does not parse, is yielded as an error for its line.
    """
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if reader.fieldnames is None:
        return
    for row in reader:
        line = reader.line_num
        if None in row:
            yield RawRecord(
                line,
                None,
                f"row has {len(row[None]) + len(reader.fieldnames)} "
                f"cells but the header has {len(reader.fieldnames)}",
            )
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        record: dict[str, Any] = {}
        error = None
        for key, value in row.items():
            if value is None or value == "":
                continue
            if key in JSON_COLUMNS:
                try:
                    decoded = json.loads(value)
                except json.JSONDecodeError:
                    error = f"column {key!r} is not valid JSON"
                    break
                if key == "extra" and isinstance(decoded, dict):
                    record.update(decoded)
                else:
                    record[key] = decoded
            else:
                record[key] = value
        if error:
            yield RawRecord(line, None, error)
            continue
        _collect_options(record)
        yield RawRecord(line, record)


def _collect_options(record: dict[str, Any]) -> None:
    """Gather option columns (option_a..d, or A..D) into `options`."""
    for names in (OPTION_COLUMNS, list(LETTERS), [x.lower() for x in LETTERS]):
        if any(n in record for n in names) and "options" not in record:
            record["options"] = {
                letter: record.pop(n, "") for letter, n in zip(LETTERS, names, strict=True)
            }
            return
    if isinstance(record.get("options"), str):
        with contextlib.suppress(json.JSONDecodeError):  # left as text: parse_record reports it
            record["options"] = json.loads(record["options"])


# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV
# injection"): "=ADJ -25" would be computed, "-25" too, "@SUM(...)" would run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralize(cell: str) -> str:
    """A cell a spreadsheet shows as text: a leading apostrophe before a formula start."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def dumps_csv(items: Iterable[Item], *, excel: bool = False) -> str:
    """The items as CSV text: a header of COLUMNS, then one row an item.

    The default is lossless (it imports back as it was). `excel` makes a file for
    spreadsheets: a UTF-8 byte order mark (without it Excel reads UTF-8 as the local code
    page: é, – and ’ come out garbled), CR LF line ends, and every cell that starts like a
    formula prefixed with an apostrophe, so that it shows as text. That file is for reading;
    it does not import back unchanged.
    """
    out = io.StringIO(newline="")
    if excel:
        out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n" if excel else "\n")
    writer.writeheader()
    for it in items:
        row: dict[str, Any] = {
            "id": it.id,
            "domain": it.domain,
            "topic": it.topic or "",
            "stem": it.stem,
            "answer": it.answer,
            "rationale": it.rationale or "",
            "sources": json.dumps([s.model_dump() for s in it.sources], ensure_ascii=False),
            "difficulty": it.difficulty or "",
            "bloom": it.bloom or "",
            "status": it.status,
            "provenance": json.dumps(
                it.provenance.model_dump(exclude_defaults=True), ensure_ascii=False
            ),
            "flaws": json.dumps([f.model_dump() for f in it.flaws], ensure_ascii=False),
            "reasons": json.dumps(it.reasons, ensure_ascii=False),
            "extra": json.dumps(it.extra, ensure_ascii=False) if it.extra else "",
        }
        for column, option in zip(OPTION_COLUMNS, it.options, strict=True):
            row[column] = option
        if excel:
            row = {k: neutralize(v) if isinstance(v, str) else v for k, v in row.items()}
        writer.writerow(row)
    return out.getvalue()
