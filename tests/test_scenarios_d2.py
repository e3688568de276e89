"""Domain 2 scenario families: every key recomputed independently from the drawn variables.

Blood pressure categories are worked out from the rule statement's "and"/"or" bands;
PPE orders are read from the note's procedure facts, not from the family.
"""

from __future__ import annotations

import random

import pytest

from bank.models import Blueprint
from bank.notes import NoteSet
from generators.scenarios import d2
from generators.scenarios.base import Family, Scenario
from generators.scenarios.build import build_scenario_item
from generators.scenarios.d2_blood_pressure import BloodPressureCategory
from generators.scenarios.d2_hand_hygiene_ppe import HandHygienePPE
from validators.flaws import check_flaws

SEEDS = range(60)
SENTENCE_START = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ$0123456789")
FAMILIES: list[Family] = [BloodPressureCategory(), HandHygienePPE()]
NOTES = {
    "d2-blood-pressure-category": {"d2-vital-signs"},
    "d2-hand-hygiene-and-ppe": {"d2-hand-hygiene-and-ppe"},
}
CASES = [(f, m) for f in FAMILIES for m in f.models]
IDS = [f"{f.id}/{m}" for f, m in CASES]


def draws(family: Family, model: str) -> list[Scenario]:
    return [family.draw(random.Random(seed), model) for seed in SEEDS]


def acc_aha(systolic: int, diastolic: int) -> str:
    """The category as the rule states it, highest band first."""
    if systolic >= 140 or diastolic >= 90:
        return "Stage 2 hypertension"
    if 130 <= systolic <= 139 or 80 <= diastolic <= 89:
        return "Stage 1 hypertension"
    if 120 <= systolic <= 129 and diastolic < 80:
        return "Elevated"
    assert systolic < 120 and diastolic < 80
    return "Normal"


def alone(systolic: int | None = None, diastolic: int | None = None) -> int:
    """The rank of one number's band (0 normal ... 3 stage 2), the other number low."""
    order = ["Normal", "Elevated", "Stage 1 hypertension", "Stage 2 hypertension"]
    return order.index(acc_aha(systolic or 100, diastolic or 60))


@pytest.mark.parametrize("model", BloodPressureCategory.models)
def test_blood_pressure_keys(model: str) -> None:
    for s in draws(BloodPressureCategory(), model):
        sys_, dia = s.variables["systolic"], s.variables["diastolic"]
        assert s.key.text == acc_aha(sys_, dia), (sys_, dia)
        by_s, by_d = alone(systolic=sys_), alone(diastolic=dia)
        if model == "systolic-decides":
            assert by_s > by_d
        elif model == "diastolic-decides":
            assert by_d > by_s
        else:
            assert by_s == by_d or (by_d == 0 and by_s <= 1)


def ppe_orders(notes: NoteSet) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The donning and doffing orders of the note's procedure facts, first word of each step."""
    facts = {f.fields[0]: f.fields[1] for f in notes.facts if f.kind == "procedure"}
    on = facts["putting on (donning) PPE per CDC"]
    off = facts["removing (doffing) PPE per CDC"]

    def items(steps: str) -> tuple[str, ...]:
        return tuple(s.strip().split()[0] for s in steps.split(">") if "hygiene" not in s)

    return items(on), items(off)


@pytest.mark.parametrize("model", HandHygienePPE.models)
def test_hand_hygiene_and_ppe_keys(model: str, repo_notes: NoteSet) -> None:
    donning, doffing = ppe_orders(repo_notes)
    for s in draws(HandHygienePPE(), model):
        v = s.variables
        if model == "soap-and-water":
            assert v["moment"] in ("visibly soiled", "before eating", "after the restroom")
            assert s.key.text == "Wash with soap and water"
        elif model == "alcohol-rub":
            assert v["moment"] is None and "look clean" in s.stem
            assert s.key.text == "Use an alcohol-based hand sanitizer"
        else:
            expected = donning if model == "donning-order" else doffing
            assert s.key.text.lower() == ", ".join(expected), expected
            # CDC's other removal examples are never offered as distractors
            offered = {d.text.lower() for d in s.distractors}
            assert not offered & {"gown, gloves, goggles, mask", "gloves, gown, goggles, mask"}


@pytest.mark.parametrize(("family", "model"), CASES, ids=IDS)
def test_distractors_are_wrong_distinct_and_named(family: Family, model: str) -> None:
    for s in draws(family, model):
        texts = [d.text for d in s.distractors]
        assert len(set(texts)) == len(texts) >= 3
        assert s.key.text not in texts
        assert s.model == model and s.family == family.id
        assert set(s.rules) <= set(family.rules)
        assert all(d.misconception for d in s.distractors)
        for c in (s.key, *s.distractors):
            assert c.why.endswith(".") and c.why[0] in SENTENCE_START, c.why
        assert s.stem.endswith("?")


def test_variables_stay_in_their_ranges() -> None:
    for seed in SEEDS:
        for model in BloodPressureCategory.models:
            v = BloodPressureCategory().draw(random.Random(seed), model).variables
            assert 100 <= v["systolic"] <= 179
            assert 60 <= v["diastolic"] <= 109
            assert 20 <= v["age"] <= 85
            assert v["systolic"] - v["diastolic"] >= 20


@pytest.mark.parametrize(("family", "model"), CASES, ids=IDS)
def test_items_are_flaw_free_and_cited(
    family: Family, model: str, repo_notes: NoteSet, blueprint: Blueprint
) -> None:
    for seed in SEEDS:
        s = family.draw(random.Random(seed), model)
        item = build_scenario_item(family, s, repo_notes, screen=check_flaws, position=seed % 4)
        assert item is not None, (seed, model)
        assert check_flaws(item.stem, item.options, item.answer) == []
        assert {src.note for src in item.sources} == NOTES[family.id]
        assert item.enemy_group == f"{family.id}/{model}"
        assert blueprint.topic(2, item.topic or "") == item.topic


def test_soap_and_water_key_takes_the_position_asked(repo_notes: NoteSet) -> None:
    family = HandHygienePPE()
    for seed in SEEDS:
        s = family.draw(random.Random(seed), "soap-and-water")
        assert not s.ordered  # actions, not quantities: no natural order holds the key
        item = build_scenario_item(family, s, repo_notes, screen=check_flaws, position=seed % 4)
        assert item is not None and item.answer == "ABCD"[seed % 4], (seed, item)


def test_blood_pressure_options_run_from_normal_to_stage_2(repo_notes: NoteSet) -> None:
    family = BloodPressureCategory()
    s = family.draw(random.Random(3), "diastolic-decides")
    item = build_scenario_item(family, s, repo_notes, screen=check_flaws)
    assert item is not None
    assert item.options == [
        "Normal",
        "Elevated",
        "Stage 1 hypertension",
        "Stage 2 hypertension",
    ]


def test_domain_module_gathers_the_families() -> None:
    assert {f.id for f in d2.FAMILIES} >= {f.id for f in FAMILIES}
    assert all(f.domain == 2 for f in d2.FAMILIES)
