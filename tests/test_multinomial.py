"""The multinomial (softmax cross-entropy) cost: the core against the NumPy reference on every layout,
finite differences, closed forms at extreme logits, the two-class case against the binary log loss,
bad input, and what the solvers say where the minimiser is not unique or does not exist."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import descend
from descend import reference


def make_problem(n: int = 300, d: int = 5, K: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Correlated features, labels from a softmax model (every class present), weights in [0, 3)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) @ rng.normal(size=(d, d))
    P = reference.softmax(0.5 * (X @ rng.normal(size=(d, K))) + rng.normal(size=K))
    y = np.array([rng.choice(K, p=row) for row in P], dtype=np.float64)
    y[:K] = np.arange(K)
    return X, y, rng.uniform(0.0, 3.0, n)


def assert_close(actual: Any, expected: Any, rtol: float = 1e-10) -> None:
    """max |actual − expected| ≤ rtol · max(1, max |expected|)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    scale = max(1.0, float(np.max(np.abs(expected))))
    assert np.max(np.abs(actual - expected)) <= rtol * scale, np.max(np.abs(actual - expected))


def layouts(X: np.ndarray) -> dict[str, Any]:
    return {
        "C": X, "F": np.asfortranarray(X), "float32": X.astype(np.float32),
        "csr": sp.csr_matrix(X), "csc": sp.csc_array(X),
        "csr-int64": sp.csr_matrix((X * (np.abs(X) > 0.5)).astype(np.float32)),
    }  # fmt: skip


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
def test_core_equals_the_reference_on_every_layout(fit_intercept: bool, reduction: str, weighted: bool) -> None:
    X, y, s = make_problem()
    weights = s if weighted else None
    rng = np.random.default_rng(1)
    for name, data in layouts(X).items():
        if name == "csr-int64":
            data.indices, data.indptr = data.indices.astype(np.int64), data.indptr.astype(np.int64)
        dense = data.toarray() if sp.issparse(data) else np.asarray(data)
        ref = reference.Cost(dense.astype(np.float64), y, "multinomial", fit_intercept=fit_intercept, l2=0.3,
                             sample_weight=weights, reduction=reduction)  # fmt: skip
        cost = descend.Cost(data, y, "multinomial", fit_intercept=fit_intercept, l2=0.3, sample_weight=weights,
                            reduction=reduction)  # fmt: skip
        assert cost.dim == ref.dim == 4 * (5 + fit_intercept) and cost.n_classes == 4
        w, v = 0.3 * rng.normal(size=cost.dim), rng.normal(size=cost.dim)
        value, gradient, hessian = ref.value_gradient_hessian(w)
        f, g, H = cost.value_gradient_hessian(w)
        assert_close(f, value)
        assert_close(g, gradient)
        assert_close(H, hessian)
        assert np.array_equal(H, H.T), name
        assert_close(cost.hessian(w), hessian)
        assert_close(cost.hessian_product(w, v), hessian @ v)
        assert_close(cost.hessian_product(w, v), hessian @ v)  # from the kept probabilities
        assert_close(cost.hessian_diagonal(w), np.diag(hessian))
        assert_close(cost.value_and_gradient(w)[1], gradient)
        assert_close(cost.decision_function(w), ref.decision_function(w))
        assert cost.decision_function(w).shape == (300, 4)


