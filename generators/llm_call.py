"""One model call: the request bound to a schema, the answer classified, the tokens counted.

`call_model` never raises. Transport retries (429, 5xx, connection errors) are the
openai client's (`max_retries`, exponential backoff with jitter); an error that
reaches this module has outlasted them and becomes a `Call` of kind "error".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from generators.base import Usage
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


Method = Literal["json_schema", "function_calling", "json_mode"]


def structured_model(chat_model: Any, schema: dict[str, Any], method: Method) -> Any:
    """The chat model bound to answer in `schema`: a strict response format, or a forced tool.

    The same request `with_structured_output` sends, minus its parser chain: we parse
    the message ourselves, strictly, so the raw answer is always at hand for a repair
    or a rejected candidate, and truncated JSON is never silently "completed".
    """
    from langchain_core.utils.function_calling import convert_to_openai_function

    if method == "function_calling":
        return chat_model.bind_tools(
            [schema], tool_choice=schema["title"], strict=True, parallel_tool_calls=False
        )
    if method == "json_mode":
        return chat_model.bind(response_format={"type": "json_object"})
    function = convert_to_openai_function(schema, strict=True)
    response_format = {
        "type": "json_schema",
        "json_schema": {
            "name": function["name"],
            "description": function.get("description", ""),
            "schema": function["parameters"],
            "strict": True,
        },
    }
    # Sent in extra_body: the same JSON on the wire, but the openai SDK then neither
    # walks the schema through its typed-parameter transform nor takes the .parse()
    # path: ~2 ms of CPU a call, which bounds throughput at high concurrency
    # (benchmarks/llm_throughput.py). A model's own extra_body is kept.
    extra = dict(getattr(chat_model, "extra_body", None) or {})
    return chat_model.bind(extra_body={**extra, "response_format": response_format})


def call_model(
    runnable: Any,
    messages: list[BaseMessage],
    *,
    method: Method,
    cost: Callable[[int, int], float],
) -> Call:
    """Invoke a bound chat model and classify the answer; never raises."""
    import openai

    try:
        message = runnable.invoke(messages)
    except openai.APIStatusError as exc:
        return Call(
            "error",
            error=f"HTTP {exc.status_code}: {error_text(exc, 300)}",
            fatal=exc.status_code in FATAL_STATUS,
        )
    except openai.APITimeoutError as exc:
        return Call("error", error=f"timeout: {error_text(exc, 200)}")
    except openai.APIError as exc:
        return Call("error", error=error_text(exc, 300))
    except Exception as exc:  # a client bug must not lose the batch
        return Call("error", error=error_text(exc, 300))
    meta = getattr(message, "usage_metadata", None) or {}
    tin, tout = int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0))
    usage = Usage(tin, tout, cost(tin, tout), 1)
    text = raw_text(message)
    refusal = (getattr(message, "additional_kwargs", None) or {}).get("refusal")
    if refusal:
        return Call("refusal", raw=text or str(refusal), error=str(refusal), usage=usage)
    finish = (getattr(message, "response_metadata", None) or {}).get("finish_reason")
    if finish == "length":
        error = "the answer was cut off at the output token limit (finish_reason=length)"
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
