"""Sentences that say what an option is, for recall items' rationales, taken from the notes.

A rationale teaches when each distractor is named for what it is: "The lungs belong to the
respiratory system", "The term “abuse” means ...", "277 is the claim status response".
A classify fact is turned into a sentence by its group's question ("Which organ belongs to
the {category}?" about "Lungs" reads "Lungs belong to the respiratory system"), a term by
its definition, a figure by the other rule of its note that sets it, a step by its place
and its neighbour ("the second step, after ..."), never "step 2 of 4". Notes' prose is
read without its markdown (headings, bullets, bold).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bank.notes import NoteSet
from bank.text import content_words, normalize_text, starts_with_vowel_sound
from generators.wording import capital, clause, is_acronym, quoted

# Verbs a group question puts after its noun ("Which organ belongs to ...").
_VERBS = frozenset(
    [
        "is",
        "are",
        "belongs",
        "belong",
        "means",
        "mean",
        "reports",
        "report",
        "fits",
        "fit",
        "marks",
        "mark",
        "covers",
        "cover",
        "gives",
        "give",
        "contains",
        "contain",
        "signals",
        "signal",
        "refers",
        "refer",
        "matches",
        "match",
        "serves",
        "serve",
        "falls",
        "fall",
        "calls",
        "call",
        "indicates",
        "indicate",
        "reflects",
        "reflect",
        "holds",
        "hold",
        "has",
        "have",
        "orders",
        "order",
        "classifies",
        "classify",
        "provides",
        "provide",
        "pays",
        "pay",
        "consists",
        "consist",
        "names",
        "name",
        "sets",
        "set",
        "protects",
        "protect",
        "bars",
        "bar",
        "grants",
        "grant",
        "requires",
        "require",
    ]
)
_NO_ARTICLE = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "when",
        "if",
        "any",
        "each",
        "every",
        "one",
        "two",
        "this",
        "that",
        "these",
        "those",
        "all",
        "both",
        "either",
        "no",
        "not",
        "only",
        "how",
        "what",
        "which",
        "who",
        "where",
        "as",
        "at",
        "by",
        "in",
        "on",
        "for",
        "from",
        "with",
        "without",
        "under",
        "over",
        "before",
        "after",
        "between",
        "within",
        "per",
    ]
)
# Nouns that take no "a": "information omitted from the note", not "an information".
_UNCOUNTED = frozenset(
    [
        "information",
        "documentation",
        "equipment",
        "evidence",
        "advice",
        "software",
        "hardware",
        "mail",
        "data",
        "money",
        "coverage",
        "care",
        "treatment",
        "insurance",
        "access",
    ]
)
# Words in -ly that are adjectives, so take an article ("a daily journal").
_ADJECTIVES_IN_LY = frozenset(
    [
        "daily",
        "weekly",
        "monthly",
        "yearly",
        "quarterly",
        "early",
        "likely",
        "costly",
        "timely",
        "friendly",
        "elderly",
    ]
)
_PLURAL_VERB = {"is": "are", "has": "have", "does": "do"}


def indefinite(phrase: str) -> str:
    """A definition as a noun phrase with "a" or "an" when it needs one.

    "Internal message with ..." -> "an internal message with ..."; a phrase that starts
    with a gerund ("knowingly and willfully executing ..."), an adverb, a plural noun or a
    word that takes no article stays as it is.
    """
    phrase = clause(phrase)
    first = phrase.split(" ", 1)[0]
    low = first.lower()
    if low in ("most", "least", "first", "last", "same", "highest", "lowest"):
        return "the " + phrase
    if low.endswith("'s"):  # "patient's share" -> "a patient's share"
        return ("an " if starts_with_vowel_sound(first) else "a ") + phrase
    if (
        low in _NO_ARTICLE
        or low in _UNCOUNTED
        or low.endswith("ing")
        or (low.endswith("ly") and low not in _ADJECTIVES_IN_LY)
        or (low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(low) > 3)
        or first[:1].isdigit()
    ):
        return phrase
    return ("an " if starts_with_vowel_sound(first) else "a ") + phrase


def _is_code(item: str) -> bool:
    """Whether an item reads as a code or word part that needs its noun ("modifier 50")."""
    return (
        (any(c.isdigit() for c in item) and len(item.split()) <= 2)
        or is_acronym(item.split()[0])
        or item.startswith("-")
        or item.endswith(("-", "/o"))
        or len(item) <= 3
    )


def _plural(item: str) -> bool:
    last = item.split()[-1].lower()
    return (
        not _is_code(item)
        and last.endswith("s")
        and not last.endswith(("ss", "us", "is", "ys'"))
        and last not in {"mellitus", "status", "diagnosis", "analysis"}
    )


def _agree(verb: str, plural: bool) -> str:
    if not plural:
        return verb
    if verb in _PLURAL_VERB:
        return _PLURAL_VERB[verb]
    if verb.endswith(("ches", "shes", "sses", "xes")):
        return verb[:-2]
    return verb[:-1] if verb.endswith("s") else verb


def statement(question: str, item: str, category: str) -> str:
    """A group's question about a category, turned into a sentence about one member.

    "Which drug is a DEA {category} controlled substance?" with Fentanyl and Schedule II
    reads "Fentanyl is a DEA Schedule II controlled substance."
    """
    category = clause(category)
    text = question.replace("{category}", category).replace("{item}", item).strip()
    m = re.search(r"\b[Ww]hich\s+(?P<rest>[^?]*)\?", text)
    before = text[: m.start()] if m else ""
    if m and "." not in before and ":" not in before:
        words = m["rest"].split()
        if words[:3] == ["of", "these", "does"] and len(words) > 4:
            return f"{capital(before)}{' '.join(words[3:-1])} {words[-1]}s {item}."
        j = next((i for i, w in enumerate(words) if i and w in _VERBS), None)
        if j is not None and ":" not in " ".join(words[:j]):
            noun = " ".join(words[:j])
            bare = _is_code(item) and not item.lower().startswith(noun.split()[-1].lower())
            subject = f"the {noun} {item}" if bare else item  # not "the form Form 940"
            verb = _agree(words[j], _plural(item) and not _is_code(item))
            said = " ".join([subject, verb, *words[j + 1 :]])
            return f"{before}{said}." if before else f"{capital(said)}."
        if ":" in m["rest"]:  # "Which notation does this instruction replace: {category}?"
            noun = " ".join(words[: next((i for i, w in enumerate(words) if w == "does"), 1)])
            return f"{capital(before + item)} is the {noun} for this: {category}."
        if category and m["rest"].split()[-len(category.split()) :] == category.split():
            noun = " ".join(words[: len(words) - len(category.split())])
            subject = f"the {noun} {item}" if _is_code(item) else item
            return f"{capital(before + subject)} {category}."
    named = re.search(r"[Ww]hich\s+(.+?)\s+(?:is|are|does|do)\b", text)
    kind = f"the {named.group(1)}" if named else "the answer"
    return f"{capital(item)} is {kind} for this: {category}."


def term_sentence(term: str, definition: str) -> str:
    """What a term means, as a sentence ("The suffix -ectomy means surgical removal.")."""
    if re.match(r"^Schedule [IV]+$", term):  # DEA schedules are defined by their drugs
        return f"{term} covers drugs with {clause(definition)}."
    if term.startswith("-"):
        what = f"The suffix {term}"
    elif term.endswith("-"):
        what = f"The prefix {term}"
    elif term.endswith("/o"):
        what = f"The combining form {term}"
    else:
        what = f"The term {quoted(term)}"
    return f"{what} means {indefinite(definition)}."


def describe(notes: NoteSet, domain: int, option: str) -> str | None:
    """What the notes say an option is: its definition or its class, as a sentence."""
    low = normalize_text(option)
    facts = sorted(notes.facts, key=lambda f: f.domain != domain)  # the domain's own first
    for fact in facts:
        if fact.kind == "term" and normalize_text(fact.fields[0]) == low:
            return term_sentence(fact.fields[0], fact.fields[1])
    by_note = notes.by_id()
    for fact in facts:
        if fact.kind == "classify" and normalize_text(fact.fields[1]) == low:
            questions = by_note[fact.note].group_questions(fact.fields[0])
            if questions and questions[0] != "-":
                return statement(questions[0], fact.fields[1], fact.fields[2])
    return None


def figure_source(note_text: str, key: str, value: str) -> str | None:
    """What a distractor figure is, from the note's own sentence that states it, or None.

    "The source gives 1.5 inches elsewhere: For an infant, compress about 1.5 inches." A
    sentence that states the key too gives the figure's place beside the key's.
    """
    said = stating_sentence(note_text, value, "", least=0, avoid=key)
    if said is None:
        said = stating_sentence(note_text, value, "", least=0)
        return f"The source gives {value} in this sentence: {said}" if said else None
    return f"The source gives {value} elsewhere: {said}"


_MARKDOWN = re.compile(r"\*\*|__|`|^#+\s.*$|^\s*[-*]\s+|^\s*\d+\.\s+", re.MULTILINE)


def prose_sentences(text: str) -> list[str]:
    """A note's prose as plain sentences: no front matter, facts, headings or markup."""
    body = text.split("```facts")[0]
    if body.startswith("---"):
        body = body.split("---", 2)[-1]
    body = re.sub(r"\s+([:;,.])", r"\1", _MARKDOWN.sub(" ", body))
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(body.split())) if s.strip()]


