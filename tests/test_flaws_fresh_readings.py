"""Readings added after the fresh labelled set's first evaluation: dashed blanks, quoted letters.

benchmarks/data/flaws_fresh was scored once with the rules as designed on the dev part; two
of its misses were forms the rules did not read: a run of dashes as the blank, and option
letters in quotes combined with "&". Each gets a firing case and a near miss.
"""

from __future__ import annotations

import pytest

from validators.flaws import complex_k_type, fill_in_the_blank

FOUR = ["10-20", "40-50", "50-70", "70-120"]


@pytest.mark.parametrize(
    "stem",
    [
        "A-alpha fibers have a speed of conduction of  ------ m/s.",
        "---- is the drug of choice for absence seizures",
        "The usual adult dose is —————— mg a day",
    ],
)
def test_a_run_of_dashes_standing_as_a_word_is_a_blank(stem: str) -> None:
    assert [f.code for f in fill_in_the_blank(stem, FOUR, "B")] == ["fill_in_the_blank"]


@pytest.mark.parametrize(
    "stem",
    [
        "The patient -- a 40-year-old farmer -- has a fever. Which test comes first?",
        "Pain --- worse at night --- is typical of which lesion?",
        "A 20-year-old-man presents with a rash. What is the diagnosis?",
        "Which range is normal? ----",
    ],
)
def test_dashes_standing_for_a_dash_are_not_blanks(stem: str) -> None:
    assert fill_in_the_blank(stem, FOUR, "B") == []


@pytest.mark.parametrize("option", ["'B' & 'C'", '"1" and "3"', "‘A’, ‘B’ and ‘D’"])
def test_quoted_option_letters_combined_are_complex_k(option: str) -> None:
    options = ["Dentigerous cyst", "Radicular cyst", "Odontogenic keratocyst", option]
    assert [(f.code, f.where) for f in complex_k_type("Cysts are:", options, "D")] == [
        ("complex_k_type", "D")
    ]


@pytest.mark.parametrize("option", ["'Part A' and 'Part B'", "Medicare Parts A and B", "'B'"])
def test_quoted_content_is_not_a_combination(option: str) -> None:
    options = ["Hospital insurance", "Medical insurance", "Drug coverage", option]
    assert complex_k_type("Which part covers it?", options, "D") == []
