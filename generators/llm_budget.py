"""The budget of an LLM generation run: what it may spend in dollars and tokens, and has spent."""

from __future__ import annotations

from dataclasses import dataclass, field

from generators.base import Usage


@dataclass
class Budget:
    """What a run may spend and has spent; decides whether another batch may start.

    Without an estimate of a batch's cost (nothing finished yet) one batch goes out
    alone; after that a batch starts only if the spend so far plus the estimated
    cost of every batch in flight and this one stays within the limits.
    """

    max_cost: float | None = None
    max_tokens: int | None = None
    spent: Usage = field(default_factory=Usage)
    batches: int = 0

    @property
    def limited(self) -> bool:
        """Whether the run has a limit at all."""
        return self.max_cost is not None or self.max_tokens is not None

    def record(self, usage: Usage) -> None:
        """Count one finished batch's spend."""
        self.spent.add(usage)
        self.batches += 1

    def exhausted(self) -> bool:
        """Whether the spend has reached a limit."""
        tokens = self.spent.tokens_in + self.spent.tokens_out
        return (self.max_cost is not None and self.spent.cost_usd >= self.max_cost) or (
            self.max_tokens is not None and tokens >= self.max_tokens
        )

    def allows(self, in_flight: int) -> bool:
        """Whether another batch may start with `in_flight` batches running."""
        if not self.limited:
            return True
        if self.exhausted():
            return False
        if self.batches == 0:
            return in_flight == 0
        n = in_flight + 1
        tokens = self.spent.tokens_in + self.spent.tokens_out
        per_tokens = tokens / self.batches
        per_cost = self.spent.cost_usd / self.batches
        if self.max_cost is not None and self.spent.cost_usd + n * per_cost > self.max_cost:
            return False
        return not (self.max_tokens is not None and tokens + n * per_tokens > self.max_tokens)

    def describe(self) -> str:
        """The limits and the spend, for a stop message."""
        parts = []
        if self.max_cost is not None:
            parts.append(f"${self.spent.cost_usd:.4f} of ${self.max_cost:.4f}")
        if self.max_tokens is not None:
            tokens = self.spent.tokens_in + self.spent.tokens_out
            parts.append(f"{tokens} of {self.max_tokens} tokens")
        return ", ".join(parts) + " spent"
