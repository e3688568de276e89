"""Domain 3 scenario families: every key worked out again from the drawn variables.

The expected keys below are computed from the rule statements of the notes (data/notes/3),
not with the families' helpers: a slot count is hours x patients per hour, a voicemail
holds no clinical detail, a message names the one required element its slip lacks.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest

from bank.models import Blueprint
from bank.notes import NoteSet
from bank.quantities import parse_quantity
from generators.scenarios.base import Family, Scenario
from generators.scenarios.build import build_scenario_item
from generators.scenarios.d3 import FAMILIES
from generators.scenarios.d3_reception import ReceptionPrivacy
from generators.scenarios.d3_scheduling import Scheduling
from generators.scenarios.d3_telephone import CallHandling
from validators.flaws import check_flaws

SEEDS = range(60)
SENTENCE_START = set('ABCDEFGHIJKLMNOPQRSTUVWXYZ$0123456789"')
NOTES = {
    Scheduling.id: {"d3-appointment-scheduling"},
    ReceptionPrivacy.id: {"d3-reception-and-patient-registration"},
    CallHandling.id: {"d3-telephone-communication"},
}
CASES = [(f, m) for f in FAMILIES if f.id in NOTES for m in f.models]
METHOD_NAMES = {
    "stream": "Stream scheduling",
    "wave": "Wave scheduling",
    "modified": "Modified wave scheduling",
    "cluster": "Cluster scheduling",
    "double": "Double booking",
    "open": "Open office hours",
}
MESSAGE_ELEMENTS = {
    "callback": "The callback number",
    "datetime": "The date and time of the call",
    "reason": "The reason for the call",
    "initials": "The initials of the staff member",
}


def draws(family: Family, model: str) -> list[Scenario]:
    return [family.draw(random.Random(seed), model) for seed in SEEDS]


def count(text: str) -> int:
    return int(text.split()[0])


def first_name(full: str) -> str:
    return full.split()[0]


def expected_scheduling(s: Scenario) -> str | int:
    v = s.variables
    if s.model == "method-from-practice":
        return METHOD_NAMES[v["method"]]
    if s.model in ("wave-count", "modified-wave-count"):
        # Groups on each hour from the opening to the hour before closing, none at closing.
        return (v["on_hour"] + v["half"]) * (v["end"] - v["start"])
    if s.model == "stream-open-slots":
        slots = v["hours"] * 60 // 15
        return slots - v["block_len"] // 15 - 30 // 15
    return f"Document it in {first_name(v['patient'])}'s chart"


def expected_telephone(s: Scenario) -> str:
    v = s.variables
    if s.model == "emergency-call":
        return "Tell the caller to hang up and call 911 now"
    if s.model == "refill-request":
        return "Take the request as a message for the provider"
    if s.model == "message-missing-element":
        return MESSAGE_ELEMENTS[v["missing"]]
    return ""  # voicemail: checked by content below


def expected_reception(s: Scenario) -> str:
    patient = s.variables.get("patient", "")
    return {
        "npp-first-visit": f"Give {first_name(patient or 'x')} a copy and ask for a signed "
        "acknowledgment",
        "npp-declined": "Document the effort and the reason, then continue",
        "sign-in-sheet": "Name, arrival time and appointment time",
        "calling-patient": f'"{patient}, please come with me."',
    }[s.model]


@pytest.mark.parametrize(("family", "model"), CASES, ids=[f"{f.id}/{m}" for f, m in CASES])
def test_keys_match_an_independent_computation(family: Family, model: str) -> None:
    for s in draws(family, model):
        assert s.model == model and s.family == family.id
        assert set(s.rules) <= set(family.rules)
        if family.id == Scheduling.id:
            want = expected_scheduling(s)
            got = count(s.key.text) if isinstance(want, int) else s.key.text
            assert got == want, s.variables
        elif family.id == ReceptionPrivacy.id:
            assert s.key.text == expected_reception(s), s.variables
        elif model == "voicemail-message":
            v = s.variables
            # Name and number (and the visit time when confirming one), no clinical detail.
            assert v["phone"] in s.key.text
            assert v["test"] not in s.key.text and v["specialty"] not in s.key.text
            assert ("your visit on" in s.key.text) == (v["purpose"] == "appointment")
            # Every wrong message names the test or the specialty.
            clinical = v["specialty"] if v["purpose"] == "referral" else v["test"]
            assert all(clinical in d.text for d in s.distractors)
        else:
            assert s.key.text == expected_telephone(s), s.variables


def test_emergency_signs_cite_their_rule_and_the_message_slip_lacks_the_key() -> None:
    for s in draws(CallHandling(), "emergency-call"):
        rule = "stroke-signs-call-911" if s.variables["signs"] == "stroke" else None
        assert s.rules == (rule or "emergency-signs-call-911",)
        assert all("911" not in d.text for d in s.distractors)
    for s in draws(CallHandling(), "message-missing-element"):
        v, slip = s.variables, s.stem.split('"')[1]
        present = {
            "callback": v["phone"] in slip,
            "datetime": v["date"] in slip and v["time"] in slip,
            "reason": v["drug"] in slip,
            "initials": f"taken by {v['initials']}" in slip,
        }
        assert [k for k, here in present.items() if not here] == [v["missing"]]


@pytest.mark.parametrize(("family", "model"), CASES, ids=[f"{f.id}/{m}" for f, m in CASES])
def test_distractors_are_wrong_distinct_and_named(family: Family, model: str) -> None:
    for s in draws(family, model):
        texts = [d.text for d in s.distractors]
        assert len(texts) >= 3 and len(set(texts)) == len(texts)
        assert s.key.text not in texts
        assert s.key.misconception is None
        assert all(d.misconception for d in s.distractors)
        assert len({d.misconception for d in s.distractors}) == len(texts)
        for c in (s.key, *s.distractors):
            assert c.why[0] in SENTENCE_START and c.why.endswith("."), c.why
        assert s.stem.endswith("?")
        assert 1 <= s.steps <= 4 and s.bloom in ("apply", "analyze")


def test_variables_stay_in_their_ranges() -> None:
    for s in draws(Scheduling(), "wave-count") + draws(Scheduling(), "modified-wave-count"):
        v = s.variables
        assert (v["start"], v["end"]) in {(8, 12), (9, 12), (13, 16), (13, 17), (14, 17)}
        assert 2 <= v["on_hour"] <= 4 and 0 <= v["half"] <= 2
    for s in draws(Scheduling(), "stream-open-slots"):
        v = s.variables
        assert v["start"] in (8, 9, 13) and 2 <= v["hours"] <= 3
        assert v["block_len"] in (30, 45, 60) and v["block_start"] >= 30
        assert v["block_start"] + v["block_len"] <= v["hours"] * 60
    for s in draws(CallHandling(), "emergency-call"):
        assert s.variables["signs"] in ("chest", "breathing", "stroke")
        assert 15 <= s.variables["minutes"] <= 45
    for s in draws(CallHandling(), "voicemail-message"):
        assert s.variables["purpose"] in ("results", "appointment", "referral")
        assert s.variables["phone"].startswith("555-01")


def test_counts_are_ordered_quantities() -> None:
    for model in ("wave-count", "modified-wave-count", "stream-open-slots"):
        for s in draws(Scheduling(), model):
            assert s.ordered
            values = [parse_quantity(c.text) for c in (s.key, *s.distractors)]
            assert all(q is not None and q.value > 0 for q in values)


def wave_misreadings(v: Mapping[str, Any]) -> dict[str, int]:
    """What each named slip gives for a wave count, worked out from the stem's figures."""
    hours, per_hour = v["end"] - v["start"], v["on_hour"] + v["half"]
    groups = hours * (2 if v["half"] else 1)
    return {
        "booked-at-closing-time": per_hour * hours + v["on_hour"],
        "one-hour-short": per_hour * (hours - 1),
        "one-hour-only": per_hour,
        "counted-groups": groups,
        "top-of-hour-only": v["on_hour"] * hours,
        "wave-every-half-hour": 2 * per_hour * hours,
        "half-past-as-full-wave": 2 * v["on_hour"] * hours,
        "counted-hour-marks": per_hour * (hours + 1),
    }


