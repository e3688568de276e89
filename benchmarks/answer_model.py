"""An optional logistic layer over the online learner model, for next-answer prediction.

Best-LR style (Gervet et al. 2020): shared weights on features of the online state of
planner.mastery (its logit for the answer, the abilities, the difficulty, answer counts),
plus a per-domain intercept and per-domain weights on that domain's correct and wrong
counts. The product does not use it (readiness and selection read the Gaussian abilities
directly); benchmarks/learner_model.py fits it on past learners and measures what it adds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.mastery import (
    PROBIT,
    DomainEvidence,
    MasteryState,
    domain_moments,
    overall_ability,
    sigmoid,
)

N_DENSE = 9
"""Number of shared features (the length of an `answer_features` row)."""


def answer_features(state: MasteryState, domain: int, difficulty: float) -> npt.NDArray[np.float64]:
    """Shared features of the next answer: online logit, ability, difficulty, counts."""
    mean, var, _ = domain_moments(state, domain)
    g_mean, _ = overall_ability(state)
    ev = state.domains.get(domain, DomainEvidence())
    return np.array(
        [
            (mean - difficulty) / math.sqrt(1.0 + PROBIT * var),
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
    """Logistic layer: shared weights on :func:`answer_features`, plus per-domain terms.

    Attributes:
        intercept: the shared intercept.
        weights: one weight per shared feature (`N_DENSE`).
        domain_weights: per domain, its intercept and its weights on the log counts of the
            domain's correct and wrong answers (Best-LR's s and sc); a domain not seen in
            the fit gets none.
    """

    intercept: float
    weights: tuple[float, ...]
    domain_weights: Mapping[int, tuple[float, float, float]]

    def predict(self, state: MasteryState, domain: int, difficulty: float) -> float:
        """Probability of a right answer to the next item, from the online state."""
        x = answer_features(state, domain, difficulty)
        return self.predict_features(x, domain)

    def predict_features(self, x: npt.NDArray[np.float64], domain: int) -> float:
        """Probability of a right answer from a row of :func:`answer_features`."""
        a, b, c = self.domain_weights.get(domain, (0.0, 0.0, 0.0))
        z = self.intercept + float(np.dot(self.weights, x)) + a + b * x[5] + c * x[6]
        return sigmoid(z)


def fit_answer_model(
    features: npt.NDArray[np.float64],
    domains: Sequence[int],
    outcomes: Sequence[bool] | npt.NDArray[np.bool_],
    c: float = 1.0,
) -> AnswerModel:
    """Fit the layer on rows of :func:`answer_features` computed on past learners' answers.

    Rows must come from learners whose answers were not used to calibrate the difficulties
    in them (out-of-fold), or the layer will trust the difficulty too much.

    Args:
        features: one row of :func:`answer_features` per answer.
        domains: the domain of each answer.
        outcomes: whether each answer was right.
        c: the inverse L2 penalty of the logistic regression.
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