@pytest.mark.parametrize(("d", "K"), [(1, 2), (7, 3), (13, 9), (37, 17), (70, 10)])
def test_the_dense_kernels_on_awkward_shapes(d: int, K: int) -> None:
    """The dense row-major kernels work in register tiles (rows by 4 or 8, classes padded to the
    SIMD width, features by packets, half packets and one by one): widths that fill no tile, a row
    count that is no multiple of the tile, a strided view and float32 all equal the reference."""
    X, y, s = make_problem(n=301, d=d, K=K, seed=d)
    wide = np.hstack([X, np.ones((301, 3))])[:, :d]  # rows with an outer stride of d + 3
    rng = np.random.default_rng(K)
    w, v = 0.3 * rng.normal(size=K * (d + 1)), rng.normal(size=K * (d + 1))
    ref = reference.Cost(X, y, "multinomial", l2=0.1, sample_weight=s)
    value, gradient, hessian = ref.value_gradient_hessian(w)
    for data in (X, wide, X.astype(np.float32)):
        exact = np.asarray(data, dtype=np.float64)
        expected = reference.Cost(exact, y, "multinomial", l2=0.1, sample_weight=s) if data.dtype != X.dtype else ref
        e_value, e_gradient, e_hessian = (value, gradient, hessian) if expected is ref else expected.value_gradient_hessian(w)
        for threads in (1, 2):
            cost = descend.Cost(data, y, "multinomial", l2=0.1, sample_weight=s, n_threads=threads)
            f, g = cost.value_and_gradient(w)
            assert_close(f, e_value)
            assert_close(g, e_gradient)
            assert_close(cost.hessian_product(w, v), e_hessian @ v)
            assert_close(cost.decision_function(w), expected.decision_function(w))


def test_threads_give_the_same_numbers() -> None:
    X, y, s = make_problem(n=40_000, d=8, K=3, seed=2)  # enough work for several threads
    w = 0.2 * np.random.default_rng(3).normal(size=3 * 9)
    one = descend.Cost(X, y, "multinomial", sample_weight=s, n_threads=1)
    many = descend.Cost(X, y, "multinomial", sample_weight=s, n_threads=3)
    assert many._core.n_threads > 1
    f1, g1, H1 = one.value_gradient_hessian(w)
    f3, g3, H3 = many.value_gradient_hessian(w)
    assert_close(f3, f1, 1e-13)
    assert_close(g3, g1, 1e-13)
    assert_close(H3, H1, 1e-13)
    assert np.array_equal(many.value_gradient_hessian(w)[2], H3), "a given n_threads gives the same bits"


def test_derivatives_against_finite_differences() -> None:
    X, y, s = make_problem(n=120, d=3, K=3, seed=4)
    cost = descend.Cost(X, y, "multinomial", l2=0.2, sample_weight=s)
    w = 0.3 * np.random.default_rng(5).normal(size=cost.dim)
    h = 1e-6
    eye = np.eye(cost.dim)
    gradient = np.array([(cost.value(w + h * e) - cost.value(w - h * e)) / (2 * h) for e in eye])
    hessian = np.array([(cost.gradient(w + h * e) - cost.gradient(w - h * e)) / (2 * h) for e in eye])
    assert_close(cost.gradient(w), gradient, 1e-7)
    assert_close(cost.hessian(w), hessian, 1e-6)


def test_the_hessian_is_the_documented_kronecker_sum() -> None:
    """H = Σᵢ sᵢ (x̃ᵢx̃ᵢᵀ) ⊗ (diag pᵢ − pᵢpᵢᵀ)/S + λ, written here with np.kron over [W; bᵀ] taken
    class by class (x̃ inner), then permuted to the parameters' order [vec(W), b]."""
    X, y, s = make_problem(n=50, d=2, K=3, seed=6)
    cost = descend.Cost(X, y, "multinomial", l2=0.4, sample_weight=s)
    w = np.random.default_rng(7).normal(size=cost.dim)
    Xt = np.hstack([X, np.ones((50, 1))])
    P = descend.softmax(cost.decision_function(w))
    blocks = sum(si * np.kron(np.diag(p) - np.outer(p, p), np.outer(x, x)) for si, x, p in zip(s, Xt, P)) / s.sum()
    order = [k * 3 + j for k in range(3) for j in range(2)] + [k * 3 + 2 for k in range(3)]  # (k, j) → position
    expected = blocks[np.ix_(order, order)] + 0.4 * np.diag([1.0] * 6 + [0.0] * 3)
    assert_close(cost.hessian(w), expected, 1e-12)


