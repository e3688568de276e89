"""Every command has --help with an example, and `cmasprep --help` loads no heavy library."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import typer
from typer.testing import CliRunner

from app.cli import app


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Leaf command paths of a click group (typer vendors its own click: duck-type it)."""
    out = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        if hasattr(command, "commands"):
            out.extend(_commands(command, path))
        else:
            out.append(path)
    return out


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    commands = _commands(typer.main.get_command(app))  # type: ignore[arg-type]
    assert len(commands) >= 6
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Example: cmasprep " + " ".join(path) in result.stdout, path


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys\nfrom app.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('duckdb', 'prefect', 'langchain', 'openai', 'sklearn', 'pandas', "
        "'pydantic', 'fastapi', 'pyarrow') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_core_packages_do_not_load_io_libraries() -> None:
    code = (
        "import sys, bank.notes, validators, planner\n"
        "print('IO', [m for m in ('prefect', 'duckdb', 'fastapi') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "IO []" in out.stdout
