"""Jobs: what a generation run or a nightly refresh is asked to do, as plain JSON-able data.

The CLI builds a job from its options and the settings; a Prefect deployment stores one
as its parameters and a worker on another machine runs it. `prepare_generation` turns a
job into what the use case needs: the bank, its blueprint, the checked notes, the
generator, the detector and the run spec.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bank.blueprint import DATA_DIR, load_blueprint
from bank.models import Blueprint, RunRecord
from bank.notes import NoteSet
from bank.store.access import BankFile
from generators.base import Generator
from pipelines.components import (
    GeneratorChoice,
    build_detector,
    build_generator,
    load_checked_notes,
)
from pipelines.generation import DomainOutcome, RunSpec, notes_digest, run_generation
from pipelines.refresh import NightlyReport, refresh
from pipelines.steps import InlineSteps, Steps

DEFAULT_NOTES = DATA_DIR / "notes"


class BankJob(BaseModel):
    """Where a job reads and writes: the bank file, its notes and blueprint, the lock wait."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    db: str
    notes_dir: str = str(DEFAULT_NOTES)
    blueprint: str | None = None
    """A blueprint YAML file for a bank that has none yet (default: CMAS)."""
    lock_wait: float = Field(default=30.0, ge=0)
    generator: GeneratorChoice = GeneratorChoice()

    def bank(self) -> BankFile:
        """The bank file, opened for short transactions."""
        return BankFile(Path(self.db), self.lock_wait)


class GenerationJob(BankJob):
    """A generation run: items per domain, and how to make them."""

    counts: dict[int, int]
    seed: int | None = None
    topic: str | None = None
    difficulty: Literal["easy", "medium", "hard"] | None = None
    purpose: Literal["generate", "nightly"] = "generate"


class NightlyJob(BankJob):
    """The nightly refresh of one bank."""


def bank_blueprint(bank: BankFile, path: str | None) -> Blueprint:
    """The bank's blueprint; a bank without one gets `path`'s (default CMAS) stored in it."""
    with bank.write() as store:
        active = store.active_blueprint()
        if active is not None:
            return active
        blueprint = load_blueprint(path)
        store.save_blueprint(blueprint)
        return blueprint


@dataclass(frozen=True)
class Prepared:
    """A job made ready to run: everything the use case takes as arguments."""

    bank: BankFile
    blueprint: Blueprint
    notes: NoteSet
    generator: Generator
    detector: Any


def prepare(
    job: BankJob,
    *,
    generator: Generator | None = None,
    detector: Any = None,
    api_key: str | None = None,
) -> Prepared:
    """Open the job's bank (creating it), load its blueprint and notes, build its parts.

    `generator` and `detector` override what the job names (tests, library callers).
    """
    bank = job.bank()
    blueprint = bank_blueprint(bank, job.blueprint)
    notes = load_checked_notes(Path(job.notes_dir), blueprint)
    return Prepared(
        bank,
        blueprint,
        notes,
        generator or build_generator(job.generator, api_key),
        detector or build_detector(bank.path, job.lock_wait),
    )


def run_spec(job: GenerationJob, ready: Prepared) -> RunSpec:
    """The run spec of a generation job: what makes two runs "the same command"."""
    gen = ready.generator
    return RunSpec(
        counts=dict(job.counts),
        generator=gen.name,
        seed=job.seed,
        topic=job.topic,
        difficulty=job.difficulty,
        model=getattr(gen, "model_name", None),
        prompt_version=getattr(gen, "prompt_version", None),
        notes=notes_digest(ready.notes),
        purpose=job.purpose,
    )


def generate(
    job: GenerationJob,
    *,
    steps: Steps | None = None,
    generator: Generator | None = None,
    detector: Any = None,
    on_domain: Callable[[DomainOutcome], None] | None = None,
) -> RunRecord:
    """Run a generation job (inline by default; the flow passes Prefect steps)."""
    ready = prepare(job, generator=generator, detector=detector)
    return run_generation(
        ready.bank,
        run_spec(job, ready),
        ready.generator,
        ready.notes,
        ready.blueprint,
        detector=ready.detector,
        steps=steps or InlineSteps(getattr(ready.generator, "concurrency", 1)),
        on_domain=on_domain,
    )


def nightly(
    job: NightlyJob,
    *,
    steps: Steps | None = None,
    generator: Generator | None = None,
    detector: Any = None,
    now: datetime | None = None,
) -> NightlyReport:
    """Run the nightly refresh of a job's bank (inline by default)."""
    ready = prepare(job, generator=generator, detector=detector)
    return refresh(
        ready.bank,
        ready.blueprint,
        ready.notes,
        ready.generator,
        now or datetime.now(UTC),
        detector=ready.detector,
        steps=steps,
    )
