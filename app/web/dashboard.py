"""The reviewers' dashboard: bank coverage against the blueprint, and reviewer agreement.

Read from the server's replica of the bank: it answers while another process holds the file.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.web.app import context, render
from app.web.signin import signed_in
from app.web.views import coverage, kappa_label
from pipelines.components import blueprint_for
from pipelines.stats import coverage_record
from validators.review import agreement

router = APIRouter()


@router.get("/dashboard")
def dashboard(request: Request) -> Response:
    replica = context(request).replica
    me = signed_in(request)
    events = replica.events()
    # coverage_record reads counts_by_domain_status, which the replica serves as the store does
    record = coverage_record(cast(Any, replica), blueprint_for(replica))
    decisions = Counter((e.reviewer, e.decision) for e in events)
    people = sorted({r for r, _ in decisions})
    pairs = agreement(events)
    for pair in pairs:
        pair["label"] = kappa_label(pair["kappa"])
    rows = coverage(record)
    return render(
        request,
        "dashboard.html",
        {
            "blueprint": record["blueprint"],
            "rows": rows,
            "total": record["total"],
            "approved": sum(r["approved"] for r in rows),
            "covered": sum(min(r["approved"], r["target"]) for r in rows),
            "target": sum(r["target"] for r in rows),
            "pending": sum(r["pending"] for r in rows),
            "people": [
                {
                    "name": r,
                    **{k: decisions.get((r, k), 0) for k in ("approve", "reject", "edit")},
                }
                for r in people
            ],
            "reasons": Counter(e.reason for e in events if e.decision == "reject").most_common(),
            "pairs": pairs,
        },
        reviewer=me,
    )
