"""Reviewer pages: an item with its flaws and near-duplicates, and the decisions on it.

Decisions go through pipelines.review (decide_in, reopen_in, edit_in), so they are the
same append-only review events as the CLI's. Pages read the server's replica of the bank;
approve, reject and undo are journaled (bank.store.review_journal) and reach the bank
once the response is sent when it is free (never waiting for another process), else
with the background sync. An edit, which runs every check against the bank, writes it directly.

A decision sent by the page's script (header `X-Review-Fetch`) is answered with the next
item's page itself, so a key press costs one request; a plain form post is redirected.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.web.app import context, flash, render
from app.web.queue import (
    Filters,
    FormFilters,
    FormStr,
    QueryFilters,
    item_url,
    progress,
    queue_items,
)
from app.web.signin import check_form, flush_after, session_book, signed_in
from app.web.views import item_view
from bank import limits
from bank.errors import InputError, NotFoundError, StateError
from bank.models import LETTERS, Item
from bank.records import validation_problems
from pipelines.components import blueprint_for
from pipelines.review import (
    POOL_STATUSES,
    check_unchanged,
    comparison_pool,
    decide_in,
    edit_in,
    reopen_in,
)
from validators.review import REJECT_REASONS

router = APIRouter()
EDITABLE = ("domain", "topic", "stem", "options", "answer", "rationale", "difficulty", "bloom")
FETCH_HEADER = "x-review-fetch"  # sent by app.js: answer with the next page, not a redirect
LOCATION_HEADER = "X-Review-Location"  # the address of the page sent in its place


# ---- one item ------------------------------------------------------------------------
def _item_page(
    request: Request,
    item_id: str,
    filters: Filters,
    *,
    edit: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    confirm: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    web = context(request)
    replica = web.replica
    me = signed_in(request, page=confirm is None and edit is None)
    item = replica.get_item(item_id)
    assignee = replica.assignee(item_id)
    queue = [it.id for it in queue_items(replica, filters, me)]
    near = web.duplicates.for_page(
        item,
        lambda other: replica._copy.items.get(other),
        lambda: [
            i
            for i in replica.find_items(domain=item.domain, statuses=POOL_STATUSES)
            if i.id != item.id
        ],
    )
    at = queue.index(item_id) if item_id in queue else None
    prev_id = queue[at - 1] if at is not None and at > 0 else None
    if at is None:
        next_id = queue[0] if queue else None
    else:
        next_id = queue[at + 1] if at + 1 < len(queue) else None
    blueprint = blueprint_for(replica)
    domain = blueprint.domain(item.domain)
    mine = queue if not filters.query() else [it.id for it in queue_items(replica, Filters(), me)]
    return render(
        request,
        "item.html",
        {
            "view": item_view(item),
            "item": item,
            "domain": domain,
            "domains": blueprint.domains,
            "topics": domain.topics if domain else [],
            "events": replica.events(item_id),
            "assignee": assignee,
            "other_assignee": assignee if assignee and assignee != me else None,
            "confirm": confirm,
            "near": near or [],
            "searching": near is None,
            "position": None if at is None else at + 1,
            "queue_size": len(queue),
            "progress": progress(request, replica, me, len(mine)),
            "prev_id": prev_id,
            "next_id": next_id,
            "filters": filters,
            "reasons": REJECT_REASONS,
            "letters": LETTERS,
            "pending": item.status == "pending_review",
            "undoable": _undoable(replica.events(item_id), me),
            "double": web.double_review,
            "edit": edit or _editable(item),
            "edit_open": edit is not None,
            "errors": errors or [],
            "limits": limits,
        },
        status=status,
        reviewer=me,
    )


def _undoable(events: list[Any], me: str) -> bool:
    last = events[-1] if events else None
    return last is not None and last.reviewer == me and last.decision in ("approve", "reject")


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
    filters: QueryFilters,
) -> Response:
    return _item_page(request, item_id, filters)


def _next_id(
    request: Request, filters: Filters, me: str, after: str, hint: str | None
) -> str | None:
    """The item to show after a decision: the one that was next, else the head of the queue."""
    replica = context(request).replica
    if hint and hint != after:
        try:
            if replica.get_item(hint).status == "pending_review":
                return hint
        except NotFoundError:
            pass
    rest = [it.id for it in queue_items(replica, filters, me) if it.id != after]
    return rest[0] if rest else None


def _answer(request: Request, target: str | None, filters: Filters) -> Response:
    """The page after a decision: the item `target` (or the queue when None).

    The page's script gets the item page itself (one request per key press); a form post
    is redirected to it.
    """
    url = item_url(target, filters) if target else f"/queue{filters.query()}"
    if target and request.headers.get(FETCH_HEADER):
        page = _item_page(request, target, filters)
        page.headers[LOCATION_HEADER] = url
        return page
    return RedirectResponse(url, status_code=303)


def _with_undo(request: Request, item_id: str, filters: Filters) -> None:
    """Offer the undo of the decision just flashed (a form in the flash; key `z`)."""
    message = request.session.get("flash")
    if isinstance(message, dict):
        message["undo"] = {
            "action": item_url(item_id, Filters()).split("?")[0] + "/undo",
            "filters": {
                "domain": filters.domain or "",
                "flaw": filters.flaw,
                "reviewer": filters.reviewer,
                "status": filters.status,
                "q": filters.q,
            },
        }
        request.session["flash"] = message


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
    confirmed: bool = False,
) -> Response:
    check_form(request, csrf)
    web = context(request)
    me, book = session_book(request)
    owner = web.replica.assignee(item_id)
    over = owner if owner and owner != me else None
    if over and not confirmed:
        # Another reviewer holds this item: say so, and decide only on one more click.
        asked = {"decision": decision, "reason": reason or "", "note": note or ""}
        page = _item_page(request, item_id, filters, confirm=asked, status=409)
        page.headers[LOCATION_HEADER] = item_url(item_id, filters)
        return page
    try:
        outcome = decide_in(
            book,
            item_id,
            me,
            decision,
            web.clock(),
            reason=reason or None,
            note=(note or "").strip() or None,
            double=web.double_review,
            seen_hash=seen,
            over=over,
        )
    except (StateError, InputError) as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(item_url(item_id, filters), status_code=303)
    except ValidationError as exc:  # a field the model refuses (a note over its limit)
        flash(request, "Not saved: " + "; ".join(map(str, validation_problems(exc))), "error")
        return RedirectResponse(item_url(item_id, filters), status_code=303)
    verb = "Approved" if decision == "approve" else f"Rejected ({reason})"
    state = "" if outcome.final else " (vote recorded; waiting for a second reviewer)"
    flash(request, f"{verb} {item_id}{state}.")
    _with_undo(request, item_id, filters)
    page = _answer(request, _next_id(request, filters, me, item_id, hint), filters)
    return flush_after(request, page)


@router.post("/items/{item_id:path}/approve")
def approve(
    request: Request,
    item_id: str,
    filters: FormFilters,
    csrf: FormStr = None,
    seen: FormStr = None,
    next_id: FormStr = None,
    note: FormStr = None,
    confirm: FormStr = None,
) -> Response:
    return _decide(
        request,
        item_id,
        "approve",
        csrf=csrf,
        seen=seen,
        hint=next_id,
        filters=filters,
        note=note,
        confirmed=bool(confirm),
    )


@router.post("/items/{item_id:path}/reject")
def reject(
    request: Request,
    item_id: str,
    filters: FormFilters,
    csrf: FormStr = None,
    seen: FormStr = None,
    next_id: FormStr = None,
    reason: FormStr = None,
    note: FormStr = None,
    confirm: FormStr = None,
) -> Response:
    return _decide(
        request,
        item_id,
        "reject",
        csrf=csrf,
        seen=seen,
        hint=next_id,
        filters=filters,
        reason=reason,
        note=note,
        confirmed=bool(confirm),
    )


@router.post("/items/{item_id:path}/undo")
def undo(
    request: Request,
    item_id: str,
    filters: FormFilters,
    csrf: FormStr = None,
) -> Response:
    """Undo the reviewer's latest decision on an item: a reopen event, and the item again."""
    check_form(request, csrf)
    web = context(request)
    me, book = session_book(request)
    try:
        outcome = reopen_in(book, item_id, me, web.clock())
    except StateError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(item_url(item_id, filters), status_code=303)
    flash(request, f"Undone: {item_id} is {outcome.item.status.replace('_', ' ')} again.")
    return flush_after(request, _answer(request, item_id, filters))


@router.post("/items/{item_id:path}/edit")
def edit(
    request: Request,
    item_id: str,
    filters: FormFilters,
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
) -> Response:
    check_form(request, csrf)
    web = context(request)
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
    me = signed_in(request, page=False)
    try:
        with web.bank.write() as store:
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
            blueprint = blueprint_for(store)
            outcome = edit_in(
                store,
                item_id,
                patch,
                blueprint,
                me,
                web.clock(),
                detector=web.duplicates.detector(comparison_pool(store, item)),
                notes=web.notes(blueprint),
            )
    except (InputError, ValidationError) as exc:
        refused = exc.problems if isinstance(exc, InputError) else validation_problems(exc)
        problems = [str(p) for p in refused] or [str(exc)]
        return _item_page(request, item_id, filters, edit=shown, errors=problems, status=422)
    except StateError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(item_url(item_id, filters), status_code=303)
    web.replica.note_written(outcome.item, outcome.event)  # shown before the next reload
    found = ", ".join(f.code for f in outcome.item.flaws) or "no flaws"
    flash(request, f"Saved your edit of {outcome.event.note}. Re-validated: {found}.")
    return RedirectResponse(item_url(item_id, filters), status_code=303)
