"""Money options for the domain 6 families: distinct amounts, written alike, in order.

Every domain 6 key is an amount in whole cents computed from the drawn figures; its
distractors are amounts a candidate who skipped a step or applied the wrong rule would
get. Two misconceptions can land on the same amount, and a distractor can even land on
the key (a step that happens to change nothing): `money_scenario` drops those, so the
options a learner sees are four different amounts.
"""

from __future__ import annotations

import random
from dataclasses import replace

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import money, money_choices


def cents_choice(cents: int, why: str, misconception: str | None = None) -> Choice:
    """A money option: its text is the amount, its value the amount in cents."""
    return Choice(money(cents), why, misconception, float(cents))


def money_scenario(scenario: Scenario, rng: random.Random) -> Scenario:
    """The scenario with distinct amounts written alike, the key's rank drawn with `rng`.

    Negative amounts and repeats are dropped; then `spread_ranks` decides how many of
    the first three distractors sit below the key.
    """
    seen = {scenario.key.value}
    kept = []
    for choice in scenario.distractors:
        if choice.value is not None and choice.value >= 0 and choice.value not in seen:
            seen.add(choice.value)
            kept.append(choice)
    key, *distractors = money_choices([scenario.key, *kept])
    return spread_ranks(
        rng, replace(scenario, key=key, distractors=tuple(distractors), ordered=True)
    )


def basis_points(cents: int, points: int) -> int:
    """`points` hundredths of a percent of an amount (620 is 6.2%), rounded half up to the cent."""
    return (cents * points + 5000) // 10000


def spread_ranks(rng: random.Random, scenario: Scenario) -> Scenario:
    """The distractors reordered so the key's rank among four ordered options varies.

    Ordered options put the key wherever its value falls; when most misconceptions give
    larger (or smaller) values, the key would sit first (or last) every time, a cue. So
    the first three distractors, the ones the builder tries first, take k values below
    the key and 3 - k above it, k drawn with `rng`; each side keeps its plausibility
    order and the rest follow.
    """
    key = scenario.key.value or 0.0
    lower = [d for d in scenario.distractors if (d.value or 0.0) < key]
    higher = [d for d in scenario.distractors if (d.value or 0.0) > key]
    k = rng.randint(max(0, 3 - len(higher)), min(3, len(lower)))
    front = lower[:k] + higher[: 3 - k]
    rest = [d for d in scenario.distractors if d not in front]
    ordered = [d for d in scenario.distractors if d in front] + rest
    return replace(scenario, distractors=tuple(ordered))
