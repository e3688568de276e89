"""Moodle GIFT: multiple-choice questions in plain text.

GIFT has no field for a domain, sources or provenance, so the writer puts them in a
`// cmasprep: {json}` comment above each question (Moodle ignores comments) and the
reader takes them back: a bank round-trips through GIFT with no loss, and plain GIFT
files from elsewhere still import (with `--domain` or a `$CATEGORY` naming one).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from bank.formats import RawRecord
from bank.models import LETTERS, Item

META_PREFIX = "// cmasprep:"
_SPECIAL = set("~=#{}:\\")
_FORMAT = re.compile(r"^\[(html|markdown|plain|moodle)\]", re.IGNORECASE)


def escape(text: str) -> str:
    r"""Escape GIFT's special characters and write line breaks as `\n`."""
    out = "".join("\\" + c if c in _SPECIAL else c for c in text)
    return out.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def unescape(text: str) -> str:
    r"""Undo `escape`: drop the backslashes and turn `\n` back into line breaks."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _find(text: str, token: str, start: int = 0) -> int:
    """Index of the first unescaped `token` at or after start, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(token, i):
            return i
        i += 1
    return -1


def _split_answers(body: str) -> list[tuple[str, str]]:
    """[(marker, text)] for each `=`/`~` answer of an answer block."""
    answers: list[tuple[str, str]] = []
    i, current, marker = 0, [], None
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            current.append(body[i : i + 2])
            i += 2
            continue
        if c in "=~":
            if marker is not None:
                answers.append((marker, "".join(current)))
            marker, current = c, []
        else:
            current.append(c)
        i += 1
    if marker is not None:
        answers.append((marker, "".join(current)))
    return answers


def _parse_question(text: str) -> dict[str, Any]:
    text = text.strip()
    record: dict[str, Any] = {}
    if text.startswith("::"):
        end = _find(text, "::", 2)
        if end < 0:
            raise ValueError("the title's closing '::' is missing")
        record["id"] = unescape(text[2:end]).strip()
        text = text[end + 2 :].lstrip()
    match = _FORMAT.match(text)
    if match:
        text = text[match.end() :]
    open_at = _find(text, "{")
    close_at = _find(text, "}", open_at + 1) if open_at >= 0 else -1
    if open_at < 0 or close_at < 0:
        raise ValueError("no answer block { ... }")
    if text[close_at + 1 :].strip():
        raise ValueError("text after the answer block (fill-in questions are not supported)")
    record["stem"] = unescape(text[:open_at]).strip()
    body = text[open_at + 1 : close_at]
    general = _find(body, "####")
    if general >= 0:
        record["rationale"] = unescape(body[general + 4 :]).strip()
        body = body[:general]
    answers = _split_answers(body)
    if not answers:
        raise ValueError("not a multiple-choice question (no = or ~ answers)")
    options: list[str] = []
    keyed: list[int] = []  # indexes of the options marked correct
    for marker, raw in answers:
        feedback = _find(raw, "#")
        if feedback >= 0:
            raw = raw[:feedback]
        weight = re.match(r"^%(-?\d+(?:\.\d+)?)%", raw)
        if weight:
            raw = raw[weight.end() :]
        correct = marker == "=" or (weight is not None and float(weight.group(1)) == 100)
        if "->" in raw and marker == "=":
            raise ValueError("a matching question, not multiple choice")
        if correct:
            keyed.append(len(options))
        options.append(unescape(raw).strip())
    if len(keyed) != 1:
        raise ValueError(f"expected exactly one correct answer (=), found {len(keyed)}")
    record["options"] = options
    record["answer_index"] = keyed[0]
    return record


def read_gift(text: str) -> Iterator[RawRecord]:
    """Records of a GIFT text, one per question, at the line the question starts.

    A `// cmasprep: {json}` comment above a question gives its other fields; without
    one, a `$CATEGORY:` naming a domain number gives its domain. Other comments are
    skipped; a question that does not parse is yielded as an error for its line.
    """
    block: list[str] = []
    start = 0
    meta: dict[str, Any] | None = None
    meta_error: str | None = None
    category: str | None = None
    # Lines end at a newline only (str.splitlines would split the JSON of a cmasprep
    # comment at a U+2028 it holds unescaped).
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.removesuffix("\r")
        stripped = line.strip()
        if not block:
            if not stripped:
                continue
            if stripped.startswith(META_PREFIX):
                try:
                    meta = json.loads(stripped[len(META_PREFIX) :])
                    meta_error = None
                except json.JSONDecodeError as exc:
                    meta, meta_error = None, f"the cmasprep comment is not valid JSON: {exc.msg}"
                continue
            if stripped.startswith("//"):
                continue
            if stripped.upper().startswith("$CATEGORY:"):
                category = stripped.split(":", 1)[1].strip()
                continue
            start = number
        elif stripped.startswith("//"):
            continue
        block.append(line)
        joined = "\n".join(block)
        open_at = _find(joined, "{")
        if open_at >= 0 and _find(joined, "}", open_at + 1) >= 0:
            yield _record(joined, start, meta, meta_error, category)
            block, meta, meta_error = [], None, None
    if block:
        yield RawRecord(start, None, "question not closed: its answer block has no '}'")


def _record(
    text: str, line: int, meta: dict[str, Any] | None, meta_error: str | None, category: str | None
) -> RawRecord:
    if meta_error:
        return RawRecord(line, None, meta_error)
    try:
        record = _parse_question(text)
    except ValueError as exc:
        return RawRecord(line, None, str(exc))
    if meta:
        extra = meta.pop("extra", None) or {}
        record.update(meta)
        record.update(extra)
    elif category:
        segment = next((s for s in category.split("/") if s.strip()[:1].isdigit()), None)
        if segment:
            record["domain"] = segment.strip().split()[0]
        record["category"] = category
    return RawRecord(line, record)


def dumps_gift(items: Iterable[Item]) -> str:
    """The items as GIFT text, each under a `// cmasprep:` comment holding its other fields."""
    chunks = []
    for it in items:
        record = it.to_record()
        meta: dict[str, Any] = {
            k: record[k]
            for k in (
                "domain",
                "topic",
                "sources",
                "difficulty",
                "bloom",
                "provenance",
                "status",
                "flaws",
                "reasons",
            )
            if k in record
        }
        if it.extra:
            meta["extra"] = it.extra
        lines = [META_PREFIX + " " + json.dumps(meta, ensure_ascii=False)]
        lines.append(f"::{escape(it.id)}::[plain]{escape(it.stem)}{{")
        for letter, option in zip(LETTERS, it.options, strict=True):
            lines.append(("=" if letter == it.answer else "~") + escape(option))
        if it.rationale:
            lines.append("####" + escape(it.rationale))
        lines.append("}")
        chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + ("\n" if chunks else "")
