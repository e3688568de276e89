"""`cmasprep serve`, `cmasprep reviewers add` and `cmasprep learners link`: the web side.

Tokens are printed once; the bank keeps only their SHA-256 (app.web.auth).
"""

from __future__ import annotations

from typing import Annotated

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
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


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
