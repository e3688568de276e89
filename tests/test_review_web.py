"""Issue #17 through FastAPI's TestClient: undo, the assignment warning, search and filters,
bulk actions, progress, sessions that end everywhere, the reviewers commands, pages served
from the replica while another process holds the bank, journaled decisions that meet a
changed item, and learner tokens kept out of the access log."""

# ruff: noqa: F811  (the fixtures imported from tests.test_web are parameters here)

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app import commands_web
from app.web.auth import SESSION_COOKIE, token_hash
from bank.models import ReviewEvent
from bank.store import open_store
from tests.conftest import make_item
from tests.test_web import (  # noqa: F401  (fixtures)
    HOLD,
    LEARNER_TOKENS,
    NOW,
    TOKENS,
    _start,
    bank,
    csrf_of,
    events_of,
    plans,
    sign_in,
    status_of,
    synced,
    twin_items,
    web_client,
)

LISTED = re.compile(r'<tr data-href="/items/([^"?]+)')


@pytest.fixture
def client(db: Path, bank: dict[str, object]) -> Iterator[TestClient]:
    with web_client(db) as c:
        yield c


@pytest.fixture
def cli() -> typer.Typer:
    root = typer.Typer()
    root.add_typer(commands_web.reviewers_app, name="reviewers")
    return root


def settled(client: TestClient) -> None:
    """Let the server finish moving its journal into the bank before the test reads it.

    (The test opens the bank in the server's own process, where DuckDB refuses a second
    connection instead of waiting for it.)
    """
    synced(client)


def listed(client: TestClient, query: str = "") -> list[str]:
    return LISTED.findall(client.get(f"/queue{query}").text)


# ---- undo ------------------------------------------------------------------------------------
def test_undo_puts_the_item_back_with_both_events_in_the_audit_trail(
    client: TestClient, db: Path, bank: dict
) -> None:
    csrf = sign_in(client)
    first = bank["plain"][0]
    page = client.post(f"/items/{first}/approve", data={"csrf": csrf}, follow_redirects=True)
    assert f'action="/items/{first}/undo"' in page.text and "Undo <kbd>z</kbd>" in page.text
    assert first not in listed(client)
    undone = client.post(f"/items/{first}/undo", data={"csrf": csrf}, follow_redirects=True)
    assert f"Undone: {first} is pending review again." in undone.text
    settled(client)
    assert first in listed(client) and status_of(db, first) == "pending_review"
    trail = [(e.reviewer, e.decision, e.reason, e.note) for e in events_of(db, first)]
    assert trail == [
        ("ana", "approve", None, None),
        ("ana", "reopen", None, "undo of approve"),
    ]
    item_page = client.get(f"/items/{first}").text
    assert item_page.count("<b>approve</b>") == 1 and item_page.count("<b>reopen</b>") == 1
    # Nothing left to undo; a reject's reason goes away with its undo.
    again = client.post(f"/items/{first}/undo", data={"csrf": csrf}, follow_redirects=True)
    assert "nothing of yours to undo" in again.text
    client.post(f"/items/{first}/reject", data={"csrf": csrf, "reason": "other", "note": "x"})
    client.post(f"/items/{first}/undo", data={"csrf": csrf})
    with open_store(db, read_only=True) as store:
        item = store.get_item(first)
    assert item.status == "pending_review" and item.reasons == []


def test_another_reviewers_decision_cannot_be_undone(db: Path, bank: dict) -> None:
    first = bank["plain"][0]
    with web_client(db, sync_interval=3600) as ana, web_client(db, sync_interval=3600) as ben:
        ana_csrf, ben_csrf = sign_in(ana, "ana"), sign_in(ben, "ben")
        ana.post(f"/items/{first}/approve", data={"csrf": ana_csrf})
        synced(ben)
        refused = ben.post(f"/items/{first}/undo", data={"csrf": ben_csrf}, follow_redirects=True)
        assert "nothing of yours to undo" in refused.text
    assert status_of(db, first) == "approved"


