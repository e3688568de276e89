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
from bank.notes import NoteSet
from generators.base import FlawScreen, GenerationRequest, GenerationResult, no_screen
from generators.recall import build_recall_item
from generators.recall_models import Draft, drafts_for
from generators.scenarios.base import Family
from generators.scenarios.build import build_scenario_item
from generators.wording import Lexicon

NAME = "offline"
VERSION = "2.0"
SCENARIO_SHARE = 0.5  # of each domain's items, when its families can supply them
DRAWS_PER_MODEL = 3  # draws tried for one item of an item model before moving on
SUPPLY_INSTANCES = 4  # scenario instances per item model counted as the domain's supply
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
        self.used = dict.fromkeys(LETTERS, 0)
        self.asked: dict[str, dict[str, int]] = {}

    def position(self, model: str = "") -> int:
        """Where the next key goes: the letter least asked of this item model, then of the batch.

        Balancing the batch alone would hand one item model the same letter every time it
        comes round (the models are taken in turn), and a learner would learn the letter.
        Counting what was asked (not what came out) moves on when ordered options cannot put
        the key at a letter.
        """
        asked = self.asked.setdefault(model, dict.fromkeys(LETTERS, 0))
        fewest = min(self.used.values())
        # The model's own balance first; a batch three keys off balance outweighs one ask.
        score = {x: asked[x] + (self.used[x] - fewest) / BATCH_WEIGHT for x in LETTERS}
        best = min(score.values())
        letter = self.rng.choice([x for x in LETTERS if score[x] == best])
        asked[letter] += 1
        return LETTERS.index(letter)

    def add(self, item: Item | None) -> bool:
        """Keep an item unless it is missing, a repeat, in the bank, or off the difficulty."""
        r = self.request
        if item is None or item.content_hash in self.seen or item.content_hash in r.exclude:
            return False
        if r.difficulty and item.difficulty != r.difficulty:
            return False
        self.seen.add(item.content_hash)
        self.used[item.answer] += 1
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
        rounds = instances or wanted
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
                        position=batch.position(f"{family.id}/{model}"),
                        screen=self.screen,
                        run_id=batch.request.run_id,
                        generator=(NAME, VERSION),
                    )
                    if batch.add(item):
                        added = True
                        break
            if not added:
                return

    def _recall(self, batch: _Batch, notes: NoteSet, drafts: list[Draft], wanted: int) -> None:
        """Add recall items, one per fact in turn (then their other item models)."""
        by_fact: dict[str, list[Draft]] = {}
        for d in drafts:
            by_fact.setdefault(d.fact.id, []).append(d)
        facts = list(by_fact.values())
        batch.rng.shuffle(facts)
        notes_by_id = notes.by_id()
        start = len(batch.items)
        for draft in _round_robin(facts):
            if len(batch.items) - start >= wanted:
                return
            batch.add(
                build_recall_item(
                    draft,
                    notes_by_id[draft.fact.note],
                    batch.position(draft.model),
                    batch.rng,
                    run_id=batch.request.run_id,
                    screen=self.screen,
                    generator=(NAME, VERSION),
                )
            )

    def generate(
        self, request: GenerationRequest, notes: NoteSet, blueprint: Blueprint
    ) -> GenerationResult:
        """Up to `request.count` distinct items: about half scenarios, half recall."""
        rng = random.Random(f"{request.seed}:{request.domain}:{request.topic}")
        batch = _Batch(request, rng)
        lexicon = Lexicon.of(n.text for n in notes.notes)
        drafts = drafts_for(notes, request.domain, request.topic, lexicon)
        scenario_share = round(request.count * SCENARIO_SHARE) if self._families(request) else 0
        self._scenarios(batch, notes, scenario_share)
        self._recall(batch, notes, drafts, request.count - len(batch.items))
        self._scenarios(batch, notes, request.count - len(batch.items))  # recall ran short
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
