"""`cmasprep practice`: scripted sessions, what they store, exposure control and the timed exam."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from app.commands_practice import practice
from app.practice_tui import TerminalPractice, render_summary
from bank.models import Blueprint, Item, Learner, Response
from bank.store import open_store
from pipelines.learners import learner_mastery
from pipelines.practice import (
    SessionResult,
    exam_quotas,
    exam_seconds,
    load_learner_model,
    practice_pool,
)
from planner.mastery import domain_mastery
from tests.conftest import make_item

START = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
CMAS = {1: 26, 2: 14, 3: 20, 4: 34, 5: 34, 6: 34, 7: 14, 8: 24}

cli = typer.Typer()
cli.command()(practice)


class FakeClock:
    """Time stands still until an answer is typed; each answer takes its scripted seconds."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def scripted(clock: FakeClock, lines: list[tuple[str, float]]):
    """An input function: each line arrives after its delay; then the input ends (EOF)."""
    queue: Iterator[tuple[str, float]] = iter(lines)
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        try:
            text, delay = next(queue)
        except StopIteration:
            raise EOFError from None
        clock.now += timedelta(seconds=delay)
        return text

    ask.prompts = prompts  # type: ignore[attr-defined]
    return ask


def bank(db: Path, items: list[Item], learner: str = "ana") -> list[Item]:
    with open_store(db) as store:
        store.save_items(items)
        store.add_learner(Learner(id=learner))
    return items


def approved(n: int, domain: int = 5, start: int = 0) -> list[Item]:
    return [make_item(start + i, domain=domain, status="approved") for i in range(n)]


def saver(db: Path):
    def save(response: Response) -> None:
        with open_store(db) as store:  # opened per write, as the CLI does
            store.save_responses([response])

    return save


def session(
    db: Path,
    blueprint: Blueprint,
    clock: FakeClock,
    lines: list[tuple[str, float]],
    domain: int | None = None,
    learner: str = "ana",
) -> tuple[TerminalPractice, Console]:
    with open_store(db, read_only=True) as store:
        model = load_learner_model(store, learner)
        items, _ = practice_pool(store, domain)
    out = Console(file=io.StringIO(), width=120)
    return (
        TerminalPractice(
            learner,
            blueprint,
            items,
            model,
            clock=clock,
            ask=scripted(clock, lines),
            out=out,
            save=saver(db),
            domain=domain,
            rng=random.Random(7),
        ),
        out,
    )


def stored(db: Path, learner: str = "ana") -> list[Response]:
    with open_store(db, read_only=True) as store:
        return store.responses(learner)


# --- the command --------------------------------------------------------------------------