# ---- the assignment warning ----------------------------------------------------------------
def test_deciding_another_reviewers_assignment_warns_then_records_it(
    client: TestClient, db: Path, bank: dict
) -> None:
    csrf = sign_in(client)
    item = bank["plain"][1]
    client.post(
        "/queue/bulk",
        data={"csrf": csrf, "ids": [item], "action": "assign", "assign_to": "ben"},
    )
    page = client.get(f"/items/{item}?reviewer=%2A").text
    assert "Assigned to ben." in page
    warned = client.post(f"/items/{item}/approve", data={"csrf": csrf, "reviewer": "*"})
    assert warned.status_code == 409 and "Approve anyway" in warned.text
    assert 'name="confirm" value="1"' in warned.text
    settled(client)
    assert status_of(db, item) == "pending_review"
    settled(client)
    assert [e.decision for e in events_of(db, item)] == ["assign"]
    done = client.post(f"/items/{item}/approve", data={"csrf": csrf, "confirm": "1"})
    settled(client)
    assert done.status_code == 303 and status_of(db, item) == "approved"
    event = events_of(db, item)[-1]
    assert (event.reviewer, event.decision, event.note) == (
        "ana",
        "approve",
        "decided over ben's assignment",
    )


# ---- search, filters, progress -------------------------------------------------------------
def test_queue_search_and_filters(client: TestClient, db: Path, bank: dict) -> None:
    csrf = sign_in(client)
    plain = bank["plain"]
    assert listed(client, "?q=batch+1%3F") == [plain[1]]  # every word, stem or options
    assert listed(client, "?q=ub-04+V2") == [plain[2]]  # options too, any case
    assert listed(client, "?q=aging+report") == [bank["copy"]]
    assert listed(client, "?q=nothing+like+this") == []
    assert set(listed(client, "?domain=5&q=claim")) == {*plain, bank["hostile"]}
    assert listed(client, "?flaw=possible_duplicate") == [bank["copy"]]
    client.post(f"/items/{plain[0]}/approve", data={"csrf": csrf})
    assert listed(client, "?status=approved&q=batch") == [plain[0]]
    assert set(listed(client, "?status=approved")) == {plain[0], bank["original"]}
    client.post(
        "/queue/bulk",
        data={"csrf": csrf, "ids": [plain[2]], "action": "assign", "assign_to": "ben"},
    )
    assert listed(client, "?reviewer=ben") == [plain[2]]
    assert listed(client, "?reviewer=ben&q=batch+1%3F") == []
    page = client.get("/queue").text
    assert "1 done this session · 4 left" in page
    assert "1 done this session" in client.get(f"/items/{plain[1]}").text


# ---- bulk ----------------------------------------------------------------------------------
def test_bulk_approve_reject_and_assign_are_one_event_each(
    client: TestClient, db: Path, bank: dict
) -> None:
    csrf = sign_in(client)
    a, b, c = bank["plain"]
    approved = client.post(
        "/queue/bulk",
        data={"csrf": csrf, "ids": [a, b], "action": "approve"},
        follow_redirects=True,
    )
    assert "Approved 2 items." in approved.text
    settled(client)
    assert status_of(db, a) == status_of(db, b) == "approved"
    no_reason = client.post(
        "/queue/bulk", data={"csrf": csrf, "ids": [c], "action": "reject"}, follow_redirects=True
    )
    settled(client)
    assert "Choose a reason" in no_reason.text and status_of(db, c) == "pending_review"
    mixed = client.post(
        "/queue/bulk",
        data={"csrf": csrf, "ids": [c, a], "action": "reject", "reason": "factually_wrong"},
        follow_redirects=True,
    )
    assert "Rejected (factually_wrong) 1 item." in mixed.text and "is approved" in mixed.text
    settled(client)
    assert status_of(db, c) == "rejected" and status_of(db, a) == "approved"
    assigned = client.post(
        "/queue/bulk",
        data={
            "csrf": csrf,
            "ids": [bank["flawed"], bank["hostile"]],
            "action": "assign",
            "assign_to": "ben",
        },
        follow_redirects=True,
    )
    assert "Assigned 2 items to ben." in assigned.text
    with open_store(db, read_only=True) as store:
        assert store.assignee(bank["flawed"]) == store.assignee(bank["hostile"]) == "ben"
    trail = [(e.item_id, e.decision) for e in events_of(db)]
    assert trail == [
        (a, "approve"),
        (b, "approve"),
        (c, "reject"),
        (bank["flawed"], "assign"),
        (bank["hostile"], "assign"),
    ]
    without_csrf = client.post("/queue/bulk", data={"ids": [bank["copy"]], "action": "approve"})
    settled(client)
    assert without_csrf.status_code == 403 and status_of(db, bank["copy"]) == "pending_review"


