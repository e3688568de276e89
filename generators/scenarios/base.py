"""Scenario item families: automatic item generation with keys computed by rule.

A family follows automatic item generation as Gierl & Haladyna (2013) lay it out:
a cognitive model (the rules of the source notes that a front-office worker applies),
item models with variables (a situation with amounts, dates, people and documents in
slots, each variable drawn from a valid range), and generation (fill the variables,
compute the key by applying the rules, build each distractor from a named
misconception: what a candidate who forgot the deductible, or applied the wrong
birthday rule, would answer).

A family never types a key or a distractor by hand: `draw` computes them from the
variables. Each choice carries the sentence that explains it, so the rationale
teaches why the key is right and why each distractor is wrong. The rules a scenario
applies are named; their statements and citations live in the notes as `rule`
facts (data/notes/README.md) and travel into the item's sources.

`generators.scenarios.build.build_scenario_item` turns a `Scenario` into an `Item`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ScenarioBloom = Literal["apply", "analyze"]


@dataclass(frozen=True)
class Choice:
    """One answer option and why it is right or wrong.

    `why` is one or two full sentences a learner reads after answering: for the key,
    how the rule gives it; for a distractor, the error that produces it and why it
    fails. `misconception` names that error ("forgot-deductible"); it is None for the
    key. `value` is the option's number (dollars, days, hours ...) when it has one,
    for ordering and for the closeness of distractors.
    """

    text: str
    why: str
    misconception: str | None = None
    value: float | None = None


@dataclass(frozen=True)
class Scenario:
    """One drawn instance of an item model: a situation, its computed key, its distractors.

    Attributes:
        family: id of the family that drew it ("d5-patient-responsibility").
        model: the item model within the family ("deductible-partly-met"); items of one
            family and model are enemies (one form or practice set holds at most one).
        stem: the situation and the question, in full sentences, ending in "?".
        key: the computed answer.
        distractors: at least three candidates, the most plausible first; each built
            from a named misconception, none equal to the key.
        rules: names of the notes' `rule` facts the key applies, in the order applied.
        steps: reasoning steps from the stem to the key (reading a value is not one;
            applying a rule, a comparison or an arithmetic operation is).
        bloom: "apply" (use a rule in a situation) or "analyze" (decide which rule
            applies, or combine several).
        variables: the drawn values, kept with the item (provenance, tests).
        ordered: the options are quantities or dates and are shown in natural order.
    """

    family: str
    model: str
    stem: str
    key: Choice
    distractors: tuple[Choice, ...]
    rules: tuple[str, ...]
    steps: int
    bloom: ScenarioBloom
    variables: Mapping[str, Any] = field(default_factory=dict)
    ordered: bool = False


class Family(Protocol):
    """A scenario item family of one blueprint domain and sub-topic."""

    id: str
    """Unique, "d<domain>-<slug>"."""
    domain: int
    topic: str
    """A sub-topic of the domain, spelled as in data/blueprints/cmas.yaml."""
    models: tuple[str, ...]
    """The item models `draw` knows, each a different situation or question."""
    rules: tuple[str, ...]
    """Every `rule` fact name any scenario of the family may cite."""

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One instance of `model`, its variables drawn with `rng` (deterministic)."""
        ...