def stating_sentence(
    text: str, value: str, question: str, *, least: int = 2, avoid: str = ""
) -> str | None:
    """The prose sentence that states a figure and is most about the question, or None.

    `least` is the fewest content words it must share with the question; a sentence that
    also states `avoid` (another figure with its unit) is passed over.
    """
    forms = _forms(value)
    if not forms:
        return None
    asked = content_words(question)
    best: tuple[int, bool, str] | None = None
    for said in prose_sentences(text):
        if len(said) > 400 or not _states(said, forms, value):
            continue
        if avoid and _states(said, _forms(avoid), avoid):
            continue
        overlap = len(content_words(said) & asked)
        named = said.split(" ", 1)[0] not in _PRONOUNS  # "It has 11 characters": whose?
        if overlap >= least and (best is None or (overlap, named) > best[:2]):
            best = (overlap, named, said)
    return best[2] if best else None


_PRONOUNS = frozenset(("It", "They", "This", "These", "That", "Its"))


def _forms(value: str) -> set[str]:
    """The ways prose writes a figure's number: "11", and "eleven" for small ones."""
    number = re.match(r"\$?([\d,.]+)", value.strip())
    if not number:
        return set()
    digits = number.group(1).rstrip(".,")
    forms = {digits}
    if digits.isdigit() and int(digits) < len(NUMBER_WORDS):
        forms.add(NUMBER_WORDS[int(digits)])
    return forms


