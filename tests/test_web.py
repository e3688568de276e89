"""The web app through FastAPI's TestClient: auth, CSRF, escaping, no writes on GET,
learner isolation, decisions as review events, lock safety, and the web commands."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app import commands_web
from app.web import create_app
from app.web.auth import SESSION_COOKIE, token_hash
from bank.models import Blueprint, Flaw, Item, Learner, Source
from bank.store import open_store
from pipelines.plans import plan_for
from planner.calendar import ics_events
from tests.conftest import make_item
from validators.detector import LayeredDetector
from validators.flaws import check_flaws
from validators.lexical import LexicalLayer

SECRET = "test-secret-key-0123456789abcdef"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TOKENS = {"ana": "ana-token-" + "a" * 33, "ben": "ben-token-" + "b" * 33}
LEARNER_TOKENS = {"lea": "lea-link-" + "l" * 34, "<b>bob</b>": "bob-link-" + "o" * 34}
XSS = "<script>alert('x')</script>"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def flawed_item() -> Item:
    item = Item(
        domain=4,
        topic=None,
        stem="Which of the following is NOT a HIPAA identifier that must be removed?",
        options=["Patient name", "Five-digit ZIP code", "Blood type", "All of the above"],
        answer="C",
        sources=[Source(note="d4-hipaa", quote="Blood type is clinical data, not an identifier")],
    )
    return item.model_copy(update={"flaws": check_flaws(item.stem, item.options, item.answer)})


def xss_item() -> Item:
    return make_item(90, domain=5, stem=f"{XSS} Which form does a clinic file for claims?")


def twin_items() -> tuple[Item, Item]:
    """An approved item and a reworded copy of it in the queue: near-duplicates."""
    original = Item(
        domain=6,
        stem="Which report lists unpaid patient balances grouped by how long they are overdue?",
        options=["Aging report", "Day sheet", "Deposit slip", "Explanation of benefits"],
        answer="A",
        status="approved",
    )
    copy = Item(
        domain=6,
        stem="Which report lists the unpaid patient balances grouped by how long each is overdue?",
        options=["Day sheet", "Aging report", "Explanation of benefits", "Deposit slip"],
        answer="B",
    )
    return original, copy


@pytest.fixture(scope="session")
def plans(tmp_path_factory: pytest.TempPathFactory, blueprint: Blueprint) -> dict[str, dict]:
    """Each learner's plan, built once (planning takes about a second)."""
    out = {}
    with open_store(tmp_path_factory.mktemp("plans") / "plans.duckdb") as store:
        for learner in LEARNER_TOKENS:
            store.add_learner(Learner(id=learner, exam_date=date(2027, 1, 25), hours_per_week=6))
            plan = plan_for(store, learner, blueprint, today=date(2026, 11, 23), hours_per_week=6)
            out[learner] = plan.to_dict()
    return out


@pytest.fixture
def bank(db: Path, blueprint: Blueprint, plans: dict[str, dict]) -> dict[str, object]:
    """Pending items (plain, flawed, hostile, a near-duplicate), reviewers, learners with plans."""
    plain = [make_item(i) for i in range(3)]
    flawed, hostile = flawed_item(), xss_item()
    original, copy = twin_items()
    checked = {"checked_at": NOW, "checks_version": "test"}  # as the product's checks leave them
    # The checks store a near-duplicate as a flaw naming the other item (validators.report).
    found = [
        Flaw(code="possible_duplicate", where="stem", evidence=f"{original.id} (lexical 0.91)")
    ]
    copy = copy.model_copy(update={"flaws": found})
    queued = [it.model_copy(update=checked) for it in (*plain, flawed, hostile, original, copy)]
    with open_store(db) as store:
        store.save_blueprint(blueprint)
        store.save_items(queued)
        for name, token in TOKENS.items():
            store.add_reviewer(name, token_hash(token))
        for learner, token in LEARNER_TOKENS.items():
            store.add_learner(Learner(id=learner, exam_date=date(2027, 1, 25), hours_per_week=6))
            store.set_learner_token_hash(learner, token_hash(token))
            store.save_plan(f"{learner}-1", learner, plans[learner], now=NOW)
    return {
        "plain": [i.id for i in plain],
        "flawed": flawed.id,
        "hostile": hostile.id,
        "original": original.id,
        "copy": copy.id,
    }


