"""The LLM generator against replayed exchanges with a real server (issue 18).

tests/data/llm/ holds exchanges recorded with llama-cpp-python 0.3.36's server and
SmolLM2-135M (benchmarks/llm_real.py --record): the HTTP 500 its request model gives a
json_schema response format, the tool calls its named tool choice gives, the empty items
list of the schema without item counts, and an answer cut off at max_tokens. The
loopback server replays them by the method each request asks with, so every behaviour
is covered without building the server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bank.models import Blueprint, Item, Provenance, Source
from bank.notes import NoteSet, load_notes
from generators.base import GenerationRequest, GenerationResult
from generators.llm import LLMConfig, LLMGenerator
from generators.llm_diagnose import failure_counts, failure_label
from tests.llm_server import LLMServer, Replay, json_reply, request_method
from validators.grounding import grounding_flaws

NOTES_DIR = Path(__file__).resolve().parents[1] / "data" / "notes"
EXAMPLE = json.loads((Path(__file__).resolve().parents[1] / "prompts/examples/d5.json").read_text())


@pytest.fixture(scope="session")
def notes(blueprint: Blueprint) -> NoteSet:
    return load_notes(NOTES_DIR, blueprint)


@pytest.fixture
def llama_cpp_python() -> Iterator[LLMServer]:
    """llama-cpp-python as recorded: json_schema refused, tool calls answered."""
    replay = Replay(
        {"function_calling": ["function_calling-items"]}, fallback="json_schema-http-500"
    )
    with LLMServer(replay) as srv:
        yield srv


def local(server: LLMServer, **overrides: Any) -> LLMGenerator:
    """The generator with the product's defaults, pointed at a local server."""
    values: dict[str, Any] = {"base_url": server.url, "model": "SmolLM2-135M-Instruct"}
    values.update(overrides)
    return LLMGenerator(LLMConfig(**values))


def run(
    gen: LLMGenerator, notes: NoteSet, blueprint: Blueprint, count: int = 5, **kw: Any
) -> GenerationResult:
    request = GenerationRequest(domain=kw.pop("domain", 5), count=count, run_id="run-1", **kw)
    return gen.generate(request, notes, blueprint)


def methods(server: LLMServer) -> list[str]:
    return [request_method(r) for r in server.requests]


# ---- structured output that adapts --------------------------------------------------
def test_the_default_method_falls_back_once_when_the_server_answers_500(
    llama_cpp_python: LLMServer, notes: NoteSet, blueprint: Blueprint
) -> None:
    gen = local(llama_cpp_python)
    result = run(gen, notes, blueprint, count=10)
    # One json_schema request (not retried: a refusal of the method), then tools only.
    assert methods(llama_cpp_python) == ["json_schema", "function_calling", "function_calling"]
    assert gen.method == "function_calling"
    assert len(result.items) == 10 and not result.failed and result.stopped is None
    assert {i.extra["llm_method"] for i in result.items} == {"function_calling"}
    # The next domain of the run starts with the method that worked.
    run(gen, notes, blueprint, count=5, domain=4)
    assert methods(llama_cpp_python)[3:] == ["function_calling"]


def test_the_schema_holds_item_counts_and_the_batch_notes(
    llama_cpp_python: LLMServer, notes: NoteSet, blueprint: Blueprint
) -> None:
    run(local(llama_cpp_python, items_per_call=3), notes, blueprint, count=3)
    tool = llama_cpp_python.requests[1]["tools"][0]["function"]
    assert llama_cpp_python.requests[1]["tool_choice"]["function"]["name"] == tool["name"]
    items = tool["parameters"]["properties"]["items"]
    assert (items["minItems"], items["maxItems"]) == (3, 3)
    item = items["items"]["properties"]
    assert (item["options"]["minItems"], item["options"]["maxItems"]) == (4, 4)
    assert item["sources"]["minItems"] == 1 and item["stem"]["minLength"] > 0
    # A string cannot run on: the grammar closes it (SmolLM2 rambled inside quotes).
    assert (
        item["stem"]["maxLength"] and item["sources"]["items"]["properties"]["quote"]["maxLength"]
    )
    given = item["sources"]["items"]["properties"]["note"]["enum"]
    user = llama_cpp_python.requests[1]["messages"][1]["content"]
    assert given and all(f'<note id="{n}"' in user for n in given)
    # max_tokens from the items asked for (llama-cpp-python reads max_tokens).
    assert llama_cpp_python.requests[1]["max_tokens"] == 3 * 400 + 100


