"""Loading and checking an exam blueprint from YAML, reporting every problem at once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bank.errors import BlueprintError, Problem
from bank.models import Blueprint

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_BLUEPRINT = DATA_DIR / "blueprints" / "cmas.yaml"


def _line_of(node: yaml.Node | None, path: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at a path of keys and indices, as near as found."""
    line = node.start_mark.line + 1 if node is not None else None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            match = node.value[step] if step < len(node.value) else None
        else:
            match = None
        if match is None:
            break
        node, line = match, match.start_mark.line + 1
    return line


def parse_blueprint(text: str, file: str = "<blueprint>") -> Blueprint:
    """Parse and check a blueprint; raise BlueprintError listing every problem."""
    try:
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise BlueprintError([Problem(f"not valid YAML: {exc}", file, line)]) from exc
    if not isinstance(raw, dict):
        raise BlueprintError([Problem("expected a mapping with id, name, exam, domains", file, 1)])

    problems: list[Problem] = []
    try:
        blueprint = Blueprint.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            field = ".".join(str(p) for p in loc)
            problems.append(Problem(err["msg"], file, _line_of(node, loc), field))
        raise BlueprintError(problems, f"{file}: blueprint is not usable") from exc

    def add(message: str, path: tuple[Any, ...]) -> None:
        field = ".".join(str(p) for p in path)
        problems.append(Problem(message, file, _line_of(node, path), field))

    total_weight = sum(d.weight for d in blueprint.domains)
    if abs(total_weight - 100) > 1e-6:
        add(f"domain weights sum to {total_weight:g}, not 100", ("domains",))
    total_count = sum(d.count for d in blueprint.domains)
    if total_count != blueprint.exam.form_length:
        add(
            f"domain counts sum to {total_count}, not the form length {blueprint.exam.form_length}",
            ("domains",),
        )
    if not blueprint.domains:
        add("no domains", ("domains",))
    columns: list[tuple[str, list[object]]] = [
        ("number", [d.number for d in blueprint.domains]),
        ("name", [d.name.casefold() for d in blueprint.domains]),
    ]
    for field, values in columns:
        for value, n in Counter(values).items():
            if n > 1:
                idx = values.index(value, values.index(value) + 1)
                add(f"domain {field} {value!r} appears {n} times", ("domains", idx, field))
    for i, d in enumerate(blueprint.domains):
        for topic, n in Counter(t.casefold() for t in d.topics).items():
            if n > 1:
                add(f"topic {topic!r} appears {n} times in domain {d.number}", ("domains", i))
    exam = blueprint.exam
    if exam.questions_min > exam.questions_max:
        add("questions_min is larger than questions_max", ("exam", "questions_min"))
    low, high = exam.score_scale
    if not low <= exam.passing_score <= high:
        add(f"passing_score {exam.passing_score:g} is outside {low}-{high}", ("exam",))
    if problems:
        raise BlueprintError(problems, f"{file}: blueprint is not usable")
    return blueprint


def load_blueprint(path: str | Path | None = None) -> Blueprint:
    """Load a blueprint YAML file (default: the CMAS blueprint shipped in data/)."""
    file = Path(path) if path is not None else DEFAULT_BLUEPRINT
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise BlueprintError([Problem(f"cannot read: {exc.strerror}", str(file))]) from exc
    return parse_blueprint(text, str(file))
