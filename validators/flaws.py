"""The 14 rule-detectable item-writing flaws of ../shared/spec/item-flaws.md: the registry.

Each rule is a pure function ``(stem, options, answer) -> list[Flaw]``; ``answer`` is
the key letter ("A"-"D") or None when unknown, and rules that need the key then
report nothing. Rules never raise, whatever the text and however many options.
They live by what they look at: validators.flaw_options, validators.flaw_stem,
validators.flaw_cues and validators.quantity_checks; this module holds the registry
`RULES` and `check_flaws`.

Where a flaw stands (``Flaw.where``):
- ``"stem"`` for flaws of the stem (negative_words, fill_in_the_blank, unfocused_stem,
  true_false when the stem asks for the true statement);
- the option letter for flaws of one option (none_of_the_above, all_of_the_above,
  complex_k_type, absolute_terms, vague_terms);
- the key's letter for flaws that single the key out (longest_answer_correct,
  word_repeats, convergence_cues, grammatical_cues): the key is what they give away;
- ``"options"`` for flaws of the option set with no key involved (lost_sequence, and
  true_false when the options are True/False/Yes/No).

Precedence: an option that is "All/None of the above" is reported under its own code and
is not searched for absolute or vague terms (its "all" or "none" is the same flaw). A
combination of options ("1 and 3 only") is: the spec makes no exception for its "only".
"""

from __future__ import annotations

from collections.abc import Callable

from bank.models import Flaw
from validators.flaw_cues import (
    convergence_cues,
    grammatical_cues,
    longest_answer_correct,
    word_repeats,
)
from validators.flaw_options import (
    absolute_terms,
    all_of_the_above,
    complex_k_type,
    none_of_the_above,
    vague_terms,
)
from validators.flaw_stem import fill_in_the_blank, negative_words, true_false, unfocused_stem
from validators.quantity_checks import lost_sequence

# Every rule is importable from here as well as from the module that holds it.
__all__ = [
    "RULES",
    "Rule",
    "absolute_terms",
    "all_of_the_above",
    "check_flaws",
    "complex_k_type",
    "convergence_cues",
    "fill_in_the_blank",
    "grammatical_cues",
    "longest_answer_correct",
    "lost_sequence",
    "negative_words",
    "none_of_the_above",
    "true_false",
    "unfocused_stem",
    "vague_terms",
    "word_repeats",
]

Rule = Callable[[str, list[str], str | None], list[Flaw]]

RULES: dict[str, Rule] = {
    "none_of_the_above": none_of_the_above,
    "all_of_the_above": all_of_the_above,
    "complex_k_type": complex_k_type,
    "true_false": true_false,
    "fill_in_the_blank": fill_in_the_blank,
    "negative_words": negative_words,
    "absolute_terms": absolute_terms,
    "vague_terms": vague_terms,
    "longest_answer_correct": longest_answer_correct,
    "word_repeats": word_repeats,
    "convergence_cues": convergence_cues,
    "grammatical_cues": grammatical_cues,
    "lost_sequence": lost_sequence,
    "unfocused_stem": unfocused_stem,
}


def check_flaws(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """Every rule-detectable flaw of an item, rule by rule in the order of RULES."""
    return [flaw for rule in RULES.values() for flaw in rule(stem, options, answer)]
