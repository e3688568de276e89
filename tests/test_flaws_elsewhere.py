"""Flaw rules on the forms items written elsewhere take (medical banks, other writers).

Each reading gets an item that must fire and a near miss that must not: blanks written as
dots, "true statement" questions in other words, stems that are a whole statement or a
bare noun phrase over options that are statements, plural gerunds in word_repeats. Also
the --fresh scoring of benchmarks/flaw_recall.py on a small labeled file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import flaw_recall
from validators.flaws import fill_in_the_blank, true_false, unfocused_stem, word_repeats

FOUR = ["1 mm", "1.5 mm", "2 mm", "2.5 mm"]

# ---------------------------------------------------------------------------
# fill_in_the_blank: a run of dots standing for the missing words
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stem",
    [
        "If there is bone resorption but no tooth resorption, subtract ……..from the length",
        "The ..... nerve supplies the deltoid muscle",
        "... is the drug of choice for absence seizures",
        "The usual adult dose is (...) mg a day",
    ],
)
def test_a_dotted_slot_inside_the_sentence_is_a_blank(stem: str) -> None:
    assert [f.code for f in fill_in_the_blank(stem, FOUR, "B")] == ["fill_in_the_blank"]


@pytest.mark.parametrize(
    "stem",
    [
        # Omission marks touch the word before them; hesitations in quoted speech too.
        "The sauna conditions the body for future heat stressors… In recent decades it spread",
        "He replies, “Sintelmarvin… no, that's wrong...kantolargen...no?” What is the cause?",
        # Dots before a capital open another sentence; dots at the end leave a completion.
        "The patient says ... I do not remember. What is the most likely diagnosis?",
        'Which option completes the statement? "The right atrioventricular valve…"',
        "The drug of choice for absence seizures is ....",
    ],
)
def test_omission_marks_and_trailing_dots_are_not_blanks(stem: str) -> None:
    assert fill_in_the_blank(stem, FOUR, "B") == []


# ---------------------------------------------------------------------------
# true_false: the true statement asked for in other words
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stem",
    [
        "Which among the following is true about gout?",
        "Which of the following is/are true about sarcoidosis?",
        "What is true about Paget disease of bone?",
        "Which of the following statement(s) is correct?",
        "Which of the statements given below is correct?",
        "Which of the following is most likely true about this study?",
        "Which of the following statements are most likely to be true regarding her experiment?",
        "The true statement about HIPAA is:",
        "Not true about leprosy is:",
        "Regarding the Privacy Rule, the correct statement is:",
        "Following are true about rickets except:",
    ],
)
def test_true_false_fires_on_other_wordings(stem: str) -> None:
    assert [f.where for f in true_false(stem, FOUR, "A")] == ["stem"]


@pytest.mark.parametrize(
    "stem",
    [
        "Which modifier is correct for a bilateral procedure?",
        "What is the correct next step in management?",
        "Which of the following is most likely the correct diagnosis?",
        "Which test is most likely to yield an accurate diagnosis?",
        "A false statement on a claim is an example of which offense?",
    ],
)
def test_true_false_near_misses_name_a_specific_problem(stem: str) -> None:
    assert true_false(stem, FOUR, "A") == []


# ---------------------------------------------------------------------------
# unfocused_stem: a topic written as a sentence or a noun phrase
# ---------------------------------------------------------------------------

TEST_STATEMENTS = [
    "In the test, the volume of tears is measured as the thread changes colour",
    "If the colour changes to blue, it shows a mucin deficiency",
    "Requires a pH meter to read the result",
    "Requires a topical anaesthetic agent",
]


def test_a_whole_statement_before_a_colon_over_statements_is_unfocused() -> None:
    found = unfocused_stem("Phenol red thread test is used for dry eye:", TEST_STATEMENTS, "A")
    assert [f.code for f in found] == ["unfocused_stem"]
    assert "whole statement" in found[0].evidence


@pytest.mark.parametrize(
    ("stem", "options"),
    [
        # The options complete the sentence: it ends on a preposition or a verb.
        ("Phenol red thread test is used for:", TEST_STATEMENTS),
        ("The structure most commonly damaged is:", TEST_STATEMENTS),
        # It says what is asked of the options.
        ("Injury to the mandibular nerve produces the following effects:", TEST_STATEMENTS),
        # Its last clause is open ("is that in ..."), or a condition waiting for its result.
        ("The difference between the premolars is that in the mandibular premolars:", FOUR),
        ("When the cutting edge is perpendicular to the blade then:", TEST_STATEMENTS),
        # Short answers name what is asked: a telegraphic stem, focused.
        ("Type of skull seen in Beckwith syndrome is brachycephaly:", FOUR),
        # "to have" is no finite verb: the stem is a purpose phrase the options finish.
        ("In order to have balance in a hand instrument:", TEST_STATEMENTS),
    ],
)
def test_statement_stem_near_misses(stem: str, options: list[str]) -> None:
    assert unfocused_stem(stem, options, "A") == []


def test_a_noun_phrase_over_sentences_with_their_own_subjects_is_unfocused() -> None:
    options = [
        "They reduce the rate of repair of tissues",
        "They are safe in immunocompromised patients",
        "Oral thrush is an indication for them",
        "Inflammation is made worse by them",
    ]
    found = unfocused_stem("Steroids in oral surgery practice", options, "A")
    assert "noun phrase" in found[0].evidence


def test_a_noun_phrase_over_predicates_or_names_is_focused() -> None:
    predicates = [
        "Reduce the rate of repair of tissues",
        "Are safe in immunocompromised patients",
        "Can be given in oral thrush",
        "Make inflammation worse",
    ]
    assert unfocused_stem("Steroids in oral surgery practice", predicates, "A") == []
    names = ["Bass", "Stillman", "Charters", "Modified Stillman"]
    assert unfocused_stem("Brushing technique for gingival recession", names, "A") == []


# ---------------------------------------------------------------------------
# word_repeats: "mailing" in the stem, "mailings" in the key
# ---------------------------------------------------------------------------


def test_word_repeats_meets_a_plural_gerund() -> None:
    stem = "For which kind of mailing does an office use USPS Marketing Mail?"
    options = [
        "Tracked packages at low cost",
        "Items that arrive in one to three business days",
        "Sealed letters and bills under 13 ounces",
        "Large advertising mailings of 200 or more pieces",
    ]
    assert [f.evidence for f in word_repeats(stem, options, "D")] == ["mailing"]
    # The same word in a distractor too is no cue.
    options[0] = "Tracked mailings at low cost"
    assert word_repeats(stem, options, "D") == []


# ---------------------------------------------------------------------------
# benchmarks/flaw_recall.py --fresh
# ---------------------------------------------------------------------------


def test_fresh_scores_every_item_of_the_file_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [
        {
            "item": {
                "stem": "Which of the following is true?",
                "options": ["Always A", "B", "C", "D"],
                "answer": "A",
            },
            "source": "test",
            "part": "random",
            "flaws": {"true_false": True, "absolute_terms": True, "unfocused_stem": True},
            "checks": {"mixed_options": False},
        },
        {
            "item": {
                "stem": "The ___ nerve supplies the deltoid:",
                "options": {"A": "Axillary", "B": "Radial", "C": "Ulnar", "D": "Median"},
                "answer": "A",
            },
            "source": "test",
            "part": "enriched",
            "flaws": {"fill_in_the_blank": True, "true_false": False},
        },
    ]
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    items = flaw_recall.load_labels(path, part="fresh")
    assert [i.part for i in items] == ["fresh", "fresh"]
    assert items[1].options == ["Axillary", "Radial", "Ulnar", "Median"]
    assert items[1].labels["unfocused_stem"] is None  # not labeled: not counted
    scores = flaw_recall.score(items)
    assert (scores[("true_false", "fresh")].tp, scores[("true_false", "fresh")].fp) == (1, 0)
    assert scores[("unfocused_stem", "fresh")].fn == 1
    assert scores[("fill_in_the_blank", "fresh")].positives == 1
    flaw_recall.main(["--fresh", "--fresh-path", str(path), "--no-notes"])
    out = capsys.readouterr().out
    assert out.startswith("FRESH (headline): 2 items")
    assert out.index("FRESH") < out.index("HELD-OUT")
