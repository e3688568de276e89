"""The review queue: its filters (domain, status, flaw, reviewer, text), the page, bulk actions.

Every read comes from the server's replica of the bank, so the queue answers at once
even while another process holds the bank file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.web.app import context, flash, render
from app.web.signin import check_form, flush_after, session_book, signed_in
from bank.models import STATUSES, Item
from bank.store.replica import Replica
from pipelines.components import blueprint_for
from pipelines.review import assign_in, decide_many, done_since
from validators.review import REJECT_REASONS

router = APIRouter()
QUEUE_LIMIT = 2000  # read at most this many queued items per page view
SHOWN = 300  # list at most this many
EVERYONE, MINE = "*", ""
PENDING = "pending_review"


# ---- queue filters ---------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """The queue's filters, carried from page to page: domain, flaw, reviewer, status, text.

    reviewer: "" the signed-in reviewer's queue (their assigned items first, then the
    unassigned ones, without those they already voted on), "*" everyone's items, a name:
    the items assigned to that reviewer. flaw: "" any item, "*" items with a flaw, "-"
    items checked and found clean, else a flaw code. status: "" pending review, else a
    status (decided items can be looked up, and reopened from their page). q: words that
    must all appear in the stem or the options (any case).
    """

    domain: int | None = None
    flaw: str = ""
    reviewer: str = MINE
    status: str = ""
    q: str = ""

    @classmethod
    def of(
        cls,
        domain: str | None,
        flaw: str | None,
        reviewer: str | None,
        status: str | None = None,
        q: str | None = None,
    ) -> Filters:
        """Filters from a query string or a form (unknown values are ignored)."""
        number = int(domain) if domain and domain.strip().isdigit() else None
        state = (status or "").strip()
        return cls(
            number,
            (flaw or "").strip(),
            (reviewer or "").strip(),
            state if state in STATUSES and state != PENDING else "",
            " ".join((q or "").split())[:200],
        )

    def query(self) -> str:
        """The filters as a query string ("" when none is set)."""
        pairs = {
            "domain": self.domain,
            "flaw": self.flaw,
            "reviewer": self.reviewer,
            "status": self.status,
            "q": self.q,
        }
        text = urlencode({k: v for k, v in pairs.items() if v not in (None, "")})
        return f"?{text}" if text else ""

    def keep(self, item: Item) -> bool:
        """Whether an item passes the flaw and text filters."""
        if self.q:
            text = " ".join([item.stem, *item.options]).casefold()
            if not all(word in text for word in self.q.casefold().split()):
                return False
        codes = {f.code for f in item.flaws}
        if self.flaw == "*":
            return bool(codes)
        if self.flaw == "-":  # checked and found clean: an unchecked item is not clean
            return not codes and item.checked_at is not None
        return not self.flaw or self.flaw in codes


def queue_items(replica: Replica, filters: Filters, me: str) -> list[Item]:
    """The items a queue view lists, in the order they are reviewed."""
    if filters.status:
        items = replica.find_items(
            domain=filters.domain,
            statuses=[filters.status],
            assigned_to=filters.reviewer if filters.reviewer not in (MINE, EVERYONE) else None,
            limit=QUEUE_LIMIT,
        )
    elif filters.reviewer == MINE:
        items = replica.review_queue(domain=filters.domain, reviewer=me, limit=QUEUE_LIMIT)
    elif filters.reviewer == EVERYONE:
        items = replica.review_queue(domain=filters.domain, reviewer=None, limit=QUEUE_LIMIT)
    else:
        items = replica.find_items(
            domain=filters.domain,
            statuses=[PENDING],
            assigned_to=filters.reviewer,
            limit=QUEUE_LIMIT,
        )
    return [it for it in items if filters.keep(it)]


def item_url(item_id: str, filters: Filters) -> str:
    """An item page's address; imported ids may hold any character ("/" stays a "/")."""
    return f"/items/{quote(item_id)}{filters.query()}"


def progress(request: Request, replica: Replica, me: str, left: int) -> dict[str, int]:
    """What "12 done this session · 40 left" says: decisions since sign-in, less undos."""
    started = request.session.get("started")
    try:
        since = datetime.fromisoformat(started) if isinstance(started, str) else None
    except ValueError:
        since = None
    done = done_since(replica.events(), me, since) if since else 0
    return {"done": done, "left": left}


