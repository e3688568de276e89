"""Review decisions as pure functions: state transitions, double review, edits, agreement.

Every decision becomes an append-only ReviewEvent; the store writes item and event in
one transaction. Nothing leaves the queue without a decision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import Any, Literal

from bank.errors import InputError, Problem, StateError
from bank.models import Blueprint, Item, ReviewEvent
from bank.records import parse_record
from validators.flaws import RULES

JUDGEMENT_CODES = (
    "ambiguous_info",
    "implausible_distractors",
    "gratuitous_info",
    "logical_cues",
    "more_than_one_correct",
)
REJECT_REASONS: tuple[str, ...] = (
    *RULES,
    *JUDGEMENT_CODES,
    "factually_wrong",
    "off_blueprint",
    "duplicate",
    "other",
)
VOTE = "vote"  # note prefix of a double-review vote


def snapshot(item: Item) -> dict[str, Any]:
    """What an event records of an item before and after a decision."""
    record: dict[str, Any] = json.loads(
        item.model_dump_json(
            include={"status", "stem", "options", "answer", "rationale", "topic", "domain", "flaws"}
        )
    )
    return record


def _require_pending(item: Item) -> None:
    if item.status != "pending_review":
        raise StateError(
            f"item {item.id} is {item.status}, not pending_review: only items in "
            "the review queue can be decided"
        )


@dataclass(frozen=True)
class Decision:
    """The item after a decision, the event that records it, and whether it left the queue."""

    item: Item
    event: ReviewEvent
    final: bool  # the item left the queue


def votes(events: list[ReviewEvent]) -> dict[str, str]:
    """Double-review votes on an item: reviewer -> approve/reject (the latest counts)."""
    out: dict[str, str] = {}
    for e in events:
        if e.decision in ("approve", "reject") and (e.note or "").startswith(VOTE):
            out[e.reviewer] = e.decision
        if e.decision == "edit":
            out = {}  # an edit makes earlier votes stale
    return out


def decide(
    item: Item,
    reviewer: str,
    decision: str,
    now: datetime,
    *,
    reason: str | None = None,
    note: str | None = None,
    double: bool = False,
    history: list[ReviewEvent] | None = None,
) -> Decision:
    """Approve or reject a queued item; with `double`, only two agreeing reviewers decide it."""
    _require_pending(item)
    if decision == "reject" and reason not in REJECT_REASONS:
        raise InputError(
            [
                Problem(
                    f"--reason {reason!r}: use a flaw code or factually_wrong, "
                    "off_blueprint, duplicate, other",
                    field="reason",
                )
            ]
        )
    if decision not in ("approve", "reject"):
        raise InputError([Problem(f"unknown decision {decision!r}")])
    verdict: Literal["approve", "reject"] = "approve" if decision == "approve" else "reject"
    target = "approved" if verdict == "approve" else "rejected"
    if double:
        prior = votes(history or [])
        if reviewer in prior:
            raise StateError(f"{reviewer} has already voted on {item.id}; a second reviewer must")
        others = {r: d for r, d in prior.items() if r != reviewer}
        agree = any(d == decision for d in others.values())
        status = target if agree else "pending_review"
        tag = f"{VOTE} {len(prior) + 1}" + (
            " (agreement)" if agree else " (disagreement)" if others else ""
        )
        note = f"{tag}: {note}" if note else tag
    else:
        status = target
    reasons = list(item.reasons) + (
        [f"{reason}: {note}" if note else reason]
        if decision == "reject" and status == "rejected"
        else []
    )
    updated = item.model_copy(update={"status": status, "reasons": reasons})
    event = ReviewEvent(
        item_id=item.id,
        reviewer=reviewer,
        at=now,
        decision=verdict,
        reason=reason,
        note=note,
        before=snapshot(item),
        after=snapshot(updated),
    )
    return Decision(updated, event, final=status != "pending_review")


def apply_edit(
    item: Item, patch: dict[str, Any], blueprint: Blueprint, reviewer: str, now: datetime
) -> Decision:
    """Apply an edit and re-validate the item before it can be saved (schema, then flaws)."""
    from validators.flaws import check_flaws

    _require_pending(item)
    if not isinstance(patch, dict) or not patch:
        raise InputError([Problem("the edit must be a non-empty JSON object of fields")])
    forbidden = set(patch) & {"id", "status", "provenance"}
    if forbidden:
        raise InputError([Problem(f"cannot edit {', '.join(sorted(forbidden))}")])
    record = {**item.to_record(), **patch}
    record.pop("flaws", None)
    parsed = parse_record(record, blueprint, status="pending_review")
    if parsed.item is None:
        raise InputError(parsed.problems, f"edit of {item.id} rejected; nothing was saved")
    edited = parsed.item.model_copy(
        update={
            "id": item.id,
            "provenance": item.provenance,
            "flaws": check_flaws(parsed.item.stem, parsed.item.options, parsed.item.answer),
        }
    )
    event = ReviewEvent(
        item_id=item.id,
        reviewer=reviewer,
        at=now,
        decision="edit",
        note=", ".join(sorted(patch)),
        before=snapshot(item),
        after=snapshot(edited),
    )
    return Decision(edited, event, final=False)


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two raters' labels on the same items (None when undefined).

    Undefined when the lists differ in length or are empty. When both raters give one
    and the same label to every item, kappa is 0/0; they agree on everything, so 1.0.
    """
    if len(a) != len(b) or not a:
        return None
    if len(set(a) | set(b)) == 1:
        return 1.0
    # Imported here: sklearn.metrics adds about a second to a cold start of the CLI.
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b))


def agreement(events: list[ReviewEvent]) -> list[dict[str, Any]]:
    """Kappa per reviewer pair over the items both voted on in double review."""
    by_item: dict[str, dict[str, str]] = {}
    for e in events:
        if e.decision in ("approve", "reject") and (e.note or "").startswith(VOTE):
            by_item.setdefault(e.item_id, {})[e.reviewer] = e.decision
    reviewers = sorted({r for v in by_item.values() for r in v})
    out = []
    for r1, r2 in combinations(reviewers, 2):
        shared = [v for v in by_item.values() if r1 in v and r2 in v]
        a, b = [v[r1] for v in shared], [v[r2] for v in shared]
        out.append(
            {
                "pair": [r1, r2],
                "items": len(shared),
                "agreement": (sum(x == y for x, y in zip(a, b, strict=True)) / len(shared))
                if shared
                else None,
                "kappa": cohen_kappa(a, b),
            }
        )
    return out
