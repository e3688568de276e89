"""The learning model the planner optimises: every parameter lives in `ModelParams`.

For each domain d with starting mastery m0 (probability of answering a typical item right)
and h hours of study and review before the exam:

    gain(h)   = (ceiling - m0)+ * (1 - exp(-h / tau_d))      diminishing returns (concave)
    tau_d     = hours_per_weight_point * weight_d            bigger domains take longer
    m_exam(h) = m0 + gain(h) * R                              forgetting before the exam
    R         = floor + (1 - floor) * 2 ** (-gap / half_life)
    half_life = half_life_days * review_multiplier ** reviews

`(ceiling - m0)+` is the room to improve. What the learner knew at the start does not decay
(it is consolidated); of what is learned during the plan, a share `retention_floor` never
decays and the rest halves every `half_life` days after the last touch, a half-life that each
spaced review lengthens. R depends on the horizon only (how many spaced revisits fit and the
gap between the last touch and the exam), so the objective stays separable and concave, and
the allocation, the reported forecast and the benchmark all use the very same function.

Exam score: raw = sum_d share_d * m_exam_d (share = blueprint weight / 100), mapped to the
scaled score linearly with `RAW_AT_PASS` (0.70 proportion correct) at the passing score
(scaled 70) and `SCALED_PER_RAW` (100) scaled points per unit of raw, clipped to the score
scale. AMT does not publish its conversion; this is the documented assumption.

Pass probability: P(raw >= RAW_AT_PASS) under a normal approximation whose variance adds
(a) the starting-mastery uncertainty of each domain (independent across domains), damped by
how much study replaces it, (b) a learner-level learning-rate uncertainty (one factor shared
by every domain's gain) and (c) the sampling noise of a 200-item exam form.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bank.models import Blueprint

FloatArray = npt.NDArray[np.float64]
"""One number per domain, in blueprint order."""

RAW_AT_PASS = 0.70
"""Proportion correct assumed to map to the passing scaled score (70)."""
SCALED_PER_RAW = 100.0
"""Scaled points per unit of raw proportion correct (linear map, clipped to the scale)."""


@dataclass(frozen=True)
class ModelParams:
    """Every tunable number of the learning model, with the reason for its value."""

    ceiling: float = 0.95
    """Mastery no amount of study passes: slips, ambiguous items, exam nerves."""
    hours_per_weight_point: float = 0.6
    """tau_d per blueprint weight point: a 17% domain needs 10.2 h to close 63% of its gap,
    a 7% domain 4.2 h; 60 h close 63% of every gap (typical CMAS prep is 40-120 h)."""
    half_life_days: float = 7.0
    """Half-life of newly learned material never revisited (Ebbinghaus-style decay)."""
    review_multiplier: float = 2.0
    """Each spaced review doubles the half-life (expanding-interval retrieval practice)."""
    retention_floor: float = 0.6
    """Share of a domain's learned gain that does not decay before the exam."""
    final_gap_days: float = 3.0
    """Days between a domain's last dedicated touch and the exam (the final review is light)."""
    review_offsets_days: tuple[int, ...] = (7, 21, 49, 105)
    """When spaced revisits fall after study (gaps of 1, 2, 4, 8 weeks); a revisit counts
    toward the half-life when the horizon holds it."""
    prior_mean: float = 0.5
    """Mastery assumed for a domain the learner has not been measured on."""
    prior_sd: float = 0.25
    """Its uncertainty: wide, so the diagnostic matters."""
    gain_rel_sd: float = 0.3
    """Relative sd of the learning rate, shared by all domains of one learner."""
    exam_items: int = 200
    """Items on the exam form: binomial sampling noise of the raw score."""


DEFAULT_PARAMS = ModelParams()


def retention_factor(days_to_exam: float, params: ModelParams = DEFAULT_PARAMS) -> float:
    """Share of the plan's learned gain still there at the exam, for a horizon in days."""
    days = max(float(days_to_exam), 0.0)
    reviews = sum(1 for offset in params.review_offsets_days if offset < days)
    half_life = params.half_life_days * params.review_multiplier**reviews
    gap = min(params.final_gap_days, days)
    floor = params.retention_floor
    # float ** float is typed Any (a negative base gives a complex); the base here is 2.
    decay: float = 2.0 ** (-gap / half_life)
    return floor + (1.0 - floor) * decay


def raw_to_scaled(
    raw: float, passing: float = 70.0, scale: tuple[float, float] = (0, 100)
) -> float:
    """The scaled score of a raw proportion correct (linear, clipped to the scale)."""
    scaled = passing + SCALED_PER_RAW * (raw - RAW_AT_PASS)
    return float(min(max(scaled, scale[0]), scale[1]))


