"""Flaws of the stem: true/false questions, blanks, negative words, an unfocused stem.

A stem is unfocused when it is too short to ask anything or is a bare topic that neither
asks a question nor leaves a sentence for the options to complete; a topic may also be
written as a whole statement before a colon, or as a noun phrase with no verb, over
options that are statements of their own (items written elsewhere do both).
"""

from __future__ import annotations

import re

from bank.models import Flaw
from bank.text import nfkc, words
from validators.flaw_inputs import as_text, join_unique, option_texts, shorten

# ---------------------------------------------------------------------------
# True/false items
# ---------------------------------------------------------------------------

_TF_WORDS = ("true", "false", "untrue", "correct", "incorrect", "accurate", "inaccurate")


def _slips(word: str) -> set[str]:
    """The word with two neighbouring letters swapped, or with one of its doubled letters once.

    Typed stems carry such slips ("not ture about", "flase", "corect"); none of these
    forms of the words above is an English word of its own.
    """
    swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    single = {word[:i] + word[i + 1 :] for i in range(len(word) - 1) if word[i] == word[i + 1]}
    return (swapped | single) - {word}


_TF_ADJ = (
    "(?:"
    + "|".join(sorted({*_TF_WORDS, *(s for w in _TF_WORDS for s in _slips(w))}, key=len)[::-1])
    + "|right|wrong|valid|invalid)"
)
_TF_NOUN = r"(?:statements?|assertions?|options?|answers?|choices?|sentences?|ones?)"
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
    r"|when|except|under|as|to|related|according|if|given|assuming|provided|at|during"
    r"|after|before|while)\b))"
)
_TF_COPULA = (
    r"(?:is\s*/\s*are|are\s*/\s*is|is|are|holds?|(?:would|will|could|can|should|may|might"
    r"|must)\s+(?:be|hold))"
)
# Hedges between the copula and the adjective ("is most likely true", "are most likely to
# be true"): the stem still asks for the true statement, only more cautiously.
_TF_HEDGE = (
    r"(?:(?:most|least|more|always|generally|usually|probably|likely|definitely|certainly)\s+)"
    r"{0,2}(?:to\s+be\s+)?"
)
# What may stand between "which" and the copula: "of the following", "among these",
# "of the statements given below", a noun for the statements ("statement(s)").
_TF_WHICH = (
    r"\b(?:which|what)\s+(?:one\s+|of\s+one\s+)?(?:(?:of|among|amongst|from)\s+(?:the\s+following|these"
    r"|those|the\s+above|them|the\s+statements?|the\s+options?)\s+)?"
    rf"(?:{_TF_NOUN}(?:\(s\))?\s+)?(?:(?:given|listed|shown|stated)\s+(?:below|above)\s+)?"
)
_TF_STEM = re.compile(
    rf"{_TF_WHICH}(?:{_TF_TOPIC}\s+)?{_TF_COPULA}\s+(?:not\s+)?{_TF_HEDGE}"
    r"(?:(?:the|a|an)\s+)?(?:(?:most|least|always|generally)\s+)?"
    rf"{_TF_ADJ}{_TF_AFTER}"
    rf"|\b(?:select|choose|identify|pick|mark|find|indicate)\s+(?:the\s+)?(?:one\s+)?{_TF_ADJ}"
    rf"\s+{_TF_NOUN}\b"
    rf"|\b(?:select|choose|identify|pick|mark|find|indicate)\s+(?:the\s+)?(?:one\s+)?{_TF_NOUN}"
    rf"\s+(?:that|which)\s+(?:is|are)\s+{_TF_ADJ}\b"
    r"|^\W*true\s+(?:or|/)\s+false\b"
    rf"|^\W*(?:the\s+)?(?:not\s+)?{_TF_ADJ}\s+(?:statements?\s+)?"
    r"(?:about|regarding|concerning|of|for|in|is|are|among)\b"
    rf"|\bthe\s+{_TF_ADJ}\s+statements?(?:\s+(?:is|are))?\W*$"
    r"|\b(?:all|each)\s+(?:of\s+)?(?:the\s+following|these)(?:\s+statements?)?"
    rf"(?:\s+{_TF_TOPIC})?\s+(?:is|are)\s+(?:all\s+)?{_TF_ADJ}\b"
    rf"|\ball\s+(?:is|are)\s+{_TF_ADJ}\b"
    rf"|\b(?:the\s+)?following\s+(?:statements?\s+)?(?:{_TF_TOPIC}\s+)?(?:is|are)\s+{_TF_ADJ}"
    rf"(?:\s+{_TF_TOPIC})?\W*\s(?:except|but)\b"
)
# "Which of the following most accurately describes X?" asks for the accurate statement when
# the options are statements (STATEMENT_WORDS words or more on average); over diagnoses or
# names ("accurately describes his symptoms": Schizophrenia, ...) it names the problem.
_TF_ACCURATE = re.compile(
    rf"{_TF_WHICH}(?:(?:most|more)\s+)?accurately\s+(?:describes?|compares?|reflects?"
    r"|represents?|characteri[sz]es?|summari[sz]es?|states?|portrays?)\b"
    rf"|{_TF_WHICH}(?:corresponds?|agrees?|fits?)\s+(?:most\s+)?accurately\b"
)
STATEMENT_WORDS = 4
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


