"""What every command shares: the common options (defined once), error handling, output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from app.settings import Settings
    from bank.models import Blueprint
    from bank.store import Store
    from bank.store.access import BankFile

DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="CMASPREP_DB",
        help="Bank file (default: ./cmasprep.duckdb, or CMASPREP_DB).",
        show_default=False,
    ),
]
BlueprintOpt = Annotated[
    Path | None,
    typer.Option(
        "--blueprint",
        help="Exam blueprint YAML (default: the bank's, else CMAS).",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
DomainOpt = Annotated[int | None, typer.Option("--domain", "-d", help="Blueprint domain number.")]
StatusOpt = Annotated[
    str | None,
    typer.Option("--status", help="candidate, pending_review, approved, rejected or retired."),
]

F = TypeVar("F", bound=Callable[..., Any])

# Exit codes: 1 bad data or a failed check, 2 a wrong call or unreadable input, 3 bank busy.
EXIT_DATA, EXIT_USAGE, EXIT_BUSY = 1, 2, 3


def fail(message: str, code: int = EXIT_DATA) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


def handle_errors(fn: F) -> F:
    """Turn the project's errors into a clear message on stderr and a non-zero exit."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from bank.errors import BankBusyError, BankError, InputError, NotFoundError

        try:
            return fn(*args, **kwargs)
        except BankBusyError as exc:
            raise fail(str(exc), EXIT_BUSY) from exc
        except (InputError, NotFoundError) as exc:
            raise fail(str(exc), EXIT_DATA) from exc
        except BankError as exc:
            raise fail(str(exc), EXIT_DATA) from exc

    return wrapper  # type: ignore[return-value]


def prefect_offline_defaults() -> None:
    """Prefect settings that keep a local run off the network (see ENVIRONMENT.md).

    Only defaults: a user's own PREFECT_* environment wins. Call before importing prefect.
    """
    import os

    for key, value in {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }.items():
        os.environ.setdefault(key, value)


@functools.cache
def settings() -> Settings:
    from app.settings import load_settings

    return load_settings()


def db_path(db: Path | None) -> Path:
    return db if db is not None else settings().db


def bank(db: Path | None) -> BankFile:
    """The bank a command works on (--db, else CMASPREP_DB, else ./cmasprep.duckdb).

    `.write()` creates and migrates it; `.read()` needs it to exist.
    """
    from bank.store.access import BankFile

    return BankFile(db_path(db), settings().lock_wait)


def resolve_blueprint(path: Path | None, store: Store | None = None) -> Blueprint:
    """--blueprint if given, else the bank's blueprint, else CMAS's (or CMASPREP_BLUEPRINT)."""
    from pipelines.components import blueprint_for

    return blueprint_for(store, path, settings().blueprint)


def bank_blueprint(db: Path | None, path: Path | None) -> Blueprint:
    """The blueprint for a command that may run with or without a bank file."""
    if path is not None or not db_path(db).exists():
        return resolve_blueprint(path)
    with bank(db).read() as store:
        return resolve_blueprint(None, store)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """--map ours=theirs pairs into a dict; a malformed pair is a usage error."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise fail(
                f"--map {pair!r}: expected OUR_FIELD=THEIR_FIELD, e.g. stem=question", EXIT_USAGE
            )
        mapping[ours.strip()] = theirs.strip()
    return mapping


def console() -> Any:
    from rich.console import Console

    # Piped output gets a wide virtual terminal instead of Rich's 80 columns.
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)
