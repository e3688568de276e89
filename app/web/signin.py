"""Who is signed in: the reviewer's session, checked against the bank; sign-in and sign-out.

The reviewer always comes from the session, never from a form; every POST checks the
session's CSRF token and the browser's Origin. Sessions are checked against the server's
replica of the bank (never waiting on another process): the token hash and the session
generation must still be the reviewer's. Signing out raises the generation (a journaled
write), so a copy of the cookie is refused too; `reviewers rotate` and `remove` change
the bank, which the replica follows within its sync interval, and a decision made with
an ended session is dropped when it reaches the bank (bank.store.review_journal).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.background import BackgroundTask

from app.web.app import SignInRequired, context, flash, render
from app.web.auth import csrf_ok, same_origin, session_reviewer, sign_in, sign_out, token_hash
from bank.store.review_journal import SessionBook

router = APIRouter()


# ---- identity and CSRF -----------------------------------------------------------------
def signed_in(request: Request, *, page: bool = True) -> str:
    """The signed-in reviewer, checked against the bank (its replica) on every request.

    A GET page without one redirects to sign-in; a POST is refused with 401.
    """
    claim = session_reviewer(request.session)
    held = context(request).replica.reviewer_record(claim[0]) if claim else None
    if claim is None or held is None or (held.token_hash, held.generation) != claim[1:]:
        if claim is not None:
            sign_out(request.session)  # signed out elsewhere, token replaced, or removed
        if page:
            raise SignInRequired
        raise HTTPException(401, "Sign in with your reviewer token first.")
    return held.name


def session_book(request: Request) -> tuple[str, SessionBook]:
    """The signed-in reviewer (checked) and the book their decisions are journaled in."""
    me = signed_in(request, page=False)
    name, hashed, generation = session_reviewer(request.session) or ("", "", -1)
    session = {"reviewer": name, "token_hash": hashed, "generation": generation}
    return me, SessionBook(context(request).replica, session)


def flush_after(request: Request, response: Response) -> Response:
    """The response, set to move journaled writes into the bank once it is sent.

    The flush (about 100 ms of DuckDB) runs after the page went out, so the reviewer
    does not wait for it; it never waits for another process (then the sync thread
    moves the writes when the file is free).
    """
    response.background = BackgroundTask(context(request).replica.try_flush)
    return response


def check_form(request: Request, csrf: str | None) -> None:
    """Refuse a POST whose CSRF token is missing or wrong, or that comes from another site."""
    hosts = (request.headers.get("host"), context(request).public_host)
    if not same_origin(request.headers.get("origin"), *hosts):
        raise HTTPException(403, "This form was sent from another site.")
    if not csrf_ok(request.session, csrf):
        raise HTTPException(
            403, "The form's security token is missing or out of date: reload the page."
        )


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
    check_form(request, csrf)
    web = context(request)
    hashed = token_hash(token)
    name = web.replica.reviewer_for_token_hash(hashed) if token.strip() else None
    held = web.replica.reviewer_record(name) if name else None
    if held is None:
        return render(
            request,
            "login.html",
            {"error": "That token does not belong to a reviewer. Check it and try again."},
            status=401,
        )
    sign_in(request.session, held.name, hashed, held.generation, web.clock().isoformat())
    flash(request, f"Signed in as {held.name}.")
    return RedirectResponse("/queue", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str | None, Form()] = None) -> Response:
    check_form(request, csrf)
    claim = session_reviewer(request.session)
    replica = context(request).replica
    held = replica.reviewer_record(claim[0]) if claim else None
    if claim is not None and held is not None and held.generation == claim[2]:
        # Every session of this generation ends, wherever its cookie was copied to.
        replica.end_reviewer_sessions(held.name, held.generation + 1)
    sign_out(request.session)
    return flush_after(request, RedirectResponse("/login", status_code=303))
