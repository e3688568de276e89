"""Runs of the LLM generator: honest statuses, caching scoped to the bank and run (issue 18).

A run whose every generation failed ends "failed" with the failures counted by reason
and the fix; a partly failed one says so; a failed generation is never cached, and a
new bank (even at an old one's path) reaches the server again. The server is the
loopback one replaying llama-cpp-python's recorded answers (tests/data/llm/).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bank.models import Blueprint, RunRecord
from bank.store import open_store
from generators.llm import LLMConfig, LLMGenerator
from pipelines.jobs import GenerationJob
from tests.llm_server import LLMServer, Replay, Reply, error_reply, request_method

NOTES = Path(__file__).resolve().parents[1] / "data" / "notes"


class Switch:
    """A responder that can be swapped mid-test (the server fixed between two runs)."""

    def __init__(self, responder: Any) -> None:
        self.responder = responder

    def __call__(self, request: dict[str, Any]) -> Reply:
        reply: Reply = self.responder(request)
        return reply


def refusing() -> Replay:
    """A server that refuses every structured-output method (HTTP 500 to each)."""
    return Replay({}, fallback="json_schema-http-500")


def working() -> Replay:
    """llama-cpp-python as recorded: json_schema refused, tool calls answered."""
    return Replay({"function_calling": ["function_calling-items"]}, fallback="json_schema-http-500")


@pytest.fixture
def server() -> Iterator[tuple[LLMServer, Switch]]:
    switch = Switch(refusing())
    with LLMServer(switch) as srv:
        yield srv, switch


def generator(srv: LLMServer) -> LLMGenerator:
    return LLMGenerator(LLMConfig(base_url=srv.url, model="SmolLM2-135M-Instruct"))


def job(db: Path, count: int = 5) -> GenerationJob:
    return GenerationJob(db=str(db), notes_dir=str(NOTES), counts={5: count}, seed=1)


def generate(db: Path, srv: LLMServer, count: int = 5) -> RunRecord:
    from pipelines.jobs import generate as generate_inline
    from validators.detector import ExactDetector

    return generate_inline(job(db, count), generator=generator(srv), detector=ExactDetector())


def test_a_run_with_no_candidate_fails_counts_reasons_and_names_the_fix(
    db: Path, server: tuple[LLMServer, Switch]
) -> None:
    srv, _ = server
    run = generate(db, srv)
    assert run.status == "failed"
    assert run.error and run.error.startswith("no generation produced a candidate: 1 failed")
    assert "(no structured-output method accepted: 1)" in run.error
    assert "Fix: this server takes none of the structured-output methods" in run.error
    assert run.counts["failures"] == {"5": {"no structured-output method accepted": 1}}
    with open_store(db, read_only=True) as store:
        assert store.get_run(run.id).status == "failed"


def test_a_failed_run_rerun_after_the_fix_generates_the_failed_domain(
    db: Path, server: tuple[LLMServer, Switch]
) -> None:
    srv, switch = server
    first = generate(db, srv)
    switch.responder = working()
    sent = len(srv.requests)
    again = generate(db, srv)
    assert again.id == first.id  # the same command resumes the failed run ...
    assert len(srv.requests) > sent  # ... and asks the model again
    assert again.status == "completed" and again.error is None
    assert again.counts["candidates"] == 5 and "failures" not in again.counts


def test_a_partly_failed_run_says_so(db: Path, server: tuple[LLMServer, Switch]) -> None:
    srv, switch = server
    answers = working()
    calls = {"n": 0}

    def second_batch_fails(request: dict[str, Any]) -> Reply:
        if request_method(request) == "function_calling":
            calls["n"] += 1
            if calls["n"] == 2:
                return error_reply(502, "bad gateway")
        reply: Reply = answers(request)
        return reply

    switch.responder = second_batch_fails
    gen = LLMGenerator(LLMConfig(base_url=srv.url, model="m", items_per_call=5, max_retries=0))
    from pipelines.jobs import generate as generate_inline
    from validators.detector import ExactDetector

    run = generate_inline(job(db, 10), generator=gen, detector=ExactDetector())
    assert run.status == "completed"
    assert run.error and run.error.startswith("partly failed: 1 of 6 generations failed")
    assert "HTTP 502: 1" in run.error


# ---- caching under Prefect ------------------------------------------------------------
@pytest.mark.flows
@pytest.mark.usefixtures("prefect_harness")
def test_flow_runs_never_replay_failures_nor_another_banks_results(
    tmp_path: Path, server: tuple[LLMServer, Switch]
) -> None:
    from pipelines.flows import run_generation_flow

    srv, switch = server
    db = tmp_path / "bank.duckdb"
    failed = run_generation_flow(job(db), generator=generator(srv))
    assert failed.status == "failed"
    # The server is fixed: the same command reaches it (the failure was not cached).
    switch.responder = working()
    sent = len(srv.requests)
    fixed = run_generation_flow(job(db), generator=generator(srv))
    assert len(srv.requests) > sent and fixed.status == "completed"
    assert fixed.counts["replayed"] == 0
    # A fresh bank at the same path: the same run id, yet the model is asked again and
    # the run record counts what this run spent.
    db.unlink()
    sent = len(srv.requests)
    fresh = run_generation_flow(job(db), generator=generator(srv))
    assert fresh.id == fixed.id and len(srv.requests) > sent
    assert fresh.status == "completed" and fresh.tokens_in > 0
    assert fresh.counts["replayed"] == 0


def test_the_cache_key_changes_with_the_server_method_and_batch_settings(
    blueprint: Blueprint,
) -> None:
    from bank.notes import load_notes
    from generators.base import GenerationRequest
    from pipelines.generation import generation_cache_key

    notes = load_notes(NOTES, blueprint)
    request = GenerationRequest(domain=5, count=5, seed=1, run_id="r")
    base = {"base_url": "http://127.0.0.1:1/v1", "model": "m"}

    def key(**overrides: Any) -> str:
        gen = LLMGenerator(LLMConfig(**{**base, **overrides}))
        return generation_cache_key("bank", "r@t", gen, request, notes, blueprint)

    keys = {
        key(),
        key(base_url="http://127.0.0.1:2/v1"),
        key(method="function_calling"),
        key(items_per_call=3),
        key(notes_per_call=3),
        key(output_tokens_per_item=200),
    }
    assert len(keys) == 6
    assert key(concurrency=4) == key()  # how fast, not what: the same results
