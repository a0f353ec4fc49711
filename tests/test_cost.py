"""descend.Cost (the C++ core) against descend.reference (NumPy), the shared
vectors, finite differences and closed forms, over every combination of options."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import descend
from descend import reference

from vectors import all_vectors

LOSSES = ("log_loss", "squared_error", "poisson")
OPTIONS = list(itertools.product(LOSSES, (True, False), (0.0, 0.7), ("mean", "sum"), (False, True)))


def make_problem(loss: str, n: int = 257, d: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) @ rng.normal(size=(d, d))  # correlated features
    if loss == "log_loss":
        y = (rng.random(n) < 0.4).astype(float)
    elif loss == "poisson":
        y = rng.poisson(np.exp(0.1 * (X @ rng.normal(size=d)))).astype(float)
    else:
        y = X @ rng.normal(size=d) + rng.normal(size=n)
    weights = rng.uniform(0.0, 3.0, n)
    return X, y, weights


def both(X: np.ndarray, y: np.ndarray, **options: Any) -> tuple[descend.Cost, reference.Cost]:
    core_options = dict(options)
    return descend.Cost(X, y, **core_options), reference.Cost(X, y, **options)


def assert_close(actual: Any, expected: Any, rtol: float = 1e-10) -> None:
    """max |actual − expected| ≤ rtol · max(1, max |expected|): relative to the array's scale."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    assert np.max(np.abs(actual - expected), initial=0.0) <= rtol * scale, (actual, expected)


@pytest.mark.parametrize("loss,fit_intercept,l2,reduction,weighted", OPTIONS)
@pytest.mark.parametrize("order", ["C", "F"])
def test_core_equals_reference(loss: str, fit_intercept: bool, l2: float, reduction: str, weighted: bool, order: str) -> None:
    X, y, weights = make_problem(loss)
    X = np.asarray(X, order=order)
    options = dict(loss=loss, fit_intercept=fit_intercept, l2=l2, reduction=reduction,
                   sample_weight=weights if weighted else None)
    core, ref = both(X, y, **options)
    rng = np.random.default_rng(1)
    w = 0.3 * rng.normal(size=core.dim)
    v = rng.normal(size=core.dim)
    assert core.dim == ref.dim == X.shape[1] + fit_intercept
    assert_close(core.value(w), ref.value(w))
    value, gradient = core.value_and_gradient(w)
    assert_close(value, ref.value(w))
    assert_close(gradient, ref.gradient(w))
    assert_close(core.gradient(w), ref.gradient(w))
    assert_close(core.hessian(w), ref.hessian(w))
    assert_close(core.hessian_product(w, v), ref.hessian_product(w, v))
    f, g, H = core.value_gradient_hessian(w)
    assert_close(f, ref.value(w))
    assert_close(g, ref.gradient(w))
    assert_close(H, ref.hessian(w))


@pytest.mark.parametrize("loss,fit_intercept,l2,reduction,weighted", OPTIONS)
def test_core_equals_independent_formula(loss: str, fit_intercept: bool, l2: float, reduction: str, weighted: bool) -> None:
    """The formulas of DESIGN.md written out here once more, with an augmented X."""
    X, y, weights = make_problem(loss, n=300, d=4, seed=3)
    s = weights if weighted else np.ones(len(y))
    cost = descend.Cost(X, y, loss, fit_intercept=fit_intercept, l2=l2, reduction=reduction,
                        sample_weight=weights if weighted else None)
    rng = np.random.default_rng(4)
    w = 0.2 * rng.normal(size=cost.dim)
    Xa = np.column_stack([X, np.ones(len(y))]) if fit_intercept else X
    penalty = np.where(np.arange(cost.dim) < X.shape[1], l2, 0.0)
    z = Xa @ w
    if loss == "log_loss":
        p = 1.0 / (1.0 + np.exp(-z))
        losses, first, second = np.logaddexp(0.0, z) - y * z, p - y, p * (1 - p)
    elif loss == "poisson":
        mu = np.exp(z)
        losses, first, second = mu - y * z, mu - y, mu
    else:
        losses, first, second = (y - z) ** 2, 2 * (z - y), np.full_like(z, 2.0)
    S = s.sum() if reduction == "mean" else 1.0
    assert_close(cost.value(w), (s * losses).sum() / S + 0.5 * (penalty * w * w).sum())
    assert_close(cost.gradient(w), Xa.T @ (s * first) / S + penalty * w)
    assert_close(cost.hessian(w), (Xa * (s * second)[:, None]).T @ Xa / S + np.diag(penalty))


