"""LLM generator: items written by a chat model (LangChain's ChatOpenAI) from the source notes.

Works against OpenAI and any OpenAI-compatible server (`base_url`: Ollama, vLLM,
llama.cpp's server, LM Studio). A request is split into batches of
`items_per_call` items, each written from a few notes passed as delimited data;
batches run on a thread pool bounded by `concurrency` (one request at a time against
a local server unless told otherwise). The model answers in a strict JSON schema by
the first structured-output method the server accepts (generators/llm_method.py),
with an output-token limit from the items asked for; an unusable answer gets one
repair call, then is kept as a rejected candidate with its raw output (see
generators/llm_batch.py). A per-run budget in dollars or tokens stops the run
cleanly. The optional judge solves each item blind and reports judgement flaws.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from bank.errors import InputError, Problem
from bank.models import Blueprint, Item, Provenance
from bank.notes import NoteSet
from generators.base import GenerationRequest, GenerationResult
from generators.llm_batch import BatchOutcome, BatchPlan, BatchWorker, plan_batches
from generators.llm_budget import Budget
from generators.llm_call import Retry
from generators.llm_checks import ExampleCopies, instruction_echo_flaws
from generators.llm_diagnose import diagnose, failure_label
from generators.llm_method import MethodChooser
from generators.prompts import DEFAULT_DIR, load_prompts

__all__ = ["LLMConfig", "LLMGenerator", "instruction_echo_flaws"]

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
    "output_tokens_per_item": "output_tokens_per_item",
    "retry_timeouts": "retry_timeouts",
}
# A server on this machine or a LAN serves few requests at once, on a CPU or one GPU.
LOCAL_CONCURRENCY, HOSTED_CONCURRENCY = 1, 8
LOCAL_TIMEOUT, HOSTED_TIMEOUT = 1800.0, 60.0
# Output tokens an item takes in JSON (~200 for the examples), and the envelope's.
TOKENS_PER_ITEM, TOKENS_ENVELOPE, JUDGE_TOKENS_PER_ITEM = 400, 100, 200


class LLMConfig(BaseModel):
    """Everything the LLM generator needs; built from settings by app/ and passed down."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: str | None = Field(default=None, repr=False)
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    temperature: float = 0.7
    # None: LOCAL_/HOSTED_TIMEOUT and _CONCURRENCY by where the server is.
    timeout: float | None = Field(default=None, gt=0)
    max_retries: int = Field(default=3, ge=0)
    retry_timeouts: bool | None = None  # None: only against OpenAI (see `hosted`)
    concurrency: int | None = Field(default=None, ge=1)
    items_per_call: int = Field(default=5, ge=1)
    notes_per_call: int = Field(default=2, ge=1)
    # The output-token limit of a call: this many per item asked for (0: no limit).
    output_tokens_per_item: int = Field(default=TOKENS_PER_ITEM, ge=0)
    price_in_per_mtok: float = Field(default=0.0, ge=0)
    price_out_per_mtok: float = Field(default=0.0, ge=0)
    max_cost: float | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=0)
    judge: bool = False
    # auto: json_schema, then function_calling, then json_mode, as the server accepts
    # (generators/llm_method.py); any other value forces that one method.
    method: Literal["auto", "json_schema", "function_calling", "json_mode"] = "auto"
    prompts_dir: Path = DEFAULT_DIR

    @property
    def hosted(self) -> bool:
        """Whether the model is OpenAI's own API (no base URL, or api.openai.com)."""
        return self.base_url is None or "api.openai.com" in self.base_url

    @property
    def workers(self) -> int:
        """Requests in flight at once."""
        if self.concurrency is not None:
            return self.concurrency
        return HOSTED_CONCURRENCY if self.hosted else LOCAL_CONCURRENCY

    @property
    def call_timeout(self) -> float:
        """Seconds to wait for one answer."""
        if self.timeout is not None:
            return self.timeout
        return HOSTED_TIMEOUT if self.hosted else LOCAL_TIMEOUT

    @property
    def retry(self) -> Retry:
        """How calls are retried: timeouts only where the server runs requests in parallel."""
        timeouts = self.hosted if self.retry_timeouts is None else self.retry_timeouts
        return Retry(retries=self.max_retries, timeouts=timeouts)

    def output_limit(self, items: int, *, judge: bool = False) -> int | None:
        """The output-token limit of a call asking for `items` items (or verdicts)."""
        if not self.output_tokens_per_item:
            return None
        per = min(JUDGE_TOKENS_PER_ITEM, self.output_tokens_per_item) if judge else None
        return items * (per or self.output_tokens_per_item) + TOKENS_ENVELOPE

    def fingerprint(self, prompt_version: str) -> str:
        """A digest of every setting that changes what a call returns (for caches)."""
        fields = self.model_dump(
            mode="json", exclude={"api_key", "max_cost", "max_tokens", "concurrency", "timeout"}
        )
        text = repr(sorted(fields.items())) + prompt_version
        return hashlib.sha256(text.encode()).hexdigest()[:16]

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


