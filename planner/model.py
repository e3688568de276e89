"""The exam model the planner optimises: fitted learning, FSRS forgetting, the scaled score.

For each domain d the learner starts at ability ``a_d`` (logits; from the mastery estimate,
with its uncertainty) and the plan's study days add the logit gain of
:func:`planner.learning.exam_gain` (the fitted practice curve, eroded by FSRS-6 forgetting
between study days and up to the exam). The chance of a right answer on a typical exam item
of d is ``sigmoid(a_d + gain_d)``; the raw score is the blueprint-weighted mean over domains
and the scaled score is ``raw_to_scaled(raw)``.

Scaled score: raw = sum_d share_d * p_d, mapped linearly with ``RAW_AT_PASS`` (0.70
proportion correct) at the passing score (scaled 70) and ``SCALED_PER_RAW`` (100) scaled
points per unit of raw, clipped to the score scale. AMT does not publish its conversion; this
is the stated assumption (planner.readiness.SCALING_ASSUMPTION).

The planner's objective is the expected scaled score on exam day under the fitted (mean)
parameters. The forecast and the pass chance (:meth:`ExamModel.forecast`) integrate over
what is not known: the starting abilities (their sd, correlated across domains by
``ModelParams.shared``), the transfer of the fitted gain to CMAS learners, the learner's own
gain and forgetting speed, and the luck of one exam form (binomial per domain).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bank.models import Blueprint
from planner.learning import LearningParams, exam_gain, load_params

FloatArray = npt.NDArray[np.float64]
"""One number per domain, in blueprint order."""
Sessions = Sequence[Sequence[tuple[int, float]]]
"""Per domain (blueprint order), its study days as (day from the plan's first day, questions)."""

RAW_AT_PASS = 0.70
"""Proportion correct assumed to map to the passing scaled score (70)."""
SCALED_PER_RAW = 100.0
"""Scaled points per unit of raw proportion correct (linear map, clipped to the scale)."""
PROBIT = math.pi / 8.0
PASS_FLOOR = 0.01
"""No pass chance is reported below 1% or above 99%: the model is not that sure of itself."""
QUESTIONS_PER_UNIT = 6.0
"""Questions in a quarter hour of domain work for the allocation (60% study at 20 an hour,
40% review at 30 an hour: planner.packing.QUESTIONS_PER_HOUR)."""
BLOCK_UNITS = 2
"""A domain block is half an hour where the day allows (planner.interleave)."""


@dataclass(frozen=True)
class ModelParams:
    """The model's numbers that are not fitted on learner data, with the reason for each."""

    prior_mean: float = 0.5
    """Mastery assumed for a domain the learner has not been measured on."""
    prior_sd: float = 0.25
    """Its uncertainty: wide, so the diagnostic matters."""
    shared: float = 0.5
    """Correlation of the starting-ability errors across domains (one overall ability)."""
    exam_items: int = 200
    """Items on the exam form: binomial sampling noise of the raw score."""
    param_draws: int = 25
    """Draws of the transferred gain (the fitted parameter's uncertainty)."""
    learner_draws: int = 80
    """Draws of the learner (abilities, own gain and forgetting, exam form) per parameter draw."""
    learning: LearningParams = field(default_factory=load_params)


DEFAULT_PARAMS = ModelParams()


def raw_to_scaled(
    raw: float, passing: float = 70.0, scale: tuple[float, float] = (0, 100)
) -> float:
    """The scaled score of a raw proportion correct (linear, clipped to the scale)."""
    scaled = passing + SCALED_PER_RAW * (raw - RAW_AT_PASS)
    return float(min(max(scaled, scale[0]), scale[1]))


def normal_cdf(z: float) -> float:
    """The standard normal distribution function at `z`."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def logit(p: float) -> float:
    """The log-odds of a probability, kept finite at 0 and 1."""
    q = min(max(p, 1e-4), 1.0 - 1e-4)
    return math.log(q / (1.0 - q))


def to_logit(mean: float, sd: float) -> tuple[float, float]:
    """A mastery (chance of a right answer, its sd) as an ability in logits (mean, sd).

    Inverts the probit-integrated mastery of planner.mastery (mastery = sigmoid(mu / k) with
    k = sqrt(1 + pi/8 var)) and spreads the sd by the delta method.
    """
    q = min(max(mean, 0.01), 0.99)
    sd_logit = min(sd / (q * (1.0 - q)), 3.0)
    return logit(q) * math.sqrt(1.0 + PROBIT * sd_logit**2), sd_logit


@dataclass(frozen=True)
class Forecast:
    """The model's view of the exam: raw and scaled expected score, its sd and P(pass).

    Attributes:
        pass_low, pass_high: the 10th and 90th percentile of the pass chance over the
            fitted parameter's uncertainty.
        mastery: expected chance of a right answer per domain on exam day.
    """

    raw: float
    raw_sd: float
    scaled: float
    pass_probability: float
    mastery: tuple[float, ...]
    pass_low: float = 0.0
    pass_high: float = 1.0


def _clip_chance(p: float) -> float:
    return min(max(p, PASS_FLOOR), 1.0 - PASS_FLOOR)


@dataclass(frozen=True, eq=False)
class ExamModel:
    """The model for one learner and one blueprint, domains in blueprint order."""

    numbers: tuple[int, ...]
    shares: FloatArray
    """Blueprint weights as shares of 1."""
    counts: FloatArray
    """Exam items per domain (a form of ``params.exam_items``)."""
    topics: FloatArray
    """Topics per domain: its questions are spread over them."""
    ability: FloatArray
    """Starting ability (logits) per domain; the prior's where unknown."""
    ability_sd: FloatArray
    mastery: FloatArray
    """Starting mastery means (chance of a right answer); the prior mean where unknown."""
    sd: FloatArray
    unknown: tuple[bool, ...]
    days: int
    """Days from the plan's first day to the exam (the exam's day on the sessions' count)."""
    passing: float
    scale: tuple[float, float]
    params: ModelParams

    def exam_logits(self, sessions: Sessions) -> FloatArray:
        """Expected logit gain per domain on exam day under the mean fitted parameters."""
        gain = self.params.learning.gain
        return np.array(
            [
                float(exam_gain(list(s), self.days, float(t), gain))
                for s, t in zip(sessions, self.topics, strict=True)
            ]
        )

    def exam_mastery_of(self, sessions: Sessions) -> FloatArray:
        """Expected chance of a right answer per domain on exam day (mean parameters)."""
        z = (self.ability + self.exam_logits(sessions)) / np.sqrt(1.0 + PROBIT * self.ability_sd**2)
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=float)

    def score_of(self, sessions: Sessions) -> float:
        """Expected scaled score on exam day of a schedule: the planner's objective."""
        raw = float(self.shares @ self.exam_mastery_of(sessions))
        return raw_to_scaled(raw, self.passing, self.scale)

    def spread(self, hours: FloatArray, every: int = 2) -> list[list[tuple[int, float]]]:
        """A domain's hours as evenly spaced half-hour study days over the horizon.

        The schedule the hours-only views (report, allocation tests) assume.
        """
        out: list[list[tuple[int, float]]] = []
        for h in np.asarray(hours, dtype=float):
            units = round(h * 4)
            blocks = max(0, min(math.ceil(units / BLOCK_UNITS), max(self.days // every, 1)))
            if not blocks:
                out.append([])
                continue
            days = np.unique(np.linspace(0, max(self.days - 1, 0), blocks).round().astype(int))
            out.append([(int(d), units * QUESTIONS_PER_UNIT / len(days)) for d in days])
        return out

    def exam_mastery(self, hours: FloatArray) -> FloatArray:
        """Expected mastery per domain on exam day after `hours`, spread evenly."""
        return self.exam_mastery_of(self.spread(hours))

    def expected_raw(self, hours: FloatArray) -> float:
        """Expected raw proportion correct after `hours` per domain, spread evenly."""
        return float(self.shares @ self.exam_mastery(hours))

    def expected_score(self, hours: FloatArray) -> float:
        """Expected scaled score after `hours` per domain, spread evenly."""
        return raw_to_scaled(self.expected_raw(hours), self.passing, self.scale)

    def value_table(self, budget_units: int, days: Sequence[int]) -> FloatArray:
        """Expected raw score share of each domain for 0 ... budget quarter hours.

        Each count is laid out as half-hour blocks on evenly spaced days of `days` (the days
        with free time), the allocation's view of the interleaved schedule; the exact
        schedule is scored later. Shape (domains, budget + 1), computed on a coarse grid
        and interpolated.
        """
        grid = np.unique(np.linspace(0, budget_units, min(budget_units, 20) + 1).round())
        n_days = len(days)
        table = np.zeros((len(self.numbers), len(grid)))
        k = 1.0 / np.sqrt(1.0 + PROBIT * self.ability_sd**2)
        gain = self.params.learning.gain
        for j, units in enumerate(grid):
            blocks = min(math.ceil(units / BLOCK_UNITS), n_days) if units else 0
            if blocks:
                idx = np.unique(np.linspace(0, n_days - 1, blocks).round().astype(int))
                chosen = [days[i] for i in idx]
                sessions = [(d, units * QUESTIONS_PER_UNIT / len(chosen)) for d in chosen]
            else:
                sessions = []
            learned = exam_gain(sessions, self.days, self.topics, gain)
            z = (self.ability + learned) * k
            table[:, j] = self.shares / (1.0 + np.exp(-z))
        full = np.arange(budget_units + 1)
        return np.array([np.interp(full, grid, row) for row in table])

    def forecast(self, sessions: Sessions, seed: int = 0) -> Forecast:
        """Expected score, its sd and the pass chance, with every uncertainty drawn.

        Draws the transferred gain (``param_draws``), then for each the learner's starting
        abilities, own gain (and its spread across domains), forgetting speed and one exam
        form (``learner_draws``). The pass
        chance is clipped to [1%, 99%]; its interval is over the parameter draws.
        """
        p, lp = self.params, self.params.learning
        rng = np.random.default_rng(seed)
        n_par, n_l = p.param_draws, p.learner_draws
        g = rng.normal(lp.gain, lp.gain_sd, (n_par, 1)) + rng.normal(
            0.0, lp.learner_gain_sd, (n_par, n_l)
        )
        pace = np.exp(rng.normal(0.0, lp.stability_sd, (n_par, n_l)))
        z0 = rng.standard_normal((n_par, n_l, 1))
        zd = rng.standard_normal((n_par, n_l, len(self.numbers)))
        ability = self.ability + self.ability_sd * (
            math.sqrt(p.shared) * z0 + math.sqrt(1.0 - p.shared) * zd
        )
        domain_g = rng.normal(0.0, lp.domain_gain_sd, (n_par, n_l, len(self.numbers)))
        learned = np.stack(
            [
                exam_gain(list(s), self.days, float(t), g + domain_g[..., i], pace)
                for i, (s, t) in enumerate(zip(sessions, self.topics, strict=True))
            ],
            axis=-1,
        )
        right = 1.0 / (1.0 + np.exp(-(ability + learned)))
        expected_raw = right @ self.shares
        drawn = rng.binomial(self.counts.astype(int), right).sum(axis=-1) / self.counts.sum()
        passed = drawn >= RAW_AT_PASS - 1e-9
        by_param = passed.mean(axis=1)
        low, high = np.quantile(by_param, [0.1, 0.9])
        raw = float(expected_raw.mean())
        return Forecast(
            raw=raw,
            raw_sd=float(drawn.std()),
            scaled=raw_to_scaled(raw, self.passing, self.scale),
            pass_probability=_clip_chance(float(passed.mean())),
            mastery=tuple(float(m) for m in right.mean(axis=(0, 1))),
            pass_low=_clip_chance(float(low)),
            pass_high=_clip_chance(float(high)),
        )


def build_model(
    blueprint: Blueprint,
    mastery: Mapping[int, tuple[float, float] | None],
    days_to_exam: float,
    params: ModelParams = DEFAULT_PARAMS,
) -> ExamModel:
    """The model of one learner: mastery maps domain number to (mean, sd) or None."""
    numbers = tuple(d.number for d in blueprint.domains)
    weights = np.array([d.weight for d in blueprint.domains], dtype=float)
    counts = np.array([d.count for d in blueprint.domains], dtype=float)
    means, sds, unknown, logits, logit_sds = [], [], [], [], []
    for number in numbers:
        known = mastery.get(number)
        mean, sd = (params.prior_mean, params.prior_sd) if known is None else known
        means.append(float(mean))
        sds.append(float(sd))
        unknown.append(known is None)
        a, a_sd = to_logit(float(mean), float(sd))
        logits.append(a)
        logit_sds.append(a_sd)
    low, high = blueprint.exam.score_scale
    return ExamModel(
        numbers=numbers,
        shares=weights / weights.sum(),
        counts=counts * params.exam_items / max(counts.sum(), 1.0),
        topics=np.array([max(len(d.topics), 1) for d in blueprint.domains], dtype=float),
        ability=np.array(logits),
        ability_sd=np.array(logit_sds),
        mastery=np.array(means, dtype=float),
        sd=np.array(sds, dtype=float),
        unknown=tuple(unknown),
        days=max(round(days_to_exam), 1),
        passing=float(blueprint.exam.passing_score),
        scale=(float(low), float(high)),
        params=params,
    )
