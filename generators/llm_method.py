"""How the model is asked for structured output, and falling back when a server refuses a way.

Three methods, tried in this order unless `CMASPREP_LLM_METHOD` forces one:

1. `json_schema`: `response_format: {"type": "json_schema", ..., "strict": true}` (OpenAI,
   vLLM, llama.cpp's `llama-server`, LM Studio, Ollama 0.5+);
2. `function_calling`: one tool whose parameters are the schema, named in `tool_choice`
   (llama-cpp-python turns a named tool choice into a grammar);
3. `json_mode`: `response_format: {"type": "json_object"}`, with the schema beside it for
   local servers (llama-cpp-python and llama.cpp take `schema` there; others ignore it).

A server that rejects a method (an HTTP 4xx/5xx whose message names `response_format`,
`json_schema`, `tools` or `tool_choice`) moves the whole generator to the next method, once:
later batches and domains start with the method that worked. The first batch of a run
is sent alone, so the rest do not all meet the same rejection.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Literal

from generators.llm_schema import strict_schema

Method = Literal["json_schema", "function_calling", "json_mode"]
ORDER: tuple[Method, ...] = ("json_schema", "function_calling", "json_mode")

# An error about the way of asking, not about the request's content.
_METHOD_ERROR = re.compile(
    r"response_format|json_schema|json_object|tool_choice|\btools?\b|function.?call"
    r"|structured output|grammar",
    re.IGNORECASE,
)
# ... but a context overflow or a missing model is not cured by another method.
_NOT_METHOD = re.compile(
    r"context (?:window|length|size)|exceeds? (?:the )?(?:context|maximum)|n_ctx|too long"
    r"|model .*not found|no such model|unknown model",
    re.IGNORECASE,
)


def names_method(status: int, message: str) -> bool:
    """Whether an HTTP error is the server refusing the structured-output method."""
    return status >= 400 and bool(_METHOD_ERROR.search(message)) and not _NOT_METHOD.search(message)


class MethodChooser:
    """The method a generator asks with; moves down ORDER when a server rejects one.

    Shared by every worker thread of a generator: a rejection seen by two threads at
    once moves the method on once. `forced` pins one method (no fallback).
    """

    def __init__(self, method: str = "auto") -> None:
        self.forced = method != "auto"
        if self.forced and method not in ORDER:
            raise ValueError(f"unknown structured-output method {method!r}: use auto or {ORDER}")
        self._order: tuple[Method, ...] = (method,) if self.forced else ORDER  # type: ignore[assignment]
        self._index = 0
        self._lock = threading.Lock()
        self.probe_lock = threading.Lock()
        self.settled = False
        self.rejected: dict[str, str] = {}

    @property
    def current(self) -> Method | None:
        """The method to ask with now; None when the server has rejected every one."""
        with self._lock:
            return self._order[self._index] if self._index < len(self._order) else None

    def reject(self, method: Method, error: str) -> Method | None:
        """Record that the server refused `method`; the method to try next, if any."""
        with self._lock:
            self.rejected.setdefault(method, error)
            if self._index < len(self._order) and self._order[self._index] == method:
                self._index += 1
            return self._order[self._index] if self._index < len(self._order) else None

    def accept(self) -> None:
        """A call with the current method got an answer: the method is settled for the run."""
        self.settled = True

    def exhausted_error(self) -> str:
        """What to say when no method is left."""
        tried = "; ".join(f"{m}: {e}" for m, e in self.rejected.items())
        return f"the server rejected every structured-output method ({tried})"


def bind(
    chat_model: Any,
    schema: dict[str, Any],
    method: Method,
    *,
    max_tokens: int | None,
    hosted: bool,
) -> Any:
    """The chat model bound to answer in `schema` by `method`, with an output-token limit.

    The request is what LangChain's `with_structured_output` sends, minus its parser
    chain: the message is parsed here, strictly, so the raw answer is at hand for a
    repair or a rejected candidate. The schema, the response format and the limit go in
    `extra_body`: the same JSON on the wire, without the openai SDK's typed-parameter
    walk (~2 ms of CPU a call, see benchmarks/llm_throughput.py). OpenAI gets
    `max_completion_tokens`; other servers `max_tokens`, which they all read.
    """
    strict = strict_schema(schema)
    name = schema["title"]
    description = schema.get("description", "")
    extra = dict(getattr(chat_model, "extra_body", None) or {})
    if max_tokens:
        extra["max_completion_tokens" if hosted else "max_tokens"] = max_tokens
    kwargs: dict[str, Any] = {}
    if method == "function_calling":
        tool = {
            "type": "function",
            "function": {
                "name": name,
                "description": description,
                "parameters": strict,
                "strict": True,
            },
        }
        kwargs = {
            "tools": [tool],
            "tool_choice": {"type": "function", "function": {"name": name}},
            "parallel_tool_calls": False,
        }
    elif method == "json_mode":
        fmt: dict[str, Any] = {"type": "json_object"}
        if not hosted:
            fmt["schema"] = strict
        extra["response_format"] = fmt
    else:
        extra["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": name,
                "description": description,
                "schema": strict,
                "strict": True,
            },
        }
    return chat_model.bind(extra_body=extra, **kwargs)
