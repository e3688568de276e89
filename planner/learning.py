"""The fitted learning model: how practice raises a domain's ability and how it is forgotten.

Learning (fitted on real learners, planner/learning_fit.json, benchmarks/fit_learning.py):
the logit of a right answer in a topic rises with practice as an additive-factors curve,

    gain(n) = g * log(1 + n / topics)        n practice questions in the domain

where each topic of the domain plays the role of one skill of the data (the questions of a
domain are spread over its topics) and ``g`` is the mean gain over ASSISTments09 and Statics
train learners; learners differ in their ``g`` (sd ``learner_gain_sd``) and the transfer of
``g`` to CMAS learners carries ``gain_transfer_sd``.

Forgetting (a published fit, not an invented half-life): each study day of a domain is one
retrieval of its material, with the memory stability updated by FSRS-6 with the default
parameters of the ``fsrs`` package (fitted on about 10,000 Anki users' review logs): a day's
retrievability ``R = (1 + F t / S) ** -decay`` after ``t`` days, the stability after a
review the FSRS recall update when it succeeds (chance R) and the FSRS relearning update when
it fails. Between two study days the learned gain decays to ``R`` of itself and is mapped back
onto the learning curve (the questions it is worth), so a day after a long gap first relearns
what was lost, quickly as on the early curve. Gaps that are too short grow stability little
(FSRS's spacing effect), gaps that are too long lose what was learned: that trade-off is what
the schedule optimises. Learners differ in how fast they forget (a time multiplier with
lognormal spread ``STABILITY_SD``, an assumption: FSRS publishes no per-user spread).

What the learner knew before the plan does not decay (it is consolidated); the plan's gain
does. Everything is vectorised over draws of (gain, forgetting multiplier).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from fsrs.scheduler import DEFAULT_PARAMETERS

FloatArray = npt.NDArray[np.float64]
FIT_FILE = Path(__file__).with_name("learning_fit.json")
STABILITY_SD = 0.3
"""Lognormal sd of a learner's forgetting-speed multiplier (assumption, not fitted)."""
GOOD = 3
"""FSRS rating of a successful retrieval."""


@dataclass(frozen=True)
class LearningParams:
    """The numbers of the learning model, each from planner/learning_fit.json or FSRS-6.

    Attributes:
        gain: mean logit gain per unit of log(1 + questions per topic), fitted.
        gain_sd: uncertainty of ``gain`` for CMAS learners (between-data-set spread).
        learner_gain_sd: spread of the gain between learners, fitted.
        domain_gain_sd: spread of the gain between the domains of one learner, fitted
            (the skill slopes' spread).
        stability_sd: lognormal spread of learners' forgetting speed (assumption).
        fsrs: the FSRS-6 default parameters (w0 ... w20) of the fsrs package.
    """

    gain: float
    gain_sd: float
    learner_gain_sd: float
    domain_gain_sd: float = 0.0
    stability_sd: float = STABILITY_SD
    fsrs: tuple[float, ...] = tuple(DEFAULT_PARAMETERS)


@lru_cache(maxsize=4)
def load_params(path: Path = FIT_FILE) -> LearningParams:
    """The shipped fitted parameters (read once; the file records where each came from)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return LearningParams(
        gain=float(data["gain_per_log_item"]["value"]),
        gain_sd=float(data["gain_transfer_sd"]["value"]),
        learner_gain_sd=float(data["learner_gain_sd"]["value"]),
        domain_gain_sd=float(data.get("domain_gain_sd", {}).get("value", 0.0)),
    )


def curve_gain(
    items: float | FloatArray, topics: float, gain: float | FloatArray
) -> float | FloatArray:
    """Logit gain of ``items`` practice questions spread over ``topics`` topics."""
    return gain * np.log1p(np.asarray(items, dtype=float) / topics)


def _initial_difficulty(w: Sequence[float]) -> float:
    return min(max(w[4] - math.exp(w[5] * (GOOD - 1)) + 1.0, 1.0), 10.0)


def exam_gain(
    sessions: Sequence[tuple[int, float]],
    exam_day: int,
    topics: float | FloatArray,
    gain: float | FloatArray,
    pace: float | FloatArray = 1.0,
    w: Sequence[float] = tuple(DEFAULT_PARAMETERS),
) -> FloatArray:
    """The logit gain still there on the exam day from a domain's study days.

    Args:
        sessions: (day, questions) of each study day of the domain, days ascending and
            distinct, all before ``exam_day``.
        exam_day: the exam's day on the same count.
        topics: the domain's topic count (questions are spread over them), or one per
            domain to score several domains with the same study days at once.
        gain: the learner's curve gain (one value or one per draw).
        pace: forgetting-speed multiplier (elapsed time is divided by it), or one per draw.
        w: FSRS-6 parameters.

    Returns:
        One logit gain per draw (an array of the broadcast shape of the array arguments).
    """
    g = np.asarray(gain, dtype=float)
    m = np.asarray(pace, dtype=float)
    k = np.asarray(topics, dtype=float)
    shape = np.broadcast(g, m, k).shape
    decay = w[20]
    factor = 0.9 ** (-1.0 / decay) - 1.0
    d = _initial_difficulty(w)
    learned = np.zeros(shape)  # logit gain of the plan so far
    stability = np.full(shape, w[2])  # first retrieval rated Good
    last: int | None = None
    safe_g = np.where(np.abs(g) < 1e-9, 1e-9, g)
    for day, questions in sessions:
        if last is not None:
            elapsed = (day - last) / m
            recall = (1.0 + factor * elapsed / stability) ** (-decay)
            learned = learned * recall
            grow = (
                math.exp(w[8]) * (11.0 - d) * stability ** (-w[9]) * np.expm1(w[10] * (1 - recall))
            )
            good = stability * (1.0 + grow)
            lapse = np.minimum(
                w[11]
                * d ** (-w[12])
                * ((stability + 1.0) ** w[13] - 1.0)
                * np.exp(w[14] * (1.0 - recall)),
                stability / math.exp(w[17] * w[18]),
            )
            stability = recall * good + (1.0 - recall) * lapse
        # the questions the retained gain is worth on the curve, then this day's questions
        worth = k * np.expm1(learned / safe_g)
        learned = g * np.log1p((worth + questions) / k)
        last = day
    if last is None:
        return np.zeros(shape)
    elapsed = (exam_day - last) / m
    recall = (1.0 + factor * elapsed / stability) ** (-decay)
    return np.asarray(learned * recall, dtype=float)
