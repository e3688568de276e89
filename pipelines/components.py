"""The use cases' collaborators, built from plain configuration (never from the environment).

`app/` reads the settings and says which generator to use; a deployment carries the same
choice as JSON. Both come here to get the objects: the offline generator with the flaw
rules as its screen, the LLM generator with its configuration, the duplicate detector
reading and storing the bank's vectors, and the checked source notes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from bank.blueprint import load_blueprint
from bank.errors import InputError, Problem
from bank.models import Blueprint
from bank.notes import NoteSet, load_notes
from bank.store.protocols import LearnerStore
from generators.base import Generator
from validators.detector import Detector


class GeneratorChoice(BaseModel):
    """Which generator a run uses, as plain data (a deployment stores it as JSON).

    `llm` holds the LLM generator's configuration (generators.llm.LLMConfig fields) without
    the API key: the key stays in the environment of the process that calls the model.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["offline", "llm"] = "offline"
    llm: dict[str, Any] | None = None


def build_generator(choice: GeneratorChoice, api_key: str | None = None) -> Generator:
    """The offline generator (screened by the flaw rules), or the LLM generator."""
    if choice.kind == "offline":
        from generators.offline import OfflineGenerator
        from validators.flaws import check_flaws

        return OfflineGenerator(check_flaws)
    from generators.llm import LLMConfig, LLMGenerator

    config = LLMConfig.model_validate(
        {**(choice.llm or {}), **({"api_key": api_key} if api_key else {})}
    )
    return LLMGenerator(config)


def build_detector(bank_path: Path | None = None, lock_wait: float = 30.0) -> Detector:
    """The default duplicate detector, reading and storing the bank's vectors when given one."""
    from bank.store import StoreEmbeddingCache
    from validators.detector import default_detector

    cache = StoreEmbeddingCache(bank_path, lock_wait) if bank_path is not None else None
    return default_detector(cache=cache)


def load_checked_notes(notes_dir: Path, blueprint: Blueprint) -> NoteSet:
    """The source notes, or an InputError listing every problem in them."""
    notes = load_notes(notes_dir, blueprint)
    if notes.problems:
        raise InputError(
            notes.problems,
            f"{notes_dir}: the source notes have problems (run `cmasprep notes check`)",
        )
    if not notes.notes:
        raise InputError([Problem("no notes found", str(notes_dir))])
    return notes


def blueprint_for(
    store: LearnerStore | None,
    explicit: str | Path | None = None,
    fallback: str | Path | None = None,
) -> Blueprint:
    """The blueprint a command works with.

    The `explicit` file if given, else the bank's, else the `fallback` file, else CMAS's.
    """
    if explicit is not None:
        return load_blueprint(explicit)
    if store is not None:
        active = store.active_blueprint()
        if active is not None:
            return active
    return load_blueprint(fallback)
