"""Turning one raw record (a JSON object, a CSV row, a GIFT question) into an Item.

Every importer and the `validate` command go through `parse_record`, so that a field
means the same thing whatever the file format, and every problem names its field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from bank.errors import Problem
from bank.limits import (
    MAX_ID,
    MAX_NAME,
    MAX_OPTION,
    MAX_RATIONALE,
    MAX_STEM,
    MAX_TOPIC,
    text_problem,
)
from bank.models import LETTERS, Blueprint, Item, Provenance, Source
from bank.text import normalize_line_breaks

KNOWN_FIELDS = {
    "id",
    "domain",
    "topic",
    "stem",
    "options",
    "answer",
    "answer_index",
    "rationale",
    "sources",
    "difficulty",
    "bloom",
    "enemy_group",
    # What our checks found is recomputed on the way in, never taken from a file.
    "checked_at",
    "checks_version",
    "provenance",
    "status",
    "flaws",
    "reasons",
    "generator",
}


MAX_EXTRA = 100_000
"""Characters of JSON that a record's other (unknown) fields may take together."""

# The item's own text fields, checked before the item is built so that one pass names
# every over-long field and every forbidden character (the model checks them again).
_TEXT_FIELDS = {"stem": MAX_STEM, "rationale": MAX_RATIONALE, "topic": MAX_TOPIC}


def validation_problems(exc: ValidationError, prefix: str = "") -> list[Problem]:
    """Each error of a pydantic ValidationError as a Problem naming its field.

    An option's error names the option by letter ("option B: ...").
    """
    problems = []
    for err in exc.errors():
        loc = [prefix, *err["loc"]] if prefix else list(err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        if len(loc) >= 2 and loc[0] == "options" and isinstance(loc[1], int) and loc[1] < 4:
            message = f"option {LETTERS[loc[1]]}: {message}"
            loc = ["options"]
        problems.append(Problem(message, field=".".join(str(p) for p in loc) or None))
    return problems


def _text_problems(record: dict[str, Any], options: list[str] | None) -> list[Problem]:
    """Over-long fields and forbidden characters, each with its field."""
    problems = []
    for name, limit in _TEXT_FIELDS.items():
        value = record.get(name)
        if isinstance(value, str):
            problem = text_problem(normalize_line_breaks(value), limit)
            if problem:
                problems.append(Problem(problem, field=name))
    for name, limit in (("id", MAX_ID), ("enemy_group", MAX_NAME)):
        value = record.get(name)
        if value not in (None, ""):
            text = normalize_line_breaks(str(value).strip())
            problem = text_problem(text, limit, one_line=name == "id")
            if problem:
                problems.append(Problem(problem, field=name))
    for letter, option in zip(LETTERS, options or [], strict=False):
        problem = text_problem(normalize_line_breaks(option), MAX_OPTION)
        if problem:
            problems.append(Problem(f"option {letter}: {problem}", field="options"))
    return problems


@dataclass
class ParsedRecord:
    """The outcome of reading one record: an item, or the problems that prevent one.

    `fields` holds what could be read (stem, options, answer) even when the record is
    rejected, so that flaw rules can still report on it.
    """

    item: Item | None
    problems: list[Problem] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)


