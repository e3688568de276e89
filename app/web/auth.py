"""Tokens, the signed session and CSRF: what decides who may do what on the web.

Reviewer and learner tokens are 32 random bytes (256 bits) shown once; the bank keeps
only their SHA-256. With that much entropy a fast hash is enough (nothing to brute-force),
and it lets the bank look a token up by its hash.

The session lives in a cookie signed with itsdangerous (Starlette's SessionMiddleware:
HttpOnly, SameSite=Lax). It holds the reviewer's name with the hash of the token they
signed in with and the reviewer's session generation, re-checked against the bank (the
server's replica of it) on every request, and a per-session CSRF token that every form
carries and every POST must send back. Signing out, rotating the token and removing the
reviewer each change what the bank holds, so every copy of the cookie stops working.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

SESSION_COOKIE = "cmasprep_session"
SESSION_MAX_AGE_S = 12 * 60 * 60  # a working day; then sign in again
CSRF_FIELD = "csrf"


def new_token() -> str:
    """A fresh secret token for a reviewer or a learner link (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the bank stores of a token: its SHA-256, hex."""
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token, created on first use."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def csrf_ok(session: dict[str, Any], submitted: str | None) -> bool:
    """Whether a form sent back this session's CSRF token (compared in constant time)."""
    expected = session.get(CSRF_FIELD)
    if not isinstance(expected, str) or not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


def same_origin(origin: str | None, *hosts: str | None) -> bool:
    """Whether a browser's Origin header, when it sends one, names this server.

    `hosts` are the Host header and the public host when a proxy rewrites it.
    """
    if not origin:
        return True
    sent = urlsplit(origin).netloc.lower()
    return origin != "null" and any(h and sent == h.lower() for h in hosts)


def sign_in(
    session: dict[str, Any], reviewer: str, hashed: str, generation: int = 0, started: str = ""
) -> None:
    """Start a fresh session (new CSRF token, so none issued before sign-in stays valid).

    `generation` is the reviewer's session generation in the bank; `started` when the
    session began (ISO time: "done this session" counts from it).
    """
    session.clear()
    session["reviewer"] = reviewer
    session["token_hash"] = hashed
    session["generation"] = int(generation)
    session["started"] = started
    csrf_token(session)


def sign_out(session: dict[str, Any]) -> None:
    session.clear()
    csrf_token(session)


def session_reviewer(session: dict[str, Any]) -> tuple[str, str, int] | None:
    """The (reviewer, token hash, generation) a session claims; checked by the caller."""
    name, hashed, gen = (
        session.get("reviewer"),
        session.get("token_hash"),
        session.get("generation"),
    )
    if isinstance(name, str) and isinstance(hashed, str) and name and hashed:
        return name, hashed, gen if isinstance(gen, int) else -1
    return None
