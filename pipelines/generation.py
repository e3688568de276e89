"""Generation runs as plain functions: generate per domain, validate, store, record the run.

The Prefect flow in pipelines/flows.py sequences these same functions; tests and the
benchmark call them directly. A run is resumable: each domain's items and the run's
progress are written in one transaction, and re-running the same command finds the
unfinished run (same parameters) and completes only the domains it had not finished.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bank.models import Blueprint, Item, RunRecord
from bank.notes import NoteSet
from bank.store import Store
from generators.base import GenerationRequest, GenerationResult, Generator, Usage
from validators.report import BatchReport, validate_batch

FLOW_NAME = "generate_items"


def split_by_weight(total: int, blueprint: Blueprint) -> dict[int, int]:
    """Split a total over domains in proportion to blueprint weight (largest remainder)."""
    weights = {d.number: d.weight for d in blueprint.domains}
    whole = sum(weights.values())
    exact = {n: total * w / whole for n, w in weights.items()}
    counts = {n: int(v) for n, v in exact.items()}
    for n in sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)[
        : total - sum(counts.values())
    ]:
        counts[n] += 1
    return counts


def notes_digest(notes: NoteSet) -> str:
    """A hash of the notes' content: part of what determines a generator's output."""
    h = hashlib.sha256()
    for note in sorted(notes.notes, key=lambda n: n.id):
        h.update(note.id.encode())
        h.update(note.text.encode())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class RunSpec:
    """The parameters of a generation run; equal specs mean "the same command"."""

    counts: dict[int, int]
    generator: str
    seed: int | None = None
    topic: str | None = None
    difficulty: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    notes: str = ""
    purpose: str = "generate"  # or "nightly": the same counts asked for another reason

    def params(self) -> dict[str, Any]:
        return {
            "counts": {str(k): v for k, v in sorted(self.counts.items())},
            "generator": self.generator,
            "seed": self.seed,
            "topic": self.topic,
            "difficulty": self.difficulty,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "notes": self.notes,
            "purpose": self.purpose,
        }

    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.params(), sort_keys=True).encode()).hexdigest()[:12]


def start_or_resume_run(store: Store, spec: RunSpec, now: datetime) -> RunRecord:
    """The unfinished run of the same command if there is one, else a new run.

    A new run without an explicit seed takes the number of earlier runs of the same
    spec as its seed, so the next run of a command writes new items.
    """
    params = spec.params()
    same = [r for r in store.runs(FLOW_NAME) if r.params.get("spec") == spec.key()]
    unfinished = [r for r in same if r.status in ("running", "failed")]
    if unfinished:
        run = unfinished[-1]
        return run.model_copy(update={"status": "running", "error": None})
    seed = spec.seed if spec.seed is not None else len(same)
    done = next((r for r in same if r.params.get("seed") == seed), None)
    if done is not None:  # the same command with the same seed has run to the end already
        return done
    run = RunRecord(
        id=f"gen-{spec.key()}-{seed}",
        flow=FLOW_NAME,
        started_at=now,
        params={**params, "spec": spec.key(), "seed": seed},
        counts={},
    )
    store.save_run(run)
    return run


def pending_domains(run: RunRecord) -> list[int]:
    done = set(run.counts.get("domains", {}))
    return [int(d) for d in run.params["counts"] if d not in done]


def request_for(run: RunRecord, domain: int, exclude: frozenset[str]) -> GenerationRequest:
    params = run.params
    return GenerationRequest(
        domain=domain,
        count=int(params["counts"][str(domain)]),
        topic=params.get("topic"),
        difficulty=params.get("difficulty"),
        seed=int(params["seed"]),
        run_id=run.id,
        exclude=exclude,
    )


def domain_pool(store: Store, run: RunRecord, domain: int) -> tuple[frozenset[str], list[Item]]:
    """What a domain's generation must avoid and be compared with.

    The exclude set leaves out this run's own items, so a resumed run asks the generator
    the same question it asked before the interruption.
    """
    exclude = frozenset(store.content_hashes(exclude_run=run.id))
    return exclude, store.find_items(domain=domain, statuses=["approved", "pending_review"])


def cache_key(spec_key: str, request: GenerationRequest, generator: Generator) -> str:
    """What determines a domain's generated items: notes, generator, model, prompts, seed, count."""
    parts = [
        spec_key,
        generator.name,
        generator.version,
        str(getattr(generator, "model_name", "")),
        str(getattr(generator, "prompt_version", "")),
        str(request.domain),
        str(request.count),
        str(request.seed),
        str(request.topic),
        str(request.difficulty),
        hashlib.sha256("\n".join(sorted(request.exclude)).encode()).hexdigest(),
    ]
    return "generate-" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def generate_domain(
    generator: Generator, request: GenerationRequest, notes: NoteSet, blueprint: Blueprint
) -> GenerationResult:
    return generator.generate(request, notes, blueprint)


