"""LLM generator: items written by a chat model (LangChain's ChatOpenAI) from the source notes.

Works against OpenAI and any OpenAI-compatible server (`base_url`: Ollama, vLLM,
llama.cpp's server, LM Studio). A request is split into batches of
`items_per_call` items, each written from a few notes passed as delimited data;
batches run on a thread pool bounded by `concurrency`. The model answers in a
strict JSON schema (OpenAI structured outputs: the request `with_structured_output(
..., method="json_schema")` makes, parsed here so the raw answer survives any error);
an unusable answer gets one repair call, then is kept as a rejected candidate with
its raw output (see generators/llm_batch.py). A per-run budget in dollars or tokens stops the run
cleanly. The optional judge solves each item blind and reports judgement flaws.
"""

from __future__ import annotations

import queue
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from bank.errors import InputError, Problem
from bank.models import LETTERS, Blueprint, Flaw, Item, Provenance
from bank.notes import NoteSet
from generators.base import GenerationRequest, GenerationResult, Usage
from generators.llm_batch import BatchOutcome, BatchPlan, BatchWorker, plan_batches
from generators.llm_call import structured_model
from generators.llm_schema import BATCH_SCHEMA, JUDGE_SCHEMA
from generators.prompts import DEFAULT_DIR, load_prompts

NAME = "llm"
VERSION = "1.0"

# Settings attribute -> LLMConfig field (settings are duck-typed: app/ is not imported).
_SETTINGS_FIELDS = {
    "openai_api_key": "api_key",
    "openai_base_url": "base_url",
    "model": "model",
    "temperature": "temperature",
    "timeout": "timeout",
    "max_retries": "max_retries",
    "concurrency": "concurrency",
    "items_per_call": "items_per_call",
    "price_in_per_mtok": "price_in_per_mtok",
    "price_out_per_mtok": "price_out_per_mtok",
    "prompts_dir": "prompts_dir",
    # Read when the settings have them (app/settings.py may add CMASPREP_LLM_METHOD etc.).
    "llm_method": "method",
    "notes_per_call": "notes_per_call",
}


class LLMConfig(BaseModel):
    """Everything the LLM generator needs; built from settings by app/ and passed down."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: str | None = Field(default=None, repr=False)
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    temperature: float = 0.7
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0)
    concurrency: int = Field(default=8, ge=1)
    items_per_call: int = Field(default=5, ge=1)
    notes_per_call: int = Field(default=2, ge=1)
    price_in_per_mtok: float = Field(default=0.0, ge=0)
    price_out_per_mtok: float = Field(default=0.0, ge=0)
    max_cost: float | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=0)
    judge: bool = False
    # json_schema (OpenAI structured outputs; vLLM, llama.cpp, LM Studio, Ollama accept it);
    # function_calling for servers that only do tools; json_mode as the last resort.
    method: Literal["json_schema", "function_calling", "json_mode"] = "json_schema"
    prompts_dir: Path = DEFAULT_DIR

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> LLMConfig:
        """Read the LLM fields of a settings object; keyword overrides win (None included)."""
        values = {
            name: getattr(settings, attr)
            for attr, name in _SETTINGS_FIELDS.items()
            if getattr(settings, attr, None) is not None
        }
        values.update(overrides)
        return cls(**values)

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        """Dollars for a number of tokens in and out, at the configured prices."""
        return (tokens_in * self.price_in_per_mtok + tokens_out * self.price_out_per_mtok) / 1e6


# ---- instructions echoed into an item ----------------------------------------------------
_ECHO = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.?!\n]{0,40}?\b(?:instructions?|prompts?|rules)\b"
    r"|\bprevious instructions\b"
    r"|\bas an ai\b"
    r"|\b(?:an ai|a large|an? (?:ai )?language) (?:language )?model\b"
    r"|\bsystem (?:prompt|message)\b"
    r"|\bdeveloper (?:prompt|message)\b"
    r"|\bprompt injection\b"
    r"|\bjailbreak"
    r"|</?\s*(?:notes?|items?|previous_output)\b",
    re.IGNORECASE,
)


# Cheap substring test first: the regex runs only on text that contains one of these.
_ECHO_HINTS = (
    "ignore", "disregard", "forget", "override", "instruction", "as an ai", "model",
    "system ", "developer ", "injection", "jailbreak", "<",
)  # fmt: skip


def instruction_echo_flaws(item: Item) -> list[Flaw]:
    """`echoes_instructions` flaws: item text that repeats prompt or injection language.

    An item that says "ignore previous instructions", "as an AI", "system prompt" or
    carries the prompt's delimiter tags was written from instructions, not from the
    notes' facts; it goes to the reviewer flagged, with the words as evidence.
    """
    fields = [("stem", item.stem), *zip(LETTERS, item.options, strict=True)]
    if item.rationale:
        fields.append(("rationale", item.rationale))
    flaws = []
    for where, text in fields:
        low = text.lower()
        if not any(hint in low for hint in _ECHO_HINTS):
            continue
        match = _ECHO.search(text)
        if match:
            flaws.append(Flaw(code="echoes_instructions", where=where, evidence=match.group(0)))
    return flaws


# ---- budget ---------------------------------------------------------------------------
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


# ---- the generator --------------------------------------------------------------------
def build_chat_model(config: LLMConfig) -> Any:
    """ChatOpenAI for OpenAI or an OpenAI-compatible server (the client retries 429/5xx)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=config.model,
        base_url=config.base_url,
        # Local servers take any key; the client refuses to start without one.
        api_key=SecretStr(config.api_key or "not-needed"),
        temperature=config.temperature,
        timeout=config.timeout,
        max_retries=config.max_retries,
    )


