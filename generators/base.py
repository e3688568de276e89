"""The generator protocol: a request in, candidate items with provenance out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bank.models import Blueprint, Difficulty, Flaw, Item
from bank.notes import NoteSet


@dataclass(frozen=True)
class GenerationRequest:
    """What to generate: a blueprint domain (and optionally one sub-topic), how many, how hard.

    The seed makes a request reproducible: the same request over the same notes gives
    the same items.
    """

    domain: int
    count: int
    topic: str | None = None
    difficulty: Difficulty | None = None
    seed: int = 0
    run_id: str | None = None
    # Content hashes already in the bank: a generator that can avoid them should.
    exclude: frozenset[str] = frozenset()


@dataclass
class Usage:
    """Tokens and dollars a generator spent (zero for the offline generator)."""

    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    calls: int = 0

    def add(self, other: Usage) -> None:
        """Add another spend to this one."""
        self.tokens_in += other.tokens_in
        self.tokens_out += other.tokens_out
        self.cost_usd += other.cost_usd
        self.calls += other.calls


@dataclass
class GenerationResult:
    """Candidates, and what failed to become one (kept as rejected items with reasons)."""

    items: list[Item] = field(default_factory=list)
    failed: list[Item] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    stopped: str | None = None  # why a run stopped early (budget), if it did


class Generator(Protocol):
    """What every generator is: a name and version, and `generate`."""

    name: str
    version: str

    def generate(
        self, request: GenerationRequest, notes: NoteSet, blueprint: Blueprint
    ) -> GenerationResult:
        """Candidates for one request, from the notes (items, failures, spend)."""
        ...


FlawScreen = Callable[[str, list[str], str], Sequence[Flaw]]
"""What a generator checks its candidates with: (stem, options, key letter) -> flaws.

Generators import only `bank`; the pipelines pass `validators.flaws.check_flaws`."""


def no_screen(stem: str, options: list[str], answer: str) -> Sequence[Flaw]:
    """The screen that finds nothing (a generator used without the flaw rules)."""
    return ()
