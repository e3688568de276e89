"""The review queue: its filters (domain, flaw, reviewer) and the queue page."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.web.app import context, render
from app.web.signin import signed_in
from bank.models import Item
from bank.store import Store
from pipelines.components import blueprint_for

router = APIRouter()
QUEUE_LIMIT = 2000  # read at most this many queued items per page view
SHOWN = 300  # list at most this many
EVERYONE, MINE = "*", ""


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


def queue_items(store: Store, filters: Filters, me: str) -> list[Item]:
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


# ---- the queue -----------------------------------------------------------------------
@router.get("/queue")
def queue_page(
    request: Request, domain: DomainQ = None, flaw: FlawQ = None, reviewer: ReviewerQ = None
) -> Response:
    filters = Filters.of(domain, flaw, reviewer)
    with context(request).bank.read() as store:
        me = signed_in(request, store)
        unfiltered = queue_items(store, replace(filters, flaw=""), me)
        items = [it for it in unfiltered if filters.keep(it)]
        shown = items[:SHOWN]
        assignees = {it.id: store.assignee(it.id) for it in shown}
        blueprint = blueprint_for(store)
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