def web_client(db: Path, **kwargs: object) -> TestClient:
    """A client that does not follow redirects unless told (each page costs a request)."""
    return TestClient(web_app(db, **kwargs), follow_redirects=False)


def web_app(db: Path, **kwargs: object):
    return create_app(
        db,
        SECRET,
        detector=LayeredDetector([LexicalLayer()]),
        clock=lambda: NOW,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def client(db: Path, bank: dict[str, object]) -> Iterator[TestClient]:
    with web_client(db) as c:
        yield c


def synced(client: TestClient) -> None:
    """Let the server's replica catch up with the bank now (it does every 0.25 s)."""
    assert client.app.state.web.replica.sync()  # type: ignore[attr-defined]


def csrf_of(client: TestClient, path: str = "/login") -> str:
    match = CSRF.search(client.get(path).text)
    assert match, path
    return match.group(1)


def sign_in(client: TestClient, name: str = "ana") -> str:
    response = client.post(
        "/login", data={"token": TOKENS[name], "csrf": csrf_of(client)}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    return csrf_of(client, "/queue")


def status_of(db: Path, item_id: str) -> str:
    with open_store(db, read_only=True) as store:
        return store.get_item(item_id).status


def events_of(db: Path, item_id: str | None = None) -> list:
    with open_store(db, read_only=True) as store:
        return store.events(item_id)


# ---- auth --------------------------------------------------------------------------------
def test_sign_in_sets_a_signed_httponly_samesite_cookie(client: TestClient) -> None:
    csrf = csrf_of(client)
    response = client.post(
        "/login", data={"token": TOKENS["ana"], "csrf": csrf}, follow_redirects=False
    )
    cookie = response.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert TOKENS["ana"] not in cookie  # the token itself never travels back
    page = client.get("/queue")
    assert page.status_code == 200 and "ana" in page.text
    # A cookie edited by hand fails its signature: back to sign-in.
    value = client.cookies[SESSION_COOKIE]
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, value[:-3] + ("AAA" if value[-3:] != "AAA" else "BBB"))
    assert client.get("/queue").headers["location"] == "/login"


def test_pages_and_actions_need_a_signed_in_reviewer(
    client: TestClient, db: Path, bank: dict
) -> None:
    item = bank["plain"][0]
    for path in ("/queue", f"/items/{item}", "/dashboard", "/"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] in ("/login", "/queue"), path
    csrf = csrf_of(client)  # a valid form token, but nobody signed in
    for action, extra in (("approve", {}), ("reject", {"reason": "other"}), ("edit", {})):
        response = client.post(f"/items/{item}/{action}", data={"csrf": csrf, **extra})
        assert response.status_code == 401, action
    assert status_of(db, item) == "pending_review" and events_of(db) == []


def test_foreign_and_wrong_tokens_are_refused(client: TestClient, db: Path) -> None:
    for token in ("", "not-a-token", LEARNER_TOKENS["lea"], TOKENS["ana"] + "x"):
        response = client.post("/login", data={"token": token, "csrf": csrf_of(client)})
        assert response.status_code == 401, token
        assert "does not belong to a reviewer" in response.text
        assert client.get("/queue").status_code == 303
    # A reviewer's token is no learner link, and a made-up link shows nobody.
    for token in (TOKENS["ana"], "x" * 43, "x" * 500):
        assert client.get(f"/learner/{token}").status_code == 404
        assert client.get(f"/learner/{token}/plan.ics").status_code == 404


def test_an_unknown_item_is_a_404_without_the_banks_path(client: TestClient, db: Path) -> None:
    sign_in(client)
    response = client.get("/items/d9-nope")
    assert response.status_code == 404 and "no item &#39;d9-nope&#39;" in response.text
    assert str(db) not in response.text


def test_a_replaced_token_ends_the_session(client: TestClient, db: Path) -> None:
    sign_in(client)
    with open_store(db) as store:
        store.con.execute("UPDATE reviewers SET token_hash = 'revoked' WHERE name = 'ana'")
    synced(client)
    assert client.get("/queue").headers["location"] == "/login"


# ---- CSRF --------------------------------------------------------------------------------
def test_every_post_without_the_session_csrf_token_is_403(
    client: TestClient, db: Path, bank: dict
) -> None:
    good = sign_in(client)
    item = bank["plain"][0]
    with web_client(db) as other:
        foreign = sign_in(other, "ben")  # a valid token, of another session
    posts = {
        f"/items/{item}/approve": {},
        f"/items/{item}/reject": {"reason": "other"},
        f"/items/{item}/edit": {"stem": "Which form is used for professional claims?"},
        "/logout": {},
        "/login": {"token": TOKENS["ana"]},
    }
    for path, data in posts.items():
        for csrf in (None, "", "wrong", foreign, good[:-1]):
            form = data if csrf is None else {**data, "csrf": csrf}
            response = client.post(path, data=form)
            assert response.status_code == 403, (path, csrf)
        response = client.post(
            path, data={**data, "csrf": good}, headers={"origin": "https://evil.example"}
        )
        assert response.status_code == 403, path
    assert status_of(db, item) == "pending_review" and events_of(db) == []
    assert client.get("/queue").status_code == 200  # still signed in: logout was refused too


def test_a_proxy_public_origin_is_accepted(db: Path, bank: dict) -> None:
    item = bank["plain"][0]
    with web_client(db, public_url="https://review.example.org") as client:
        csrf = sign_in(client)
        response = client.post(
            f"/items/{item}/approve",
            data={"csrf": csrf},
            headers={"origin": "https://review.example.org", "host": "127.0.0.1:8000"},
        )
    assert response.status_code == 303 and status_of(db, item) == "approved"


def test_every_post_form_carries_the_csrf_token(client: TestClient, bank: dict) -> None:
    csrf = sign_in(client)
    for path in ("/queue", f"/items/{bank['flawed']}", "/dashboard"):
        html = client.get(path).text
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S)
        assert forms, path
        for form in forms:
            assert f'name="csrf" value="{csrf}"' in form, (path, form[:80])


