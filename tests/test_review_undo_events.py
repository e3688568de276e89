"""Undo events: the `reopen` decision, and undos that older banks recorded as a requeue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bank.models import ReviewEvent
from bank.store.review_journal import voted_on
from pipelines.review import done_since, is_undo, live_history

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _event(minute: int, decision: str, reason: str | None = None, who: str = "ana") -> ReviewEvent:
    return ReviewEvent(
        item_id="Q1",
        reviewer=who,
        at=T0 + timedelta(minutes=minute),
        decision=decision,  # type: ignore[arg-type]
        reason=reason,
    )


def test_a_reopen_and_an_older_banks_requeue_reopen_are_both_undos() -> None:
    assert is_undo(_event(1, "reopen"))
    assert is_undo(_event(1, "requeue", "reopen"))
    assert not is_undo(_event(1, "requeue", "conflict"))
    assert not is_undo(_event(1, "requeue"))


def test_an_undone_vote_leaves_the_live_history_and_the_session_count() -> None:
    for undo in (_event(2, "reopen"), _event(2, "requeue", "reopen")):
        events = [_event(1, "approve"), undo, _event(3, "reject")]
        assert [e.decision for e in live_history(events)] == ["reject"]
        assert done_since(events, "ana", T0) == 1  # two votes, one taken back
        assert voted_on(events[:2], "ana") is False
        assert voted_on(events, "ana") is True


def test_a_requeue_for_another_reason_keeps_the_vote() -> None:
    events = [_event(1, "approve"), _event(2, "requeue", "conflict", who="system")]
    assert [e.decision for e in live_history(events)] == ["approve", "requeue"]
    assert done_since(events, "ana", T0) == 1


def test_another_reviewers_reopen_does_not_take_back_a_vote() -> None:
    events = [_event(1, "approve"), _event(2, "reopen", who="ben")]
    assert [e.decision for e in live_history(events)] == ["approve", "reopen"]
    assert voted_on(events, "ana") is True
