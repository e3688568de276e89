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

Item difficulties come from a batch fit (:func:`calibrate`): L2-regularised logistic regression
on learner, item and domain one-hot features, so that an item with few answers is shrunk
toward the difficulty of its domain. :class:`AnswerModel` is an optional logistic layer over
the online ability and Best-LR-style answer counts, fitted on past learners, for sharper
next-answer predictions; readiness and selection use the Gaussian abilities directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from statistics import NormalDist

import numpy as np

LEVEL = 0.80
"""Default coverage of the reported ability intervals."""
_PROBIT = math.pi / 8.0  # sigmoid(x) ~ Phi(x * sqrt(pi / 8)); used to integrate over ability


def sigmoid(x: float) -> float:
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
    """

    mean: float = 0.0
    sd: float = 1.0
    domain_sd: float = 0.7
    forgetting: float = 1.0

    def __post_init__(self) -> None:
        if self.sd <= 0 or self.domain_sd <= 0:
            raise ValueError("prior spreads must be positive")
        if not 0.0 < self.forgetting <= 1.0:
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
        return self.n == 0


def initial_state(prior: Prior | None = None) -> MasteryState:
    return MasteryState(prior=prior or Prior())


def _overall(state: MasteryState) -> tuple[float, float]:
    p = state.prior
    precision = 1.0 / p.sd**2 + state.sum_precision
    mean = (p.mean / p.sd**2 + state.sum_natural) / precision
    return mean, 1.0 / precision


def overall_ability(state: MasteryState) -> tuple[float, float]:
    """Posterior mean and standard deviation of the overall ability."""
    mean, var = _overall(state)
    return mean, math.sqrt(var)


def _domain_moments(state: MasteryState, domain: int) -> tuple[float, float, float]:
    """Mean and variance of the domain ability, and its loading on the overall ability."""
    g_mean, g_var = _overall(state)
    ev = state.domains.get(domain, _NO_EVIDENCE)
    tau2 = state.prior.domain_sd**2
    c = 1.0 / tau2 + ev.precision
    r = 1.0 / (1.0 + tau2 * ev.precision)  # share of the overall ability in theta_d
    mean = r * g_mean + ev.natural_mean / c
    var = 1.0 / c + r * r * g_var
    return mean, var, r * math.sqrt(g_var)


def predict_correct(state: MasteryState, domain: int, difficulty: float) -> float:
    """Probability that the learner answers an item of this difficulty correctly.

    Integrates over the ability's uncertainty (probit approximation), so an unknown domain
    gives a prediction pulled toward 0.5 rather than a confident one.
    """
    mean, var, _ = _domain_moments(state, domain)
    return sigmoid((mean - difficulty) / math.sqrt(1.0 + _PROBIT * var))


def update(state: MasteryState, domain: int, difficulty: float, correct: bool) -> MasteryState:
    """The state after one more answer; ``state`` is left unchanged."""
    mean, var, _ = _domain_moments(state, domain)
    kappa = 1.0 / math.sqrt(1.0 + _PROBIT * var)
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


def domain_mastery(state: MasteryState, domain: int, level: float = LEVEL) -> DomainMastery:
    mean, var, shared = _domain_moments(state, domain)
    sd = math.sqrt(var)
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    ev = state.domains.get(domain, _NO_EVIDENCE)
    return DomainMastery(
        domain=domain,
        ability=mean,
        sd=sd,
        n=ev.n,
        n_correct=ev.n_correct,
        mastery=sigmoid(mean / math.sqrt(1.0 + _PROBIT * var)),
        lo=sigmoid(mean - z * sd),
        hi=sigmoid(mean + z * sd),
        level=level,
        shared_sd=shared,
    )


def replay(
    responses: Iterable[ResponseRecord],
    calibration: Calibration | Mapping[str, float],
    prior: Prior | None = None,
) -> MasteryState:
    """Fold one learner's answers into a state, oldest first (stable for equal times)."""
    state = initial_state(prior)
    for r in sorted(responses, key=lambda r: r.answered_at):
        state = update(state, r.domain, _difficulty(calibration, r.item_id, r.domain), r.correct)
    return state


def estimate_mastery(
    responses: Iterable[ResponseRecord],
    difficulties: Calibration | Mapping[str, float],
    domains: Sequence[int],
    prior: Prior | None = None,
    level: float = LEVEL,
) -> dict[int, DomainMastery]:
    """Mastery of every listed domain from one learner's answers.

    ``difficulties`` is a :class:`Calibration` or a plain ``item_id -> difficulty`` map; with
    a plain map an item missing from it counts as a typical item (difficulty 0).
    """
    state = replay(responses, difficulties, prior)
    return {d: domain_mastery(state, d, level) for d in domains}


