"""The shipped source notes pass the checker and cover the blueprint; broken notes are named."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from bank.models import Blueprint
from bank.notes import DECLARATIONS, coverage, load_notes

NOTES = Path(__file__).resolve().parents[1] / "data" / "notes"


@pytest.fixture(scope="module")
def shipped(blueprint: Blueprint):
    return load_notes(NOTES, blueprint)


def test_shipped_notes_have_no_problems_and_cover_every_sub_topic(
    shipped, blueprint: Blueprint
) -> None:
    assert shipped.problems == []
    cov = coverage(shipped, blueprint)
    assert cov.missing == []
    totals = {d: cov.domain_total(d) for d in cov.facts}
    assert sum(totals.values()) >= 250
    heavy = [d.number for d in blueprint.domains if d.weight == 17]
    light = [d.number for d in blueprint.domains if d.weight < 17]
    assert min(totals[d] for d in heavy) > max(totals[d] for d in light), totals


def test_every_fact_cites_a_source_with_a_url(shipped) -> None:
    for note in shipped.notes:
        keys = {s.key for s in note.sources}
        assert all(s.url.startswith("http") for s in note.sources)
        for fact in note.facts:
            if fact.kind not in DECLARATIONS:
                assert fact.cite in keys, fact.id


def test_answer_side_fields_avoid_flaw_words(shipped) -> None:
    from validators.flaws import absolute_terms, vague_terms

    for fact in shipped.facts:
        answer_fields = {
            "term": fact.fields[:1],
            "classify": fact.fields[1:],
            "cause": fact.fields,
            "procedure": tuple(fact.fields[1].split(">")) if len(fact.fields) > 1 else (),
        }
        for text in answer_fields.get(fact.kind, ()):
            options = [text, "placeholder one", "placeholder two", "placeholder three"]
            assert not absolute_terms("Which applies?", options, "A"), (fact.id, text)
            assert not vague_terms("Which applies?", options, "A"), (fact.id, text)


GOOD_FRONT = """---
id: d5-test-note
domain: 5
topic: claim forms and submission
title: "Claims: a test"
sources:
  - key: cms
    title: CMS manual
    url: https://www.cms.gov/
last_reviewed: 2026-11-22
---
Prose.

```facts
"""


def _write(root: Path, body: str, domain: str = "5", name: str = "note.md") -> Path:
    folder = root / domain
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def test_broken_notes_report_file_line_and_reason(tmp_path: Path, blueprint: Blueprint) -> None:
    path = _write(
        tmp_path,
        GOOD_FRONT
        + "\n".join(
            [
                "term: CMS-1500 | professional claim form",  # line 15: no citation
                "shape: a | b [cms]",  # 16: unknown kind
                "classify: forms | CMS-1500 | professional [cms]",  # 17: group not declared
                "number: How many days | 30 days [cms]",  # 18: no question mark
                "term: UB-04 | institutional claim form [nope]",  # 19: unknown source
                "procedure: filing | one > two [cms]",  # 20: too few steps
                "term: 837P | electronic professional claim [cms]",  # fine
            ]
        )
        + "\n```\n",
    )
    _write(tmp_path, "no front matter\n", name="bare.md")
    _write(
        tmp_path,
        GOOD_FRONT.replace("claim forms and submission", "astrology") + "term: a | b [cms]\n```\n",
        name="t.md",
    )
    notes = load_notes(tmp_path, blueprint)
    text = "\n".join(str(p) for p in notes.problems)
    assert f"{path}:15: fact has no citation" in text
    assert f"{path}:16: unknown fact kind 'shape'" in text
    assert f"{path}:17: classify names group 'forms', not declared" in text
    assert f"{path}:18: a number fact's question ends with ?" in text
    assert f"{path}:19: cites [nope]" in text
    assert f"{path}:20: a procedure needs 3+ non-empty steps" in text
    assert "bare.md:1: no front matter" in text
    assert "topic 'astrology' is not a sub-topic of domain 5" in text


def test_wrong_folder_and_duplicate_ids(tmp_path: Path, blueprint: Blueprint) -> None:
    body = GOOD_FRONT + "term: a | b [cms]\n```\n"
    _write(tmp_path, body, domain="4")
    _write(tmp_path, body, domain="5", name="a.md")
    _write(tmp_path, body, domain="5", name="b.md")
    text = "\n".join(str(p) for p in load_notes(tmp_path, blueprint).problems)
    assert "domain 5 but the note is in folder 4/" in text
    assert "note id 'd5-test-note' is used by 2 files" in text


def test_notes_check_command(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["notes", "check"])
    assert ok.exit_code == 0, ok.stderr
    assert "problems, 0 sub-topics without a note" in ok.stdout
    _write(tmp_path, GOOD_FRONT + "term: a | b\n```\n")
    bad = runner.invoke(app, ["notes", "check", "--notes", str(tmp_path)])
    assert bad.exit_code == 1
    assert "fact has no citation" in bad.stderr and "has no note" in bad.stderr


def test_a_list_holds_unordered_parts_and_needs_three(tmp_path: Path, blueprint: Blueprint) -> None:
    # A source that names a message's contents sets no order: `list`, not `procedure`.
    _write(
        tmp_path,
        GOOD_FRONT
        + "\n".join(
            [
                "list: a message | the date; the caller; the number [cms]",
                "list: too short | one; two [cms]",
                "list: ordered | one > two > three [cms]",
            ]
        )
        + "\n```\n",
    )
    loaded = load_notes(tmp_path, blueprint)
    reasons = " ".join(p.message for p in loaded.problems)
    assert "3+ non-empty items" in reasons and "(> orders a procedure)" in reasons
    assert [f.kind for f in loaded.facts] == ["list"]
