"""Checks on what a model wrote that only the LLM generator can make.

- `instruction_echo_flaws`: item text that repeats prompt or injection language.
- `ExampleCopies`: an item copied from the prompt's few-shot examples (prompts/examples/):
  small models copy the example's stem frame, rationale, source and quote, and an
  example's quote is genuine text of its note, so the copy would pass grounding.

Both give flaws (codes `echoes_instructions`, `copies_example`) that travel with the item
to the reviewer; neither drops an item.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from bank.models import LETTERS, Flaw, Item
from bank.text import fold

_ECHO = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.?!\n]{0,40}?\b(?:instructions?|prompts?|rules)\b"
    r"|\bprevious instructions\b"
    r"|\bas an ai\b"
    r"|\b(?:an ai|a large|an? (?:ai )?language) (?:language )?model\b"
    r"|\bsystem (?:prompt|message)\b"
    r"|\bdeveloper (?:prompt|message)\b"
    r"|\bprompt injection\b"
    r"|\bjailbreak"
    r"|</?\s*(?:notes?|items?|previous_output)\b",
    re.IGNORECASE,
)


# Cheap substring test first: the regex runs only on text that contains one of these.
_ECHO_HINTS = (
    "ignore", "disregard", "forget", "override", "instruction", "as an ai", "model",
    "system ", "developer ", "injection", "jailbreak", "<",
)  # fmt: skip


def instruction_echo_flaws(item: Item) -> list[Flaw]:
    """`echoes_instructions` flaws: item text that repeats prompt or injection language.

    An item that says "ignore previous instructions", "as an AI", "system prompt" or
    carries the prompt's delimiter tags was written from instructions, not from the
    notes' facts; it goes to the reviewer flagged, with the words as evidence.
    """
    fields = [("stem", item.stem), *zip(LETTERS, item.options, strict=True)]
    if item.rationale:
        fields.append(("rationale", item.rationale))
    flaws = []
    for where, text in fields:
        low = text.lower()
        if not any(hint in low for hint in _ECHO_HINTS):
            continue
        match = _ECHO.search(text)
        if match:
            flaws.append(Flaw(code="echoes_instructions", where=where, evidence=match.group(0)))
    return flaws


# A stem or rationale this close to an example's (folded text) is a copy of it.
COPY_THRESHOLD = 0.8


def similarity(a: str, b: str) -> float:
    """How alike two texts are once case and punctuation are folded (0 to 1)."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    matcher = SequenceMatcher(None, fa, fb, autojunk=False)
    if matcher.real_quick_ratio() < COPY_THRESHOLD:
        return matcher.real_quick_ratio()
    return matcher.ratio()


class ExampleCopies:
    """Finds items copied from the few-shot examples of a prompt set.

    `examples` maps a label (e.g. `examples/d5.json`) to that file's example items (as
    the model is shown them). A stem or rationale at least COPY_THRESHOLD alike an
    example's is a copy; so is an example's quote cited from a note the batch was not
    given (with the note in the batch, quoting the same line can be honest).
    """

    def __init__(self, examples: dict[str, list[dict[str, Any]]]) -> None:
        self.examples = [
            (label, example)
            for label, items in sorted(examples.items())
            for example in items
            if isinstance(example, dict)
        ]

    def flaws(self, item: Item, batch_notes: list[str]) -> list[Flaw]:
        """The `copies_example` flaws of one item (at most one per field)."""
        found: dict[str, Flaw] = {}
        for label, example in self.examples:
            for where, mine, theirs in (
                ("stem", item.stem, str(example.get("stem", ""))),
                ("rationale", item.rationale or "", str(example.get("rationale", ""))),
            ):
                if where in found or not theirs:
                    continue
                score = similarity(mine, theirs)
                if score >= COPY_THRESHOLD:
                    found[where] = Flaw(
                        code="copies_example",
                        where=where,
                        evidence=f"{score:.0%} alike the {where} of the example in {label}",
                    )
            if "sources" in found:
                continue
            quotes = {
                fold(str(s.get("quote", ""))): str(s.get("note", ""))
                for s in example.get("sources", [])
                if isinstance(s, dict)
            }
            for source in item.sources:
                note = quotes.get(fold(source.quote))
                if note is not None and source.note not in batch_notes:
                    found["sources"] = Flaw(
                        code="copies_example",
                        where="sources",
                        evidence=f"the quote and note {source.note} of the example in {label}, "
                        "a note this batch was not given",
                    )
                    break
        return list(found.values())