def test_wave_count_distractors_follow_their_slips_and_miss_the_key() -> None:
    for model in ("wave-count", "modified-wave-count"):
        for s in draws(Scheduling(), model):
            v, key = s.variables, count(s.key.text)
            assert key == expected_scheduling(s)
            slips = wave_misreadings(v)
            for d in s.distractors:
                assert count(d.text) == slips[d.misconception or ""] != key, (v, d)
            below = sum(count(d.text) < key for d in s.distractors)
            assert below >= 2 and len(s.distractors) - below >= 2, v  # the key can move


def test_wave_count_keys_do_not_sit_on_one_letter(repo_notes: NoteSet) -> None:
    for model in ("wave-count", "modified-wave-count"):
        letters: Counter[str] = Counter()
        for seed in SEEDS:
            s = Scheduling().draw(random.Random(seed), model)
            position = seed % 4
            item = build_scenario_item(
                Scheduling(), s, repo_notes, screen=check_flaws, position=position
            )
            assert item is not None
            letters[item.answer] += 1
        assert max(letters.values()) <= 0.6 * len(SEEDS), (model, letters)


@pytest.mark.parametrize(("family", "model"), CASES, ids=[f"{f.id}/{m}" for f, m in CASES])
def test_items_are_flaw_free_and_cited(
    family: Family, model: str, repo_notes: NoteSet, blueprint: Blueprint
) -> None:
    for seed in SEEDS:
        s = family.draw(random.Random(seed), model)
        item = build_scenario_item(family, s, repo_notes, screen=check_flaws, position=seed % 4)
        assert item is not None, (seed, s.stem)
        assert check_flaws(item.stem, item.options, item.answer) == []
        assert {src.note for src in item.sources} == NOTES[family.id]
        assert item.enemy_group == f"{family.id}/{model}"
        assert blueprint.topic(3, item.topic or "") == item.topic
        if s.ordered:
            values = [parse_quantity(o).value for o in item.options]  # type: ignore[union-attr]
            assert values == sorted(values)


def test_families_are_registered_with_unique_ids() -> None:
    ids = [f.id for f in FAMILIES]
    assert len(ids) == len(set(ids)) and set(NOTES) <= set(ids)
    assert all(f.domain == 3 and 2 <= len(f.models) <= 5 for f in FAMILIES)


def test_a_refill_call_states_the_office_policy_it_rests_on() -> None:
    # Many offices send renewals through the pharmacy: the stem names this office's policy,
    # so "ask the pharmacy" is wrong here and not a second defensible answer.
    for s in draws(CallHandling(), "refill-request"):
        assert "office's written policy" in s.stem, s.stem
        pharmacy = next(c for c in s.distractors if c.misconception == "sent-back-to-pharmacy")
        assert "policy" in pharmacy.why


def test_a_missed_visit_asks_how_it_is_recorded_without_gratuitous_times() -> None:
    for s in draws(Scheduling(), "missed-or-cancelled"):
        assert s.stem.endswith(f"record the {s.variables['event']}?"), s.stem
        assert not re.search(r"\d", s.stem), s.stem  # no clock time or date plays a part
        assert not any("Bill" in c.text for c in s.distractors)
