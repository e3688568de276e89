"""Jobs from the settings: which generator, which bank, and running a generation job.

`generate`, `demo`, `nightly` and `flows serve` build their jobs here, so a setting means
the same to all of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.common import EXIT_DATA, EXIT_USAGE, db_path, fail, settings


def generator_choice(
    kind: str,
    *,
    max_cost: float | None = None,
    max_tokens: int | None = None,
    judge: bool = False,
) -> Any:
    """The generator a command asked for, as a GeneratorChoice.

    "auto" means the LLM generator when an API key or a base URL is set, else the
    offline one.
    """
    from pipelines.components import GeneratorChoice

    config = settings()
    use_llm = kind == "llm" or (kind == "auto" and config.llm_configured)
    if not use_llm:
        return GeneratorChoice(kind="offline")
    if not config.llm_configured:
        raise fail("--generator llm needs OPENAI_API_KEY or OPENAI_BASE_URL", EXIT_DATA)
    from pydantic import ValidationError

    from generators.llm import LLMConfig

    try:
        llm = LLMConfig.from_settings(config, max_cost=max_cost, max_tokens=max_tokens, judge=judge)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise fail(f"LLM settings (CMASPREP_LLM_*): {problems}", EXIT_USAGE) from exc
    return GeneratorChoice(kind="llm", llm=llm.model_dump(mode="json", exclude={"api_key"}))


def generation_job(db: Path | None, counts: dict[int, int], generator: str, **options: Any) -> Any:
    """A GenerationJob from a command's options and the settings."""
    from pipelines.jobs import GenerationJob

    config = settings()
    choice = generator_choice(
        generator,
        max_cost=options.pop("max_cost", None),
        max_tokens=options.pop("max_tokens", None),
        judge=options.pop("judge", False),
    )
    return GenerationJob(
        db=str(db_path(db)),
        counts=counts,
        generator=choice,
        notes_dir=str(config.notes_dir),
        blueprint=str(config.blueprint) if config.blueprint else None,
        lock_wait=config.lock_wait,
        **options,
    )


def run_job(job: Any, *, flow: bool, blueprint: Any, out: Any = None) -> Any:
    """Run a generation job as the Prefect flow (default) or inline, showing progress."""
    from app.common import prefect_offline_defaults
    from app.progress import ProgressDisplay
    from pipelines.components import build_generator

    generator = build_generator(job.generator, settings().openai_api_key)
    display = ProgressDisplay(out, blueprint, job.counts) if out is not None else None
    on_domain = display.update if display else None
    if flow:
        prefect_offline_defaults()
        from pipelines.flows import run_generation_flow

        run = run_generation_flow(
            job,
            concurrency=getattr(generator, "concurrency", 4),
            generator=generator,
            on_domain=on_domain,
        )
    else:
        from pipelines.jobs import generate as generate_inline

        run = generate_inline(job, generator=generator, on_domain=on_domain)
    if display:
        display.summary(run)
    return run
