"""Learner model: an ability per learner and domain, with its uncertainty, updated per answer.

The model is a Rasch (one-parameter logistic) model, ``P(correct) = sigmoid(theta_d - b_i)``,
with a two-level prior on a learner's abilities: an overall ability ``g ~ N(mean, sd^2)`` and
domain abilities ``theta_d = g + delta_d`` with ``delta_d ~ N(0, domain_sd^2)``. A domain with
few answers therefore borrows strength from the others (its ability is shrunk toward ``g``),
and a domain with no answers has the prior, reported as unknown (``n=0``, wide interval).

Each answer is folded in online by a Gaussian (Glicko-like, assumed-density) update on the
answered domain: the logistic likelihood is approximated by a Gaussian "site" whose precision
and natural mean are added to the domain's evidence. With a Gaussian prior, that evidence keeps
the joint precision matrix arrow-shaped, so every estimate costs O(1) per answer: the state
holds, per domain, the summed site precision ``W`` and natural mean ``E``, and two running
sums for the overall ability. An optional per-answer ``forgetting`` factor discounts earlier
evidence of a domain, so a learner who improves is followed (ability is not fixed in time).

Item difficulties come from a batch fit (:func:`planner.calibration.calibrate`), or any
``item_id -> difficulty`` map; readiness and selection use the Gaussian abilities directly.
(A logistic layer over these abilities for sharper next-answer predictions lives with the
benchmark that measures it, benchmarks/answer_model.py.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from statistics import NormalDist
from typing import Protocol

LEVEL = 0.80
"""Default coverage of the reported ability intervals."""
PROBIT = math.pi / 8.0
"""sigmoid(x) ~ Phi(x * sqrt(pi / 8)): integrating a logistic over a Gaussian ability of
variance v is about ``sigmoid(mean / sqrt(1 + PROBIT * v))``."""


def sigmoid(x: float) -> float:
    """The logistic function, computed without overflow for large ``|x|``."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass(frozen=True)
class ResponseRecord:
    """One answer of a learner to an item of a blueprint domain."""

    learner_id: str
    item_id: str
    domain: int
    correct: bool
    answered_at: datetime


@dataclass(frozen=True)
class Prior:
    """Prior of a new learner's abilities, in logits (item difficulty 0 = a typical item).

    Attributes:
        mean: mean overall ability of the population.
        sd: spread of overall ability between learners.
        domain_sd: spread of a learner's domain abilities around their overall ability; small
            values shrink domains hard toward the overall ability.
        forgetting: weight kept by a domain's earlier evidence at each new answer in it.
            1.0 (the default) keeps all, and a right answer never lowers a mastery; below 1
            the estimate follows a learner who improves (the benchmarks tune 0.95), but old
            evidence fades toward the overall ability, so in a domain far above it a right
            answer can lower the estimate a little.
        practice_gain: logit gained per unit of log(1 + answers in the domain), whatever
            their outcome (the learning curve of additive-factors models).
        overall_forgetting: weight kept by the other domains' evidence at each answer.
        success_gain, failure_gain: logit gained per unit of log(1 + right answers) and of
            log(1 + wrong answers) in the domain, on top of ``practice_gain`` (PFA's
            separate gains for successes and failures; Pavlik et al. 2009). The default 0
            leaves them out.
        item_success_gain, item_failure_gain: logit offset per unit of log(1 + right
            answers) and of log(1 + wrong answers) the learner gave earlier to the same
            item: a learner who got an item wrong tends to get it wrong again, more than
            their domain ability says. 0 (the default) leaves them out and keeps no
            per-item record in the state.
    """

    mean: float = 0.0
    sd: float = 1.0
    domain_sd: float = 0.7
    forgetting: float = 1.0
    practice_gain: float = 0.0
    overall_forgetting: float = 1.0
    success_gain: float = 0.0
    failure_gain: float = 0.0
    item_success_gain: float = 0.0
    item_failure_gain: float = 0.0

    @property
    def tracks_items(self) -> bool:
        """Whether the state keeps each item's earlier outcomes (an item gain is set)."""
        return self.item_success_gain != 0.0 or self.item_failure_gain != 0.0

    def __post_init__(self) -> None:
        if self.sd <= 0 or self.domain_sd <= 0:
            raise ValueError("prior spreads must be positive")
        if not 0.0 < self.forgetting <= 1.0 or not 0.0 < self.overall_forgetting <= 1.0:
            raise ValueError("forgetting must lie in (0, 1]")


@dataclass(frozen=True)
class DomainEvidence:
    """What a learner's answers in one domain say: counts and the Gaussian site sums."""

    n: int = 0
    n_correct: int = 0
    precision: float = 0.0
    natural_mean: float = 0.0


_NO_EVIDENCE = DomainEvidence()