# ---- decisions -----------------------------------------------------------------------------
def test_approve_reject_and_edit_are_the_clis_review_events(
    client: TestClient, db: Path, bank: dict
) -> None:
    csrf = sign_in(client)
    first, second, third = bank["plain"]
    response = client.post(
        f"/items/{first}/approve",
        data={"csrf": csrf, "reviewer": "ben", "note": "fine"},  # reviewer here is a filter
        follow_redirects=False,
    )
    assert response.status_code == 303
    (event,) = events_of(db, first)
    assert (event.reviewer, event.decision, event.note) == ("ana", "approve", "fine")
    assert event.at == NOW and event.before["status"] == "pending_review"
    assert status_of(db, first) == "approved"

    bad = client.post(
        f"/items/{second}/reject",
        data={"csrf": csrf, "reason": "banana"},
        follow_redirects=True,
    )
    assert "banana" in bad.text and status_of(db, second) == "pending_review"
    client.post(
        f"/items/{second}/reject",
        data={"csrf": csrf, "reason": "factually_wrong", "note": "outdated form"},
    )
    with open_store(db, read_only=True) as store:
        rejected = store.get_item(second)
    assert rejected.status == "rejected" and rejected.reasons == ["factually_wrong: outdated form"]

    again = client.post(f"/items/{first}/approve", data={"csrf": csrf}, follow_redirects=True)
    assert "is approved, not pending_review" in again.text and len(events_of(db, first)) == 1

    # An edit is re-validated: two equal options are refused with the problem shown.
    with open_store(db, read_only=True) as store:
        item = store.get_item(third)
    options = dict(zip(("option_a", "option_b", "option_c", "option_d"), item.options, strict=True))
    refused = client.post(
        f"/items/{third}/edit",
        data={"csrf": csrf, "seen": item.content_hash, **options, "option_b": item.options[0]},
    )
    assert refused.status_code == 422 and "are the same" in refused.text
    assert events_of(db, third) == []
    saved = client.post(
        f"/items/{third}/edit",
        data={
            "csrf": csrf,
            "seen": item.content_hash,
            **options,
            "answer": item.answer,
            "stem": "Which of these is NOT the professional claim form?",
        },
        follow_redirects=True,
    )
    assert saved.status_code == 200 and "Re-validated: negative_words" in saved.text
    (edit,) = events_of(db, third)
    assert (edit.reviewer, edit.decision, edit.note) == ("ana", "edit", "stem")
    with open_store(db, read_only=True) as store:
        edited = store.get_item(third)
    assert edited.status == "pending_review" and [f.code for f in edited.flaws] == [
        "negative_words"
    ]
    # A decision on a version the reviewer did not see is refused.
    stale = client.post(
        f"/items/{third}/approve",
        data={"csrf": csrf, "seen": item.content_hash},
        follow_redirects=True,
    )
    assert "changed since you opened it" in stale.text and status_of(db, third) == "pending_review"


