"""Sparse X (scipy.sparse CSR and CSC) in descend.Cost: every result equals the same cost on
X.toarray() (and the NumPy reference there), the arrays are viewed without a copy, other
formats and dtypes are converted once, and bad sparse input is a ValueError."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import descend
from descend import reference

LOSSES = ("log_loss", "squared_error", "poisson")


def text_like(n: int, d: int, per_row: int, rng: np.random.Generator) -> Any:
    """CSR with `per_row` entries a row at random columns (duplicates summed): built in O(n·per_row)."""
    columns = rng.integers(0, d, size=n * per_row)
    X = sp.csr_matrix((rng.uniform(0.5, 1.5, n * per_row), columns, np.arange(0, n * per_row + 1, per_row)), shape=(n, d))
    X.sum_duplicates()
    return X


def sparse_problem(loss: str, n: int = 300, d: int = 12, density: float = 0.25, seed: int = 0) -> tuple[Any, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, format="csr", random_state=seed, data_rvs=rng.standard_normal)
    if loss == "log_loss":
        y = (rng.random(n) < 0.4).astype(float)
    elif loss == "poisson":
        y = rng.poisson(1.5, n).astype(float)
    else:
        y = rng.normal(size=n)
    return X, y


def relative_error(actual: Any, expected: Any) -> float:
    actual, expected = np.asarray(actual), np.asarray(expected)
    return float(np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-300))


@pytest.mark.parametrize(
    "loss,fit_intercept,weighted,fmt,dtype,index",
    list(itertools.product(LOSSES, (True, False), (False, True), ("csr", "csc"), (np.float64, np.float32), (np.int32, np.int64))),
)
def test_sparse_equals_dense(loss: str, fit_intercept: bool, weighted: bool, fmt: str, dtype: Any, index: Any) -> None:
    X, y = sparse_problem(loss)
    X = X.asformat(fmt).astype(dtype)
    X.indices = X.indices.astype(index)
    X.indptr = X.indptr.astype(index)
    rng = np.random.default_rng(1)
    weights = rng.uniform(0.1, 3.0, X.shape[0]) if weighted else None
    options = dict(loss=loss, fit_intercept=fit_intercept, l2=0.3, sample_weight=weights)
    cost = descend.Cost(X, y, **options)  # type: ignore[arg-type]
    dense = descend.Cost(X.toarray(), y, **options)  # type: ignore[arg-type]
    names = {np.float64: "float64", np.float32: "float32"}
    assert cost._core.layout == f"{names[dtype]}, {fmt.upper()}, {np.dtype(index).name} indices"
    assert cost._core.data_address == X.data.ctypes.data  # viewed, not copied
    w = 0.3 * rng.normal(size=cost.dim)
    v = rng.normal(size=cost.dim)
    f, g, H = cost.value_gradient_hessian(w)
    f0, g0, H0 = dense.value_gradient_hessian(w)
    assert relative_error(f, f0) <= 1e-12
    assert relative_error(g, g0) <= 1e-12
    assert relative_error(H, H0) <= 1e-12
    assert relative_error(cost.value(w), f0) <= 1e-12
    assert relative_error(cost.hessian_product(w, v), dense.hessian_product(w, v)) <= 1e-12
    assert relative_error(cost.decision_function(w), dense.decision_function(w)) <= 1e-12
    if dtype == np.float64:  # and the NumPy reference on the dense matrix
        ref = reference.Cost(X.toarray(), y, **options)  # type: ignore[arg-type]
        assert relative_error(g, ref.gradient(w)) <= 1e-10


@pytest.mark.parametrize("kind", ["csr_matrix", "csr_array", "csc_matrix", "csc_array"])
def test_matrices_and_arrays_are_viewed(kind: str) -> None:
    X, y = sparse_problem("log_loss")
    Xs = getattr(sp, kind)(X)
    cost = descend.Cost(Xs, y)
    assert cost.X is Xs
    assert cost._core.data_address == Xs.data.ctypes.data


@pytest.mark.parametrize("fmt", ["coo", "lil", "dok", "bsr", "dia"])
def test_other_formats_are_converted_to_csr(fmt: str) -> None:
    X, y = sparse_problem("squared_error", n=8, d=5)
    other = X.asformat(fmt)
    cost = descend.Cost(other, y, "squared_error")
    assert cost._core.layout.startswith("float64, CSR")
    w = np.linspace(-1, 1, cost.dim)
    assert relative_error(cost.gradient(w), descend.Cost(X.toarray(), y, "squared_error").gradient(w)) <= 1e-12


def test_other_dtypes_are_converted() -> None:
    X, y = sparse_problem("log_loss", d=5)
    ints = sp.csr_matrix((np.ones(X.nnz, dtype=np.int64), X.indices, X.indptr), shape=X.shape)
    cost = descend.Cost(ints, y)
    assert cost._core.layout == "float64, CSR, int32 indices"
    small_index = X.copy()
    small_index.indices = small_index.indices.astype(np.int16)
    small_index.indptr = small_index.indptr.astype(np.int16)
    assert descend.Cost(small_index, y)._core.layout == "float64, CSR, int64 indices"


def test_duplicates_are_summed_and_unsorted_csc_is_sorted() -> None:
    # Row 0 holds column 1 twice (1 + 2); CSC with row indices out of order in a column.
    X = sp.csr_matrix((np.array([1.0, 2.0, 5.0, -1.0]), np.array([1, 1, 0, 2]), np.array([0, 3, 4])), shape=(2, 3))
    y = np.array([1.0, 0.0])
    dense = np.array([[5.0, 3.0, 0.0], [0.0, 0.0, -1.0]])
    w = np.array([0.1, 0.2, 0.3, 0.4])
    expected = descend.Cost(dense, y, "squared_error")
    assert relative_error(descend.Cost(X, y, "squared_error").hessian(w), expected.hessian(w)) <= 1e-15
    csc = sp.csc_matrix((np.array([7.0, 5.0, 3.0, -1.0]), np.array([1, 0, 0, 1]), np.array([0, 2, 3, 4])), shape=(2, 3))
    csc.has_sorted_indices = False
    dense_csc = np.array([[5.0, 3.0, 0.0], [7.0, 0.0, -1.0]])
    cost = descend.Cost(csc, y, "squared_error")
    assert relative_error(cost.gradient(w), descend.Cost(dense_csc, y, "squared_error").gradient(w)) <= 1e-15


def test_threads_agree_and_are_deterministic() -> None:
    rng = np.random.default_rng(3)
    n, d = 20_000, 300
    X = sp.random(n, d, density=0.05, format="csr", random_state=3)
    y = (rng.random(n) < 0.5).astype(float)
    w = 0.1 * rng.normal(size=d + 1)
    for fmt in ("csr", "csc"):
        Xf = X.asformat(fmt)
        one = descend.Cost(Xf, y, n_threads=1).value_and_gradient(w)
        for threads in (2, 3):
            cost = descend.Cost(Xf, y, n_threads=threads)
            first, second = cost.value_and_gradient(w), cost.value_and_gradient(w)
            assert first[0] == second[0] and np.array_equal(first[1], second[1])
            assert relative_error(first[1], one[1]) <= 1e-13


def test_wide_sparse_needs_no_dense_matrix() -> None:
    """200 000 columns: value, gradient and Hv are O(non-zeros); no d × d or n × d array is formed."""
    rng = np.random.default_rng(4)
    n, d = 5_000, 200_000
    X = text_like(n, d, 40, rng)
    y = rng.normal(size=n)
    cost = descend.Cost(X, y, "squared_error", l2=1e-3)
    w = rng.normal(size=cost.dim)
    g = cost.gradient(w)
    r = 2.0 * (X @ w[:-1] + w[-1] - y) / n
    assert relative_error(g[:-1], X.T @ r + 1e-3 * w[:-1]) <= 1e-12
    hv = cost.hessian_product(w, w)
    assert relative_error(hv[:-1], 2.0 * X.T @ (X @ w[:-1] + w[-1]) / n + 1e-3 * w[:-1]) <= 1e-12


@pytest.mark.parametrize(
    "make,words",
    [
        (lambda X: sp.csr_matrix((np.array([1.0, np.nan]), np.array([0, 1]), np.array([0, 1, 2])), shape=(2, 2)), "finite"),
        (lambda X: sp.csr_matrix((np.array([1.0, 2.0]), np.array([0, 5]), np.array([0, 1, 2])), shape=(2, 2)), "out of range"),
        (lambda X: sp.csr_matrix((np.array([1.0 + 1j, 2.0]), np.array([0, 1]), np.array([0, 1, 2])), shape=(2, 2)), "real-valued"),
        (lambda X: sp.csr_matrix((0, 3)), "at least one row"),
    ],
)
def test_bad_sparse_input_names_x(make: Any, words: str) -> None:
    with pytest.raises((ValueError, TypeError), match=words):
        X = make(None)
        descend.Cost(X, np.zeros(X.shape[0]), "squared_error")


# ---------------------------------------------------------------------------
# Estimators: sparse X in fit and predict, never densified.


@pytest.fixture
def no_densifying(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to turn sparse X into a dense array fails the test."""

    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("sparse X was densified")

    for cls in (sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array):
        monkeypatch.setattr(cls, "toarray", refuse)
        monkeypatch.setattr(cls, "todense", refuse)


