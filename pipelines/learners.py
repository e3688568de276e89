"""Learner services over the bank: mastery from stored answers, readiness, plans.

Plain functions that read the store and call the pure planner; the CLI and the web
app share them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bank.errors import InputError, Problem
from bank.models import LETTERS, Blueprint, Response
from bank.store import Store
from bank.store.protocols import LearnerStore
from planner.calibration import Calibration
from planner.learner_fit import LearnerModelFit, fit_from_dict, fit_learner_model, fit_to_dict
from planner.mastery import DomainMastery, Prior, ResponseRecord, estimate_mastery
from planner.readiness import Readiness, predict_readiness

MIN_LEARNERS_TO_CALIBRATE = 20


def response_records(store: LearnerStore, learner_id: str | None = None) -> list[ResponseRecord]:
    """Stored answers joined with their items' domains (answers to unknown items are skipped)."""
    responses = store.responses(learner_id)
    domains = {it.id: it.domain for it in store.find_items(ids={r.item_id for r in responses})}
    return [
        ResponseRecord(r.learner_id, r.item_id, domains[r.item_id], r.correct, r.answered_at)
        for r in responses
        if r.item_id in domains
    ]


@dataclass(frozen=True)
class LearnerEvidence:
    """A learner's answers, and the fitted model to read them with."""

    responses: list[ResponseRecord]
    calibration: Calibration
    prior: Prior | None

    def difficulty(self, item_id: str, domain: int) -> float:
        """An item's difficulty: fitted, else its domain's, else typical (0)."""
        return self.calibration.difficulty(item_id, domain)


TYPICAL = Calibration({}, {}, 0.0, 0.0, 1.0)
"""Before the first fit every item counts as typical (difficulty 0)."""


def stored_fit(store: LearnerStore) -> LearnerModelFit | None:
    """The learner model the last fit stored, or None (never fitted, or unreadable)."""
    body = store.learner_model()
    if body is None:
        return None
    try:
        return fit_from_dict(body["fit"])
    except (KeyError, TypeError, ValueError):
        return None


def learner_evidence(store: LearnerStore, learner_id: str) -> LearnerEvidence:
    """A learner's answers, with the stored fit's item difficulties and prior.

    The fit (`refit_learner_model`, run by the nightly flow) needs many learners: fitted
    on a handful, difficulties would soak up those learners' own answers. Until then every
    item counts as typical and the prior is the default one.
    """
    fit = stored_fit(store)
    mine = response_records(store, learner_id)
    if fit is None:
        return LearnerEvidence(mine, TYPICAL, None)
    return LearnerEvidence(mine, fit.calibration, fit.prior)


@dataclass(frozen=True)
class FitReport:
    """What a refit did: learners and answers used, and the held-out AUC that chose it."""

    learners: int
    responses: int
    holdout_auc: float | None
    stored: bool
    reason: str = ""


def refit_learner_model(
    store: Store, now: datetime, min_learners: int = MIN_LEARNERS_TO_CALIBRATE
) -> FitReport:
    """Fit item difficulties and the prior on every stored answer and store the fit.

    Runs the product's learner-model fit (planner.learner_fit, the one the benchmark
    scores). With fewer than `min_learners` learners nothing is stored.
    """
    everyone = sorted(response_records(store), key=lambda r: (r.learner_id, r.answered_at))
    learners = len({r.learner_id for r in everyone})
    if learners < min_learners:
        return FitReport(
            learners, len(everyone), None, False, f"fewer than {min_learners} learners"
        )
    last = max(r.answered_at for r in everyone).isoformat()
    before = store.learner_model() or {}
    if before.get("responses") == len(everyone) and before.get("last_answer") == last:
        auc = (before.get("fit") or {}).get("holdout_auc")
        return FitReport(learners, len(everyone), auc, False, "no new answers since the last fit")
    fit = fit_learner_model(everyone)
    store.save_learner_model(
        {
            "fitted_at": now.isoformat(),
            "learners": learners,
            "responses": len(everyone),
            "last_answer": last,
            "fit": fit_to_dict(fit),
        }
    )
    return FitReport(learners, len(everyone), fit.holdout_auc, True)


