"""The 14 rule-detectable item-writing flaws of ../shared/spec/item-flaws.md.

Each rule is a pure function ``(stem, options, answer) -> list[Flaw]``; ``answer`` is
the key letter ("A"-"D") or None when unknown, and rules that need the key then
report nothing. Rules never raise, whatever the text and however many options.

Where a flaw stands (``Flaw.where``):
- ``"stem"`` for flaws of the stem (negative_words, fill_in_the_blank, unfocused_stem,
  true_false when the stem asks for the true statement);
- the option letter for flaws of one option (none_of_the_above, all_of_the_above,
  complex_k_type, absolute_terms, vague_terms);
- the key's letter for flaws that single the key out (longest_answer_correct,
  word_repeats, convergence_cues, grammatical_cues): the key is what they give away;
- ``"options"`` for flaws of the option set with no key involved (lost_sequence, and
  true_false when the options are True/False/Yes/No).

Precedence: an option that is "All/None of the above" or a combination of other
options ("Both A and B", "1 and 3 only") is reported under its own code and is not
searched for absolute or vague terms (its "all", "none" or "only" is the same flaw).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from bank.models import LETTERS, Flaw
from bank.quantities import parse_quantity
from bank.text import (
    content_forms,
    content_words,
    nfkc,
    plain,
    starts_with_vowel_sound,
    words,
)

Rule = Callable[[str, list[str], str | None], list[Flaw]]

# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------


def _text(value: object) -> str:
    """Any input as a string: None is empty, anything else its str()."""
    return "" if value is None else value if isinstance(value, str) else str(value)


def _texts(options: object) -> list[str]:
    if options is None or isinstance(options, str | bytes):
        return []
    try:
        return [_text(o).strip() for o in options]  # type: ignore[attr-defined]
    except TypeError:
        return []


def _letter(index: int) -> str:
    if index < len(LETTERS):
        return LETTERS[index]
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def _key_index(options: list[str], answer: object) -> int | None:
    """The index of the keyed option, or None when the key is unknown or out of range."""
    letter = _text(answer).strip().upper()
    if len(letter) != 1 or not "A" <= letter <= "Z":
        return None
    index = ord(letter) - ord("A")
    return index if index < len(options) else None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _join(items: list[str]) -> str:
    return ", ".join(dict.fromkeys(items))


# ---------------------------------------------------------------------------
# Options that point at other options
# ---------------------------------------------------------------------------

_OTHERS = (
    r"(?:the\s+)?(?:above|these|those|them|following|preceding|previous|listed|mentioned"
    r"|given|options?|choices?|answers?|responses?|statements?)\b"
)
_NOTA = re.compile(
    rf"^(?:(?:none|neither|nothing)\s+of\s+{_OTHERS}"
    r"|none\s+(?:is|are|applies|apply)\b"
    r"|(?:there\s+is\s+)?no\s+(?:correct|right|valid|true)\s+(?:answer|option|choice|response)"
    r"|no\s+(?:answer|option|choice|response)s?\s+(?:is|are)\s+(?:correct|right|true)"
    r"|none$|none\s+given$|not\s+given$)"
)
_AOTA = re.compile(
    rf"^(?:(?:all|each|any)\s+of\s+{_OTHERS}"
    r"|all\s+(?:the\s+)?above\b"
    r"|all\s+(?:the\s+)?(?:options|choices|answers|statements)\s+(?:are\s+)?(?:correct|true)"
    r"|all\s+(?:are|is)\s+(?:correct|true|right)\b"
    r"|all$|all\s+of\s+them$)"
)
_ITEM = r"\(?(?:[A-D]|[1-9]|I{1,3}|IV|VI?|i{1,3}|iv|vi?)\)?"
_JOINER = r"\s*(?:,\s*(?:(?i:and|or)\s+)?|&|/|\+|\s(?i:and|or|nor)\s)\s*"
_COMBINATION = re.compile(
    r"^(?:(?i:both|only|either|neither)\s+)?"
    r"(?:(?i:options?|answers?|choices?|statements?|responses?|items?)\s+)?"
    rf"{_ITEM}(?:{_JOINER}{_ITEM})+"
    r"(?:\s+(?i:only))?"
    r"(?:\s+(?i:are|is)\s+(?:(?i:both|all)\s+)?(?i:correct|true|right))?"
    r"(?:\s+(?i:only))?$"
    r"|^(?i:both\s+of\s+(?:the\s+)?(?:above|these|those|them))$"
)


def _is_nota(option: str) -> bool:
    return bool(_NOTA.match(plain(option)))


def _is_aota(option: str) -> bool:
    return bool(_AOTA.match(plain(option)))


def _is_combination(option: str) -> bool:
    core = " ".join(nfkc(option).split()).strip(" .,;:!")
    return bool(_COMBINATION.match(core))


# One statement named alone, as in the K-type set "I only", "II only", "I and III".
_SINGLE_REFERENCE = re.compile(rf"^(?:(?i:only)\s+)?{_ITEM}(?:\s+(?i:only))?$")


def _points_at_others(option: str) -> bool:
    """An option that refers to other options: its "all", "none" or "only" is no absolute."""
    core = " ".join(nfkc(option).split()).strip(" .,;:!")
    return (
        _is_nota(option)
        or _is_aota(option)
        or _is_combination(option)
        or bool(_SINGLE_REFERENCE.match(core))
    )


def _options_matching(options: object, code: str, test: Callable[[str], bool]) -> list[Flaw]:
    return [
        Flaw(code=code, where=_letter(i), evidence=_short(o))
        for i, o in enumerate(_texts(options))
        if test(o)
    ]


def none_of_the_above(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """An option is "None of the above" or an equivalent ("no correct answer", "None")."""
    return _options_matching(options, "none_of_the_above", _is_nota)


def all_of_the_above(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """An option is "All of the above" or an equivalent ("all of these", "all the above")."""
    return _options_matching(options, "all_of_the_above", _is_aota)


def complex_k_type(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """An option is nothing but a combination of option letters or statement numbers."""
    return _options_matching(options, "complex_k_type", _is_combination)


# ---------------------------------------------------------------------------
# True/false items
# ---------------------------------------------------------------------------

_TF_ADJ = r"(?:true|false|untrue|correct|incorrect|accurate|inaccurate|right|wrong)"
_TF_NOUN = r"(?:statements?|options?|answers?|choices?|sentences?|ones?)"
# What may name the topic of the statements ("statements about HIPAA"), kept inside one
# sentence and short: "which of the following characteristics is true" names a specific
# thing and does not match.
_TF_TOPIC = (
    r"(?:(?:about|regarding|concerning|on|for|in|as\s+regards|with\s+(?:regard|respect)\s+to"
    r"|related\s+to)\s+[^?.!;]{0,120}?)"
)
# What may follow the adjective: the end of the question, a noun for the statement, or
# a preposition opening its topic ("true of Paget's disease", "correct for billing ...").
_TF_AFTER = (
    rf"(?=\s*(?:$|[?:.,;!)]|{_TF_NOUN}\b|(?:about|regarding|concerning|on|of|for|in|with"
    r"|when|except|under|as|to|related|according)\b))"
)
_TF_COPULA = r"(?:is|are|(?:would|will|could|can|should|may|might)\s+be)"
_TF_STEM = re.compile(
    r"\bwhich\s+(?:of\s+)?(?:one\s+)?(?:of\s+(?:the\s+following|these|those|the\s+above)\s+)?"
    rf"(?:{_TF_NOUN}\s+)?(?:{_TF_TOPIC}\s+)?{_TF_COPULA}\s+(?:not\s+)?"
    r"(?:(?:the|a|an)\s+)?(?:(?:most|least|always|generally)\s+)?"
    rf"{_TF_ADJ}{_TF_AFTER}"
    rf"|\b(?:select|choose|identify|pick|mark|find|indicate)\s+(?:the\s+)?(?:one\s+)?{_TF_ADJ}"
    rf"\s+{_TF_NOUN}\b"
    r"|^\W*true\s+(?:or|/)\s+false\b"
    rf"|^\W*{_TF_ADJ}\s+(?:statements?\s+)?(?:about|regarding|concerning|of|for|in)\b"
    r"|\b(?:all|each)\s+(?:of\s+)?(?:the\s+following|these)(?:\s+statements?)?"
    rf"(?:\s+{_TF_TOPIC})?\s+(?:is|are)\s+(?:all\s+)?{_TF_ADJ}\b"
    rf"|\ball\s+(?:is|are)\s+{_TF_ADJ}\b"
    rf"|\bthe\s+following\s+(?:statements?\s+)?(?:{_TF_TOPIC}\s+)?(?:is|are)\s+{_TF_ADJ}"
    r"\s+(?:except|but)\b"
)
_TF_OPTION_WORDS = frozenset({"true", "false", "yes", "no"})
# After "Yes"/"No" a reason may follow a comma or one of these ("Yes if the employer asks");
# any other word makes it content ("No later than 30 days", "No prior authorization").
_YES_NO_LINKS = frozenset(
    {"if", "unless", "because", "but", "since", "when", "as", "only", "provided", "except"}
)


def _true_false_start(option: str) -> str | None:
    """The True/False/Yes/No an option opens with, or None."""
    text = nfkc(option).strip()
    found = words(text)
    if not found or found[0].lower() not in _TF_OPTION_WORDS:
        return None
    first = found[0]
    if first.lower() in ("true", "false"):
        return first
    rest = text[text.find(first) + len(first) :].lstrip()
    if not rest or not rest[0].isalnum() or (len(found) > 1 and found[1].lower() in _YES_NO_LINKS):
        return first
    return None


def true_false(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """The options are True/False/Yes/No, or the stem asks which statement is true/false."""
    flaws: list[Flaw] = []
    texts = _texts(options)
    starts = [_true_false_start(o) for o in texts]
    if len(texts) >= 2 and all(starts):
        evidence = "/".join(dict.fromkeys(s.capitalize() for s in starts if s))
        flaws.append(Flaw(code="true_false", where="options", evidence=evidence))
    asked = _TF_STEM.search(" ".join(nfkc(_text(stem)).lower().split()))
    if asked:
        flaws.append(Flaw(code="true_false", where="stem", evidence=_short(asked.group())))
    return flaws


# ---------------------------------------------------------------------------
# The stem's wording
# ---------------------------------------------------------------------------

_BLANK = re.compile(
    r"_{2,}|\(\s*\)|\[\s*\]"
    r"|(?:\.{2,}|…|_)\s*blank\b|\bblank\s*(?:\.{2,}|…|_)|[(\[]\s*blank\s*[)\]]"
    r"|\bfill\s+in\s+the\s+blanks?\b",
    re.IGNORECASE,
)
_NEGATIVE = frozenset({"not", "except", "least", "false", "incorrect", "never"})


def fill_in_the_blank(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """The stem holds a blank: 2+ underscores, "( )", "[ ]" or a "…blank…" placeholder."""
    found = _BLANK.search(nfkc(_text(stem)))
    if found is None:
        return []
    return [Flaw(code="fill_in_the_blank", where="stem", evidence=_short(found.group(), 20))]


def negative_words(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """The stem says NOT, EXCEPT, LEAST, FALSE, INCORRECT or NEVER (any case, anywhere)."""
    found = [w for w in words(_text(stem)) if w.lower() in _NEGATIVE]
    if not found:
        return []
    return [Flaw(code="negative_words", where="stem", evidence=_join(found))]


# ---------------------------------------------------------------------------
# Absolute and vague terms in options
# ---------------------------------------------------------------------------

_ABSOLUTE_TEXT = """
    always never all none only completely absolutely entirely must every guaranteed"""
_ABSOLUTE = frozenset(_ABSOLUTE_TEXT.split())
_VAGUE_TEXT = """
    usually frequently often occasionally rarely sometimes seldom generally typically may
    might possibly probably commonly"""
_VAGUE = frozenset(_VAGUE_TEXT.split())


def _is_month_may(found: list[str], index: int) -> bool:
    """Whether the word at index is the month of "May 15" or "May 2024", not the verb."""
    following = found[index + 1] if index + 1 < len(found) else ""
    return found[index] == "May" and following.isdigit()


def _terms(option: str, vocabulary: frozenset[str]) -> list[str]:
    found = words(option)
    return [
        w
        for i, w in enumerate(found)
        if w.lower() in vocabulary and not (w.lower() == "may" and _is_month_may(found, i))
    ]


def _option_terms(options: object, code: str, vocabulary: frozenset[str]) -> list[Flaw]:
    flaws: list[Flaw] = []
    for i, option in enumerate(_texts(options)):
        if _points_at_others(option):
            continue
        found = _terms(option, vocabulary)
        if found:
            flaws.append(Flaw(code=code, where=_letter(i), evidence=_join(found)))
    return flaws


def absolute_terms(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """An option says always, never, all, none, only, must, every ... (whole words)."""
    return _option_terms(options, "absolute_terms", _ABSOLUTE)


def vague_terms(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """An option says usually, often, may, might, probably ... ("May 15" is a month)."""
    return _option_terms(options, "vague_terms", _VAGUE)


# ---------------------------------------------------------------------------
# Cues that single out the key
# ---------------------------------------------------------------------------


def _key_and_distractors(options: object, answer: object) -> tuple[list[str], int] | None:
    texts = _texts(options)
    key = _key_index(texts, answer)
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
        return [Flaw(code="longest_answer_correct", where=_letter(key), evidence=evidence)]
    return []


def word_repeats(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """A content word of the stem is in the key and in none of the distractors."""
    found = _key_and_distractors(options, answer)
    if found is None:
        return []
    texts, key = found
    key_words = content_words(texts[key])
    distractor_words: set[str] = set()
    for i, text in enumerate(texts):
        if i != key:
            distractor_words |= content_words(text)
    shared = [
        form
        for stemmed, form in content_forms(_text(stem)).items()
        if stemmed in key_words and stemmed not in distractor_words
    ]
    if not shared:
        return []
    return [Flaw(code="word_repeats", where=_letter(key), evidence=_join(shared))]


def convergence_cues(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """The key shares 2+ more content words with the other options than any distractor does."""
    found = _key_and_distractors(options, answer)
    if found is None:
        return []
    texts, key = found
    sets = [content_words(t) for t in texts]
    sums = [sum(len(s & t) for j, t in enumerate(sets) if j != i) for i, s in enumerate(sets)]
    others = sums[:key] + sums[key + 1 :]
    if sums[key] - max(others) < 2:
        return []
    elsewhere = set().union(*(s for i, s in enumerate(sets) if i != key))
    shared = [form for stemmed, form in content_forms(texts[key]).items() if stemmed in elsewhere]
    evidence = f"key shares {sums[key]}; others {', '.join(map(str, others))}: {_join(shared[:5])}"
    return [Flaw(code="convergence_cues", where=_letter(key), evidence=evidence)]


# The completion point of a stem: its first blank, or its end.
_COMPLETION_POINT = re.compile(r"_{2,}|\(\s*\)|\[\s*\]|…|\.{3}")
_PLURAL_MARKERS = frozenset({"are", "were", "these", "those"})
_SINGULAR_MARKERS = frozenset({"is", "was", "this", "that"})
_HEAD_BREAKS_TEXT = """
    of for to in on with by from that which who whom whose and or at as than because if
    when per under within without into via including such like through during after before
    between over about against among where while"""
_HEAD_BREAKS = frozenset(_HEAD_BREAKS_TEXT.split())
_IRREGULAR_PLURALS_TEXT = (
    "people children men women data criteria teeth feet mice phenomena media personnel"
)
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
    text = nfkc(_text(stem)).strip()
    if found is None or not text or text.endswith("?"):
        return []
    texts, key = found
    # Case is kept for the article: a final capital "A" is a name (vitamin A, Part A).
    before = words(_before_completion(text))
    cues = [
        _article_cue(before, texts, key),
        _number_cue([w.lower() for w in before], texts, key),
    ]
    return [Flaw(code="grammatical_cues", where=_letter(key), evidence=cue) for cue in cues if cue]


# ---------------------------------------------------------------------------
# The option set and the stem as a whole
# ---------------------------------------------------------------------------


def lost_sequence(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """All options are comparable quantities, in neither ascending nor descending order."""
    texts = _texts(options)
    if len(texts) < 3:
        return []
    quantities = [parse_quantity(t) for t in texts]
    if any(q is None for q in quantities):
        return []
    units = {q.unit for q in quantities if q and q.unit}
    kinds = {q.kind for q in quantities if q} - {"range"}
    if len(units) > 1 or ("date" in kinds and kinds != {"date"}):
        return []
    values = [q.value for q in quantities if q]
    pairs = list(pairwise(values))
    if all(a <= b for a, b in pairs) or all(a >= b for a, b in pairs):
        return []
    evidence = _short(" | ".join(texts), 80)
    return [Flaw(code="lost_sequence", where="options", evidence=evidence)]


# A stem that names no question may still ask with a question word in the middle
# ("Fibres to the Purkinje cells arise from which of the following:") or with an
# imperative at its start ("Estimate the dental age from the radiograph:").
_QUESTION_WORDS = frozenset({"which", "what", "who", "whom", "whose", "how", "why", "where"})
_IMPERATIVES_TEXT = """
    select choose identify name list pick match indicate determine calculate estimate
    complete give state describe explain define find compute arrange"""
_IMPERATIVES = frozenset(_IMPERATIVES_TEXT.split())
# A completion has a finite verb for the answer to finish ("... is:", "... normally
# takes:"). Only forms that are rarely nouns are listed: "Causes of hypercalcemia:" and
# "Release of medical records:" stay bare topics.
_COMPLETION_VERBS_TEXT = """
    is are was were be been being am has have had do does did done can could should would
    will shall may might must include includes involve involves require requires mean
    refer refers contain contains consist consists indicate indicates suggest suggests
    develop develops occur occurs take takes taken secrete secretes lie lies denote denotes
    transmit transmits provide provides produce produces arise arises differ differs relax
    relaxes innervate innervates originate originates attach attaches pass passes carry
    carries bind binds stimulate stimulates prevent prevents reduce reduces enhance
    enhances comprise comprises represent represents appear appears become becomes remain
    remains get gets make makes allow allows depend depends mediate mediates regulate
    regulates activate activates catalyze catalyzes convert converts respond responds
    belong belongs connect connects detect detects inhibit inhibits leave leaves come
    comes affect affects called known termed defined characterized characterised
    associated seen used given found recommended performed needed caused"""
_COMPLETION_VERBS = frozenset(_COMPLETION_VERBS_TEXT.split())
_COMPLETION_ENDINGS_TEXT = """
    to by of for with in on at from as the a an and or than into between when because
    under that if whether while having being about during after before since until via
    per like"""
_COMPLETION_ENDINGS = frozenset(_COMPLETION_ENDINGS_TEXT.split())
_TOPIC_OPENER = re.compile(
    r"^\W*(?:regarding|concerning|about|as\s+regards|as\s+for|re|with\s+(?:regard|respect)\s+to"
    r"|in\s+regard\s+to|in\s+relation\s+to)\b",
    re.IGNORECASE,
)


def _asks_or_completes(text: str, low: list[str]) -> bool:
    """Whether a stem asks a question or leaves a sentence for the options to complete."""
    if "?" in text or low[0] in _IMPERATIVES or _QUESTION_WORDS.intersection(low):
        return True
    if _BLANK.search(text) or low[-1] in _COMPLETION_ENDINGS:
        return True
    return not _COMPLETION_VERBS.isdisjoint(low)


def _bare_topic(text: str, found: list[str]) -> str | None:
    """Why a stem of 4+ words is a bare topic, or None when it asks or completes something."""
    if _asks_or_completes(text, [w.lower() for w in found]):
        return None
    if text.rstrip().endswith(":"):
        return "ends with ':' and neither asks nor completes"
    opener = _TOPIC_OPENER.match(text)
    if opener:
        return f'opens with "{opener.group().strip()}" and neither asks nor completes'
    return None


def unfocused_stem(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """The stem has fewer than four words, or is a bare topic ("HIPAA:", "Regarding X,")."""
    text = " ".join(nfkc(_text(stem)).split())
    found = words(text)
    if len(found) < 4:
        noun = "word" if len(found) == 1 else "words"
        return [Flaw(code="unfocused_stem", where="stem", evidence=f"{len(found)} {noun}")]
    reason = _bare_topic(text, found)
    return [Flaw(code="unfocused_stem", where="stem", evidence=reason)] if reason else []


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------

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
