"""Practice in the browser, on the learner's token link: tutor mode, drill and mock exams.

Every route takes the learner from the token in the path (hashed and looked up in the
replica): a session id of another learner is "not found", the same as no session at all.
Forms post without a session cookie: the token in the action's path is the secret a
forged cross-site form cannot know, and the browser's Origin must name this server.
Each answer carries an idempotency key the page made (session id and position, and the
record's revision in a mock exam), so a retried POST records nothing twice.

The steps are `pipelines.practice_sessions`' over the replica: no request here opens the
bank file, so a learner never waits on a flow that holds it. The pages a learner reads
(question, feedback, review, report) only read the replica's memory, so they run on the
event loop (`async def`) rather than being handed to a worker thread and back, which
cost more CPU than the page itself on a busy machine; the POSTs wait on the journal's
fsync, so they stay plain functions FastAPI runs in its threads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.web.app import context, render
from app.web.auth import same_origin, token_hash
from app.web.practice_views import feedback_page, question_page, report_page, review_page
from bank.errors import InputError
from pipelines.components import blueprint_for
from pipelines.practice_records import SessionKind
from pipelines.practice_sessions import answer, finish, load_session, start_session

router = APIRouter()
TOKEN_MAX = 128
NOT_FOUND = "This plan link is not valid: it may have been replaced by a newer one."


def learner_of(request: Request, token: str) -> str:
    """The id of the learner whose link this is (404 for any other token)."""
    if not token or len(token) > TOKEN_MAX:
        raise HTTPException(404, NOT_FOUND)
    learner_id = context(request).replica.learner_for_token_hash(token_hash(token))
    if learner_id is None:
        raise HTTPException(404, NOT_FOUND)
    return learner_id


def _posted(request: Request, token: str) -> str:
    """The learner of a POST, refused (403) when a page of another site sent it."""
    web = context(request)
    if not same_origin(request.headers.get("origin"), request.headers.get("host"), web.public_host):
        raise HTTPException(403, "This form was sent from another site.")
    return learner_of(request, token)


def _to(token: str, session_id: str, tail: str = "") -> RedirectResponse:
    return RedirectResponse(f"/learner/{token}/practice/{session_id}{tail}", status_code=303)


@router.post("/learner/{token}/practice")
def start(
    request: Request,
    token: str,
    kind: Annotated[SessionKind, Form()],
    size: Annotated[int, Form()] = 10,
    domain: Annotated[int | None, Form()] = None,
    block: Annotated[str | None, Form()] = None,
    focus: Annotated[str | None, Form()] = None,
    key: Annotated[str | None, Form(max_length=80)] = None,
) -> Response:
    """Start a session and go to its first question (a retried start goes to the same)."""
    learner_id = _posted(request, token)
    web = context(request)
    store = web.replica
    try:
        record = start_session(
            store,
            learner_id,
            blueprint_for(store),
            kind,
            web.clock(),
            size=size,
            domain=domain,
            block=block or None,
            focus=focus,
            key=key or None,
        )
    except InputError as exc:
        raise HTTPException(400, str(exc).splitlines()[0]) from None
    return _to(token, record.id)


@router.get("/learner/{token}/practice/{session_id}")
async def question(
    request: Request, token: str, session_id: str, at: int | None = None
) -> Response:
    """The session's current question (a mock exam: the one asked for with `at`)."""
    learner_id = learner_of(request, token)
    web = context(request)
    record = load_session(web.replica, learner_id, session_id)
    if record.finished:
        return _to(token, session_id, "/report")
    if record.kind != "mock":
        current = record.current()
        if current is None:  # every drawn item answered: the last feedback, then the summary
            return _to(token, session_id, f"/feedback/{len(record.answers) - 1}")
        at = current
    values = question_page(web.replica, record, token, at or 0, web.clock())
    return render(request, "practice_question.html", values, session=False)


@router.post("/learner/{token}/practice/{session_id}/answer")
def take_answer(
    request: Request,
    token: str,
    session_id: str,
    position: Annotated[int, Form()],
    key: Annotated[str, Form(min_length=1, max_length=120)],
    choice: Annotated[str | None, Form()] = None,
    flag: Annotated[str | None, Form()] = None,
    go: Annotated[str, Form()] = "next",
) -> Response:
    """Record an answer; tutor mode shows its feedback, a mock exam moves on."""
    learner_id = _posted(request, token)
    web = context(request)
    store = web.replica
    record = load_session(store, learner_id, session_id)
    flagged = None if flag is None else flag in ("1", "on", "yes")
    try:
        # The response and the session's new record: one journal commit (one fsync).
        with store.batch():
            done = answer(
                store,
                blueprint_for(store),
                record,
                position,
                choice or None,
                web.clock(),
                key=key,
                flag=flagged,
            )
    except InputError as exc:
        raise HTTPException(400, str(exc).splitlines()[0]) from None
    if done.record.finished:
        return _to(token, session_id, "/report")
    if done.record.kind != "mock":
        return _to(token, session_id, f"/feedback/{position}")
    if go == "review":
        return _to(token, session_id, "/review")
    step = {"prev": -1, "stay": 0}.get(go, 1)
    target = min(max(position + step, 0), len(done.record.items) - 1)
    if step == 1 and position == len(done.record.items) - 1:
        return _to(token, session_id, "/review")
    return _to(token, session_id, f"?at={target}")


@router.get("/learner/{token}/practice/{session_id}/feedback/{position}")
async def show_feedback(request: Request, token: str, session_id: str, position: int) -> Response:
    """Tutor mode: the answered question, what was right, why the choice was wrong."""
    learner_id = learner_of(request, token)
    web = context(request)
    record = load_session(web.replica, learner_id, session_id)
    if record.kind == "mock" or position not in record.answers:
        return _to(token, session_id)
    values = feedback_page(web.replica, record, token, position)
    return render(request, "practice_feedback.html", values, session=False)


@router.get("/learner/{token}/practice/{session_id}/review")
async def review(request: Request, token: str, session_id: str) -> Response:
    """A mock exam's review screen: unanswered and flagged questions, then submit."""
    learner_id = learner_of(request, token)
    web = context(request)
    record = load_session(web.replica, learner_id, session_id)
    if record.finished:
        return _to(token, session_id, "/report")
    values = review_page(record, token, web.clock())
    return render(request, "practice_review.html", values, session=False)


@router.post("/learner/{token}/practice/{session_id}/finish")
def submit(request: Request, token: str, session_id: str) -> Response:
    """End the session (submit the exam); a second submit changes nothing."""
    learner_id = _posted(request, token)
    web = context(request)
    store = web.replica
    record = load_session(store, learner_id, session_id)
    finish(store, blueprint_for(store), record, web.clock())
    return _to(token, session_id, "/report")


@router.get("/learner/{token}/practice/{session_id}/report")
async def report(request: Request, token: str, session_id: str) -> Response:
    """A finished session's summary (a mock exam's score report)."""
    learner_id = learner_of(request, token)
    web = context(request)
    record = load_session(web.replica, learner_id, session_id)
    if not record.finished:
        return _to(token, session_id)
    values = report_page(web.replica, record, token)
    return render(request, "practice_report.html", values, session=False)
