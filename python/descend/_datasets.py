"""A small built-in dataset for the demo: made here, deterministically, never downloaded."""

from __future__ import annotations

import numpy as np

from ._validation import FloatArray

FEATURES = ("hours_studied", "hours_slept", "coffees", "practice_tests")


def exam_results(n_samples: int = 400, seed: int = 7) -> tuple[FloatArray, FloatArray, tuple[str, ...]]:
    """Students' exam outcomes: X (n, 4) of study habits, y (n,) of 0 = fail, 1 = pass.

    Drawn from a logistic model with known coefficients and some correlation
    between features, so that plain gradient descent is visibly slow and
    Newton's method is not.
    """
    rng = np.random.default_rng(seed)
    studied = rng.gamma(4.0, 2.0, n_samples)
    slept = np.clip(rng.normal(7.0, 1.2, n_samples) - 0.1 * studied, 3.0, 10.0)
    coffees = np.clip(np.round(0.3 * studied + rng.normal(1.0, 1.0, n_samples)), 0.0, None)
    practice = np.round(np.clip(0.4 * studied + rng.normal(0.0, 1.5, n_samples), 0.0, None))
    X = np.column_stack([studied, slept, coffees, practice])
    logit = -9.0 + 0.45 * studied + 0.6 * slept - 0.25 * coffees + 0.5 * practice
    y = (rng.random(n_samples) < 1.0 / (1.0 + np.exp(-logit))).astype(np.float64)
    return X, y, FEATURES
