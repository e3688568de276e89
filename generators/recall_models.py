"""Item models for the notes' facts: what each kind of fact can be asked, and its distractors.

Distractors come only from the same concept class, as an item writer picks them:
- hand-picked `alt:` distractors of the fact, when it has them;
- the other members of a declared `confusable` set (the confusions examiners test);
- siblings of one `group` (classify facts), facts of the same note, steps of the same
  procedure.
Never filler from another note or subject: a fact with fewer than three such distractors
makes no item (its note should give it `alt:` distractors).

Stems vary in form (several frames per model, chosen per fact) and name terms as the
notes' prose does inside a sentence. The reverse cause/effect model is gone: the notes
state effects as rules, not as outcomes one could observe.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from bank.models import Bloom, Difficulty
from bank.notes import Fact, Note, NoteSet
from bank.text import content_words, normalize_text
from generators.wording import Lexicon, capital, clause, quoted, with_article


@dataclass(frozen=True)
class Draft:
    """One question a fact supports: stem, key, candidate distractors and explanations.

    `pool` lists candidate distractors, most fitting first; `explain` maps an option to the
    sentence that says what it is; `close` counts the leading pool entries that come from a
    confusable set (harder to tell from the key).
    """

    fact: Fact
    model: str
    variant: int
    stem: str
    key: str
    pool: tuple[str, ...]
    explain: dict[str, str]
    bloom: Bloom
    difficulty: Difficulty
    numeric: bool = False
    close: int = 0
    hand_picked: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def enemy_group(self) -> str:
        """Items of one fact give each other away: they share an enemy group."""
        return f"fact:{self.fact.id}"


def frame(fact: Fact, frames: Sequence[str], salt: str = "") -> str:
    """One of several stem frames, the same for a fact on every run (spread over facts)."""
    return frames[zlib.crc32(f"{fact.id}{salt}".encode()) % len(frames)]


def unique(values: Sequence[str], exclude: str) -> list[str]:
    """Values without repeats (after normalizing) and without `exclude`, order kept."""
    seen = {normalize_text(exclude)}
    out = []
    for v in values:
        norm = normalize_text(v)
        if norm not in seen:
            seen.add(norm)
            out.append(v)
    return out


def likeness(a: str, b: str) -> float:
    """How much two phrases are about the same thing: the Jaccard of their content words.

    Siblings of one note are ranked by it, so a heart-rate term's distractors are the
    other heart-rate terms before the blood-pressure ones.
    """
    wa, wb = content_words(a), content_words(b)
    return len(wa & wb) / len(wa | wb) if wa | wb else 0.0


# Words too common in this bank to say two phrases are about the same kind of thing.
GENERIC = frozenset(
    content_words(
        "patient patients office offices medical practice provider providers health care "
        "staff person people used uses record records information form forms service services "
        "code codes"
    )
)


def head(name: str) -> str:
    """The head word of a multi-word name, stemmed ("Incremental backup" -> "backup")."""
    words = [
        w
        for w in name.replace("(", " ").replace(")", " ").split()
        if w.replace("-", "").replace("'", "").isalpha()
    ]
    return next(iter(content_words(words[-1])), words[-1].lower()) if len(words) > 1 else ""


def same_kind(key_name: str, key_text: str, name: str, text: str) -> bool:
    """Whether a sibling is the same kind of thing as the key, so that it can stand beside it.

    The same head word ("Full backup" beside "Incremental backup"), or descriptions that
    share a word that is not generic in this bank ("a lying position with the face down"
    beside "... face up"). "Cloud computing" is no distractor for a backup, nor a body
    plane for a position: an item writer sends those back.
    """
    if head(key_name):  # a named kind of thing: only others of that kind stand beside it
        return head(key_name) == head(name)
    return bool((content_words(key_text) & content_words(text)) - GENERIC)


def confusables(fact: Fact, notes: NoteSet, answer: str) -> list[str]:
    """The other members of every confusable set of the domain that holds `answer`."""
    low = answer.casefold()
    out: list[str] = []
    for members in notes.confusable_sets(fact.domain):
        if low in (m.casefold() for m in members):
            out.extend(m for m in members if m.casefold() != low)
    return out


def terms_of(notes: NoteSet, domain: int) -> dict[str, Fact]:
    """The domain's term facts by their term, case-folded."""
    return {
        f.fields[0].casefold(): f for f in notes.facts if f.kind == "term" and f.domain == domain
    }