# ---- sessions end everywhere -----------------------------------------------------------------
def _replay(db: Path, cookie: str) -> TestClient:
    other = web_client(db)
    other.cookies.set(SESSION_COOKIE, cookie)
    return other


@pytest.mark.parametrize("how", ["sign-out", "rotate", "remove"])
def test_a_replayed_cookie_is_refused_and_records_nothing(
    how: str, client: TestClient, db: Path, bank: dict, cli: typer.Typer, runner: CliRunner
) -> None:
    csrf = sign_in(client)
    cookie = client.cookies[SESSION_COOKIE]
    if how == "sign-out":
        client.post("/logout", data={"csrf": csrf})
    else:
        result = runner.invoke(cli, ["reviewers", how, "ana", "--db", str(db)])
        assert result.exit_code == 0, result.output
        synced(client)
    item = bank["plain"][0]
    with _replay(db, cookie) as thief:
        refused = thief.post(f"/items/{item}/approve", data={"csrf": csrf})
        assert refused.status_code == 401
        assert thief.get("/queue").headers["location"] == "/login"
    # The same cookie in the server that issued it.
    replayed = TestClient(client.app, follow_redirects=False)
    replayed.cookies.set(SESSION_COOKIE, cookie)
    assert replayed.post(f"/items/{item}/approve", data={"csrf": csrf}).status_code == 401
    assert replayed.get("/queue").headers["location"] == "/login"
    synced(client)
    assert status_of(db, item) == "pending_review" and events_of(db) == []


def test_a_decision_journaled_before_a_rotation_reaches_the_bank_as_nothing(
    db: Path, bank: dict
) -> None:
    # The server has not synced the rotation yet (an hour between syncs here): the
    # decision is journaled, and the bank, which knows the session ended, drops it.
    item = bank["plain"][0]
    with web_client(db, sync_interval=3600) as client:
        csrf = sign_in(client)
        holder = _start(HOLD, db, 0.6)  # keeps the request's own flush out
        with open_store(db, wait_s=5) as store:  # waits for the holder, then rotates
            store.rotate_reviewer_token("ana", token_hash("new-" + "t" * 40))
        assert holder.wait(10) == 0
        holder2 = _start(HOLD, db, 0.6)
        response = client.post(f"/items/{item}/approve", data={"csrf": csrf})
        assert response.status_code == 303  # the replica did not know yet
        assert holder2.wait(10) == 0
        synced(client)
        assert client.get("/queue").headers["location"] == "/login"
    assert status_of(db, item) == "pending_review" and events_of(db) == []


def test_reviewers_list_remove_and_rotate(
    cli: typer.Typer, runner: CliRunner, db: Path, bank: dict
) -> None:
    with web_client(db) as client:
        csrf = sign_in(client, "ben")
        client.post(f"/items/{bank['plain'][0]}/approve", data={"csrf": csrf})
    listing = runner.invoke(cli, ["reviewers", "list", "--db", str(db)])
    assert listing.exit_code == 0
    assert re.search(r"^ana\tadded \d{4}-\d\d-\d\d\t0 events$", listing.stdout, re.M)
    assert re.search(r"^ben\tadded .*\t1 events$", listing.stdout, re.M)
    rotated = runner.invoke(cli, ["reviewers", "rotate", "ana", "--db", str(db)])
    assert rotated.exit_code == 0
    new = rotated.stdout.strip().splitlines()[-1]
    assert len(new) >= 43 and new != TOKENS["ana"]
    removed = runner.invoke(cli, ["reviewers", "remove", "ben", "--db", str(db)])
    assert removed.exit_code == 0 and "stay in the audit trail" in removed.stdout
    assert [e.reviewer for e in events_of(db)] == ["ben"]  # past events kept
    for args in (["remove", "ben"], ["rotate", "nobody"]):
        missing = runner.invoke(cli, ["reviewers", *args, "--db", str(db)])
        assert missing.exit_code != 0 and "no reviewer" in missing.stderr
    with web_client(db) as client:
        for token, ok in ((TOKENS["ana"], False), (TOKENS["ben"], False), (new, True)):
            response = client.post("/login", data={"token": token, "csrf": csrf_of(client)})
            assert (response.status_code == 303) is ok
    again = runner.invoke(cli, ["reviewers", "add", "ben", "--db", str(db)])
    assert again.exit_code == 0  # a removed name can be given again


