"""Text in one place: the normalized forms texts are compared in, words, stems, a/an sounds.

Four comparison forms, each for one purpose (every package uses these, none its own):
- `nfkc`: the Unicode NFKC form, so ligatures, full-width digits and the like read plainly;
- `normalize_text`: NFKC, case-folded, single-spaced: equality of stems and options, the
  content hash;
- `plain`: `normalize_text` without surrounding punctuation: how options compare in the
  flaw rules ("Always." and "always" are one option);
- `fold`: case-folded words joined by single spaces, punctuation dropped: how a quoted
  passage is found inside a note.

Words, stop words and stemming follow the readings of ../shared/spec/item-flaws.md: words
are runs of letters and digits, stop words are NLTK's English list plus "following",
content words are the other words of four or more characters (at least one a letter),
compared after a simple stemming. No I/O, no third-party dependency.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# NLTK's English stop-word list (nltk 3.9, 198 words), typed in to avoid the dependency
# and its corpus download, plus "following" as the spec asks.
_NLTK_ENGLISH = """
    a about above after again against ain all am an and any are aren aren't as at be
    because been before being below between both but by can couldn couldn't d did didn
    didn't do does doesn doesn't doing don don't down during each few for from further
    had hadn hadn't has hasn hasn't have haven haven't having he he'd he'll he's her here
    hers herself him himself his how i i'd i'll i'm i've if in into is isn isn't it it'd
    it'll it's its itself just ll m ma me mightn mightn't more most mustn mustn't my
    myself needn needn't no nor not now o of off on once only or other our ours ourselves
    out over own re s same shan shan't she she'd she'll she's should should've shouldn
    shouldn't so some such t than that that'll the their theirs them themselves then
    there these they they'd they'll they're they've this those through to too under
    until up ve very was wasn wasn't we we'd we'll we're we've were weren weren't what
    when where which while who whom why will with won won't wouldn wouldn't y you you'd
    you'll you're you've your yours yourself yourselves
"""
STOP_WORDS: frozenset[str] = frozenset([*_NLTK_ENGLISH.split(), "following"])

_WORD = re.compile(r"[^\W_]+")


def nfkc(text: str) -> str:
    """NFKC form of a text, so that ligatures, full-width digits and the like read plainly."""
    return unicodedata.normalize("NFKC", text)


def normalize_text(text: str) -> str:
    """Fold case, Unicode forms and runs of spaces: the comparison form of a text."""
    return " ".join(nfkc(text).casefold().split())


_SURROUNDING = " .,;:!()[]\"'“”‘’*-–—"


def plain(text: str) -> str:
    """`normalize_text` without surrounding punctuation: the form options compare in."""
    return normalize_text(text).strip(_SURROUNDING)


_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Case-folded letters and digits, every other run of characters one space."""
    return _NON_WORD.sub(" ", text.casefold()).strip()


def words(text: str) -> list[str]:
    """The words of a text: runs of letters and digits, in order, case kept."""
    return _WORD.findall(nfkc(text))


# ---------------------------------------------------------------------------
# Stemming and content words
# ---------------------------------------------------------------------------

_VOWELS = frozenset("aeiouy")
_KEEP_DOUBLE = frozenset("lsz")  # "billed" -> "bill", "missed" -> "miss"


def _has_vowel(text: str) -> bool:
    return any(ch in _VOWELS for ch in text)


