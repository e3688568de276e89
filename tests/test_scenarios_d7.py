"""Domain 7 scenario families: every key recomputed independently from the drawn variables."""

from __future__ import annotations

import random
import re

import pytest

from bank.models import Blueprint
from bank.notes import NoteSet
from generators.scenarios.base import Family, Scenario
from generators.scenarios.build import build_scenario_item
from generators.scenarios.d7 import FAMILIES
from generators.scenarios.d7_backups import BackupRestore
from generators.scenarios.d7_x12 import X12Transaction
from validators.flaws import check_flaws

SEEDS = range(60)
SENTENCE_START = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ$0123456789")
WEEK = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
# What the rule statements of the EDI note say each task uses.
X12_FOR_TASK = {
    "eligibility-inquiry": "270",
    "claim-status-inquiry": "276",
    "prior-authorization": "278",
    "claim-submission": "837",
    "remittance-posting": "835",
}
X12_RULE = {
    "eligibility-inquiry": "x12-eligibility",
    "claim-status-inquiry": "x12-claim-status",
    "prior-authorization": "x12-authorization",
    "claim-submission": "x12-claim",
    "remittance-posting": "x12-remittance",
}
NOTES = {
    BackupRestore.id: "d7-computer-fundamentals",
    X12Transaction.id: "d7-electronic-data-interchange",
}
CASES = [(f, m) for f in FAMILIES if f.id in NOTES for m in f.models]


def days_named(text: str) -> list[str]:
    """The weekdays an option names, a run "Monday through Thursday" spelled out."""
    found = re.findall("|".join(WEEK), text)
    if " through " in text and len(found) >= 2:
        start, end = WEEK.index(found[-2]), WEEK.index(found[-1])
        run = [WEEK[(start + i) % 7] for i in range((end - start) % 7 + 1)]
        found = found[:-2] + run
    return found


def expected_backups(v: dict) -> tuple[str, list[str]]:
    """The full backup's night and the partial backups a restore needs, by the rules."""
    full = WEEK[v["full_day"]]
    nights = [WEEK[(v["full_day"] + i) % 7] for i in range(1, v["partials"] + 1)]
    return full, nights if v["scheme"] == "incremental" else nights[-1:]


def draws(family: Family, model: str) -> list[Scenario]:
    return [family.draw(random.Random(seed), model) for seed in SEEDS]


@pytest.mark.parametrize("model", BackupRestore.models)
def test_backup_keys_match_an_independent_computation(model: str) -> None:
    for s in draws(BackupRestore(), model):
        v = s.variables
        full, nights = expected_backups(v)
        # the failure comes the day after the last backup, before that night's backup
        assert WEEK.index(v["failure_day"]) == (v["full_day"] + v["partials"] + 1) % 7
        if model == "restore-count":
            assert s.key.text.split()[0] == str(1 + len(nights)), (v, s.key.text)
        else:
            assert v["scheme"] == model.split("-")[0]
            named = days_named(s.key.text)
            assert named[0] == full and "full backup" in s.key.text, s.key.text
            assert named[1:] == nights, (v, s.key.text)


@pytest.mark.parametrize("model", X12Transaction.models)
def test_x12_keys_match_the_rule_for_the_task(model: str) -> None:
    for s in draws(X12Transaction(), model):
        assert s.variables["task"] == model
        assert s.key.text == f"X12 {X12_FOR_TASK[model]}"
        assert s.rules == (X12_RULE[model],)
        assert not s.ordered  # transaction names: the key goes where the builder puts it
        assert all(d.text.startswith("X12 ") and d.value is None for d in s.distractors)


@pytest.mark.parametrize("model", X12Transaction.models)
def test_x12_key_takes_the_position_asked(model: str, repo_notes: NoteSet) -> None:
    for seed, s in zip(SEEDS, draws(X12Transaction(), model), strict=True):
        item = build_scenario_item(
            X12Transaction(), s, repo_notes, screen=check_flaws, position=seed % 4
        )
        assert item is not None
        assert item.answer == "ABCD"[seed % 4], (seed, item.options)


@pytest.mark.parametrize(("family", "model"), CASES, ids=[f"{f.id}/{m}" for f, m in CASES])
def test_distractors_are_wrong_distinct_and_named(family: Family, model: str) -> None:
    for s in draws(family, model):
        texts = [d.text for d in s.distractors]
        assert len(set(texts)) >= 3
        assert s.key.text not in texts
        assert all(d.misconception for d in s.distractors)
        assert s.key.misconception is None
        for choice in (s.key, *s.distractors):
            assert choice.why.endswith(".") and choice.why[0] in SENTENCE_START, choice.why
        assert s.stem.endswith("?")
        assert set(s.rules) <= set(family.rules)


def test_variables_stay_in_their_ranges() -> None:
    for model in BackupRestore.models:
        for s in draws(BackupRestore(), model):
            v = s.variables
            assert 0 <= v["full_day"] <= 6
            assert 2 <= v["partials"] <= 4
            assert v["scheme"] in ("incremental", "differential")
    for model in X12Transaction.models:
        for s in draws(X12Transaction(), model):
            v = s.variables
            assert 30 <= v["waited"] <= 45
            assert v["visit"].year == 2027
            assert v["patient"] != v["staff"]


@pytest.mark.parametrize(("family", "model"), CASES, ids=[f"{f.id}/{m}" for f, m in CASES])
def test_items_are_flaw_free_cited_and_ordered(
    family: Family, model: str, repo_notes: NoteSet, blueprint: Blueprint
) -> None:
    for seed, s in zip(SEEDS, draws(family, model), strict=True):
        item = build_scenario_item(family, s, repo_notes, screen=check_flaws)
        assert item is not None, (seed, model)
        assert check_flaws(item.stem, item.options, item.answer) == []
        assert {src.note for src in item.sources} == {NOTES[family.id]}
        assert item.enemy_group == f"{family.id}/{model}"
        assert blueprint.topic(7, item.topic or "") == item.topic
        if s.ordered:
            value = {c.text: c.value for c in (s.key, *s.distractors)}
            values = [value[o] for o in item.options]
            assert values == sorted(values), item.options


def test_restore_count_asks_for_the_smallest_number() -> None:
    for s in draws(BackupRestore(), "restore-count"):
        assert "fewest backups" not in s.stem and "smallest number of backups" in s.stem
