"""Offline generator: automatic item generation from the fact blocks of the source notes.

Each fact kind has item models (templates). Distractors are sibling facts of the same
kind (same note, then topic, then domain) chosen close in length to the key, so the
options are homogeneous; numeric distractors are near the true value and in ascending
order; the key's position is balanced over a batch. Every candidate is checked by the
`screen` it is given (the pipelines pass the rule-detectable flaws of validators.flaws)
and rebuilt with other distractors (or dropped) until clean, so what comes out is
flaw-free by construction. No network, no model: deterministic
for a seed.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bank.models import LETTERS, Blueprint, Item, Provenance, Source
from bank.notes import Fact, Note, NoteSet
from bank.text import normalize_text
from generators.base import FlawScreen, GenerationRequest, GenerationResult, no_screen

NAME = "offline"
VERSION = "1.0"
DISTRACTOR_TRIES = 12


@dataclass(frozen=True)
class Draft:
    """An item model applied to one fact, before distractors are chosen."""

    fact: Fact
    model: str  # item-model name, e.g. "term_from_definition"
    variant: int  # which step, for procedures; 0 otherwise
    stem: str
    key: str
    pool: tuple[str, ...]  # candidate distractors, nearest siblings first
    explain: dict[str, str]  # option text -> what that option is (for the rationale)
    difficulty: str
    bloom: str
    numeric: bool = False
    core: int = 0  # leading pool entries to prefer (steps of the same procedure)


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym or a proper name."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first.isupper() or any(c.isupper() for c in first[1:])):
        return text
    return text[:1].lower() + text[1:]


def _clause(text: str) -> str:
    return _lower_first(text.rstrip(". "))


def _siblings(fact: Fact, notes: NoteSet, kind: str) -> list[Fact]:
    """Facts of a kind, nearest first: the same note, then the same topic, then the domain."""
    same_domain = [f for f in notes.facts if f.domain == fact.domain and f.kind == kind]
    same_note = [f for f in same_domain if f.note == fact.note and f != fact]
    same_topic = [f for f in same_domain if f.topic == fact.topic and f.note != fact.note]
    rest = [f for f in same_domain if f.topic != fact.topic]
    return same_note + same_topic + rest


def _unique(values: list[str], exclude: str) -> list[str]:
    seen = {normalize_text(exclude)}
    out = []
    for v in values:
        norm = normalize_text(v)
        if norm not in seen:
            seen.add(norm)
            out.append(v)
    return out


# ---- numbers ---------------------------------------------------------------------------
_QUANTITY = re.compile(r"^(?P<pre>\$?)(?P<num>\d[\d,]*(?:\.\d+)?)(?P<post>\s*%?)(?P<unit>.*)$")


def _format_number(value: float, like: str) -> str:
    decimals = len(like.split(".")[1]) if "." in like else 0
    text = f"{value:,.{decimals}f}" if "," in like else f"{value:.{decimals}f}"
    return text


def _numeric_distractors(value_text: str, position: int, rng: random.Random) -> list[str] | None:
    """Three values near the key, so that the key sits at `position` in ascending order."""
    m = _QUANTITY.match(value_text.strip())
    if not m:
        return None
    number = float(m["num"].replace(",", ""))
    if number <= 0:
        return None
    integer = "." not in m["num"]
    lower_factors = [0.5, 0.25, 0.75, 1 / 3]
    upper_factors = [2.0, 1.5, 3.0, 4.0]

    def render(v: float) -> str:
        return f"{m['pre']}{_format_number(v, m['num'])}{m['post']}{m['unit']}"

    def candidates(factors: list[float]) -> list[float]:
        out = []
        for f in factors:
            v = number * f
            v = round(v) if integer else round(v, 2)
            if v > 0 and v != number and render(v) != render(number) and v not in out:
                out.append(v)
        return out

    lows, highs = candidates(lower_factors), candidates(upper_factors)
    if m["post"].strip() == "%":
        highs = [v for v in highs if v <= 100]
    need_low, need_high = position, 3 - position
    if len(lows) < need_low or len(highs) < need_high:
        return None
    chosen = sorted(lows[:need_low]) + sorted(highs[:need_high])
    rng.shuffle(chosen)  # order is restored by sorting the options
    return [render(v) for v in chosen]


def _quantity_value(text: str) -> float | None:
    m = _QUANTITY.match(text.strip())
    return float(m["num"].replace(",", "")) if m else None


# ---- item models -----------------------------------------------------------------------
def _term_drafts(fact: Fact, notes: NoteSet) -> Iterator[Draft]:
    term, definition = fact.fields
    sibs = _siblings(fact, notes, "term")
    explain = {f.fields[0]: f"{f.fields[0]} means: {_clause(f.fields[1])}" for f in sibs}
    explain[term] = f"{term} means: {_clause(definition)}"
    terms = _unique([f.fields[0] for f in sibs] + list(fact.alts), term)
    yield Draft(
        fact,
        "term_from_definition",
        0,
        f"Which term matches this definition: {_clause(definition)}?",
        term,
        tuple(terms),
        explain,
        "easy",
        "remember",
    )
    definitions = _unique([f.fields[1] for f in sibs], definition)
    explain_defs = {f.fields[1]: f"That describes {f.fields[0]}" for f in sibs}
    explain_defs[definition] = f"{term} means: {_clause(definition)}"
    yield Draft(
        fact,
        "definition_from_term",
        0,
        f"What does {term} mean?",
        definition,
        tuple(definitions),
        explain_defs,
        "easy",
        "understand",
    )


def _classify_drafts(fact: Fact, note: Note, notes: NoteSet) -> Iterator[Draft]:
    key, item, category = fact.fields
    questions = note.group_questions(key)
    if questions is None:
        return
    item_q, category_q = questions
    members = [f for f in note.facts if f.kind == "classify" and f.fields[0] == key and f != fact]
    if item_q != "-":
        others = [
            f.fields[1] for f in members if normalize_text(f.fields[2]) != normalize_text(category)
        ]
        explain = {f.fields[1]: f"{f.fields[1]}: {_clause(f.fields[2])}" for f in members}
        explain[item] = f"{item}: {_clause(category)}"
        yield Draft(
            fact,
            "item_from_category",
            0,
            item_q.replace("{category}", _clause(category)),
            item,
            tuple(_unique(others + list(fact.alts), item)),
            explain,
            "medium",
            "apply",
        )
    if category_q != "-":
        categories = _unique([f.fields[2] for f in members], category)
        explain = {f.fields[2]: f"That applies to {f.fields[1]}" for f in members}
        explain[category] = f"{item}: {_clause(category)}"
        yield Draft(
            fact,
            "category_from_item",
            0,
            category_q.replace("{item}", item),
            category,
            tuple(categories),
            explain,
            "medium",
            "understand",
        )


def _number_drafts(fact: Fact) -> Iterator[Draft]:
    question, value = fact.fields
    explain = {value: f"{question} {value}"}
    yield Draft(
        fact,
        "numeric_fact",
        0,
        question,
        value,
        tuple(fact.alts),
        explain,
        "medium",
        "remember",
        numeric=True,
    )


def _procedure_drafts(fact: Fact, notes: NoteSet) -> Iterator[Draft]:
    name, body = fact.fields
    steps = [s.strip() for s in body.split(">")]
    others = [s for f in _siblings(fact, notes, "procedure") for s in f.fields[1].split(">")]
    others = [s.strip() for s in others]
    position = {s: f"{_clause(s)} is step {i + 1} of {len(steps)}" for i, s in enumerate(steps)}
    explain = {**{s: f"{_clause(s)} belongs to a different procedure" for s in others}, **position}
    yield Draft(
        fact,
        "procedure_first_step",
        0,
        f"What is the first step in {_clause(name)}?",
        steps[0],
        tuple(_unique(steps[1:] + others, steps[0])),
        explain,
        "medium",
        "remember",
        core=len(steps) - 1,
    )
    for i in range(len(steps) - 1):
        pool = [s for j, s in enumerate(steps) if j not in (i, i + 1)] + others
        yield Draft(
            fact,
            "procedure_next_step",
            i + 1,
            f"In {_clause(name)}, which step comes right after this one: {_clause(steps[i])}?",
            steps[i + 1],
            tuple(_unique(pool, steps[i + 1])),
            explain,
            "medium",
            "apply",
            core=len(steps) - 2,
        )


def _cause_drafts(fact: Fact, notes: NoteSet) -> Iterator[Draft]:
    cause, effect = fact.fields
    sibs = _siblings(fact, notes, "cause")
    explain = {f.fields[1]: f"That follows when {_clause(f.fields[0])}" for f in sibs}
    explain[effect] = f"When {_clause(cause)}, the result is: {_clause(effect)}"
    yield Draft(
        fact,
        "effect_of_cause",
        0,
        f"What is the expected result when this happens: {_clause(cause)}?",
        effect,
        tuple(_unique([f.fields[1] for f in sibs], effect)),
        explain,
        "medium",
        "understand",
    )
    explain_causes = {f.fields[0]: f"That leads instead to: {_clause(f.fields[1])}" for f in sibs}
    explain_causes[cause] = f"When {_clause(cause)}, the result is: {_clause(effect)}"
    yield Draft(
        fact,
        "cause_of_effect",
        0,
        f"A medical office finds this outcome: {_clause(effect)}. What is the most likely cause?",
        cause,
        tuple(_unique([f.fields[0] for f in sibs], cause)),
        explain_causes,
        "hard",
        "analyze",
    )


def drafts_for(notes: NoteSet, domain: int, topic: str | None = None) -> list[Draft]:
    """Every (fact, item model, variant) the notes of a domain support."""
    out: list[Draft] = []
    for note in notes.for_domain(domain, topic):
        for fact in note.facts:
            if fact.kind == "term":
                out.extend(_term_drafts(fact, notes))
            elif fact.kind == "classify":
                out.extend(_classify_drafts(fact, note, notes))
            elif fact.kind == "number":
                out.extend(_number_drafts(fact))
            elif fact.kind == "procedure":
                out.extend(_procedure_drafts(fact, notes))
            elif fact.kind == "cause":
                out.extend(_cause_drafts(fact, notes))
    return out


# ---- assembly --------------------------------------------------------------------------
def _distractor_sets(draft: Draft, rng: random.Random) -> Iterator[list[str]]:
    """Sets of three distractors: hand-picked alts first, then siblings nearest in length."""
    if len(draft.fact.alts) >= 3 and draft.model in ("numeric_fact", "item_from_category"):
        alts = _unique(list(draft.fact.alts), draft.key)
        for triple in itertools.islice(itertools.combinations(alts, 3), DISTRACTOR_TRIES):
            yield list(triple)
    if draft.numeric:
        return
    pool = list(draft.pool)
    if len(pool) < 3:
        return
    # nearest siblings (in the notes' order) first, but prefer lengths close to the key's;
    # steps of the same procedure before steps of others
    window = pool[: draft.core] if draft.core >= 3 else pool[:10]
    window.sort(key=lambda s: abs(len(s) - len(draft.key)))
    tried: set[tuple[str, ...]] = set()
    for _ in range(DISTRACTOR_TRIES):
        head = window[: max(5, min(len(window), 6))]
        combo: tuple[str, ...] = tuple(sorted(rng.sample(head, 3)))
        if combo in tried:
            head = window
            combo = tuple(sorted(rng.sample(head, 3)))
        if combo in tried:
            continue
        tried.add(combo)
        yield list(combo)


def _rationale(draft: Draft, options: list[str], answer: str) -> str:
    """Why the key is right and each distractor wrong, in sentences built from the facts."""
    lines = [f"{answer} is correct. {draft.explain.get(draft.key, draft.fact.quote)}."]
    for letter, option in zip(LETTERS, options, strict=True):
        if letter == answer:
            continue
        why = draft.explain.get(option)
        if draft.numeric or why is None:
            why = f"{option} is not the figure the source gives"
        lines.append(f"{letter} is wrong. {why}.")
    return " ".join(lines)


def build_item(
    draft: Draft,
    position: int,
    rng: random.Random,
    run_id: str | None,
    screen: FlawScreen = no_screen,
) -> Item | None:
    """An item from a draft with its key at `position` (0-3), or None.

    Distractor sets are tried until `screen` finds no flaw in the item.
    """
    attempts: list[list[str]] = []
    if draft.numeric and len(draft.fact.alts) < 3:
        auto = _numeric_distractors(draft.key, position, rng)
        if auto:
            attempts.append(auto)
    attempts.extend(_distractor_sets(draft, rng))
    for distractors in attempts:
        if draft.numeric:
            values = [(_quantity_value(x), x) for x in [draft.key, *distractors]]
            if any(v is None for v, _ in values):
                continue
            options = [x for _, x in sorted(values, key=lambda p: p[0])]  # type: ignore[arg-type, return-value]
        else:
            options = list(distractors)
            options.insert(position, draft.key)
        answer = LETTERS[options.index(draft.key)]
        if len({normalize_text(o) for o in options}) < 4:
            continue
        if screen(draft.stem, options, answer):
            continue
        return Item(
            domain=draft.fact.domain,
            topic=draft.fact.topic,
            stem=draft.stem,
            options=options,
            answer=answer,
            rationale=_rationale(draft, options, answer),
            sources=[Source(note=draft.fact.note, quote=draft.fact.quote)],
            difficulty=draft.difficulty,  # type: ignore[arg-type]
            bloom=draft.bloom,  # type: ignore[arg-type]
            status="candidate",
            extra={"item_model": draft.model, "fact": draft.fact.id},
            provenance=Provenance(
                generator=NAME, generator_version=VERSION, run_id=run_id, notes=[draft.fact.note]
            ),
        )
    return None


class OfflineGenerator:
    """Items from the notes' fact blocks alone: the default when no LLM is configured."""

    name = NAME
    version = VERSION
    # CPU-bound pure Python: threads only contend for the GIL, so one domain at a time.
    concurrency = 1

    def __init__(self, screen: FlawScreen = no_screen) -> None:
        self.screen = screen

    def generate(
        self, request: GenerationRequest, notes: NoteSet, blueprint: Blueprint
    ) -> GenerationResult:
        """Up to `request.count` distinct items from the domain's facts."""
        rng = random.Random(f"{request.seed}:{request.domain}:{request.topic}")
        drafts = drafts_for(notes, request.domain, request.topic)
        if request.difficulty:
            drafts = [d for d in drafts if d.difficulty == request.difficulty]
        rng.shuffle(drafts)
        result = GenerationResult()
        seen: set[str] = set()
        used = dict.fromkeys(LETTERS, 0)  # the key goes where it has been least so far
        for draft in drafts:
            if len(result.items) >= request.count:
                break
            fewest = min(used.values())
            target = rng.choice([i for i, letter in enumerate(LETTERS) if used[letter] == fewest])
            item = build_item(draft, target, rng, request.run_id, self.screen)
            if item is None or item.content_hash in seen or item.content_hash in request.exclude:
                continue
            used[item.answer] += 1
            seen.add(item.content_hash)
            result.items.append(item)
        return result


def supported_items(
    notes: NoteSet,
    blueprint: Blueprint,
    domain: int,
    seed: int = 0,
    screen: FlawScreen = no_screen,
) -> list[Item]:
    """Every distinct item the notes of a domain support that `screen` passes (coverage)."""
    request = GenerationRequest(domain=domain, count=10**9, seed=seed)
    return OfflineGenerator(screen).generate(request, notes, blueprint).items