def normal_cdf(z: float) -> float:
    """The standard normal distribution function at `z`."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


@dataclass(frozen=True)
class Forecast:
    """The model's view of the exam: raw and scaled expected score, its sd and P(pass)."""

    raw: float
    raw_sd: float
    scaled: float
    pass_probability: float
    mastery: tuple[float, ...]


@dataclass(frozen=True, eq=False)
class ExamModel:
    """The model for one learner and one blueprint, domains in blueprint order."""

    numbers: tuple[int, ...]
    shares: FloatArray
    """Blueprint weights as shares of 1."""
    mastery: FloatArray
    """Starting mastery means; the prior mean where unknown."""
    sd: FloatArray
    unknown: tuple[bool, ...]
    tau: FloatArray
    """Hours that close 63% of each domain's gap."""
    retention: float
    passing: float
    scale: tuple[float, float]
    params: ModelParams

    @property
    def room(self) -> FloatArray:
        """Room to improve: how far each domain is below the ceiling."""
        return np.maximum(self.params.ceiling - self.mastery, 0.0)

    def learned(self, hours: FloatArray) -> FloatArray:
        """Fraction of the room closed by `hours` of study (before forgetting)."""
        return 1.0 - np.exp(-np.asarray(hours, dtype=float) / self.tau)

    def exam_mastery(self, hours: FloatArray) -> FloatArray:
        """Expected mastery of each domain at the exam after `hours` of study (m_exam)."""
        return self.mastery + self.room * self.learned(hours) * self.retention

    def expected_raw(self, hours: FloatArray) -> float:
        """Expected raw proportion correct at the exam: mastery weighted by blueprint share."""
        return float(self.shares @ self.exam_mastery(hours))

    def expected_score(self, hours: FloatArray) -> float:
        """Expected scaled score at the exam: the planner's objective."""
        return raw_to_scaled(self.expected_raw(hours), self.passing, self.scale)

    def forecast(self, hours: FloatArray) -> Forecast:
        """Expected raw and scaled score at the exam, its sd and the chance of passing."""
        learned = self.learned(hours)
        m_exam = self.mastery + self.room * learned * self.retention
        raw = float(self.shares @ m_exam)
        # d m_exam / d m0 = 1 - learned * R: study replaces part of the unknown start.
        start_var = float(np.sum((self.shares * self.sd * (1.0 - learned * self.retention)) ** 2))
        gain = float(self.shares @ (self.room * learned * self.retention))
        rate_var = (self.params.gain_rel_sd * gain) ** 2
        p = min(max(raw, 0.0), 1.0)
        exam_var = p * (1.0 - p) / self.params.exam_items
        sd = math.sqrt(start_var + rate_var + exam_var)
        z = (raw - RAW_AT_PASS) / sd if sd > 0 else math.copysign(math.inf, raw - RAW_AT_PASS)
        return Forecast(
            raw=raw,
            raw_sd=sd,
            scaled=raw_to_scaled(raw, self.passing, self.scale),
            pass_probability=normal_cdf(z),
            mastery=tuple(float(m) for m in m_exam),
        )

    def gain_weights(self) -> FloatArray:
        """Score gain (raw) per unit of `learned` in each domain: share * room * R."""
        return self.shares * self.room * self.retention


def build_model(
    blueprint: Blueprint,
    mastery: Mapping[int, tuple[float, float] | None],
    days_to_exam: float,
    params: ModelParams = DEFAULT_PARAMS,
) -> ExamModel:
    """The model of one learner: mastery maps domain number to (mean, sd) or None."""
    numbers = tuple(d.number for d in blueprint.domains)
    weights = np.array([d.weight for d in blueprint.domains], dtype=float)
    means, sds, unknown = [], [], []
    for number in numbers:
        known = mastery.get(number)
        if known is None:
            means.append(params.prior_mean)
            sds.append(params.prior_sd)
            unknown.append(True)
        else:
            means.append(float(known[0]))
            sds.append(float(known[1]))
            unknown.append(False)
    low, high = blueprint.exam.score_scale
    return ExamModel(
        numbers=numbers,
        shares=weights / weights.sum(),
        mastery=np.array(means, dtype=float),
        sd=np.array(sds, dtype=float),
        unknown=tuple(unknown),
        tau=weights * params.hours_per_weight_point,
        retention=retention_factor(days_to_exam, params),
        passing=float(blueprint.exam.passing_score),
        scale=(float(low), float(high)),
        params=params,
    )
