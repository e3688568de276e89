"""Practice in the browser through TestClient: tutor feedback, mock deadlines, reloads,
idempotent answers, learners kept apart, and mastery, readiness and the plan following."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.web import create_app
from app.web.auth import token_hash
from bank.models import Blueprint, Item, Learner
from bank.store import open_store
from pipelines.plans import plan_for
from tests.conftest import make_item

SECRET = "practice-secret-0123456789abcdef"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TOKENS = {"lea": "lea-practice-" + "p" * 30, "bob": "bob-practice-" + "q" * 30}
SESSION_URL = re.compile(r"/learner/[^/]+/practice/([0-9a-f]+)")


def practice_item(n: int, domain: int) -> Item:
    """An approved item with a rationale that says why each option is right or wrong."""
    return make_item(
        n,
        domain=domain,
        stem=f"In domain {domain}, which step comes first for case {n}?",
        options=[f"Step one {n}", f"Step two {n}", f"Step three {n}", f"Step four {n}"],
        answer="A",
        rationale=(
            f"A is correct. Step one {n} is what the policy names first. "
            f"B is wrong. Step two {n} only follows step one. "
            f"C is wrong. Step three {n} is for a later visit. "
            f"D is wrong. Step four {n} closes the case. Rule: first things first."
        ),
        status="approved",
    )


def build_bank(
    db: Path, blueprint: Blueprint, per_domain: int = 12, start: datetime = START
) -> list[Item]:
    """A bank of approved items in every domain and two learners with tokens and plans."""
    items = [practice_item(d * 100 + i, d) for d in blueprint.numbers for i in range(per_domain)]
    with open_store(db) as store:
        store.save_blueprint(blueprint)
        store.save_items(items)
        for learner, token in TOKENS.items():
            store.add_learner(
                Learner(id=learner, exam_date=start.date() + timedelta(days=63), hours_per_week=6),
                start,
            )
            store.set_learner_token_hash(learner, token_hash(token))
            plan_for(store, learner, blueprint, today=start.date(), hours_per_week=6, now=start)
    return items


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def site(db: Path, blueprint: Blueprint, clock: Clock) -> Iterator[tuple[TestClient, Path]]:
    build_bank(db, blueprint)
    app = create_app(db, SECRET, clock=clock, sync_interval=0.05)
    with TestClient(app, follow_redirects=False) as client:
        yield client, db


def start(client: TestClient, learner: str, kind: str, size: int = 10, key: str = "") -> str:
    response = client.post(
        f"/learner/{TOKENS[learner]}/practice", data={"kind": kind, "size": size, "key": key}
    )
    assert response.status_code == 303, response.text
    found = SESSION_URL.search(response.headers["location"])
    assert found
    return found.group(1)


def base(learner: str, session_id: str) -> str:
    return f"/learner/{TOKENS[learner]}/practice/{session_id}"


def post_answer(
    client: TestClient, learner: str, session_id: str, position: int, choice: str, **extra: str
) -> str:
    data = {"position": position, "choice": choice, "key": f"{session_id}-{position}", **extra}
    response = client.post(base(learner, session_id) + "/answer", data=data)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def record_of(client: TestClient, session_id: str) -> dict[str, Any]:
    found: dict[str, Any] | None = client.app.state.web.replica.practice_session(session_id)  # type: ignore[attr-defined]
    assert found is not None
    return found


def test_tutor_session_gives_feedback_then_a_summary_and_the_plan_follows(
    site: tuple[TestClient, Path], clock: Clock
) -> None:
    client, db = site
    page = client.get(f"/learner/{TOKENS['lea']}")
    assert page.status_code == 200 and 'id="today"' in page.text and "Practise now" in page.text
    assert "not measured yet" in page.text  # no answers: no readiness number
    sid = start(client, "lea", "tutor", 10)
    answered_wrong = False
    for position in range(10):
        question = client.get(base("lea", sid))
        assert question.status_code == 200 and f"Question {position + 1} of 10" in question.text
        clock.tick(20)
        choice = "B" if position % 2 == 0 else "A"
        location = post_answer(client, "lea", sid, position, choice)
        assert location.endswith(f"/feedback/{position}")
        feedback = client.get(location)
        assert feedback.status_code == 200
        if choice == "B":
            answered_wrong = True
            assert "Why B is wrong" in feedback.text
            assert "only follows step one" in feedback.text  # the chosen distractor's reason
            assert "is what the policy names first" in feedback.text  # why the key is right
        else:
            assert "Right." in feedback.text
    assert answered_wrong
    assert "See your summary" in feedback.text
    replica = client.app.state.web.replica  # type: ignore[attr-defined]
    plan_before = replica.latest_plan("lea")[0]
    done = client.post(base("lea", sid) + "/finish")
    assert done.headers["location"].endswith("/report")
    report = client.get(done.headers["location"])
    assert report.status_code == 200 and "5</b> of 10 right" in report.text
    assert "Re-planned" in report.text and "new answers" in report.text
    assert "To review (5)" in report.text
    assert len(replica.responses("lea")) == 10
    assert replica.latest_plan("lea")[0] > plan_before  # the plan was made again
    record = record_of(client, sid)
    summary = record["summary"]
    moved = [d for d in summary["domains"] if d["after"]["n"] > d["before"]["n"]]
    assert moved and summary["readiness"]["expected"] != summary["readiness_before"]["expected"]
    # The page shows what the numbers rest on, and the session in the recent list.
    page = client.get(f"/learner/{TOKENS['lea']}")
    assert "rests on 10 answers" in page.text and "5/10" in page.text
    client.app.state.web.replica.sync()  # type: ignore[attr-defined]
    with open_store(db, read_only=True) as store:
        assert len(store.responses("lea")) == 10
        stored = store.practice_session(sid)
        assert stored is not None and stored["finished_at"] is not None


def test_a_retried_answer_records_nothing_twice(site: tuple[TestClient, Path]) -> None:
    client, _ = site
    sid = start(client, "lea", "tutor", 3, key="start-1")
    assert start(client, "lea", "tutor", 3, key="start-1") == sid  # a retried start
    for _ in range(3):
        post_answer(client, "lea", sid, 0, "A")
    post_answer(client, "lea", sid, 0, "C")  # another tab, another choice: the first stands
    replica = client.app.state.web.replica  # type: ignore[attr-defined]
    assert len(replica.responses("lea")) == 1
    assert record_of(client, sid)["answers"]["0"]["choice"] == "A"


def test_another_learners_token_cannot_see_or_answer_the_session(
    site: tuple[TestClient, Path],
) -> None:
    client, _ = site
    sid = start(client, "lea", "tutor", 3)
    bob = f"/learner/{TOKENS['bob']}/practice/{sid}"
    assert client.get(bob).status_code == 404
    assert client.get(bob + "/report").status_code == 404
    data = {"position": 0, "choice": "A", "key": f"{sid}-0"}
    assert client.post(bob + "/answer", data=data).status_code == 404
    assert client.post(bob + "/finish").status_code == 404
    assert client.get(f"/learner/not-a-token/practice/{sid}").status_code == 404
    assert client.app.state.web.replica.responses("lea") == []  # type: ignore[attr-defined]
    page = client.get(f"/learner/{TOKENS['bob']}")
    assert sid not in page.text
    # A form posted from another site is refused.
    forged = client.post(
        f"/learner/{TOKENS['lea']}/practice/{sid}/answer",
        data=data,
        headers={"origin": "https://evil.example"},
    )
    assert forged.status_code == 403


def test_mock_exam_deadline_reload_flags_and_score_report(
    site: tuple[TestClient, Path], clock: Clock
) -> None:
    client, _ = site
    sid = start(client, "lea", "mock", 10)
    record = record_of(client, sid)
    assert len(record["items"]) == 10
    deadline = datetime.fromisoformat(record["deadline"])
    assert deadline - START == timedelta(minutes=6)  # the exam's pace: 200 in 120 minutes
    form_items = [client.app.state.web.replica.get_item(i) for i in record["items"]]  # type: ignore[attr-defined]
    domains = {it.domain for it in form_items}
    assert len(domains) >= 5  # blueprint-weighted, not one domain
    for position in range(5):
        clock.tick(15)
        choice = form_items[position].answer if position < 4 else "D"
        location = post_answer(
            client, "lea", sid, position, choice, flag="1" if position == 2 else "0"
        )
        assert location.endswith(f"?at={position + 1}")
    # A reload mid-form: the same question, its flag and the time the server has left.
    clock.tick(30)
    page = client.get(base("lea", sid) + "?at=2")
    assert 'data-left="255.0"' in page.text  # 360 s - 75 s - 30 s
    assert "checked" in page.text and "Question 3 of 10" in page.text
    assert 'aria-pressed="true"' in page.text
    review = client.get(base("lea", sid) + "/review")
    assert "<b>5</b> unanswered" in review.text and "<b>1</b> flagged" in review.text
    assert client.app.state.web.replica.responses("lea") == []  # type: ignore[attr-defined]
    # After the deadline an answer does not count, and the exam ends there.
    clock.now = deadline + timedelta(seconds=1)
    location = post_answer(client, "lea", sid, 5, form_items[5].answer)
    assert location.endswith("/report")
    report = client.get(location)
    assert "Time was up" in report.text and "does not count" in report.text
    assert "4</b> of 10 right" in report.text and "Predicted scaled score" in report.text
    assert len(client.app.state.web.replica.responses("lea")) == 5  # type: ignore[attr-defined]
    again = client.post(base("lea", sid) + "/finish")
    assert again.status_code == 303
    assert len(client.app.state.web.replica.responses("lea")) == 5  # type: ignore[attr-defined]


def test_sessions_survive_a_server_restart(
    site: tuple[TestClient, Path], clock: Clock, blueprint: Blueprint
) -> None:
    client, db = site
    sid = start(client, "lea", "mock", 10)
    post_answer(client, "lea", sid, 0, "B", flag="1")
    client.app.state.web.replica.sync()  # type: ignore[attr-defined]
    app = create_app(db, SECRET, clock=clock)
    with TestClient(app, follow_redirects=False) as fresh:
        page = fresh.get(base("lea", sid) + "?at=0")
        assert page.status_code == 200 and "checked" in page.text
        assert 'aria-pressed="true"' in page.text


def test_learner_pages_carry_the_security_headers(site: tuple[TestClient, Path]) -> None:
    client, _ = site
    sid = start(client, "lea", "tutor", 3)
    for response in (
        client.get(base("lea", sid)),
        client.post(base("lea", sid) + "/answer", data={"position": 0, "choice": "A", "key": "k"}),
        client.get("/learner/not-a-token/practice/x"),
    ):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/app.js").headers.get("Cache-Control", "")


def test_the_nightly_refresh_lowers_its_own_cpu_priority_and_never_raises_it() -> None:
    # In a child process: the test run keeps its own priority.
    code = (
        "import os; from app.commands_flows import lower_priority as low; "
        "print(low(0), low(7), low(3), os.getpriority(os.PRIO_PROCESS, 0))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    assert out == [str(mine), str(max(mine, 7)), str(max(mine, 7)), str(max(mine, 7))]
