"""`distractor_true_in_notes`: a distractor the item's own cited notes state as true.

Firing items and near misses on a small note built here, the wiring into
`validators.report.item_flaws`, and the offline generator's items, which must show none.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bank.models import Blueprint, Flaw, Item, Source
from bank.notes import Fact, Note, NoteSet
from generators.offline import supported_items
from validators.flaws import check_flaws
from validators.notes_checks import distractor_true_in_notes
from validators.report import CHECKS_VERSION, RECOMPUTED, item_flaws

NOTE = "d2-test-controlled-substances"
FACTS = [
    ("classify", ("dea-schedule", "heroin", "Schedule I")),
    ("classify", ("dea-schedule", "fentanyl", "Schedule II")),
    ("classify", ("dea-schedule", "oxycodone (OxyContin)", "Schedule II")),
    ("classify", ("dea-schedule", "ketamine", "Schedule III")),
    ("classify", ("dea-schedule", "alprazolam (Xanax)", "Schedule IV")),
    ("term", ("bradycardia", "resting adult heart rate below 60 beats per minute")),
    ("term", ("tachycardia", "resting adult heart rate above 100 beats per minute")),
    ("term", ("claim", "request for payment sent to a payer")),
    ("term", ("denied claim", "claim the payer processed and determined not payable")),
    ("number", ("How long are OSHA training records kept?", "3 years")),
    (
        "procedure",
        (
            "responding to an adult who collapses",
            "make sure the scene is safe > check "
            "responsiveness > call 911 > begin chest compressions",
        ),
    ),
    ("cause", ("the office writes U for unit", "a reader can take the U for a zero")),
    ("cause", ("the office writes IU for International Unit", "a reader can take IU for IV")),
]


def fact(line: int, kind: str, fields: tuple[str, ...]) -> Fact:
    quote = " | ".join(fields[1:] if kind == "classify" else fields)
    return Fact(NOTE, 2, "pharmacology", kind, fields, (), "src", line, quote)


@pytest.fixture(scope="module")
def notes() -> NoteSet:
    facts = [fact(10 + i, kind, fields) for i, (kind, fields) in enumerate(FACTS)]
    note = Note(NOTE, 2, "pharmacology", "Test", [], date(2026, 12, 1), Path("x.md"), "", facts)
    return NoteSet([note], [])


def item(stem: str, options: list[str], answer: str = "A", cite: bool = True) -> Item:
    sources = [Source(note=NOTE, quote="")] if cite else []
    return Item.model_validate(
        {"domain": 2, "stem": stem, "options": options, "answer": answer, "sources": sources}
    )


def flagged(found: list[Flaw]) -> list[str]:
    return [f.where for f in found]


@pytest.mark.parametrize(
    ("stem", "options", "answer", "where"),
    [
        # a second member of the key's category
        (
            "Which drug is a DEA Schedule II controlled substance?",
            ["Fentanyl", "Heroin", "Oxycodone (OxyContin)", "Ketamine"],
            "A",
            ["C"],
        ),
        # the key is wrong: the note pairs the item with a distractor's category
        (
            "Under which DEA schedule is ketamine listed?",
            ["Schedule II", "Schedule III", "Schedule IV", "Schedule I"],
            "A",
            ["B"],
        ),
        (
            "Which term describes resting adult heart rate above 100 beats per minute?",
            ["Bradycardia", "Tachycardia", "Diastolic pressure", "Systolic pressure"],
            "A",
            ["B"],
        ),
        (
            "How long are OSHA training records kept?",
            ["1 year", "3 years", "5 years", "30 days"],
            "A",
            ["B"],
        ),
        (
            "In responding to an adult who collapses, which step comes right after this one: "
            "call 911?",
            ["Check responsiveness", "Begin chest compressions", "Use the AED", "Leave"],
            "A",
            ["B"],
        ),
    ],
)
def test_distractor_true_in_notes_fires(
    notes: NoteSet, stem: str, options: list[str], answer: str, where: list[str]
) -> None:
    found = distractor_true_in_notes(item(stem, options, answer), notes)
    assert flagged(found) == where
    assert all(f.code == "distractor_true_in_notes" for f in found)
    assert all(f.evidence.startswith(f"{NOTE}:") for f in found)


@pytest.mark.parametrize(
    ("stem", "options"),
    [
        # "below 60" is not held by "above 100": the polar words and numbers count
        (
            "Which term describes resting adult heart rate above 100 beats per minute?",
            ["Tachycardia", "Bradycardia", "Diastolic pressure", "Systolic pressure"],
        ),
        # "Schedule I" is not "Schedule II"
        (
            "Which drug is a DEA Schedule II controlled substance?",
            ["Fentanyl", "Heroin", "Ketamine", "Alprazolam (Xanax)"],
        ),
        # "denied claim" is asked about, not "claim"
        (
            "What does denied claim mean?",
            [
                "Claim the payer processed and determined not payable",
                "Request for payment sent to a payer",
                "Claim returned for missing data",
                "Payment posted to the ledger",
            ],
        ),
        # "U" is not "IU"
        (
            "What follows when the office writes IU for International Unit?",
            ["A reader can take IU for IV", "A reader can take the U for a zero", "No harm", "X"],
        ),
        # a step that only names the first step asks for no first step
        (
            "In responding to an adult who collapses, which step comes right after this one: "
            "begin chest compressions?",
            ["Use the AED", "Make sure the scene is safe", "Call 911", "Check responsiveness"],
        ),
    ],
)
def test_distractor_true_in_notes_near_misses(
    notes: NoteSet, stem: str, options: list[str]
) -> None:
    assert distractor_true_in_notes(item(stem, options), notes) == []


def test_items_citing_no_note_are_not_checked(notes: NoteSet) -> None:
    stem = "Which drug is a DEA Schedule II controlled substance?"
    options = ["Fentanyl", "Heroin", "Oxycodone (OxyContin)", "Ketamine"]
    assert distractor_true_in_notes(item(stem, options, cite=False), notes) == []
    unknown = item(stem, options).model_copy(update={"sources": [Source(note="d9-none")]})
    assert distractor_true_in_notes(unknown, notes) == []


def test_item_flaws_reports_the_new_checks_and_drops_stale_ones(notes: NoteSet) -> None:
    stem = "Which drug is a DEA Schedule II controlled substance?"
    options = ["Fentanyl", "Heroin", "Oxycodone (OxyContin)", "Ketamine"]
    stale = [Flaw(code="mixed_options", where="A", evidence="old"), Flaw(code="judge", where="B")]
    found = item_flaws(item(stem, options).model_copy(update={"flaws": stale}), notes)
    codes = [(f.code, f.where) for f in found]
    assert ("distractor_true_in_notes", "C") in codes
    assert ("judge", "B") in codes
    assert ("mixed_options", "A") not in codes
    assert {"off_topic_distractor", "mixed_options", "distractor_true_in_notes"} <= RECOMPUTED
    assert CHECKS_VERSION != "2026.12"
    clause = ["TMP-SMX", "Nitrofurantoin", "Levofloxacin", "No treatment is necessary"]
    found = item_flaws(item("Which drug treats the infection best?", clause), None)
    assert ("mixed_options", "D") in [(f.code, f.where) for f in found]


def test_generated_items_show_no_distractor_true_in_notes(
    repo_notes: NoteSet, blueprint: Blueprint
) -> None:
    items = [
        it
        for d in blueprint.domains
        for it in supported_items(repo_notes, blueprint, d.number, screen=check_flaws)
    ]
    assert len(items) > 1000
    found = [
        (it.stem, f.evidence) for it in items for f in distractor_true_in_notes(it, repo_notes)
    ]
    assert found == []
