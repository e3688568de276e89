"""What the LLM is asked to write, and how its answers become items (or rejected ones).

The wire models below are the output schema sent to the model (strict JSON schema:
every field required, no defaults, no extra keys). Constraints that strict schemas
cannot carry (four distinct options, a non-empty quote) are checked here, after
parsing, so a violation becomes a repairable error message rather than a crash.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bank.models import Flaw, Item, Provenance, Source

Letter = Literal["A", "B", "C", "D"]
JUDGE_CODES = (
    "ambiguous_info",
    "implausible_distractors",
    "gratuitous_info",
    "logical_cues",
    "more_than_one_correct",
)


class DraftSource(BaseModel):
    """A note an item cites and the passage that supports its key."""

    model_config = ConfigDict(extra="ignore")

    note: str
    quote: str

    @field_validator("note", "quote")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


class DraftItem(BaseModel):
    """One item as the model writes it."""

    model_config = ConfigDict(extra="ignore")

    stem: str
    options: list[str]
    answer: Letter
    rationale: str
    difficulty: Literal["easy", "medium", "hard"]
    bloom: Literal["remember", "understand", "apply", "analyze"]
    sources: list[DraftSource]

    @field_validator("sources")
    @classmethod
    def _cites(cls, value: list[DraftSource]) -> list[DraftSource]:
        if not value:
            raise ValueError("cite at least one note and a verbatim quote for the key")
        return value


class DraftBatch(BaseModel):
    """The whole answer to one generation call."""

    model_config = ConfigDict(extra="ignore")

    items: list[DraftItem]


class JudgeFlaw(BaseModel):
    """A judgement flaw the judge reports, with where and why."""

    model_config = ConfigDict(extra="ignore")

    code: Literal[
        "ambiguous_info",
        "implausible_distractors",
        "gratuitous_info",
        "logical_cues",
        "more_than_one_correct",
    ]
    where: Literal["stem", "A", "B", "C", "D"]
    evidence: str


class JudgeVerdict(BaseModel):
    """The judge's verdict on one item: its blind answer and the flaws it sees."""

    model_config = ConfigDict(extra="ignore")

    index: int
    answer: Letter
    reason: str
    defensible: list[Letter]
    flaws: list[JudgeFlaw]


