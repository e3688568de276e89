"""Domain 5 scenario families: every key recomputed independently from the drawn variables."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest

from bank.models import Blueprint
from bank.notes import NoteSet
from bank.quantities import parse_quantity
from generators.scenarios.base import Scenario
from generators.scenarios.build import build_scenario_item
from generators.scenarios.d5_appeals import MedicareAppeals
from generators.scenarios.d5_cost_sharing import CostSharing
from generators.scenarios.d5_outpatient_dx import OutpatientDiagnosis
from generators.scenarios.d5_payer_order import PayerOrder
from generators.scenarios.d5_timely_filing import TimelyFiling
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


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), ROUND_HALF_UP)


def cost_sharing_slips(model: str, v: dict) -> dict[str, Decimal]:
    """What a candidate with each misconception added to move the key's rank computes.

    Worked out from the drawn figures; none may equal the key.
    """
    allowed, charge = Decimal(v["allowed"]) / 100, Decimal(v["charge"]) / 100
    c = Decimal(v["coinsurance"]) / 100
    if model == "deductible-met":
        return {
            "met-deductible-means-covered": Decimal(0),
            "coinsurance-of-plan-payment": cents(cents(allowed * (1 - c)) * c),
        }
    if model == "deductible-not-met":
        return {
            "billed-rest-of-deductible": Decimal(v["deductible"] - v["deductible_paid"]) / 100,
            "billed-whole-deductible": Decimal(v["deductible"]) / 100,
        }
    if model == "out-of-pocket-cap":
        room = Decimal(v["oop_max"] - v["spent"]) / 100
        share = cents(allowed * c)
        return {
            "coinsurance-of-room-left": cents(room * c),
            "billed-part-over-maximum": share - room,
        }
    return {"coinsurance-on-difference": cents((charge - allowed) * (1 - c))}


@pytest.mark.parametrize(
    "model",
    ["deductible-met", "deductible-not-met", "out-of-pocket-cap", "contractual-write-off"],
)
def test_added_distractors_follow_their_misconception_and_miss_the_key(model: str) -> None:
    for seed in SEEDS:
        s = FAMILY.draw(random.Random(seed), model)
        key, slips = dollars(s.key.text), cost_sharing_slips(model, s.variables)
        named = {d.misconception: dollars(d.text) for d in s.distractors}
        for misconception, amount in slips.items():
            if misconception in named:  # left out only when it repeats another amount
                assert named[misconception] == amount != key, (seed, misconception)
        below = sum(dollars(d.text) < key for d in s.distractors)
        assert below >= 2 and len(s.distractors) - below >= 2, (seed, s.variables)


@pytest.mark.parametrize(
    "model",
    ["deductible-met", "deductible-not-met", "out-of-pocket-cap", "contractual-write-off"],
)
def test_keys_do_not_sit_on_one_letter(model: str, repo_notes: NoteSet) -> None:
    letters: Counter[str] = Counter()
    for seed in SEEDS:
        s = FAMILY.draw(random.Random(seed), model)
        item = build_scenario_item(FAMILY, s, repo_notes, screen=check_flaws, position=seed % 4)
        assert item is not None
        letters[item.answer] += 1
    assert max(letters.values()) <= 0.6 * len(SEEDS), letters


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
            assert item.enemy_group == f"{FAMILY.id}/{model}"
            assert item.bloom in ("apply", "analyze")
            assert blueprint.topic(5, item.topic or "") == item.topic


# --- The domain 5 families added after the worked example -------------------------------
# Each key is recomputed here from the drawn variables by a reader of the rule statements,
# without calling the families' helpers.


NEW_FAMILIES = (PayerOrder(), TimelyFiling(), MedicareAppeals(), OutpatientDiagnosis())
NOTES_CITED = {
    "d5-primary-payer": {"d5-coordination-of-benefits"},
    "d5-timely-filing": {"d5-claim-submission"},
    "d5-medicare-appeals": {"d5-medicare-appeals", "d5-remittance-advice"},
    "d5-outpatient-diagnosis": {"d5-icd-10-cm-outpatient-reporting", "d5-icd-10-cm-conventions"},
}
CASES = [(f, m) for f in NEW_FAMILIES for m in f.models]


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%B %d, %Y").date()


def _one_year_later(day: dt.date) -> dt.date:
    return dt.date(day.year + 1, day.month, day.day)


def _expected_payer_order(s: Scenario) -> str:
    v = s.variables
    if s.model == "birthday-rule":
        (one, born_one), (two, born_two) = v["parents"]
        earlier = (born_one.month, born_one.day) < (born_two.month, born_two.day)
        first_parent, second = (one, two) if earlier else (two, one)
        return f"{first_parent.split()[0]}'s plan first, then {second.split()[0]}'s plan"
    if s.model == "working-aged":
        plan_first = v["size"] >= 20
    elif s.model == "disability":
        plan_first = v["size"] >= 100
    elif s.model == "esrd":
        months = (v["visit"].year - v["start"].year) * 12 + v["visit"].month - v["start"].month
        plan_first = months < 30
    else:  # retiree coverage: Medicare first, whatever the size
        plan_first = False
    if plan_first:
        return "The group health plan first, then Medicare"
    return "Medicare first, then the group health plan"


def _expected_deadline(s: Scenario) -> dt.date:
    v = s.variables
    if s.model == "span-dates":
        return _one_year_later(v["from_date"])
    if s.model in ("single-date", "rejected-resubmission"):
        return _one_year_later(v["dos"])
    if s.model == "redetermination-deadline":
        return v["notice"] + dt.timedelta(days=5 + 120)
    return v["decision"] + dt.timedelta(days=5 + 180)


NEXT_STEP_WORD = {"rejected": "new claim", "denied": "redetermination", "clerical": "reopen"}


def _check_key(s: Scenario) -> None:
    v = s.variables
    if s.family == "d5-primary-payer":
        assert s.key.text == _expected_payer_order(s), v
    elif s.model == "next-step":
        assert NEXT_STEP_WORD[v["outcome"]] in s.key.text, v
    elif s.family in ("d5-timely-filing", "d5-medicare-appeals"):
        last = _date(s.key.text)
        assert last == _expected_deadline(s), v
        assert last.weekday() in (1, 2, 3), v  # no weekend or Monday/Friday holiday question
    elif s.model == "uncertain-diagnosis":
        first_symptom, second_symptom = v["symptoms"]
        assert s.key.text == f"Codes for the {first_symptom} and the {second_symptom}"
        assert v["condition"] not in s.key.text
    elif s.model == "integral-symptoms":
        assert s.key.text == f"A code for {v['condition']}"
    else:
        assert s.key.text == f"{v['etiology']} first, then the dementia"


@pytest.mark.parametrize(("family", "model"), CASES, ids=[f"{f.id}/{m}" for f, m in CASES])
def test_new_family_keys_match_the_rules(family, model: str) -> None:
    for seed in SEEDS:
        s = family.draw(random.Random(seed), model)
        assert s.model == model and s.family == family.id
        assert set(s.rules) <= set(family.rules)
        _check_key(s)


@pytest.mark.parametrize(("family", "model"), CASES, ids=[f"{f.id}/{m}" for f, m in CASES])
def test_new_family_distractors_are_wrong_distinct_and_explained(family, model: str) -> None:
    for seed in SEEDS:
        s = family.draw(random.Random(seed), model)
        texts = [d.text for d in s.distractors]
        assert len(texts) >= 3 and len(set(texts)) == len(texts), (seed, texts)
        assert s.key.text not in texts
        assert s.key.misconception is None
        assert all(d.misconception for d in s.distractors)
        for choice in (s.key, *s.distractors):
            assert choice.why.endswith(".") and choice.why[0] in SENTENCE_START, choice.why
            assert len(choice.why.split()) >= 8, choice.why
        assert s.stem.endswith("?")


def test_new_family_variables_stay_in_their_ranges() -> None:
    for seed in SEEDS:
        rng = random.Random(seed)
        v = PayerOrder().draw(rng, "working-aged").variables
        assert 65 <= v["age"] <= 79 and (5 <= v["size"] <= 19 or 20 <= v["size"] <= 900)
        v = PayerOrder().draw(rng, "disability").variables
        assert 35 <= v["age"] <= 64 and 20 <= v["size"] <= 4000
        v = PayerOrder().draw(rng, "esrd").variables
        assert 2 <= v["elapsed"] <= 26 or 34 <= v["elapsed"] <= 58
        (_, born_one), (_, born_two) = PayerOrder().draw(rng, "birthday-rule").variables["parents"]
        assert (born_one.month, born_one.day) != (born_two.month, born_two.day)
        assert (
            1975 <= min(born_one.year, born_two.year) <= max(born_one.year, born_two.year) <= 1996
        )
        v = TimelyFiling().draw(rng, "rejected-resubmission").variables
        assert dt.date(2025, 1, 1) <= v["dos"] <= dt.date(2027, 12, 31) and v["dos"].day <= 23
        assert (
            20 <= (v["sent"] - v["dos"]).days <= 200 and 2 <= (v["rejected"] - v["sent"]).days <= 10
        )
        v = TimelyFiling().draw(rng, "span-dates").variables
        assert 10 <= (v["to_date"] - v["from_date"]).days <= 27
        v = MedicareAppeals().draw(rng, "redetermination-deadline").variables
        assert 20 <= (v["notice"] - v["dos"]).days <= 60
        v = MedicareAppeals().draw(rng, "reconsideration-deadline").variables
        assert 40 <= (v["decision"] - v["notice"]).days <= 90


@pytest.mark.parametrize(("family", "model"), CASES, ids=[f"{f.id}/{m}" for f, m in CASES])
def test_new_family_items_are_flaw_free_and_cited(
    family, model: str, repo_notes: NoteSet, blueprint: Blueprint
) -> None:
    for seed in SEEDS:
        s = family.draw(random.Random(seed), model)
        item = build_scenario_item(family, s, repo_notes, screen=check_flaws, position=seed % 4)
        assert item is not None, (seed, model)
        assert check_flaws(item.stem, item.options, item.answer) == []
        assert item.options[ord(item.answer) - ord("A")] == s.key.text
        assert {src.note for src in item.sources} <= NOTES_CITED[family.id]
        assert [src.quote for src in item.sources] == [repo_notes.rule(r).quote for r in s.rules]
        assert item.enemy_group == f"{family.id}/{model}"
        assert blueprint.topic(5, item.topic or "") == item.topic
        if s.ordered:
            values = [parse_quantity(o).value for o in item.options]  # type: ignore[union-attr]
            assert values == sorted(values)