def test_openai_gets_strict_limits_it_accepts_and_max_completion_tokens() -> None:
    from generators.llm_method import bind
    from generators.llm_schema import batch_schema

    class Chat:
        extra_body = None

        def bind(self, **kwargs: Any) -> dict[str, Any]:
            return kwargs

    sent = bind(Chat(), batch_schema(5, ["d5-a"]), "json_schema", max_tokens=2100, hosted=True)
    body = sent["extra_body"]
    assert body["max_completion_tokens"] == 2100 and "max_tokens" not in body
    schema = body["response_format"]["json_schema"]["schema"]
    assert "minLength" not in json.dumps(schema)  # not in OpenAI's strict subset
    assert schema["properties"]["items"]["minItems"] == 5
    assert schema["additionalProperties"] is False


def test_a_forced_method_the_server_refuses_stops_the_run_and_names_the_fix(
    llama_cpp_python: LLMServer, notes: NoteSet, blueprint: Blueprint
) -> None:
    gen = local(llama_cpp_python, method="json_schema")
    result = run(gen, notes, blueprint, count=10)
    assert methods(llama_cpp_python) == ["json_schema"]  # one request, the rest not sent
    assert result.stopped and "1 of 2 batches not sent" in result.stopped
    assert failure_label(result.failed[0].reasons[0]).endswith(
        "(structured-output method rejected)"
    )
    fix = gen.diagnose(result.failed)
    assert fix and "CMASPREP_LLM_METHOD=json_schema" in fix


def test_a_server_that_refuses_every_method_stops_after_one_try_of_each(
    notes: NoteSet, blueprint: Blueprint
) -> None:
    with LLMServer(Replay({}, fallback="json_schema-http-500")) as srv:
        gen = local(srv)
        result = run(gen, notes, blueprint, count=10)
    assert methods(srv) == ["json_schema", "function_calling", "json_mode"]
    assert "rejected every structured-output method" in result.failed[0].reasons[0]
    assert result.stopped and result.stopped.startswith("llm_error:")


# ---- empty and runaway answers ----------------------------------------------------------
def test_an_empty_items_list_is_repaired_then_rejected_with_a_clear_reason(
    notes: NoteSet, blueprint: Blueprint
) -> None:
    replay = Replay(
        {"function_calling": ["function_calling-empty-items"]}, fallback="json_schema-http-500"
    )
    with LLMServer(replay) as srv:
        result = run(local(srv), notes, blueprint, count=5)
        assert methods(srv) == ["json_schema", "function_calling", "function_calling"]
        repair = srv.requests[2]["messages"][-1]["content"]
    assert "the items list is empty" in repair
    assert result.failed[0].reasons == [
        "llm_output_invalid: the items list is empty (after one repair)"
    ]
    assert failure_counts(result.failed[0].reasons) == {"empty items list": 1}


def test_an_empty_answer_then_items_is_repaired(notes: NoteSet, blueprint: Blueprint) -> None:
    replay = Replay(
        {"function_calling": ["function_calling-empty-items", "function_calling-items"]},
        fallback="json_schema-http-500",
    )
    with LLMServer(replay) as srv:
        result = run(local(srv), notes, blueprint, count=5)
    assert len(result.items) == 5 and not result.failed


