"""Cues that single out the key: its length, words it repeats, convergence, grammar.

Each rule needs the key ("A"-"D"); without it, or with fewer than two options, it
reports nothing. A flaw stands at the key's letter: the key is what the cue gives away.
"""

from __future__ import annotations

import re

from bank.models import Flaw
from bank.quantities import parse_quantity
from bank.text import content_forms, nfkc, starts_with_vowel_sound, stem, words
from validators.flaw_inputs import as_text, join_unique, key_index, option_letter, option_texts


def _key_and_distractors(options: object, answer: object) -> tuple[list[str], int] | None:
    texts = option_texts(options)
    key = key_index(texts, answer)
    if key is None or len(texts) < 2:
        return None
    return texts, key


def longest_answer_correct(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """The key is strictly longest, >= 1.25 x the distractors' mean, >= 8 chars past the next."""
    found = _key_and_distractors(options, answer)
    if found is None:
        return []
    texts, key = found
    lengths = [len(t) for t in texts]
    others = lengths[:key] + lengths[key + 1 :]
    mean = sum(others) / len(others)
    if lengths[key] >= max(others) + 8 and lengths[key] >= 1.25 * mean:
        evidence = f"key {lengths[key]} chars; others {', '.join(map(str, others))}"
        return [Flaw(code="longest_answer_correct", where=option_letter(key), evidence=evidence)]
    return []


def _root(word: str) -> str:
    """A word's comparison key: the spec's simple stemming, with a plural gerund made singular.

    One stripped ending leaves "mailings" at "mailing" but takes "mailing" to "mail";
    dropping the plural "s" of an "-ings" word first lets the two forms meet.
    """
    low = word.lower()
    return stem(word[:-1]) if low.endswith("ings") and len(low) > 5 else stem(word)


def _content_forms(text: str) -> dict[str, str]:
    """Each content word's key (`_root`) mapped to its first spelling in the text."""
    return content_forms(text, key=_root)


def _content_words(text: str) -> set[str]:
    """The keys (`_root`) of a text's content words."""
    return set(_content_forms(text))


def word_repeats(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """A content word of the stem is in the key and in none of the distractors."""
    found = _key_and_distractors(options, answer)
    if found is None:
        return []
    texts, key = found
    key_words = _content_words(texts[key])
    distractor_words: set[str] = set()
    for i, text in enumerate(texts):
        if i != key:
            distractor_words |= _content_words(text)
    shared = [
        form
        for stemmed, form in _content_forms(as_text(stem)).items()
        if stemmed in key_words and stemmed not in distractor_words
    ]
    if not shared:
        return []
    return [Flaw(code="word_repeats", where=option_letter(key), evidence=join_unique(shared))]


def convergence_cues(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """The key shares 2+ more content words with the other options than any distractor does."""
    found = _key_and_distractors(options, answer)
    if found is None:
        return []
    texts, key = found
    sets = [_content_words(t) for t in texts]
    sums = [sum(len(s & t) for j, t in enumerate(sets) if j != i) for i, s in enumerate(sets)]
    others = sums[:key] + sums[key + 1 :]
    if sums[key] - max(others) < 2:
        return []
    elsewhere = set().union(*(s for i, s in enumerate(sets) if i != key))
    shared = [form for stemmed, form in _content_forms(texts[key]).items() if stemmed in elsewhere]
    others_text = ", ".join(map(str, others))
    evidence = f"key shares {sums[key]}; others {others_text}: {join_unique(shared[:5])}"
    return [Flaw(code="convergence_cues", where=option_letter(key), evidence=evidence)]


# The completion point of a stem: its first blank, or its end.
_COMPLETION_POINT = re.compile(r"_{2,}|\(\s*\)|\[\s*\]|…|\.{3}")
_PLURAL_MARKERS = frozenset({"are", "were", "these", "those"})
_SINGULAR_MARKERS = frozenset({"is", "was", "this", "that"})
_HEAD_BREAKS_TEXT = """
    of for to in on with by from that which who whom whose and or at as than because if
    when per under within without into via including such like through during after before
    between over about against among where while"""
_HEAD_BREAKS = frozenset(_HEAD_BREAKS_TEXT.split())
_IRREGULAR_PLURALS_TEXT = """
    people children men women data criteria teeth feet mice phenomena media personnel
    bacteria fungi nuclei bacilli cocci stimuli ganglia foramina sera"""
_IRREGULAR_PLURALS = frozenset(_IRREGULAR_PLURALS_TEXT.split())
_SINGULAR_OPENERS = frozenset({"a", "an", "one", "each", "every", "this", "that", "either"})
_PLURAL_OPENERS = frozenset({"both", "these", "those", "several", "many", "two"})
# Options with these are clauses, not noun phrases: their number cannot be told.
_CLAUSE_WORDS_TEXT = """
    is are was were has have had does do did can could will would should may might must
    it they he she we you i there"""
_CLAUSE_WORDS = frozenset(_CLAUSE_WORDS_TEXT.split())
_MAX_PHRASE_WORDS = 6


def _before_completion(stem: str) -> str:
    """The text of a completion stem up to where the answer goes."""
    found = _COMPLETION_POINT.search(stem)
    return stem[: found.start()] if found else stem


def _is_plural(option: str) -> bool | None:
    """Whether an option is a plural noun phrase; None when it cannot be told.

    Only short noun phrases have a number here: a clause ("It fixes cells"), a long
    option or a quantity ("10% - 15%") gives None, and the number check is skipped.
    """
    found = words(option)
    low_words = {w.lower() for w in found}
    if not found or len(found) > _MAX_PHRASE_WORDS or low_words & _CLAUSE_WORDS:
        return None
    if parse_quantity(option) is not None:
        return None
    first = found[0].lower()
    if "and" in low_words:  # "capsule and ligaments" is plural, whatever its last noun
        return True
    if first in _SINGULAR_OPENERS:
        return False
    if first in _PLURAL_OPENERS or (first.isdigit() and first not in ("0", "1")):
        return True
    head = None
    for w in found:
        if w.lower() in _HEAD_BREAKS:
            break
        head = w
    if head is None or head.isdigit():
        return None
    if head.lower() in _IRREGULAR_PLURALS:
        return True
    if head.isupper():
        return False
    low = head.lower()
    if len(low) > 4 and low.endswith("ae"):  # Latin plurals: lamellae, striae, vertebrae
        return True
    return len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is"))


def _article_cue(before: list[str], texts: list[str], key: int) -> str | None:
    article = before[-1] if before else ""
    if article not in ("a", "an") or not all(words(t) for t in texts):
        return None
    vowels = [starts_with_vowel_sound(t) for t in texts]
    if any(v == vowels[key] for i, v in enumerate(vowels) if i != key):
        return None
    sound = "vowel" if vowels[key] else "consonant"
    agrees = vowels[key] == (article == "an")
    side = "agrees" if agrees else "disagrees"
    return f'stem ends "{article}"; only the key starts with a {sound} sound ({side})'


def _number_cue(before: list[str], texts: list[str], key: int) -> str | None:
    markers = [w for w in before if w in _PLURAL_MARKERS | _SINGULAR_MARKERS]
    # After "to" the options are verbs ("Your first action is to:"): they have no number.
    if not markers or before[-1] == "to":
        return None
    plural_stem = markers[-1] in _PLURAL_MARKERS
    plurals = [_is_plural(t) for t in texts]
    if any(p is None for p in plurals) or plurals[key] != plural_stem:
        return None
    if any(p == plurals[key] for i, p in enumerate(plurals) if i != key):
        return None
    number = "plural" if plural_stem else "singular"
    return f'stem says "{markers[-1]}"; only the key is {number}'


def grammatical_cues(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """A completion stem agrees (a/an, singular/plural) with the key alone."""
    found = _key_and_distractors(options, answer)
    text = nfkc(as_text(stem)).strip()
    if found is None or not text or text.endswith("?"):
        return []
    texts, key = found
    # Case is kept for the article: a final capital "A" is a name (vitamin A, Part A).
    before = words(_before_completion(text))
    cues = [
        _article_cue(before, texts, key),
        _number_cue([w.lower() for w in before], texts, key),
    ]
    where = option_letter(key)
    return [Flaw(code="grammatical_cues", where=where, evidence=cue) for cue in cues if cue]
