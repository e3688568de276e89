"""Domain 5 scenario families: every key recomputed independently from the drawn variables."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from bank.models import Blueprint
from bank.notes import NoteSet
from bank.quantities import parse_quantity
from generators.scenarios.build import build_scenario_item
from generators.scenarios.d5_cost_sharing import CostSharing
from validators.flaws import check_flaws

FAMILY = CostSharing()
SEEDS = range(60)
SENTENCE_START = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ$0123456789")


def dollars(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", ""))


def expected_owed(v: dict) -> Decimal:
    """The patient's share as a reader of the rules would work it out, in dollars."""
    allowed = Decimal(v["allowed"]) / 100
    left = max(Decimal(0), Decimal(v["deductible"] - v["deductible_paid"]) / 100)
    if left >= allowed:
        return allowed
    rest = allowed - left
    share = (rest * v["coinsurance"] / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return left + share


@pytest.mark.parametrize("model", FAMILY.models)
def test_keys_match_an_independent_computation(model: str) -> None:
    for seed in SEEDS:
        s = FAMILY.draw(random.Random(seed), model)
        v = s.variables
        assert s.model == model
        if model == "contractual-write-off":
            expected = Decimal(v["charge"] - v["allowed"]) / 100
        elif model == "out-of-pocket-cap":
            full = expected_owed(v)
            expected = min(full, Decimal(v["oop_max"] - v["spent"]) / 100)
        else:
            expected = expected_owed(v)
        assert dollars(s.key.text) == expected, (seed, v)


@pytest.mark.parametrize("model", FAMILY.models)
def test_distractors_are_wrong_distinct_and_named(model: str) -> None:
    for seed in SEEDS:
        s = FAMILY.draw(random.Random(seed), model)
        texts = [d.text for d in s.distractors]
        assert len(set(texts)) >= 3
        assert s.key.text not in texts
        assert all(d.misconception for d in s.distractors)
        assert all(
            d.why.endswith(".") and d.why[0] in SENTENCE_START for d in (s.key, *s.distractors)
        )


def test_variables_stay_in_their_ranges() -> None:
    for seed in SEEDS:
        for model in FAMILY.models:
            v = FAMILY.draw(random.Random(seed), model).variables
            assert 8_000 <= v["charge"] <= 90_000
            assert 5_000 <= v["allowed"] <= v["charge"]
            assert 0 <= v["deductible_paid"] <= v["deductible"]
            assert 10 <= v["coinsurance"] <= 40


def test_items_are_flaw_free_cited_and_ordered(repo_notes: NoteSet, blueprint: Blueprint) -> None:
    for seed in SEEDS:
        for model in FAMILY.models:
            s = FAMILY.draw(random.Random(seed), model)
            item = build_scenario_item(FAMILY, s, repo_notes, screen=check_flaws)
            assert item is not None, (seed, model)
            assert check_flaws(item.stem, item.options, item.answer) == []
            values = [parse_quantity(o).value for o in item.options]  # type: ignore[union-attr]
            assert values == sorted(values)
            assert {src.note for src in item.sources} == {"d5-managed-care-and-cost-sharing"}
            assert item.extra["enemy_group"] == f"{FAMILY.id}/{model}"
            assert item.bloom in ("apply", "analyze")
            assert blueprint.topic(5, item.topic or "") == item.topic