@dataclass(frozen=True)
class MasteryState:
    """A learner's ability state. Build with :func:`initial_state`; never mutate."""

    prior: Prior
    domains: Mapping[int, DomainEvidence] = field(default_factory=dict)
    sum_precision: float = 0.0  # sum over domains of W_d / (1 + domain_sd^2 W_d)
    sum_natural: float = 0.0  # sum over domains of E_d / (1 + domain_sd^2 W_d)
    n: int = 0
    n_correct: int = 0
    items: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """Right and wrong answers so far per item (kept only when the prior has item gains)."""


@dataclass(frozen=True)
class DomainMastery:
    """A learner's estimated standing in one domain.

    Attributes:
        ability: posterior mean ability in logits.
        sd: posterior standard deviation of the ability.
        shared_sd: the part of ``sd`` that comes from the overall ability and so is shared
            by all domains (their correlation); the rest is specific to the domain.
        n: answers seen in the domain; 0 means the estimate is the prior (unknown).
        mastery: probability of answering a typical (difficulty 0) item correctly.
        lo, hi: interval of that probability at coverage ``level``.
    """

    domain: int
    ability: float
    sd: float
    n: int
    n_correct: int
    mastery: float
    lo: float
    hi: float
    level: float = LEVEL
    shared_sd: float = 0.0

    @property
    def unknown(self) -> bool:
        """No answers in the domain yet: the estimate is the prior."""
        return self.n == 0


def initial_state(prior: Prior | None = None) -> MasteryState:
    """The state of a learner with no answers yet (the default `Prior` without one)."""
    return MasteryState(prior=prior or Prior())


def _overall(state: MasteryState) -> tuple[float, float]:
    p = state.prior
    precision = 1.0 / p.sd**2 + state.sum_precision
    mean = (p.mean / p.sd**2 + state.sum_natural) / precision
    return mean, 1.0 / precision


def practice_offset(state: MasteryState, domain: int) -> float:
    """The logit the learner has gained by practice in a domain so far.

    ``practice_gain`` per log answer, plus ``success_gain`` and ``failure_gain`` per log
    right and wrong answer (see :class:`Prior`).
    """
    p = state.prior
    if p.practice_gain == 0.0 and p.success_gain == 0.0 and p.failure_gain == 0.0:
        return 0.0
    ev = state.domains.get(domain, _NO_EVIDENCE)
    return (
        p.practice_gain * math.log1p(ev.n)
        + p.success_gain * math.log1p(ev.n_correct)
        + p.failure_gain * math.log1p(ev.n - ev.n_correct)
    )


def item_offset(state: MasteryState, item_id: str | None) -> float:
    """The logit offset of the learner's earlier answers to this same item (see `Prior`)."""
    p = state.prior
    if item_id is None or not p.tracks_items:
        return 0.0
    right, wrong = state.items.get(item_id, (0, 0))
    return p.item_success_gain * math.log1p(right) + p.item_failure_gain * math.log1p(wrong)


def overall_ability(state: MasteryState) -> tuple[float, float]:
    """Posterior mean and standard deviation of the overall ability."""
    mean, var = _overall(state)
    return mean, math.sqrt(var)


def domain_moments(state: MasteryState, domain: int) -> tuple[float, float, float]:
    """Mean and variance of the domain ability, and its loading on the overall ability.

    The loading is the sd of the part of the domain ability shared through the overall
    ability (``DomainMastery.shared_sd``).
    """
    g_mean, g_var = _overall(state)
    ev = state.domains.get(domain, _NO_EVIDENCE)
    tau2 = state.prior.domain_sd**2
    c = 1.0 / tau2 + ev.precision
    r = 1.0 / (1.0 + tau2 * ev.precision)  # share of the overall ability in theta_d
    mean = r * g_mean + ev.natural_mean / c
    var = 1.0 / c + r * r * g_var
    return mean, var, r * math.sqrt(g_var)


def predict_correct(
    state: MasteryState, domain: int, difficulty: float, item_id: str | None = None
) -> float:
    """Probability that the learner answers an item of this difficulty correctly.

    Integrates over the ability's uncertainty (probit approximation), so an unknown domain
    gives a prediction pulled toward 0.5 rather than a confident one. With `item_id`, the
    learner's earlier answers to that item count too (the prior's item gains).
    """
    mean, var, _ = domain_moments(state, domain)
    mean += practice_offset(state, domain) + item_offset(state, item_id)
    return sigmoid((mean - difficulty) / math.sqrt(1.0 + PROBIT * var))


def update(
    state: MasteryState,
    domain: int,
    difficulty: float,
    correct: bool,
    item_id: str | None = None,
) -> MasteryState:
    """The state after one more answer; ``state`` is left unchanged.

    Pass `item_id` so that a prior with item gains records the item's outcome (and reads
    the answer net of the learner's earlier answers to it).
    """
    new = _updated(state, domain, difficulty, correct, item_id)
    if item_id is None or not state.prior.tracks_items:
        return new
    right, wrong = state.items.get(item_id, (0, 0))
    items = dict(state.items)
    items[item_id] = (right + 1, wrong) if correct else (right, wrong + 1)
    return replace(new, items=items)