TERM_FRAMES = (
    "Which term describes {d}?",
    "Which term is used for {d}?",
    "Which term names {d}?",
    "What do medical office staff call {d}?",
)
DEFINITION_FRAMES = (
    "What does the term {t} mean?",
    "Which description fits {t}?",
    "Which statement defines {t}?",
    "In a medical office, what is {t}?",
)


def term_drafts(fact: Fact, note: Note, notes: NoteSet, lexicon: Lexicon) -> Iterator[Draft]:
    """The term for a definition, and the definition of a term."""
    term, definition = fact.fields
    by_term = terms_of(notes, fact.domain)
    close = [
        by_term[c.casefold()] for c in confusables(fact, notes, term) if c.casefold() in by_term
    ]
    same_note = [
        f
        for f in note.facts
        if f.kind == "term" and f != fact and same_kind(term, definition, *f.fields)
    ]
    same_note.sort(key=lambda f: -likeness(definition, f.fields[1]))  # nearest concept first
    siblings = list(dict.fromkeys([*close, *same_note]))
    what = {
        f.fields[0]: f"{capital(f.fields[0])} means {with_article(f.fields[1])}" for f in siblings
    }
    what[term] = f"{capital(term)} means {with_article(definition)}"
    names = unique([f.fields[0] for f in siblings] + list(fact.alts), term)
    yield Draft(
        fact,
        "term_from_definition",
        0,
        frame(fact, TERM_FRAMES).format(d=with_article(definition)),
        term,
        tuple(names),
        what,
        "remember",
        "easy",
        close=len(close),
        hand_picked=bool(fact.alts),
    )
    meanings = {f.fields[1]: f"That describes {lexicon.inline(f.fields[0])}" for f in siblings}
    meanings[definition] = f"{capital(term)} means {with_article(definition)}"
    yield Draft(
        fact,
        "definition_from_term",
        0,
        frame(fact, DEFINITION_FRAMES, "d").format(t=quoted(lexicon.inline(term))),
        definition,
        tuple(unique([f.fields[1] for f in siblings], definition)),
        meanings,
        "understand",
        "easy",
        close=len(close),
    )


def classify_drafts(fact: Fact, note: Note, notes: NoteSet, lexicon: Lexicon) -> Iterator[Draft]:
    """The member of a category, and the category of a member (siblings of one group)."""
    key, item, category = fact.fields
    questions = note.group_questions(key)
    if questions is None:
        return
    item_q, category_q = questions
    members = [
        f
        for f in note.facts
        if f.kind == "classify"
        and f.fields[0] == key
        and f != fact
        and same_kind(item, category, f.fields[1], f.fields[2])
    ]
    said = {f.fields[1]: f"{capital(f.fields[1])}: {clause(f.fields[2])}" for f in members}
    said[item] = f"{capital(item)}: {clause(category)}"
    if item_q != "-":
        others = [
            f.fields[1]
            for f in sorted(members, key=lambda f: -likeness(item, f.fields[1]))
            if normalize_text(f.fields[2]) != normalize_text(category)
        ]
        near = confusables(fact, notes, item)
        yield Draft(
            fact,
            "item_from_category",
            0,
            item_q.replace("{category}", clause(category)),
            item,
            tuple(unique([*near, *others, *fact.alts], item)),
            said,
            "understand",
            "medium",
            close=len(near),
            hand_picked=bool(fact.alts),
        )
    if category_q != "-":
        about = {f.fields[2]: f"That is true of {lexicon.inline(f.fields[1])}" for f in members}
        about[category] = f"{capital(item)}: {clause(category)}"
        yield Draft(
            fact,
            "category_from_item",
            0,
            category_q.replace("{item}", lexicon.inline(item)),
            category,
            tuple(unique([f.fields[2] for f in members], category)),
            about,
            "understand",
            "medium",
        )


