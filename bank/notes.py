"""Source notes: loading, checking and indexing the curated notes in data/notes.

The format is defined in data/notes/README.md. Loading never stops at the first
problem: it returns the notes it could read and every problem with file and line.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from bank.errors import Problem
from bank.models import Blueprint

KINDS = (
    "term",
    "group",
    "classify",
    "number",
    "procedure",
    "list",
    "cause",
    "rule",
    "confusable",
)
ARITY = {
    "term": 2,
    "group": 3,
    "classify": 3,
    "number": 2,
    "procedure": 2,
    "list": 2,
    "cause": 2,
    "rule": 2,
    "confusable": 1,
}
# Declarations, not facts: they need no citation and make no item of their own.
DECLARATIONS = ("group", "confusable")
_RULE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ID = re.compile(r"^d(\d+)-[a-z0-9]+(?:-[a-z0-9]+)*$")
_FACT = re.compile(r"^(?P<kind>[a-z]+):\s*(?P<body>.*?)\s*(?:\[(?P<cite>[A-Za-z0-9_.-]+)\])?\s*$")
_NUMBER = re.compile(r"^\$?\d[\d,]*(?:\.\d+)?\s*%?(?:\s+\S.*)?$")


@dataclass(frozen=True)
class NoteSource:
    """A source a note cites: the key facts cite it by, its title and its URL."""

    key: str
    title: str
    url: str


@dataclass(frozen=True)
class Fact:
    """One atomic fact of a note: its kind, fields, hand-picked distractors and citation."""

    note: str
    domain: int
    topic: str
    kind: str
    fields: tuple[str, ...]
    alts: tuple[str, ...]
    cite: str
    line: int
    quote: str  # the fact as written in the note (what `sources[].quote` cites)

    @property
    def id(self) -> str:
        """`<note id>:<line>`: where the fact is written, unique across the notes."""
        return f"{self.note}:{self.line}"


@dataclass
class Note:
    """One source note: its front matter, its text, and the facts read from it."""

    id: str
    domain: int
    topic: str
    title: str
    sources: list[NoteSource]
    last_reviewed: date
    path: Path
    text: str
    facts: list[Fact] = field(default_factory=list)

    def group_questions(self, key: str) -> tuple[str, str] | None:
        """The two question wordings a `group` fact declares for `key`, or None."""
        for fact in self.facts:
            if fact.kind == "group" and fact.fields[0] == key:
                return fact.fields[1], fact.fields[2]
        return None


@dataclass
class NoteSet:
    """Every note loaded from a folder, and every problem found while loading them."""

    notes: list[Note]
    problems: list[Problem]

    @property
    def facts(self) -> list[Fact]:
        """Every fact of every note, in note order."""
        return [f for n in self.notes for f in n.facts]

    def by_id(self) -> dict[str, Note]:
        """The notes keyed by id."""
        return {n.id: n for n in self.notes}

    def for_domain(self, domain: int, topic: str | None = None) -> list[Note]:
        """The notes of a domain (and of one of its sub-topics)."""
        return [n for n in self.notes if n.domain == domain and (topic is None or n.topic == topic)]

    def rule(self, name: str) -> Fact | None:
        """The `rule` fact of that name (rule names are unique across the notes)."""
        return next((f for f in self.facts if f.kind == "rule" and f.fields[0] == name), None)

    def confusable_sets(self, domain: int) -> list[tuple[str, ...]]:
        """The declared sets of terms examiners expect candidates to confuse, in a domain."""
        return [
            tuple(m.strip() for m in f.fields[0].split(";"))
            for f in self.facts
            if f.kind == "confusable" and f.domain == domain
        ]


def _split_front_matter(text: str) -> tuple[str | None, int]:
    """(front matter YAML, line where the body starts) or (None, 0) when there is none."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, 0
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[1:i]), i + 1
    return None, 0


