"""What a learner reads after an answer: why the key is right and why their choice is not.

Generated rationales follow one pattern (item-format spec: "why the key is right and each
distractor wrong"): ``"B is correct. ... A is wrong. ... C is wrong. ... Rule: ..."`` or
``"... Source: ..."``. `feedback` splits such a text by option so tutor mode can put the
sentence about the learner's own choice first; a rationale in any other form is shown
whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from bank.models import LETTERS, Item

_MARK = re.compile(r"(?:^|(?<=\s))([A-D]) is (correct|wrong)[.:]\s*")
_TAIL = re.compile(r"\s(?=(?:Rule|Rules|Source|Sources|In order):\s)")
_OTHERS = re.compile(r"(?:^|(?<=[.!?]\s))(The other (?:figures|options|choices)\b[^.]*\.)")


@dataclass(frozen=True)
class Feedback:
    """Tutor-mode feedback on one answer.

    Attributes:
        correct: whether the chosen letter is the key.
        chosen: the letter chosen; key: the keyed letter.
        chosen_text, key_text: the options' texts.
        why_key: why the key is right (None when the rationale does not say it apart).
        why_chosen: why the chosen distractor is wrong (None when right, or not said apart).
        others: what the rationale says of each other distractor, by letter.
        rule: the rule or source the rationale ends with ("Rule: ...", "Source: ...").
        rationale: the whole rationale, for items whose rationale is not split by option.
    """

    correct: bool
    chosen: str
    key: str
    chosen_text: str
    key_text: str
    why_key: str | None = None
    why_chosen: str | None = None
    others: dict[str, str] = field(default_factory=dict)
    rule: str | None = None
    rationale: str | None = None


def split_rationale(text: str) -> tuple[dict[str, str], str | None]:
    """A rationale's sentences by option letter, and its closing rule or source.

    Returns an empty mapping when the text does not follow the "X is correct / wrong" form.
    """
    marks = list(_MARK.finditer(text))
    if not marks:
        return {}, None
    parts: dict[str, str] = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following else len(text)
        parts[mark.group(1)] = text[mark.end() : end].strip()
    last = marks[-1].group(1)
    tail = _TAIL.split(parts[last], maxsplit=1)
    parts[last] = tail[0].strip()
    return parts, tail[1].strip() if len(tail) > 1 else None


def feedback(item: Item, chosen: str) -> Feedback:
    """The feedback on choosing `chosen` for `item`, from the item's rationale."""
    options: dict[str, str] = dict(zip(LETTERS, item.options, strict=True))
    base = Feedback(
        correct=chosen == item.answer,
        chosen=chosen,
        key=item.answer,
        chosen_text=options.get(chosen, ""),
        key_text=options[item.answer],
    )
    text = (item.rationale or "").strip()
    parts, rule = split_rationale(text)
    if item.answer not in parts:
        return replace(base, rationale=text or None)
    why_key = parts[item.answer]
    why_chosen = None if base.correct else parts.get(chosen)
    if not base.correct and why_chosen is None:
        # Numeric items: "C is correct: 60 days. ... The other figures (...) are not ..."
        others = _OTHERS.search(why_key)
        if others:
            why_chosen = others.group(1)
            why_key = (why_key[: others.start()] + why_key[others.end() :]).strip()
    return replace(
        base,
        why_key=why_key or None,
        why_chosen=why_chosen,
        others={k: v for k, v in parts.items() if k not in (item.answer, chosen)},
        rule=rule,
    )