# Options that mark two or more statements true or false ("T, F", "TFTF", "T/T/F").
_TF_MARKS = re.compile(r"^\s*[TF](?:\s*[,/;\-]?\s*[TF])+\s*$")


def true_false(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """The options are True/False/Yes/No or T/F marks, or the stem asks which statement is true."""
    flaws: list[Flaw] = []
    texts = option_texts(options)
    starts = [_true_false_start(o) for o in texts]
    if len(texts) >= 2 and all(starts):
        evidence = "/".join(dict.fromkeys(s.capitalize() for s in starts if s))
        flaws.append(Flaw(code="true_false", where="options", evidence=evidence))
    elif len(texts) >= 2 and all(_TF_MARKS.match(nfkc(o)) for o in texts):
        flaws.append(Flaw(code="true_false", where="options", evidence=shorten(" | ".join(texts))))
    question = " ".join(nfkc(as_text(stem)).lower().split())
    asked = _TF_STEM.search(question)
    if not asked and sum(len(words(o)) for o in texts) >= STATEMENT_WORDS * max(len(texts), 1):
        asked = _TF_ACCURATE.search(question)
    if asked:
        flaws.append(Flaw(code="true_false", where="stem", evidence=shorten(asked.group())))
    return flaws


# ---------------------------------------------------------------------------
# The stem's wording
# ---------------------------------------------------------------------------

# A run of dots is a blank when it stands as a word of its own inside the sentence
# ("subtract …….. from the length", "The ..... nerve"): after a space, an opening bracket
# or the stem's start, and before more of the sentence (a lower-case word or a number).
# Dots that touch the word before them are omission or hesitation marks ("stressors… In
# recent decades", "either...no"), dots before a capital open the next sentence ("... I
# do not know"), and a run at the very end leaves a completion ("The right valve…").
_DOT_SLOT = r"(?:(?<=[\s(\[])|^)(?:\.{3,}|[.…]*…[.…]*)(?=\s*(?-i:[a-z0-9(]))"
# A run of four or more dashes standing as a word of its own inside the sentence is a
# blank too ("a speed of conduction of ------ m/s"); "--" and "---" stand for a dash.
_DASH_SLOT = r"(?:(?<=\s)|^)[-‐‒–—]{4,}(?=\s+\S)"
_BLANK = re.compile(
    _DASH_SLOT + r"|_{2,}|\(\s*\)|\[\s*\]|[(\[]\s*(?:\.{2,}|…+)\s*[)\]]"
    r"|(?:\.{2,}|…|_)\s*blank\b|\bblank\s*(?:\.{2,}|…|_)|[(\[]\s*blank\s*[)\]]"
    rf"|\bfill\s+in\s+the\s+blanks?\b|{_DOT_SLOT}",
    re.IGNORECASE,
)
_NEGATIVE = frozenset({"not", "except", "least", "false", "incorrect", "never"})


def fill_in_the_blank(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """The stem holds a blank: 2+ underscores, "( )", "[ ]", a "…blank…" placeholder.

    Also a run of dots or of four or more dashes standing in the sentence as a word.
    """
    found = _BLANK.search(nfkc(as_text(stem)))
    if found is None:
        return []
    return [Flaw(code="fill_in_the_blank", where="stem", evidence=shorten(found.group(), 20))]


def negative_words(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """The stem says NOT, EXCEPT, LEAST, FALSE, INCORRECT or NEVER (any case, anywhere)."""
    found = [w for w in words(as_text(stem)) if w.lower() in _NEGATIVE]
    if not found:
        return []
    return [Flaw(code="negative_words", where="stem", evidence=join_unique(found))]


# ---------------------------------------------------------------------------
# The stem as a whole
# ---------------------------------------------------------------------------

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
# Words that are verbs or nouns: a verb at the end of a stem ("Heavy forces on the
# ligament causes:", "Peak flow meters record:"), a noun at its start ("Causes of X:").
_VERB_OR_NOUN_TEXT = """
    cause causes record records show shows lead leads result results need needs use uses
    increase increases decrease decreases change changes control controls help helps
    support supports damage damages measure measures"""
_VERB_OR_NOUN = frozenset(_VERB_OR_NOUN_TEXT.split())
# Before a final -ing word these leave a sentence open ("... decrease inflammation by
# reducing:"); "of" does not ("Causes of bleeding:" is a topic).
_GERUND_LINKS = frozenset({"by", "after", "before", "when", "while", "without", "upon"})
# Options that open with a verb are predicates, so the stem is their subject ("Removal of
# adhesive strips:" / "should be undertaken under aseptic conditions").
_PREDICATE_OPENERS_TEXT = """
    rise rises fall falls remain remains show shows cause causes lead leads result results
    increase increases decrease decreases affect affects change changes help helps"""
_PREDICATE_OPENERS = frozenset(_PREDICATE_OPENERS_TEXT.split()) | _COMPLETION_VERBS
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


def _ends_open(low: list[str]) -> bool:
    """Whether the stem's last word leaves its sentence open for the options."""
    last = low[-1]
    if len(low) > 1 and last in _VERB_OR_NOUN:
        return True
    return len(low) > 1 and last.endswith("ing") and low[-2] in _GERUND_LINKS


def _opens_with_verb(option: str) -> bool:
    """Whether an option opens with a verb (after adverbs such as "frequently", "not")."""
    for word in words(option):
        low = word.lower()
        if low.endswith("ly") or low in ("not", "never", "often", "usually", "also"):
            continue
        return low in _PREDICATE_OPENERS
    return False


def _options_are_predicates(options: object) -> bool:
    """Whether at least half of the options are predicates completing the stem."""
    texts = option_texts(options)
    return bool(texts) and 2 * sum(_opens_with_verb(o) for o in texts) >= len(texts)


# A closed statement: the last sentence's main clause has a finite verb of its own, so
# the options cannot finish it ("Phenol red thread test is used for dry eye:").
_AUXILIARIES_TEXT = """
    is are was were has have had does do did can could should would will shall may might
    must cannot"""
_AUXILIARIES = frozenset(_AUXILIARIES_TEXT.split())
_FINITE = _AUXILIARIES | {w for w in _COMPLETION_VERBS | _VERB_OR_NOUN if w.endswith("s")}
# Words that open a clause that is not the main one: a stem ending in one ("... is that in
# the premolars:", "When X is Y, then:") waits for the options to finish it.
_SUBORDINATORS_TEXT = """
    that if when whenever because since while although though unless whereas after before
    until as so then therefore hence which who whom whose where"""
_SUBORDINATORS = frozenset(_SUBORDINATORS_TEXT.split())
_STATEMENT_WORDS = 4  # an option that is a statement of its own has at least this many words


def _main_clause_closed(text: str) -> bool:
    """Whether the last sentence of a stem is a main clause with its own finite verb."""
    last = re.split(r"[.;!]\s+", text.rstrip(" :.;"))[-1]
    segments = re.split(r"[,;(]", last)
    low = [w.lower() for w in words(segments[-1])]
    if not low or not _SUBORDINATORS.isdisjoint(low) or low[-1] in _COMPLETION_ENDINGS:
        return False
    if low[-1] in _FINITE or _ends_open(low):
        return False
    # A verb after "to" is an infinitive ("In order to have balance ..."), not finite.
    return any(w in _FINITE and low[i - 1] != "to" for i, w in enumerate(low) if i)


def _is_statement(option: str) -> bool:
    """Whether an option is a statement of its own (or a predicate): a finite verb, 4+ words."""
    low = [w.lower() for w in words(option)]
    return len(low) >= _STATEMENT_WORDS and not _FINITE.isdisjoint(low)


def _says_itself(option: str) -> bool:
    """Whether an option is a sentence with its own subject: a finite verb after its start."""
    low = [w.lower() for w in words(option)]
    return _is_statement(option) and not _opens_with_verb(option) and _FINITE.isdisjoint(low[:1])


def _statement_on_topic(text: str, low: list[str], options: object) -> str | None:
    """Why a stem names only a topic for options that are statements, or None.

    Two forms, neither asking anything nor leaving a sentence for the options to finish:
    a closed statement before ':' ("Phenol red thread test is used for dry eye:", each
    option saying something of the test; its main clause is whole, so they do not
    complete it), and, with or without a colon, a bare noun phrase with no verb whose
    options are sentences with their own subjects ("Steroids in oral surgery" / "They
    delay healing" ...). "... produces the following effects:" names what is asked.
    """
    if "?" in text or "following" in low or low[0] in _IMPERATIVES or _ends_open(low):
        return None
    if _QUESTION_WORDS.intersection(low) or _BLANK.search(text) or low[-1] in _COMPLETION_ENDINGS:
        return None
    texts = option_texts(options)
    if len(texts) < 3:
        return None
    most = len(texts) - 1
    colon = text.rstrip().endswith(":")
    if colon and sum(map(_is_statement, texts)) >= most and _main_clause_closed(text):
        return "a whole statement before ':', with statements for options: it names a topic"
    bare = _FINITE.isdisjoint(low) and low[-1] not in _COMPLETION_VERBS
    if bare and sum(map(_says_itself, texts)) >= most:
        return "a noun phrase with no verb, with sentences for options: it names a topic"
    return None


def _bare_topic(text: str, found: list[str], options: object) -> str | None:
    """Why a stem of 4+ words is a bare topic, or None when it asks or completes something."""
    low = [w.lower() for w in found]
    if _TF_STEM.search(" ".join(low)):  # "True or false: ...", "False statement about X:"
        return None  # asks which statement holds (true_false's own flaw)
    if topic := _statement_on_topic(text, low, options):
        return topic
    if _asks_or_completes(text, low) or _ends_open(low) or _options_are_predicates(options):
        return None
    if text.rstrip().endswith(":"):
        return "ends with ':' and neither asks nor completes"
    opener = _TOPIC_OPENER.match(text)
    if opener:
        return f'opens with "{opener.group().strip()}" and neither asks nor completes'
    return None


def unfocused_stem(stem: str, options: list[str], answer: str | None) -> list[Flaw]:
    """The stem has fewer than four words, or is a bare topic ("HIPAA:", "Regarding X,")."""
    text = " ".join(nfkc(as_text(stem)).split())
    found = words(text)
    if len(found) < 4:
        noun = "word" if len(found) == 1 else "words"
        return [Flaw(code="unfocused_stem", where="stem", evidence=f"{len(found)} {noun}")]
    reason = _bare_topic(text, found, options)
    return [Flaw(code="unfocused_stem", where="stem", evidence=reason)] if reason else []
