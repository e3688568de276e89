"""Errors of the item bank: one base class, each naming what went wrong and where."""

from __future__ import annotations

from dataclasses import dataclass


class BankError(Exception):
    """Base of every error the bank package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem in an input: where it is (file, line, field) and what is wrong."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        place = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        field = f" [{self.field}]" if self.field else ""
        return (
            f"{place}{field}: {self.message}"
            if place
            else f"{field.strip()} {self.message}".strip()
        )


class InputError(BankError):
    """Bad input: carries every problem found, so a user can fix them all at once."""

    def __init__(self, problems: list[Problem], summary: str | None = None) -> None:
        self.problems = problems
        head = summary or f"{len(problems)} problem(s) found"
        super().__init__(head + "".join(f"\n  {p}" for p in problems))


class BlueprintError(InputError):
    """A blueprint file that cannot be used."""


class BankBusyError(BankError):
    """Another process holds the DuckDB file's lock for longer than we wait."""


class NotFoundError(BankError):
    """An id (item, learner, reviewer) the bank does not hold."""


class StateError(BankError):
    """An action that the current state forbids (e.g. approving a rejected item)."""