def _strip_ending(word: str) -> str:
    """Strip one inflectional ending: -ies, -s/-es, -ed or -ing."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) > 5 and _has_vowel(word[:-3]):
        return _undouble(word[:-3])
    if word.endswith("ed") and len(word) > 4 and _has_vowel(word[:-2]):
        return _undouble(word[:-2])
    if word.endswith("s") and len(word) > 3 and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _undouble(root: str) -> str:
    if len(root) > 2 and root[-1] == root[-2] and root[-1] not in _VOWELS | _KEEP_DOUBLE:
        return root[:-1]
    return root


@lru_cache(maxsize=65536)  # a pure function of one word, called for every word of every item
def stem(word: str) -> str:
    """The comparison key of a word under the spec's simple stemming.

    Lower-case, drop a possessive 's, strip one inflectional ending (plural
    -s/-es/-ies -> y, -ed, -ing), then drop a final silent "e" so that the forms
    of one verb meet: "schedule", "scheduled", "scheduling" and "schedules" all
    give "schedul"; "drugs" gives "drug"; "policies" gives "policy". The key is
    for comparing words, not for showing them.
    """
    low = nfkc(word).strip().lower()
    for suffix in ("'s", "\u2019s", "'", "\u2019"):
        if low.endswith(suffix) and len(low) > len(suffix):
            low = low[: -len(suffix)]
            break
    root = _strip_ending(low)
    if len(root) > 3 and root.endswith("e") and not root.endswith("ee"):
        root = root[:-1]
    return root


def is_content_word(word: str) -> bool:
    """A word of four or more characters, at least one a letter, not a stop word."""
    return len(word) >= 4 and word.lower() not in STOP_WORDS and any(c.isalpha() for c in word)


def content_words(text: str) -> set[str]:
    """The stemmed content words of a text."""
    return {stem(w) for w in words(text) if is_content_word(w)}


def content_forms(text: str, key: Callable[[str], str] | None = None) -> dict[str, str]:
    """Each content word of a text, by its key (its stem), mapped to its first spelling there.

    `key` replaces `stem` where a rule compares words its own way (for evidence).
    """
    key = key or stem
    forms: dict[str, str] = {}
    for w in words(text):
        if is_content_word(w):
            forms.setdefault(key(w), w)
    return forms


# ---------------------------------------------------------------------------
# a / an: the sound a word starts with
# ---------------------------------------------------------------------------

# Letter names that start with a vowel sound: "an F", "an HMO", "an MRI", "an X-ray".
_VOWEL_LETTER_NAMES = frozenset("AEFHILMNORSX")
# Acronyms read as words, whose first letter alone would mislead.
_WORD_ACRONYMS_TEXT = """
    HIPAA HIPPA OSHA CLIA COBRA HITECH TRICARE CHAMPVA NATO HCPCS HCFA FICA FUTA SUTA MAC RAC
    ZPIC MIPS MACRA HEDIS MRSA SNOMED LOINC NIOSH FEMA FERPA SOAP STAT NICU LASIK HEPA SARS
    MERS SIDS FOIA
