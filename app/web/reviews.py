"""Reviewer pages: sign-in, the queue, an item with its flaws, and decisions.

Decisions go through validators.review (decide, apply_edit) and Store.update_item, so
they are the same append-only review events as the CLI's. The reviewer always comes
from the session, never from a form; every POST checks the session's CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.common import resolve_blueprint
from app.web.app import SignInRequired, context, flash, render
from app.web.auth import csrf_ok, same_origin, session_reviewer, sign_in, sign_out, token_hash
from app.web.views import item_view
from bank.errors import InputError, NotFoundError, StateError
from bank.models import LETTERS, Item
from bank.store import Store
from validators.review import REJECT_REASONS, apply_edit, decide

router = APIRouter()
QUEUE_LIMIT = 2000  # read at most this many queued items per page view
SHOWN = 300  # list at most this many
EVERYONE, MINE = "*", ""
EDITABLE = ("domain", "topic", "stem", "options", "answer", "rationale", "difficulty", "bloom")


# ---- identity and CSRF -----------------------------------------------------------------
def signed_in(request: Request, store: Store, *, page: bool = True) -> str:
    """The signed-in reviewer, checked against the bank on every request.

    A GET page without one redirects to sign-in; a POST is refused with 401.
    """
    claim = session_reviewer(request.session)
    name = store.reviewer_for_token_hash(claim[1]) if claim else None
    if claim is None or name != claim[0]:
        if claim is not None:
            sign_out(request.session)  # the token was replaced or the reviewer removed
        if page:
            raise SignInRequired
        raise HTTPException(401, "Sign in with your reviewer token first.")
    return name


def _check_form(request: Request, csrf: str | None) -> None:
    """Refuse a POST whose CSRF token is missing or wrong, or that comes from another site."""
    hosts = (request.headers.get("host"), context(request).public_host)
    if not same_origin(request.headers.get("origin"), *hosts):
        raise HTTPException(403, "This form was sent from another site.")
    if not csrf_ok(request.session, csrf):
        raise HTTPException(
            403, "The form's security token is missing or out of date: reload the page."
        )


# ---- queue filters ---------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """The queue's filters, carried from page to page: domain, flaw code, reviewer.

    reviewer: "" the signed-in reviewer's queue (their assigned items first, then the
    unassigned ones, without those they already voted on), "*" everyone's pending items,
    a name: the items assigned to that reviewer. flaw: "" any item, "*" items with a
    flaw, "-" items without, else a flaw code.
    """

    domain: int | None = None
    flaw: str = ""
    reviewer: str = MINE

    @classmethod
    def of(cls, domain: str | None, flaw: str | None, reviewer: str | None) -> Filters:
        number = int(domain) if domain and domain.strip().isdigit() else None
        return cls(number, (flaw or "").strip(), (reviewer or "").strip())

    def query(self) -> str:
        pairs = {"domain": self.domain, "flaw": self.flaw, "reviewer": self.reviewer}
        text = urlencode({k: v for k, v in pairs.items() if v not in (None, "")})
        return f"?{text}" if text else ""

    def keep(self, item: Item) -> bool:
        codes = {f.code for f in item.flaws}
        if self.flaw == "*":
            return bool(codes)
        if self.flaw == "-":
            return not codes
        return not self.flaw or self.flaw in codes


def _queue(store: Store, filters: Filters, me: str) -> list[Item]:
    if filters.reviewer == MINE:
        items = store.review_queue(domain=filters.domain, reviewer=me, limit=QUEUE_LIMIT)
    elif filters.reviewer == EVERYONE:
        items = store.review_queue(domain=filters.domain, reviewer=None, limit=QUEUE_LIMIT)
    else:
        items = store.find_items(
            domain=filters.domain,
            statuses=["pending_review"],
            assigned_to=filters.reviewer,
            limit=QUEUE_LIMIT,
        )
    return [it for it in items if filters.keep(it)]


def item_url(item_id: str, filters: Filters) -> str:
    """An item page's address; imported ids may hold any character ("/" stays a "/")."""
    return f"/items/{quote(item_id)}{filters.query()}"


DomainQ = Annotated[str | None, Query()]
FlawQ = Annotated[str | None, Query()]
ReviewerQ = Annotated[str | None, Query()]