def test_double_review_needs_two_reviewers(db: Path, bank: dict) -> None:
    item = bank["plain"][0]
    # Two servers on one bank (and one journal): their sync threads are idle here, each
    # syncs when told, so neither writes while the test reads the bank.
    idle = {"double_review": True, "sync_interval": 3600}
    with web_client(db, **idle) as ana, web_client(db, **idle) as ben:
        ana_csrf, ben_csrf = sign_in(ana, "ana"), sign_in(ben, "ben")
        voted = ana.post(f"/items/{item}/approve", data={"csrf": ana_csrf}, follow_redirects=True)
        assert "waiting for a second reviewer" in voted.text
        assert status_of(db, item) == "pending_review"
        synced(ben)  # two servers on one bank: ben's sees ana's vote once it has synced
        ben.post(f"/items/{item}/approve", data={"csrf": ben_csrf})
    assert status_of(db, item) == "approved"
    assert [(e.reviewer, e.decision) for e in events_of(db, item)] == [
        ("ana", "approve"),
        ("ben", "approve"),
    ]


def test_a_decision_moves_on_to_the_next_item_then_to_the_empty_queue(
    client: TestClient, db: Path, bank: dict
) -> None:
    csrf = sign_in(client)
    queue = "?domain=5&flaw=-"  # the plain items and the hostile one
    ids = re.findall(r'<tr data-href="/items/([^"?]+)', client.get(f"/queue{queue}").text)
    assert set(ids) == {*bank["plain"], bank["hostile"]}
    path = f"/items/{ids[0]}{queue}"
    for _ in ids:
        item = path.split("/")[2].split("?")[0]
        response = client.post(
            f"/items/{item}/approve",
            data={"csrf": csrf, "domain": "5", "flaw": "-"},
        )
        path = response.headers["location"]
    assert path == "/queue?domain=5&flaw=-"
    assert "Nothing left to review here" in client.get(path).text


# ---- pages ---------------------------------------------------------------------------------
def test_an_imported_id_with_any_characters_can_be_reviewed(client: TestClient, db: Path) -> None:
    odd = make_item(50, id="import/Q 7?#&")
    with open_store(db) as store:
        store.save_items([odd])
    synced(client)
    csrf = sign_in(client)
    assert 'href="/items/import/Q%207%3F%23%26"' in client.get("/queue").text
    page = client.get("/items/import/Q%207%3F%23%26")
    assert page.status_code == 200 and 'action="/items/import/Q%207%3F%23%26/approve"' in page.text
    response = client.post("/items/import/Q%207%3F%23%26/approve", data={"csrf": csrf})
    assert response.status_code == 303 and status_of(db, odd.id) == "approved"


