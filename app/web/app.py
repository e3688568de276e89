"""The FastAPI app: `create_app` wires the bank, sessions, templates and the two areas.

Reviewers (app.web.reviews) sign in with their token and work the review queue;
learners (app.web.learners) open their own plan through a token link. Every page is a
Jinja2 template with autoescape on; no route changes anything on GET.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web.auth import SESSION_COOKIE, SESSION_MAX_AGE_S, csrf_token
from app.web.services import NearDuplicates
from bank.blueprint import DATA_DIR
from bank.errors import BankBusyError, NotFoundError
from bank.models import Blueprint
from bank.notes import NoteSet, load_notes
from bank.store.access import BankFile
from bank.store.journal import Journal
from bank.store.replica import Replica, Syncer
from validators.detector import Detector

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = {
    # No inline script anywhere: the only script is /static/app.js. Inline styles stay
    # allowed for the planner's SVG charts, which style their text with attributes.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Learner links carry their token in the path: never send it to another site. (Not
    # "no-referrer": with it, browsers send "Origin: null" on our own form posts.)
    "Referrer-Policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware: the security headers (and no-store but for /static/) on every reply.

    Plain ASGI rather than `@app.middleware("http")`: that wraps each request in a task
    group and a streamed body, a few hundred microseconds of CPU per request under load.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers the reply does not set itself."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for header, value in SECURITY_HEADERS.items():
                    headers.setdefault(header, value)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SignInRequired(Exception):
    """A page needs a signed-in reviewer: GET requests are sent to the sign-in page."""


@dataclass
class WebContext:
    """What every route needs, built once by `create_app`."""

    bank: BankFile
    replica: Replica
    """The bank as this process serves it: reads never wait on another process."""
    templates: Jinja2Templates
    duplicates: NearDuplicates
    clock: Callable[[], datetime]
    double_review: bool
    public_host: str | None  # host:port of the public URL, when a proxy serves the app
    notes_dir: Path = DATA_DIR / "notes"
    _notes: dict[str, NoteSet] = field(default_factory=dict)

    def notes(self, blueprint: Blueprint) -> NoteSet:
        """The source notes (read once), for grounding the checks of an edited item."""
        if blueprint.id not in self._notes:
            self._notes[blueprint.id] = load_notes(self.notes_dir, blueprint)
        return self._notes[blueprint.id]


def journal_path(db_path: Path) -> Path:
    """Where a server keeps the writes its bank does not have yet: beside the bank."""
    return db_path.with_name(db_path.name + ".journal.sqlite")


def context(request: Request) -> WebContext:
    web: WebContext = request.app.state.web
    return web


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every .html, always: item, note and learner text is data
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v, digits=0: "–" if v is None else f"{v:.{digits}%}"
    env.filters["when"] = lambda v: v.strftime("%d %b %Y %H:%M") if v else ""
    return Jinja2Templates(env=env)


def render(
    request: Request,
    name: str,
    values: dict[str, Any] | None = None,
    *,
    status: int = 200,
    reviewer: str | None = None,
    session: bool = True,
) -> HTMLResponse:
    """A page with what the layout needs: the reviewer, the CSRF token, a one-time message.

    With `session=False` (learner and error pages) the session is left alone, so such a
    page sets no cookie.
    """
    page = {
        "reviewer": reviewer,
        "csrf": csrf_token(request.session) if session else "",
        "flash": request.session.pop("flash", None) if session else None,
        "path": request.url.path,
        **(values or {}),
    }
    return context(request).templates.TemplateResponse(request, name, page, status_code=status)


def flash(request: Request, text: str, kind: str = "ok") -> None:
    request.session["flash"] = {"text": text, "kind": kind}


def create_app(
    db_path: str | Path,
    secret_key: str,
    *,
    lock_wait: float = 30.0,
    double_review: bool = False,
    detector: Detector | None = None,
    clock: Callable[[], datetime] | None = None,
    secure_cookies: bool = False,
    warm_duplicates: bool = False,
    public_url: str | None = None,
    sync_interval: float = 0.25,
) -> FastAPI:
    """The web app over one bank file.

    Args:
        db_path: the bank (created and migrated here if missing).
        secret_key: signs the session cookie; keep it secret, and stable across restarts
            if sessions should survive them.
        lock_wait: seconds a request waits for another process's lock on the bank.
        double_review: decisions need two agreeing reviewers (the CLI's --double).
        detector: near-duplicate detector; default: the CLI's default_detector.
        clock: the time of decisions; default: now, UTC.
        secure_cookies: send the session cookie over HTTPS only (behind a TLS proxy).
        public_url: the address users type (CMASPREP_BASE_URL) when a proxy in front
            rewrites the Host header: forms posted from it pass the same-origin check.
        warm_duplicates: at startup, load the duplicate detector's model and encode the
            queue and the approved items in the background (the server starts at once).
        sync_interval: seconds between moves of journaled writes into the bank.
    """
    from app.web import dashboard, learners, practice, queue, reviews, signin

    if len(secret_key) < 16:
        raise ValueError("the secret key must be at least 16 characters")
    # One connection of this process at a time: DuckDB refuses a read-only and a
    # read-write connection to one file in one process.
    bank = BankFile(Path(db_path), lock_wait, serialize=True)
    with bank.write():  # create and migrate once, so later requests may open read-only
        pass
    # Learners' answers and plans are journaled beside the bank and synced into it by a
    # background thread: see docs/architecture.md, "One writer per server".
    replica = Replica(bank, Journal(journal_path(Path(db_path))))
    replica.load()
    syncer = Syncer(replica, sync_interval)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm_duplicates:
            threading.Thread(target=_warm, args=(app.state.web,), daemon=True).start()
        syncer.start()
        try:
            yield
        finally:
            syncer.stop()

    app = FastAPI(
        title="cmas-prep", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.web = WebContext(
        bank=bank,
        replica=replica,
        templates=_templates(),
        duplicates=NearDuplicates(detector),
        clock=clock or (lambda: datetime.now(UTC)),
        double_review=double_review,
        public_host=urlsplit(public_url).netloc.lower() if public_url else None,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=secure_cookies,
    )

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(BankBusyError)
    async def busy(request: Request, exc: BankBusyError) -> Response:
        log.warning("%s %s: %s", request.method, request.url.path, exc)  # the operator's detail
        response = _error_page(
            request,
            503,
            "The bank is busy",
            "Another process (a nightly flow?) is writing to the item bank. Nothing was saved: "
            "try again in a moment.",
        )
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        # "no item 'x' in the bank /srv/...": the file's path is no business of the page.
        return _error_page(request, 404, "Not found", str(exc).split(" in the bank ")[0] + ".")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {401: "Sign in first", 403: "Refused", 404: "Not found", 405: "Not allowed"}
        return _error_page(
            request, exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail)
        )

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(signin.router)
    app.include_router(queue.router)
    app.include_router(reviews.router)
    app.include_router(dashboard.router)
    app.include_router(learners.router)
    app.include_router(practice.router)
    return app


def _warm(web: WebContext) -> None:
    try:
        items = web.replica.find_items(statuses=["approved", "pending_review"])
        if all(it.checked_at is not None for it in items):
            return  # pages show the checks' stored findings: nothing is searched
        web.duplicates.warm(items)
    except Exception:  # a failed warm-up only means the first item page is slower
        log.warning("could not prepare the duplicate detector in advance", exc_info=True)


def _error_page(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return render(
        request, "error.html", {"title": title, "detail": detail}, status=status, session=False
    )