def learner_mastery(
    store: LearnerStore, learner_id: str, blueprint: Blueprint
) -> dict[int, DomainMastery]:
    """A learner's mastery per domain from their stored answers."""
    evidence = learner_evidence(store, learner_id)
    return estimate_mastery(
        evidence.responses, evidence.calibration, blueprint.numbers, evidence.prior
    )


def learner_readiness(
    mastery: dict[int, DomainMastery], blueprint: Blueprint, seed: int = 0
) -> Readiness:
    """The predicted scaled score and pass chance for a mastery, on the blueprint's form."""
    counts = {d.number: d.count for d in blueprint.domains}
    return predict_readiness(mastery, counts, seed, passing_score=blueprint.exam.passing_score)


@dataclass
class ResponseImport:
    """What a responses import did: answers saved, rows skipped with why, rows read."""

    saved: int
    skipped: list[Problem]
    read: int


def read_responses(path: Path, store: Store) -> tuple[list[Response], list[Problem], int]:
    """Responses from CSV or JSONL: learner, item, correct or chosen, answered_at, seconds."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(f"cannot read the file: {exc}", str(path))]) from exc
    rows: list[tuple[int, Any]] = []
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        for n, text_line in enumerate(text.splitlines(), start=1):
            if not text_line.strip():
                continue
            try:
                rows.append((n, json.loads(text_line)))
            except json.JSONDecodeError as exc:
                rows.append((n, f"not valid JSON: {exc.msg}"))
    else:
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            rows.append((reader.line_num, row))
    learners = {lr.id for lr in store.learners()}
    ids = {str(r.get("item") or r.get("item_id")) for _, r in rows if isinstance(r, dict)}
    items = {it.id: it for it in store.find_items(ids=ids)}
    out: list[Response] = []
    problems: list[Problem] = []
    for line, row in rows:
        file = str(path)
        if not isinstance(row, dict):
            problems.append(Problem(str(row), file, line))
            continue
        learner = str(row.get("learner") or row.get("learner_id") or "").strip()
        item_id = str(row.get("item") or row.get("item_id") or "").strip()
        if learner not in learners:
            problems.append(
                Problem(
                    f"unknown learner {learner!r} (add with `cmasprep learners add`)",
                    file,
                    line,
                    "learner",
                )
            )
            continue
        item = items.get(item_id)
        if item is None:
            problems.append(Problem(f"unknown item {item_id!r}", file, line, "item"))
            continue
        chosen = str(row.get("chosen") or "").strip().upper() or None
        correct_raw = row.get("correct")
        if chosen is not None and chosen not in LETTERS:
            problems.append(Problem(f"chosen {chosen!r} is not A-D", file, line, "chosen"))
            continue
        if correct_raw in (None, ""):
            if chosen is None:
                problems.append(
                    Problem("give correct (true/false) or chosen (A-D)", file, line, "correct")
                )
                continue
            correct = chosen == item.answer
        else:
            text_value = str(correct_raw).strip().lower()
            if text_value not in ("true", "false", "1", "0", "yes", "no"):
                problems.append(
                    Problem(f"correct {correct_raw!r} is not true/false", file, line, "correct")
                )
                continue
            correct = text_value in ("true", "1", "yes")
        try:
            answered = datetime.fromisoformat(str(row.get("answered_at") or ""))
        except ValueError:
            problems.append(
                Problem(
                    f"answered_at {row.get('answered_at')!r} is not an ISO date-time",
                    file,
                    line,
                    "answered_at",
                )
            )
            continue
        if answered.tzinfo is None:
            answered = answered.replace(tzinfo=UTC)
        seconds = row.get("seconds")
        try:
            secs = float(seconds) if seconds not in (None, "") else None
        except (TypeError, ValueError):
            problems.append(Problem(f"seconds {seconds!r} is not a number", file, line, "seconds"))
            continue
        out.append(
            Response(
                learner_id=learner,
                item_id=item_id,
                answered_at=answered,
                correct=correct,
                chosen=chosen,
                seconds=secs,
            )
        )
    return out, problems, len(rows)


def import_responses(store: Store, path: Path) -> ResponseImport:
    """Keep the good rows, report the bad ones by line."""
    responses, problems, read = read_responses(path, store)
    return ResponseImport(store.save_responses(responses), problems, read)
