"""Recall items from the notes' facts: pick distractors, order options, explain, cite.

`build_recall_item` turns a `Draft` (generators/recall_models.py) into an item the screen
finds no flaw in: hand-picked distractors first, then the fact's concept class, the
closest in length to the key (homogeneous options); figures and numbered options in
natural order; no stem word echoed by the key alone, judged on word stems ("lymph" in
the stem, "lymphatic" only in the key); a rationale of full sentences that says why the
key is right and what each distractor is instead, citing the note.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator

from bank.models import LETTERS, Difficulty, Item, Provenance, Source
from bank.notes import Note
from bank.quantities import parse_quantity
from bank.text import content_words, normalize_text
from generators.base import FlawScreen, no_screen
from generators.recall_explain import figure_source
from generators.recall_models import Draft
from generators.wording import capital, clause, sentence

TRIES = 12
SMALL_COUNT = 12  # a count up to this has its neighbours as distractors
# Spans of time keep scaled values: 12 months beside 13 or 14 months is no confusion.
_TIME = re.compile(r"\b(?:second|minute|hour|day|week|workweek|month|year)s?\b")
ECHO_PREFIX = 5  # letters two words must share at the start to echo each other
_QUANTITY = re.compile(r"^(?P<pre>\$?)(?P<num>\d[\d,]*(?:\.\d+)?)(?P<post>\s*%?)(?P<unit>.*)$")
_ORDINAL = re.compile(r"\b(\d+|[IVX]+)\b")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9}


def _format_number(value: float, like: str) -> str:
    decimals = len(like.split(".")[1]) if "." in like else 0
    return f"{value:,.{decimals}f}" if "," in like else f"{value:.{decimals}f}"


def numeric_distractors(
    value_text: str, position: int, stated: tuple[str, ...] = ()
) -> list[str] | None:
    """Three values near the key so that the key sits at `position` in ascending order.

    Figures of the key's unit that the domain's notes state (`stated`: an NPI's 10 digits
    beside an MBI's 11 characters... of the same unit only) come first on their side of the
    key; values scaled from the key fill the rest.
    """
    m = _QUANTITY.match(value_text.strip())
    if not m:
        return None
    number = float(m["num"].replace(",", ""))
    if number <= 0:
        return None
    integer = "." not in m["num"]

    def render(v: float) -> str:
        unit = m["unit"]
        if v == 1 and re.fullmatch(r"\s+[a-z]+s", unit):  # "1 year", not "1 years"
            unit = unit[:-1]
        return f"{m['pre']}{_format_number(v, m['num'])}{m['post']}{unit}"

    def candidates(factors: list[float]) -> list[float]:
        out: list[float] = []
        for f in factors:
            v = round(number * f) if integer else round(number * f, 2)
            if v > 0 and v != number and render(v) != render(number) and v not in out:
                out.append(v)
        return out

    lows, highs = candidates([0.5, 0.25, 0.75, 1 / 3]), candidates([2.0, 1.5, 3.0, 4.0])
    if (
        integer
        and number <= SMALL_COUNT
        and not m["pre"]
        and not m["post"].strip()
        and not _TIME.search(m["unit"])
    ):
        # a small count's neighbours are the confusions (10 or 12 characters beside 11),
        # not 3 or 22 characters
        lows = [number - d for d in (1, 2, 3, 4) if number - d > 0]
        highs = [number + d for d in (1, 2, 3, 4)]
    if m["post"].strip() == "%":
        highs = [v for v in highs if v <= 100]
    known = sorted(
        {
            v
            for v in (_same_unit(m, s) for s in stated)
            if v and v != number and number / 4 <= v <= 4 * number
        },
        key=lambda v: abs(v - number),
    )
    low_known = [v for v in known if v < number][:position]
    high_known = [v for v in known if v > number][: 3 - position]
    lows = low_known + [v for v in lows if v not in low_known]
    highs = high_known + [v for v in highs if v not in high_known]
    if len(lows) < position or len(highs) < 3 - position:
        return None
    return [render(v) for v in sorted(lows[:position]) + sorted(highs[: 3 - position])]


def _same_unit(key: re.Match[str], other: str) -> float | None:
    """The number of a figure written in the key's unit ("10 digits" beside "9 digits")."""
    m = _QUANTITY.match(other.strip())
    if not m or (m["pre"], m["post"].strip()) != (key["pre"], key["post"].strip()):
        return None
    if m["unit"].strip().rstrip("s") != key["unit"].strip().rstrip("s"):
        return None
    return float(m["num"].replace(",", ""))


def _rank(option: str) -> float | None:
    """The number an option is ordered by: its quantity, else the one numeral it holds."""
    found = parse_quantity(option)
    if found is not None:
        return found.value
    numerals = _ORDINAL.findall(option)
    if len(numerals) != 1:
        return None
    n = numerals[0]
    return float(n) if n.isdigit() else float(_ROMAN.get(n, 0)) or None


def natural_order(options: list[str]) -> list[str] | None:
    """The options in ascending order when every one carries a number, else None."""
    ranks = [_rank(o) for o in options]
    if any(r is None for r in ranks) or len(set(ranks)) < len(ranks):
        return None
    return [o for _, o in sorted(zip(ranks, options, strict=True), key=lambda p: p[0] or 0.0)]


def echo_cue(stem: str, options: list[str], key: int) -> str | None:
    """A stem word that only the key echoes: one word starts or ends the other.

    "lymph" in the stem and "lymphatic" in the key, or "defraud" and "fraud".
    """
    stem_words = content_words(stem)

    def echoes(option: str) -> set[str]:
        return {
            s
            for s in stem_words
            for w in content_words(option)
            if s == w
            or (
                min(len(s), len(w)) >= ECHO_PREFIX
                and (w.startswith(s) or s.startswith(w) or w.endswith(s) or s.endswith(w))
            )
        }

    in_key = echoes(options[key])
    others = set().union(*(echoes(o) for i, o in enumerate(options) if i != key))
    alone = sorted(in_key - others)
    return alone[0] if alone else None


def _distractor_sets(draft: Draft, rng: random.Random) -> Iterator[list[str]]:
    """Sets of three: hand-picked alts first, then the concept class nearest in length."""
    alts = [a for a in draft.fact.alts if normalize_text(a) != normalize_text(draft.key)]
    if len(alts) >= 3:
        yield from (list(c) for c in itertools.islice(itertools.combinations(alts, 3), TRIES))
    if draft.numeric:
        return
    pool = list(draft.pool)
    if len(pool) < 3:
        return
    close, rest = pool[: draft.close], pool[draft.close :]
    rest.sort(key=lambda s: abs(len(s) - len(draft.key)))
    ordered = close + rest
    window = ordered[: max(5, draft.close)]
    tried: set[tuple[str, ...]] = set()
    for _ in range(TRIES):
        combo: tuple[str, ...] = tuple(sorted(rng.sample(window, 3)))
        if combo in tried:
            window = ordered
            combo = tuple(sorted(rng.sample(window, 3)))
        if combo not in tried:
            tried.add(combo)
            yield list(combo)


def authority(draft: Draft, note: Note) -> str:
    """The public source the fact cites (its title in the note's front matter)."""
    found = next((s for s in note.sources if s.key == draft.fact.cite), None)
    return found.title if found else note.title


def _figure_reason(draft: Draft, option: str, note: Note) -> str | None:
    """What a wrong figure is: the note's own sentence that gives it, else None.

    A figure the notes do not state is not explained away ("less than the source sets"
    teaches nothing); the rationale names the key's rule instead.
    """
    return draft.explain.get(option) or figure_source(note.text, draft.key, option)


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def rationale(draft: Draft, options: list[str], answer: str, note: Note) -> str:
    """Why the key is right and what each distractor is instead, citing the public source."""
    cite = f"Source: {authority(draft, note)}."
    parts = [f"{answer} is correct. {sentence(draft.explain.get(draft.key, draft.fact.quote))}"]
    unexplained: list[str] = []
    for letter, option in zip(LETTERS, options, strict=True):
        if letter == answer:
            continue
        if draft.numeric:
            reason = _figure_reason(draft, option, note)
            if reason is None:
                unexplained.append(letter)
                continue
            why = reason
        else:
            why = draft.explain.get(option) or (
                f"{capital(option)} is not the answer the source gives here; it gives {draft.key}"
            )
        parts.append(f"{letter} is wrong. {sentence(why)}")
    if unexplained:
        verb = "is" if len(unexplained) == 1 else "are"
        parts.append(
            sentence(
                f"{_joined(unexplained)} {verb} wrong: the figure the source sets is {draft.key}"
            )
        )
    if draft.model.startswith("procedure_"):
        steps = [s.strip() for s in draft.fact.fields[1].split(">")]
        parts.append(f"The whole order is: {'; then '.join(clause(s) for s in steps)}.")
    parts.append(cite)
    return " ".join(parts)


def _difficulty(draft: Draft) -> Difficulty:
    """A level harder when the distractors come from a confusable set (close to the key)."""
    if draft.close < 1:
        return draft.difficulty
    return "medium" if draft.difficulty == "easy" else "hard"


def recall_key_ranks(draft: Draft) -> set[int] | None:
    """The positions (0-3) a numeric key can take, or None (any: the options have no order).

    With three or more hand-picked values, the ranks some three of them give the key; with
    fewer, the ranks near values generated around it can give.
    """
    if not draft.numeric:
        return None
    key = _rank(draft.key)
    alts = [r for r in map(_rank, draft.fact.alts) if r is not None and r != key]
    if key is None:
        return None
    if len(alts) >= 3:
        below = sum(1 for r in alts if r < key)
        ranks = {r for r in range(4) if r <= below and 3 - r <= len(alts) - below}
    else:
        ranks = {p for p in range(4) if numeric_distractors(draft.key, p)}
    return ranks or None


def build_recall_item(
    draft: Draft,
    note: Note,
    position: int,
    rng: random.Random,
    *,
    run_id: str | None = None,
    screen: FlawScreen = no_screen,
    generator: tuple[str, str] = ("offline", "2.0"),
) -> Item | None:
    """An item from a draft with its key at `position` (or in natural order), or None."""
    attempts: list[list[str]] = []
    if draft.numeric and len(draft.fact.alts) < 3:
        auto = numeric_distractors(draft.key, position, draft.pool)
        if auto:
            attempts.append(auto)
    attempts.extend(_distractor_sets(draft, rng))
    for distractors in attempts:
        options = list(distractors)
        options.insert(min(position, 3), draft.key)
        ordered = natural_order(options)
        if draft.numeric and ordered is None:
            continue
        options = ordered or options
        key = options.index(draft.key)
        if len({normalize_text(o) for o in options}) < 4:
            continue
        answer = LETTERS[key]
        shown = [capital(o) for o in options]
        if screen(draft.stem, shown, answer) or echo_cue(draft.stem, shown, key):
            continue
        return Item(
            domain=draft.fact.domain,
            topic=draft.fact.topic,
            stem=draft.stem,
            options=shown,
            answer=answer,
            rationale=rationale(draft, options, answer, note),
            sources=[Source(note=draft.fact.note, quote=draft.fact.quote)],
            difficulty=_difficulty(draft),
            bloom=draft.bloom,
            status="candidate",
            enemy_group=draft.enemy_group,
            extra={"item_model": draft.model, "fact": draft.fact.id},
            provenance=Provenance(
                generator=generator[0],
                generator_version=generator[1],
                run_id=run_id,
                notes=[draft.fact.note],
            ),
        )
    return None