def _states(said: str, forms: set[str], value: str) -> bool:
    """Whether a sentence gives the number with the figure's unit ("11-character" counts)."""
    spaced = said.lower().replace("-", " ")
    tokens = set(re.findall(r"[\w$.,]+", spaced))
    tokens |= {t.strip(".,") for t in tokens} | {t.strip("$.,") for t in tokens}
    return bool(forms & tokens) and _with_unit(spaced, forms, value)


def _with_unit(said: str, forms: set[str], value: str) -> bool:
    """Whether a sentence gives the figure with its unit, not the number in another sense.

    "60 days" and "10 full-time equivalent employees" count; "modifier 50" does not.
    """
    unit = re.sub(r"^[\$\d,.%\s]+", "", value).replace("-", " ").split()
    if not unit:
        return True
    wants = {u.lower()[:4] for u in unit if len(u) >= 4} or {unit[0].lower()[:4]}
    words = re.findall(r"[\w$.,%-]+", said.lower())
    for i, w in enumerate(words):
        after = words[i + 1 : i + 6]
        if w.strip("$.,") in forms and any(n.startswith(x) for n in after for x in wants):
            return True
    return False


NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]


ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
]


def place(steps: Sequence[str], i: int) -> str:
    """Where a step stands, named by its neighbours, never "step 2 of 4".

    "“Check the packing slip” is the second step, after “issue a purchase order”."
    """
    name = f"“{capital(clause(steps[i]))}”"
    if i == 0:
        return f"{name} is the first step, before “{clause(steps[1])}”"
    ordinal = "last" if i == len(steps) - 1 else ORDINALS[min(i, len(ORDINALS) - 1)]
    return f"{name} is the {ordinal} step, after “{clause(steps[i - 1])}”"
