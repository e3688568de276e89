"""Domain 7 safeguards family: every key worked out again from the drawn variables.

The categories below are read off 45 CFR 164.308 (administrative), 164.310 (physical) and
164.312 (technical), one measure at a time, and the factor kinds off NIST SP 800-63-3
(know: passwords, PINs, answers; have: phones, codes they show or receive, cards, badges;
are: biometrics; a username or a location is no factor). None of it calls the family's
tables.
"""

from __future__ import annotations

import random
import re

import pytest

from bank.models import Blueprint
from bank.notes import NoteSet
from generators.scenarios.base import Scenario
from generators.scenarios.build import build_scenario_item
from generators.scenarios.d7 import FAMILIES
from generators.scenarios.d7_safeguards import SecuritySafeguards
from validators.flaws import check_flaws

SEEDS = range(60)
FAMILY = SecuritySafeguards()
SENTENCE_START = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
NOTES = {
    "safeguard-category": {"d7-hipaa-security-rule"},
    "safeguard-measure": {"d7-hipaa-security-rule"},
    "factor-kind": {"d7-cybersecurity-threats"},
    "multifactor-sign-in": {"d7-cybersecurity-threats"},
}
# Each measure as the family words it, and the section of the Security Rule it comes from.
SECTION_OF = {
    "Security awareness training at hire": "164.308(a)(5)",
    "A named security official": "164.308(a)(2)",
    "A sanction policy for staff": "164.308(a)(1)(ii)(C)",
    "Written incident response procedures": "164.308(a)(6)",
    "Password management training": "164.308(a)(5)(ii)(D)",
    "A badge-locked server room": "164.310(a)",
    "Visitor sign-in and escort": "164.310(a)(2)(iii)",
    "Cable locks on desk computers": "164.310(c)",
    "Monitors turned away from visitors": "164.310(b)",
    "Shredding of old hard drives": "164.310(d)(2)(i)",
    "A unique user ID for each user": "164.312(a)(2)(i)",
    "Encryption of ePHI on laptops": "164.312(a)(2)(iv)",
    "Audit logs of chart activity": "164.312(b)",
    "Encryption of ePHI sent online": "164.312(e)(2)(ii)",
    "Two-step sign-in to the EHR": "164.312(d)",
}
CATEGORY_OF_SECTION = {"164.308": "administrative", "164.310": "physical", "164.312": "technical"}
CATEGORY_TEXT = {
    "administrative": "Administrative safeguards",
    "physical": "Physical safeguards",
    "technical": "Technical safeguards",
}
FACTOR_TEXT = {
    "know": "Something you know",
    "have": "Something you have",
    "are": "Something you are",
}


def category_of(measure: str) -> str:
    if re.fullmatch(r"Logoff after \d+ idle minutes", measure):
        return "technical"  # automatic logoff, 164.312(a)(2)(iii)
    return CATEGORY_OF_SECTION[SECTION_OF[measure][:7]]


def factor_of(text: str) -> str | None:
    """The kind of factor a sign-in step names, by what it asks the user for."""
    t = text.lower()
    if "username" in t or "location" in t:
        return None
    if any(w in t for w in ("fingerprint", "face", "palm")):
        return "are"
    if any(w in t for w in ("smart card", "badge", "code")):
        return "have"
    if any(w in t for w in ("password", "pin", "security question")):
        return "know"
    raise AssertionError(f"no factor read from {text!r}")


def is_multifactor(option: str) -> bool:
    parts = re.fullmatch(r"An? (.+) and an? (.+)", option)
    assert parts, option
    kinds = [factor_of(p) for p in parts.groups()]
    return None not in kinds and kinds[0] != kinds[1]


def draws(model: str) -> list[Scenario]:
    return [FAMILY.draw(random.Random(seed), model) for seed in SEEDS]


def test_safeguard_category_keys_follow_the_regulation() -> None:
    for s in draws("safeguard-category"):
        want = category_of(s.variables["measure"])
        assert s.variables["category"] == want
        assert s.key.text == CATEGORY_TEXT[want]
        assert s.rules == (f"hipaa-{want}-safeguards",)
        assert {d.text for d in s.distractors} == (
            {*CATEGORY_TEXT.values(), "Organizational requirements"} - {s.key.text}
        )


def test_safeguard_measure_keys_belong_and_distractors_do_not() -> None:
    for s in draws("safeguard-measure"):
        asked = s.variables["category"]
        assert f"the {asked} safeguards" in s.stem
        assert category_of(s.key.text) == asked
        assert all(category_of(d.text) != asked for d in s.distractors)
        # the wrong measures come from both other categories
        assert {category_of(d.text) for d in s.distractors} == set(CATEGORY_TEXT) - {asked}


def test_factor_kind_keys_follow_nist() -> None:
    for s in draws("factor-kind"):
        want = factor_of(s.variables["step"])
        assert want is not None
        assert s.key.text == FACTOR_TEXT[want]
        assert s.variables["step"] in s.stem
        assert "Somewhere you are" in {d.text for d in s.distractors}


def test_exactly_the_multifactor_key_combines_two_different_factors() -> None:
    for s in draws("multifactor-sign-in"):
        assert is_multifactor(s.key.text), s.key.text
        for d in s.distractors:
            assert not is_multifactor(d.text), d.text
        assert s.rules[0] == "multifactor-distinct-factors"


@pytest.mark.parametrize("model", SecuritySafeguards.models)
def test_distractors_are_wrong_distinct_and_named(model: str) -> None:
    for s in draws(model):
        texts = [d.text for d in s.distractors]
        assert len(texts) >= 3 and len(set(texts)) == len(texts)
        assert s.key.text not in texts
        assert s.key.misconception is None
        assert all(d.misconception for d in s.distractors)
        for c in (s.key, *s.distractors):
            assert c.why[0] in SENTENCE_START and c.why.endswith("."), c.why
        assert s.stem.endswith("?")
        assert set(s.rules) <= set(FAMILY.rules)
        assert not s.ordered


def test_variables_stay_in_their_ranges() -> None:
    for s in draws("safeguard-category"):
        assert 5 <= s.variables["idle"] <= 15
        assert s.variables["measure"] in SECTION_OF or s.variables["measure"].startswith("Logoff")
    for s in draws("safeguard-measure"):
        assert s.variables["category"] in CATEGORY_TEXT
        assert len(s.variables["others"]) == len(s.distractors) == 4
    for s in draws("multifactor-sign-in"):
        assert len(s.variables["others"]) == 4


@pytest.mark.parametrize("model", SecuritySafeguards.models)
def test_items_are_flaw_free_cited_and_keyed_where_asked(
    model: str, repo_notes: NoteSet, blueprint: Blueprint
) -> None:
    for seed, s in zip(SEEDS, draws(model), strict=True):
        item = build_scenario_item(FAMILY, s, repo_notes, screen=check_flaws, position=seed % 4)
        assert item is not None, (seed, s.stem)
        assert check_flaws(item.stem, item.options, item.answer) == []
        assert {src.note for src in item.sources} == NOTES[model]
        assert item.enemy_group == f"{FAMILY.id}/{model}"
        assert blueprint.topic(7, item.topic or "") == item.topic
        assert item.answer == "ABCD"[seed % 4]
        assert item.key_text == s.key.text


def test_family_is_registered_and_its_rules_are_in_the_notes(repo_notes: NoteSet) -> None:
    assert FAMILY.id in {f.id for f in FAMILIES}
    assert 2 <= len(FAMILY.models) <= 5
    for name in FAMILY.rules:
        assert repo_notes.rule(name) is not None, name
