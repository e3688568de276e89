"""Batch calibration of item difficulties from everyone's answers.

A Rasch model with domain effects, ``P(correct) = sigmoid(ability_l - b_i)`` with
``b_i = -(intercept + domain effect + item effect)``, fitted by L2-regularised logistic
regression on learner, item and domain one-hot features: the penalty is the Gaussian prior
that shrinks a rarely answered item toward the typical difficulty of its domain. The
online learner model (:mod:`planner.mastery`) reads answers with these difficulties.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from planner.mastery import ResponseRecord


@dataclass(frozen=True)
class Calibration:
    """Item difficulties (logits) from a batch fit, with fallbacks for unseen items.

    ``ability_mean`` and ``ability_sd`` describe the fitted learners; the sd is shrunk by the
    regularisation, so treat it as a lower bound when building a
    :class:`planner.mastery.Prior`.
    """

    items: Mapping[str, float]
    domains: Mapping[int, float]
    default: float
    ability_mean: float
    ability_sd: float

    def difficulty(self, item_id: str, domain: int) -> float:
        """The item's fitted difficulty; for an unseen item its domain's, else the default."""
        if item_id in self.items:
            return self.items[item_id]
        return self.domains.get(domain, self.default)


def calibrate(responses: Sequence[ResponseRecord], regularization: float = 1.0) -> Calibration:
    """Fit a Rasch model with domain effects on all responses (learners, items, domains).

    The logistic regression's L2 penalty (``C = regularization``) is the Gaussian prior that
    shrinks a rarely answered item toward its domain's typical difficulty.

    Args:
        responses: every learner's answers.
        regularization: the inverse penalty ``C``; smaller shrinks harder.
    """
    # Imported here: scikit-learn takes about 1.5 s to load here and most callers never fit.
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
