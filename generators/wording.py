"""Wording for generated items: a term inside a sentence, clauses, articles, sentences.

The notes write a term as a headword ("Scheduling matrix", "Notice of Privacy Practices");
inside a stem it reads "a scheduling matrix" but still "the Notice of Privacy Practices".
`Lexicon` learns which capitals are the term's own from how the notes' prose writes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# Words that start a definition but take no article ("the billing the patient ..." is wrong).
_NO_ARTICLE = frozenset((
    "a", "an", "the", "to", "when", "if", "any", "each", "every", "one", "two", "three",
    "four", "five", "six", "this", "that", "these", "those", "all", "both", "either", "no",
    "not", "only", "how", "what", "which", "who", "whom", "whose", "where", "why",
    # prepositions and adverbs start no noun phrase: "as needed", "by mouth", "twice a day"
    "as", "at", "by", "in", "on", "for", "from", "with", "without", "under", "over", "before",
    "after", "between", "within", "per", "once", "twice", "daily", "up", "out", "into",
))  # fmt: skip


_ARTICLES = frozenset(("The", "A", "An", "This", "That", "These", "Those", "Each", "Any"))


def is_acronym(word: str) -> bool:
    """Whether a word is capitals (and digits) read as a name: "HIPAA", "CMS-1500"."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


@dataclass(frozen=True)
class Lexicon:
    """Which capitalized words the notes also write in lower case (so are common words)."""

    lower_words: frozenset[str]

    @classmethod
    def of(cls, texts: Iterable[str]) -> Lexicon:
        """Learn from the notes' texts: every word they write in lower case somewhere."""
        words: set[str] = set()
        for text in texts:
            words.update(w for w in _WORD.findall(text) if w.islower())
        return cls(frozenset(words))

    def inline(self, term: str) -> str:
        """The term as it reads inside a sentence.

        The first letter is lowered when the first word is the only capitalized word, is no
        acronym, and the notes write it in lower case elsewhere; "Good Samaritan law",
        "Schedule II", "Medicare" and "HIPAA" keep theirs.
        """
        words = term.split()
        if not words or not words[0][:1].isupper() or is_acronym(words[0]):
            return term
        if words[0] in _ARTICLES:  # "The hyphen in Ellis-Smith": the article is no name
            return " ".join([words[0].lower(), *words[1:]])
        capitalized = [w for w in words[1:] if w[:1].isupper()]
        if capitalized or re.fullmatch(r"[IVX]+|[A-Z]", words[-1] or ""):
            return term
        low = words[0][:1].lower() + words[0][1:]
        if low.split("-")[0].strip("'’") not in self.lower_words and low not in self.lower_words:
            return term
        return " ".join([low, *words[1:]])


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym or carries capitals."""
    first, *rest = text.split(" ", 2)
    if len(first) > 1 and (first.isupper() or any(c.isupper() for c in first[1:])):
        return text
    if rest and rest[0][:1].isupper():  # a name: "False Claims Act provision ..."
        return text
    return text[:1].lower() + text[1:]


def clause(text: str) -> str:
    """A fact's phrase as part of a sentence: no final stop, first letter lowered."""
    return lower_first(text.strip().rstrip(". "))


def capital(text: str) -> str:
    """The text with its first letter capitalized (a sentence start)."""
    text = text.strip()
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    """A full sentence: capital first letter, one final full stop."""
    text = capital(text)
    return text if text.endswith((".", "?", "!")) else text + "."


def with_article(phrase: str) -> str:
    """A definition as a noun phrase with "the" when it needs one ("the amount ... ")."""
    phrase = clause(phrase)
    first = phrase.split(" ", 1)[0].lower()
    if first in _NO_ARTICLE or first.endswith("ing"):
        return phrase
    return "the " + phrase


def quoted(term: str) -> str:
    """A term named as a term: “coinsurance”."""
    return f"“{term}”"
