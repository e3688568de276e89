"""Readings added after the fresh flaw set was spent: typed slips, "true if", open-ended ranges.

benchmarks/data/flaws_fresh was scored once (true_false 35/38, lost_sequence 28/31) and is
development data since: its misses were "ture" for true (twice), "which ... would be true
if ...", and age ranges written "Birth to 18 months" and "12 years onwards". Each reading
gets firing cases and near misses; benchmarks/data/flaws_fresh3 measures them afresh.
"""

from __future__ import annotations

import pytest

from validators.flaws import lost_sequence, true_false
from validators.quantity_checks import read_quantity

NAMES = ["Headache", "Nausea", "Muscle twitching", "Somnolence"]


@pytest.mark.parametrize(
    "stem",
    [
        "Which of the following is not ture about increased intracranial pressure",
        "Which of the following is ture about afferent nerve fibers of pulp",
        "Which of the following statements is flase?",
        "Which of the following is corect regarding HIPAA?",
        "Given the abstract above, which of the following would be true if the authors had"
        " made a type 1 error?",
    ],
)
def test_slips_and_conditions_still_ask_for_the_true_statement(stem: str) -> None:
    assert [f.code for f in true_false(stem, NAMES, "A")] == ["true_false"]


@pytest.mark.parametrize(
    "stem",
    [
        "Which structure is damaged in this patient?",  # "ture" inside a word
        "Which nature of pain suggests angina?",
        "Which fracture is most common in the elderly?",
        "Which code is correct for this visit if the patient is new?",  # a specific problem
    ],
)
def test_words_holding_the_letters_are_not_true_false(stem: str) -> None:
    assert true_false(stem, NAMES, "A") == []


def test_an_age_range_from_birth_and_one_open_at_the_top_are_quantities() -> None:
    options = ["Birth to 18 months", "12 years onwards.", "2-6 years.", "7-12 years."]
    assert [f.code for f in lost_sequence("The preoperational stage is:", options, "C")] == [
        "lost_sequence"
    ]
    ordered = ["Birth to 18 months", "2-6 years", "7-12 years", "12 years onwards"]
    assert lost_sequence("The preoperational stage is:", ordered, "B") == []
    older = read_quantity("65 and older")
    assert older is not None and older.low == 65 and older.high == float("inf")


@pytest.mark.parametrize("text", ["Ca2+", "Stage 2+", "2-6 years onwards", "Birthday"])
def test_open_tops_and_birth_need_a_plain_number(text: str) -> None:
    assert read_quantity(text) is None


STATEMENTS = [
    "A DNA sequence that moves through an RNA intermediate",
    "A DNA sequence that can be deleted without consequence",
    "A DNA sequence that replicates via a protein intermediate",
    "A DNA sequence that never leaves its site in the genome",
]


@pytest.mark.parametrize(
    "stem",
    [
        "Which of the following most accurately describes a retrotransposon?",
        "Which of the statements most accurately compares the two pressures?",
        "Which of the following statements corresponds most accurately with strong acids?",
        "Which of the following must be true in order for evolution to have occurred?",
        "Which of the following is true at the maximal rate of reaction?",
        "Which of one of the following statements about the maxilla is correct?",
        "Wrong among following about irradiated mandible",
    ],
)
def test_accurate_statements_must_be_and_wrong_among_are_true_false(stem: str) -> None:
    assert [f.code for f in true_false(stem, STATEMENTS, "A")] == ["true_false"]


def test_accurately_describes_over_names_names_the_problem() -> None:
    stem = "Which of the following accurately describes his symptoms?"
    diagnoses = ["Schizophrenia", "Brief psychotic disorder", "Delusional disorder", "Mania"]
    assert true_false(stem, diagnoses, "A") == []
    assert (
        true_false("Which of the following best describes a retrotransposon?", STATEMENTS, "A")
        == []
    )


@pytest.mark.parametrize(
    ("options", "flagged"),
    [
        (["20", "-20", "80", "-80"], True),
        (["-80", "-20", "20", "80"], False),
        (["98% or above.", "94% or above.", "80% or below.", "85% or above."], True),
        (["80% or below.", "85% or above.", "94% or above.", "98% or above."], False),
        (["270 mg", "480 mg", "240 mg", '540 mg\n"'], True),
        (
            [f"{n} litres per minute of each other." for n in (10, 20, 100, 30)],
            True,
        ),
    ],
)
def test_signs_open_bottoms_stray_quotes_and_long_tails_are_read(
    options: list[str], flagged: bool
) -> None:
    found = lost_sequence("Which value is right?", options, "A")
    assert bool(found) is flagged


@pytest.mark.parametrize(
    "stem",
    [
        "About low-dose aspirin, which statement holds true?",
        "Mark the statement that is correct about terminal-digit filing.",
    ],
)
def test_holds_true_and_mark_the_statement_that_is_correct(stem: str) -> None:
    """Misses of benchmarks/data/flaws_fresh4 (scored once before these readings)."""
    assert [f.code for f in true_false(stem, STATEMENTS, "A")] == ["true_false"]


def test_temperatures_compare_within_one_scale() -> None:
    assert lost_sequence(
        "Normal oral temperature?", ["98.6 °F", "97.0 °F", "100.4 °F", "96.8 °F"], "A"
    )
    assert not lost_sequence("Which is a fever?", ["37 °C", "98.6 °F", "38 °C", "101 °F"], "D")
    assert true_false("Which rule holds for minors?", STATEMENTS, "A") == []