class JudgeBatch(BaseModel):
    """The judge's answer for a batch."""

    model_config = ConfigDict(extra="ignore")

    verdicts: list[JudgeVerdict]


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with $ref replaced by the definitions (small local servers want no $defs)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline_refs(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


def wire_schema(model: type[BaseModel], name: str, description: str) -> dict[str, Any]:
    """A JSON schema dict (titled, self-contained) for a response format or a tool."""
    raw = model.model_json_schema()
    schema = _inline_refs(raw, raw.get("$defs", {}))
    return {**schema, "title": name, "description": description}


BATCH_SCHEMA = wire_schema(
    DraftBatch,
    "item_batch",
    "Multiple-choice items written from the source notes, each citing a verbatim quote.",
)
JUDGE_SCHEMA = wire_schema(
    JudgeBatch,
    "item_judge",
    "One verdict per item: the blind answer, defensible options and judgement flaws.",
)


# Lengths the grammar of a local server can enforce (OpenAI's strict mode takes neither
# minLength nor maxLength: platform.openai.com/docs/guides/structured-outputs, supported
# schemas). The maxima are about twice the longest of the few-shot examples: on
# llama-cpp-python they kept SmolLM2-135M from rambling inside one string until
# max_tokens (2,100 tokens, cut off), and its answers ended on their own (~1,450 tokens).
MIN_LENGTHS = {"stem": 15, "options": 1, "rationale": 20, "note": 3, "quote": 12}
MAX_LENGTHS = {"stem": 300, "options": 120, "rationale": 500, "quote": 300}
SOURCES_PER_ITEM = (1, 2)


def strict_schema(node: Any) -> Any:
    """The schema as strict mode wants it: every object closed, every property required.

    Titles go too (they are noise in a grammar and in a prompt).
    """
    if isinstance(node, dict):
        out = {
            k: {n: strict_schema(v) for n, v in node[k].items()}
            if k == "properties" and isinstance(v, dict)
            else strict_schema(v)
            for k, v in node.items()
            if k not in ("title", "default")
        }
        if out.get("type") == "object" and "properties" in node:
            out["additionalProperties"] = False
            out["required"] = list(node["properties"])
        return out
    if isinstance(node, list):
        return [strict_schema(v) for v in node]
    return node


def batch_schema(
    count: int, note_ids: list[str] | None = None, *, lengths: bool = False
) -> dict[str, Any]:
    """The output schema of one generation call: exactly `count` items, each well-formed.

    `minItems`/`maxItems` hold the item count, the four options and one or two sources
    (OpenAI strict mode and llama.cpp's grammar both accept them): without them a model
    may answer `{"items": []}`, and small models do so more often than not. The cited
    note is an enum of the batch's notes, so a constrained decoder cannot cite a note
    the batch was not given (an example's, say). `lengths` adds `minLength`/`maxLength` on the
    text fields, for servers whose grammar takes it.
    """
    schema: dict[str, Any] = strict_schema(BATCH_SCHEMA)
    schema["title"] = BATCH_SCHEMA["title"]
    schema["properties"]["items"].update(minItems=count, maxItems=count)
    item = schema["properties"]["items"]["items"]["properties"]
    item["options"].update(minItems=4, maxItems=4)
    item["sources"].update(minItems=SOURCES_PER_ITEM[0], maxItems=SOURCES_PER_ITEM[1])
    source = item["sources"]["items"]["properties"]
    if note_ids:
        source["note"] = {"type": "string", "enum": list(note_ids)}
    if lengths:
        for name in ("stem", "rationale"):
            item[name].update(minLength=MIN_LENGTHS[name], maxLength=MAX_LENGTHS[name])
        item["options"]["items"].update(
            minLength=MIN_LENGTHS["options"], maxLength=MAX_LENGTHS["options"]
        )
        source["quote"].update(minLength=MIN_LENGTHS["quote"], maxLength=MAX_LENGTHS["quote"])
        if not note_ids:
            source["note"]["minLength"] = MIN_LENGTHS["note"]
    return schema


def judge_schema(count: int) -> dict[str, Any]:
    """The judge's output schema: one verdict per item."""
    schema: dict[str, Any] = strict_schema(JUDGE_SCHEMA)
    schema["title"] = JUDGE_SCHEMA["title"]
    schema["properties"]["verdicts"].update(minItems=count, maxItems=count)
    return schema


def error_text(exc: Exception, limit: int = 600) -> str:
    """A short, model-readable account of a parsing or validation error."""
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in err["loc"]) or "(root)"
            parts.append(f"{loc}: {err['msg']}")
        text = "; ".join(parts)
    else:
        text = f"{type(exc).__name__}: {exc}".split("\nFor troubleshooting")[0]
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def draft_to_item(
    raw: Any,
    *,
    domain: int,
    topic: str | None,
    provenance: Provenance,
) -> Item:
    """Validate one raw item of the model's answer and build the bank item.

    Raises ValidationError when the draft does not fit the schema or the bank's item
    rules (four distinct, non-empty options; a non-empty stem).
    """
    draft = DraftItem.model_validate(raw)
    return Item(
        domain=domain,
        topic=topic,
        stem=draft.stem,
        options=draft.options,
        answer=draft.answer,
        rationale=draft.rationale,
        difficulty=draft.difficulty,
        bloom=draft.bloom,
        sources=[Source(note=s.note, quote=s.quote) for s in draft.sources],
        provenance=provenance,
        status="candidate",
    )


def failed_item(
    *,
    domain: int,
    topic: str | None,
    reason: str,
    raw: str,
    provenance: Provenance,
    label: str,
    extra: dict[str, Any] | None = None,
) -> Item:
    """A rejected placeholder that keeps a failed generation's raw output and error.

    An Item needs a stem and four distinct options; these say plainly that the
    generation failed. The stem carries a digest of the run, batch and raw output
    so two failures never collapse into one stored item.
    """
    digest = hashlib.sha256(
        "\x1f".join([provenance.run_id or "", label, reason, raw]).encode()
    ).hexdigest()[:10]
    code = reason.split(":", 1)[0]
    return Item(
        domain=domain,
        topic=topic,
        stem=f"[generation failed] {code} in {label} ({digest}); see reasons and raw_output",
        options=[f"[failed generation: no option {letter}]" for letter in "ABCD"],
        answer="A",
        rationale="Not an item: the model's output could not be used.",
        provenance=provenance,
        status="rejected",
        reasons=[reason],
        extra={"raw_output": raw, "failed_batch": label, **(extra or {})},
    )


def judge_flaws(item: Item, verdict: JudgeVerdict) -> list[Flaw]:
    """The judge's flaws for one item, plus more_than_one_correct from the blind solve."""
    found: list[Flaw] = []
    if verdict.answer != item.answer:
        found.append(
            Flaw(
                code="more_than_one_correct",
                where=verdict.answer,
                evidence=f"blind solve chose {verdict.answer}, key is {item.answer}: "
                f"{verdict.reason}",
            )
        )
    for letter in sorted(set(verdict.defensible) - {item.answer, verdict.answer}):
        found.append(
            Flaw(
                code="more_than_one_correct",
                where=letter,
                evidence=f"judge: option {letter} is also defensible",
            )
        )
    for judged in verdict.flaws:
        found.append(Flaw(code=judged.code, where=judged.where, evidence=judged.evidence))
    unique: dict[tuple[str, str], Flaw] = {}
    for flaw in found:
        unique.setdefault((flaw.code, flaw.where), flaw)
    return list(unique.values())