def _parse_fact(
    raw: str, line: int, note: Note, keys: set[str], groups: set[str], file: str
) -> tuple[Fact | None, list[Problem]]:
    match = _FACT.match(raw)
    if not match:
        return None, [
            Problem("not a fact line: expected `kind: field | field [source-key]`", file, line)
        ]
    kind, body, cite = match["kind"], match["body"], match["cite"] or ""
    problems: list[Problem] = []
    if kind not in KINDS:
        return None, [
            Problem(f"unknown fact kind {kind!r}; use one of {', '.join(KINDS)}", file, line)
        ]
    if not cite and kind not in DECLARATIONS:
        problems.append(Problem("fact has no citation [source-key] at its end", file, line))
    elif cite and cite not in keys:
        problems.append(
            Problem(f"cites [{cite}], which is not a key of the note's sources", file, line)
        )
    if "[" in body or "]" in body:
        problems.append(Problem("fields may not contain [ or ]", file, line))
    parts = [p.strip() for p in body.split("|")]
    alts: tuple[str, ...] = ()
    if parts and parts[-1].lower().startswith("alt:"):
        alts = tuple(a.strip() for a in parts.pop()[4:].split(";") if a.strip())
        if len(alts) < 3:
            problems.append(Problem("alt: needs at least 3 distractors separated by ;", file, line))
    if len(parts) != ARITY[kind] or not all(parts):
        problems.append(
            Problem(
                f"{kind} takes {ARITY[kind]} non-empty fields separated by |, got "
                f"{len([p for p in parts if p])}",
                file,
                line,
            )
        )
        return None, problems
    if kind == "group":
        for template, slot in ((parts[1], "{category}"), (parts[2], "{item}")):
            if template != "-" and slot not in template:
                problems.append(Problem(f"group question {template!r} lacks {slot}", file, line))
    if kind == "classify" and parts[0] not in groups:
        problems.append(
            Problem(
                f"classify names group {parts[0]!r}, not declared above it in this note", file, line
            )
        )
    if kind == "number":
        if not parts[0].endswith("?"):
            problems.append(Problem("a number fact's question ends with ?", file, line))
        if not _NUMBER.match(parts[1]):
            problems.append(
                Problem(f"number value {parts[1]!r} is not a number with a unit", file, line)
            )
    if kind == "rule" and not _RULE_NAME.match(parts[0]):
        problems.append(Problem(f"rule name {parts[0]!r} is not a slug (a-z, 0-9, -)", file, line))
    if kind == "confusable":
        members = [m.strip() for m in parts[0].split(";")]
        if len(members) < 2 or not all(members):
            problems.append(Problem("a confusable set names 2+ terms separated by ;", file, line))
    if kind == "procedure":
        steps = [s.strip() for s in parts[1].split(">")]
        if len(steps) < 3 or not all(steps):
            problems.append(
                Problem("a procedure needs 3+ non-empty steps separated by >", file, line)
            )
    if kind == "list":  # parts of a whole the source names in no set order
        members = [m.strip() for m in parts[1].split(";")]
        if ">" in parts[1]:
            problems.append(
                Problem("a list separates its items by ; (> orders a procedure)", file, line)
            )
        elif len(members) < 3 or not all(members):
            problems.append(Problem("a list needs 3+ non-empty items separated by ;", file, line))
    if problems:
        return None, problems
    quote = body.split("| alt:")[0].strip() if alts else body.strip()
    if kind in ("classify", "rule"):  # the key or name is bookkeeping, not the passage
        quote = quote.split("|", 1)[1].strip()
    fact = Fact(note.id, note.domain, note.topic, kind, tuple(parts), alts, cite, line, quote)
    return fact, []


