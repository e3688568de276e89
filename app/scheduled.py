"""The jobs the scheduled side runs, built from the settings: nightly and on-demand generation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.common import bank_blueprint, db_path, settings
from app.jobs import generator_choice


def nightly_job(db: Path | None, generator: str = "auto") -> Any:
    """The nightly refresh of a bank, with the generator the settings configure."""
    from pipelines.jobs import NightlyJob

    config = settings()
    return NightlyJob(
        db=str(Path(db_path(db)).resolve()),
        generator=generator_choice(generator),
        notes_dir=str(config.notes_dir),
        blueprint=str(config.blueprint) if config.blueprint else None,
        lock_wait=config.lock_wait,
    )


def on_demand_job(db: Path | None, generator: str = "auto", count: int = 10) -> Any:
    """The default parameters of generation on demand: `count` items in every domain."""
    from pipelines.jobs import GenerationJob

    nightly = nightly_job(db, generator)
    numbers = bank_blueprint(db, None).numbers
    return GenerationJob(**nightly.model_dump(), counts=dict.fromkeys(numbers, count))