# ---- the generator --------------------------------------------------------------------
def build_chat_model(config: LLMConfig) -> Any:
    """ChatOpenAI for OpenAI or an OpenAI-compatible server.

    The client does not retry (`max_retries=0`): generators/llm_call.py does, knowing
    which errors are worth another request.
    """
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=config.model,
        base_url=config.base_url,
        # Local servers take any key; the client refuses to start without one.
        api_key=SecretStr(config.api_key or "not-needed"),
        temperature=config.temperature,
        timeout=config.call_timeout,
        max_retries=0,
    )


class LLMGenerator:
    """The `llm` generator: see the module docstring. Pass `chat_model` to inject one."""

    name = NAME
    version = VERSION

    def __init__(self, config: LLMConfig, chat_model: Any = None) -> None:
        self.config = config
        self.prompts = load_prompts(config.prompts_dir)
        self.chat_model = chat_model if chat_model is not None else build_chat_model(config)
        self.methods = MethodChooser(config.method)
        self.copies = ExampleCopies(self.prompts.all_examples())
        # Bounds the requests in flight over every domain of a run, not per domain.
        self.limiter = threading.BoundedSemaphore(config.workers)
        self._budgets: dict[str | None, Budget] = {}

    @property
    def concurrency(self) -> int:
        """How many domains a runner may generate at once (their calls share the limiter)."""
        return self.config.workers

    @property
    def fingerprint(self) -> str:
        """What, besides the request and the notes, determines this generator's output."""
        return self.config.fingerprint(self.prompts.version)

    @property
    def method(self) -> str | None:
        """The structured-output method in use (after any fallback)."""
        return self.methods.current

    failure_label = staticmethod(failure_label)

    def diagnose(self, failures: list[Item]) -> str | None:
        """The fix a run's failed generations suggest, if one can be guessed."""
        return diagnose([r for f in failures for r in f.reasons], self.config, self.methods)

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
            chat_model=self.chat_model,
            config=self.config,
            methods=self.methods,
            limiter=self.limiter,
            prompts=self.prompts,
            blueprint=blueprint,
            domain=request.domain,
            run_id=request.run_id,
            provenance=provenance,
            echo_check=instruction_echo_flaws,
            copies=self.copies,
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
        total = len(plans)
        outcomes: list[BatchOutcome] = []
        stopped: str | None = None
        not_sent = 0
        if plans and not self.methods.settled:
            # The first batch of a run goes alone: it finds the method the server takes
            # (domains running at once wait for it here), and the rest follow suit.
            with self.methods.probe_lock:
                if not self.methods.settled:
                    first = worker.run(plans[0])
                    budget.record(first.usage)
                    outcomes.append(first)
                    plans = plans[1:]
                    if first.fatal:
                        stopped = f"llm_error: {first.fatal}"
                        not_sent = len(plans)
                        plans = []
        pending = list(reversed(plans))
        window = self.config.workers if budget.limited else len(plans)
        in_flight: dict[Future[BatchOutcome | None], BatchPlan] = {}
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

        with ThreadPoolExecutor(max_workers=self.config.workers) as pool:
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
            stopped = f"{stopped}; {not_sent} of {total} batches not sent"
        return outcomes, stopped