@dataclass
class DomainOutcome:
    """What one domain of a run produced, ready to store."""

    domain: int
    items: list[Item]
    counts: dict[str, int]
    usage: Usage = field(default_factory=Usage)
    stopped: str | None = None


def screen_domain(
    domain: int,
    result: GenerationResult,
    bank_items: list[Item],
    blueprint: Blueprint,
    notes: NoteSet,
    detector: Any = None,
) -> DomainOutcome:
    """Validate a domain's candidates: survivors go to review, the rest rejected with reasons."""
    report: BatchReport = validate_batch(
        result.items, blueprint, bank=bank_items, notes=notes, detector=detector
    )
    items = report.routed() + [it.model_copy(update={"status": "rejected"}) for it in result.failed]
    counts = {
        "generated": len(result.items) + len(result.failed),
        "clean": report.count("clean"),
        "flagged": report.count("flagged") + report.possible_duplicates(),
        "duplicate": report.count("duplicate") - report.possible_duplicates(),
        "rejected": report.count("rejected") + len(result.failed),
    }
    return DomainOutcome(domain, items, counts, result.usage, result.stopped)


def record_domain(store: Store, run: RunRecord, outcome: DomainOutcome) -> RunRecord:
    """Store a domain's items and mark it done in the run, atomically."""
    domains = dict(run.counts.get("domains", {}))
    domains[str(outcome.domain)] = outcome.counts
    totals: dict[str, int] = {}
    for counts in domains.values():
        for k, v in counts.items():
            totals[k] = totals.get(k, 0) + v
    updated = run.model_copy(
        update={
            "counts": {"domains": domains, **totals},
            "tokens_in": run.tokens_in + outcome.usage.tokens_in,
            "tokens_out": run.tokens_out + outcome.usage.tokens_out,
            "cost_usd": run.cost_usd + outcome.usage.cost_usd,
        }
    )
    store.save_domain_batch(outcome.items, updated)
    return updated


def finish_run(
    store: Store, run: RunRecord, now: datetime, stopped: str | None = None
) -> RunRecord:
    if run.status == "completed":  # a finished run met again: nothing to record
        return run
    done = run.model_copy(
        update={
            "status": "stopped" if stopped else "completed",
            "finished_at": now,
            "error": stopped,
        }
    )
    store.save_run(done)
    return done


def run_generation(
    open_store: Callable[[], Any],
    spec: RunSpec,
    generator: Generator,
    notes: NoteSet,
    blueprint: Blueprint,
    *,
    detector: Any = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    on_domain: Callable[[DomainOutcome], None] | None = None,
) -> RunRecord:
    """The whole run without Prefect: domain by domain, each stored as soon as it is done.

    `open_store` opens the bank for a short while (DuckDB locks the file): the bank is
    held only while reading the pool and while writing a domain, not while generating.
    """
    with open_store() as store:
        run = start_or_resume_run(store, spec, now())
    stopped = None
    for domain in pending_domains(run):
        with open_store() as store:
            exclude, bank_items = domain_pool(store, run, domain)
        result = generate_domain(generator, request_for(run, domain, exclude), notes, blueprint)
        outcome = screen_domain(domain, result, bank_items, blueprint, notes, detector)
        with open_store() as store:
            run = record_domain(store, run, outcome)
        if on_domain:
            on_domain(outcome)
        if outcome.stopped:
            stopped = outcome.stopped
            break
    with open_store() as store:
        return finish_run(store, run, now(), stopped)
