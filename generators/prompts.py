"""The one prompt loader: Jinja2 templates in prompts/, strict about variables, versioned.

A prompt set is a folder: templates (`*.md`), few-shot examples (`examples/d<N>.json`)
and a `VERSION` file with the declared version. The set's version is the declared
version plus a digest of every file in the folder, so an edit that forgets to bump
VERSION still changes the version that travels with each item.

Text from outside (notes, earlier model output) goes through the `data` filter,
which defuses the tags the prompts use as delimiters: a note cannot close the
<notes> block and pose as an instruction.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "prompts"
# Tags the templates use to fence data; in data they are escaped so they cannot fence.
_FENCE = re.compile(r"<(/?)(notes?|items?|previous_output|error)\b", re.IGNORECASE)


def as_data(text: object) -> str:
    """Text safe to place between the prompts' delimiter tags."""
    return _FENCE.sub(r"&lt;\1\2", str(text))


def attr(text: object) -> str:
    """Text safe inside a double-quoted tag attribute."""
    return html.escape(str(text), quote=True)


class Prompts:
    """A loaded prompt set: render a template by name; read the examples of a domain."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        if not (self.root / "VERSION").is_file():
            raise FileNotFoundError(f"{self.root}: not a prompt set (no VERSION file)")
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.root)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # plain text for a model, not HTML
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["data"] = as_data
        self.env.filters["attr"] = attr

    @cached_property
    def declared(self) -> str:
        """The version written in prompts/VERSION."""
        return (self.root / "VERSION").read_text(encoding="utf-8").strip()

    @cached_property
    def version(self) -> str:
        """Declared version + digest of the folder's content, e.g. `1.0+3fa2c1d9`."""
        h = hashlib.sha256()
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            h.update(path.relative_to(self.root).as_posix().encode())
            h.update(b"\0")
            h.update(path.read_bytes())
        return f"{self.declared}+{h.hexdigest()[:8]}"

    def templates(self) -> list[str]:
        """The template file names, in a stable order."""
        return sorted(p.name for p in self.root.glob("*.md"))

    def render(self, name: str, **context: Any) -> str:
        """Render a template; a variable the caller did not pass raises UndefinedError."""
        return self.env.get_template(name).render(**context).strip() + "\n"

    def examples(self, domain: int) -> list[dict[str, Any]]:
        """The few-shot items of a domain (examples/d<N>.json: a list), or none."""
        path = self.root / "examples" / f"d{domain}.json"
        if not path.is_file():
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, list) else [data]

    def all_examples(self) -> dict[str, list[dict[str, Any]]]:
        """Every few-shot example file of the set, by its path in the set (`examples/d5.json`)."""
        out = {}
        for path in sorted((self.root / "examples").glob("d*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            out[path.relative_to(self.root).as_posix()] = data if isinstance(data, list) else [data]
        return out


def load_prompts(root: Path | None = None) -> Prompts:
    """The prompt files of a folder (default: the project's prompts/)."""
    return Prompts(root or DEFAULT_DIR)
