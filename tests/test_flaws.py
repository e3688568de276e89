"""The 14 rule-detectable item-writing flaws (../shared/spec/item-flaws.md).

Each code gets items that must fire and near misses that must not, mostly from the
medical office: HIPAA, claims, coding, scheduling, payroll.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bank.models import Flaw
from validators.flaws import RULES, check_flaws

SPEC_CODES = [
    "none_of_the_above",
    "all_of_the_above",
    "complex_k_type",
    "true_false",
    "fill_in_the_blank",
    "negative_words",
    "absolute_terms",
    "vague_terms",
    "longest_answer_correct",
    "word_repeats",
    "convergence_cues",
    "grammatical_cues",
    "lost_sequence",
    "unfocused_stem",
]

NEUTRAL_STEM = "Which form does a physician office use to bill Medicare for professional services?"
NEUTRAL_OPTIONS = ["CMS-1500", "UB-04", "ADA dental claim", "NCPDP pharmacy claim"]


def run(code: str, stem: str, options: list[str], answer: str | None = "A") -> list[Flaw]:
    return RULES[code](stem, options, answer)


def places(code: str, stem: str, options: list[str], answer: str | None = "A") -> list[str]:
    return [f.where for f in run(code, stem, options, answer)]


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------


def test_registry_holds_the_spec_codes_in_order() -> None:
    assert list(RULES) == SPEC_CODES
    for code, rule in RULES.items():
        assert rule.__name__ == code


def test_a_clean_item_has_no_flaws() -> None:
    assert check_flaws(NEUTRAL_STEM, NEUTRAL_OPTIONS, "A") == []


def test_check_flaws_runs_every_rule_in_order() -> None:
    stem = "Which of the following is NOT true?"
    options = ["All patients must sign", "Claims are usually paid", "None of the above", "A and B"]
    found = check_flaws(stem, options, "B")
    codes = [f.code for f in found]
    assert codes == sorted(codes, key=SPEC_CODES.index)
    assert {"none_of_the_above", "complex_k_type", "true_false", "negative_words"} <= set(codes)
    assert {"absolute_terms", "vague_terms"} <= set(codes)


# ---------------------------------------------------------------------------
# none_of_the_above / all_of_the_above / complex_k_type
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option",
    [
        "None of the above",
        "none of the above.",
        "None of these",
        "Neither of the above",
        "None of the above is correct",
        "No correct answer",
        "There is no correct answer",
        "None",
    ],
)
def test_none_of_the_above_fires(option: str) -> None:
    options = ["CMS-1500", "UB-04", "Form 941", option]
    found = run("none_of_the_above", NEUTRAL_STEM, options)
    assert [(f.where, f.evidence) for f in found] == [("D", option.strip())]


@pytest.mark.parametrize(
    "option",
    [
        "None of the patient's information may be shared",
        "No copay is due at the visit",
        "Neither the patient nor the spouse",
        "Nonparticipating provider",
    ],
)
def test_none_of_the_above_near_misses(option: str) -> None:
    assert run("none_of_the_above", NEUTRAL_STEM, ["CMS-1500", "UB-04", "W-2", option]) == []


@pytest.mark.parametrize(
    "option",
    ["All of the above", "All of these", "all the above", "All of the above are correct", "All"],
)
def test_all_of_the_above_fires(option: str) -> None:
    stem = "Which of these is a HIPAA identifier?"
    options = ["Name", "Telephone number", "Email address", option]
    assert places("all_of_the_above", stem, options) == ["D"]


@pytest.mark.parametrize(
    "option",
    [
        "All patients must sign the acknowledgment",
        "Both A and B are correct",
        "All-payer claims database",
        "Allowed amount",
    ],
)
def test_all_of_the_above_near_misses(option: str) -> None:
    assert run("all_of_the_above", NEUTRAL_STEM, ["CMS-1500", "UB-04", "W-2", option]) == []


@pytest.mark.parametrize(
    "option",
    [
        "A and C",
        "Both B and D",
        "1 and 3 only",
        "A, B, and C",
        "Both A and B are correct",
        "I and III only",
        "Options A and C",
        "Both of the above",
    ],
)
def test_complex_k_type_fires(option: str) -> None:
    options = ["Name", "Date of birth", "Medical record number", option]
    found = run("complex_k_type", "Which are PHI under HIPAA?", options)
    assert [(f.where, f.evidence) for f in found] == [("D", option)]


@pytest.mark.parametrize(
    "option",
    [
        "Medicare Parts A and B",
        "Part A only",
        "Hepatitis B and C vaccines",
        "Schedule II and III drugs",
        "W-2 and W-4",
        "A",
    ],
)
def test_complex_k_type_near_misses(option: str) -> None:
    assert run("complex_k_type", NEUTRAL_STEM, ["Medigap", "Part D", "Medicaid", option]) == []


def test_all_and_none_of_the_above_are_not_also_absolute_terms() -> None:
    # The spec excepts only "All/None of the above" from absolute_terms: a combination
    # or a single statement that says "only" ("I only", "1 and 3 only") says an absolute.
    options = ["I only", "1 and 3 only", "All of the above", "None of the above"]
    found = check_flaws("Which statements about COBRA are correct?", options, "A")
    codes = {(f.code, f.where) for f in found}
    assert ("complex_k_type", "B") in codes
    assert ("all_of_the_above", "C") in codes
    assert ("none_of_the_above", "D") in codes
    assert {f.where for f in found if f.code == "absolute_terms"} == {"A", "B"}


@pytest.mark.parametrize(
    ("stem", "options", "flagged"),
    [
        # glued lower-case letters of statements the stem labels "a) ... b) ..."
        (
            "Which disorders of the mother cause microcephaly? "
            "a) SLE b) Hepatitis A c) PKU d) Rubella",
            ["ab", "cd", "bd", "ac"],
            ["A", "B", "C", "D"],
        ),
        # labels glued to the statement before them ("... per dayb) Urine ...")
        (
            "In chronic renal failure: a) Output is above 3 L per dayb) Urine is dilute"
            "c) Sodium is lost",
            ["a", "c", "bc", "ad"],
            ["C", "D"],
        ),
        # orderings of lettered statements
        (
            "Put the steps of hand washing in order: a. wet b. soap c. scrub d. rinse",
            ["a,c,d,b", "b,c,a,d", "d,a,c,b", "c,a,b,d"],
            ["A", "B", "C", "D"],
        ),
    ],
)
def test_complex_k_type_fires_on_lettered_statements(
    stem: str, options: list[str], flagged: list[str]
) -> None:
    assert places("complex_k_type", stem, options) == flagged


def test_complex_k_type_lower_case_letters_need_lettered_statements() -> None:
    # Without statements labeled by letter, "AB" is a blood group, not a combination.
    options = ["A", "B", "AB", "O"]
    assert run("complex_k_type", "Which blood group is the universal recipient?", options) == []


# ---------------------------------------------------------------------------
# true_false
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stem",
    [
        "Which of the following is true?",
        "Which of the following statements about HIPAA is true?",
        "Which statement regarding the Privacy Rule is false?",
        "Which of the following is correct regarding appointment scheduling?",
        "Which of the following statements is most accurate?",
        "Which one of the following is incorrect?",
        "Which of the following is true of the CMS-1500?",
        "True or false: a patient may request an amendment to the record.",
        "All of the following are true EXCEPT:",
        "Select the correct statement about payroll deductions.",
    ],
)
def test_true_false_fires_on_the_stem(stem: str) -> None:
    assert places("true_false", stem, NEUTRAL_OPTIONS) == ["stem"]


@pytest.mark.parametrize(
    "options",
    [
        ["True", "False"],
        ["Yes", "No", "Yes, if the employer asks", "No, unless the patient consents"],
        ["yes.", "no."],
        ["Yes if the patient signs", "No because it is PHI", "Yes", "No"],
    ],
)
def test_true_false_fires_on_the_options(options: list[str]) -> None:
    stem = "May the office release records to an employer without authorization?"
    assert places("true_false", stem, options) == ["options"]


@pytest.mark.parametrize(
    "stem",
    [
        "Which modifier is correct for a bilateral procedure?",
        "Which of the following is the correct code for a new patient office visit?",
        "Which ICD-10-CM code is correct for type 2 diabetes without complications?",
        "What is the correct order of the steps in patient check-in?",
        "Which claim was filed correctly?",
        "A patient asks whether her balance is correct. What should the assistant do first?",
    ],
)
def test_true_false_near_misses_on_the_stem(stem: str) -> None:
    assert run("true_false", stem, NEUTRAL_OPTIONS) == []


@pytest.mark.parametrize(
    "options",
    [
        ["No later than 30 days", "No later than 60 days", "No later than 90 days", "No limit"],
        ["Yes", "No", "Only with consent", "Never"],
        ["True copy of the record", "Summary only", "Abstract", "Billing record"],
        ["Yes"],
    ],
)
def test_true_false_near_misses_on_the_options(options: list[str]) -> None:
    stem = "How soon must the office respond to a records request?"
    assert run("true_false", stem, options) == []


# ---------------------------------------------------------------------------
# fill_in_the_blank
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "evidence"),
    [
        ("The ____ is the claim form for physician services.", "____"),
        ("Federal payroll taxes are reported quarterly on Form ( ).", "( )"),
        ("The [ ] rule protects electronic PHI.", "[ ]"),
        ("The …blank… rule limits disclosures to what is needed.", "...blank"),
        ("Fill in the blank: the NPI has ten digits.", "Fill in the blank"),
        ("A patient who misses an appointment is documented as a __.", "__"),
    ],
)
def test_fill_in_the_blank_fires(stem: str, evidence: str) -> None:
    found = run("fill_in_the_blank", stem, NEUTRAL_OPTIONS)
    assert [(f.where, f.evidence) for f in found] == [("stem", evidence)]


@pytest.mark.parametrize(
    "stem",
    [
        "A blank claim form must be kept where?",
        "The patient left the consent form blank. What should the assistant do?",
        "Which field of the CMS-1500 (box 21) holds the diagnosis codes?",
        "A file named claim_2024.csv was rejected. Why?",
    ],
)
def test_fill_in_the_blank_near_misses(stem: str) -> None:
    assert run("fill_in_the_blank", stem, NEUTRAL_OPTIONS) == []


# ---------------------------------------------------------------------------
# negative_words
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "evidence"),
    [
        ("Which is NOT a HIPAA identifier?", "NOT"),
        ("All of the following are covered entities EXCEPT", "EXCEPT"),
        ("Which is the LEAST appropriate way to confirm an appointment?", "LEAST"),
        ("Which statement about the Privacy Rule is false?", "false"),
        ("Which of these codes is incorrect for the visit?", "incorrect"),
        ("A medical assistant should never do which of the following?", "never"),
        ("Which is not covered, EXCEPT in an emergency?", "not, EXCEPT"),
    ],
)
def test_negative_words_fires(stem: str, evidence: str) -> None:
    found = run("negative_words", stem, NEUTRAL_OPTIONS)
    assert [(f.where, f.evidence) for f in found] == [("stem", evidence)]


@pytest.mark.parametrize(
    "stem",
    [
        "Which notice must be given to every new patient?",
        "Which form is exceptional to the usual workflow?",
        "Which statement about a falsified claim must be reported?",
        "Which payer appears last on the remittance advice?",
        "Which patient cannot be billed for a missed appointment?",
    ],
)
def test_negative_words_near_misses(stem: str) -> None:
    assert run("negative_words", stem, ["Yes", "No", "Maybe", "Later"]) == []


def test_negative_words_ignore_the_options() -> None:
    options = ["Not covered", "Never billed", "UB-04", "W-2"]
    assert run("negative_words", NEUTRAL_STEM, options) == []


# ---------------------------------------------------------------------------
# absolute_terms / vague_terms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "evidence"),
    [
        ("The physician must always sign the claim", "must, always"),
        ("Patients never need to show an insurance card", "never"),
        ("Only the billing manager may post payments", "Only"),
        ("Every patient receives a copy", "Every"),
        ("All patients pay the copay at check-in", "All"),
        ("Payment is guaranteed within 14 days", "guaranteed"),
        ("The record is completely confidential", "completely"),
        ("None of the patient's information may be shared", "None"),
        ("1 and 3 only", "only"),  # the spec excepts no combination
        ("II only", "only"),
    ],
)
def test_absolute_terms_fires(option: str, evidence: str) -> None:
    found = run("absolute_terms", NEUTRAL_STEM, ["CMS-1500", option, "UB-04", "W-2"])
    assert [(f.where, f.evidence) for f in found] == [("B", evidence)]


@pytest.mark.parametrize(
    "option",
    [
        "All of the above",
        "None of the above",
        "The allowed amount",
        "Everyone at the front desk",
        "Nonessential records",
    ],
)
def test_absolute_terms_near_misses(option: str) -> None:
    assert run("absolute_terms", NEUTRAL_STEM, ["CMS-1500", option, "UB-04", "W-2"]) == []


def test_absolute_terms_ignore_the_stem() -> None:
    stem = "Which form must always be used, and only for professional services?"
    assert run("absolute_terms", stem, NEUTRAL_OPTIONS) == []


@pytest.mark.parametrize(
    ("option", "evidence"),
    [
        ("Claims are usually paid within 30 days", "usually"),
        ("The physician may bill for the call", "may"),
        ("Patients often forget the card", "often"),
        ("Typically the payer sends an EOB", "Typically"),
        ("It might be denied, possibly twice", "might, possibly"),
        ("Rarely, the clearinghouse rejects it", "Rarely"),
        ("May be billed as a new patient", "May"),
    ],
)
def test_vague_terms_fires(option: str, evidence: str) -> None:
    found = run("vague_terms", NEUTRAL_STEM, [option, "CMS-1500", "UB-04", "W-2"])
    assert [(f.where, f.evidence) for f in found] == [("A", evidence)]


@pytest.mark.parametrize(
    "option",
    ["May 15, 2024", "By May 1", "May 2024", "Mayo Clinic referral", "Maybe", "Generalist"],
)
def test_vague_terms_near_misses(option: str) -> None:
    options = [option, "CMS-1500", "W-2", "I-9"]
    assert run("vague_terms", "Which usually comes first?", options) == []


# ---------------------------------------------------------------------------
# longest_answer_correct
# ---------------------------------------------------------------------------


def test_longest_answer_correct_fires() -> None:
    options = [
        "Verify the patient's insurance eligibility before the appointment",
        "Ask for a copay",
        "Print a receipt",
        "Call the payer",
    ]
    found = run("longest_answer_correct", NEUTRAL_STEM, options, "A")
    assert [(f.where, f.evidence) for f in found] == [("A", "key 65 chars; others 15, 15, 14")]


def test_longest_answer_correct_boundaries() -> None:
    # 40 >= 32 + 8 and 40 >= 1.25 x 32: fires; one character less does not.
    others = ["x" * 32, "y" * 32, "z" * 32]
    assert places("longest_answer_correct", "Q?", ["k" * 40, *others], "A") == ["A"]
    assert run("longest_answer_correct", "Q?", ["k" * 39, *others], "A") == []


@pytest.mark.parametrize(
    ("options", "answer"),
    [
        (["k" * 48, "x" * 40, "y" * 40, "z" * 40], "A"),  # 8 longer but under 1.25 x mean
        (["k" * 30, "x" * 25, "y" * 10, "z" * 10], "A"),  # 1.25 x mean but only 5 longer
        (["k" * 30, "x" * 30, "y" * 10, "z" * 10], "A"),  # tied, not strictly longest
        (["k" * 10, "x" * 40, "y" * 10, "z" * 10], "A"),  # a distractor is longest
        (["k" * 40, "x" * 10, "y" * 10, "z" * 10], None),  # key unknown
        (["k" * 40, "x" * 10, "y" * 10, "z" * 10], "E"),  # key out of range
    ],
)
def test_longest_answer_correct_near_misses(options: list[str], answer: str | None) -> None:
    assert run("longest_answer_correct", "Q?", options, answer) == []


def test_longest_answer_correct_trims_before_measuring() -> None:
    options = ["Short key" + " " * 40, "Distractor", "Another one", "Third"]
    assert run("longest_answer_correct", "Q?", options, "A") == []


# ---------------------------------------------------------------------------
# word_repeats
# ---------------------------------------------------------------------------


def test_word_repeats_fires_on_the_stems_words_in_the_key() -> None:
    stem = "Which document must a patient sign before the office releases medical records?"
    options = ["A signed records release", "A verbal consent", "A privacy notice", "A subpoena"]
    found = run("word_repeats", stem, options, "A")
    assert [(f.where, f.evidence) for f in found] == [("A", "sign, releases, records")]


def test_word_repeats_matches_after_simple_stemming() -> None:
    stem = "Which federal agency registers prescribers of controlled drugs?"
    options = ["Drug Enforcement Administration", "OSHA", "CLIA", "CMS"]
    found = run("word_repeats", stem, options, "A")
    assert [(f.where, f.evidence) for f in found] == [("A", "drugs")]


@pytest.mark.parametrize(
    ("stem", "options"),
    [
        # the shared word is in a distractor too
        (
            "Which claim form is used for hospital inpatient claims?",
            ["UB-04 claim form", "CMS-1500 claim form", "ADA form", "W-2 form"],
        ),
        # only stop words and short words are shared
        (
            "Which of the following is the fee for the visit?",
            ["The following fee", "$25", "$40", "$15"],
        ),
        # no overlap at all
        (NEUTRAL_STEM, NEUTRAL_OPTIONS),
    ],
)
def test_word_repeats_near_misses(stem: str, options: list[str]) -> None:
    assert run("word_repeats", stem, options, "A") == []


def test_word_repeats_needs_the_key() -> None:
    stem = "Which federal agency registers prescribers of controlled drugs?"
    options = ["Drug Enforcement Administration", "OSHA", "CLIA", "CMS"]
    assert run("word_repeats", stem, options, None) == []


# ---------------------------------------------------------------------------
# convergence_cues
# ---------------------------------------------------------------------------

CONVERGENT = [
    "Verify patient insurance eligibility",
    "Verify patient identity",
    "Check insurance eligibility",
    "Collect the copay",
]


def test_convergence_cues_fires_when_the_key_is_the_centre() -> None:
    found = run("convergence_cues", "What should the front desk do first?", CONVERGENT, "A")
    assert [f.where for f in found] == ["A"]
    assert found[0].evidence.startswith("key shares 4; others 2, 2, 0")
    assert "insurance" in found[0].evidence


def test_convergence_cues_near_misses() -> None:
    stem = "What should the front desk do first?"
    assert run("convergence_cues", stem, CONVERGENT, "B") == []  # a distractor is the centre
    assert run("convergence_cues", stem, CONVERGENT, None) == []
    # margin of one word is not enough
    options = [
        "Verify patient identity",
        "Verify patient address",
        "Check insurance eligibility",
        "Collect the copay",
    ]
    assert run("convergence_cues", stem, options, "A") == []


# ---------------------------------------------------------------------------
# grammatical_cues
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "options", "answer"),
    [
        # "an" and only the key starts with a vowel sound: an HMO, a PPO, a POS, a fee
        (
            "A patient who must choose a primary care physician is most likely enrolled in an",
            ["HMO", "PPO", "POS plan", "fee-for-service plan"],
            "A",
        ),
        # "a" and only the key starts with a consonant sound
        (
            "Professional services are billed to Medicare on a",
            ["CMS-1500 claim form", "electronic remittance", "explanation of benefits", "invoice"],
            "A",
        ),
        # acronyms read as words: an OSHA ..., a HIPAA ..., a CLIA ..., a CMS ...
        (
            "Posting the exposure control plan in the lab is an",
            ["OSHA requirement", "HIPAA requirement", "CLIA requirement", "CMS requirement"],
            "A",
        ),
        # silent h and "you" sounds: an hour, a unit, a one-time, a user
        (
            "The standard new-patient appointment slot is an",
            ["hour", "unit of ten minutes", "one-time block", "user-defined length"],
            "A",
        ),
        # the key alone disagrees: the distractors were written for the stem
        (
            "The patient's ID card was scanned by a",
            ["office manager", "receptionist", "billing clerk", "nurse"],
            "A",
        ),
        # a blank in the middle: the article before it decides
        (
            "Patients sign an ____ form before their first visit.",
            ["acknowledgment", "payment", "release", "referral"],
            "A",
        ),
    ],
)
def test_grammatical_cues_fire_on_articles(stem: str, options: list[str], answer: str) -> None:
    found = run("grammatical_cues", stem, options, answer)
    assert [f.where for f in found] == [answer]
    assert found[0].evidence.startswith("stem ends")


def test_grammatical_cues_fire_on_number() -> None:
    singular = ["An incorrect policy number", "Duplicate claims", "Coding errors", "Late filings"]
    found = run("grammatical_cues", "The most common reason for a denied claim is", singular, "A")
    assert [(f.where, f.evidence) for f in found] == [
        ("A", 'stem says "is"; only the key is singular')
    ]
    plural = [
        "names and Social Security numbers",
        "a treatment date",
        "the diagnosis code",
        "the provider's specialty",
    ]
    stem = "The identifiers removed to de-identify PHI under the Safe Harbor method are"
    found = run("grammatical_cues", stem, plural, "A")
    assert [(f.where, f.evidence) for f in found] == [
        ("A", 'stem says "are"; only the key is plural')
    ]


def test_grammatical_cues_read_latin_plurals() -> None:
    # "lamellae" and "striae" are plurals: the singular key stands alone after "is".
    options = ["Enamel spindles", "Dentinoenamel junction", "Enamel lamellae", "Striae of Retzius"]
    stem = "The lateral spread of dental caries is facilitated mostly by the"
    found = run("grammatical_cues", stem, options, "B")
    assert [(f.where, f.evidence) for f in found] == [
        ("B", 'stem says "is"; only the key is singular')
    ]
    same_number = ["Enamel spindles", "Dentinal tubules", "Enamel lamellae", "Striae of Retzius"]
    assert run("grammatical_cues", stem, same_number, "B") == []


@pytest.mark.parametrize(
    ("stem", "options"),
    [
        # a question is not a completion
        (
            "Which plan requires the patient to choose a primary care physician, an HMO?",
            ["HMO", "PPO", "POS plan", "fee-for-service plan"],
        ),
        # two options start with a vowel sound
        ("The patient is most likely enrolled in an", ["HMO", "EPO", "PPO", "POS plan"]),
        # a final capital A is a name, not an article
        ("Inpatient hospital care is covered by Medicare Part A", ["HMO", "PPO", "POS", "PFFS"]),
        # number agrees with every option
        ("The forms a new employee completes are", ["W-4 forms", "I-9 forms", "Pay stubs", "IDs"]),
        # options after "to" are verbs and have no number
        (
            "Your first action when a patient collapses in the waiting room is to",
            ["call for help", "give two rescue breaths", "check the notes", "find the chart"],
        ),
        # clauses have no number
        (
            "The claim was denied because",
            ["It was late", "The codes were wrong", "They lacked a signature", "It had no NPI"],
        ),
    ],
)
def test_grammatical_cues_near_misses(stem: str, options: list[str]) -> None:
    assert run("grammatical_cues", stem, options, "A") == []


def test_grammatical_cues_need_the_key() -> None:
    stem = "A patient who must choose a primary care physician is most likely enrolled in an"
    assert run("grammatical_cues", stem, ["HMO", "PPO", "POS plan", "fee-for-service"], None) == []


# ---------------------------------------------------------------------------
# lost_sequence
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        ["90 days", "30 days", "60 days", "120 days"],
        ["6 months", "90 days", "1 year", "2 weeks"],
        ["$25", "$10", "$50", "$40"],
        ["$1,200.50", "$950", "$1,500", "$2,000"],
        ["20%", "80%", "50%", "100%"],
        ["March 15, 2024", "January 15, 2024", "April 15, 2024", "June 15, 2024"],
        ["2024-03-01", "2024-01-01", "2024-02-01", "2024-04-01"],
        ["60-100 bpm", "40-60 bpm", "100-120 bpm", "120-140 bpm"],
        ["Within 30 days", "Within 90 days", "Within 60 days", "Within 120 days"],
        ["7", "4", "10", "18"],
        ["only 5%", "less than 1%", "only 13%", "less than 2%"],  # qualifiers and bounds
        ["14-18 weeks", "12-14 weeks", "12-16 weeks", "12-26 weeks"],  # low end, then high
        ["13 m/s^2", "26 m/s^2", "7 m/s^2", "17 m/s^2"],  # a unit the parser does not know
        ["0.1 L/cm", "0.3 L/cm", "0.2 L/cm", "0.4 L cm"],  # one tail, punctuated two ways
        ["2 feet", "48 inches", "4.8 metres", "5 feet"],  # lengths in one unit
        ["2 hours", "1 day", "90 minutes", "3 days"],  # durations in other units
        ["61-90 day column", "Current 0-30 day column", "31-60 day column", "Over 120 day column"],
        ["One thousand dollars", "Nine hundred dollars", "Nine hundred fifty dollars", "$1,050"],
        ["1 in 10", "1 in 500", "1 in 40", "1 in 1000"],  # proportions by value
        ["5th week", "10th week", "8th week", "12th week"],  # ordinal weeks
        ["June 1, 2027", "May 3, 2027", "July 9, 2027", "May 1, 2028"],
    ],
)
def test_lost_sequence_fires(options: list[str]) -> None:
    found = run("lost_sequence", "How long is the retention period?", options)
    assert [f.where for f in found] == ["options"]
    assert options[0] in found[0].evidence


@pytest.mark.parametrize(
    "options",
    [
        ["30 days", "60 days", "90 days", "120 days"],
        ["$100", "$50", "$25", "$10"],
        ["90 days", "6 months", "12 months", "2 years"],  # one unit after conversion
        ["CMS-1500", "UB-04", "Form 941", "W-2"],  # names with digits
        ["30 days", "60 days", "Never", "90 days"],  # one option is no quantity
        ["$50", "30 days", "20%", "10 mg"],  # quantities of different kinds
        ["10% bleach", "70% alcohol", "3% peroxide", "0.5% chlorhexidine"],  # different things
        ["5 years", "5 years", "6 years", "7 years"],  # ties are in order
        ["90 days", "30 days"],  # too few options to speak of an order
        ["12-14 weeks", "12-16 weeks", "12-26 weeks", "14-18 weeks"],  # ranges in order
        ["1 in 10", "1 in 40", "1 in 500", "1 in 1000"],  # consistently descending values
        ["4.8 metres", "5 feet", "48 inches", "2 feet"],  # descending after conversion
        ["10 seconds", "1 minute", "90 seconds", "4 minutes"],  # ascending after conversion
        [".5 mg", ".50 mg", "0.5 mg", "0.50 mg"],  # one value written four ways
        ["837P", "837I", "835", "270"],  # transaction names
        ["Stage 3", "Stage 1", "Stage 4", "Stage 2"],  # a name before the number
        ["47,XXY", "45,X", "47,XXX", "46,XY"],  # karyotypes
        ["67 and 70", "60 and 62", "72 and 75", "55 and 58"],  # pairs, not ranges
        ["1st tracheal ring", "3rd pharyngeal arch", "2nd rib", "4th ventricle"],  # names
        ["13 m/s^2", "26 m/s", "7 m/s^2", "17 m/s^2"],  # tails that differ
    ],
)
def test_lost_sequence_near_misses(options: list[str]) -> None:
    assert run("lost_sequence", "How long is the retention period?", options) == []


# ---------------------------------------------------------------------------
# unfocused_stem
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "evidence"),
    [
        ("HIPAA:", "1 word"),
        ("Regarding medical records,", "3 words"),
        ("Payroll taxes", "2 words"),
        ("", "0 words"),
        ("The Notice of Privacy Practices:", "ends with ':' and neither asks nor completes"),
        (
            "Regarding the release of medical records to a patient's attorney,",
            'opens with "Regarding" and neither asks nor completes',
        ),
        (
            "Concerning established patients and the new fee schedule",
            'opens with "Concerning" and neither asks nor completes',
        ),
    ],
)
def test_unfocused_stem_fires(stem: str, evidence: str) -> None:
    found = run("unfocused_stem", stem, NEUTRAL_OPTIONS)
    assert [(f.where, f.evidence) for f in found] == [("stem", evidence)]


@pytest.mark.parametrize(
    "stem",
    [
        NEUTRAL_STEM,
        "The Notice of Privacy Practices must be given to patients:",
        "Regarding medical records, which of the following is true?",
        "Regarding medical records, the patient may request",
        "The claim form used by physician offices is the ____.",
        "An established patient calls to reschedule.",
        "Federal income tax withheld from wages is reported on:",
        "Schedule the follow-up visit for:",
        "Which code applies here:",
        "Heavy forces on the periodontal ligament causes:",  # a verb at the end
        "Peak flow meters record:",
        "Glucocorticoids decrease inflammatory reaction by reducing:",  # a gerund after "by"
    ],
)
def test_unfocused_stem_near_misses(stem: str) -> None:
    assert run("unfocused_stem", stem, NEUTRAL_OPTIONS) == []


def test_a_colon_stem_is_a_completion_when_the_options_are_predicates() -> None:
    stem = "Removal of adhesive strips:"
    predicates = [
        "can be carried out by the patient.",
        "should be undertaken under aseptic conditions.",
        "is a specialist skill.",
        "frequently causes bleeding.",
    ]
    assert run("unfocused_stem", stem, predicates) == []
    nouns = ["A nurse", "A physician", "The patient", "A specialist"]
    found = run("unfocused_stem", stem, nouns)
    assert [f.evidence for f in found] == ["ends with ':' and neither asks nor completes"]


def test_a_bare_topic_stays_unfocused_whatever_its_first_word() -> None:
    # "Causes" opens the topic: it is a noun there, not the verb that ends a completion.
    found = run("unfocused_stem", "Causes of hypercalcemia in adults:", NEUTRAL_OPTIONS)
    assert [f.evidence for f in found] == ["ends with ':' and neither asks nor completes"]


# ---------------------------------------------------------------------------
# Robustness
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [[], ["Only one"], ["", "", "", ""], ["A", "B", "C", "D", "E", "F"], ["\u200b", "\x00", "é"]],
)
@pytest.mark.parametrize("answer", ["A", "D", "F", "a", "", None, "AB", "7"])
def test_odd_items_do_not_raise(options: list[str], answer: str | None) -> None:
    for flaw in check_flaws("Which of these ____ is NOT", options, answer):
        assert flaw.code in SPEC_CODES


def test_more_than_four_options_are_lettered_on() -> None:
    options = ["CMS-1500", "UB-04", "W-2", "I-9", "None of the above"]
    assert places("none_of_the_above", NEUTRAL_STEM, options) == ["E"]


@settings(max_examples=150, deadline=None)
@given(
    stem=st.text(max_size=300),
    options=st.lists(st.text(max_size=80), max_size=6),
    answer=st.one_of(st.none(), st.sampled_from(["A", "B", "C", "D", "E", "a", "", "?"])),
)
def test_check_flaws_never_raises(stem: str, options: list[str], answer: str | None) -> None:
    found = check_flaws(stem, options, answer)
    assert isinstance(found, list)
    for flaw in found:
        assert isinstance(flaw, Flaw)
        assert flaw.code in SPEC_CODES
        assert isinstance(flaw.where, str) and flaw.where


@settings(max_examples=100, deadline=None)
@given(
    stem=st.sampled_from(
        ["Which is NOT a HIPAA identifier?", "The claim form is a", "HIPAA:", "Regarding X,"]
    ),
    options=st.lists(
        st.sampled_from(
            ["None of the above", "A and C", "90 days", "30 days", "always", "HMO", "May 1", "Yes"]
        ),
        min_size=4,
        max_size=4,
    ),
    answer=st.sampled_from(["A", "B", "C", "D", None]),
)
def test_check_flaws_is_pure(stem: str, options: list[str], answer: str | None) -> None:
    copy = list(options)
    assert check_flaws(stem, options, answer) == check_flaws(stem, options, answer)
    assert options == copy
