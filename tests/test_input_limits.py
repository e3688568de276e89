"""Length limits and forbidden characters: held by the item model itself, so an import, a
web edit and the CLI refuse the same input with the same message naming the field (and, on
import, the file and line); line breaks of every kind are stored as newlines."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from app.cli import app
from app.web import create_app
from app.web.auth import token_hash
from bank import limits
from bank.errors import InputError
from bank.models import Blueprint, Item, ReviewEvent, Source
from bank.records import parse_record
from bank.store import open_store
from bank.transfer import read_item_file
from tests.conftest import make_item
from validators.detector import LayeredDetector
from validators.lexical import LexicalLayer

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
SECRET = "test-secret-key-0123456789abcdef"
TOKEN = "ana-token-" + "a" * 33
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def record(n: int = 0, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": f"q{n}",
        "domain": 5,
        "stem": f"Which claim form does a physician office file for batch {n}?",
        "options": [f"CMS-1500 v{n}", f"UB-04 v{n}", f"ADA dental v{n}", f"NCPDP v{n}"],
        "answer": "A",
        "rationale": "The CMS-1500 is the professional claim form.",
    }
    return {**base, **fields}


def write_lines(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


# ---- the limits: chosen from real items ----------------------------------------------------
def test_the_limits_leave_room_for_every_real_item() -> None:
    """The longest real texts (measured in bank/limits.py) fit with room to spare."""
    assert limits.MAX_STEM >= 4_671 * 1.5  # MMLU's longest medical stem
    assert limits.MAX_OPTION >= 203 * 4
    assert limits.MAX_RATIONALE >= 1_084 * 4  # the offline generator's longest
    assert limits.MAX_QUOTE >= 392 * 4  # the longest quote of a source-note fact
    # A rejection's reason holds the reviewer's whole note; an echo reason a whole evidence.
    assert limits.MAX_REASON >= limits.MAX_REVIEW_NOTE + limits.MAX_NAME + 2
    assert limits.MAX_REASON >= limits.MAX_EVIDENCE + 2 * limits.MAX_NAME + 4


def test_the_real_medical_items_fit_the_limits(blueprint: Blueprint) -> None:
    from tests.conftest import SHARED_DATA

    folder = SHARED_DATA / "medical-mcq"
    if not folder.is_dir():
        pytest.skip("../shared/data/medical-mcq is not here")
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            raw = json.loads(line)
            for text in (raw["question"], *raw["options"].values()):
                assert len(text) <= limits.MAX_OPTION or len(text) <= limits.MAX_STEM


# ---- the model refuses, whoever builds the item ------------------------------------------
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"stem": "x" * 912_004}, "stem", "912,004 characters, at most 8,000"),
        ({"rationale": "r" * 8_001}, "rationale", "8,001 characters, at most 8,000"),
        ({"topic": "t" * 201}, "topic", "201 characters, at most 200"),
        ({"id": "q" * 201}, "id", "201 characters, at most 200"),
        ({"stem": "Line\u000bbreak?"}, "stem", "U+000B (vertical tab) at character 5"),
        ({"rationale": "a\u001fb"}, "rationale", "U+001F (unit separator) at character 2"),
        ({"stem": "nul\u0000?"}, "stem", "U+0000 (null) at character 4"),
        ({"stem": "del\u007f?"}, "stem", "U+007F (delete) at character 4"),
        ({"stem": "c1 \u0092 quote?"}, "stem", "U+0092 (a control character)"),
        ({"stem": "non\ufffe?"}, "stem", "U+FFFE (a noncharacter) at character 4"),
        ({"stem": "lone \ud800?"}, "stem", "U+D800 (a lone surrogate) at character 6"),
        ({"id": "Q\t1"}, "id", "a tab at character 2"),
        ({"reasons": ["x" * 12_001]}, "reasons.0", "12,001 characters, at most 12,000"),
    ],
)
def test_the_item_model_refuses_what_the_bank_cannot_hold(
    fields: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_item(1, **fields)
    errors = {".".join(map(str, e["loc"])): e["msg"] for e in caught.value.errors()}
    assert message in errors[field], errors


def test_options_sources_provenance_and_review_events_are_limited_too() -> None:
    with pytest.raises(ValidationError, match="1,001 characters, at most 1,000"):
        make_item(1, options=["a", "b" * 1_001, "c", "d"])
    with pytest.raises(ValidationError, match=r"U\+001F \(unit separator\)"):
        make_item(1, options=["a", "b\u001f", "c", "d"])
    with pytest.raises(ValidationError, match="4,001 characters, at most 4,000"):
        Source(note="d5-claims", quote="q" * 4_001)
    with pytest.raises(ValidationError, match="at most 20"):
        make_item(1, sources=[{"note": f"n{i}"} for i in range(21)])
    with pytest.raises(ValidationError, match="201 characters, at most 200"):
        make_item(1, provenance={"generator": "llm", "model": "m" * 201})
    with pytest.raises(ValidationError, match="943,718 characters, at most 2,000"):
        ReviewEvent(item_id="q1", reviewer="ana", at=NOW, decision="reject", note="n" * 943_718)
    with pytest.raises(ValidationError, match="201 characters, at most 200"):
        ReviewEvent(item_id="q1", reviewer="r" * 201, at=NOW, decision="approve")


def test_every_line_break_is_stored_as_a_newline() -> None:
    item = make_item(
        1,
        stem="First line\r\nsecond\rthird\u2028fourth\u0085fifth",
        rationale="One paragraph.\u2029Another.",
    )
    assert item.stem == "First line\nsecond\nthird\nfourth\nfifth"
    assert item.rationale == "One paragraph.\n\nAnother."
    # Tabs and newlines are the control characters text may hold.
    assert make_item(2, stem="Columns:\ta\tb\nnext line?").stem == "Columns:\ta\tb\nnext line?"


# ---- import: file, line and field --------------------------------------------------------
def test_an_import_names_file_line_and_field_and_stores_nothing(db: Path, tmp_path: Path) -> None:
    rows = [record(i) for i in range(6)]
    rows.append(record(6, stem="x" * 912_004, options=["a", "b\u000b", "c", "d"]))
    rows.append(record(7, rationale="why\u001f", sources=[{"note": "d5", "quote": "q" * 4_001}]))
    rows.append(record(8, id="Q\n8", topic="t" * 201, provenance={"model": "m" * 201}))
    path = write_lines(tmp_path / "items.jsonl", rows)
    assert run("init", "--db", db)[0] == 0
    code, _, err = run("import", path, "--db", db)
    assert code == 1
    assert f"{path}:7 [stem]: 912,004 characters, at most 8,000" in err
    assert f"{path}:7 [options]: option B: U+000B (vertical tab) at character 2: remove it" in err
    assert f"{path}:8 [rationale]: U+001F (unit separator) at character 4: remove it" in err
    assert f"{path}:8 [sources.quote]: source 1: 4,001 characters, at most 4,000" in err
    assert f"{path}:9 [id]: a newline at character 2: remove it" in err
    assert f"{path}:9 [topic]: 201 characters, at most 200" in err
    assert f"{path}:9 [provenance.model]: 201 characters, at most 200" in err
    with open_store(db, read_only=True) as store:
        assert store.item_count() == 0


def test_csv_and_gift_imports_refuse_control_characters_by_line(
    tmp_path: Path, blueprint: Blueprint
) -> None:
    csv_path = tmp_path / "items.csv"
    csv_path.write_text(
        "id,domain,stem,option_a,option_b,option_c,option_d,answer\n"
        "c1,5,Which form?,CMS-1500,UB-04,ADA,NCPDP,A\n"
        "c2,5,Which \x0bform?,CMS-1500,UB-04,ADA,NCPDP,A\n",
        encoding="utf-8",
    )
    gift_path = tmp_path / "items.gift"
    gift_path.write_text(
        "$CATEGORY: cmas/5 Insurance\n\n::g1::Which form?{=CMS-1500 ~UB-04 ~ADA ~NC\x1fPDP}\n",
        encoding="utf-8",
    )
    read = read_item_file(csv_path, blueprint)
    assert [(p.line, p.field) for p in read.problems] == [(3, "stem")]
    assert "U+000B" in read.problems[0].message and len(read.items) == 1
    read = read_item_file(gift_path, blueprint)
    assert [(p.line, p.field) for p in read.problems] == [(3, "options")]
    assert "option D: U+001F" in read.problems[0].message


def test_other_fields_of_a_record_are_limited_on_import(blueprint: Blueprint) -> None:
    parsed = parse_record(record(1, notes_from_elsewhere="n" * 100_001), blueprint)
    assert parsed.item is None
    (problem,) = parsed.problems
    assert problem.field == "extra" and "at most 100,000" in problem.message
    assert "'notes_from_elsewhere'" in problem.message


def test_validate_reports_an_over_long_stem_without_crashing(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "c.jsonl", [record(0), record(1, stem="Why? " * 2_000)])
    code, out, _ = run("validate", path, "--json")
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and [r["status"] for r in results] == ["clean", "rejected"]
    assert results[1]["errors"] == ["line 2 [stem]: 10,000 characters, at most 8,000"]


def test_a_normalized_crlf_file_imports_with_newlines(db: Path, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "crlf.jsonl", [record(1, stem="Line one\r\nline two?")])
    assert run("import", path, "--db", db)[0] == 0
    with open_store(db, read_only=True) as store:
        (item,) = store.find_items()
    assert item.stem == "Line one\nline two?"


# ---- the CLI edit and the web edit: the same message --------------------------------------
@pytest.fixture
def queued(db: Path, blueprint: Blueprint) -> Item:
    item = make_item(3).model_copy(update={"checked_at": NOW, "checks_version": "test"})
    with open_store(db) as store:
        store.save_blueprint(blueprint)
        store.save_items([item])
        store.add_reviewer("ana", token_hash(TOKEN))
    return item


def signed_in(db: Path) -> tuple[TestClient, str]:
    client = TestClient(
        create_app(db, SECRET, detector=LayeredDetector([LexicalLayer()]), clock=lambda: NOW),
        follow_redirects=False,
    )
    csrf = CSRF.search(client.get("/login").text)
    assert csrf
    client.post("/login", data={"token": TOKEN, "csrf": csrf.group(1)})
    page = CSRF.search(client.get("/queue").text)
    assert page
    return client, page.group(1)


def test_cli_and_web_edits_refuse_an_over_long_stem_alike(db: Path, queued: Item) -> None:
    code, _, err = run(
        "review",
        "edit",
        queued.id,
        "-r",
        "ana",
        "--patch",
        json.dumps({"stem": "s" * 9_000}),
        "--db",
        db,
    )
    message = "[stem] 9,000 characters, at most 8,000"
    assert code == 1 and message in err
    client, csrf = signed_in(db)
    with client:
        letters = ("option_a", "option_b", "option_c", "option_d")
        options = dict(zip(letters, queued.options, strict=True))
        refused = client.post(
            f"/items/{queued.id}/edit",
            data={"csrf": csrf, "seen": queued.content_hash, **options, "stem": "s" * 9_000},
        )
        assert refused.status_code == 422 and message in refused.text
        control = client.post(
            f"/items/{queued.id}/edit",
            data={"csrf": csrf, "seen": queued.content_hash, **options, "option_b": "UB\x0b04"},
        )
        assert control.status_code == 422
        assert "option B: U+000B (vertical tab) at character 3: remove it" in control.text
        # A textarea's CR LF is a newline, not a forbidden character.
        saved = client.post(
            f"/items/{queued.id}/edit",
            data={"csrf": csrf, "seen": queued.content_hash, **options, "stem": "One\r\ntwo?"},
        )
        assert saved.status_code == 303
    with open_store(db, read_only=True) as store:
        assert store.get_item(queued.id).stem == "One\ntwo?"


def test_an_over_long_reject_note_is_a_message_not_a_500(db: Path, queued: Item) -> None:
    client, csrf = signed_in(db)
    with client:
        response = client.post(
            f"/items/{queued.id}/reject",
            data={"csrf": csrf, "reason": "other", "note": "n" * 943_718},
            follow_redirects=True,
        )
        assert response.status_code == 200
        assert "943,718 characters, at most 2,000" in response.text
    with open_store(db, read_only=True) as store:
        assert store.get_item(queued.id).status == "pending_review"
        assert store.events(queued.id) == []


def test_the_edit_form_says_the_same_limits(db: Path, queued: Item) -> None:
    client, _ = signed_in(db)
    with client:
        page = client.get(f"/items/{queued.id}").text
    for name, limit in (
        ("stem", limits.MAX_STEM),
        ("option_a", limits.MAX_OPTION),
        ("topic", limits.MAX_TOPIC),
        ("rationale", limits.MAX_RATIONALE),
        ("note", limits.MAX_REVIEW_NOTE),
    ):
        tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', page)
        assert tag and f'maxlength="{limit}"' in tag.group(0), name


def test_input_error_lists_every_problem_of_an_edit(blueprint: Blueprint) -> None:
    from validators.review import apply_edit

    item = make_item(4)
    with pytest.raises(InputError) as caught:
        apply_edit(item, {"stem": "s" * 8_001, "rationale": "\x00"}, blueprint, "ana", NOW)
    assert {p.field for p in caught.value.problems} == {"stem", "rationale"}


def test_a_stored_text_over_a_limit_still_loads_and_an_edit_must_shorten_it(
    tmp_path: Path,
) -> None:
    """A bank written before the limits (or by another tool) loses nothing on reading."""
    import duckdb

    db = tmp_path / "old.duckdb"
    item = make_item(1)
    with open_store(db) as store:
        store.save_items([item])
    long_stem = "Which form? " + "x" * (limits.MAX_STEM + 500)
    con = duckdb.connect(str(db))
    con.execute("UPDATE items SET stem = ? WHERE id = ?", [long_stem, item.id])
    con.close()

    with open_store(db, read_only=True) as store:
        (loaded,) = store.find_items()
        assert loaded.stem == long_stem
    result = CliRunner().invoke(app, ["items", "show", item.id, "--db", str(db), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["stem"] == long_stem

    result = CliRunner().invoke(
        app,
        ["review", "edit", item.id, "--reviewer", "ana", "--db", str(db), "--patch",
         json.dumps({"rationale": "Still too long a stem."})],
    )  # fmt: skip
    assert result.exit_code != 0 and "stem" in result.stderr
    assert f"at most {limits.MAX_STEM:,}" in result.stderr
    with open_store(db, read_only=True) as store:
        assert store.get_item(item.id).stem == long_stem  # the refused edit changed nothing
