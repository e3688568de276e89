"""Who is signed in: the reviewer's session, checked against the bank; sign-in and sign-out.

The reviewer always comes from the session, never from a form; every POST checks the
session's CSRF token and the browser's Origin.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.web.app import SignInRequired, context, flash, render
from app.web.auth import csrf_ok, same_origin, session_reviewer, sign_in, sign_out, token_hash
from bank.store import Store

router = APIRouter()


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
    check_form(request, csrf)
    sign_out(request.session)
    return RedirectResponse("/login", status_code=303)