# --- batch calibration of item difficulties -------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """Item difficulties (logits) from a batch fit, with fallbacks for unseen items.

    ``ability_mean`` and ``ability_sd`` describe the fitted learners; the sd is shrunk by the
    regularisation, so treat it as a lower bound when building a :class:`Prior`.
    """

    items: Mapping[str, float]
    domains: Mapping[int, float]
    default: float
    ability_mean: float
    ability_sd: float

    def difficulty(self, item_id: str, domain: int) -> float:
        if item_id in self.items:
            return self.items[item_id]
        return self.domains.get(domain, self.default)


def _difficulty(source: Calibration | Mapping[str, float], item_id: str, domain: int) -> float:
    if isinstance(source, Calibration):
        return source.difficulty(item_id, domain)
    return float(source.get(item_id, 0.0))


def calibrate(responses: Sequence[ResponseRecord], regularization: float = 1.0) -> Calibration:
    """Fit a Rasch model with domain effects on all responses (learners, items, domains).

    The logistic regression's L2 penalty (``C = regularization``) is the Gaussian prior that
    shrinks a rarely answered item toward its domain's typical difficulty.
    """
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    if not responses:
        return Calibration({}, {}, 0.0, 0.0, 1.0)
    learners = {x: i for i, x in enumerate(dict.fromkeys(r.learner_id for r in responses))}
    items = {x: i for i, x in enumerate(dict.fromkeys(r.item_id for r in responses))}
    doms = {x: i for i, x in enumerate(dict.fromkeys(r.domain for r in responses))}
    y = np.fromiter((r.correct for r in responses), dtype=np.int8, count=len(responses))
    if y.min() == y.max():  # one class only: nothing to separate, every item is typical
        return Calibration(dict.fromkeys(items, 0.0), dict.fromkeys(doms, 0.0), 0.0, 0.0, 1.0)
    n, nl, ni = len(responses), len(learners), len(items)
    rows = np.repeat(np.arange(n), 3)
    cols = np.empty(3 * n, dtype=np.int64)
    cols[0::3] = [learners[r.learner_id] for r in responses]
    cols[1::3] = [nl + items[r.item_id] for r in responses]
    cols[2::3] = [nl + ni + doms[r.domain] for r in responses]
    x = sparse.csr_matrix((np.ones(3 * n), (rows, cols)), shape=(n, nl + ni + len(doms)))
    # Newton-CG: a few Hessian-free Newton steps; lbfgs needs minutes on 20k one-hot columns.
    fit = LogisticRegression(C=regularization, solver="newton-cg", tol=1e-4, max_iter=200)
    fit = fit.fit(x, y)
    coef, intercept = fit.coef_[0], float(fit.intercept_[0])
    abilities = coef[:nl]
    dom_coef = {d: float(coef[nl + ni + j]) for d, j in doms.items()}
    item_domain = {r.item_id: r.domain for r in responses}
    return Calibration(
        items={
            i: -(intercept + dom_coef[item_domain[i]] + float(coef[nl + j]))
            for i, j in items.items()
        },
        domains={d: -(intercept + c) for d, c in dom_coef.items()},
        default=-(intercept + float(np.mean(list(dom_coef.values())))),
        ability_mean=float(abilities.mean()),
        ability_sd=float(abilities.std()) if nl > 1 else 1.0,
    )


def calibrate_items(
    responses: Sequence[ResponseRecord], regularization: float = 1.0
) -> dict[str, float]:
    """Item difficulties in logits, ``item_id -> difficulty`` (see :func:`calibrate`)."""
    return dict(calibrate(responses, regularization).items)


# --- optional logistic layer over the online state (Best-LR style) --------------------------

N_DENSE = 9


def answer_features(state: MasteryState, domain: int, difficulty: float) -> np.ndarray:
    """Shared features of the next answer: online logit, ability, difficulty, counts."""
    mean, var, _ = _domain_moments(state, domain)
    g_mean, _ = _overall(state)
    ev = state.domains.get(domain, _NO_EVIDENCE)
    return np.array(
        [
            (mean - difficulty) / math.sqrt(1.0 + _PROBIT * var),
            mean,
            difficulty,
            math.sqrt(var),
            g_mean,
            math.log1p(ev.n_correct),
            math.log1p(ev.n - ev.n_correct),
            math.log1p(state.n_correct),
            math.log1p(state.n - state.n_correct),
        ]
    )


@dataclass(frozen=True)
class AnswerModel:
    """Logistic layer: shared weights on :func:`answer_features`, plus per-domain intercept
    and per-domain weights on that domain's correct and wrong counts (Best-LR's s and sc)."""

    intercept: float
    weights: tuple[float, ...]
    domain_weights: Mapping[int, tuple[float, float, float]]

    def predict(self, state: MasteryState, domain: int, difficulty: float) -> float:
        x = answer_features(state, domain, difficulty)
        return self.predict_features(x, domain)

    def predict_features(self, x: np.ndarray, domain: int) -> float:
        a, b, c = self.domain_weights.get(domain, (0.0, 0.0, 0.0))
        z = self.intercept + float(np.dot(self.weights, x)) + a + b * x[5] + c * x[6]
        return sigmoid(z)


def fit_answer_model(
    features: np.ndarray, domains: Sequence[int], outcomes: Sequence[bool], c: float = 1.0
) -> AnswerModel:
    """Fit the layer on rows of :func:`answer_features` computed on past learners' answers.

    Rows must come from learners whose answers were not used to calibrate the difficulties
    in them (out-of-fold), or the layer will trust the difficulty too much.
    """
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(features, dtype=float)
    doms = {d: j for j, d in enumerate(dict.fromkeys(domains))}
    n, k = x.shape[0], len(doms)
    idx = np.fromiter((doms[d] for d in domains), dtype=np.int64, count=n)
    rows = np.repeat(np.arange(n), 3)
    cols = np.stack([idx, k + idx, 2 * k + idx], axis=1).ravel()
    vals = np.stack([np.ones(n), x[:, 5], x[:, 6]], axis=1).ravel()
    per_domain = sparse.csr_matrix((vals, (rows, cols)), shape=(n, 3 * k))
    design = sparse.hstack([sparse.csr_matrix(x), per_domain], format="csr")
    fit = LogisticRegression(C=c, max_iter=1000).fit(design, np.asarray(outcomes, dtype=int))
    coef = fit.coef_[0]
    return AnswerModel(
        intercept=float(fit.intercept_[0]),
        weights=tuple(float(w) for w in coef[:N_DENSE]),
        domain_weights={
            d: (
                float(coef[N_DENSE + j]),
                float(coef[N_DENSE + k + j]),
                float(coef[N_DENSE + 2 * k + j]),
            )
            for d, j in doms.items()
        },
    )