DomainQ = Annotated[str | None, Query()]
FlawQ = Annotated[str | None, Query()]
ReviewerQ = Annotated[str | None, Query()]
StatusQ = Annotated[str | None, Query()]
TextQ = Annotated[str | None, Query()]


def query_filters(
    domain: DomainQ = None,
    flaw: FlawQ = None,
    reviewer: ReviewerQ = None,
    status: StatusQ = None,
    q: TextQ = None,
) -> Filters:
    """The queue's filters from a page's query string."""
    return Filters.of(domain, flaw, reviewer, status, q)


QueryFilters = Annotated[Filters, Depends(query_filters)]


# ---- the queue -----------------------------------------------------------------------
@router.get("/queue")
def queue_page(request: Request, filters: QueryFilters) -> Response:
    replica = context(request).replica
    me = signed_in(request)
    unfiltered = queue_items(replica, replace(filters, flaw=""), me)
    items = [it for it in unfiltered if filters.keep(it)]
    shown = items[:SHOWN]
    assignees = replica.assignments()
    pending = sum(n for (_, s), n in replica.counts_by_domain_status().items() if s == PENDING)
    mine = len(queue_items(replica, Filters(), me))
    codes = {f.code for it in unfiltered for f in it.flaws} | ({filters.flaw} - {"", "*", "-"})
    return render(
        request,
        "queue.html",
        {
            "items": shown,
            "total": len(items),
            "pending": pending,
            "progress": progress(request, replica, me, mine),
            "assignees": {it.id: assignees.get(it.id) for it in shown},
            "filters": filters,
            "domains": blueprint_for(replica).domains,
            "flaw_codes": sorted(codes),
            "reviewers": replica.reviewers(),
            "everyone": EVERYONE,
            "statuses": [s for s in STATUSES if s != PENDING],
            "reasons": REJECT_REASONS,
        },
        reviewer=me,
    )


FormStr = Annotated[str | None, Form()]


def form_filters(
    domain: FormStr = None,
    flaw: FormStr = None,
    reviewer: FormStr = None,
    status: FormStr = None,
    q: FormStr = None,
) -> Filters:
    """The queue's filters carried by a posted form, so the reviewer comes back to them."""
    return Filters.of(domain, flaw, reviewer, status, q)


FormFilters = Annotated[Filters, Depends(form_filters)]


@router.post("/queue/bulk")
def bulk(
    request: Request,
    filters: FormFilters,
    ids: Annotated[list[str] | None, Form()] = None,
    action: FormStr = None,
    reason: FormStr = None,
    assign_to: FormStr = None,
    csrf: FormStr = None,
) -> Response:
    """Approve, reject or assign the selected items: one review event each."""
    check_form(request, csrf)
    web = context(request)
    me, book = session_book(request)
    chosen = list(dict.fromkeys(ids or []))[:SHOWN]
    back = RedirectResponse(f"/queue{filters.query()}", status_code=303)
    if not chosen:
        flash(request, "Select items first (the boxes at the start of each row).", "error")
        return back
    if action in ("approve", "reject"):
        if action == "reject" and reason not in REJECT_REASONS:
            flash(request, "Choose a reason to reject the selected items.", "error")
            return back
        outcome = decide_many(
            book,
            chosen,
            me,
            action,
            web.clock(),
            reason=reason if action == "reject" else None,
            note="bulk",
            double=web.double_review,
        )
        verb = "Approved" if action == "approve" else f"Rejected ({reason})"
        text = f"{verb} {len(outcome.decided)} item{'' if len(outcome.decided) == 1 else 's'}."
        if outcome.skipped:
            text += " Left: " + "; ".join(f"{i}: {why}" for i, why in outcome.skipped[:5])
        flash(request, text, "error" if outcome.skipped else "ok")
    elif action == "assign":
        target = (assign_to or "").strip()
        if target not in web.replica.reviewers():
            flash(request, "Choose a reviewer to assign the selected items to.", "error")
            return back
        done = assign_in(book, chosen, target, me, web.clock())
        flash(request, f"Assigned {len(done)} item{'' if len(done) == 1 else 's'} to {target}.")
    else:
        flash(request, "Choose what to do with the selected items.", "error")
        return back
    return flush_after(request, back)
