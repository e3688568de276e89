"""Domain 4 scenario families: every key worked out again from the drawn variables.

The expected keys below follow the rule statements of the notes (data/notes/4), written
again here rather than imported: ARMA units are the surname with punctuation and spaces
removed, then the given name, then the middle initial, then the suffix; terminal-digit
order reads the pairs from the right; breach and access deadlines are calendar-day sums
from the dates the stems give.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter

import pytest

from bank.models import Blueprint
from bank.notes import NoteSet
from generators.scenarios.base import Family, Scenario
from generators.scenarios.build import build_scenario_item
from generators.scenarios.d4 import FAMILIES
from generators.scenarios.d4_alphabetic import AlphabeticFiling
from generators.scenarios.d4_breach import BreachNotification
from generators.scenarios.d4_corrections import RecordCorrections
from generators.scenarios.d4_numeric import NumericFiling
from generators.scenarios.d4_release import ReleaseOfInformation
from validators.flaws import check_flaws

SEEDS = range(60)
SENTENCE_START = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
CASES = [(f, m) for f in FAMILIES for m in f.models]
NOTES = {
    "d4-alphabetic-filing": "d4-alphabetic-filing",
    "d4-numeric-filing": "d4-numeric-filing",
    "d4-breach-notification": "d4-breach-notification",
    "d4-record-corrections": "d4-record-corrections",
    "d4-release-of-information": "d4-release-of-information",
}
# Models whose rules live in the note on patients' HIPAA rights.
RIGHTS_MODELS = {"access-deadline", "access-extension", "amendment-deadline", "amendment-denied"}
RELEASE = {
    "specialist": "No authorization, as a disclosure for treatment",
    "hospital": "No authorization, as a disclosure for treatment",
    "health-plan": "No authorization, as a disclosure for payment",
    "employer": "A valid HIPAA authorization signed by the patient",
    "life-insurer": "A valid HIPAA authorization signed by the patient",
    "patient": "The patient's request, under the right of access",
}
AUTH_ELEMENTS = {
    "description": "A description of the information",
    "recipient": "The name of the recipient",
    "purpose": "The purpose of the disclosure",
    "expiration": "An expiration date or event",
    "revocation": "A statement of the right to revoke",
    "redisclosure": "A warning about redisclosure of the PHI",
}
ENTRY = {"late": "A late entry", "addendum": "An addendum", "correction": "A correction"}


def draws(family: Family, model: str) -> list[Scenario]:
    return [family.draw(random.Random(seed), model) for seed in SEEDS]


def as_date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%B %d, %Y").date()


def written(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def units(name: str) -> tuple[str, ...]:
    """ARMA units of a name written "Given [M.] Surname[, SUFFIX]", read from the rules."""
    name, _, suffix = name.partition(", ")
    given, *rest = name.split(" ")
    middle = rest[0] if rest and re.fullmatch(r"[A-Z]\.", rest[0]) else ""
    surname = " ".join(rest[1:] if middle else rest)

    def clean(s: str) -> str:
        return re.sub(r"[^A-Za-z]", "", s).upper()

    return (clean(surname), clean(given), clean(middle), clean(suffix))


def pairs(chart: str) -> tuple[int, int, int]:
    a, b, c = (int(x) for x in chart.split("-"))
    return a, b, c


def expected_breach(s: Scenario) -> str:
    v = s.variables
    if s.model == "individual-deadline":
        return written(v["discovered"] + dt.timedelta(days=60))
    if s.model == "annual-report-deadline":
        return written(dt.date(v["discovered"].year, 12, 31) + dt.timedelta(days=60))
    counts: dict[str, int] = v["counts"]
    total = sum(counts.values())
    loud = [state for state, n in counts.items() if n > 500]
    if total < 500:
        return "HHS within 60 days after the year ends; no media notice"
    if loud:
        return f"HHS and {loud[0]} media, within 60 days of discovery"
    return "HHS within 60 days of discovery; no media notice"


def expected(s: Scenario) -> str:
    v = s.variables
    if s.family == AlphabeticFiling.id:
        if s.model == "first-filed":
            return min(v["names"], key=units)
        given, middle, surname, suffix = v["given"], v["middle"], v["surname"], v["suffix"]
        name = f"{given} {middle} {surname}" + (f", {suffix}" if suffix else "")
        return " ".join(u for u in units(name) if u)
    if s.family == NumericFiling.id:
        if s.model == "terminal-first-filed":
            return min(v["charts"], key=lambda c: pairs(c)[::-1])
        _, b, c = pairs(v["chart"])
        return f"{b if s.model == 'middle-digit-section' else c:02d}"
    if s.family == BreachNotification.id:
        return expected_breach(s)
    if s.family == ReleaseOfInformation.id:
        if s.model == "authorization-needed":
            return RELEASE[v["request"]]
        if s.model == "missing-element":
            return AUTH_ELEMENTS[v["missing"]]
        days = 60 if s.model == "access-extension" else 30
        return written(v["received"] + dt.timedelta(days=days))
    # record corrections
    if s.model == "paper-error":
        return f"Draw one line through it, write the right {v['thing']}, then initial and date it"
    if s.model == "entry-type":
        return f"{ENTRY[v['kind']]} dated {written(v['today'])}"
    if s.model == "amendment-deadline":
        return written(v["received"] + dt.timedelta(days=60))
    return "Submit a statement of disagreement"


@pytest.mark.parametrize(("family", "model"), CASES, ids=[f"{f.id}/{m}" for f, m in CASES])
def test_keys_match_an_independent_computation(family: Family, model: str) -> None:
    for s in draws(family, model):
        assert s.model == model and s.family == family.id
        assert set(s.rules) <= set(family.rules)
        assert s.key.text == expected(s), s.variables


def test_each_alphabetic_distractor_is_first_under_its_misconception() -> None:
    wrong_orders = {
        "given-name-first": lambda n: units(n)[1:3] + units(n)[:1],
        "hyphen-split": lambda n: (*n.split(" ", 1)[1].upper().split("-"), units(n)[1]),
        "longer-unit-first": lambda n: tuple(u + "~" for u in units(n)[:3]),
    }
    for s in draws(AlphabeticFiling(), "first-filed"):
        names = s.variables["names"]
        assert len(set(names)) == 4 and s.key.text in names
        for d in s.distractors:
            assert d.text in names
            if d.misconception in wrong_orders:
                assert min(names, key=wrong_orders[d.misconception]) == d.text


def test_terminal_digit_distractors_come_first_in_the_other_orders() -> None:
    for s in draws(NumericFiling(), "terminal-first-filed"):
        charts = s.variables["charts"]
        by = {d.misconception: d.text for d in s.distractors}
        assert by["straight-numeric-order"] == min(charts, key=pairs)
        middle = min(charts, key=lambda c: (pairs(c)[1], pairs(c)[0], pairs(c)[2]))
        assert by["middle-digit-order"] == middle


def test_breach_stems_state_the_dates_and_counts_the_key_uses() -> None:
    for model in ("individual-deadline", "annual-report-deadline"):
        for s in draws(BreachNotification(), model):
            v = s.variables
            assert written(v["occurred"]) in s.stem and written(v["discovered"]) in s.stem
            assert 3 <= (v["discovered"] - v["occurred"]).days <= 40
            assert 20 <= v["n"] < 500 and str(v["n"]) in s.stem
    cases = {s.variables["case"] for s in draws(BreachNotification(), "who-is-notified")}
    assert cases == {"small", "large-no-media", "exactly-500", "media"}
    for s in draws(BreachNotification(), "who-is-notified"):
        counts = s.variables["counts"]
        assert str(sum(counts.values())) in s.stem
        if s.variables["case"] == "exactly-500":
            assert s.key.text == "HHS within 60 days of discovery; no media notice"


def test_release_stems_hold_what_the_key_needs() -> None:
    for s in draws(ReleaseOfInformation(), "missing-element"):
        clause = {
            "description": "office notes and lab results",
            "recipient": "as the recipient",
            "purpose": "gives the purpose",
            "expiration": "expires on",
            "revocation": "revoke it in writing",
            "redisclosure": "redisclosed",
        }
        missing = s.variables["missing"]
        assert [k for k, c in clause.items() if c not in s.stem] == [missing]
    for model in ("access-deadline", "access-extension"):
        for s in draws(ReleaseOfInformation(), model):
            v = s.variables
            assert written(v["received"]) in s.stem
            if model == "access-extension":
                assert 5 <= (v["notice"] - v["received"]).days <= 25
            else:
                assert 3 <= (v["received"] - v["written"]).days <= 12


@pytest.mark.parametrize(("family", "model"), CASES, ids=[f"{f.id}/{m}" for f, m in CASES])
def test_distractors_are_wrong_distinct_and_named(family: Family, model: str) -> None:
    for s in draws(family, model):
        texts = [d.text for d in s.distractors]
        assert len(texts) >= 3 and len(set(texts)) == len(texts)
        assert s.key.text not in texts
        assert s.key.misconception is None
        assert all(d.misconception for d in s.distractors)
        for c in (s.key, *s.distractors):
            assert c.why[0] in SENTENCE_START and c.why.endswith("."), c.why
        assert s.stem.endswith("?")
        if s.ordered:  # dates or section numbers, each with the value it is sorted by
            for c in (s.key, *s.distractors):
                want = as_date(c.text).toordinal() if "," in c.text else int(c.text)
                assert c.value == want


def business_days_after(day: dt.date, n: int) -> dt.date:
    """The n-th Monday-to-Friday day after `day`, the day itself not counted."""
    while n:
        day += dt.timedelta(days=1)
        n -= day.weekday() < 5
    return day


def deadline_slips(s: Scenario) -> dict[str, dt.date]:
    """The date each named slip gives for an amendment or access deadline."""
    v, received = s.variables, s.variables["received"]
    days = 60 if s.model == "amendment-deadline" else 30

    def after(n: int) -> dt.date:
        return received + dt.timedelta(days=n)

    slips = {
        "counted-receipt-day": after(days - 1),
        "business-days": business_days_after(received, days),
        "assumed-extension": after(days + 30),
    }
    if s.model == "amendment-deadline":
        slips |= {"access-clock": after(30), "complaint-window": after(180)}
    else:
        slips |= {
            "counted-from-letter-date": v["written"] + dt.timedelta(days=30),
            "fifteen-days": after(15),
        }
    return slips


@pytest.mark.parametrize("model", ["amendment-deadline", "access-deadline"])
def test_deadline_distractors_follow_their_slips_and_miss_the_key(model: str) -> None:
    family = RecordCorrections() if model == "amendment-deadline" else ReleaseOfInformation()
    for s in draws(family, model):
        key, slips = as_date(s.key.text), deadline_slips(s)
        for d in s.distractors:
            assert as_date(d.text) == slips[d.misconception] != key, (s.variables, d)
        below = sum(as_date(d.text) < key for d in s.distractors)
        assert below >= 2 and len(s.distractors) - below >= 2  # the key's rank can move


@pytest.mark.parametrize("model", ["amendment-deadline", "access-deadline", "amendment-denied"])
def test_keys_do_not_sit_on_one_letter(model: str, repo_notes: NoteSet) -> None:
    family = ReleaseOfInformation() if model.startswith("access") else RecordCorrections()
    letters: Counter[str] = Counter()
    for seed in SEEDS:
        s = family.draw(random.Random(seed), model)
        item = build_scenario_item(family, s, repo_notes, screen=check_flaws, position=seed % 4)
        assert item is not None
        letters[item.answer] += 1
    assert max(letters.values()) <= 0.6 * len(SEEDS), letters


@pytest.mark.parametrize(("family", "model"), CASES, ids=[f"{f.id}/{m}" for f, m in CASES])
def test_items_are_flaw_free_and_cited(
    family: Family, model: str, repo_notes: NoteSet, blueprint: Blueprint
) -> None:
    for seed in SEEDS:
        s = family.draw(random.Random(seed), model)
        item = build_scenario_item(family, s, repo_notes, screen=check_flaws, position=seed % 4)
        assert item is not None, (seed, s.stem)
        assert check_flaws(item.stem, item.options, item.answer) == []
        note = "d4-hipaa-individual-rights" if model in RIGHTS_MODELS else NOTES[family.id]
        assert {src.note for src in item.sources} == {note}
        assert item.enemy_group == f"{family.id}/{model}"
        assert blueprint.topic(4, item.topic or "") == item.topic


def test_families_are_registered_with_unique_ids() -> None:
    ids = [f.id for f in FAMILIES]
    assert len(ids) == len(set(ids)) == 5
    assert {RecordCorrections.id, ReleaseOfInformation.id} <= set(ids)
    assert all(f.domain == 4 and 2 <= len(f.models) <= 5 for f in FAMILIES)