"""
_WORD_ACRONYMS = frozenset(_WORD_ACRONYMS_TEXT.split())
_ONSETS_TEXT = (
    "bl br ch cl cr dr fl fr gl gr kl kn kr ph pl pr sc sh sk sl sm sn sp st sw th tr tw wh wr "
    "scr shr spl spr str thr"
)
_ONSETS = frozenset(_ONSETS_TEXT.split())
_SILENT_H = ("hour", "honest", "honor", "honour", "heir")
# Words starting with a "you" sound ("a unit", "a user", "a European", "a urinalysis").
_YOU_SOUND = (
    "uni",
    "use",
    "usi",
    "usu",
    "uti",
    "ute",
    "ure",
    "uri",
    "uro",
    "ura",
    "uku",
    "ubi",
    "uvu",
    "ufo",
    "ukr",
    "eu",
    "ewe",
)
_UN_PREFIX = ("unin", "unim", "unid")  # "an uninsured", "an unimportant", "an unidentified"
_W_SOUND = ("one", "once")  # "a one-time fee"
_TOKEN = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d[\d,]*")


def _sounds_like_word(acronym: str) -> bool:
    """An all-caps token of 4+ letters read aloud as a word: a consonant onset, then a vowel.

    HIPAA, NATO, FICA, STAT and SNOMED read as words; NCCI, FMLA and MSDS do not.
    Tokens starting with a vowel letter are spelled (the letter names A, E, I, O
    start with a vowel sound anyway, and U-acronyms mostly say "you").
    """
    low = acronym.lower()
    if len(low) < 4 or not low.isalpha() or low[0] in "aeiou":
        return False
    for size in (3, 2, 1):
        onset, after = low[:size], low[size : size + 1]
        if (size == 1 or onset in _ONSETS) and after in ("a", "e", "i", "o", "u"):
            return True
    return False


def _number_vowel_sound(digits: str) -> bool:
    """An 8, an 11, an 18, an 800, an 1800 (eighteen hundred): numbers said with a vowel."""
    plain = digits.replace(",", "")
    if plain.startswith("8"):
        return True
    if digits.split(",")[0] in ("11", "18"):
        return True
    return len(plain) == 4 and plain[:2] in ("11", "18") and plain[2:] == "00"


def _spelled_letter_by_letter(token: str) -> bool:
    if len(token) == 1:
        return True
    if token.isupper():
        return token not in _WORD_ACRONYMS and not _sounds_like_word(token)
    # Mixed-case abbreviations such as HbA1c, ePHI, eMAR: read letter by letter.
    capitals = sum(ch.isupper() for ch in token)
    return capitals >= 2 and not token.istitle()


def _word_vowel_sound(low: str) -> bool:
    if low.startswith(_SILENT_H):
        return True
    if low.startswith(_W_SOUND) and not low.startswith("onerous"):
        return False
    if low.startswith(_UN_PREFIX):
        return True
    if low.startswith(_YOU_SOUND):
        return False
    return low[0] in "aeiou"


def starts_with_vowel_sound(word: str) -> bool:
    """Whether a word is said with a leading vowel sound, which makes "an" its article.

    Acronyms spelled letter by letter go by the first letter's name ("an HMO", "a
    CPT code", "an MRI", "a UB-04", "an X-ray"); acronyms read as words by the word
    ("a HIPAA", "an OSHA"); silent h ("an hour", "an honest"); "you" and "w" sounds
    ("a unit", "a user", "a European", "a one-time"); numbers ("an 8", "an 11",
    "an 837P", "a 1099").
    """
    text = nfkc(word)
    match = _TOKEN.search(text)
    if match is None:
        return False
    token = match.group()
    if token[0].isdigit():
        digits = _DIGITS.match(text, match.start())
        return _number_vowel_sound(digits.group() if digits else token)
    if _spelled_letter_by_letter(token):
        return token[0].upper() in _VOWEL_LETTER_NAMES
    return _word_vowel_sound(token.lower())


# ---------------------------------------------------------------------------
# Characters item text may not hold, and line breaks in one form
# ---------------------------------------------------------------------------

# C0 controls but tab and newline, DEL, C1 controls, lone surrogates and U+FFFE/U+FFFF:
# XML 1.0 forbids most of them (a QTI item holding U+000B is not well formed), Anki
# separates note fields with U+001F, a lone surrogate cannot be written as UTF-8, and C1
# controls in a UTF-8 file are mojibake (a cp1252 quote read as Latin-1), never meant.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_NAMES = {
    0x00: "null",
    0x08: "backspace",
    0x0B: "vertical tab",
    0x0C: "form feed",
    0x0D: "carriage return",
    0x1B: "escape",
    0x1C: "file separator",
    0x1D: "group separator",
    0x1E: "record separator",
    0x1F: "unit separator",
    0x7F: "delete",
}
# Every other way of writing a line break: CR LF (a browser's textarea sends it), CR, NEL
# and the Unicode line separator are one newline; the paragraph separator is a blank line.
# Left as they are they would split a JSONL or GIFT line on the way back in (str.splitlines).
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028]")


def normalize_line_breaks(text: str) -> str:
    r"""Every line break written as `\n` (CR LF, CR, NEL, U+2028; U+2029 as a blank line)."""
    return _LINE_BREAKS.sub("\n", text).replace("\u2029", "\n\n")


def forbidden_character(text: str) -> tuple[int, str] | None:
    """The first character item text may not hold, as (1-based position, its name), or None.

    Forbidden: control characters other than tab and newline (C0, DEL, C1), lone surrogates
    and the noncharacters U+FFFE and U+FFFF.
    """
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        kind = "a lone surrogate"
    elif code >= 0xFFFE:
        kind = "a noncharacter"
    else:
        kind = _CONTROL_NAMES.get(code, "a control character")
    return found.start() + 1, f"U+{code:04X} ({kind})"