def test_queue_filters_by_domain_flaw_and_reviewer(
    client: TestClient, db: Path, bank: dict
) -> None:
    sign_in(client)

    def listed(query: str) -> set[str]:
        return set(re.findall(r'<tr data-href="/items/([^"?]+)', client.get(f"/queue{query}").text))

    pending = {*bank["plain"], bank["flawed"], bank["hostile"], bank["copy"]}
    assert listed("") == pending
    assert listed("?domain=4") == {bank["flawed"]}
    assert listed("?flaw=negative_words") == {bank["flawed"]}
    assert listed("?flaw=%2A") == {bank["flawed"], bank["copy"]}
    assert listed("?flaw=-") == pending - {bank["flawed"], bank["copy"]}
    with open_store(db) as store:
        store.assign([bank["plain"][0]], "ben", NOW, by="lead")
    synced(client)
    assert listed("?reviewer=ben") == {bank["plain"][0]}
    assert listed("") == pending - {bank["plain"][0]}  # ana's queue: not ben's items
    assert listed("?reviewer=%2A") == pending


def test_item_page_highlights_flaws_and_shows_quote_and_near_duplicates(
    client: TestClient, bank: dict
) -> None:
    sign_in(client)
    html = client.get(f"/items/{bank['flawed']}").text
    assert re.search(r'<mark class="flaw-mark" title="negative words">NOT</mark>', html)
    option_d = re.search(r'<li class="option\s+flawed">.*?</li>', html, re.S)
    assert (
        option_d
        and "All of the above" in option_d.group()
        and "all of the above" in (option_d.group())
    )
    assert "Blood type is clinical data, not an identifier" in html
    for key in ("<kbd>a</kbd>", "<kbd>r</kbd>", "<kbd>e</kbd>", "<kbd>j</kbd>", "<kbd>k</kbd>"):
        assert key in html
    assert 'value="all_of_the_above" selected' in html  # the first flaw is the reason offered
    dupes = client.get(f"/items/{bank['copy']}").text
    assert "Possible duplicates in the bank" in dupes and bank["original"] in dupes
    assert dupes.count("✓ Aging report") == 2  # both keys, side by side
    assert 'value="duplicate" selected' in dupes


def test_dashboard_shows_coverage_and_agreement(db: Path, bank: dict) -> None:
    # Two servers on one bank (and one journal): their sync threads are idle here, each
    # syncs when told, so neither writes while the test reads the bank.
    idle = {"double_review": True, "sync_interval": 3600}
    with web_client(db, **idle) as ana, web_client(db, **idle) as ben:
        ana_csrf, ben_csrf = sign_in(ana, "ana"), sign_in(ben, "ben")
        for n, item in enumerate(bank["plain"]):
            ana.post(f"/items/{item}/approve", data={"csrf": ana_csrf})
            synced(ben)  # two servers on one bank: each sees the other's votes once synced
            if n < 2:
                ben.post(f"/items/{item}/approve", data={"csrf": ben_csrf})
            else:
                ben.post(f"/items/{item}/reject", data={"csrf": ben_csrf, "reason": "other"})
        synced(ana)
        html = ana.get("/dashboard").text
    assert "Coverage by domain" in html and "Medical Records Management" in html
    assert "ana &amp; ben" in html and "67%" in html  # agree on 2 of 3 items
    assert re.search(r'class="kappa [a-z-]+">0\.00<', html)


def test_text_from_the_bank_is_escaped(client: TestClient, db: Path, bank: dict) -> None:
    csrf = sign_in(client)
    hostile = bank["hostile"]
    client.post(
        f"/items/{bank['plain'][0]}/reject", data={"csrf": csrf, "reason": "other", "note": XSS}
    )
    pages = [
        client.get("/queue").text,
        client.get(f"/items/{hostile}").text,
        client.get(f"/items/{bank['plain'][0]}").text,
        client.get("/dashboard").text,
        client.get(f"/learner/{LEARNER_TOKENS['<b>bob</b>']}").text,
    ]
    for html in pages:
        assert XSS not in html and "<b>bob</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in pages[1]
    assert "&lt;script&gt;" in pages[2]  # the reject note, in the audit trail
    assert "&lt;b&gt;bob&lt;/b&gt;" in pages[4]
    csp = client.get("/queue").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_no_get_changes_the_bank(client: TestClient, db: Path, bank: dict) -> None:
    sign_in(client)
    lea = LEARNER_TOKENS["lea"]
    with open_store(db, read_only=True) as store:
        before = store.content_digest()
    gets = [
        "/",
        "/login",
        "/queue",
        "/queue?domain=4&flaw=%2A&reviewer=%2A",
        "/dashboard",
        f"/learner/{lea}",
        f"/learner/{lea}/plan.ics?at=07:30&tz=Europe/Lisbon",
        f"/items/{bank['flawed']}",
        f"/items/{bank['copy']}",
        *(f"/items/{bank['plain'][0]}/{a}" for a in ("approve", "reject", "edit")),
        "/logout",
    ]
    for path in gets:
        assert client.get(path).status_code in (200, 303, 404, 405), path
    with open_store(db, read_only=True) as store:
        assert store.content_digest() == before


