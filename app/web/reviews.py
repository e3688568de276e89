"""Reviewer pages: an item with its flaws and near-duplicates, and the decisions on it.

Decisions go through pipelines.review (decide_in, edit_in), so they are the same
append-only review events as the CLI's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.web.app import context, flash, render
from app.web.queue import DomainQ, Filters, FlawQ, ReviewerQ, item_url, queue_items
from app.web.signin import check_form, signed_in
from app.web.views import item_view
from bank.errors import InputError, NotFoundError, StateError
from bank.models import LETTERS, Item
from bank.store import Store
from pipelines.components import blueprint_for
from pipelines.review import check_unchanged, comparison_pool, decide_in, edit_in
from validators.review import REJECT_REASONS

router = APIRouter()
EDITABLE = ("domain", "topic", "stem", "options", "answer", "rationale", "difficulty", "bloom")


# ---- one item ------------------------------------------------------------------------
def _item_page(
    request: Request,
    item_id: str,
    filters: Filters,
    *,
    edit: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> Response:
    web = context(request)
    with web.bank.read() as store:
        me = signed_in(request, store)
        item = store.get_item(item_id)
        events = store.events(item_id)
        assignee = store.assignee(item_id)
        queue = [it.id for it in queue_items(store, filters, me)]
        others = comparison_pool(store, item)
        blueprint = blueprint_for(store)
    near = web.duplicates.find(item, others)
    at = queue.index(item_id) if item_id in queue else None
    prev_id = queue[at - 1] if at is not None and at > 0 else None
    if at is None:
        next_id = queue[0] if queue else None
    else:
        next_id = queue[at + 1] if at + 1 < len(queue) else None
    domain = blueprint.domain(item.domain)
    return render(
        request,
        "item.html",
        {
            "view": item_view(item),
            "item": item,
            "domain": domain,
            "domains": blueprint.domains,
            "topics": domain.topics if domain else [],
            "events": events,
            "assignee": assignee,
            "near": near,
            "position": None if at is None else at + 1,
            "queue_size": len(queue),
            "prev_id": prev_id,
            "next_id": next_id,
            "filters": filters,
            "reasons": REJECT_REASONS,
            "letters": LETTERS,
            "pending": item.status == "pending_review",
            "double": web.double_review,
            "edit": edit or _editable(item),
            "edit_open": edit is not None,
            "errors": errors or [],
        },
        status=status,
        reviewer=me,
    )


def _editable(item: Item) -> dict[str, Any]:
    return {
        "domain": item.domain,
        "topic": item.topic or "",
        "stem": item.stem,
        "options": list(item.options),
        "answer": item.answer,
        "rationale": item.rationale or "",
        "difficulty": item.difficulty or "",
        "bloom": item.bloom or "",
    }


@router.get("/items/{item_id:path}")
def item_page(
    request: Request,
    item_id: str,
    domain: DomainQ = None,
    flaw: FlawQ = None,
    reviewer: ReviewerQ = None,
) -> Response:
    return _item_page(request, item_id, Filters.of(domain, flaw, reviewer))


def _next_page(store: Store, filters: Filters, me: str, after: str, hint: str | None) -> str:
    """Where to go after a decision: the item that was next, else the head of the queue."""
    if hint and hint != after:
        try:
            if store.get_item(hint).status == "pending_review":
                return item_url(hint, filters)
        except NotFoundError:
            pass
    rest = [it.id for it in queue_items(store, filters, me) if it.id != after]
    return item_url(rest[0], filters) if rest else f"/queue{filters.query()}"


def _decide(
    request: Request,
    item_id: str,
    decision: str,
    *,
    csrf: str | None,
    seen: str | None,
    hint: str | None,
    filters: Filters,
    reason: str | None = None,
    note: str | None = None,
) -> Response:
    check_form(request, csrf)
    web = context(request)
    try:
        with web.bank.write() as store:
            me = signed_in(request, store, page=False)
            outcome = decide_in(
                store,
                item_id,
                me,
                decision,
                web.clock(),
                reason=reason or None,
                note=(note or "").strip() or None,
                double=web.double_review,
                seen_hash=seen,
            )
            target = _next_page(store, filters, me, item_id, hint)
    except (StateError, InputError) as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(item_url(item_id, filters), status_code=303)
    verb = "Approved" if decision == "approve" else f"Rejected ({reason})"
    state = "" if outcome.final else " (vote recorded; waiting for a second reviewer)"
    flash(request, f"{verb} {item_id}{state}.")
    return RedirectResponse(target, status_code=303)


FormStr = Annotated[str | None, Form()]


@router.post("/items/{item_id:path}/approve")
def approve(
    request: Request,
    item_id: str,
    csrf: FormStr = None,
    seen: FormStr = None,
    next_id: FormStr = None,
    note: FormStr = None,
    domain: FormStr = None,
    flaw: FormStr = None,
    reviewer: FormStr = None,
) -> Response:
    return _decide(
        request,
        item_id,
        "approve",
        csrf=csrf,
        seen=seen,
        hint=next_id,
        filters=Filters.of(domain, flaw, reviewer),
        note=note,
    )


@router.post("/items/{item_id:path}/reject")
def reject(
    request: Request,
    item_id: str,
    csrf: FormStr = None,
    seen: FormStr = None,
    next_id: FormStr = None,
    reason: FormStr = None,
    note: FormStr = None,
    domain: FormStr = None,
    flaw: FormStr = None,
    reviewer: FormStr = None,
) -> Response:
    return _decide(
        request,
        item_id,
        "reject",
        csrf=csrf,
        seen=seen,
        hint=next_id,
        filters=Filters.of(domain, flaw, reviewer),
        reason=reason,
        note=note,
    )


@router.post("/items/{item_id:path}/edit")
def edit(
    request: Request,
    item_id: str,
    csrf: FormStr = None,
    seen: FormStr = None,
    stem: FormStr = None,
    option_a: FormStr = None,
    option_b: FormStr = None,
    option_c: FormStr = None,
    option_d: FormStr = None,
    answer: FormStr = None,
    rationale: FormStr = None,
    topic: FormStr = None,
    item_domain: FormStr = None,
    difficulty: FormStr = None,
    bloom: FormStr = None,
    domain: FormStr = None,
    flaw: FormStr = None,
    reviewer: FormStr = None,
) -> Response:
    check_form(request, csrf)
    web = context(request)
    filters = Filters.of(domain, flaw, reviewer)
    options = (option_a, option_b, option_c, option_d)
    raw = {
        "domain": item_domain,
        "topic": topic,
        "stem": stem,
        "options": None
        if all(o is None for o in options)
        else [(o or "").strip() for o in options],
        "answer": answer.strip().upper() if answer is not None else None,
        "rationale": rationale,
        "difficulty": difficulty,
        "bloom": bloom,
    }
    # A field the form did not send stays as it is; one sent empty is cleared.
    sent: dict[str, Any] = {
        k: v.strip() if isinstance(v, str) else v for k, v in raw.items() if v is not None
    }
    if isinstance(sent.get("domain"), str) and sent["domain"].isdigit():
        sent["domain"] = int(sent["domain"])
    shown = sent
    try:
        with web.bank.write() as store:
            me = signed_in(request, store, page=False)
            item = store.get_item(item_id)
            check_unchanged(item, seen)
            before = _editable(item)
            shown = {**before, **sent}
            # A cleared optional field is removed; the rest is sent only when it changed.
            patch = {
                k: (v if v != "" else None)
                for k, v in sent.items()
                if k in EDITABLE and v != before[k]
            }
            if not patch:
                flash(request, "No change.")
                return RedirectResponse(item_url(item_id, filters), status_code=303)
            outcome = edit_in(store, item_id, patch, blueprint_for(store), me, web.clock())
    except InputError as exc:
        problems = [str(p) for p in exc.problems] or [str(exc)]
        return _item_page(request, item_id, filters, edit=shown, errors=problems, status=422)
    except StateError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(item_url(item_id, filters), status_code=303)
    found = ", ".join(f.code for f in outcome.item.flaws) or "no flaws"
    flash(request, f"Saved your edit of {outcome.event.note}. Re-validated: {found}.")
    return RedirectResponse(item_url(item_id, filters), status_code=303)
