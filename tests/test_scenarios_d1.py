"""Domain 1 scenario families: every key recomputed independently from the drawn variables.

The expected answers are worked out here from the rule statements and the notes' own
word-part facts, not by calling the families' helpers.
"""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal

import pytest

from bank.models import Blueprint
from bank.notes import NoteSet
from generators.scenarios import d1
from generators.scenarios.base import Family, Scenario
from generators.scenarios.build import build_scenario_item
from generators.scenarios.d1_consent import Consent
from generators.scenarios.d1_do_not_use import DoNotUse
from generators.scenarios.d1_word_building import WordBuilding
from validators.flaws import check_flaws

SEEDS = range(60)
SENTENCE_START = set('ABCDEFGHIJKLMNOPQRSTUVWXYZ$0123456789"')
FAMILIES: list[Family] = [WordBuilding(), DoNotUse(), Consent()]
NOTES = {
    "d1-word-building": {"d1-medical-word-parts"},
    "d1-do-not-use": {"d1-do-not-use-abbreviations"},
    "d1-consent": {"d1-consent-and-advance-directives"},
}
CASES = [(f, m) for f in FAMILIES for m in f.models]
IDS = [f"{f.id}/{m}" for f, m in CASES]


def draws(family: Family, model: str) -> list[Scenario]:
    return [family.draw(random.Random(seed), model) for seed in SEEDS]


# -- word building -----------------------------------------------------------------


def spelled(roots: tuple[str, ...], suffix: str) -> str:
    """The combining-vowel rule as its statement reads: o between roots; o before a
    consonant-initial suffix; none before a vowel-initial one."""
    word = roots[0]
    for root in roots[1:]:
        word += "o" + root
    if suffix[0] not in "aeiou":
        word += "o"
    return word + suffix


def word_parts(notes: NoteSet) -> tuple[dict[str, str], dict[str, str]]:
    """Root -> meaning and suffix -> first meaning, read from the note's facts."""
    note = notes.by_id()["d1-medical-word-parts"]
    roots = {
        f.fields[1].split("/")[0]: f.fields[2]
        for f in note.facts
        if f.kind == "classify" and f.fields[0] == "root-meaning"
    }
    suffixes = {
        f.fields[0].lstrip("-"): f.fields[1].split(",")[0].replace(" of", "")
        for f in note.facts
        if f.kind == "term" and f.fields[0].startswith("-")
    }
    return roots, suffixes


@pytest.mark.parametrize("model", WordBuilding.models)
def test_word_building_keys(model: str, repo_notes: NoteSet) -> None:
    roots, suffixes = word_parts(repo_notes)
    for s in draws(WordBuilding(), model):
        v = s.variables
        organs = [roots[r] for r in v["roots"]]
        meaning = suffixes.get(v["suffix"], "study")
        if model == "term-meaning":
            assert v["term"] == spelled(v["roots"], v["suffix"])
            assert v["term"] in s.stem
            key = s.key.text.lower()
            assert meaning in key and organs[0] in key, (s.key.text, meaning, organs)
        else:
            assert s.key.text.lower() == spelled(v["roots"], v["suffix"]), v
            assert meaning in s.stem and all(o in s.stem for o in organs), (s.stem, organs)


# -- Do Not Use list -----------------------------------------------------------------


def typed(dose: str) -> str:
    """A dose as the list wants it: trailing zeros after the point dropped, 0 before it."""
    if "." in dose:
        dose = dose.rstrip("0").rstrip(".")
    return "0" + dose if dose.startswith(".") else dose


@pytest.mark.parametrize("model", DoNotUse.models)
def test_do_not_use_keys(model: str) -> None:
    for s in draws(DoNotUse(), model):
        v = s.variables
        if model.endswith("misread"):
            written = v["written"]
            assert written.endswith(".0") == (model == "trailing-zero-misread")
            assert written.startswith(".") == (model == "leading-zero-misread")
            expected = Decimal(written.replace(".", ""))
            assert Decimal(s.key.text.removesuffix(" mg")) == expected
            assert expected == 10 * Decimal(v["intended"])
        elif model == "rewrite-dose":
            assert s.key.text == f"{typed(v['written'])} mg"
            assert Decimal(typed(v["written"])) == Decimal(v["intended"])
        else:
            expected = {"QD": "daily"}.get(v["abbreviation"])
            if v["abbreviation"] == "U":
                number = v["entry"].split(" U ")[0].rsplit(" ", 1)[-1]
                expected = f"{number} units"
            assert s.key.text == expected, v