def number_drafts(fact: Fact) -> Iterator[Draft]:
    """A figure the notes give (a deadline, a count, a rate), options in natural order."""
    question, value = fact.fields
    yield Draft(
        fact,
        "numeric_fact",
        0,
        question,
        value,
        tuple(fact.alts),
        {value: f"The source gives {value}: {clause(question.rstrip('?'))}"},
        "remember",
        "medium",
        numeric=True,
        hand_picked=bool(fact.alts),
    )


FIRST_FRAMES = ("What is the first step in {p}?", "In {p}, what comes first?")


def procedure_drafts(fact: Fact, lexicon: Lexicon) -> Iterator[Draft]:
    """The first step, the step after a given one, and the last step of one procedure.

    Distractors are other steps of the same procedure only.
    """
    name, body = fact.fields
    steps = [s.strip() for s in body.split(">")]
    where = {
        s: f"{capital(clause(s))} is step {i + 1} of {len(steps)}" for i, s in enumerate(steps)
    }
    procedure = clause(name)
    yield Draft(
        fact,
        "procedure_first_step",
        0,
        frame(fact, FIRST_FRAMES).format(p=procedure),
        steps[0],
        tuple(unique(steps[1:], steps[0])),
        where,
        "remember",
        "medium",
    )
    for i in range(len(steps) - 1):
        pool = [s for j, s in enumerate(steps) if j not in (i, i + 1)]
        yield Draft(
            fact,
            "procedure_next_step",
            i + 1,
            f"In {procedure}, which step comes right after this one: {clause(steps[i])}?",
            steps[i + 1],
            tuple(unique(pool, steps[i + 1])),
            where,
            "understand",
            "medium",
        )
    yield Draft(
        fact,
        "procedure_last_step",
        0,
        f"What is the last step in {procedure}?",
        steps[-1],
        tuple(unique(steps[:-1], steps[-1])),
        where,
        "remember",
        "medium",
    )


EFFECT_FRAMES = (
    "What happens when {c}?",
    "What follows when {c}?",
    "What is the result when {c}?",
)


def cause_drafts(fact: Fact, note: Note) -> Iterator[Draft]:
    """The effect of a cause; distractors are effects of the note's other causes."""
    cause, effect = fact.fields
    siblings = [
        f
        for f in note.facts
        if f.kind == "cause" and f != fact and same_kind("", f"{cause} {effect}", "", f.fields[1])
    ]
    after = {f.fields[1]: f"That follows when {clause(f.fields[0])}" for f in siblings}
    after[effect] = f"When {clause(cause)}, {clause(effect)}"
    yield Draft(
        fact,
        "effect_of_cause",
        0,
        frame(fact, EFFECT_FRAMES).format(c=clause(cause)),
        effect,
        tuple(unique([f.fields[1] for f in siblings] + list(fact.alts), effect)),
        after,
        "understand",
        "medium",
        hand_picked=bool(fact.alts),
    )


def drafts_for(
    notes: NoteSet, domain: int, topic: str | None = None, lexicon: Lexicon | None = None
) -> list[Draft]:
    """Every (fact, item model, variant) the notes of a domain support."""
    lexicon = lexicon or Lexicon.of(n.text for n in notes.notes)
    out: list[Draft] = []
    for note in notes.for_domain(domain, topic):
        for fact in note.facts:
            if fact.kind == "term":
                out.extend(term_drafts(fact, note, notes, lexicon))
            elif fact.kind == "classify":
                out.extend(classify_drafts(fact, note, notes, lexicon))
            elif fact.kind == "number":
                out.extend(number_drafts(fact))
            elif fact.kind == "procedure":
                out.extend(procedure_drafts(fact, lexicon))
            elif fact.kind == "cause":
                out.extend(cause_drafts(fact, note))
    return out
