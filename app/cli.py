"""The `cmasprep` command. Heavy libraries are imported inside commands: --help is instant."""

from __future__ import annotations

import typer

from app import (
    commands_bank,
    commands_demo,
    commands_flows,
    commands_generate,
    commands_learners,
    commands_notes,
    commands_practice,
    commands_review,
    commands_validate,
    commands_web,
)

app = typer.Typer(
    name="cmasprep",
    help="Adaptive question generation and study planning for the CMAS exam.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("init")(commands_bank.init)
app.command("import")(commands_bank.import_)
app.command("export")(commands_bank.export)
app.command("stats")(commands_bank.stats)
app.command("generate")(commands_generate.generate)
app.command("validate")(commands_validate.validate)
app.add_typer(commands_bank.items_app, name="items")
app.add_typer(commands_notes.notes_app, name="notes")
app.add_typer(commands_review.review_app, name="review")
app.add_typer(commands_learners.learners_app, name="learners")
app.add_typer(commands_learners.responses_app, name="responses")
app.command("plan")(commands_learners.plan)
app.command("practice")(commands_practice.practice)
app.command("demo")(commands_demo.demo)
app.command("nightly")(commands_flows.nightly)
app.add_typer(commands_flows.flows_app, name="flows")
app.command("serve")(commands_web.serve)
app.add_typer(commands_web.reviewers_app, name="reviewers")
commands_learners.learners_app.command("link")(commands_web.link)


def _exit_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit, so that atexit cleanup runs.

    Prefect then stops its temporary server (else it outlives us) and the bank's
    connection closes.
    """
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def main() -> None:
    _exit_on_sigterm()
    app()


if __name__ == "__main__":
    main()