def apply_mapping(record: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """Rename source fields to ours: mapping is {our_field: their_field}."""
    if not mapping:
        return record
    renamed = {their: ours for ours, their in mapping.items()}
    out: dict[str, Any] = {}
    for key, value in record.items():
        target = renamed.get(key, key)
        if target in out and key not in renamed:
            continue  # a mapped field wins over an unmapped one of the same name
        out[target] = value
    return out


def _options(value: Any, problems: list[Problem]) -> list[str] | None:
    if isinstance(value, dict):
        keys = {str(k).strip().upper(): v for k, v in value.items()}
        if set(keys) != set(LETTERS):
            problems.append(
                Problem(
                    f"options keyed {sorted(keys)} must be keyed exactly A, B, C, D",
                    field="options",
                )
            )
            return None
        value = [keys[letter] for letter in LETTERS]
    if not isinstance(value, list):
        problems.append(Problem("options must be a list of 4 strings", field="options"))
        return None
    if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        problems.append(Problem("every option must be a string", field="options"))
        return None
    return [str(v) for v in value]


def _answer(
    record: dict[str, Any], options: list[str] | None, problems: list[Problem]
) -> str | None:
    raw = record.get("answer")
    index = record.get("answer_index")
    if raw is None and index is None:
        problems.append(Problem("no key: give answer (A-D) or answer_index (0-3)", field="answer"))
        return None
    if raw is not None:
        text = str(raw).strip()
        if text.upper() in LETTERS:
            return text.upper()
        if options is not None:
            matches = [i for i, o in enumerate(options) if o.strip().casefold() == text.casefold()]
            if len(matches) == 1:
                return LETTERS[matches[0]]
        if index is None:
            problems.append(
                Problem(f"answer {text!r} is not A-D nor the text of an option", field="answer")
            )
            return None
    try:
        position = int(index)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        problems.append(Problem(f"answer_index {index!r} is not 0-3", field="answer_index"))
        return None
    if isinstance(index, bool) or not 0 <= position <= 3:
        problems.append(Problem(f"answer_index {index!r} is not 0-3", field="answer_index"))
        return None
    return LETTERS[position]


def _sources(value: Any, problems: list[Problem]) -> list[Source]:
    if value in (None, ""):
        return []
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        problems.append(Problem("sources must be a list of {note, quote}", field="sources"))
        return []
    out: list[Source] = []
    for number, entry in enumerate(value, start=1):
        try:
            if isinstance(entry, str) and entry.strip():
                out.append(Source(note=entry.strip()))
            elif isinstance(entry, dict) and str(entry.get("note", "")).strip():
                out.append(
                    Source(note=str(entry["note"]).strip(), quote=str(entry.get("quote") or ""))
                )
            else:
                shown = repr(entry) if len(repr(entry)) <= 80 else repr(entry)[:77] + "..."
                problems.append(Problem(f"source {shown} names no note", field="sources"))
        except ValidationError as exc:
            problems.extend(
                Problem(f"source {number}: {p.message}", field=f"sources.{p.field}")
                for p in validation_problems(exc)
            )
    return out


def parse_record(
    record: Any,
    blueprint: Blueprint,
    *,
    mapping: dict[str, str] | None = None,
    default_domain: int | None = None,
    status: str | None = None,
) -> ParsedRecord:
    """Read one raw record into an Item, collecting every problem with its field."""
    if not isinstance(record, dict):
        return ParsedRecord(None, [Problem("expected a JSON object for an item")])
    record = apply_mapping(record, mapping or {})
    problems: list[Problem] = []

    stem = record.get("stem")
    if not isinstance(stem, str) or not stem.strip():
        problems.append(Problem("the stem is missing or empty", field="stem"))
        stem = stem if isinstance(stem, str) else None
    options = _options(record["options"], problems) if "options" in record else None
    if "options" not in record:
        problems.append(Problem("no options", field="options"))
    answer = _answer(record, options, problems)

    raw_domain = record.get("domain", default_domain)
    domain = None
    if raw_domain in (None, ""):
        problems.append(Problem("no domain (give one, or --domain N)", field="domain"))
    else:
        found = blueprint.domain(raw_domain)
        if found is None:
            problems.append(
                Problem(
                    f"unknown domain {raw_domain!r}: {blueprint.id} has "
                    + ", ".join(str(n) for n in blueprint.numbers),
                    field="domain",
                )
            )
        else:
            domain = found.number
    topic = record.get("topic")
    if isinstance(topic, str) and domain is not None:
        topic = blueprint.topic(domain, topic) or topic.strip()

    provenance_raw = record.get("provenance") or {}
    if record.get("generator") and "generator" not in provenance_raw:
        provenance_raw = {**provenance_raw, "generator": record["generator"]}
    try:
        provenance = Provenance.model_validate(provenance_raw)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, prefix="provenance"))
        provenance = Provenance()

    sources = _sources(record.get("sources"), problems)
    rationale = record.get("rationale")
    if provenance.generator:
        if not (isinstance(rationale, str) and rationale.strip()):
            problems.append(Problem("a generated item needs a rationale", field="rationale"))
        if not sources:
            problems.append(Problem("a generated item needs sources", field="sources"))

    text = _text_problems(record, options)
    problems.extend(text)
    # A stem or an option the bank cannot hold is no use to the flaw rules either.
    if any(p.field == "stem" for p in text):
        stem = None
    if any(p.field == "options" for p in text):
        options = None
    fields = {"stem": stem, "options": options, "answer": answer, "domain": domain}
    extra = {k: v for k, v in record.items() if k not in KNOWN_FIELDS}
    size = len(json.dumps(extra, ensure_ascii=False, default=str))
    if size > MAX_EXTRA:
        largest = max(extra, key=lambda k: len(json.dumps(extra[k], default=str)))
        shown = largest if len(largest) <= 40 else largest[:37] + "..."
        problems.append(
            Problem(
                f"the other fields take {size:,} characters, at most {MAX_EXTRA:,} "
                f"(the largest is {shown!r})",
                field="extra",
            )
        )
    if problems:
        return ParsedRecord(None, problems, fields)

    payload: dict[str, Any] = {
        "domain": domain,
        "topic": topic or None,
        "stem": stem,
        "options": options,
        "answer": answer,
        "rationale": rationale or None,
        "sources": sources,
        "difficulty": record.get("difficulty") or None,
        "bloom": record.get("bloom") or None,
        "enemy_group": str(record["enemy_group"]) if record.get("enemy_group") else None,
        "extra": extra,
        "provenance": provenance,
        "status": status or record.get("status") or "pending_review",
        "flaws": record.get("flaws") or [],
        "reasons": record.get("reasons") or [],
    }
    if record.get("id") not in (None, ""):
        payload["id"] = str(record["id"]).strip()
    try:
        item = Item.model_validate(payload)
    except ValidationError as exc:
        return ParsedRecord(None, validation_problems(exc), fields)
    return ParsedRecord(item, [], fields)
