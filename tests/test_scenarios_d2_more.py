"""Domain 2 families for BMI, controlled-substance refills and blood exposures.

Every key is recomputed from `scenario.variables` by code written from the rule
statements, not by calling the families' helpers: BMI with exact fractions and CDC's
cut-offs, dates with the calendar, drug schedules read from the note's classify facts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from bank.models import Blueprint
from bank.notes import NoteSet
from bank.quantities import parse_quantity
from generators.base import GenerationRequest
from generators.offline import OfflineGenerator
from generators.scenarios import d2
from generators.scenarios.base import Family, Scenario
from generators.scenarios.build import build_scenario_item
from generators.scenarios.d2_bmi import BodyMassIndex
from generators.scenarios.d2_controlled_refills import ControlledRefills
from generators.scenarios.d2_exposure_incident import ExposureIncident
from validators.flaws import check_flaws

SEEDS = range(60)
SENTENCE_START = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
FAMILIES: list[Family] = [BodyMassIndex(), ControlledRefills(), ExposureIncident()]
NOTES = {
    "d2-bmi": {"d2-body-mass-index"},
    "d2-controlled-substance-refills": {"d2-controlled-substances"},
    "d2-exposure-incident": {"d2-exposure-incidents"},
}
CASES = [(f, m) for f in FAMILIES for m in f.models]
IDS = [f"{f.id}/{m}" for f, m in CASES]
CATEGORIES = ["Underweight", "Healthy weight", "Overweight", "Obesity"]


def draws(family: Family, model: str) -> list[Scenario]:
    return [family.draw(random.Random(seed), model) for seed in SEEDS]


def cdc_bmi(pounds: int, inches: int) -> Decimal:
    """weight (lb) / [height (in)]^2 x 703, to one decimal place, half up."""
    exact = Fraction(pounds, inches * inches) * 703
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )


def cdc_category(bmi: Decimal) -> str:
    if bmi < Decimal("18.5"):
        return "Underweight"
    if bmi < 25:
        return "Healthy weight"
    if bmi < 30:
        return "Overweight"
    return "Obesity"


def height_text(inches: int) -> str:
    return f"{inches // 12} ft {inches % 12} in"


def as_date(text: str) -> dt.date:
    quantity = parse_quantity(text)
    assert quantity is not None, text
    return dt.date.fromordinal(int(quantity.value))


def six_months_later(day: dt.date) -> dt.date:
    month = day.month + 6
    return dt.date(day.year + (month > 12), (month - 1) % 12 + 1, day.day)


def schedules(notes: NoteSet) -> dict[str, str]:
    """Drug -> "Schedule II" ... from the note's dea-schedule classify facts."""
    return {
        f.fields[1]: f.fields[2]
        for f in notes.facts
        if f.kind == "classify" and f.fields[0] == "dea-schedule"
    }


@pytest.mark.parametrize("model", BodyMassIndex.models)
def test_bmi_keys(model: str) -> None:
    for s in draws(BodyMassIndex(), model):
        v = s.variables
        if model == "chart-category":
            bmi = Decimal(v["bmi"])
            assert Decimal("0.1") <= abs(bmi - Decimal(v["boundary"])) <= Decimal("0.4")
            assert s.key.text == cdc_category(bmi)
            continue
        bmi = cdc_bmi(v["pounds"], v["inches"])
        assert height_text(v["inches"]) in s.stem and f"{v['pounds']} lb" in s.stem
        exact = Fraction(703 * v["pounds"], v["inches"] ** 2)
        assert all(abs(exact - b) >= Fraction(1, 20) for b in (Fraction(37, 2), 25, 30))
        if model == "bmi-value":
            assert Decimal(s.key.text) == bmi, v
            assert all(abs(Decimal(d.text) - bmi) >= Decimal("0.5") for d in s.distractors)
        else:
            assert s.key.text == cdc_category(bmi), v
            assert sorted(d.text for d in s.distractors) == sorted(
                c for c in CATEGORIES if c != s.key.text
            )


def test_bmi_variables_and_categories_spread() -> None:
    seen: Counter[str] = Counter()
    for seed in range(200):
        s = BodyMassIndex().draw(random.Random(seed), "bmi-category")
        v = s.variables
        assert 63 <= v["inches"] <= 76 and 3 <= v["inches"] % 12 <= 9
        assert 85 <= v["pounds"] <= 330 and 20 <= v["age"] <= 80
        assert 16 <= cdc_bmi(v["pounds"], v["inches"]) <= 45
        seen[s.key.text] += 1
    assert set(seen) == set(CATEGORIES) and min(seen.values()) >= 30, seen