def test_two_classes_are_the_binary_log_loss_of_the_difference() -> None:
    """With K = 2, softmax(z)₁ = σ(z₁ − z₀): the multinomial cost at (w₀, w₁) equals the log loss at
    w₁ − w₀ (l2 = 0), and its gradient along (−v, v) equals the log loss's along v."""
    X, y, s = make_problem(n=200, d=4, K=2, seed=8)
    multi = descend.Cost(X, y, "multinomial", sample_weight=s)
    binary = descend.Cost(X, y, "log_loss", sample_weight=s)
    rng = np.random.default_rng(9)
    W, b = rng.normal(size=(4, 2)), rng.normal(size=2)
    w = np.concatenate([W[:, 0], W[:, 1], b])
    u = np.concatenate([W[:, 1] - W[:, 0], [b[1] - b[0]]])
    assert_close(multi.value(w), binary.value(u), 1e-13)
    g = multi.gradient(w)
    assert_close(g[4:8], binary.gradient(u)[:4], 1e-13)
    assert_close(g[:4], -binary.gradient(u)[:4], 1e-13)
    assert_close(g[9] - g[8], 2 * binary.gradient(u)[4], 1e-13)


@pytest.mark.parametrize("scale", [40.0, 745.0, 800.0, 1e5])
def test_extreme_logits_are_exact(scale: float) -> None:
    """z = (t, −t, 0) for x = 1 and (−t, t, 0) for x = −1: each loss, probability and derivative has a
    closed form; nothing overflows, no warning."""
    X = np.array([[1.0], [1.0], [1.0], [-1.0], [-1.0]])
    y = np.array([0.0, 1.0, 2.0, 1.0, 2.0])
    w = np.array([scale, -scale, 0.0])  # W = [t, −t, 0], no intercept
    cost = descend.Cost(X, y, "multinomial", fit_intercept=False)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        value, gradient, hessian = cost.value_gradient_hessian(w)
        log_p = descend.log_softmax(cost.decision_function(w))
    small = np.exp(-scale) + np.exp(-2 * scale)  # Σ of the other classes' e^{z − max}
    losses = np.log1p(small) + np.array([0.0, 2 * scale, scale, 0.0, scale])
    assert value == pytest.approx(losses.mean(), rel=1e-15)
    assert np.all(np.isfinite(gradient)) and np.all(np.isfinite(hessian))
    # Class 0's gradient Σᵢ xᵢ(pᵢ₀ − yᵢ₀)/5: row 0 (p₀ ≈ 1, y = 0) gives p₀ − 1 = −small·p_top, exactly,
    # rows 1 and 2 give p_top each, rows 3 and 4 (x = −1, class 0 two logits below the top) −e^{−2t}·p_top.
    p_top = 1.0 / (1.0 + small)
    expected = (-small * p_top + 2 * p_top - 2 * np.exp(-2 * scale) * p_top) / 5
    assert gradient[0] == pytest.approx(expected, rel=1e-14)
    assert log_p[1, 1] == pytest.approx(-2 * scale - np.log1p(small), rel=1e-15)
    assert np.all(np.diag(hessian) >= 0.0)


def test_softmax_and_log_softmax() -> None:
    Z = np.array([[1000.0, 0.0, -1000.0], [0.5, 0.5, 0.5], [-800.0, -800.0, 0.0]])
    P = descend.softmax(Z)
    assert_close(P.sum(axis=1), np.ones(3), 1e-15)
    assert P[0, 0] == 1.0 and P[0, 2] == 0.0 and P[1, 0] == pytest.approx(1 / 3, rel=1e-15)
    L = descend.log_softmax(Z)
    assert L[0, 2] == -2000.0 and L[2, 0] == pytest.approx(-800.0, rel=1e-15)
    assert_close(np.exp(descend.log_softmax(Z[1:2])), P[1:2], 1e-15)
    with pytest.raises(ValueError, match="z must contain only finite"):
        descend.softmax([[np.nan, 1.0]])