def parse_note(
    path: Path, blueprint: Blueprint, root: Path | None = None
) -> tuple[Note | None, list[Problem]]:
    """Read one note; returns the note (or None) and every problem in it."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(f"cannot read: {exc}", file)]
    front, body_start = _split_front_matter(text)
    if front is None:
        return None, [Problem("no front matter: the file must start with --- ... ---", file, 1)]
    try:
        meta = yaml.safe_load(front) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [
            Problem(f"front matter is not valid YAML: {exc}", file, mark.line + 2 if mark else 2)
        ]
    problems: list[Problem] = []

    def need(key: str) -> object:
        if key not in meta or meta[key] in (None, ""):
            problems.append(Problem(f"front matter lacks {key!r}", file, 1, key))
            return None
        return meta[key]

    note_id, domain, topic = need("id"), need("domain"), need("topic")
    title, sources_raw, reviewed = need("title"), need("sources"), need("last_reviewed")
    if isinstance(note_id, str):
        m = _ID.match(note_id)
        if not m:
            problems.append(
                Problem(f"id {note_id!r} is not d<domain>-<slug> (a-z, 0-9, -)", file, 1, "id")
            )
        elif isinstance(domain, int) and int(m.group(1)) != domain:
            problems.append(
                Problem(f"id {note_id!r} does not start with d{domain}-", file, 1, "id")
            )
    if domain is not None:
        if not isinstance(domain, int) or blueprint.domain(domain) is None:
            problems.append(Problem(f"unknown domain {domain!r}", file, 1, "domain"))
        elif path.parent.name.isdigit() and int(path.parent.name) != domain:
            problems.append(
                Problem(
                    f"domain {domain} but the note is in folder {path.parent.name}/",
                    file,
                    1,
                    "domain",
                )
            )
        elif isinstance(topic, str) and blueprint.topic(domain, topic) is None:
            known = "; ".join(blueprint.domain(domain).topics)  # type: ignore[union-attr]
            problems.append(
                Problem(
                    f"topic {topic!r} is not a sub-topic of domain {domain} ({known})",
                    file,
                    1,
                    "topic",
                )
            )
    sources: list[NoteSource] = []
    if sources_raw is not None:
        if not isinstance(sources_raw, list) or not sources_raw:
            problems.append(Problem("sources must be a non-empty list", file, 1, "sources"))
        else:
            for i, s in enumerate(sources_raw):
                if not isinstance(s, dict) or not all(
                    str(s.get(k) or "").strip() for k in ("key", "title", "url")
                ):
                    problems.append(
                        Problem(f"source {i + 1} needs key, title and url", file, 1, "sources")
                    )
                    continue
                if not str(s["url"]).startswith(("http://", "https://")):
                    problems.append(
                        Problem(f"source {s['key']!r} url is not http(s)", file, 1, "sources")
                    )
                sources.append(NoteSource(str(s["key"]), str(s["title"]), str(s["url"])))
    if reviewed is not None and not isinstance(reviewed, date):
        problems.append(
            Problem(
                f"last_reviewed {reviewed!r} is not a date (YYYY-MM-DD)", file, 1, "last_reviewed"
            )
        )
    if problems:
        return None, problems

    # No problems means the checks above found domain an int and last_reviewed a date.
    assert isinstance(domain, int) and isinstance(reviewed, date)
    note = Note(
        id=str(note_id),
        domain=domain,
        topic=blueprint.topic(domain, str(topic)) or "",
        title=str(title),
        sources=sources,
        last_reviewed=reviewed,
        path=path,
        text=text,
    )
    keys = {s.key for s in sources}
    groups: set[str] = set()
    in_block = False
    lines = text.splitlines()
    for number, raw in enumerate(lines[body_start:], start=body_start + 1):
        stripped = raw.strip()
        if stripped.startswith("```"):
            info = stripped[3:].strip()
            if not in_block and info == "facts":
                in_block = True
            elif in_block and not info:
                in_block = False
            continue
        if not in_block or not stripped or stripped.startswith("#"):
            continue
        fact, fact_problems = _parse_fact(stripped, number, note, keys, groups, file)
        problems.extend(fact_problems)
        if fact is not None:
            if fact.kind == "group":
                groups.add(fact.fields[0])
            note.facts.append(fact)
    if in_block:
        problems.append(Problem("a ```facts block is not closed", file, len(lines)))
    if not any(f.kind not in DECLARATIONS for f in note.facts):
        problems.append(Problem("the note has no facts", file, body_start))
    return note, problems


def load_notes(root: Path, blueprint: Blueprint) -> NoteSet:
    """Every note under root (data/notes/<domain>/*.md), with every problem found."""
    notes: list[Note] = []
    problems: list[Problem] = []
    if not root.is_dir():
        return NoteSet([], [Problem("no notes folder", str(root))])
    for path in sorted(root.glob("*/*.md")):
        note, found = parse_note(path, blueprint, root)
        problems.extend(found)
        if note is not None:
            notes.append(note)
    for note_id, n in Counter(n.id for n in notes).items():
        if n > 1:
            paths = ", ".join(str(x.path) for x in notes if x.id == note_id)
            problems.append(Problem(f"note id {note_id!r} is used by {n} files: {paths}"))
    problems.extend(_cross_note_problems(notes))
    return NoteSet(notes, problems)


def _cross_note_problems(notes: list[Note]) -> list[Problem]:
    """Rule names used twice, and confusable sets naming terms their domain does not define."""
    problems = []
    facts = [f for n in notes for f in n.facts]
    paths = {n.id: str(n.path) for n in notes}
    first: dict[str, Fact] = {}
    for f in facts:
        if f.kind != "rule":
            continue
        if f.fields[0] in first:
            other = first[f.fields[0]]
            problems.append(
                Problem(
                    f"rule {f.fields[0]!r} is also defined at {paths[other.note]}:{other.line}",
                    paths[f.note],
                    f.line,
                )
            )
        first.setdefault(f.fields[0], f)
    answers: dict[int, set[str]] = {}
    for f in facts:
        if f.kind == "term":
            answers.setdefault(f.domain, set()).add(f.fields[0].casefold())
        elif f.kind == "classify":
            answers.setdefault(f.domain, set()).update(
                (f.fields[1].casefold(), f.fields[2].casefold())
            )
    for f in facts:
        if f.kind != "confusable":
            continue
        for member in (m.strip() for m in f.fields[0].split(";")):
            if member.casefold() not in answers.get(f.domain, set()):
                problems.append(
                    Problem(
                        f"confusable names {member!r}, which no term or classify fact of "
                        f"domain {f.domain} defines",
                        paths[f.note],
                        f.line,
                    )
                )
    return problems


@dataclass
class Coverage:
    """Facts per domain and sub-topic against the blueprint, and the gaps."""

    facts: dict[int, dict[str, int]]
    notes: dict[int, dict[str, int]]
    missing: list[tuple[int, str]]

    def domain_total(self, domain: int) -> int:
        """How many facts the domain has, over all its sub-topics."""
        return sum(self.facts.get(domain, {}).values())


def coverage(notes: NoteSet, blueprint: Blueprint) -> Coverage:
    """Count notes and facts (declarations left out) per sub-topic of the blueprint."""
    facts: dict[int, dict[str, int]] = {
        d.number: dict.fromkeys(d.topics, 0) for d in blueprint.domains
    }
    counts: dict[int, dict[str, int]] = {
        d.number: dict.fromkeys(d.topics, 0) for d in blueprint.domains
    }
    for note in notes.notes:
        if note.domain in counts and note.topic in counts[note.domain]:
            counts[note.domain][note.topic] += 1
            facts[note.domain][note.topic] += sum(
                1 for f in note.facts if f.kind not in DECLARATIONS
            )
    missing = [(d, t) for d, topics in counts.items() for t, n in topics.items() if n == 0]
    return Coverage(facts, counts, missing)
