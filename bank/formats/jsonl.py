"""JSON Lines: one item object a line (../shared/spec/item-format.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from bank.formats import RawRecord
from bank.models import Item


def read_jsonl(text: str) -> Iterator[RawRecord]:
    """Records of a JSON Lines text; blank lines are skipped, a bad line is an error.

    Lines end at a newline only: str.splitlines would also split at U+2028, U+0085 and
    other characters JSON carries unescaped inside strings.
    """
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRecord(number, None, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(value, dict):
            yield RawRecord(number, None, f"expected a JSON object, got {type(value).__name__}")
            continue
        yield RawRecord(number, value)


def dumps_jsonl(items: Iterable[Item]) -> str:
    """The items as JSON Lines, one record (Item.to_record) a line."""
    return "".join(json.dumps(it.to_record(), ensure_ascii=False) + "\n" for it in items)