def estimator_problem(kind: str, n: int = 600, d: int = 15) -> tuple[Any, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    X = sp.random(n, d, density=0.3, format="csr", random_state=7, data_rvs=rng.standard_normal)
    dense = X.tocoo().toarray()  # COO: not refused by the no_densifying fixture
    z = dense @ rng.normal(size=d) * 0.5 + 0.2
    if kind == "logistic":
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(int)
    elif kind == "poisson":
        y = rng.poisson(np.exp(0.5 * z)).astype(float)
    else:
        y = z + 0.1 * rng.normal(size=n)
    return X, dense, y


ESTIMATORS = {
    "logistic": lambda: descend.LogisticRegression(C=0.5, tol=1e-10),
    "linear": lambda: descend.LinearRegression(alpha=0.0),
    "ridge": lambda: descend.LinearRegression(alpha=2.0),
    "poisson": lambda: descend.PoissonRegressor(alpha=0.01, tol=1e-10),
}


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("weighted", [False, True])
def test_estimators_fit_sparse_as_dense(name: str, fmt: str, weighted: bool, no_densifying: None) -> None:
    kind = "logistic" if name == "logistic" else "poisson" if name == "poisson" else "linear"
    X, dense, y = estimator_problem(kind)
    weights = np.random.default_rng(8).uniform(0.2, 2.0, X.shape[0]) if weighted else None
    sparse_model = ESTIMATORS[name]().fit(X.asformat(fmt), y, sample_weight=weights)
    dense_model = ESTIMATORS[name]().fit(dense, y, sample_weight=weights)
    np.testing.assert_allclose(sparse_model.coef_, dense_model.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(sparse_model.intercept_, dense_model.intercept_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(sparse_model.predict(X.asformat(fmt)), dense_model.predict(dense), rtol=1e-7, atol=1e-9)
    if name == "logistic":
        np.testing.assert_allclose(sparse_model.predict_proba(X), dense_model.predict_proba(dense), rtol=1e-7, atol=1e-9)


def test_sparse_logistic_regression_equals_scikit_learn() -> None:
    from sklearn.linear_model import LogisticRegression as Reference

    X, _, y = estimator_problem("logistic")
    ours = descend.LogisticRegression(C=0.5, solver="newton-cg", tol=1e-12).fit(X, y)
    theirs = Reference(C=0.5, solver="newton-cholesky", tol=1e-14, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-6, atol=1e-8)


def test_linear_regression_on_200_000_sparse_columns(no_densifying: None) -> None:
    """Ridge on 200 000 columns by conjugate gradients: no d × d matrix; the first-order
    optimality condition, computed by scipy from the non-zeros, holds."""
    rng = np.random.default_rng(9)
    n, d, alpha = 4_000, 200_000, 0.5
    X = text_like(n, d, 30, rng)
    y = rng.normal(size=n)
    model = descend.LinearRegression(alpha=alpha).fit(X, y)
    assert model.result_.method == "cg" and model.result_.success
    residual = X @ model.coef_ + model.intercept_ - y
    gradient = 2.0 * (X.T @ residual) + 2.0 * alpha * model.coef_  # of Σ(y − ŷ)² + α‖w‖²
    assert np.max(np.abs(gradient)) <= 1e-7 * np.max(np.abs(2.0 * (X.T @ y)))
    assert abs(residual.sum()) <= 1e-7 * np.abs(y).sum()  # the intercept's condition


def test_singular_sparse_least_squares_is_least_norm() -> None:
    """An all-zero column and a duplicated column without a penalty: the least-norm solution,
    as numpy.linalg.lstsq gives it on [X, 1]."""
    rng = np.random.default_rng(10)
    X, dense, y = estimator_problem("linear", n=200, d=6)
    dense = np.column_stack([dense, np.zeros(200), dense[:, 0]])
    model = descend.LinearRegression().fit(sp.csr_matrix(dense), y)
    augmented = np.column_stack([dense, np.ones(200)])
    expected = np.linalg.lstsq(augmented, y, rcond=None)[0]
    # Least norm in the (power-of-two) scaled coordinates: the same residual, the zero column zero,
    # the duplicates sharing their coefficient.
    assert np.isclose(np.sum((augmented[:, :-1] @ model.coef_ + model.intercept_ - y) ** 2),
                      np.sum((augmented @ expected - y) ** 2), rtol=1e-10)  # fmt: skip
    assert model.coef_[6] == pytest.approx(0.0, abs=1e-12)
    assert model.coef_[0] + model.coef_[7] == pytest.approx(expected[0] + expected[7], rel=1e-8)
    del rng


# ---------------------------------------------------------------------------
# descend.dask with scipy.sparse chunks.


def test_dask_cost_and_estimator_on_sparse_chunks() -> None:
    da = pytest.importorskip("dask.array")
    import dask

    import descend.dask

    X, dense, y = estimator_problem("logistic", n=3000, d=20)
    chunked = da.from_array(X, chunks=(700, 20), asarray=False)
    with dask.config.set(scheduler="sync"):
        cost = descend.dask.Cost(chunked, y.astype(float), l2=0.1)
        memory = descend.Cost(X, y.astype(float), l2=0.1)
        w = np.random.default_rng(11).normal(size=cost.dim) * 0.3
        assert relative_error(cost.value(w), memory.value(w)) <= 1e-13
        assert relative_error(cost.gradient(w), memory.gradient(w)) <= 1e-13
        assert relative_error(cost.hessian(w), memory.hessian(w)) <= 1e-13
        assert relative_error(cost.decision_function(w).compute(), memory.decision_function(w)) <= 1e-13
        model = descend.LogisticRegression(C=1.0).fit(chunked, da.from_array(y, chunks=700))
        in_memory = descend.LogisticRegression(C=1.0).fit(X, y)
        np.testing.assert_allclose(model.coef_, in_memory.coef_, rtol=1e-8, atol=1e-10)
        np.testing.assert_array_equal(model.predict(chunked).compute(), in_memory.predict(X))


@pytest.mark.parametrize("sparse", [False, True])
def test_kept_curvature_gives_the_same_products(sparse: bool) -> None:
    """hessian_product keeps s∘L″ at its last w: repeated products at that w are the same bits,
    and a product at another w is not served from it."""
    X, y = sparse_problem("log_loss")
    cost = descend.Cost(X if sparse else X.toarray(), y, sample_weight=np.linspace(0.5, 2.0, X.shape[0]))
    rng = np.random.default_rng(12)
    w, w2, v = (rng.normal(size=cost.dim) for _ in range(3))
    first = cost.hessian_product(w, v)
    assert np.array_equal(cost.hessian_product(w, v), first)
    assert relative_error(cost.hessian_product(w, 2.0 * v), 2.0 * first) <= 1e-15
    assert relative_error(cost.hessian_product(w2, v), cost.hessian(w2) @ v) <= 1e-12
    assert np.array_equal(cost.hessian_product(w, v), first)


@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
def test_hessian_diagonal_is_the_hessians(fmt: str) -> None:
    X, y = sparse_problem("poisson")
    data = X.toarray() if fmt == "dense" else X.asformat(fmt)
    cost = descend.Cost(data, y, "poisson", l2=0.2, sample_weight=np.linspace(0.1, 2.0, X.shape[0]))
    w = 0.2 * np.random.default_rng(13).normal(size=cost.dim)
    assert relative_error(cost.hessian_diagonal(w), np.diag(cost.hessian(w))) <= 1e-13


def test_preconditioned_newton_cg_needs_fewer_products_for_the_same_minimum() -> None:
    """Columns whose scales span 10³ (as word counts do): CG preconditioned by diag H reaches the
    same minimum with fewer Hessian-vector products."""
    rng = np.random.default_rng(14)
    X = text_like(5_000, 2_000, 20, rng)
    X = sp.csr_matrix(X @ sp.diags(np.logspace(-1.5, 1.5, 2_000)))
    y = (rng.random(5_000) < 0.4).astype(float)
    cost = descend.Cost(X, y, l2=1e-3)
    plain = descend.newton_cg(cost, tol=1e-10, precondition=False)
    preconditioned = descend.newton_cg(cost, tol=1e-10)
    assert plain.success and preconditioned.success
    np.testing.assert_allclose(preconditioned.x, plain.x, rtol=1e-6, atol=1e-8)
    assert preconditioned.nhev < 0.5 * plain.nhev
    with pytest.raises(TypeError, match="precondition"):
        descend.newton_cg(cost, precondition=1)  # type: ignore[arg-type]
