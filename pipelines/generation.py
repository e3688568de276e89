"""The generation use case: generate per domain, validate, store, record the run.

`run_generation` is the one orchestration of a run, whoever starts it: the CLI (through
the Prefect flow by default, or inline with `--no-flow`), the nightly refresh, a
deployment, a test or a benchmark. Its steps are plain functions: the pure ones
(`generate_domain`, `screen_domain`) take notes and give items; the I/O ones
(`start_run`, `read_pool`, `record_domain`, `finish_run`) open the bank for one short
transaction each, in the process running the use case.

A run is resumable: each domain's items and the run's progress are written in one
transaction, and re-running the same command finds the unfinished run (same
parameters) and completes only the domains it had not finished.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from bank.models import Blueprint, Item, RunRecord
from bank.notes import NoteSet
from bank.store import Store
from bank.store.access import BankAccess
from generators.base import GenerationRequest, GenerationResult, Generator, Usage
from pipelines.run_health import domain_failed, failure_labels, verdict
from pipelines.steps import InlineSteps, Steps
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
        """The spec as the run record stores it."""
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
        """A short hash of the parameters: the same command gives the same key."""
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
    """The domains of a run not stored yet, or stored with nothing but failed generations.

    A domain whose every generation failed (a server that rejected the request, say) is
    generated again when the run is resumed after the fix.
    """
    stored = run.counts.get("domains", {})
    done = {d for d, counts in stored.items() if not domain_failed(counts)}
    return [int(d) for d in run.params["counts"] if d not in done]


def request_for(run: RunRecord, domain: int, exclude: frozenset[str]) -> GenerationRequest:
    """What the generator is asked for one domain of a run."""
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


@dataclass(frozen=True)
class DomainPool:
    """What a domain's generation must avoid and be compared with."""

    exclude: frozenset[str]
    items: list[Item]


def domain_pool(store: Store, run: RunRecord) -> DomainPool:
    """The content hashes to avoid and the bank items to compare a domain's candidates with.

    Candidates are compared with the live items of every domain (approved and pending):
    the same fact can be asked from two work areas. The exclude set leaves out this run's
    own items, so a resumed run asks the generator the same question it asked before the
    interruption.
    """
    exclude = frozenset(store.content_hashes(exclude_run=run.id))
    return DomainPool(exclude, store.find_items(statuses=["approved", "pending_review"]))