def test_bad_labels_and_n_classes_are_named() -> None:
    X = np.ones((4, 2))
    with pytest.raises(ValueError, match="y must hold class labels"):
        descend.Cost(X, [0, 1, 1.5, 2], "multinomial")
    with pytest.raises(ValueError, match="y must hold class labels"):
        descend.Cost(X, [0, 1, -1, 2], "multinomial")
    with pytest.raises(ValueError, match="n_classes = 2: got the label 2"):
        descend.Cost(X, [0, 1, 1, 2], "multinomial", n_classes=2)
    with pytest.raises(ValueError, match="at least 2 classes"):
        descend.Cost(X, [0, 0, 0, 0], "multinomial")
    with pytest.raises(ValueError, match="n_classes must be >= 2"):
        descend.Cost(X, [0, 0, 0, 0], "multinomial", n_classes=1)
    with pytest.raises(ValueError, match="n_classes is for loss='multinomial' only"):
        descend.Cost(X, [0, 1, 1, 0], "log_loss", n_classes=2)
    with pytest.raises(TypeError, match="n_classes must be an integer"):
        descend.Cost(X, [0, 1, 1, 0], "multinomial", n_classes=2.5)
    cost = descend.Cost(X, [0, 1, 1, 0], "multinomial", n_classes=3)
    assert cost.dim == 9
    with pytest.raises(ValueError, match="w must have length 9"):
        cost.value(np.zeros(6))


@pytest.mark.parametrize("solver", ["newton", "lbfgs", "newton_cg", "gradient_descent"])
def test_every_solver_finds_the_reference_minimum(solver: str) -> None:
    X, y, s = make_problem(n=400, d=3, K=3, seed=10)
    X = (X - X.mean(0)) / X.std(0)
    cost = descend.Cost(X, y, "multinomial", l2=0.05, sample_weight=s)
    options: dict[str, Any] = {"tol": 1e-9}
    if solver == "gradient_descent":
        options = {"tol": 1e-7, "step": "backtracking", "max_iter": 20000}
    result = getattr(descend, solver)(cost, **options)
    assert result.status == "converged", result.message
    best = reference.newton(reference.Cost(X, y, "multinomial", l2=0.05, sample_weight=s), np.zeros(cost.dim),
                            tol=1e-12)  # fmt: skip
    W, b = result.x[:9], result.x[9:]
    W_ref, b_ref = best.x[:9], best.x[9:]
    assert_close(W, W_ref, 1e-5)
    assert_close(b - b.mean(), b_ref - b_ref.mean(), 1e-5)  # the intercepts up to their common shift
    assert abs(result.fun - best.fun) <= 1e-9


def test_newton_says_the_minimiser_is_not_unique() -> None:
    X, y, _ = make_problem(n=300, d=3, K=3, seed=11)
    result = descend.newton(descend.Cost(X, y, "multinomial", l2=0.1), tol=1e-10)
    assert result.status == "converged"
    assert "not unique" in result.message and "every class's intercept" in result.message
    result = descend.newton(descend.Cost(X, y, "multinomial"), tol=1e-10)
    assert result.status == "converged"
    assert "one vector to every class's coefficients" in result.message


@pytest.mark.parametrize("solver", ["newton", "lbfgs", "newton_cg", "gradient_descent"])
def test_a_class_without_samples_has_no_minimum(solver: str) -> None:
    X, y, _ = make_problem(n=200, d=2, K=3, seed=12)
    cost = descend.Cost(X, y, "multinomial", n_classes=4, l2=0.1)
    result = getattr(descend, solver)(cost)
    assert result.status == "no_minimum", result.message
    assert "class 3 of n_classes = 4 has no samples" in result.message
    # Without an intercept and with a penalty the empty class has a finite optimum: converged.
    bounded = descend.Cost(X, y, "multinomial", n_classes=4, l2=0.1, fit_intercept=False)
    assert getattr(descend, solver)(bounded, tol=1e-6).status == "converged"
