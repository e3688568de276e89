"""From a drawn `Scenario` to a bank `Item`: options, rationale, sources, level, enemy group.

- Options: the key and the first three distractors (in the family's order of
  plausibility) whose texts differ from each other and from the key and that the flaw
  screen passes; quantities in natural order, else the key at the position asked.
- Rationale: the key's explanation, then one sentence per distractor naming the error
  behind it, then the rules applied, as the notes state them.
- Sources: one per rule applied, quoting the rule fact of its note.
- Difficulty from the reasoning steps and how close the distractors sit to the key;
  Bloom level from the scenario (apply or analyze).
- Enemy group "<family>/<model>": items of one item model never share a form.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from bank.models import LETTERS, Difficulty, Item, Provenance, Source
from bank.notes import Fact, NoteSet
from bank.text import normalize_text
from generators.base import FlawScreen, no_screen
from generators.scenarios.base import Choice, Family, Scenario
from generators.scenarios.common import FIRST_NAMES, LAST_NAMES

NAME = "scenario"
VERSION = "1.0"
COMBINATIONS = 40  # distractor triples tried before a scenario is given up


class MissingRuleError(LookupError):
    """A scenario cites a rule name that no `rule` fact of the notes defines."""


def rule_facts(scenario: Scenario, notes: NoteSet) -> list[Fact]:
    """The notes' rule facts a scenario applies, in order; raises MissingRuleError."""
    facts = []
    for name in scenario.rules:
        fact = notes.rule(name)
        if fact is None:
            raise MissingRuleError(
                f"scenario family {scenario.family} cites rule {name!r}, which no note defines"
            )
        facts.append(fact)
    return facts


def estimate_difficulty(scenario: Scenario, distractors: Sequence[Choice]) -> Difficulty:
    """Easy, medium or hard from the steps, the level and the closeness of the distractors.

    One point per reasoning step beyond the first, one for analysis, one when a numeric
    distractor lies within 10% of the key (a slip looks right): 0-1 easy, 2-3 medium,
    4 or more hard.
    """
    points = max(0, scenario.steps - 1) + (1 if scenario.bloom == "analyze" else 0)
    key = scenario.key.value
    if key:
        near = [d for d in distractors if d.value is not None and abs(d.value - key) <= 0.1 * key]
        points += 1 if near else 0
    if points <= 1:
        return "easy"
    return "medium" if points <= 3 else "hard"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def rationale(scenario: Scenario, options: Sequence[Choice], facts: Sequence[Fact]) -> str:
    """Why the key is right and each distractor wrong, then the rules as the notes state them."""
    parts: list[str] = []
    for letter, choice in zip(LETTERS, options, strict=True):
        if choice is scenario.key:
            parts.insert(0, f"{letter} is correct. {_sentence(choice.why)}")
        else:
            parts.append(f"{letter} is wrong. {_sentence(choice.why)}")
    rules = " ".join(_sentence(f.quote) for f in facts)
    return " ".join(parts) + (f" Rule: {rules}" if rules else "")


def _order(scenario: Scenario, distractors: Sequence[Choice], position: int) -> list[Choice]:
    if scenario.ordered and all(c.value is not None for c in (scenario.key, *distractors)):
        return sorted((scenario.key, *distractors), key=lambda c: c.value or 0.0)
    options = list(distractors)
    options.insert(position, scenario.key)
    return options


def _rank_miss(key: Choice, triple: Sequence[Choice], position: int) -> int:
    """How far the key's rank among ordered options would be from `position` (0 = there).

    Ordered options put the key where its value falls; choosing which distractors to show
    moves that rank, so over a batch the key does not always sit at the same letter.
    """
    if key.value is None:
        return 0
    below = sum(1 for c in triple if c.value is not None and c.value < key.value)
    return abs(below - position)


def key_ranks(scenario: Scenario) -> set[int]:
    """The positions (0-3) the key can take.

    Any for options with no order; for ordered options, the ranks some choice of three
    distractors gives the key's value.
    """
    if not scenario.ordered or scenario.key.value is None:
        return {0, 1, 2, 3}
    key = scenario.key.value
    below = sum(1 for c in _distinct(scenario) if c.value is not None and c.value < key)
    above = sum(1 for c in _distinct(scenario) if c.value is not None and c.value > key)
    return {r for r in range(4) if r <= below and 3 - r <= above}


def _distinct(scenario: Scenario) -> list[Choice]:
    seen = {normalize_text(scenario.key.text)}
    out = []
    for choice in scenario.distractors:
        norm = normalize_text(choice.text)
        if norm not in seen:
            seen.add(norm)
            out.append(choice)
    return out


def people(scenario: Scenario) -> list[str]:
    """The names of the people a scenario's variables hold ("Diego", "Santos", "Haddad")."""
    known = set(FIRST_NAMES) | set(LAST_NAMES)
    words = {
        w
        for v in scenario.variables.values()
        if isinstance(v, str)
        for w in re.findall(r"\w+", v)
        if w in known
    }
    return sorted(words)


def build_scenario_item(
    family: Family,
    scenario: Scenario,
    notes: NoteSet,
    *,
    position: int = 0,
    screen: FlawScreen = no_screen,
    run_id: str | None = None,
    generator: tuple[str, str] = (NAME, VERSION),
) -> Item | None:
    """An item for a drawn scenario that the screen finds no flaw in, or None.

    `position` (0-3) is where the key goes when the options have no natural order;
    `generator` is the (name, version) its provenance records.
    """
    facts = rule_facts(scenario, notes)
    candidates = _distinct(scenario)
    # Triples of the most plausible distractors first (lowest ranks in the family's order);
    # with ordered options, first those that put the key at the position asked.
    ranked = list(itertools.combinations(range(len(candidates)), 3))
    ranked.sort(key=sum)
    if scenario.ordered:
        ranked.sort(key=lambda t: _rank_miss(scenario.key, [candidates[i] for i in t], position))
    triples = [tuple(candidates[i] for i in t) for t in ranked[:COMBINATIONS]]
    for triple in triples:
        options = _order(scenario, triple, position)
        texts = [c.text for c in options]
        answer = LETTERS[options.index(scenario.key)]
        if screen(scenario.stem, texts, answer):
            continue
        group = f"{scenario.family}/{scenario.model}"
        return Item(
            domain=family.domain,
            topic=family.topic,
            stem=scenario.stem[:1].upper() + scenario.stem[1:],  # "a commercial PPO ..." opens
            options=texts,
            answer=answer,
            rationale=rationale(scenario, options, facts),
            sources=[Source(note=f.note, quote=f.quote) for f in facts],
            difficulty=estimate_difficulty(scenario, triple),
            bloom=scenario.bloom,
            status="candidate",
            enemy_group=group,
            extra={
                "item_model": group,
                "misconceptions": [c.misconception for c in triple],
                "variables": dict(scenario.variables),
                "names": people(scenario),
            },
            provenance=Provenance(
                generator=generator[0],
                generator_version=generator[1],
                run_id=run_id,
                notes=sorted({f.note for f in facts}),
            ),
        )
    return None