# ---- learners --------------------------------------------------------------------------------
def test_a_learner_link_shows_that_learner_only(client: TestClient) -> None:
    lea = client.get(f"/learner/{LEARNER_TOKENS['lea']}")
    bob = client.get(f"/learner/{LEARNER_TOKENS['<b>bob</b>']}")
    assert lea.status_code == bob.status_code == 200
    assert "Your study plan, lea" in lea.text and "bob" not in lea.text
    assert "&lt;b&gt;bob&lt;/b&gt;" in bob.text and "Your study plan, lea" not in bob.text
    assert '<table class="cal">' in lea.text and "Exam day" in lea.text
    assert lea.text.count("<svg") >= 3  # the report's charts
    assert lea.headers["referrer-policy"] == "same-origin"
    assert "set-cookie" not in lea.headers  # a learner needs no session
    ics = client.get(f"/learner/{LEARNER_TOKENS['lea']}/plan.ics?tz=America/New_York&at=07:00")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert 'filename="lea-study-plan.ics"' in ics.headers["content-disposition"]
    assert "study plan: lea" in ics.text and "bob" not in ics.text
    events = ics_events(ics.content)
    assert events and events[0].start.hour == 7
    assert str(events[0].start.tzinfo) == "America/New_York"
    for query in ("tz=Mars/Olympus", "tz=../../etc/passwd", "at=25:99"):
        assert client.get(f"/learner/{LEARNER_TOKENS['lea']}/plan.ics?{query}").status_code == 400


# ---- lock safety ------------------------------------------------------------------------------
HOLD = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
    """
)
FLOW = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from bank.models import RunRecord
    from bank.store import open_store
    print("started", flush=True)
    for n in range(int(sys.argv[2])):
        with open_store(sys.argv[1]) as store:
            store.save_run(RunRecord(id=f"nightly-{n}", flow="nightly",
                                     started_at=datetime.now(UTC)))
            time.sleep(0.1)
        time.sleep(0.005)
    """
)


def _start(script: str, *args: object) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() in ("held", "started")
    return proc


def test_a_decision_does_not_wait_for_another_process_lock(
    client: TestClient, db: Path, bank: dict
) -> None:
    # Issue #17: a decision is journaled and answered at once; it reaches the bank when
    # the other process lets go (before: it waited for the lock).
    csrf = sign_in(client)
    item = bank["plain"][0]
    holder = _start(HOLD, db, 0.8)
    started = time.monotonic()
    response = client.post(f"/items/{item}/approve", data={"csrf": csrf})
    waited = time.monotonic() - started
    assert response.status_code == 303 and waited < 0.4
    assert holder.wait(10) == 0
    synced(client)
    assert [(e.reviewer, e.decision) for e in events_of(db, item)] == [("ana", "approve")]


def test_a_busy_bank_loses_nothing(db: Path, bank: dict) -> None:
    # Issue #17: no more 503 for a decision while the bank is held: it waits in the
    # journal, and lands once the bank is free.
    item = bank["plain"][0]
    with web_client(db, lock_wait=0.3) as client:
        csrf = sign_in(client)
        holder = _start(HOLD, db, 1.2)
        response = client.post(f"/items/{item}/approve", data={"csrf": csrf})
        assert response.status_code == 303
        assert client.get("/queue").status_code == 200  # reads do not wait either
        assert holder.wait(10) == 0
        synced(client)
        assert status_of(db, item) == "approved"
        assert [e.decision for e in events_of(db)] == ["approve"]


