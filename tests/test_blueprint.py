from __future__ import annotations

from pathlib import Path

import pytest

from bank.blueprint import load_blueprint, parse_blueprint
from bank.errors import BlueprintError
from bank.models import Blueprint


def test_cmas_blueprint_matches_the_published_outline(blueprint: Blueprint) -> None:
    assert [d.count for d in blueprint.domains] == [26, 14, 20, 34, 34, 34, 14, 24]
    assert [d.weight for d in blueprint.domains] == [13, 7, 10, 17, 17, 17, 7, 12]
    exam = blueprint.exam
    assert (exam.questions_min, exam.questions_max, exam.minutes) == (200, 230, 120)
    assert exam.passing_score == 70 and exam.score_scale == (0, 100)
    assert (exam.retake_wait_days, exam.max_attempts) == (45, 4)
    assert (exam.renewal_years, exam.ccp_points_per_year) == (3, 10)
    assert all(d.topics for d in blueprint.domains)


def test_domain_lookup_by_number_text_and_name(blueprint: Blueprint) -> None:
    assert blueprint.domain(4).name == "Medical Records Management"  # type: ignore[union-attr]
    assert blueprint.domain("4") is blueprint.domain(4)
    assert blueprint.domain("medical records  MANAGEMENT") is blueprint.domain(4)
    assert blueprint.domain(9) is None and blueprint.domain("Nursing") is None
    assert blueprint.topic(5, "Claim Forms and Submission") == "claim forms and submission"


BROKEN = """\
id: other
name: Other exam
exam: {questions_min: 10, questions_max: 12, form_length: 10, minutes: 30, passing_score: 70}
domains:
  - {number: 1, name: Alpha, weight: 60, count: 5}
  - {number: 1, name: Beta, weight: 30, count: 3}
  - {number: 3, name: alpha, weight: 20, count: 1}
"""


def test_broken_blueprint_reports_every_problem_at_once() -> None:
    with pytest.raises(BlueprintError) as info:
        parse_blueprint(BROKEN, "other.yaml")
    text = str(info.value)
    assert "weights sum to 110, not 100" in text
    assert "counts sum to 9, not the form length 10" in text
    assert "domain number 1 appears 2 times" in text
    assert "domain name 'alpha' appears 2 times" in text
    assert all(p.file == "other.yaml" and p.line for p in info.value.problems)


def test_schema_errors_name_field_and_line() -> None:
    text = BROKEN.replace("weight: 30", "weight: -3")
    with pytest.raises(BlueprintError) as info:
        parse_blueprint(text, "x.yaml")
    problem = info.value.problems[0]
    assert problem.field == "domains.1.weight" and problem.line == 6


def test_unreadable_and_invalid_yaml(tmp_path: Path) -> None:
    with pytest.raises(BlueprintError, match="cannot read"):
        load_blueprint(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n")
    with pytest.raises(BlueprintError, match="not valid YAML"):
        load_blueprint(bad)


def test_another_exam_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(
        BROKEN.replace("weight: 60", "weight: 50")
        .replace(
            "- {number: 1, name: Beta, weight: 30, count: 3}",
            "- {number: 2, name: Beta, weight: 30, count: 4}",
        )
        .replace("alpha, weight: 20", "Gamma, weight: 20")
    )
    bp = load_blueprint(path)
    assert bp.id == "other" and bp.numbers == [1, 2, 3]
