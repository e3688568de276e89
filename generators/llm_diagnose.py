"""What failed LLM generations mean: a short label per reason, and the fix to try.

A run whose batches failed says so, counted by label ("HTTP 500 (response_format)",
"timeout", "empty items list" ...), and names the fix it can guess from the reasons:
the structured-output method, the server's context size, the model name, the timeout.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from typing import TYPE_CHECKING, Any

from generators.llm_method import names_method

if TYPE_CHECKING:
    from generators.llm import LLMConfig
    from generators.llm_method import MethodChooser

_HTTP = re.compile(r"HTTP (\d{3})")
_CONTEXT = re.compile(
    r"context (?:window|length|size)|exceeds? (?:the )?(?:context|maximum)|n_ctx|too long",
    re.IGNORECASE,
)
_TOKENS = re.compile(r"Requested tokens \((\d+)\) exceed context window of (\d+)")
_MODEL = re.compile(r"model .*not found|no such model|unknown model|does not exist", re.IGNORECASE)
_LABELS = (
    ("every structured-output method", "no structured-output method accepted"),
    ("output token limit", "cut off at the output token limit"),
    ("items list is empty", "empty items list"),
    ("invalid JSON", "invalid JSON"),
    ("plain text instead of a tool call", "plain text instead of a tool call"),
    ("empty answer", "empty answer"),
    ('must be a JSON object {"items"', "no items envelope"),
    ("timeout", "timeout"),
    ("Connection error", "no connection to the server"),
)


def failure_label(reason: str) -> str:
    """A short, countable label for one failure reason."""
    code, _, rest = reason.partition(": ")
    if code == "llm_refusal":
        return "refusal"
    for needle, label in _LABELS:
        if needle in rest:
            return label
    status = _HTTP.search(rest)
    if status:
        if _CONTEXT.search(rest):
            return f"HTTP {status.group(1)} (prompt longer than the context)"
        if _MODEL.search(rest):
            return f"HTTP {status.group(1)} (unknown model)"
        if names_method(int(status.group(1)), rest):
            return f"HTTP {status.group(1)} (structured-output method rejected)"
        return f"HTTP {status.group(1)}"
    if code == "llm_output_invalid":
        return "items not fitting the schema"
    return code or "unknown"


def failure_counts(reasons: list[str]) -> dict[str, int]:
    """How many failures of each label, most common first."""
    return dict(Counter(failure_label(r) for r in reasons).most_common())


def served_models(base_url: str, timeout: float = 3.0) -> list[str]:
    """The model ids an OpenAI-compatible server lists at /models (empty when it does not)."""
    try:
        with urllib.request.urlopen(base_url.rstrip("/") + "/models", timeout=timeout) as resp:
            data: Any = json.loads(resp.read())
        return [str(m.get("id")) for m in data.get("data", []) if isinstance(m, dict)]
    except Exception:  # a diagnosis must not fail: no list, no names
        return []


def diagnose(reasons: list[str], config: LLMConfig, methods: MethodChooser) -> str | None:
    """The fix that the failures suggest, in one or two sentences; None when none is clear."""
    labels = failure_counts(reasons)
    text = "\n".join(reasons)
    hints: list[str] = []
    if any("method" in label for label in labels):
        if methods.forced:
            hints.append(
                f"this server rejects CMASPREP_LLM_METHOD={config.method}: unset it (auto tries "
                "json_schema, function_calling, json_mode in turn) or pick another"
            )
        else:
            hints.append(
                "this server takes none of the structured-output methods (json_schema, "
                "function_calling, json_mode): upgrade it, or use a server from docs/llm.md"
            )
    if any("context" in label for label in labels):
        m = _TOKENS.search(text)
        size = f" ({m.group(1)} tokens asked, context {m.group(2)})" if m else ""
        hints.append(
            f"the prompt is longer than the server's context{size}: start the server with a "
            "larger context (llama-cpp-python --n_ctx 8192, llama-server -c 8192, Ollama "
            "num_ctx 8192) or lower CMASPREP_NOTES_PER_CALL / CMASPREP_ITEMS_PER_CALL"
        )
    if any("unknown model" in label for label in labels) or (
        "HTTP 404" in labels and _MODEL.search(text)
    ):
        served = served_models(config.base_url) if config.base_url else []
        listed = f" (the server lists: {', '.join(served[:5])})" if served else ""
        hints.append(f"the server does not know model {config.model!r}{listed}: set CMASPREP_MODEL")
    if "HTTP 401" in labels or "HTTP 403" in labels:
        hints.append("the server refused the key: set OPENAI_API_KEY")
    if "no connection to the server" in labels:
        hints.append(
            f"no server answers at {config.base_url or 'OpenAI'}: start it or fix OPENAI_BASE_URL"
        )
    if "timeout" in labels:
        hints.append(
            f"calls outlasted CMASPREP_TIMEOUT ({config.call_timeout:g} s): raise it, or lower "
            "CMASPREP_ITEMS_PER_CALL so each answer is shorter"
        )
    if "cut off at the output token limit" in labels:
        hints.append(
            "answers ran past the output limit (CMASPREP_OUTPUT_TOKENS_PER_ITEM "
            f"{config.output_tokens_per_item} a item): the model rambles; try a larger model"
        )
    weak = {"empty items list", "items not fitting the schema", "invalid JSON", "empty answer"}
    if not hints and weak & set(labels):
        hints.append(
            f"the model {config.model!r} did not write usable items: use a larger "
            "instruction-tuned model (7B or more) or fewer CMASPREP_ITEMS_PER_CALL"
        )
    return "; ".join(hints) or None