def test_a_runaway_answer_is_bounded_by_max_tokens(notes: NoteSet, blueprint: Blueprint) -> None:
    # Replayed only to a request with an output limit; without one the replay stays
    # silent for 30 s, as the real server generated until its context filled.
    replay = Replay(
        {"function_calling": ["function_calling-cut-off"]}, fallback="json_schema-http-500"
    )
    started = time.perf_counter()
    with LLMServer(replay) as srv:
        gen = local(srv, timeout=10)
        result = run(gen, notes, blueprint, count=5)
        assert all(r.get("max_tokens") for r in srv.requests)
    assert time.perf_counter() - started < 8
    reason = result.failed[0].reasons[0]
    assert "cut off at the output token limit" in reason and "finish_reason=tool_calls" in reason
    fix = gen.diagnose(result.failed)
    assert fix and "CMASPREP_OUTPUT_TOKENS_PER_ITEM" in fix


def test_a_timed_out_call_to_a_local_server_is_not_retried(
    notes: NoteSet, blueprint: Blueprint
) -> None:
    replay = Replay(
        {"function_calling": ["function_calling-cut-off"]},
        fallback="json_schema-http-500",
        runaway_delay=3,
    )
    with LLMServer(replay) as srv:
        gen = local(srv, timeout=0.5, output_tokens_per_item=0)  # no limit: a runaway
        result = run(gen, notes, blueprint, count=5)
        sent = methods(srv)
    # max_retries is 3, but a retry would queue behind the abandoned computation.
    assert sent == ["json_schema", "function_calling"]
    assert result.failed[0].reasons[0].startswith("llm_error: timeout")
    assert "CMASPREP_TIMEOUT" in (gen.diagnose(result.failed) or "")


# ---- grounding ------------------------------------------------------------------------
def copied_example(note_ids: list[str]) -> Item:
    """The example of prompts/examples/d5.json as a small model copies it."""
    ex = EXAMPLE[0]
    return Item(
        domain=5,
        stem=ex["stem"],
        options=ex["options"],
        answer=ex["answer"],
        rationale=ex["rationale"],
        sources=[Source(**s) for s in ex["sources"]],
        provenance=Provenance(generator="llm", notes=note_ids),
        status="candidate",
    )


def test_a_citation_of_a_note_the_batch_was_not_given_is_ungrounded(notes: NoteSet) -> None:
    item = copied_example(["d5-cpt-modifiers", "d5-medicare-parts"])
    flaws = grounding_flaws(item, notes)
    assert [f.code for f in flaws] == ["ungrounded"]
    assert "d5-claim-forms" in flaws[0].evidence and "not written from" in flaws[0].evidence
    assert grounding_flaws(copied_example(["d5-claim-forms"]), notes) == []


def test_an_item_copied_from_the_examples_is_flagged(notes: NoteSet, blueprint: Blueprint) -> None:
    ex = EXAMPLE[0]
    with LLMServer() as srv:
        srv.script(json_reply({"items": [ex]}, completion_tokens=200))
        result = run(local(srv, method="json_schema", items_per_call=1), notes, blueprint, count=1)
    item = result.items[0]
    found = {(f.code, f.where) for f in item.flaws}
    assert {("copies_example", "stem"), ("copies_example", "rationale")} <= found
    if "d5-claim-forms" not in item.provenance.notes:
        assert ("copies_example", "sources") in found


def test_empty_or_malformed_sources_get_the_validators_message(
    notes: NoteSet, blueprint: Blueprint
) -> None:
    item = {**EXAMPLE[0], "stem": "Which identifier does a billing office report for a provider?"}
    with LLMServer() as srv:
        srv.script(
            json_reply({"items": [{**item, "sources": []}]}, completion_tokens=200),
            json_reply({"items": [{**item, "sources": ["d5-claim-forms"]}]}, completion_tokens=200),
        )
        result = run(local(srv, method="json_schema", items_per_call=1), notes, blueprint, count=1)
        repair = srv.requests[1]["messages"][-1]["content"]
    assert "cite at least one note" in repair and "IndexError" not in repair
    reason = result.failed[0].reasons[0]
    assert "sources.0" in reason and "IndexError" not in reason
