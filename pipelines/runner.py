"""What `cmasprep generate` runs: build the generator and detector, run, show progress.

Takes plain configuration (no settings object, no environment): app/ passes it down.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bank.errors import InputError, Problem
from bank.models import Blueprint, RunRecord
from bank.notes import NoteSet, load_notes
from bank.store import Store, open_store
from generators.base import Generator
from pipelines.generation import DomainOutcome, RunSpec, notes_digest, run_generation


@dataclass
class GenerateOptions:
    counts: dict[int, int]
    generator: str = "auto"
    seed: int | None = None
    topic: str | None = None
    difficulty: str | None = None
    max_cost: float | None = None
    max_tokens: int | None = None
    judge: bool = False
    use_flow: bool = True


def load_checked_notes(notes_dir: Path, blueprint: Blueprint) -> NoteSet:
    notes = load_notes(notes_dir, blueprint)
    if notes.problems:
        raise InputError(
            notes.problems,
            f"{notes_dir}: the source notes have problems (run `cmasprep notes check`)",
        )
    return notes


def build_generator(options: GenerateOptions, settings: Any) -> Generator:
    """The offline generator, or the LLM generator when asked for or configured (auto)."""
    use_llm = options.generator == "llm" or (
        options.generator == "auto" and settings.llm_configured
    )
    if not use_llm:
        from generators.offline import OfflineGenerator
        from validators.flaws import check_flaws

        return OfflineGenerator(check_flaws)
    if not settings.llm_configured:
        raise InputError([Problem("--generator llm needs OPENAI_API_KEY or OPENAI_BASE_URL")])
    try:
        from generators.llm import LLMConfig, LLMGenerator
    except ImportError as exc:
        raise InputError(
            [Problem("the LLM generator is not available in this version; use --generator offline")]
        ) from exc
    return LLMGenerator(
        LLMConfig.from_settings(
            settings, max_cost=options.max_cost, max_tokens=options.max_tokens, judge=options.judge
        )
    )


def build_detector(db: Path | None = None, lock_wait: float = 30.0) -> Any:
    """The default detector, reading and storing the bank's vectors when there is a bank."""
    from bank.store import StoreEmbeddingCache
    from validators.duplicates import default_detector

    return default_detector(cache=StoreEmbeddingCache(db, lock_wait) if db else None)


def _opener(db: Path, lock_wait: float):
    @contextmanager
    def opener() -> Iterator[Store]:
        with open_store(db, wait_s=lock_wait) as store:
            yield store

    return opener


def run_generate_command(
    options: GenerateOptions,
    settings: Any,
    db: Path | None,
    blueprint: Blueprint,
    console: Any = None,
) -> RunRecord:
    db_path = Path(db) if db is not None else settings.db
    notes = load_checked_notes(settings.notes_dir, blueprint)
    generator = build_generator(options, settings)
    spec = RunSpec(
        counts=options.counts,
        generator=generator.name,
        seed=options.seed,
        topic=options.topic,
        difficulty=options.difficulty,
        model=getattr(generator, "model_name", None),
        prompt_version=getattr(generator, "prompt_version", None),
        notes=notes_digest(notes),
    )
    detector = build_detector(db_path, settings.lock_wait)
    display = ProgressDisplay(console, blueprint, options.counts) if console else None
    opener = _opener(db_path, settings.lock_wait)
    if options.use_flow:
        from pipelines.flows import run_flow

        concurrency = getattr(generator, "concurrency", 4)
        run = run_flow(
            concurrency,
            spec=spec,
            db=str(db_path),
            notes_dir=str(settings.notes_dir),
            blueprint=blueprint,
            generator=generator,
            detector=None,  # built inside the flow: a parameter is sent to Prefect's API
            lock_wait=settings.lock_wait,
            on_domain=display.update if display else None,
        )
    else:
        run = run_generation(
            opener,
            spec,
            generator,
            notes,
            blueprint,
            detector=detector,
            on_domain=display.update if display else None,
        )
    if display:
        display.summary(run)
    return run


class ProgressDisplay:
    """A Rich table per domain: generated, clean, flagged, duplicates, rejected."""

    COLUMNS = ("generated", "clean", "flagged", "duplicate", "rejected")

    def __init__(self, console: Any, blueprint: Blueprint, counts: dict[int, int]) -> None:
        self.console = console
        self.blueprint = blueprint
        self.counts = counts
        self.rows: dict[int, dict[str, int]] = {}

    def update(self, outcome: DomainOutcome) -> None:
        self.rows[outcome.domain] = outcome.counts
        c = outcome.counts
        name = self.blueprint.domain(outcome.domain).name  # type: ignore[union-attr]
        self.console.print(
            f"domain {outcome.domain} {name}: generated {c['generated']}, clean {c['clean']}, "
            f"flagged {c['flagged']}, duplicate {c['duplicate']}, rejected {c['rejected']}"
            + (f"  (stopped: {outcome.stopped})" if outcome.stopped else ""),
            highlight=False,
            markup=False,
        )

    def summary(self, run: RunRecord) -> None:
        from rich.table import Table

        table = Table(title=f"Run {run.id}: {run.status}")
        table.add_column("domain")
        for column in ("asked", *self.COLUMNS):
            table.add_column(column, justify="right")
        domains = run.counts.get("domains", {})
        for number in sorted(self.counts):
            c = domains.get(str(number), {})
            table.add_row(
                str(number), str(self.counts[number]), *(str(c.get(k, "-")) for k in self.COLUMNS)
            )
        table.add_row(
            "total",
            str(sum(self.counts.values())),
            *(str(run.counts.get(k, 0)) for k in self.COLUMNS),
            style="bold",
        )
        self.console.print(table)
        duration = run.duration_s or 0.0
        self.console.print(
            f"{run.tokens_in + run.tokens_out} tokens, ${run.cost_usd:.4f}, "
            f"{duration:.1f} s. Review: cmasprep review next",
            highlight=False,
        )