# ---- reads never wait ------------------------------------------------------------------------
def test_pages_answer_from_stored_findings_while_another_process_holds_the_bank(
    client: TestClient, db: Path, bank: dict
) -> None:
    csrf = sign_in(client)
    holder = _start(HOLD, db, 3)
    started = time.monotonic()
    page = client.get(f"/items/{bank['copy']}")
    assert page.status_code == 200
    assert "Possible duplicates in the bank" in page.text and bank["original"] in page.text
    for path in ("/queue", "/dashboard", f"/items/{bank['flawed']}", "/queue?q=claim"):
        assert client.get(path).status_code == 200, path
    decided = client.post(f"/items/{bank['flawed']}/approve", data={"csrf": csrf})
    assert decided.status_code == 303
    assert time.monotonic() - started < 1.5  # not one of them waited for the holder
    assert holder.wait(10) == 0
    synced(client)
    assert status_of(db, bank["flawed"]) == "approved"


def test_an_unchecked_item_is_searched_once_in_the_background(db: Path, bank: dict) -> None:
    original, copy = twin_items()
    stem = copy.stem.replace("each is", "each one is")  # not the same text: a new item
    twin = make_item(0, domain=6, stem=stem, options=copy.options, answer=copy.answer)
    twin = twin.model_copy(update={"id": "unchecked-twin"})
    with open_store(db) as store:
        store.save_items([twin])  # stored before the checks: no findings, no checked_at
    with web_client(db) as client:
        sign_in(client)
        first = client.get("/items/unchecked-twin").text
        assert "being searched now" in first
        client.app.state.web.duplicates.wait()  # type: ignore[attr-defined]
        second = client.get("/items/unchecked-twin").text
        assert "Possible duplicates in the bank" in second and original.id in second


# ---- a journaled decision meets a changed item ---------------------------------------------
def test_a_decision_on_an_item_changed_meanwhile_is_a_conflict_not_an_overwrite(
    db: Path, bank: dict
) -> None:
    item = bank["plain"][0]
    with web_client(db, sync_interval=3600) as client:
        csrf = sign_in(client)
        holder = _start(HOLD, db, 0.6)
        assert client.post(f"/items/{item}/approve", data={"csrf": csrf}).status_code == 303
        assert holder.wait(10) == 0
        with open_store(db) as store:  # another process edits the item before the sync
            changed = store.get_item(item).model_copy(update={"stem": "Edited by a flow?"})
            store.update_item(
                changed, ReviewEvent(item_id=item, reviewer="flow", at=NOW, decision="edit")
            )
        synced(client)
        assert item in listed(client)  # back in the queue
        page = client.get(f"/items/{item}").text
        assert "Edited by a flow?" in page and "not applied" in page
    with open_store(db, read_only=True) as store:
        stored = store.get_item(item)
        trail = [(e.decision, e.reason) for e in store.events(item)]
    assert stored.stem == "Edited by a flow?" and stored.status == "pending_review"
    assert trail == [("edit", None), ("requeue", "conflict")]


# ---- learner tokens stay out of the access log -----------------------------------------------
class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_learner_tokens_are_masked_in_uvicorns_access_log(db: Path, bank: dict) -> None:
    from tests.browser import served
    from tests.test_web import web_app

    capture = _Capture()
    try:
        with served(
            web_app(db),
            lifespan="off",
            log_level=None,  # the log configuration decides, as under `cmasprep serve`
            log_config=commands_web.log_config(),
            access_log=True,
        ) as base:
            # After uvicorn's Config applied the log configuration, which resets handlers.
            logging.getLogger("uvicorn.access").addHandler(capture)
            token = LEARNER_TOKENS["lea"]
            assert httpx.get(f"{base}/learner/{token}").status_code == 200
            assert httpx.get(f"{base}/learner/{token}/plan.ics").status_code == 200
            httpx.get(f"{base}/learner/{token}?x=1")
    finally:
        logging.getLogger("uvicorn.access").removeHandler(capture)
    logged = "\n".join(capture.lines)
    assert token not in logged
    assert '"GET /learner/**** HTTP/1.1" 200' in logged
    assert '"GET /learner/****/plan.ics HTTP/1.1" 200' in logged
