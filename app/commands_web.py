"""`cmasprep serve`, `cmasprep reviewers add|list|remove|rotate`, `learners link`: the web side.

Tokens are printed once; the bank keeps only their SHA-256 (app.web.auth). The server's
access log never shows a learner's link token: `MaskLearnerTokens` rewrites the path.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Annotated, Any

import typer

from app.common import EXIT_USAGE, DbOpt, bank, db_path, fail, handle_errors, settings

reviewers_app = typer.Typer(
    help="Reviewers of the web review queue and their sign-in tokens.", no_args_is_help=True
)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
BaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="Where users reach the web app (default: CMASPREP_BASE_URL, http://127.0.0.1:8000).",
        show_default=False,
    ),
]


def _base_url(base_url: str | None) -> str:
    return (base_url or settings().base_url).rstrip("/")


LEARNER_PATH = re.compile(r"(/learner/)[^/?#\s]+")
MASK = "****"


def mask_learner_tokens(text: str) -> str:
    """A path or log line with every learner link token replaced by ****."""
    return LEARNER_PATH.sub(rf"\g<1>{MASK}", text)


class MaskLearnerTokens(logging.Filter):
    """A logging filter that keeps learner link tokens out of uvicorn's access log.

    uvicorn logs `%s - "%s %s HTTP/%s" %d` with the path (and query) as the third
    argument; the token in /learner/<token> (and /learner/<token>/plan.ics...) becomes ****.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's arguments and message; always let it through."""
        if isinstance(record.args, tuple):
            record.args = tuple(
                mask_learner_tokens(a) if isinstance(a, str) else a for a in record.args
            )
        if isinstance(record.msg, str):
            record.msg = mask_learner_tokens(record.msg)
        return True


def log_config() -> dict[str, Any]:
    """The logging configuration of uvicorn, with learner tokens masked in its logs.

    The filter sits on the loggers, so every handler (a file, a test's capture) gets the
    masked record.
    """
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["mask_learner_tokens"] = {"()": MaskLearnerTokens}
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = config["loggers"].setdefault(name, {})
        logger["filters"] = [*logger.get("filters", []), "mask_learner_tokens"]
    return config


@handle_errors
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Interface to bind; 127.0.0.1 keeps it on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    db: DbOpt = None,
    double: Annotated[
        bool, typer.Option("--double", help="Double review: two agreeing reviewers decide an item.")
    ] = False,
) -> None:
    """Serve the review queue and the learners' plan pages (FastAPI on uvicorn).

    Reviewers sign in with a token from `cmasprep reviewers add`.

    Learners open the link that `cmasprep learners link` prints.

    Set CMASPREP_SECRET_KEY to keep reviewers signed in across restarts.

    Example: cmasprep serve --port 8000 --db bank.duckdb
    """
    import secrets

    import uvicorn

    from app.web import create_app

    if not 0 < port < 65536:
        raise fail(f"--port {port}: use 1-65535", EXIT_USAGE)
    config = settings()
    secret = config.secret_key
    if not secret:
        secret = secrets.token_urlsafe(32)
        typer.echo(
            "No CMASPREP_SECRET_KEY set: sessions end when the server stops (random key).",
            err=True,
        )
    if host not in LOOPBACK:
        typer.echo(
            f"Binding {host}: other machines can reach this server. Put it behind HTTPS "
            "(and set CMASPREP_BASE_URL=https://...) before reviewers sign in from elsewhere.",
            err=True,
        )
    app = create_app(
        db_path(db),
        secret,
        lock_wait=config.lock_wait,
        double_review=double,
        secure_cookies=config.base_url.startswith("https://"),
        warm_duplicates=True,
        public_url=config.base_url,
    )
    typer.echo(f"Review queue: http://{host}:{port}/login  (Ctrl+C stops)", err=True)
    uvicorn.run(
        app, host=host, port=port, log_level="info", server_header=False, log_config=log_config()
    )


@reviewers_app.command("add")
@handle_errors
def add_reviewer(
    name: Annotated[str, typer.Argument(help="Reviewer name, as it appears in the audit trail.")],
    db: DbOpt = None,
    base_url: BaseUrlOpt = None,
) -> None:
    """Add a reviewer and print their sign-in token, once (only its hash is stored).

    Example: cmasprep reviewers add ana
    """
    from app.web.auth import new_token, token_hash

    name = name.strip()
    if not name or len(name) > 64 or any(not c.isprintable() for c in name):
        raise fail("the reviewer name must be 1-64 printable characters", EXIT_USAGE)
    token = new_token()
    with bank(db).write() as store:
        store.add_reviewer(name, token_hash(token))
    typer.echo(f"Added reviewer {name}. Their sign-in token (shown only now; keep it secret):")
    typer.echo(token)
    typer.echo(f"Sign in at {_base_url(base_url)}/login", err=True)


@reviewers_app.command("list")
@handle_errors
def list_reviewers(db: DbOpt = None) -> None:
    """List the reviewers: name, when added, and how many review events they made.

    Example: cmasprep reviewers list
    """
    with bank(db).read() as store:
        records = store.reviewer_records()
        made: dict[str, int] = {}
        for e in store.events():
            made[e.reviewer] = made.get(e.reviewer, 0) + 1
    if not records:
        typer.echo("No reviewers yet: add one with `cmasprep reviewers add NAME`.", err=True)
        return
    for r in records:
        typer.echo(f"{r.name}\tadded {r.created_at:%Y-%m-%d}\t{made.get(r.name, 0)} events")


@reviewers_app.command("remove")
@handle_errors
def remove_reviewer(
    name: Annotated[str, typer.Argument(help="The reviewer to remove.")],
    db: DbOpt = None,
) -> None:
    """Remove a reviewer: their token and every session end; their past events stay.

    Example: cmasprep reviewers remove bob
    """
    with bank(db).write() as store:
        store.remove_reviewer(name.strip())
    typer.echo(f"Removed reviewer {name.strip()}; their decisions stay in the audit trail.")


@reviewers_app.command("rotate")
@handle_errors
def rotate_reviewer(
    name: Annotated[str, typer.Argument(help="The reviewer whose token is replaced.")],
    db: DbOpt = None,
    base_url: BaseUrlOpt = None,
) -> None:
    """Give a reviewer a new token, printed once; the old one and its sessions stop working.

    Example: cmasprep reviewers rotate ana
    """
    from app.web.auth import new_token, token_hash

    token = new_token()
    with bank(db).write() as store:
        store.rotate_reviewer_token(name.strip(), token_hash(token))
    typer.echo(f"New sign-in token for {name.strip()} (shown only now; the old one is void):")
    typer.echo(token)
    typer.echo(f"Sign in at {_base_url(base_url)}/login", err=True)


@handle_errors
def link(
    learner_id: Annotated[str, typer.Argument(help="Learner id.")],
    db: DbOpt = None,
    base_url: BaseUrlOpt = None,
) -> None:
    """Print a private link to a learner's plan page; a new link replaces the old one.

    Example: cmasprep learners link ana
    """
    from app.web.auth import new_token, token_hash

    token = new_token()
    with bank(db).write() as store:
        store.set_learner_token_hash(learner_id, token_hash(token))
    typer.echo(f"{_base_url(base_url)}/learner/{token}")
    typer.echo(
        f"Anyone with this link sees {learner_id}'s plan; any earlier link stops working.",
        err=True,
    )
