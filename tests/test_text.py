"""Text helpers behind the flaw rules: words, stop words, stemming, quantities, a/an."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bank.quantities import Quantity, parse_quantity
from bank.text import (
    STOP_WORDS,
    content_words,
    starts_with_vowel_sound,
    stem,
    words,
)

# ---------------------------------------------------------------------------
# words and stop words
# ---------------------------------------------------------------------------


def test_words_are_runs_of_letters_and_digits() -> None:
    expected = ["CMS", "1500", "claim", "ICD", "10", "CM", "code"]
    assert words("CMS-1500 claim; ICD-10-CM code") == expected
    assert words("The physician's NPI") == ["The", "physician", "s", "NPI"]
    assert words("snake_case __ blank") == ["snake", "case", "blank"]


def test_words_read_unicode_letters_and_compatibility_forms() -> None:
    assert words("naïve café — ﬁling") == ["naïve", "café", "filing"]
    assert words("") == []
    assert words("?!… —") == []


def test_stop_words_are_nltk_english_plus_following() -> None:
    assert len(STOP_WORDS) == 199
    for word in ("the", "of", "which", "following", "mustn't", "don", "ourselves", "y"):
        assert word in STOP_WORDS
    for word in ("patient", "must", "claim", "hipaa"):
        assert word not in STOP_WORDS


# ---------------------------------------------------------------------------
# stemming and content words
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("drugs", "drug"),
        ("Drugs", "drug"),
        ("claims", "claim"),
        ("policies", "policy"),
        ("billed", "bill"),
        ("billing", "bill"),
        ("referred", "refer"),
        ("physician's", "physician"),
        ("physician’s", "physician"),
        ("patients'", "patient"),
        ("taxes", "tax"),
        ("processes", "process"),
        ("employees", "employee"),
        ("status", "status"),
        ("diagnosis", "diagnosis"),
        ("class", "class"),
        ("thing", "thing"),
        ("need", "need"),
    ],
)
def test_stem_strips_one_inflectional_ending(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_stem_brings_the_forms_of_a_word_together() -> None:
    forms = ["schedule", "schedules", "scheduled", "scheduling"]
    assert len({stem(w) for w in forms}) == 1
    assert stem("code") == stem("codes") == stem("coded") == stem("coding")
    assert stem("") == ""


def test_content_words_are_stemmed_and_skip_stop_and_short_words() -> None:
    found = content_words("The following claims were billed to the payer for the patient's visit")
    assert found == {"claim", "bill", "payer", "patient", "visit"}
    assert content_words("a fee of $25 for 1500 HMO") == set()  # short words and pure numbers
    assert content_words("Drug") == content_words("drugs")


# ---------------------------------------------------------------------------
# quantities
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("42", "number", 42.0),
        ("0.5", "number", 0.5),
        ("1,200", "number", 1200.0),
        ("Six", "number", 6.0),
        ("$1,200.50", "money", 1200.5),
        ("$25 copay", "money", 25.0),
        ("$1.2 million", "money", 1_200_000.0),
        ("20%", "percent", 20.0),
        ("80 percent", "percent", 80.0),
        ("90 days", "duration", 90.0),
        ("2 weeks", "duration", 14.0),
        ("48 hours", "duration", 2.0),
        ("1 year", "duration", 365.25),
        ("Six months", "duration", 182.625),
        ("Within 30 days", "duration", 30.0),
        ("60-100", "range", 60.0),
        ("60 to 100 bpm", "range", 60.0),
        ("between 60 and 100", "range", 60.0),
        ("10-15%", "range", 10.0),
    ],
)
def test_parse_quantity_reads_amounts(text: str, kind: str, value: float) -> None:
    found = parse_quantity(text)
    assert found is not None
    assert (found.kind, found.value) == (kind, pytest.approx(value))


def test_parse_quantity_puts_durations_in_days() -> None:
    found = [parse_quantity(t) for t in ("90 days", "6 months", "12 months", "1 year")]
    values = [q.value for q in found if q]
    assert values == sorted(values)
    assert values[2] == pytest.approx(values[3])  # 12 months is a year


def test_parse_quantity_reads_dates_as_ordinals() -> None:
    iso = parse_quantity("2024-01-15")
    spelled = parse_quantity("January 15, 2024")
    slashed = parse_quantity("01/15/2024")
    later = parse_quantity("Feb. 1, 2024")
    assert iso is not None and iso.kind == "date"
    assert iso == spelled == slashed
    assert later is not None and later.value == iso.value + 17
    assert parse_quantity("February 30, 2024") is None


@pytest.mark.parametrize(
    "text",
    [
        "CMS-1500",
        "UB-04",
        "Form 941",
        "W-2",
        "I-9",
        "837P",
        "ICD-10-CM",
        "Level 4",
        "Schedule II",
        "1 and 3",
        "one-time",
        "Never",
        "",
        "   ",
        "$",
        "-50",
    ],
)
def test_names_with_digits_and_words_are_not_quantities(text: str) -> None:
    assert parse_quantity(text) is None


def test_quantity_units_tell_what_is_counted() -> None:
    assert parse_quantity("500 mg") == Quantity("number", 500.0, "mg")
    formalin, alcohol = parse_quantity("10% formalin"), parse_quantity("10% alcohol")
    assert formalin is not None and alcohol is not None
    assert formalin.unit != alcohol.unit


# ---------------------------------------------------------------------------
# a / an
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    [
        "HMO",
        "hour",
        "MRI",
        "OSHA",
        "honest",
        "EHR",
        "NPI",
        "FMLA",
        "X-ray",
        "I-9",
        "837P",
        "8",
        "11",
        "18-month",
        "uninsured",
        "unauthorized",
        "insurance",
        "HbA1c",
        "ePHI",
        "EOB",
    ],
)
def test_vowel_sounds_take_an(word: str) -> None:
    assert starts_with_vowel_sound(word)


@pytest.mark.parametrize(
    "word",
    [
        "CPT",
        "unit",
        "HIPAA",
        "one-time",
        "European",
        "user",
        "UB-04",
        "W-2",
        "CMS-1500",
        "1099",
        "FICA",
        "HCPCS",
        "MAC",
        "urinalysis",
        "unilateral",
        "Medicare",
        "copay",
        "",
        "...",
    ],
)
def test_consonant_sounds_take_a(word: str) -> None:
    assert not starts_with_vowel_sound(word)


# ---------------------------------------------------------------------------
# invariants
# ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_helpers_never_raise(text: str) -> None:
    assert isinstance(stem(text), str)
    assert all(isinstance(w, str) and w for w in words(text))
    assert isinstance(content_words(text), set)
    assert isinstance(starts_with_vowel_sound(text), bool)
    found = parse_quantity(text)
    assert found is None or isinstance(found, Quantity)
