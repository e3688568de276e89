"""`validate FILE`: check every line of an item file per ../shared/spec/item-format.md.

Every line that parses gets the flaw and duplicate checks its fields allow, whatever
its status, so a writer can fix everything at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bank.errors import InputError, Problem
from bank.formats import detect_format, read_records
from bank.models import LETTERS, Blueprint, Flaw, Item
from bank.notes import NoteSet
from bank.records import parse_record
from bank.text import normalize_text
from validators.detector import Detector, DuplicateRef, ExactDetector
from validators.flaws import check_flaws
from validators.report import status_of


@dataclass
class LineResult:
    """The verdict on one record of a file: its line, id, status, and what was found."""

    line: int
    id: str | None
    status: str
    errors: list[str] = field(default_factory=list)
    flaws: list[Flaw] = field(default_factory=list)
    duplicates: list[DuplicateRef] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The result as JSON-ready data (similarities rounded to 3 places)."""
        return {
            "line": self.line,
            "id": self.id,
            "status": self.status,
            "errors": self.errors,
            "flaws": [f.model_dump() for f in self.flaws],
            "duplicates": [
                {"of": d.of, "kind": d.kind, "similarity": round(d.similarity, 3)}
                for d in self.duplicates
            ],
        }


def _probe(fields: dict[str, Any], record: dict[str, Any]) -> Item | None:
    """An item good enough for duplicate checks, even when the record was rejected."""
    stem, options, answer = fields.get("stem"), fields.get("options"), fields.get("answer")
    if not (isinstance(stem, str) and stem.strip() and options and answer in LETTERS):
        return None
    if (
        len(options) != 4
        or len({normalize_text(o) for o in options}) < 4
        or not all(o.strip() for o in options)
    ):
        return None
    return Item(domain=fields.get("domain") or 1, stem=stem, options=options, answer=answer)


def validate_file(
    path: Path,
    blueprint: Blueprint,
    *,
    bank: list[Item] | None = None,
    detector: Detector | None = None,
    notes: NoteSet | None = None,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    default_domain: int | None = None,
) -> list[LineResult]:
    """One result per record of the file, in order. Raises InputError if it cannot be read."""
    fmt = detect_format(path, fmt)
    try:
        raws = list(read_records(path, fmt))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise InputError([Problem(f"cannot read the file: {reason}", str(path))]) from exc

    results: list[LineResult] = []
    probes: list[tuple[int, Item, str]] = []  # (result index, item, label)
    for raw in raws:
        if raw.record is None:
            results.append(
                LineResult(raw.line, None, "rejected", [f"line {raw.line}: {raw.error}"])
            )
            continue
        given_id = raw.record.get((mapping or {}).get("id", "id"))
        given_id = str(given_id) if given_id not in (None, "") else None
        parsed = parse_record(raw.record, blueprint, mapping=mapping, default_domain=default_domain)
        errors = [
            f"line {raw.line}" + (f" [{p.field}]" if p.field else "") + f": {p.message}"
            for p in parsed.problems
        ]
        fields = parsed.fields
        flaws: list[Flaw] = []
        if isinstance(fields.get("stem"), str) and isinstance(fields.get("options"), list):
            flaws = check_flaws(fields["stem"], fields["options"], fields.get("answer"))
        if parsed.item is not None and notes is not None and parsed.item.generated:
            from validators.grounding import grounding_flaws

            flaws += grounding_flaws(parsed.item, notes)
        results.append(
            LineResult(raw.line, given_id, "rejected" if errors else "clean", errors, flaws)
        )
        probe = parsed.item or _probe(fields, raw.record)
        if probe is not None:
            probes.append((len(results) - 1, probe, given_id or f"line:{raw.line}"))

    if probes:
        found = (detector or ExactDetector()).find(
            [p[1] for p in probes], bank or [], [p[2] for p in probes]
        )
        for (index, _, _), dups in zip(probes, found, strict=True):
            results[index].duplicates = dups
    for r in results:
        r.status = status_of(r.errors, r.duplicates, r.flaws)
    return results
