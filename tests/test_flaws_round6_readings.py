"""Readings added after benchmarks/data/flaws_fresh5 was scored once (true_false 30/32,
lost_sequence 30/35): "assertions ... valid", T/F marks as options, shared words before
quantities, exclusive range tops, ratios, fractions that are not K-type combinations,
and "True or false:" stems that are not bare topics. Each reading has firing cases and
near misses; no fresh set has measured them yet.
"""

from __future__ import annotations

import pytest

from validators.flaws import complex_k_type, lost_sequence, true_false, unfocused_stem
from validators.quantity_checks import read_quantity, without_shared_lead

NAMES = ["Headache", "Nausea", "Muscle twitching", "Somnolence"]


@pytest.mark.parametrize(
    "stem",
    [
        "Which of the following assertions about ICD-10-CM codes is valid?",
        "Which assertion is invalid?",
        "Which of the following statements about HIPAA is valid?",
    ],
)
def test_assertions_and_valid_ask_for_the_true_statement(stem: str) -> None:
    assert [f.code for f in true_false(stem, NAMES, "A")] == ["true_false"]


@pytest.mark.parametrize(
    "stem",
    [
        "Which of the following is a valid reason to release records?",  # a specific problem
        "Which form is valid for a Medicare claim?",
        "Which insurance card is valid on the date of service?",
    ],
)
def test_valid_naming_a_thing_is_not_true_false(stem: str) -> None:
    assert true_false(stem, NAMES, "A") == []


def test_true_false_marks_as_options() -> None:
    stem = "Mark each statement true (T) or false (F).\n(i) ... \n(ii) ..."
    found = true_false(stem, ["T, T", "T, F", "F, T", "F, F"], "B")
    assert [f.where for f in found] == ["options"]
    assert true_false("Which pair?", ["TFTF", "TTFF", "FFTT", "FTFT"], "A")
    # Letters that are not T and F, or words, are content.
    assert true_false("Which blood types?", ["A, B", "T, B", "AB", "O"], "A") == []
    assert true_false("Which vitamins?", ["Thiamine, folate", "T, F", "F", "T"], "A") == []


@pytest.mark.parametrize(
    ("options", "flagged"),
    [
        (
            [f"Maternal death per {n} live births" for n in ("10,000", "100,000", "1,000", "100")],
            True,
        ),
        (["LOD score < 1", "LOD score < 2", "LOD score > 3", "LOD score = 0"], True),
        ([f"Maternal death per {n} live births" for n in ("100", "1,000", "10,000")], False),
        (["LOD score = 0", "LOD score < 1", "LOD score < 2", "LOD score > 3"], False),
        # Shared names before the number: the options are names that carry digits.
        (["Stage 3", "Stage 1", "Stage 4", "Stage 2"], False),
        (["Form 941", "Form 940", "Form 944", "Form 943"], False),
        # A shared amount makes each option a pair of amounts.
        (["2 CO2 and 2 ATP", "2 CO2 and 16 ATP", "2 CO2 and 12 ATP", "2 CO2 and 1 ATP"], False),
    ],
)
def test_words_every_option_opens_with(options: list[str], flagged: bool) -> None:
    assert bool(lost_sequence("Which value?", options, "A")) is flagged


def test_without_shared_lead_splits_a_glued_count() -> None:
    assert without_shared_lead(["Yield of 2ATP", "Yield of 16ATP", "Yield of 1ATP"]) == [
        "2 ATP",
        "16 ATP",
        "1 ATP",
    ]
    assert without_shared_lead(["Grade 5th", "Grade 2nd", "Grade 3rd"]) is None
    assert without_shared_lead(["10 mg", "20 mg", "5 mg"]) is None


def test_a_range_with_an_exclusive_top_and_open_ranges() -> None:
    bmi = ["Less than 18.5", "30 or greater", "18.5 to less than 25", "25 to less than 30"]
    assert lost_sequence("Which BMI range is overweight?", bmi, "D")
    ordered = ["Less than 18.5", "18.5 to less than 25", "25 to less than 30", "30 or greater"]
    assert lost_sequence("Which BMI range is overweight?", ordered, "C") == []
    q = read_quantity("18.5 to less than 25")
    assert q is not None and (q.low, q.high) == (18.5, 25.0)


def test_ratios_compare_by_value_and_clock_times_are_not_read() -> None:
    assert lost_sequence("Compression-to-breath ratio?", ["30:2", "15:2", "5:1", "30:1"], "A")
    assert lost_sequence("Ratio?", ["1:4", "1:2", "1:1", "2:1"], "B") == []
    assert read_quantity("1:04") is None  # a clock time, or a mangled ratio
    assert read_quantity("8:30") is None
    assert read_quantity("3:0") is None


def test_fractions_are_not_k_type_combinations_unless_statements_are_numbered() -> None:
    fractions = ["1/50", "1/10", "1/30", "1/5"]
    assert complex_k_type("Under 2/10, net 30, what share is saved?", fractions, "A") == []
    numbered = "Which are true?\n1. Aspirin\n2. Heparin\n3. Warfarin\n4. Clopidogrel"
    assert complex_k_type(numbered, ["1/2", "2/3", "1/3/4", "4"], "A")
    assert complex_k_type("Which?", ["1 and 2", "2 and 3", "1 and 4", "3"], "A")


@pytest.mark.parametrize(
    "stem",
    [
        "True or false: under OSHA's standard, employees with exposure receive training yearly.",
        "False statement about tetanus:",
    ],
)
def test_stems_asking_for_the_true_statement_are_not_bare_topics(stem: str) -> None:
    options = [
        "True",
        "False; training is given only at hire",
        "False; training repeats every 3 years",
        "False; training is optional for part-time staff",
    ]
    assert unfocused_stem(stem, options, "A") == []
    # A bare topic before statements still is one.
    assert unfocused_stem("Tetanus toxoid in pregnancy:", options, "A")
