"""The offline generator: scenario items and recall items from the source notes, no model.

A domain's request is filled half by scenario item families (generators/scenarios/:
front-office situations with keys computed by the notes' rules) and half by recall items
of the notes' facts (generators/recall*.py), taken round-robin so that no family, item
model or fact crowds the others out; when one kind runs short the other fills in. The key's
position is balanced over the batch (options with a natural order keep it). Every candidate
is checked by the `screen` it is given (the pipelines pass the rule-detectable flaws of
validators.flaws) and rebuilt or dropped until clean. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import TypeVar

from bank.models import LETTERS, Blueprint, Item
from bank.notes import Note, NoteSet
from generators.base import FlawScreen, GenerationRequest, GenerationResult, no_screen
from generators.recall import build_recall_item, recall_key_ranks
from generators.recall_models import Draft, drafts_for
from generators.scenarios.base import Family
from generators.scenarios.build import build_scenario_item, key_ranks
from generators.wording import Lexicon

NAME = "offline"
VERSION = "2.0"
SCENARIO_SHARE = 0.85  # of each domain's items, when its families can supply them
"""Scenario items were usable in 210 of 214 blind verdicts (rounds 2-5), recall items in
134 of 170 (20 of 30 in round 5): most of a batch comes from scenario families."""
DRAWS_PER_MODEL = 3  # draws tried for one item of an item model before moving on
SUPPLY_INSTANCES = 4  # scenario instances per item model counted as the domain's supply
LETTER_SLACK = 2  # keys a letter may run ahead before fixed-position recall items wait
BATCH_WEIGHT = 1.5  # keys a letter may run ahead in a batch before it outweighs one ask


T = TypeVar("T")


def _round_robin(groups: Sequence[Sequence[T]]) -> Iterator[T]:
    """The first of every group, then the second of every group, and so on."""
    depth = max((len(g) for g in groups), default=0)
    for i in range(depth):
        for group in groups:
            if i < len(group):
                yield group[i]


class _Batch:
    """The items of one request so far: distinct, keys spread over the four letters."""

    def __init__(self, request: GenerationRequest, rng: random.Random) -> None:
        self.request = request
        self.rng = rng
        self.items: list[Item] = []
        self.seen: set[str] = set()
        self.shapes: set[tuple[str | None, str, str]] = set()
        self.used = dict.fromkeys(LETTERS, 0)
        self.drafted: set[tuple[str, str]] = set()  # (fact, item model) of recall drafts tried
        self.asked: dict[str, dict[str, int]] = {}

    def position(self, model: str = "", allowed: set[int] | None = None) -> int:
        """Where the next key goes: balanced over the item model and over the batch.

        Balancing the batch alone would hand one item model the same letter every time it
        comes round (the models are taken in turn), and a learner would learn the letter.
        `allowed` are the positions the key can take (options in natural order put it where
        its value falls); among those, the letter this model's kept items had least, then the
        one the batch has least (a batch BATCH_WEIGHT keys off balance outweighs one item).
        Only kept items count (see `add`): a draw the screen or the repeat check throws away
        asked for a letter it never used.
        """
        given = self.asked.setdefault(model, dict.fromkeys(LETTERS, 0))
        fewest = min(self.used.values())
        letters = [LETTERS[i] for i in sorted(allowed)] if allowed else list(LETTERS)
        score = {x: given[x] + (self.used[x] - fewest) / BATCH_WEIGHT for x in letters}
        best = min(score.values())
        letter = self.rng.choice([x for x in letters if score[x] == best])
        return LETTERS.index(letter)

    def crowded(self, allowed: set[int]) -> bool:
        """Whether every letter in `allowed` is LETTER_SLACK keys ahead of the batch's rarest."""
        fewest = min(self.used.values())
        return all(self.used[LETTERS[i]] - fewest >= LETTER_SLACK for i in allowed)

    def add(self, item: Item | None, model: str = "") -> bool:
        """Keep an item unless it is missing, a repeat, in the bank, or off the difficulty."""
        r = self.request
        if item is None or item.content_hash in self.seen or item.content_hash in r.exclude:
            return False
        if r.difficulty and item.difficulty != r.difficulty:
            return False
        same = item.situation()  # the same key, options and figures: the same item
        if same in self.shapes:
            return False
        self.shapes.add(same)
        self.seen.add(item.content_hash)
        self.used[item.answer] += 1
        self.asked.setdefault(model, dict.fromkeys(LETTERS, 0))[item.answer] += 1
        self.items.append(item)
        return True


