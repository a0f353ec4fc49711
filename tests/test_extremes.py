"""Numerical extremes: singular Hessians, huge and tiny feature scales, logits
far in the tails. Each answer is checked against a closed form, lstsq or
scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import descend

SOLVERS = ("newton", "lbfgs")


def test_duplicate_columns_with_penalty_split_the_weight() -> None:
    """λ > 0 makes the minimiser unique; by symmetry a duplicated column gets two equal halves,
    and the model equals the one fitted on the single column with penalty λ/2 on the sum."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X @ [1.0, -1.0] + rng.logistic(size=200) > 0).astype(float)
    duplicated = np.column_stack([X, X[:, 0]])
    for method in SOLVERS:
        result = descend.minimize(descend.Cost(duplicated, y, l2=0.2), method=method, tol=1e-10)
        assert result.success, result.message
        assert result.x[0] == pytest.approx(result.x[2], rel=1e-7)
        folded = descend.newton(_FoldedCost(X, y, l2=0.2), tol=1e-12)
        np.testing.assert_allclose([result.x[0] + result.x[2], result.x[1], result.x[3]], folded.x, rtol=1e-6, atol=1e-9)


class _FoldedCost:
    """The cost of the duplicated-column model written with u = w₀ + w₂ (w₀ = w₂ = u/2):
    log loss of X·[u, w₁] + b with penalty (λ/2)(u²/2 + w₁²)."""

    def __init__(self, X: np.ndarray, y: np.ndarray, l2: float) -> None:
        self.inner = descend.Cost(X, y, l2=0.0)
        self.l2 = l2
        self.dim = 3
        self.mask = np.array([0.5, 1.0, 0.0])

    def value(self, x: np.ndarray) -> float:
        return self.inner.value(x) + 0.5 * self.l2 * float(np.sum(self.mask * x * x))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self.inner.gradient(x) + self.l2 * self.mask * x

    def hessian(self, x: np.ndarray) -> np.ndarray:
        return self.inner.hessian(x) + self.l2 * np.diag(self.mask)


def test_more_features_than_samples_with_penalty_matches_sklearn() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(15, 40))
    y = (np.arange(15) % 2).astype(float)
    C = 2.0
    result = descend.newton(descend.Cost(X, y, reduction="sum", l2=1.0 / C), tol=1e-10)
    assert result.success, result.message
    sk = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(result.x[:-1], sk.coef_[0], atol=1e-6)
    assert result.x[-1] == pytest.approx(sk.intercept_[0], abs=1e-6)


def test_singular_least_squares_is_a_minimiser_and_says_it_is_not_unique() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 2))
    y = X @ [1.0, 2.0] + rng.normal(size=60)
    duplicated = np.column_stack([X, X[:, 1]])
    cost = descend.Cost(duplicated, y, "squared_error")
    result = descend.newton(cost)
    assert result.status == "converged"
    design = np.column_stack([duplicated, np.ones(60)])
    best, *_ = np.linalg.lstsq(design, y, rcond=None)
    assert result.fun == pytest.approx(np.mean((design @ best - y) ** 2), rel=1e-12)
    assert "not unique" in result.message
    unique = descend.newton(descend.Cost(X, y, "squared_error"))
    assert "not unique" not in unique.message


@pytest.mark.parametrize("method", ["newton", "lbfgs", "gd"])
def test_feature_scales_from_1e_minus_8_to_1e8(method: str) -> None:
    rng = np.random.default_rng(3)
    scales = np.array([1e-8, 1e-4, 1.0, 1e4, 1e8])
    X = rng.normal(size=(300, 5)) * scales
    y = (X @ (1.0 / scales) + rng.logistic(size=300) > 0).astype(float)
    cost = descend.Cost(X, y, l2=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, gradient, hessian = cost.value_gradient_hessian(np.ones(6))
    assert np.isfinite(value) and np.isfinite(gradient).all() and np.isfinite(hessian).all()
    if method == "gd":
        # A learning rate far above 1/L (L ~ 1e16 here) diverges, honestly, at a finite point.
        result = descend.gradient_descent(cost, learning_rate=1.0, max_iter=50)
        assert result.status == "diverged" and np.isfinite(result.x).all() and np.isfinite(result.fun)
    else:
        result = descend.minimize(cost, method=method, max_iter=5000)
        assert np.isfinite(result.x).all()
        if method == "newton":  # scale-invariant: converges
            assert result.success, result.message


def test_extreme_logits_in_a_fit() -> None:
    """Data whose logits reach ±1e4 at the start point: finite cost, finite steps, right answer."""
    X = np.array([[-1e4], [-5e3], [5e3], [1e4], [1.0], [-1.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    cost = descend.Cost(X, y, l2=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # Four samples on the right side of ±5e3 lose nothing; x = ±1 lose log(1 + e) each; λ/2·1² = 0.5.
        assert cost.value(np.array([1.0, 0.0])) == pytest.approx(2 * np.log1p(np.e) / 6 + 0.5, rel=1e-14)
        result = descend.newton(cost, x0=[1.0, 0.0])
    assert result.success
    sk = LogisticRegression(C=1.0 / 6.0, solver="newton-cholesky", tol=1e-12).fit(X, y)  # λ·n = 1/C
    np.testing.assert_allclose(result.x, [sk.coef_[0, 0], sk.intercept_[0]], atol=1e-6)
