"""One batch of LLM generation: the call, one repair, the optional judge, and the bookkeeping.

A batch never raises: whatever the model or the network does, it ends as valid items
and failed entries (rejected placeholder items carrying the raw output and the
reason), with the tokens it spent and each output's share of them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from bank.models import Blueprint, Flaw, Item, Provenance
from generators.base import Usage
from generators.llm_call import Call, call_model
from generators.llm_checks import ExampleCopies
from generators.llm_method import MethodChooser, bind
from generators.llm_plan import BatchPlan, notes_context, plan_batches
from generators.llm_schema import (
    JudgeBatch,
    batch_schema,
    draft_to_item,
    error_text,
    failed_item,
    judge_flaws,
    judge_schema,
)
from generators.prompts import Prompts

__all__ = ["BatchOutcome", "BatchPlan", "BatchWorker", "notes_context", "plan_batches", "share"]

if TYPE_CHECKING:  # LangChain loads only when a batch is sent
    from langchain_core.messages import BaseMessage

    from generators.llm import LLMConfig


@dataclass
class BatchOutcome:
    """What one batch produced: items, failures, spend, and a fatal error if any."""

    plan: BatchPlan
    items: list[Item] = field(default_factory=list)
    failed: list[Item] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    fatal: str | None = None


class BatchWorker:
    """Runs batches against a chat model; shared by the generator's worker threads."""

    def __init__(
        self,
        *,
        chat_model: Any,
        config: LLMConfig,
        methods: MethodChooser,
        limiter: threading.BoundedSemaphore,
        prompts: Prompts,
        blueprint: Blueprint,
        domain: int,
        run_id: str | None,
        provenance: Callable[[BatchPlan], Provenance],
        echo_check: Callable[[Item], list[Flaw]],
        copies: ExampleCopies | None = None,
    ) -> None:
        self.chat_model = chat_model
        self.config = config
        self.methods = methods
        self.limiter = limiter
        self.prompts = prompts
        self.blueprint = blueprint
        self.domain = domain
        self.run_id = run_id
        self.provenance = provenance
        self.echo_check = echo_check
        self.copies = copies
        self.judging = config.judge

    # ---- one call -------------------------------------------------------------------
    def call(
        self,
        kind: Literal["batch", "judge"],
        messages: list[BaseMessage],
        count: int,
        plan: BatchPlan,
    ) -> Call:
        """One call to the model for `count` items (or verdicts), classified.

        Asked by the run's current structured-output method; a server's refusal of the
        method moves the run to the next one and the call is sent again with it.
        """
        usage = Usage()
        while True:
            method = self.methods.current
            if method is None:
                return Call("error", error=self.methods.exhausted_error(), usage=usage, fatal=True)
            if kind == "batch":
                schema = batch_schema(count, plan.note_ids, lengths=not self.config.hosted)
            else:
                schema = judge_schema(count)
            limit = self.config.output_limit(count, judge=kind == "judge")
            runnable = bind(
                self.chat_model, schema, method, max_tokens=limit, hosted=self.config.hosted
            )
            with self.limiter:
                result = call_model(
                    runnable,
                    messages,
                    method=method,
                    cost=self.config.cost,
                    retry=self.config.retry,
                    limit=limit,
                )
            usage.add(result.usage)
            result.usage = usage
            result.method = method
            if result.method_rejected:
                if self.methods.forced:
                    result.fatal = True  # every call would be refused the same way
                    return result
                self.methods.reject(method, result.error)
                continue
            if result.kind != "error":
                self.methods.accept()
            return result

    # ---- the batch ------------------------------------------------------------------
    @cached_property
    def system_prompt(self) -> str:
        """The same for every batch of the domain: rendered once."""
        domain = self.blueprint.domain(self.domain)
        assert domain is not None
        return self.prompts.render(
            "system.md",
            domain={"number": domain.number, "name": domain.name},
            examples=self.prompts.examples(domain.number),
        )

    def messages(self, plan: BatchPlan, *, count: int | None = None) -> list[BaseMessage]:
        """The system and user messages for a batch."""
        domain = self.blueprint.domain(self.domain)
        assert domain is not None
        user = self.prompts.render(
            "user.md",
            count=count or plan.size,
            domain={"number": domain.number, "name": domain.name},
            topic=plan.topic,
            difficulty=plan.difficulty,
            bloom=plan.bloom,
            notes=notes_context(plan.notes),
        )
        from langchain_core.messages import HumanMessage, SystemMessage

        return [SystemMessage(self.system_prompt), HumanMessage(user)]

    def split(self, data: Any, plan: BatchPlan) -> tuple[list[Item], list[tuple[Any, str]], str]:
        """(valid items, invalid raw items with errors, envelope error or "")."""
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            return [], [], 'the answer must be a JSON object {"items": [...]}'
        if not data["items"]:
            return [], [], "the items list is empty"
        good, bad = [], []
        by_id = {n.id: n for n in plan.notes}
        for raw in data["items"]:
            try:
                cited = first_cited(raw)
                topic = by_id[cited].topic if cited in by_id else plan.topic
                item = draft_to_item(
                    raw, domain=self.domain, topic=topic, provenance=self.provenance(plan)
                )
            except (ValidationError, AttributeError, IndexError, TypeError) as exc:
                bad.append((raw, error_text(exc)))
                continue
            good.append(item)
        return good, bad, ""

    def run(self, plan: BatchPlan) -> BatchOutcome:
        """One batch: call, repair once if needed, check, judge; never raises."""
        try:
            return self._run(plan)
        except Exception as exc:  # never lose a batch to a bug: record it
            outcome = BatchOutcome(plan)
            outcome.failed.append(self.failure(plan, f"llm_error: {error_text(exc)}", ""))
            return outcome

    def _run(self, plan: BatchPlan) -> BatchOutcome:
        outcome = BatchOutcome(plan)
        messages = self.messages(plan)
        first = self.call("batch", messages, plan.size, plan)
        outcome.usage.add(first.usage)
        if first.kind in ("error", "refusal"):
            outcome.failed.append(self.failure_of(plan, first))
            outcome.fatal = first.error if first.fatal else None
            return self.finish(outcome)
        good, bad, envelope = self.split(first.data, plan) if first.kind == "ok" else ([], [], "")
        outcome.items.extend(good)
        whole_error = first.error if first.kind == "invalid" else envelope
        if not whole_error and not bad:
            return self.finish(outcome)
        # One repair: the whole answer when it was unusable, else only the bad items.
        if whole_error:
            count, raw, error = plan.size, first.raw, whole_error
        else:
            count = len(bad)
            raw = json.dumps({"items": [r for r, _ in bad]}, ensure_ascii=False)
            error = "; ".join(f"item {i + 1}: {e}" for i, (_, e) in enumerate(bad))
        repair = self.prompts.render("repair.md", error=error, raw=raw, count=count)
        from langchain_core.messages import HumanMessage

        second = self.call("batch", [*messages, HumanMessage(repair)], count, plan)
        outcome.usage.add(second.usage)
        history = {"first_output": raw, "first_error": error}
        if second.kind in ("error", "refusal"):
            outcome.failed.append(self.failure_of(plan, second, history))
            outcome.fatal = second.error if second.fatal else None
            return self.finish(outcome)
        if second.kind == "invalid":
            reason = f"llm_output_invalid: {second.error} (after one repair)"
            outcome.failed.append(self.failure(plan, reason, second.raw, history))
            return self.finish(outcome)
        good2, bad2, envelope2 = self.split(second.data, plan)
        outcome.items.extend(good2)
        if envelope2:
            reason = f"llm_output_invalid: {envelope2} (after one repair)"
            outcome.failed.append(self.failure(plan, reason, second.raw, history))
        for raw_item, err in bad2:
            reason = f"llm_output_invalid: {err} (after one repair)"
            outcome.failed.append(
                self.failure(plan, reason, json.dumps(raw_item, ensure_ascii=False), history)
            )
        return self.finish(outcome)

    # ---- endings --------------------------------------------------------------------
    def failure(
        self, plan: BatchPlan, reason: str, raw: str, extra: dict[str, Any] | None = None
    ) -> Item:
        """A rejected placeholder item that keeps the reason and the raw output."""
        label = f"domain {self.domain} batch {plan.index + 1}"
        extra = {**(extra or {}), "llm_method": self.methods.current}
        return failed_item(
            domain=self.domain,
            topic=plan.topic or plan.notes[0].topic,
            reason=reason,
            raw=raw,
            provenance=self.provenance(plan),
            label=label,
            extra=extra,
        )

    def failure_of(self, plan: BatchPlan, call: Call, extra: dict[str, Any] | None = None) -> Item:
        """The rejected placeholder for a call that gave no usable answer."""
        if call.kind == "refusal":
            return self.failure(plan, f"llm_refusal: {call.error}", call.raw, extra)
        if call.kind == "error":
            return self.failure(plan, f"llm_error: {call.error}", call.raw, extra)
        return self.failure(plan, f"llm_output_invalid: {call.error}", call.raw, extra)

    def finish(self, outcome: BatchOutcome) -> BatchOutcome:
        """Echo check and judge on the valid items; then share the batch's spend over all."""
        checked = []
        for item in outcome.items:
            echoes = self.echo_check(item)
            if self.copies is not None:
                echoes += self.copies.flaws(item, outcome.plan.note_ids)
            item = item.model_copy(
                update={"extra": {**item.extra, "llm_method": self.methods.current}}
            )
            if echoes:
                item = item.model_copy(
                    update={
                        "flaws": [*item.flaws, *echoes],
                        "reasons": [
                            *item.reasons,
                            *(f"{f.code}: {f.where}: {f.evidence}" for f in echoes),
                        ],
                    }
                )
            checked.append(item)
        outcome.items = checked
        if self.judging and outcome.items and outcome.fatal is None:
            outcome.items = self.judge(outcome.plan, outcome.items, outcome.usage)
        share(outcome)
        return outcome

    def judge(self, plan: BatchPlan, items: list[Item], usage: Usage) -> list[Item]:
        """Run the judge on a batch's items and add its judgement flaws to them."""
        domain = self.blueprint.domain(self.domain)
        assert domain is not None
        system = self.prompts.render(
            "judge_system.md", domain={"number": domain.number, "name": domain.name}
        )
        user = self.prompts.render(
            "judge_user.md",
            items=[
                {"index": i, "stem": it.stem, "options": list(it.options)}
                for i, it in enumerate(items)
            ],
            notes=notes_context(plan.notes),
        )
        from langchain_core.messages import HumanMessage, SystemMessage

        messages = [SystemMessage(system), HumanMessage(user)]
        result = self.call("judge", messages, len(items), plan)
        usage.add(result.usage)
        verdicts = {}
        error = result.error
        if result.kind == "ok":
            try:
                verdicts = {v.index: v for v in JudgeBatch.model_validate(result.data).verdicts}
            except ValidationError as exc:
                error = error_text(exc)
        judged = []
        for i, item in enumerate(items):
            verdict = verdicts.get(i)
            if verdict is None:
                note = {"error": f"no verdict ({result.kind}): {error}".strip()}
                judged.append(item.model_copy(update={"extra": {**item.extra, "judge": note}}))
                continue
            found = judge_flaws(item, verdict)
            record = {
                "answer": verdict.answer,
                "agrees": verdict.answer == item.answer,
                "reason": verdict.reason,
                "defensible": list(verdict.defensible),
                "flaws": [f.model_dump() for f in found],
                "prompt_version": self.prompts.version,
            }
            judged.append(
                item.model_copy(
                    update={
                        "flaws": [*item.flaws, *found],
                        "extra": {**item.extra, "judge": record},
                    }
                )
            )
        return judged


def first_cited(raw: Any) -> str | None:
    """The note id an item's first source names, if the draft has one (any shape)."""
    sources = raw.get("sources") if isinstance(raw, dict) else None
    if isinstance(sources, list) and sources and isinstance(sources[0], dict):
        note = sources[0].get("note")
        return note if isinstance(note, str) else None
    return None


def share(outcome: BatchOutcome) -> None:
    """Give each output of a batch its share of the batch's tokens and dollars."""
    outputs = outcome.items + outcome.failed
    if not outputs:
        return
    n = len(outputs)
    u = outcome.usage

    def split(total: int, i: int) -> int:
        return total // n + (1 if i < total % n else 0)

    shared = []
    for i, item in enumerate(outputs):
        prov = item.provenance.model_copy(
            update={
                "tokens_in": split(u.tokens_in, i),
                "tokens_out": split(u.tokens_out, i),
                "cost_usd": u.cost_usd / n,
            }
        )
        shared.append(item.model_copy(update={"provenance": prov}))
    outcome.items = shared[: len(outcome.items)]
    outcome.failed = shared[len(outcome.items) :]