# ---- sign-in -------------------------------------------------------------------------
@router.get("/")
def home() -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    if session_reviewer(request.session):
        return RedirectResponse("/queue", status_code=303)
    return render(request, "login.html", {"error": None})


@router.post("/login")
def login(
    request: Request,
    token: Annotated[str, Form()] = "",
    csrf: Annotated[str | None, Form()] = None,
) -> Response:
    _check_form(request, csrf)
    hashed = token_hash(token)
    with context(request).bank.read() as store:
        name = store.reviewer_for_token_hash(hashed) if token.strip() else None
    if name is None:
        return render(
            request,
            "login.html",
            {"error": "That token does not belong to a reviewer. Check it and try again."},
            status=401,
        )
    sign_in(request.session, name, hashed)
    flash(request, f"Signed in as {name}.")
    return RedirectResponse("/queue", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str | None, Form()] = None) -> Response:
    _check_form(request, csrf)
    sign_out(request.session)
    return RedirectResponse("/login", status_code=303)


# ---- the queue -----------------------------------------------------------------------
@router.get("/queue")
def queue_page(
    request: Request, domain: DomainQ = None, flaw: FlawQ = None, reviewer: ReviewerQ = None
) -> Response:
    filters = Filters.of(domain, flaw, reviewer)
    with context(request).bank.read() as store:
        me = signed_in(request, store)
        unfiltered = _queue(store, replace(filters, flaw=""), me)
        items = [it for it in unfiltered if filters.keep(it)]
        shown = items[:SHOWN]
        assignees = {it.id: store.assignee(it.id) for it in shown}
        blueprint = resolve_blueprint(None, store)
        reviewers = store.reviewers()
        pending = sum(
            n for (_, s), n in store.counts_by_domain_status().items() if s == "pending_review"
        )
    codes = {f.code for it in unfiltered for f in it.flaws} | ({filters.flaw} - {"", "*", "-"})
    return render(
        request,
        "queue.html",
        {
            "items": shown,
            "total": len(items),
            "pending": pending,
            "assignees": assignees,
            "filters": filters,
            "domains": blueprint.domains,
            "flaw_codes": sorted(codes),
            "reviewers": reviewers,
            "everyone": EVERYONE,
        },
        reviewer=me,
    )


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
        queue = [it.id for it in _queue(store, filters, me)]
        others = [
            it
            for it in store.find_items(domain=item.domain, statuses=["approved", "pending_review"])
            if it.id != item.id
        ]
        blueprint = resolve_blueprint(None, store)
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
    rest = [it.id for it in _queue(store, filters, me) if it.id != after]
    return item_url(rest[0], filters) if rest else f"/queue{filters.query()}"


def _fresh(item: Item, seen: str | None) -> None:
    if seen and seen != item.content_hash:
        raise StateError(
            f"{item.id} changed since you opened it (someone edited it): review the new version"
        )


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
    _check_form(request, csrf)
    web = context(request)
    try:
        with web.bank.write() as store:
            me = signed_in(request, store, page=False)
            item = store.get_item(item_id)
            _fresh(item, seen)
            outcome = decide(
                item,
                me,
                decision,
                web.clock(),
                reason=reason or None,
                note=(note or "").strip() or None,
                double=web.double_review,
                history=store.events(item_id),
            )
            store.update_item(outcome.item, outcome.event)
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
    _check_form(request, csrf)
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
    sent = {k: v.strip() if isinstance(v, str) else v for k, v in raw.items() if v is not None}
    if isinstance(sent.get("domain"), str) and sent["domain"].isdigit():
        sent["domain"] = int(sent["domain"])
    shown = sent
    try:
        with web.bank.write() as store:
            me = signed_in(request, store, page=False)
            item = store.get_item(item_id)
            _fresh(item, seen)
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
            outcome = apply_edit(item, patch, resolve_blueprint(None, store), me, web.clock())
            store.update_item(outcome.item, outcome.event)
    except InputError as exc:
        problems = [str(p) for p in exc.problems] or [str(exc)]
        return _item_page(request, item_id, filters, edit=shown, errors=problems, status=422)
    except StateError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(item_url(item_id, filters), status_code=303)
    found = ", ".join(f.code for f in outcome.item.flaws) or "no flaws"
    flash(request, f"Saved your edit of {outcome.event.note}. Re-validated: {found}.")
    return RedirectResponse(item_url(item_id, filters), status_code=303)