class OfflineGenerator:
    """Items from the notes alone: the default when no LLM is configured."""

    name = NAME
    version = VERSION
    # CPU-bound pure Python: threads only contend for the GIL, so one domain at a time.
    concurrency = 1

    def __init__(
        self, screen: FlawScreen = no_screen, families: Sequence[Family] | None = None
    ) -> None:
        self.screen = screen
        if families is None:
            from generators.scenarios.catalog import FAMILIES

            families = FAMILIES
        self.families = tuple(families)

    def _families(self, request: GenerationRequest) -> list[Family]:
        return [
            f
            for f in self.families
            if f.domain == request.domain and (request.topic is None or f.topic == request.topic)
        ]

    def _scenarios(
        self, batch: _Batch, notes: NoteSet, wanted: int, instances: int | None = None
    ) -> None:
        """Add scenario items, one per item model in turn, until `wanted` are in."""
        models = [[(f, m) for m in f.models] for f in self._families(batch.request)]
        order = list(_round_robin(models))
        start = len(batch.items)
        # Each item model at most its share of what is wanted (unless told how many): a
        # family with fixed options (the four blood-pressure categories) would otherwise fill
        # the batch with one question asked twenty times.
        rounds = instances or -(-wanted // max(len(order), 1))
        for _ in range(rounds):
            added = False
            for family, model in order:
                if len(batch.items) - start >= wanted:
                    return
                for _ in range(DRAWS_PER_MODEL):
                    scenario = family.draw(batch.rng, model)
                    item = build_scenario_item(
                        family,
                        scenario,
                        notes,
                        position=batch.position(f"{family.id}/{model}", key_ranks(scenario)),
                        screen=self.screen,
                        run_id=batch.request.run_id,
                        generator=(NAME, VERSION),
                    )
                    if batch.add(item, f"{family.id}/{model}"):
                        added = True
                        break
            if not added:
                return

    def _recall(self, batch: _Batch, notes: NoteSet, drafts: list[Draft], wanted: int) -> None:
        """Add recall items, one per fact in turn (then their other item models).

        A draft whose key can only fall on letters the batch already has LETTER_SLACK more of
        waits until the others are used: hand-picked values put most numeric keys in the
        middle, and a batch of them would teach "pick the middle value".
        """
        by_fact: dict[str, list[Draft]] = {}
        for d in drafts:
            by_fact.setdefault(d.fact.id, []).append(d)
        shuffled = list(by_fact.values())
        batch.rng.shuffle(shuffled)
        # Facts taken note by note in turn: a batch spreads over the notes of its domain
        # rather than asking three facts of one note (three X12 transactions in a row).
        by_note: dict[str, list[list[Draft]]] = {}
        for group in shuffled:
            by_note.setdefault(group[0].fact.note, []).append(group)
        facts = list(_round_robin(list(by_note.values())))
        notes_by_id = notes.by_id()
        start = len(batch.items)
        waiting: list[tuple[Draft, set[int] | None]] = []
        for draft in _round_robin(facts):
            if (draft.fact.id, draft.model) in batch.drafted:
                continue
            allowed = recall_key_ranks(draft)
            if allowed and batch.crowded(allowed):
                waiting.append((draft, allowed))
                continue
            if len(batch.items) - start >= wanted:
                return
            self._add_recall(batch, notes_by_id, draft, allowed)
        for draft, allowed in waiting:
            if len(batch.items) - start >= wanted:
                return
            self._add_recall(batch, notes_by_id, draft, allowed)

    def _add_recall(
        self, batch: _Batch, notes_by_id: dict[str, Note], draft: Draft, allowed: set[int] | None
    ) -> None:
        batch.drafted.add((draft.fact.id, draft.model))
        batch.add(
            build_recall_item(
                draft,
                notes_by_id[draft.fact.note],
                batch.position(draft.model, allowed),
                batch.rng,
                run_id=batch.request.run_id,
                screen=self.screen,
                generator=(NAME, VERSION),
            ),
            draft.model,
        )

    def generate(
        self, request: GenerationRequest, notes: NoteSet, blueprint: Blueprint
    ) -> GenerationResult:
        """Up to `request.count` distinct items: about half scenarios, half recall."""
        rng = random.Random(f"{request.seed}:{request.domain}:{request.topic}")
        batch = _Batch(request, rng)
        lexicon = Lexicon.of(n.text for n in notes.notes)
        drafts = drafts_for(notes, request.domain, request.topic, lexicon)
        families = self._families(request)
        scenario_share = round(request.count * SCENARIO_SHARE) if families else 0
        # Recall first: hand-picked numeric values fix where many of their keys fall, and the
        # scenario items after them (whose keys can go anywhere) even the letters out. The
        # first recall items come from notes no scenario family applies, so that a batch
        # does not ask a fact bare and again in a situation (a reviewer sees one twice).
        applied = {fact.note for f in families for name in f.rules if (fact := notes.rule(name))}
        apart = [d for d in drafts if d.fact.note not in applied]
        if apart:
            self._recall(batch, notes, apart, request.count - scenario_share)
        self._scenarios(batch, notes, request.count - len(batch.items))
        # Short of items: facts of notes the batch's scenarios do not cite, then any fact,
        # then more instances of the item models.
        cited = {s.note for item in batch.items for s in item.sources}
        rest = [d for d in drafts if d.fact.note not in cited]
        self._recall(batch, notes, rest, request.count - len(batch.items))
        self._recall(batch, notes, drafts, request.count - len(batch.items))
        self._scenarios(batch, notes, request.count - len(batch.items), instances=request.count)
        return GenerationResult(items=batch.items)


def supported_items(
    notes: NoteSet,
    blueprint: Blueprint,
    domain: int,
    seed: int = 0,
    screen: FlawScreen = no_screen,
) -> list[Item]:
    """The domain's supply of distinct items that the screen passes.

    Every recall item its facts support, and SUPPLY_INSTANCES instances of each scenario
    item model (a family draws as many as asked).
    """
    generator = OfflineGenerator(screen)
    request = GenerationRequest(domain=domain, count=10**9, seed=seed)
    batch = _Batch(request, random.Random(f"{seed}:{domain}:supply"))
    lexicon = Lexicon.of(n.text for n in notes.notes)
    generator._recall(batch, notes, drafts_for(notes, domain, None, lexicon), 10**9)
    generator._scenarios(batch, notes, 10**9, instances=SUPPLY_INSTANCES)
    return batch.items