def generation_cache_key(
    bank_id: str,
    run_id: str,
    generator: Generator,
    request: GenerationRequest,
    notes: NoteSet,
    blueprint: Blueprint,
) -> str:
    """The cache key of a domain's generation: what determines its items.

    The bank and run, the generator with its settings, the notes, and the request
    (domain, count, seed, topic, exclusions). `run_id` should name the run's start too
    (`run_cache_id`): a new bank at the path of an old one starts runs with the same ids.
    """
    parts = [
        bank_id,
        run_id,
        generator.name,
        generator.version,
        str(getattr(generator, "fingerprint", "")),
        str(getattr(generator, "model_name", "")),
        str(getattr(generator, "prompt_version", "")),
        notes_digest(notes),
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
    """The pure step: one domain's candidates from the notes (runs on any worker)."""
    return generator.generate(request, notes, blueprint)


@dataclass
class DomainOutcome:
    """What one domain of a run produced, ready to store."""

    domain: int
    items: list[Item]
    counts: dict[str, int]
    usage: Usage = field(default_factory=Usage)
    stopped: str | None = None
    failures: dict[str, int] = field(default_factory=dict)


def screen_domain(
    domain: int,
    result: GenerationResult,
    bank_items: list[Item],
    blueprint: Blueprint,
    notes: NoteSet,
    detector: Any = None,
    recent: list[Item] | None = None,
    label: Callable[[str], str] | None = None,
    now: datetime | None = None,
) -> DomainOutcome:
    """Validate a domain's candidates: survivors go to review, the rest rejected with reasons.

    They are compared with the bank's live items of every domain and with `recent`, the
    items this run stored for its earlier domains. Failed generations are counted by
    `label` of their reason (the generator's `failure_label`, else the reason's code).
    """
    report: BatchReport = validate_batch(
        result.items, blueprint, bank=bank_items, notes=notes, detector=detector, recent=recent
    )
    items = report.routed(now) + [
        it.model_copy(update={"status": "rejected"}) for it in result.failed
    ]
    counts = {
        "generated": len(result.items) + len(result.failed),
        "clean": report.count("clean"),
        "flagged": report.count("flagged") + report.possible_duplicates(),
        "duplicate": report.count("duplicate") - report.possible_duplicates(),
        "rejected": report.count("rejected") + len(result.failed),
        "candidates": len(result.items),
        "failed": len(result.failed),
        # Replayed from the flow's cache (a resumed run): generated, and paid, before.
        "replayed": int(bool(getattr(result, "replayed", False))),
    }
    failures = failure_labels(result.failed, label)
    return DomainOutcome(domain, items, counts, result.usage, result.stopped, failures)


def with_domain(run: RunRecord, outcome: DomainOutcome) -> RunRecord:
    """The run with one more domain done: its counts, the totals and the spend.

    A domain generated again (its first try failed whole) replaces its counts; the
    spend of both tries is the run's.
    """
    domains = dict(run.counts.get("domains", {}))
    domains[str(outcome.domain)] = outcome.counts
    failures = dict(run.counts.get("failures") or {})
    failures.pop(str(outcome.domain), None)
    if outcome.failures:
        failures[str(outcome.domain)] = outcome.failures
    totals: dict[str, int] = {}
    for counts in domains.values():
        for k, v in counts.items():
            totals[k] = totals.get(k, 0) + v
    extra: dict[str, Any] = {"failures": failures} if failures else {}
    return run.model_copy(
        update={
            "counts": {"domains": domains, **totals, **extra},
            "tokens_in": run.tokens_in + outcome.usage.tokens_in,
            "tokens_out": run.tokens_out + outcome.usage.tokens_out,
            "cost_usd": run.cost_usd + outcome.usage.cost_usd,
        }
    )


def finished(
    run: RunRecord, now: datetime, stopped: str | None = None, fix: str | None = None
) -> RunRecord:
    """The run as it ends: completed, stopped early (a budget), or failed (no candidate).

    A run whose every generation failed is "failed"; one with some failures says so in
    its error, counted by reason, with `fix` (the generator's guess) when there is one.
    """
    if run.status == "completed":  # a finished run met again: nothing to record
        return run
    status, error = verdict(run, stopped, fix)
    return run.model_copy(update={"status": status, "finished_at": now, "error": error})


# ---- the I/O steps: one short transaction each ------------------------------------------
def start_run(bank: BankAccess, spec: RunSpec, now: datetime) -> RunRecord:
    """Find the unfinished run of this spec, or record a new one."""
    with bank.write() as store:
        return start_or_resume_run(store, spec, now)


def read_pool(bank: BankAccess, run: RunRecord) -> DomainPool:
    """Read what the run's candidates are avoided and compared with."""
    with bank.read() as store:
        return domain_pool(store, run)


def record_domain(bank: BankAccess, run: RunRecord, outcome: DomainOutcome) -> RunRecord:
    """Store a domain's items and mark it done in the run, atomically."""
    updated = with_domain(run, outcome)
    with bank.write() as store:
        store.save_domain_batch(outcome.items, updated)
    return updated


def finish_run(
    bank: BankAccess,
    run: RunRecord,
    now: datetime,
    stopped: str | None = None,
    fix: str | None = None,
) -> RunRecord:
    """Record the end of a run."""
    done = finished(run, now, stopped, fix)
    if done is not run:
        with bank.write() as store:
            store.save_run(done)
    return done


def _utc_now() -> datetime:
    return datetime.now(UTC)


def run_generation(
    bank: BankAccess,
    spec: RunSpec,
    generator: Generator,
    notes: NoteSet,
    blueprint: Blueprint,
    *,
    detector: Any = None,
    steps: Steps | None = None,
    clock: Callable[[], datetime] = _utc_now,
    on_domain: Callable[[DomainOutcome], None] | None = None,
) -> RunRecord:
    """A whole generation run: every pending domain generated, screened and stored.

    Domains are generated through `steps.map` (concurrently where the runner allows);
    each is screened and stored as soon as it completes, so a killed run leaves whole
    domains only and re-running resumes. A budget stop in one domain lets the others
    finish and store what they made; the run ends "stopped" with the reason.
    """
    steps = steps or InlineSteps(getattr(generator, "concurrency", 1))
    run = steps.call(start_run, bank, spec, clock())
    domains = pending_domains(run)
    pool = steps.call(read_pool, bank, run) if domains else DomainPool(frozenset(), [])
    inputs = [
        (d, (generator, request_for(run, d, pool.exclude), notes, blueprint)) for d in domains
    ]
    key = partial(generation_cache_key, str(bank.path.resolve()), run_cache_id(run))
    stopped = None
    recent: list[Item] = []
    failed: list[Item] = []
    label = getattr(generator, "failure_label", None)
    for domain, result in steps.map(generate_domain, inputs, cache_key=key):
        outcome = screen_domain(
            domain, result, pool.items, blueprint, notes, detector, recent, label, clock()
        )
        failed.extend(result.failed)
        run = steps.call(record_domain, bank, run, outcome)
        recent.extend(it for it in outcome.items if it.status == "pending_review")
        if on_domain:
            on_domain(outcome)
        stopped = stopped or outcome.stopped
    diagnose = getattr(generator, "diagnose", None)
    fix = diagnose(failed) if failed and diagnose else None
    return steps.call(finish_run, bank, run, clock(), stopped, fix)


def run_cache_id(run: RunRecord) -> str:
    """The run as a cache key knows it: its id and when it started.

    Run ids repeat across banks (the same command's first run is `gen-<spec>-0` in every
    bank), and a bank deleted and made anew at the same path would meet the old one's
    cached results; the start time is the run's own.
    """
    return f"{run.id}@{run.started_at.isoformat()}"