@pytest.mark.parametrize("case", all_vectors(), ids=lambda case: case["name"])
def test_shared_vectors(case: dict[str, Any]) -> None:
    n, d = case["n"], case["d"]
    cost = descend.Cost(
        case["X"].reshape(n, d),
        case["y"],
        case["loss"],
        fit_intercept=bool(case["fit_intercept"]),
        l2=case["l2"],
        reduction=case["reduction"],
        sample_weight=case.get("sample_weight"),
        n_classes=case.get("n_classes"),
    )
    w, v = case["w"], case["v"]
    p = cost.dim
    assert_close(cost.value(w), case["value"], 1e-12)
    assert_close(cost.gradient(w), case["gradient"], 1e-12)
    assert_close(cost.hessian(w), case["hessian"].reshape(p, p), 1e-12)
    assert_close(cost.hessian_product(w, v), case["hessian_product"], 1e-12)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_derivatives_against_finite_differences(loss: str, fit_intercept: bool) -> None:
    X, y, weights = make_problem(loss, n=200, d=5, seed=7)
    cost = descend.Cost(X, y, loss, fit_intercept=fit_intercept, l2=0.2, sample_weight=weights)
    rng = np.random.default_rng(8)
    w = 0.3 * rng.normal(size=cost.dim)
    eye = np.eye(cost.dim)
    h = 1e-6
    numeric_gradient = np.array([(cost.value(w + h * e) - cost.value(w - h * e)) / (2 * h) for e in eye])
    assert_close(cost.gradient(w), numeric_gradient, 1e-7)
    H = cost.hessian(w)
    assert np.array_equal(H, H.T), "the Hessian is exactly symmetric"
    numeric_hessian = np.array([(cost.gradient(w + h * e) - cost.gradient(w - h * e)) / (2 * h) for e in eye])
    assert_close(H, numeric_hessian, 1e-6)
    assert np.linalg.eigvalsh(H).min() > 0  # convex with λ > 0


def test_squared_error_hessian_is_closed_form() -> None:
    """For squared error L″ = 2, so H = 2 X̃ᵀX̃ / n whatever w is."""
    X, y, _ = make_problem("squared_error", n=50, d=3)
    cost = descend.Cost(X, y, "squared_error")
    Xa = np.column_stack([X, np.ones(50)])
    for w in (np.zeros(4), np.arange(4.0)):
        assert_close(cost.hessian(w), 2 * Xa.T @ Xa / 50, 1e-13)


@pytest.mark.parametrize("order", ["C", "F"])
def test_float64_input_is_not_copied(order: str) -> None:
    X, y, _ = make_problem("log_loss")
    X = np.asarray(X, order=order)
    cost = descend.Cost(X, y)
    assert cost.X is X
    assert cost._core.data_address == X.ctypes.data
    assert cost._core.layout == ("float64, row-major" if order == "C" else "float64, column-major")


def test_strided_rows_are_viewed_and_other_layouts_converted() -> None:
    X, y, _ = make_problem("log_loss", n=400)
    every_other = X[::2]  # rows contiguous, outer stride 2·d: still a view
    cost = descend.Cost(every_other, y[::2])
    assert cost._core.data_address == every_other.ctypes.data
    assert_close(cost.value(np.full(cost.dim, 0.1)), reference.Cost(every_other, y[::2]).value(np.full(cost.dim, 0.1)))
    scattered = X[::2, ::2]  # neither rows nor columns contiguous: converted once
    cost = descend.Cost(scattered, y[::2])
    assert_close(cost.value(np.full(cost.dim, 0.1)), reference.Cost(scattered, y[::2]).value(np.full(cost.dim, 0.1)))


