"""Prompts are files: every template renders with sample context, strictly, and is versioned."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jinja2
import pytest

from bank.models import Blueprint, Item
from bank.notes import load_notes
from generators.llm_schema import BATCH_SCHEMA, JUDGE_CODES, DraftItem
from generators.prompts import DEFAULT_DIR, Prompts, as_data, attr, load_prompts
from validators.flaws import RULES, check_flaws
from validators.grounding import THRESHOLD, quote_support
from validators.review import JUDGEMENT_CODES

NOTE = {"id": "d5-claim-forms", "topic": "claim forms", "title": "Claims", "text": "Body."}
SAMPLE = {
    "system.md": {"domain": {"number": 5, "name": "Billing"}, "examples": [{"stem": "Q?"}]},
    "user.md": {
        "count": 3,
        "domain": {"number": 5, "name": "Billing"},
        "topic": "claim forms",
        "difficulty": None,
        "bloom": "apply",
        "notes": [NOTE],
    },
    "repair.md": {"error": "items.0.answer: Field required", "raw": "{bad", "count": 2},
    "judge_system.md": {"domain": {"number": 5, "name": "Billing"}},
    "judge_user.md": {
        "items": [{"index": 0, "stem": "Which form?", "options": ["A1", "B1", "C1", "D1"]}],
        "notes": [NOTE],
    },
    "rules.md": {},
}


@pytest.fixture(scope="module")
def prompts() -> Prompts:
    return load_prompts()


def test_every_template_renders_with_sample_context(prompts: Prompts) -> None:
    assert set(prompts.templates()) == set(SAMPLE)
    for name in prompts.templates():
        text = prompts.render(name, **SAMPLE[name])
        assert text.strip() and "{{" not in text and "{%" not in text and "{#" not in text


def test_a_missing_variable_is_an_error_not_an_empty_string(prompts: Prompts) -> None:
    for name, context in SAMPLE.items():
        for key in context:
            partial = {k: v for k, v in context.items() if k != key}
            with pytest.raises(jinja2.UndefinedError):
                prompts.render(name, **partial)


def test_the_user_prompt_fences_the_notes_and_asks_for_the_count(prompts: Prompts) -> None:
    text = prompts.render("user.md", **SAMPLE["user.md"])
    assert "Write exactly 3 items" in text and "a mix of easy, medium and hard" in text
    assert '<notes>\n<note id="d5-claim-forms" topic="claim forms" title="Claims">\nBody.' in text
    one = prompts.render("user.md", **{**SAMPLE["user.md"], "count": 1, "difficulty": "hard"})
    assert "Write exactly 1 item " in one and "Target difficulty: hard." in one


def test_the_system_prompt_carries_every_item_writing_rule(prompts: Prompts) -> None:
    text = prompts.render("system.md", **SAMPLE["system.md"])
    for code in (*RULES, *JUDGEMENT_CODES):
        assert f"({code})" in text, code
    assert "not instructions" in text and "word for word" in text
    judge = prompts.render("judge_system.md", **SAMPLE["judge_system.md"])
    assert all(code in judge for code in JUDGEMENT_CODES)
    assert tuple(JUDGE_CODES) == JUDGEMENT_CODES


def test_data_cannot_close_the_fences() -> None:
    assert as_data("x </notes> y <note id='z'> <NOTES>") == (
        "x &lt;/notes> y &lt;note id='z'> &lt;NOTES>"
    )
    assert as_data("</previous_output></error><items>") == (
        "&lt;/previous_output>&lt;/error>&lt;items>"
    )
    assert as_data("a < b and <b>bold</b>") == "a < b and <b>bold</b>"
    assert attr('say "hi" <x>') == "say &quot;hi&quot; &lt;x&gt;"


def test_version_is_declared_plus_content_digest(prompts: Prompts, tmp_path: Path) -> None:
    declared = (DEFAULT_DIR / "VERSION").read_text().strip()
    assert prompts.version.startswith(f"{declared}+") and len(prompts.version.split("+")[1]) == 8
    copy = tmp_path / "prompts"
    shutil.copytree(DEFAULT_DIR, copy)
    assert Prompts(copy).version == prompts.version  # the same content, the same version
    (copy / "user.md").write_text((copy / "user.md").read_text() + "\nBe brief.\n")
    assert Prompts(copy).version != prompts.version  # an edit changes it, bumped or not
    (copy / "VERSION").unlink()
    with pytest.raises(FileNotFoundError):
        Prompts(copy)


def test_every_domain_has_a_clean_grounded_few_shot_example(
    prompts: Prompts, blueprint: Blueprint
) -> None:
    notes = load_notes(DEFAULT_DIR.parent / "data" / "notes", blueprint).by_id()
    schema_fields = set(BATCH_SCHEMA["properties"]["items"]["items"]["required"])
    for number in blueprint.numbers:
        examples = prompts.examples(number)
        assert examples, f"prompts/examples/d{number}.json is missing"
        for example in examples:
            assert set(example) == schema_fields  # an example is exactly what we ask for
            draft = DraftItem.model_validate(example)
            item = Item(domain=number, stem=draft.stem, options=draft.options, answer=draft.answer)
            assert check_flaws(item.stem, item.options, item.answer) == [], (number, item.stem)
            source = draft.sources[0]
            assert notes[source.note].domain == number
            assert quote_support(source.quote, notes[source.note].text) >= THRESHOLD
    path = DEFAULT_DIR / "examples" / "d1.json"
    assert json.loads(path.read_text())[0]["answer"] in "ABCD"
    assert prompts.examples(99) == []
