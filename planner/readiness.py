"""Readiness: the predicted scaled score on a blueprint form and the probability of passing.

AMT does not publish how CMAS raw scores convert to its 0-100 scaled score, so this module
assumes one (see :data:`SCALING_ASSUMPTION`): on a typical form a raw proportion correct of
:data:`PASS_PROPORTION` (0.70) is the passing scaled score (70), and the conversion is linear
from raw 0 to that point and from it to raw 1 = 100. With the defaults that is simply
``scaled = 100 * proportion correct``; moving ``pass_proportion`` bends the line at the cut.

The score is simulated (Monte Carlo, with the random generator passed in): each draw takes
the learner's domain abilities from their posterior (the part shared through the overall
ability is drawn once per draw, so domains move together as they do in the learner model),
turns them into per-domain chances of a right answer on a typical item, and draws the number
right of each domain's blueprint count. The interval therefore holds both what we do not yet
know about the learner and the luck of one 200-item form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from planner.mastery import DomainMastery

PASS_PROPORTION = 0.70
"""Assumed raw proportion correct that earns the passing scaled score on a typical form."""
PASSING_SCORE = 70.0
SCALE_MAX = 100.0
DRAWS = 20_000
PASS_FLOOR = 0.01
"""No pass chance is reported below 1% or above 99%: the model is not that sure of itself
(its scaling assumption and its fitted parameters carry error no draw represents)."""
SCALING_ASSUMPTION = (
    "AMT does not publish the CMAS raw-to-scaled conversion. Assumed: on a typical form a raw "
    f"{PASS_PROPORTION:.0%} correct earns the passing scaled score ({PASSING_SCORE:.0f}); "
    "the conversion is linear from 0 correct (scaled 0) to that point and from it to all "
    f"correct (scaled {SCALE_MAX:.0f}), clipped to 0-{SCALE_MAX:.0f}. Predictions are of a "
    "typical form (items of average difficulty) and carry this assumption's error."
)


@dataclass(frozen=True)
class Readiness:
    """Predicted result of one blueprint form.

    Attributes:
        expected_score: mean predicted scaled score (0-100).
        lo, hi: interval of the scaled score at coverage ``level``.
        p_pass: probability that the scaled score reaches ``passing_score``, kept within
            [1%, 99%] (:data:`PASS_FLOOR`).
        expected_proportion: mean predicted raw proportion correct.
        domain_proportion: mean predicted proportion correct per domain.
        unknown_domains: blueprint domains without any answer (their prior was used).
        unknown_share: share of the form's items in those domains.
    """

    expected_score: float
    lo: float
    hi: float
    level: float
    p_pass: float
    passing_score: float
    expected_proportion: float
    domain_proportion: Mapping[int, float]
    unknown_domains: tuple[int, ...]
    unknown_share: float
    draws: int

    def pass_chance(self) -> str:
        """The pass chance as a learner should read it ("about 62%"), never 0 or 100%."""
        return describe_pass_chance(self.p_pass)


def scaled_score(
    proportion: float | np.ndarray,
    pass_proportion: float = PASS_PROPORTION,
    passing_score: float = PASSING_SCORE,
    scale_max: float = SCALE_MAX,
) -> float | np.ndarray:
    """Scaled score of a raw proportion correct under :data:`SCALING_ASSUMPTION`."""
    if not 0.0 < pass_proportion < 1.0:
        raise ValueError("pass_proportion must lie strictly between 0 and 1")
    raw = np.clip(np.asarray(proportion, dtype=float), 0.0, 1.0)
    below = raw / pass_proportion * passing_score
    above = passing_score + (raw - pass_proportion) / (1.0 - pass_proportion) * (
        scale_max - passing_score
    )
    scaled = np.clip(np.where(raw < pass_proportion, below, above), 0.0, scale_max)
    return float(scaled) if scaled.ndim == 0 else scaled


def predict_readiness(
    mastery: Mapping[int, DomainMastery],
    counts: Mapping[int, int],
    rng: np.random.Generator | int,
    passing_score: float = PASSING_SCORE,
    pass_proportion: float = PASS_PROPORTION,
    level: float = 0.80,
    draws: int = DRAWS,
) -> Readiness:
    """Predicted scaled score and pass probability on a form with these domain counts.

    Args:
        mastery: per-domain mastery, e.g. from ``planner.mastery.estimate_mastery`` over all
            blueprint domains (domains without answers carry the prior and widen the result).
        counts: blueprint item count per domain (CMAS: 26/14/20/34/34/34/14/24).
        rng: a numpy Generator or a seed; the same seed gives the same result.
        passing_score: scaled passing score (CMAS: 70).
        pass_proportion: raw proportion correct assumed to earn ``passing_score``.
        level: coverage of the reported score interval.
        draws: Monte Carlo draws; more give steadier figures, linearly slower.
    """
    missing = sorted(set(counts) - set(mastery))
    if missing:
        raise ValueError(f"no mastery for blueprint domains {missing}")
    if not counts or any(n < 0 for n in counts.values()) or sum(counts.values()) == 0:
        raise ValueError("counts must be non-negative with a positive total")
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    domains = sorted(counts)
    n = np.array([counts[d] for d in domains])
    mean = np.array([mastery[d].ability for d in domains])
    shared = np.array([min(mastery[d].shared_sd, mastery[d].sd) for d in domains])
    own = np.sqrt(np.array([mastery[d].sd ** 2 for d in domains]) - shared**2)

    z_shared = gen.standard_normal((draws, 1))
    z_own = gen.standard_normal((draws, len(domains)))
    ability = mean + shared * z_shared + own * z_own
    p_right = 1.0 / (1.0 + np.exp(-ability))
    right = gen.binomial(n, p_right)
    proportion = right.sum(axis=1) / n.sum()
    scaled = np.asarray(scaled_score(proportion, pass_proportion, passing_score))

    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(scaled, [tail, 1.0 - tail])
    unknown = tuple(d for d in domains if mastery[d].unknown and counts[d] > 0)
    return Readiness(
        expected_score=float(scaled.mean()),
        lo=float(lo),
        hi=float(hi),
        level=level,
        p_pass=bounded_chance(float(np.mean(scaled >= passing_score - 1e-9))),
        passing_score=passing_score,
        expected_proportion=float(proportion.mean()),
        domain_proportion={d: float(p_right[:, j].mean()) for j, d in enumerate(domains)},
        unknown_domains=unknown,
        unknown_share=float(sum(counts[d] for d in unknown) / n.sum()),
        draws=draws,
    )


def bounded_chance(p: float) -> float:
    """A pass chance kept within [PASS_FLOOR, 1 - PASS_FLOOR]: never 0 or 1."""
    return min(max(float(p), PASS_FLOOR), 1.0 - PASS_FLOOR)


def _percent(p: float) -> int:
    """Whole percent of a chance, never 0 or 100."""
    return min(max(round(bounded_chance(p) * 100), 1), 99)


def describe_pass_chance(p: float, low: float | None = None, high: float | None = None) -> str:
    """What a learner should read for a pass chance: "about 85% (70-94%)".

    Never "0%" or "100%": chances are kept within 1-99%, and the interval (the spread of
    the chance over the fitted parameters' uncertainty) is shown when given. Use it wherever
    a pass chance is printed instead of formatting the number with ``:.0%``.
    """
    text = f"about {_percent(p)}%"
    if low is not None and high is not None:
        lo, hi = sorted((_percent(low), _percent(high)))
        lo, hi = min(lo, _percent(p)), max(hi, _percent(p))
        if hi > lo:
            text += f" ({lo}-{hi}%)"
    return text