def test_cli_records_each_answer_reasks_and_q_keeps_partial_progress(
    runner: CliRunner, db: Path
) -> None:
    items = bank(db, approved(6))
    result = runner.invoke(
        cli, ["--learner", "ana", "--count", "5", "--db", str(db)], input="B\nx\na\nq\n"
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Not quite" in out and "the answer is A" in out and "Right" in out
    assert "The CMS-1500 is the professional claim form." in out  # the rationale
    assert "'x' is not an answer" in out
    assert "Stopped. 2 answers saved." in out and "mastery before → after" in out
    saved = stored(db)
    assert [(r.chosen, r.correct) for r in saved] == [("B", False), ("A", True)]
    assert len({r.item_id for r in saved}) == 2 and {r.item_id for r in saved} <= {
        i.id for i in items
    }
    assert all(r.seconds is not None and r.seconds >= 0 for r in saved)


def test_cli_falls_back_to_pending_items_and_says_so(runner: CliRunner, db: Path) -> None:
    bank(db, [make_item(i, domain=3) for i in range(3)])
    result = runner.invoke(cli, ["--learner", "ana", "--db", str(db)], input="A\nA\nA\n")
    assert result.exit_code == 0, result.output
    assert "No approved items yet" in result.stdout and "pending review" in result.stdout
    assert len(stored(db)) == 3
    assert "No more items" in result.stdout  # the pool ran out before --count (10)


def test_cli_timed_gives_feedback_only_at_the_end_with_a_predicted_score(
    runner: CliRunner, db: Path
) -> None:
    bank(db, [it for d in CMAS for it in approved(3, domain=d, start=10 * d)])
    result = runner.invoke(
        cli, ["--learner", "ana", "--timed", "-n", "10", "--db", str(db)], input="A\n" * 10
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Mock exam:" in out and "10 items in 6 minutes" in out and "left" in out
    assert "Right:" not in out and "Not quite" not in out  # no per-item feedback
    assert "Mock exam score: 10 of 10 right" in out and "Predicted scaled score" in out
    assert "does not publish" in out  # the scaling assumption travels with the score
    assert len(stored(db)) == 10


def test_cli_errors_are_clear(runner: CliRunner, db: Path) -> None:
    bank(db, approved(2))
    result = runner.invoke(cli, ["--learner", "zed", "--db", str(db)])
    assert result.exit_code == 1 and "no learner 'zed'" in result.stderr
    result = runner.invoke(cli, ["--learner", "ana", "--domain", "12", "--db", str(db)])
    assert result.exit_code == 2 and "--domain 12" in result.stderr
    result = runner.invoke(cli, ["--learner", "ana", "--domain", "2", "--db", str(db)])
    assert result.exit_code == 1 and "no approved or pending-review items in domain 2" in (
        result.stderr
    )
    result = runner.invoke(cli, ["--help"])
    assert "Example: cmasprep practice" in result.stdout


# --- the session --------------------------------------------------------------------------


def test_answers_are_saved_with_letters_flags_and_seconds_and_never_repeat(
    db: Path, blueprint: Blueprint
) -> None:
    bank(db, approved(4, domain=5) + approved(4, domain=1, start=20))
    clock = FakeClock()
    lines = [("b", 12.5), ("A", 30), ("?", 3), ("C", 4), ("A", 8), ("A", 9), ("A", 1)]
    run, _ = session(db, blueprint, clock, lines)
    result = run.adaptive(6)
    saved = stored(db)
    assert [(r.chosen, r.correct, r.seconds) for r in saved] == [
        ("B", False, 12.5),
        ("A", True, 30.0),
        ("C", False, 7.0),  # the re-ask counts: 3 s on "?" then 4 s
        ("A", True, 8.0),
        ("A", True, 9.0),
        ("A", True, 1.0),
    ]
    assert [r.item_id for r in saved] == [a.item.id for a in result.answers]
    assert len({r.item_id for r in saved}) == 6
    assert saved[-1].answered_at == START + timedelta(seconds=12.5 + 30 + 7 + 8 + 9 + 1)
    assert not result.stopped and result.correct == 4


def test_recent_answers_wait_until_due_and_missed_items_come_back(
    db: Path, blueprint: Blueprint
) -> None:
    items = bank(db, approved(3, domain=5))
    with open_store(db) as store:
        store.save_responses(
            [
                Response(
                    learner_id="ana",
                    item_id=items[0].id,
                    answered_at=START - timedelta(hours=1),
                    correct=True,
                ),
                Response(
                    learner_id="ana",
                    item_id=items[1].id,
                    answered_at=START - timedelta(days=3),
                    correct=False,
                ),
            ]
        )
    run, out = session(db, blueprint, FakeClock(), [("A", 5)] * 5)
    result = run.adaptive(5)
    shown = [a.item.id for a in result.answers]
    assert items[0].id not in shown  # answered an hour ago: not due
    assert shown == [items[1].id, items[2].id]  # the missed item, due again, comes first
    assert "No more items" in out.file.getvalue()  # type: ignore[attr-defined]
    # A new sitting at the same moment finds nothing due.
    again, out = session(db, blueprint, FakeClock(), [("A", 5)])
    assert again.adaptive(3).answers == ()
    assert "Nothing to practise now" in out.file.getvalue()  # type: ignore[attr-defined]


def test_q_and_end_of_input_stop_and_keep_what_was_answered(db: Path, blueprint: Blueprint) -> None:
    bank(db, approved(5))
    run, _ = session(db, blueprint, FakeClock(), [("A", 2), ("Q", 1)])
    result = run.adaptive(5)
    assert result.stopped and len(result.answers) == 1 and len(stored(db)) == 1
    run, _ = session(db, blueprint, FakeClock(START + timedelta(days=30)), [("B", 2)])
    result = run.adaptive(5)  # input ends after one answer (EOF)
    assert result.stopped and len(stored(db)) == 2


@pytest.mark.parametrize("letter", ["A", "B"])
def test_mastery_moves_up_after_right_answers_and_down_after_wrong_ones(
    db: Path, blueprint: Blueprint, letter: str
) -> None:
    bank(db, approved(4, domain=5))
    with open_store(db, read_only=True) as store:
        at_start = learner_mastery(store, "ana", blueprint)
    run, out = session(db, blueprint, FakeClock(), [(letter, 10)] * 4)
    assert run.mastery() == at_start  # the session starts from learner_mastery's estimate
    result = run.adaptive(4)
    before, after = result.before[5].mastery, result.after[5].mastery
    assert (after > before) if letter == "A" else (after < before)
    (row,) = result.by_domain()
    assert (row.domain, row.answered, row.correct) == (5, 4, 4 if letter == "A" else 0)
    with open_store(db, read_only=True) as store:  # what was stored says the same
        assert learner_mastery(store, "ana", blueprint)[5] == result.after[5]
    render_summary(result, blueprint, out)
    text = out.file.getvalue()  # type: ignore[attr-defined]
    assert "unknown →" in text and ("↑" if letter == "A" else "↓") in text


def test_domain_option_keeps_to_one_domain(db: Path, blueprint: Blueprint) -> None:
    bank(db, approved(3, domain=5) + approved(3, domain=2, start=10))
    run, _ = session(db, blueprint, FakeClock(), [("A", 1)] * 6, domain=2)
    result = run.adaptive(6)
    assert [a.item.domain for a in result.answers] == [2, 2, 2]


# --- the mock exam ------------------------------------------------------------------------


def test_timed_exam_ends_at_the_limit_and_drops_a_late_answer(
    db: Path, blueprint: Blueprint
) -> None:
    bank(db, [it for d in CMAS for it in approved(3, domain=d, start=10 * d)])
    assert exam_seconds(10, blueprint) == 360.0  # 10 items at 120 min / 200
    clock = FakeClock()
    run, out = session(db, blueprint, clock, [("A", 100), ("B", 100), ("A", 100), ("A", 100)])
    result = run.mock_exam(10)
    assert result.timed_out and result.late_answer and result.seconds_allowed == 360.0
    assert [(a.chosen, a.correct) for a in result.answers] == [
        ("A", True),
        ("B", False),
        ("A", True),
    ]
    assert len(stored(db)) == 3  # the fourth answer, at 400 s, came after the limit
    assert all(a.answered_at <= START + timedelta(seconds=360) for a in result.answers)
    form = {d: sum(it.domain == d for it in result.exam_items) for d in CMAS}
    assert form == exam_quotas(CMAS, 10) == {1: 1, 2: 1, 3: 1, 4: 2, 5: 2, 6: 2, 7: 0, 8: 1}
    text = out.file.getvalue()  # type: ignore[attr-defined]
    assert "06:00 left" in text and "04:20 left" in text and "Time is up" in text
    assert "Right:" not in text and "Not quite" not in text
    assert result.readiness is not None and 0 <= result.readiness.expected_score <= 100
    render_summary(result, blueprint, out)
    text = out.file.getvalue()  # type: ignore[attr-defined]
    assert "2 of 10 right" in text and "7 unanswered count as wrong" in text
    assert "Predicted scaled score" in text


def test_timed_exam_stops_on_q_and_keeps_the_answers(db: Path, blueprint: Blueprint) -> None:
    bank(db, [it for d in CMAS for it in approved(2, domain=d, start=10 * d)])
    run, _ = session(db, blueprint, FakeClock(), [("A", 5), ("q", 1)])
    result = run.mock_exam(8)
    assert result.stopped and not result.timed_out and len(stored(db)) == 1
    assert result.readiness is not None


def test_no_form_or_practice_set_holds_two_items_of_one_enemy_group(
    tmp_path: Path, blueprint: Blueprint
) -> None:
    # 3 items a domain, two of each domain's items made from one fact (one enemy group)
    items = []
    for d in CMAS:
        trio = approved(3, domain=d, start=10 * d)
        items += [trio[0].model_copy(update={"enemy_group": f"fact:d{d}"}),
                  trio[1].model_copy(update={"enemy_group": f"fact:d{d}"}), trio[2]]  # fmt: skip
    exam_db, drill_db = tmp_path / "exam.duckdb", tmp_path / "drill.duckdb"
    bank(exam_db, items)
    bank(drill_db, items)
    run, _ = session(exam_db, blueprint, FakeClock(), [("A", 5)] * 30)
    exam = run.mock_exam(24)
    groups = [it.enemy_group for it in exam.exam_items if it.enemy_group]
    assert len(groups) == len(set(groups)) == len(CMAS)  # one of each group, never two
    assert len(exam.exam_items) == 2 * len(CMAS)  # the form is shorter, not enemy-laden
    drill, _ = session(drill_db, blueprint, FakeClock(), [("A", 5)] * 30, domain=5)
    shown = [a.item for a in drill.adaptive(3).answers]
    assert len(shown) == 2 and len({it.enemy_group or it.id for it in shown}) == 2


def test_exam_quotas_follow_the_blueprint_and_fill_from_other_domains() -> None:
    assert exam_quotas(CMAS, 200) == CMAS
    short = exam_quotas(CMAS, 20, {**dict.fromkeys(CMAS, 10), 4: 0})
    assert sum(short.values()) == 20 and short[4] == 0
    assert exam_quotas(CMAS, 50, dict.fromkeys(CMAS, 2)) == dict.fromkeys(CMAS, 2)


@given(size=st.integers(1, 300), caps=st.lists(st.integers(0, 40), min_size=8, max_size=8))
def test_exam_quotas_never_exceed_what_is_there_and_fill_what_they_can(
    size: int, caps: list[int]
) -> None:
    available = dict(zip(CMAS, caps, strict=True))
    quotas = exam_quotas(CMAS, size, available)
    assert all(0 <= quotas[d] <= available[d] for d in CMAS)
    assert sum(quotas.values()) == min(size, sum(caps))


def test_session_result_reports_unknown_domains_as_the_prior(blueprint: Blueprint) -> None:
    from planner.mastery import initial_state

    prior = {d: domain_mastery(initial_state(), d) for d in blueprint.numbers}
    empty = SessionResult((), 0, prior, prior, {})
    assert empty.by_domain() == [] and empty.correct == 0