def _updated(
    state: MasteryState, domain: int, difficulty: float, correct: bool, item_id: str | None
) -> MasteryState:
    # The evidence is about the ability before practice: the practice gain so far (and what
    # the learner's earlier answers to this item say) acts as an easier item.
    difficulty = difficulty - practice_offset(state, domain) - item_offset(state, item_id)
    mean, var, _ = domain_moments(state, domain)
    kappa = 1.0 / math.sqrt(1.0 + PROBIT * var)
    p = sigmoid(kappa * (mean - difficulty))
    site_precision = kappa * kappa * p * (1.0 - p)
    site_natural = site_precision * mean + kappa * (float(correct) - p)

    old = state.domains.get(domain, _NO_EVIDENCE)
    keep = state.prior.forgetting
    new = DomainEvidence(
        n=old.n + 1,
        n_correct=old.n_correct + int(correct),
        precision=keep * (old.precision + site_precision),
        natural_mean=keep * (old.natural_mean + site_natural),
    )
    tau2 = state.prior.domain_sd**2
    old_shrink = 1.0 / (1.0 + tau2 * old.precision)
    new_shrink = 1.0 / (1.0 + tau2 * new.precision)
    domains = dict(state.domains)
    domains[domain] = new
    fade = state.prior.overall_forgetting
    if fade < 1.0:
        return _faded(state, domains, domain, fade, correct)
    return replace(
        state,
        domains=domains,
        sum_precision=(
            state.sum_precision - old.precision * old_shrink + new.precision * new_shrink
        ),
        sum_natural=(
            state.sum_natural - old.natural_mean * old_shrink + new.natural_mean * new_shrink
        ),
        n=state.n + 1,
        n_correct=state.n_correct + int(correct),
    )


def _faded(
    state: MasteryState,
    domains: dict[int, DomainEvidence],
    answered: int,
    fade: float,
    correct: bool,
) -> MasteryState:
    """The state with every other domain's evidence faded by `fade`, sums rebuilt."""
    tau2 = state.prior.domain_sd**2
    out: dict[int, DomainEvidence] = {}
    sum_precision = sum_natural = 0.0
    for d, ev in domains.items():
        if d != answered:
            ev = replace(ev, precision=ev.precision * fade, natural_mean=ev.natural_mean * fade)
        out[d] = ev
        shrink = 1.0 / (1.0 + tau2 * ev.precision)
        sum_precision += ev.precision * shrink
        sum_natural += ev.natural_mean * shrink
    return replace(
        state,
        domains=out,
        sum_precision=sum_precision,
        sum_natural=sum_natural,
        n=state.n + 1,
        n_correct=state.n_correct + int(correct),
    )


def domain_mastery(state: MasteryState, domain: int, level: float = LEVEL) -> DomainMastery:
    """The learner's estimated standing in one domain, interval at coverage `level`."""
    mean, var, shared = domain_moments(state, domain)
    mean += practice_offset(state, domain)
    sd = math.sqrt(var)
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    ev = state.domains.get(domain, _NO_EVIDENCE)
    return DomainMastery(
        domain=domain,
        ability=mean,
        sd=sd,
        n=ev.n,
        n_correct=ev.n_correct,
        mastery=sigmoid(mean / math.sqrt(1.0 + PROBIT * var)),
        lo=sigmoid(mean - z * sd),
        hi=sigmoid(mean + z * sd),
        level=level,
        shared_sd=shared,
    )


class Difficulties(Protocol):
    """A source of item difficulties, such as :class:`planner.calibration.Calibration`."""

    def difficulty(self, item_id: str, domain: int) -> float:
        """The difficulty (logits) of an item of a domain."""
        ...


def _difficulty(source: Difficulties | Mapping[str, float], item_id: str, domain: int) -> float:
    """An item's difficulty; a plain map counts a missing item as typical (difficulty 0)."""
    if isinstance(source, Mapping):
        return float(source.get(item_id, 0.0))
    return source.difficulty(item_id, domain)


def replay(
    responses: Iterable[ResponseRecord],
    calibration: Difficulties | Mapping[str, float],
    prior: Prior | None = None,
) -> MasteryState:
    """Fold one learner's answers into a state, oldest first (stable for equal times)."""
    state = initial_state(prior)
    for r in sorted(responses, key=lambda r: r.answered_at):
        b = _difficulty(calibration, r.item_id, r.domain)
        state = update(state, r.domain, b, r.correct, r.item_id)
    return state


def estimate_mastery(
    responses: Iterable[ResponseRecord],
    difficulties: Difficulties | Mapping[str, float],
    domains: Sequence[int],
    prior: Prior | None = None,
    level: float = LEVEL,
) -> dict[int, DomainMastery]:
    """Mastery of every listed domain from one learner's answers.

    ``difficulties`` is a :class:`planner.calibration.Calibration` or a plain
    ``item_id -> difficulty`` map; with a plain map an item missing from it counts as a
    typical item (difficulty 0).
    """
    state = replay(responses, difficulties, prior)
    return {d: domain_mastery(state, d, level) for d in domains}