def test_cdcs_own_example_shows_why_draws_keep_off_the_boundaries() -> None:
    # CDC: 150 lb at 5 ft 5 in gives [150 / 65^2] x 703 = 24.96, healthy weight, which
    # one decimal place rounds to 25.0: the family never draws a BMI that close to a cut-off.
    assert cdc_bmi(150, 65) == Decimal("25.0")
    assert cdc_category(Decimal("24.96")) == "Healthy weight"
    assert not any(
        s.variables["pounds"] == 150 and s.variables["inches"] == 65
        for s in draws(BodyMassIndex(), "bmi-category")
    )


@pytest.mark.parametrize("model", ControlledRefills.models)
def test_refill_keys(model: str, repo_notes: NoteSet) -> None:
    dea = schedules(repo_notes)
    for s in draws(ControlledRefills(), model):
        v = s.variables
        if model == "schedule-ii-supply":
            assert dea[v["drug"]] == "Schedule II"
            days, key = v["days"], int(s.key.text)
            assert key * days <= 90 < (key + 1) * days
            assert days in (20, 21, 28, 30, 45)
            continue
        assert dea[v["drug"]] in ("Schedule III", "Schedule IV")
        issued = v["issued"]
        assert issued.day <= 28 and 2026 <= issued.year <= 2027
        assert 1 <= v["written"] <= 5
        if model == "refills-left":
            assert 0 <= v["used"] < v["written"]
            assert int(s.key.text) == v["written"] - v["used"]
            # the call and every refill still owed fall inside the six months
            assert v["called"] < issued + dt.timedelta(days=30 * v["written"] + 1)
            assert issued + dt.timedelta(days=30 * v["written"]) < six_months_later(issued)
        else:
            assert 2 <= (v["filled"] - issued).days <= 9
            assert v["latest"] > v["filled"]
            assert as_date(s.key.text) == six_months_later(issued)


@pytest.mark.parametrize("model", ExposureIncident.models)
def test_exposure_keys(model: str) -> None:
    first_aid = {
        "site": "Wash the site with soap and water",
        "eyes": "Irrigate the eyes with clean water or saline",
        "mouth": "Flush the mouth with water",
        "nose": "Flush the nose with water",
    }
    for s in draws(ExposureIncident(), model):
        v = s.variables
        part = v["part"]
        if model == "first-care":
            assert s.key.text == first_aid[part]
        elif model == "action-order":
            steps = [x.strip().lower() for x in s.key.text.split(",")]
            assert first_aid[part].lower().startswith(steps[0])
            assert steps[1:] == ["report to the supervisor", "get the medical evaluation"]
        elif model == "written-opinion":
            assert 1 <= (v["evaluated"] - v["exposed"]).days <= 6
            due = v["evaluated"] + dt.timedelta(days=15)
            assert as_date(s.key.text) == due and due.weekday() in (1, 2, 3)
        else:
            assert 0 <= (v["drawn"] - v["exposed"]).days <= 3
            last = v["exposed"] + dt.timedelta(days=90)
            assert as_date(s.key.text) == last and last.weekday() in (1, 2, 3)


def test_no_option_tells_an_exposed_worker_to_squeeze_or_use_antiseptic() -> None:
    # CDC finds no benefit in squeezing or antiseptics but does not forbid them: as a
    # distractor either would be arguable, so neither is ever offered.
    for model in ("first-care", "action-order"):
        for s in draws(ExposureIncident(), model):
            texts = " ".join(c.text.lower() for c in (s.key, *s.distractors))
            assert "squeez" not in texts and "antiseptic" not in texts


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
        if family.id == "d2-controlled-substance-refills":
            assert "Under federal (DEA) rules" in s.stem


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


@pytest.mark.parametrize(("family", "model"), CASES, ids=IDS)
def test_each_model_draws_several_distinct_situations(family: Family, model: str) -> None:
    # The offline generator drops an instance whose key, options and stem figures repeat
    # one already in the batch, so a model needs more than one shape to give two items.
    shapes = {(s.key.text, frozenset(d.text for d in s.distractors)) for s in draws(family, model)}
    assert len(shapes) >= 3


def test_domain_module_gathers_the_families() -> None:
    assert {f.id for f in d2.FAMILIES} >= {f.id for f in FAMILIES}
    assert all(f.domain == 2 for f in d2.FAMILIES)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_domain_2_batch_is_half_scenarios(
    seed: int, repo_notes: NoteSet, blueprint: Blueprint
) -> None:
    request = GenerationRequest(domain=2, count=40, seed=seed)
    items = OfflineGenerator(check_flaws).generate(request, repo_notes, blueprint).items
    scenarios = [i for i in items if "fact" not in i.extra]
    assert len(items) == 40 and len(scenarios) >= 19
