"""Limits of the bank's text: how long each field may be and which characters it may hold.

The item model (bank.models) types its fields with these, so the limits hold wherever an
item is built: an import, a web edit, the CLI, a generator. Each limit leaves room above
what real items need and stops what no item needs (a 0.9 MB stem).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ValidationInfo

from bank.text import forbidden_character, normalize_line_breaks

# Measured 2026-12: the longest real stems in ../shared/data/medical-mcq are
# 4,671 characters (MMLU), 3,543 (MedQA) and 582 (MedMCQA), options 203; the offline
# generator's whole supply (973 items) has stems up to 537, options 134, rationales 1,084,
# quotes 379, topics 47, note ids 40 and enemy groups 49 characters. Each limit leaves room
# above what real items need.
MAX_ID = 200
MAX_STEM = 8_000
MAX_OPTION = 1_000
MAX_RATIONALE = 8_000
MAX_TOPIC = 200
MAX_NOTE_ID = 200
MAX_QUOTE = 4_000
MAX_NAME = 200
"""Names and codes: provenance (generator, model, prompt, run), reviewers, enemy groups,
reason and flaw codes."""
MAX_REVIEW_NOTE = 2_000
"""What a reviewer writes with a decision (the web form's reject note says the same)."""
MAX_EVIDENCE = 10_000
"""A flaw's evidence quotes the item (a stem at most), so it may be as long as one."""
MAX_REASON = 12_000
"""A reason is "code: where: evidence" or "reason: reviewer's note": room for the longest."""
MAX_SOURCES = 20
MAX_PROVENANCE_NOTES = 50


def text_problem(value: str, limit: int, *, one_line: bool = False) -> str | None:
    """Why a text cannot be stored (too long, or a character it may not hold), or None.

    `one_line` texts (ids) may not hold a tab or a newline either.
    """
    if len(value) > limit:
        return f"{len(value):,} characters, at most {limit:,}"
    found = forbidden_character(value)
    if found is None and one_line:
        at = next((i for i, c in enumerate(value) if c in "\t\n"), None)
        found = None if at is None else (at + 1, "a tab" if value[at] == "\t" else "a newline")
    if found is not None:
        position, name = found
        return f"{name} at character {position}: remove it"
    return None


def _line_breaks(value: Any) -> Any:
    return normalize_line_breaks(value) if isinstance(value, str) else value


STORED: dict[str, bool] = {"stored": True}
"""Validation context for text read back from the bank: limits are not applied to it.

A bank written before a limit existed (or by another tool) may hold a longer text: it
still loads, so nothing stored is lost; the limits apply again when it is edited.
"""


def _limited(limit: int, *, one_line: bool = False) -> AfterValidator:
    def check(value: str, info: ValidationInfo) -> str:
        if isinstance(info.context, dict) and info.context.get("stored"):
            return value
        problem = text_problem(value, limit, one_line=one_line)
        if problem:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


# Line breaks are normalized first (a browser sends CR LF), then length and characters.
ItemId = Annotated[str, BeforeValidator(_line_breaks), _limited(MAX_ID, one_line=True)]
StemText = Annotated[str, BeforeValidator(_line_breaks), _limited(MAX_STEM)]
OptionText = Annotated[str, BeforeValidator(_line_breaks), _limited(MAX_OPTION)]
RationaleText = Annotated[str, BeforeValidator(_line_breaks), _limited(MAX_RATIONALE)]
TopicText = Annotated[str, BeforeValidator(_line_breaks), _limited(MAX_TOPIC)]
NoteId = Annotated[str, BeforeValidator(_line_breaks), _limited(MAX_NOTE_ID)]
QuoteText = Annotated[str, BeforeValidator(_line_breaks), _limited(MAX_QUOTE)]
NameText = Annotated[str, BeforeValidator(_line_breaks), _limited(MAX_NAME)]
ReviewNote = Annotated[str, BeforeValidator(_line_breaks), _limited(MAX_REVIEW_NOTE)]
EvidenceText = Annotated[str, BeforeValidator(_line_breaks), _limited(MAX_EVIDENCE)]
ReasonText = Annotated[str, BeforeValidator(_line_breaks), _limited(MAX_REASON)]
