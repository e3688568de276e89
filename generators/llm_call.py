"""One model call: sent (with retries), the answer classified, the tokens counted.

`call_model` never raises. It retries 429, 5xx and dropped connections itself
(`Retry`: exponential backoff with jitter, honouring `retry-after`), where the openai
client would retry everything the same way: a server's refusal of the structured-output
method is not retried (generators/llm_method.py moves to the next method), and a
timed-out call is retried only when `retry_timeouts` says the server works on several
requests at once; a local server that computes one request at a time keeps computing
the abandoned one, and a retry would only queue behind it. An error that outlasts the
retries becomes a `Call` of kind "error".
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from generators.base import Usage
from generators.llm_method import Method, names_method
from generators.llm_schema import error_text

if TYPE_CHECKING:  # the client libraries load only when a model is called
    from langchain_core.messages import BaseMessage

# Status codes that will fail the same way on every call: stop the run instead.
FATAL_STATUS = frozenset({400, 401, 403, 404})
_REFUSAL = re.compile(
    r"^\W*(i'?m sorry|i am sorry|sorry,|i can(?:no|')t|i am unable|i'?m unable|"
    r"i won'?t|i will not|as an ai|unfortunately,? i can)",
    re.IGNORECASE,
)


@dataclass
class Call:
    """What one structured call gave: parsed data, or why not; the raw text; the tokens."""

    kind: Literal["ok", "invalid", "refusal", "error"]
    data: Any = None
    raw: str = ""
    error: str = ""
    usage: Usage = field(default_factory=Usage)
    fatal: bool = False
    method_rejected: bool = False
    attempts: int = 1
    method: str = ""


@dataclass(frozen=True)
class Retry:
    """How often and how patiently one call is retried."""

    retries: int = 3
    timeouts: bool = True
    base_delay: float = 0.5
    max_delay: float = 8.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, headers: Any = None) -> float:
        """Seconds before retry number `attempt` (0-based): the server's word, else backoff."""
        wait = _retry_after(headers)
        if wait is not None and 0 <= wait <= 60:
            return wait
        return min(self.max_delay, self.base_delay * 2.0**attempt) * (1 - 0.25 * random.random())


def _retry_after(headers: Any) -> float | None:
    """The wait a 429/503 asks for (`retry-after-ms` or `retry-after` in seconds)."""
    if not headers:
        return None
    try:
        if headers.get("retry-after-ms"):
            return float(headers["retry-after-ms"]) / 1000
        if headers.get("retry-after"):
            return float(headers["retry-after"])
    except (TypeError, ValueError):
        return None
    return None


def raw_text(message: Any) -> str:
    """The model's answer as text: the content, or the tool call's arguments."""
    content = getattr(message, "content", "")
    if isinstance(content, list):
        content = "".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content)
    if content:
        return str(content)
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        return json.dumps(calls[0].get("args", {}))
    invalid = getattr(message, "invalid_tool_calls", None) or []
    if invalid:
        return str(invalid[0].get("args") or "")
    return ""


def _send(runnable: Any, messages: list[BaseMessage], retry: Retry) -> tuple[Any, Call | None, int]:
    """Invoke with retries: (message, None, requests) or (None, the error Call, requests)."""
    import openai

    attempt = 0
    while True:
        try:
            return runnable.invoke(messages), None, attempt + 1
        except openai.APIStatusError as exc:
            text = error_text(exc, 300)
            error = Call("error", error=f"HTTP {exc.status_code}: {text}")
            if names_method(exc.status_code, text):
                error.method_rejected = True
                return None, error, attempt + 1
            error.fatal = exc.status_code in FATAL_STATUS
            retryable = exc.status_code in (408, 409, 429) or exc.status_code >= 500
            headers = getattr(exc.response, "headers", None)
        except openai.APITimeoutError as exc:
            error = Call("error", error=f"timeout: {error_text(exc, 200)}")
            retryable, headers = retry.timeouts, None
        except openai.APIConnectionError as exc:
            error = Call("error", error=error_text(exc, 300))
            retryable, headers = True, None
        except openai.APIError as exc:
            return None, Call("error", error=error_text(exc, 300)), attempt + 1
        except Exception as exc:  # a client bug must not lose the batch
            return None, Call("error", error=error_text(exc, 300)), attempt + 1
        if not retryable or attempt >= retry.retries:
            return None, error, attempt + 1
        retry.sleep(retry.delay(attempt, headers))
        attempt += 1


def call_model(
    runnable: Any,
    messages: list[BaseMessage],
    *,
    method: Method,
    cost: Callable[[int, int], float],
    retry: Retry | None = None,
    limit: int | None = None,
) -> Call:
    """Invoke a bound chat model (with retries) and classify the answer; never raises.

    `limit` is the output-token limit the request set: an answer that used all of it
    was cut off, whatever finish reason the server gives (llama-cpp-python says
    "tool_calls" for a tool call it cut short).
    """
    message, failed, requests = _send(runnable, messages, retry or Retry())
    if failed is not None:
        failed.attempts = requests
        failed.usage = Usage(calls=requests)
        return failed
    meta = getattr(message, "usage_metadata", None) or {}
    tin, tout = int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0))
    usage = Usage(tin, tout, cost(tin, tout), requests)
    text = raw_text(message)
    refusal = (getattr(message, "additional_kwargs", None) or {}).get("refusal")
    if refusal:
        return Call("refusal", raw=text or str(refusal), error=str(refusal), usage=usage)
    finish = (getattr(message, "response_metadata", None) or {}).get("finish_reason")
    # A server that says it stopped is believed; one that used the whole limit and names
    # another reason (llama-cpp-python's "tool_calls" for a cut tool call) was cut off.
    if finish == "length" or (limit and tout >= limit and finish != "stop"):
        error = (
            f"the answer was cut off at the output token limit ({tout} tokens, "
            f"finish_reason={finish})"
        )
        return Call("invalid", raw=text, error=error, usage=usage)
    tool_calls = getattr(message, "tool_calls", None) or []
    if tool_calls:
        return Call("ok", data=tool_calls[0].get("args"), raw=text, usage=usage)
    if getattr(message, "invalid_tool_calls", None):
        error = "the tool call's arguments are not valid JSON"
        return Call("invalid", raw=text, error=error, usage=usage)
    if _REFUSAL.match(text):
        return Call("refusal", raw=text, error=text[:300], usage=usage)
    if method == "function_calling":  # plain text where a tool call was due
        error = "no structured output: plain text instead of a tool call"
        return Call("invalid", raw=text, error=error, usage=usage)
    if not text.strip():
        return Call("invalid", raw=text, error="empty answer", usage=usage)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Call("invalid", raw=text, error=f"invalid JSON: {exc}", usage=usage)
    return Call("ok", data=data, raw=text, usage=usage)