def test_float32_is_viewed_and_accumulated_in_float64() -> None:
    X, y, _ = make_problem("log_loss", n=3000)
    X32 = X.astype(np.float32)
    cost = descend.Cost(X32, y)
    assert cost._core.layout == "float32, row-major"
    assert cost._core.data_address == X32.ctypes.data
    w = np.full(cost.dim, 0.05)
    # Exactly the float64 cost of the float32 data (the widening is exact).
    widened = reference.Cost(X32.astype(np.float64), y)
    assert_close(cost.value(w), widened.value(w), 1e-12)
    assert_close(cost.gradient(w), widened.gradient(w), 1e-12)
    assert_close(cost.hessian(w), widened.hessian(w), 1e-12)


def test_lists_and_integers_are_converted() -> None:
    cost = descend.Cost([[0, 1], [1, 0], [2, 2]], [0, 1, 1], "log_loss", l2=1)
    ref = reference.Cost(np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]]), np.array([0.0, 1.0, 1.0]), l2=1.0)
    assert_close(cost.gradient([1, 2, 3]), ref.gradient(np.array([1.0, 2.0, 3.0])))


def test_threads_agree_and_are_deterministic() -> None:
    X, y, weights = make_problem("log_loss", n=60_000, d=8)
    w = np.full(9, 0.01)
    one = descend.Cost(X, y, sample_weight=weights, n_threads=1)
    two = descend.Cost(X, y, sample_weight=weights, n_threads=2)
    assert_close(two.gradient(w), one.gradient(w), 1e-13)
    assert_close(two.hessian(w), one.hessian(w), 1e-13)
    assert np.array_equal(two.gradient(w), two.gradient(w))
    assert np.array_equal(two.hessian(w), two.hessian(w))


