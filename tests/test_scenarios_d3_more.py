"""Domain 3 mail and letters family: every key worked out again from the drawn variables.

The expected keys are read off the rule statements of data/notes/3/written-communication-
and-mail.md, not computed with the family's helpers: a signed delivery record takes
Certified Mail plus a Return Receipt; a Certificate of Mailing shows acceptance, not
delivery; the most secure service is Registered Mail; only the date line, closing and
signature block of the modified block and semi-block formats start at the center; only
an envelope marked personal or confidential goes unopened.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bank.models import Blueprint
from bank.notes import NoteSet
from generators.scenarios.base import Scenario
from generators.scenarios.build import build_scenario_item
from generators.scenarios.d3 import FAMILIES
from generators.scenarios.d3_mail import MailAndLetters
from validators.flaws import check_flaws

SEEDS = range(60)
FAMILY = MailAndLetters()
NOTE = "d3-written-communication-and-mail"
SENTENCE_START = set('ABCDEFGHIJKLMNOPQRSTUVWXYZ$0123456789"')
# Where each part of a letter starts, by format (Purdue OWL, as the rule states it).
AT_CENTER = {
    ("modified block", "date line"),
    ("modified block", "complimentary closing"),
    ("modified block", "signature block"),
    ("semi-block", "date line"),
    ("semi-block", "complimentary closing"),
    ("semi-block", "signature block"),
}


def draws(model: str) -> list[Scenario]:
    return [FAMILY.draw(random.Random(seed), model) for seed in SEEDS]


def expected_key(s: Scenario) -> str:
    v = s.variables
    if s.model == "signed-delivery-proof":
        # the signature record needs a Return Receipt, which needs Certified Mail under it
        return "By Certified Mail with a Return Receipt"
    if s.model == "secure-valuables":
        return "Registered Mail"
    if s.model == "letter-alignment":
        centered = (v["format"], v["part"]) in AT_CENTER
        return "At the center point of the page" if centered else "At the left margin"
    if s.model == "marked-envelope":
        name = v["addressee"]
        to = name if name.startswith("Dr. ") else name.split()[0]
        if v["marking"] in ("Personal", "Confidential"):
            return f"Deliver it unopened to {to}"
        return f"Open it, date-stamp it and route it to {to}"
    return "That USPS accepted the notice on the day it was mailed"


@pytest.mark.parametrize("model", MailAndLetters.models)
def test_keys_match_an_independent_reading_of_the_rules(model: str) -> None:
    for s in draws(model):
        assert s.family == FAMILY.id and s.model == model
        assert s.key.text == expected_key(s), s.variables
        assert set(s.rules) <= set(FAMILY.rules)


def test_wrong_services_miss_a_part_of_the_signed_record() -> None:
    for s in draws("signed-delivery-proof"):
        for d in s.distractors:
            # each lacks Certified Mail under the Return Receipt, or the Return Receipt itself
            has_receipt = " with a Return Receipt" in d.text
            assert not (has_receipt and "Certified Mail" in d.text), d.text
        assert s.rules == ("certified-mail-receipt", "return-receipt-evidence")
    for s in draws("secure-valuables"):
        assert "Registered Mail" not in {d.text for d in s.distractors}


def test_certificate_distractors_claim_a_delivery_it_does_not_show() -> None:
    delivery_words = ("deliver", "signed", "tracked", "received")
    for s in draws("mailing-certificate"):
        assert not any(w in s.key.text for w in delivery_words)
        for d in s.distractors:
            assert any(w in d.text for w in delivery_words), d.text
        # the rationale gives the mailing date the certificate shows
        mailed = s.variables["mailed"]
        assert f"{mailed:%B} {mailed.day}, {mailed.year}" in s.key.why


def test_marked_envelopes_name_their_marking_in_the_stem() -> None:
    for s in draws("marked-envelope"):
        marking = s.variables["marking"]
        assert (f'marked "{marking}"' in s.stem) == bool(marking)
        assert s.variables["addressee"] in s.stem


@pytest.mark.parametrize("model", MailAndLetters.models)
def test_distractors_are_wrong_distinct_and_named(model: str) -> None:
    for s in draws(model):
        texts = [d.text for d in s.distractors]
        assert len(texts) >= 3 and len(set(texts)) == len(texts)
        assert s.key.text not in texts
        assert s.key.misconception is None
        assert all(d.misconception for d in s.distractors)
        assert len({d.misconception for d in s.distractors}) == len(texts)
        for c in (s.key, *s.distractors):
            assert c.why[0] in SENTENCE_START and c.why.endswith("."), c.why
        assert s.stem.endswith("?")
        assert 1 <= s.steps <= 3 and s.bloom in ("apply", "analyze")
        assert not s.ordered


def test_variables_stay_in_their_ranges() -> None:
    for s in draws("mailing-certificate"):
        v = s.variables
        assert dt.date(2027, 1, 4) <= v["mailed"] <= dt.date(2027, 11, 30)
        assert 10 <= v["later"] <= 30
        assert v["patient"] != v["staff"]
    for s in draws("secure-valuables"):
        amount = s.variables["amount"]
        assert 250_000 <= amount <= 2_500_000 and amount % 50_000 == 0
    for s in draws("letter-alignment"):
        assert s.variables["format"] in ("full block", "modified block", "semi-block")
        assert s.variables["part"] in (
            "date line",
            "inside address",
            "salutation",
            "complimentary closing",
            "signature block",
        )
    for s in draws("marked-envelope"):
        assert s.variables["marking"] in ("Personal", "Confidential", "")


@pytest.mark.parametrize("model", MailAndLetters.models)
def test_items_are_flaw_free_cited_and_keyed_where_asked(
    model: str, repo_notes: NoteSet, blueprint: Blueprint
) -> None:
    for seed, s in zip(SEEDS, draws(model), strict=True):
        item = build_scenario_item(FAMILY, s, repo_notes, screen=check_flaws, position=seed % 4)
        assert item is not None, (seed, s.stem)
        assert check_flaws(item.stem, item.options, item.answer) == []
        assert {src.note for src in item.sources} == {NOTE}
        assert item.enemy_group == f"{FAMILY.id}/{model}"
        assert blueprint.topic(3, item.topic or "") == item.topic
        assert item.answer == "ABCD"[seed % 4]
        assert item.key_text == s.key.text


def test_family_is_registered_and_its_rules_are_in_the_notes(repo_notes: NoteSet) -> None:
    assert FAMILY.id in {f.id for f in FAMILIES}
    assert 2 <= len(FAMILY.models) <= 5
    for name in FAMILY.rules:
        fact = repo_notes.rule(name)
        assert fact is not None and fact.note == NOTE, name
