"""Option-set checks beyond the spec's rules: off-topic distractors and mixed options.

Each check gets items that must fire and near misses that must not, and the offline
generator's own items must show neither (validators.option_checks).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bank.models import Blueprint, Flaw, Item
from bank.notes import NoteSet
from generators.offline import supported_items
from validators.flaws import check_flaws
from validators.option_checks import mixed_options, off_topic_distractor


def where(flaws: list[Flaw]) -> list[str]:
    return [f.where for f in flaws]


# ---------------------------------------------------------------------------
# off_topic_distractor
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "options", "answer", "flagged"),
    [
        (
            "A patient rolls up a sleeve and holds out an arm. Which type of consent has the "
            "patient given?",
            ["Expressed consent", "Implied consent", "Informed consent", "An advance directive"],
            "B",
            ["D"],
        ),
        (
            "What does denied claim mean?",
            [
                "billing a higher-level service than was performed or documented",
                "claim the payer processed and determined not payable",
                "claim returned unprocessed for missing or invalid data",
                "entity that converts nonstandard health data into standard transactions",
            ],
            "B",
            ["A", "D"],
        ),
        (
            "Which term matches this definition: patient seen by the physician within 3 years?",
            ["Call screening", "Established patient", "Scheduling matrix", "New patient"],
            "B",
            ["A", "C"],
        ),
        (
            "What kind of fraud is it when a coder bills a higher level than documented?",
            ["Upcoding fraud", "Unbundling fraud", "Stark law", "Phantom billing fraud"],
            "A",
            ["C"],
        ),
    ],
)
def test_off_topic_distractor_fires(
    stem: str, options: list[str], answer: str, flagged: list[str]
) -> None:
    found = off_topic_distractor(stem, options, answer)
    assert where(found) == flagged
    assert all(f.code == "off_topic_distractor" for f in found)
    assert all("which the stem asks for" in f.evidence for f in found)


@pytest.mark.parametrize(
    ("stem", "options"),
    [
        # every option names the kind asked for
        (
            "Which type of consent has the patient given?",
            ["Expressed consent", "Implied consent", "Informed consent", "Written consent"],
        ),
        # no option names it: the check has nothing to go on
        (
            "Encrypting ePHI in transit is what type of safeguard?",
            ["Technical", "Physical", "Administrative", "Privacy Rule requirement"],
        ),
        # only the key names it: subtypes need not repeat the kind's name
        (
            "Which type of anemia follows chronic blood loss?",
            ["Iron deficiency anemia", "Thalassemia", "Sickle cell disease", "Hemophilia"],
        ),
        # a definition names its kind first; "check" late in a distractor is not its kind
        (
            "What does the term NSF check mean?",
            [
                "Check returned unpaid because the account lacks funds",
                "Deposit recorded in the checkbook but not yet on the statement",
                "Magnetic ink line at the bottom of a check",
                "Nine-digit number identifying the bank a check is drawn on",
            ],
        ),
        # the stem names no kind
        (
            "Which of the following is billed on the CMS-1500?",
            ["Physician services", "Inpatient services", "Dental services", "Pharmacy claims"],
        ),
        (
            "What is the first step in processing incoming mail?",
            ["Annotate records", "Sort the mail by addressee", "Distribute it", "Open the mail"],
        ),
    ],
)
def test_off_topic_distractor_near_misses(stem: str, options: list[str]) -> None:
    assert off_topic_distractor(stem, options, "A") == []


def test_off_topic_distractor_needs_the_key() -> None:
    options = ["Expressed consent", "Implied consent", "Informed consent", "An advance directive"]
    assert off_topic_distractor("Which type of consent is given?", options, None) == []


# ---------------------------------------------------------------------------
# mixed_options
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "flagged", "why"),
    [
        (
            ["TMP-SMX", "Nitrofurantoin", "Levofloxacin", "No treatment is necessary"],
            "D",
            "a clause among short noun phrases",
        ),
        (["Aspirin", "Heparin", "50", "Warfarin"], "C", "a quantity among names"),
        (["12 weeks", "28 weeks", "36 weeks", "After delivery"], "D", "a name among quantities"),
        (
            [
                "By selective transcription of parts of the gene",
                "By doubling the length of the mRNA",
                "Primary transcripts can be spliced in various ways",
                "By splicing the mRNA after it is formed",
            ],
            "C",
            'the others open with "by"',
        ),
    ],
)
def test_mixed_options_fires(options: list[str], flagged: str, why: str) -> None:
    found = mixed_options("Which is the best next step?", options, "A")
    assert [(f.code, f.where) for f in found] == [("mixed_options", flagged)]
    assert found[0].evidence.startswith(why)


@pytest.mark.parametrize(
    "options",
    [
        ["Aspirin", "Heparin", "Clopidogrel", "Warfarin"],
        ["12 weeks", "28 weeks", "36 weeks", "40 weeks"],
        # numbers inside names are names
        ["1st tracheal ring", "Cricoid cartilage", "Thyroid cartilage", "Cricothyroid membrane"],
        # bare numbers may be codes: a letter code among them is no name among amounts
        ["25", "51", "50", "LT"],
        # a verb as the last word of a name makes no clause
        ["Modelling", "Tell Show Do", "Communication", "Contingency management"],
        # clauses among longer phrases: their verbs may simply be unknown to the check
        [
            "auditory tube opens",
            "cricopharyngeus muscle contracts",
            "rima glottis opens",
            "gag reflex is suspended",
        ],
        # all open alike, or none of the form-setting openers
        ["The pin", "The handle", "The nozzle", "A hose"],
        # one option longer than the rest is longest_answer_correct's finding, not a form
        [
            "A form that gives a payer the payee's taxpayer ID",
            "A way to keep petty cash at a fixed amount",
            "A signed slip for a petty cash payment",
            "A reduction in price that the vendor allows when the invoice is paid early",
        ],
        ["Bass", "Stillman", "Charters", "Roll technique with the bristles at 45 degrees"],
        [
            "The essential duties of a job",
            "A trial period for a new hire",
            "Responding to a problem that continues with steadily stronger consequences,"
            " such as a warning, then a reprimand, then suspension",
            "A written plan for at-risk jobs",
        ],
    ],
)
def test_mixed_options_near_misses(options: list[str]) -> None:
    assert mixed_options("Which is the best next step?", options, "A") == []


# ---------------------------------------------------------------------------
# Robustness and the generator's own items
# ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=80),
    st.lists(st.text(max_size=40), max_size=6),
    st.one_of(st.none(), st.sampled_from(["A", "B", "C", "D", "E", "z", ""])),
)
def test_option_checks_never_raise(stem: str, options: list[str], answer: str | None) -> None:
    for check in (off_topic_distractor, mixed_options):
        for flaw in check(stem, options, answer):
            assert isinstance(flaw, Flaw)


@pytest.fixture(scope="module")
def generated(repo_notes: NoteSet, blueprint: Blueprint) -> list[Item]:
    return [
        it
        for d in blueprint.domains
        for it in supported_items(repo_notes, blueprint, d.number, screen=check_flaws)
    ]


def test_generated_items_have_no_mixed_options(generated: list[Item]) -> None:
    flagged = [
        (it.stem, f.evidence)
        for it in generated
        for f in mixed_options(it.stem, list(it.options), it.answer)
    ]
    assert flagged == []


def test_generated_items_have_no_off_topic_distractors(generated: list[Item]) -> None:
    flagged = [
        (it.stem, f.where, f.evidence)
        for it in generated
        for f in off_topic_distractor(it.stem, list(it.options), it.answer)
    ]
    assert flagged == []