class LLMGenerator:
    """The `llm` generator: see the module docstring. Pass `chat_model` to inject one."""

    name = NAME
    version = VERSION

    def __init__(self, config: LLMConfig, chat_model: Any = None) -> None:
        self.config = config
        self.prompts = load_prompts(config.prompts_dir)
        self.chat_model = chat_model if chat_model is not None else build_chat_model(config)
        self._generate = structured_model(self.chat_model, BATCH_SCHEMA, config.method)
        self._judge = (
            structured_model(self.chat_model, JUDGE_SCHEMA, config.method) if config.judge else None
        )
        self._budgets: dict[str | None, Budget] = {}

    @property
    def model_name(self) -> str:
        """The model the items are asked of."""
        return self.config.model

    @property
    def prompt_version(self) -> str:
        """The version of the prompt files, stored with every item."""
        return self.prompts.version

    def budget(self, run_id: str | None) -> Budget:
        """The run's budget; a run spans several generate() calls (one per domain)."""
        if run_id not in self._budgets:
            self._budgets[run_id] = Budget(self.config.max_cost, self.config.max_tokens)
        return self._budgets[run_id]

    def generate(
        self, request: GenerationRequest, notes: NoteSet, blueprint: Blueprint
    ) -> GenerationResult:
        """Items for one domain (and sub-topic), batch by batch, within the run's budget."""
        domain = blueprint.domain(request.domain)
        if domain is None:
            raise InputError([Problem(f"unknown domain {request.domain}")])
        pool = notes.for_domain(request.domain, request.topic)
        result = GenerationResult()
        if not pool or request.count < 1:
            return result
        plans = plan_batches(
            request.count,
            pool,
            items_per_call=self.config.items_per_call,
            notes_per_call=self.config.notes_per_call,
            seed=f"{request.seed}:{request.domain}:{request.topic}",
            topic=request.topic,
            difficulty=request.difficulty,
        )

        def provenance(plan: BatchPlan) -> Provenance:
            return Provenance(
                generator=NAME,
                generator_version=VERSION,
                model=self.config.model,
                prompt_version=self.prompts.version,
                run_id=request.run_id,
                notes=plan.note_ids,
            )

        worker = BatchWorker(
            generate=self._generate,
            judge=self._judge,
            prompts=self.prompts,
            blueprint=blueprint,
            domain=request.domain,
            run_id=request.run_id,
            provenance=provenance,
            cost=self.config.cost,
            echo_check=instruction_echo_flaws,
            method=self.config.method,
        )
        outcomes, result.stopped = self._run(plans, worker, self.budget(request.run_id))
        for outcome in sorted(outcomes, key=lambda o: o.plan.index):
            result.items.extend(outcome.items)
            result.failed.extend(outcome.failed)
            result.usage.add(outcome.usage)
        return result

    def _run(
        self, plans: list[BatchPlan], worker: BatchWorker, budget: Budget
    ) -> tuple[list[BatchOutcome], str | None]:
        """Run batches on `concurrency` threads while the budget allows.

        Without a budget every batch is queued at once (the pool bounds concurrency, and
        a worker picks the next batch without waiting for this thread). With a budget,
        a batch is queued only when a thread is free and the budget allows it.
        """
        pending = list(reversed(plans))
        window = self.config.concurrency if budget.limited else len(plans)
        in_flight: dict[Future[BatchOutcome | None], BatchPlan] = {}
        outcomes: list[BatchOutcome] = []
        stopped: str | None = None
        not_sent = 0
        fatal = threading.Event()
        finished: queue.SimpleQueue[Future[BatchOutcome | None]] = queue.SimpleQueue()

        def run_one(plan: BatchPlan) -> BatchOutcome | None:
            # After a fatal error (bad key, unknown model) queued batches are not sent;
            # the flag is set by the thread that saw the error, before it takes another.
            if fatal.is_set():
                return None
            outcome = worker.run(plan)
            if outcome.fatal:
                fatal.set()
            return outcome

        with ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            while pending or in_flight:
                while (
                    pending
                    and stopped is None
                    and len(in_flight) < window
                    and budget.allows(len(in_flight))
                ):
                    plan = pending.pop()
                    future = pool.submit(run_one, plan)
                    in_flight[future] = plan
                    future.add_done_callback(finished.put)
                if not in_flight:
                    break
                # One queue of finished futures: O(1) a batch, where wait() on every
                # queued future would cost O(batches) each time.
                future = finished.get()
                in_flight.pop(future)
                outcome = None if future.cancelled() else future.result()  # never raises
                if outcome is None:
                    not_sent += 1
                    continue
                budget.record(outcome.usage)
                outcomes.append(outcome)
                if outcome.fatal and stopped is None:
                    stopped = f"llm_error: {outcome.fatal}"
                    for queued in list(in_flight):
                        queued.cancel()  # not started yet: not sent
        not_sent += len(pending)
        if stopped is None and not_sent:
            stopped = f"budget: {budget.describe()}"
        if not_sent:
            stopped = f"{stopped}; {not_sent} of {len(plans)} batches not sent"
        return outcomes, stopped