def test_decisions_during_a_running_flow_are_all_in_the_audit_trail(
    client: TestClient, db: Path, bank: dict
) -> None:
    csrf = sign_in(client)
    runs = 8
    flow = _start(FLOW, db, runs)
    decided = [*bank["plain"], bank["flawed"]]
    for n, item in enumerate(decided):
        action, data = ("reject", {"reason": "other"}) if n % 2 else ("approve", {})
        response = client.post(
            f"/items/{item}/{action}", data={"csrf": csrf, **data}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
    assert flow.wait(30) == 0
    synced(client)  # what the flow kept out waited in the journal
    with open_store(db, read_only=True) as store:
        trail = {(e.item_id, e.decision) for e in store.events()}
        assert len(store.runs("nightly")) == runs
    assert trail == {(item, "reject" if n % 2 else "approve") for n, item in enumerate(decided)}


# ---- commands --------------------------------------------------------------------------------
@pytest.fixture
def cli() -> typer.Typer:
    """The commands registered as app/cli.py registers them."""
    root = typer.Typer()
    root.command("serve")(commands_web.serve)
    root.add_typer(commands_web.reviewers_app, name="reviewers")
    learners = typer.Typer()
    learners.command("link")(commands_web.link)
    root.add_typer(learners, name="learners")
    return root


def test_reviewers_add_prints_a_token_once_and_stores_its_hash(
    cli: typer.Typer, runner: CliRunner, db: Path, bank: dict
) -> None:
    result = runner.invoke(cli, ["reviewers", "add", "cleo", "--db", str(db)])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert len(token) >= 43
    with open_store(db, read_only=True) as store:
        stored = store.con.execute("SELECT token_hash FROM reviewers WHERE name = 'cleo'")
        (hashed,) = stored.fetchone()
        assert hashed == token_hash(token) and token not in hashed
    again = runner.invoke(cli, ["reviewers", "add", "cleo", "--db", str(db)])
    assert again.exit_code == 1 and "exists already" in again.stderr
    with web_client(db) as client:
        client.post("/login", data={"token": token, "csrf": csrf_of(client)})
        assert "cleo" in client.get("/queue").text


def test_learners_link_prints_a_url_that_replaces_the_old_one(
    cli: typer.Typer, runner: CliRunner, db: Path, bank: dict
) -> None:
    args = ["learners", "link", "lea", "--db", str(db), "--base-url", "http://127.0.0.1:9000/"]
    first = runner.invoke(cli, args)
    second = runner.invoke(cli, args)
    assert first.exit_code == second.exit_code == 0
    url1, url2 = first.stdout.strip(), second.stdout.strip()
    assert url1.startswith("http://127.0.0.1:9000/learner/") and url1 != url2
    with web_client(db) as client:
        assert client.get(url2.removeprefix("http://127.0.0.1:9000")).status_code == 200
        assert client.get(url1.removeprefix("http://127.0.0.1:9000")).status_code == 404
    missing = runner.invoke(cli, ["learners", "link", "nobody", "--db", str(db)])
    assert missing.exit_code == 1 and "no learner 'nobody'" in missing.stderr


def test_serve_binds_loopback_unless_told(
    cli: typer.Typer, runner: CliRunner, db: Path, bank: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    assert runner.invoke(cli, ["serve", "--db", str(db)]).exit_code == 0
    assert (calls[0]["host"], calls[0]["port"]) == ("127.0.0.1", 8000)
    # Not entered as a context: the app's startup (warming the detector's model) stays off.
    assert TestClient(calls[0]["app"]).get("/login").status_code == 200
    result = runner.invoke(cli, ["serve", "--db", str(db), "--host", "0.0.0.0", "--port", "8080"])
    assert result.exit_code == 0 and "other machines can reach" in result.stderr
    assert (calls[1]["host"], calls[1]["port"]) == ("0.0.0.0", 8080)


def test_every_web_command_has_help_with_an_example(cli: typer.Typer, runner: CliRunner) -> None:
    for path in (["serve"], ["reviewers", "add"], ["learners", "link"]):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and f"Example: cmasprep {' '.join(path)}" in result.stdout