def test_extreme_logits_are_exact() -> None:
    X = np.array([[800.0], [-800.0], [1000.0], [-1000.0], [40.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    cost = descend.Cost(X, y, fit_intercept=False, reduction="sum")
    with np.errstate(all="raise"):
        value, gradient = cost.value_and_gradient(np.array([1.0]))
        H = cost.hessian(np.array([1.0]))
    # 800 + 800 + e^-1000 + e^-1000 + log(1 + e^-40)
    assert value == 1600.0 + np.log1p(np.exp(-40.0))
    assert gradient[0] == pytest.approx(1600.0 - 40.0 * np.exp(-40.0) / (1 + np.exp(-40.0)), rel=1e-15)
    assert np.isfinite(H).all() and H[0, 0] == pytest.approx(1600.0 * np.exp(-40.0), rel=1e-14)


def test_no_allocation_of_the_size_of_X() -> None:
    """An evaluation adds O(n) memory at most, never a copy of X (checked on peak RSS in a fresh process)."""
    script = textwrap.dedent(
        """
        import resource, numpy as np, descend
        def peak(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        n, d = 400_000, 50
        for order in ("C", "F"):
            X = np.asarray(np.random.default_rng(0).normal(size=(n, d)), order=order)
            y = (np.arange(n) % 2).astype(float)
            cost = descend.Cost(X, y, n_threads=2)
            w = np.full(d + 1, 0.01)
            cost.value_and_gradient(w); cost.hessian(w); cost.hessian_product(w, w)
            before = peak()
            for _ in range(3):
                cost.value_and_gradient(w); cost.hessian(w); cost.hessian_product(w, w); cost.value_gradient_hessian(w)
            added = peak() - before
            print(order, added, X.nbytes)
            assert added < 0.05 * X.nbytes, (order, added, X.nbytes)
            del X, cost
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pointwise_losses() -> None:
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    p = np.array([0.0, 1.0, 1.0, 0.0, 0.25])
    with np.errstate(all="raise"):
        out = descend.log_loss(y, p)
    assert out[0] == 0.0 and out[1] == 0.0
    assert out[2] == np.inf and out[3] == np.inf
    assert out[4] == pytest.approx(-np.log(0.25), rel=1e-15)
    np.testing.assert_allclose(descend.log_loss(y, p), reference.log_loss(y, p), rtol=1e-15)
    z = np.array([-800.0, 800.0, 0.0, 40.0, -3.0])
    labels = np.array([1, 0, 1, 1, 0])
    # log(1 + e^z) − y·z by hand: 800, 800, log 2, log1p(e^−40), log1p(e^−3)
    expected = np.array([800.0, 800.0, np.log(2.0), np.log1p(np.exp(-40.0)), np.log1p(np.exp(-3.0))])
    np.testing.assert_allclose(descend.log_loss(labels, z, from_logits=True), expected, rtol=1e-15)
    assert descend.log_loss(1.0, 800.0, from_logits=True) == 0.0
    assert descend.log_loss(0.0, 800.0, from_logits=True) == 800.0
    np.testing.assert_allclose(descend.squared_error([1.0, 2.0], [[0.0], [2.0]]), [[1.0, 4.0], [1.0, 0.0]])
    assert descend.squared_error(3.0, 1.0) == 4.0
    np.testing.assert_allclose(descend.sigmoid([-800.0, 0.0, 800.0]), [0.0, 0.5, 1.0])


@pytest.mark.parametrize(
    "call,error,words",
    [
        (lambda: descend.Cost(np.ones(3), [0, 1, 0]), ValueError, "X must be a 2-D"),
        (lambda: descend.Cost(np.ones((3, 2)), [0, 1]), ValueError, "y must have length 3"),
        (lambda: descend.Cost(np.ones((3, 2)), [0, 2, 1]), ValueError, "y must lie in [0, 1]"),
        (lambda: descend.Cost(np.full((3, 2), np.nan), [0, 1, 1]), ValueError, "X must contain only finite"),
        (lambda: descend.Cost(np.ones((3, 2)), [0, 1, np.inf]), ValueError, "y must contain only finite"),
        (lambda: descend.Cost(np.ones((3, 2)), [0, 1, 1], "hinge"), ValueError, "loss must be one of"),
        (lambda: descend.Cost(np.ones((3, 2)), [0, 1, 1], reduction="median"), ValueError, "reduction must be one of"),
        (lambda: descend.Cost(np.ones((3, 2)), [0, 1, 1], l2=-1), ValueError, "l2 must be >= 0"),
        (lambda: descend.Cost(np.ones((3, 2)), [0, 1, 1], sample_weight=[0, 0, 0]), ValueError, "sample_weight must have a positive sum"),
        (lambda: descend.Cost(np.ones((3, 2)), [0, 1, 1], sample_weight=[1, -1, 1]), ValueError, "sample_weight must be finite and >= 0"),
        (lambda: descend.Cost(np.ones((3, 2), dtype=complex), [0, 1, 1]), TypeError, "X must be real-valued"),
        (lambda: descend.Cost(np.array([["a", "b"]]), [0]), TypeError, "X must contain numbers"),
        (lambda: descend.Cost(np.ones((0, 2)), []), ValueError, "X must have at least one row"),
        (lambda: descend.Cost(np.ones((3, 2)), [0, 1, 1]).value([0, 0]), ValueError, "w must have length 3"),
        (lambda: descend.Cost(np.ones((3, 2)), [0, 1, 1]).gradient([0, np.nan, 0]), ValueError, "w must contain only finite"),
        (lambda: descend.Cost(np.ones((3, 2)), [0, 1, 1], n_threads=0), ValueError, "n_threads must be >= 1"),
        (lambda: descend.log_loss([0, 1], [0.5, 1.5]), ValueError, "p must lie in [0, 1]"),
        (lambda: descend.log_loss([0, 1], [0.5, 0.5, 0.5]), ValueError, "must have the same shape"),
        (lambda: descend.log_loss([0, 3], [0.5, 0.5]), ValueError, "y must lie in [0, 1]"),
        (lambda: descend.squared_error([0, 1], [0.5, np.nan]), ValueError, "y_pred must contain only finite"),
    ],
)
def test_bad_input_names_the_argument(call: Any, error: type[Exception], words: str | None) -> None:
    with pytest.raises(error) as info:
        call()
    if words is not None:
        assert words in str(info.value)


def test_memory_mapped_and_unpickled_arrays_are_viewed(tmp_path: Path) -> None:
    """Their dtype objects are equal to float64's but not the same instance: still no copy."""
    import pickle

    X, y, _ = make_problem("log_loss", n=100)
    np.save(tmp_path / "X.npy", X)
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    unpickled = pickle.loads(pickle.dumps(X))
    w = np.full(X.shape[1] + 1, 0.1)
    for array in (mapped, unpickled):
        cost = descend.Cost(array, y)
        assert cost._core.data_address == array.ctypes.data
        assert_close(cost.value(w), reference.Cost(X, y).value(w))


def test_poisson_fit_equals_scikit_learn() -> None:
    """Newton on the mean Poisson cost with l2 = α minimises scikit-learn's PoissonRegressor objective
    (1/(2Σs))·Σ sᵢ·deviance + (α/2)‖w‖², whose half deviance differs from eᶻ − y·z by a term in y alone."""
    linear_model = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(7)
    X = rng.normal(size=(500, 4))
    y = rng.poisson(np.exp(X @ [0.3, -0.2, 0.1, 0.0] + 0.5)).astype(float)
    weights = rng.uniform(0.5, 2.0, size=500)
    for alpha, sample_weight in ((0.0, None), (0.3, weights)):
        result = descend.newton(descend.Cost(X, y, "poisson", l2=alpha, sample_weight=sample_weight), tol=1e-12)
        theirs = linear_model.PoissonRegressor(alpha=alpha, solver="newton-cholesky", tol=1e-12, max_iter=100)
        theirs.fit(X, y, sample_weight=sample_weight)
        np.testing.assert_allclose(result.x[:-1], theirs.coef_, rtol=1e-8, atol=1e-10)
        assert result.x[-1] == pytest.approx(theirs.intercept_, rel=1e-8)


def test_poisson_overflow_is_an_error_naming_w() -> None:
    X = np.array([[1.0], [2.0]])
    cost = descend.Cost(X, [1.0, 3.0], "poisson")
    for evaluate in (cost.value, cost.gradient, cost.hessian):
        with pytest.raises(ValueError, match="overflows"):
            evaluate(np.array([800.0, 0.0]))
    assert np.isfinite(cost.value(np.array([300.0, 0.0])))  # e^600 is large, not infinite
    with pytest.raises(ValueError, match="y must be >= 0"):
        descend.Cost(X, [1.0, -1.0], "poisson")


def test_the_python_loss_table_is_the_core_registry() -> None:
    """One registry on each side of the binding, holding the same losses; each row's inverse
    link is the mean of y that the loss's first derivative sets to zero (L′(z, μ(z)) = 0)."""
    from descend.cost import LOSS_TABLE

    assert set(LOSS_TABLE) == set(descend._core.loss_names())
    z = np.linspace(-5.0, 5.0, 11)
    for name, loss in LOSS_TABLE.items():
        if loss.target == "classes":  # the (n, K) probabilities of (n, K) logits
            Z = np.array([[0.5, -1.0, 2.0], [3.0, 3.0, -4.0]])
            np.testing.assert_allclose(loss.mean(Z), np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True), rtol=1e-15)
            continue
        mean = loss.mean(z)
        # At y = μ(z) every row's z minimises the loss: the gradient of a one-row cost is zero.
        for zi, yi in zip(z, mean):
            cost = descend.Cost(np.array([[1.0]]), np.array([yi]), name, fit_intercept=False)
            assert abs(cost.gradient(np.array([zi]))[0]) <= 1e-12 * max(1.0, abs(yi))