def test_rewrite_dose_distractors_are_the_named_wrong_typings() -> None:
    for s in draws(DoNotUse(), "rewrite-dose"):
        v = s.variables
        intended = Decimal(v["intended"])
        for d in s.distractors:
            assert d.text != f"{typed(v['written'])} mg"  # never the typing the list wants
            dose = Decimal(d.text.removesuffix(" mg"))  # Decimal(".5") is 0.5
            if d.misconception == "typed-the-misreading":
                assert dose == 10 * intended
            else:  # the same dose written with a banned zero (or without the needed one)
                assert dose == intended
                assert abs((d.value or 0) - float(intended)) < 1e-5


def test_rewrite_dose_key_is_not_always_first_among_equal_doses(repo_notes: NoteSet) -> None:
    letters: Counter[str] = Counter()
    for seed in SEEDS:
        s = DoNotUse().draw(random.Random(seed), "rewrite-dose")
        item = build_scenario_item(DoNotUse(), s, repo_notes, screen=check_flaws)
        assert item is not None
        letters[item.answer] += 1
    assert max(letters.values()) <= 0.6 * len(SEEDS), letters


# -- consent -------------------------------------------------------------------------


@pytest.mark.parametrize("model", Consent.models)
def test_consent_keys(model: str) -> None:
    for s in draws(Consent(), model):
        v = s.variables
        if model in ("implied-by-conduct", "emergency-care"):
            assert v["how"] in ("conduct", "emergency")
            assert s.key.text == "Implied consent"
        elif model == "expressed-in-words":
            assert v["how"] == "words"
            assert s.key.text == "Expressed consent"
        elif model == "questions-after-signing":
            # the physician gives the explanation informed consent rests on
            assert s.key.text.startswith("Notify the physician")
            assert all("physician" not in d.text for d in s.distractors)
        else:
            assert s.key.text.startswith("Notify the physician and record")
            assert s.rules == ("right-to-refuse",)
        assert "minor" not in s.stem  # state-dependent: every patient is an adult
        assert "an adult" in s.stem


# -- every family --------------------------------------------------------------------


@pytest.mark.parametrize(("family", "model"), CASES, ids=IDS)
def test_distractors_are_wrong_distinct_and_named(family: Family, model: str) -> None:
    for s in draws(family, model):
        texts = [d.text for d in s.distractors]
        assert len(set(texts)) == len(texts) >= 3
        assert s.key.text not in texts
        assert s.model == model and s.family == family.id
        assert set(s.rules) <= set(family.rules)
        assert all(d.misconception for d in s.distractors)
        assert s.key.misconception is None
        for c in (s.key, *s.distractors):
            assert c.why.endswith(".") and c.why[0] in SENTENCE_START, c.why
        assert s.stem.endswith("?")


def test_variables_stay_in_their_ranges() -> None:
    for seed in SEEDS:
        for family, model in CASES:
            v = family.draw(random.Random(seed), model).variables
            if family.id == "d1-word-building":
                assert 1 <= len(v["roots"]) <= 2
                assert v["suffix"] in {"itis", "megaly", "algia", "oma", "ectomy", "otomy",
                                       "ostomy", "oscopy", "plasty", "ology"}  # fmt: skip
            elif family.id == "d1-do-not-use" and "intended" in v:
                assert Decimal("0.1") <= Decimal(v["intended"]) <= 40
            elif family.id == "d1-consent" and "how" in v:
                assert v["how"] in ("conduct", "words", "emergency")


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
        assert blueprint.topic(1, item.topic or "") == item.topic


def test_domain_module_gathers_the_families() -> None:
    assert {f.id for f in d1.FAMILIES} >= {f.id for f in FAMILIES}
    assert all(f.domain == 1 for f in d1.FAMILIES)
