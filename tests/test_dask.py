"""descend.dask.Cost on a two-process LocalCluster against descend.Cost in memory on the
same numbers: every method, the solvers' optima, validation, the size and shape of the
graph of one evaluation, and a worker lost in the middle of a fit."""

from __future__ import annotations

import inspect
import itertools
import os
import pickle
import signal
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import dask  # noqa: E402
from dask.task_spec import Task  # noqa: E402

import descend  # noqa: E402
import descend.dask  # noqa: E402
from descend import solvers  # noqa: E402

# Distributed's own noise, here and not in the project's configuration: sockets of killed or
# closed workers collected late, and a slow disk at start-up.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore:Creating scratch directories is taking:UserWarning"),
]

LOSSES = ("log_loss", "squared_error")
# loss x (fit_intercept, l2, reduction, weighted): every option in both states, with both losses.
OPTIONS = [
    (loss, *rest)
    for loss, rest in itertools.product(
        LOSSES, [(True, 0.0, "mean", False), (True, 0.7, "sum", True), (False, 0.3, "mean", True)]
    )
]
RTOL = 1e-10


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def make_data(
    loss: str, n: int = 3000, d: int = 5, chunk: int | tuple[int, ...] = 700, seed: int = 0
) -> tuple[Any, Any, Any]:
    """X, y and weights drawn on the workers (each block by its own task from a seed):
    nothing of the data is in the client's graph."""
    rng = da.random.default_rng(seed)
    X = rng.standard_normal((n, d), chunks=(chunk, d)) + 0.5
    if loss == "log_loss":
        y = (rng.random(n, chunks=(chunk,)) < 0.4).astype(np.float64)
    else:
        y = X @ da.from_array(np.linspace(-1.0, 1.0, d)) + rng.standard_normal(n, chunks=(chunk,))
    weights = rng.uniform(0.0, 3.0, n, chunks=(chunk,))
    return X, y, weights


def in_memory(X: Any, y: Any, weights: Any, **options: Any) -> descend.Cost:
    X_, y_, w_ = dask.compute(X, y, weights)
    return descend.Cost(X_, y_, sample_weight=w_ if weights is not None else None, **options)


def assert_close(actual: Any, expected: Any, rtol: float = RTOL) -> None:
    """Equal within rtol relative to the largest entry (entries near zero are not singled out)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    scale = max(float(np.max(np.abs(expected))), 1e-300)
    assert float(np.max(np.abs(actual - expected))) <= rtol * scale, (actual, expected)


# ---------------------------------------------------------------------------
# The same numbers as in memory


@pytest.mark.parametrize(("loss", "fit_intercept", "l2", "reduction", "weighted"), OPTIONS)
def test_every_method_equals_in_memory(
    client: Any, loss: str, fit_intercept: bool, l2: float, reduction: str, weighted: bool
) -> None:
    X, y, weights = make_data(loss)
    weights = weights if weighted else None
    options = dict(loss=loss, fit_intercept=fit_intercept, l2=l2, reduction=reduction)
    cost = descend.dask.Cost(X, y, sample_weight=weights, **options)
    reference = in_memory(X, y, weights, **options)
    assert cost.dim == reference.dim
    assert cost.normaliser == pytest.approx(reference._core.normaliser, rel=1e-12)
    rng = np.random.default_rng(1)
    for w in (np.zeros(cost.dim), rng.normal(size=cost.dim)):
        v = rng.normal(size=cost.dim)
        assert cost.value(w) == pytest.approx(reference.value(w), rel=RTOL)
        assert_close(cost.gradient(w), reference.gradient(w))
        f, g = cost.value_and_gradient(w)
        assert f == pytest.approx(reference.value(w), rel=RTOL)
        assert_close(g, reference.gradient(w))
        assert_close(cost.hessian(w), reference.hessian(w))
        assert_close(cost.hessian_product(w, v), reference.hessian_product(w, v))
        f, g, H = cost.value_gradient_hessian(w)
        f0, g0, H0 = reference.value_gradient_hessian(w)
        assert f == pytest.approx(f0, rel=RTOL)
        assert_close(g, g0)
        assert_close(H, H0)
        assert_close(cost.decision_function(w).compute(), reference.decision_function(w))


def test_tiny_weights_do_not_underflow(client: Any) -> None:
    """Weights near the smallest normal double: each block normalises its own weights,
    so s·L′·x does not underflow (as in memory, where the weights are stored as s/S)."""
    X, y, weights = make_data("log_loss", n=1200, d=4, chunk=300)
    X = X * 1e-15  # s·L′·x ~ 1e-320: a subnormal with four digits left, unless s is normalised first
    tiny = weights * 1e-305
    cost = descend.dask.Cost(X, y, sample_weight=tiny)
    reference = descend.reference.Cost(*dask.compute(X, y), sample_weight=tiny.compute())
    w = np.random.default_rng(3).normal(size=cost.dim) * 1e-3
    assert cost.value(w) == pytest.approx(reference.value(w), rel=1e-12)
    # Entry by entry: the feature entries are 1e-15 times the intercept's.
    np.testing.assert_allclose(cost.gradient(w), reference.gradient(w), rtol=1e-10)
    np.testing.assert_allclose(cost.hessian(w), reference.hessian(w), rtol=1e-10)


def test_layouts_and_inputs(client: Any) -> None:
    """Uneven row blocks, columns split over chunks (rechunked), float32, integer labels,
    y in memory, a block whose weights are all zero."""
    X, y, weights = make_data("log_loss", n=2000, d=6, chunk=(900, 100, 600, 400))
    X = X.rechunk({1: 3})
    weights = da.concatenate([weights[:900], da.zeros(100), weights[1000:]]).rechunk(((900, 100, 600, 400),))
    cost = descend.dask.Cost(X, y.astype(np.int64), sample_weight=weights, l2=0.1)
    assert cost.n_blocks == 4 and cost.n_features == 6
    reference = in_memory(X, y, weights, l2=0.1)
    w = np.random.default_rng(2).normal(size=cost.dim)
    assert_close(cost.gradient(w), reference.gradient(w))
    assert_close(cost.hessian(w), reference.hessian(w))

    y_memory = descend.dask.Cost(X, y.compute(), l2=0.1)
    assert_close(y_memory.gradient(w), in_memory(X, y, None, l2=0.1).gradient(w))

    X32 = X.astype(np.float32)
    single = descend.dask.Cost(X32, y, loss="log_loss")
    reference32 = descend.Cost(X32.compute(), y.compute())
    assert_close(single.value_gradient_hessian(w)[2], reference32.hessian(w), rtol=1e-6)


def test_dask_dataframe(client: Any) -> None:
    dd = pytest.importorskip("dask.dataframe")
    X, y, _ = make_data("squared_error", n=1000, d=3, chunk=250)
    frame = dd.from_dask_array(X, columns=["a", "b", "c"])
    series = dd.from_dask_array(y)
    cost = descend.dask.Cost(frame, series, loss="squared_error")
    reference = in_memory(X, y, None, loss="squared_error")
    w = np.ones(cost.dim)
    assert_close(cost.gradient(w), reference.gradient(w))


def test_any_scheduler(client: Any) -> None:
    """Without the cluster (the threaded scheduler in this process), the same numbers."""
    X, y, _ = make_data("log_loss", n=800, chunk=200)
    with dask.config.set(scheduler="threads"):
        cost = descend.dask.Cost(X, y, l2=0.2)
        w = np.full(cost.dim, 0.3)
        g = cost.gradient(w)
    assert_close(g, in_memory(X, y, None, l2=0.2).gradient(w))


# ---------------------------------------------------------------------------
# Validation, computed on the workers


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("nan_X", r"X must contain only finite values .* rows 1400 to 2099"),
        ("inf_y", r"y must contain only finite values"),
        ("label_y", r"y must lie in \[0, 1\] for log_loss"),
        ("negative_weight", r"sample_weight must be >= 0"),
        ("zero_weights", r"sample_weight must have a positive sum"),
        ("short_y", r"y must have length 3000"),
        ("short_weights", r"sample_weight must have length 3000"),
        ("y_2d", r"y must be 1-D"),
        ("X_1d", r"X must be a 2-D array"),
    ],
)
def test_validation_names_the_argument(client: Any, case: str, message: str) -> None:
    X, y, weights = make_data("log_loss")
    kwargs: dict[str, Any] = {}
    if case == "nan_X":
        X = da.where(da.arange(3000)[:, None] == 1500, np.nan, X)
    elif case == "inf_y":
        y = da.where(da.arange(3000) == 10, np.inf, y)
    elif case == "label_y":
        y = y * 2.0
    elif case == "negative_weight":
        kwargs["sample_weight"] = weights - 1.0
    elif case == "zero_weights":
        kwargs["sample_weight"] = weights * 0.0
    elif case == "short_y":
        y = y[:-1]
    elif case == "short_weights":
        kwargs["sample_weight"] = weights[:-1]
    elif case == "y_2d":
        y = da.stack([y, y], axis=1)
    elif case == "X_1d":
        X = X[:, 0]
    with pytest.raises(ValueError, match=message):
        descend.dask.Cost(X, y, **kwargs)


def test_bad_types_and_options(client: Any) -> None:
    X, y, _ = make_data("log_loss", n=100, chunk=50)
    with pytest.raises(TypeError, match="X must be a dask array or a dask DataFrame"):
        descend.dask.Cost(X.compute(), y)
    with pytest.raises(ValueError, match="loss must be one of"):
        descend.dask.Cost(X, y, loss="hinge")
    with pytest.raises(ValueError, match="l2 must be >= 0"):
        descend.dask.Cost(X, y, l2=-1.0)
    with pytest.raises(ValueError, match="split_every must be an integer >= 2"):
        descend.dask.Cost(X, y, split_every=1)
    cost = descend.dask.Cost(X, y)
    with pytest.raises(ValueError, match=r"w must have length 6 \(dim\)"):
        cost.value(np.zeros(5))
    with pytest.raises(ValueError, match=r"v must have length 6"):
        cost.hessian_product(np.zeros(6), np.zeros(2))
    assert "n_blocks=2" in repr(cost)


# ---------------------------------------------------------------------------
# The graph of one evaluation: w out, one task per block, a tree of additions


def test_one_task_per_block_and_no_data_in_the_graph(client: Any) -> None:
    n, d, chunk = 40_000, 25, 2_000  # X is 8 MB over 20 blocks
    X, y, _ = make_data("log_loss", n=n, d=d, chunk=chunk)
    cost = descend.dask.Cost(X, y, split_every=4)
    w = np.zeros(cost.dim)
    graph, key = cost._graph("value_gradient_hessian", w)
    evaluations = [k for k, task in graph.items() if isinstance(task, Task) and task.func is descend.dask._evaluate]
    additions = [k for k, task in graph.items() if isinstance(task, Task) and task.func is descend.dask._add]
    assert len(evaluations) == 20 and len(additions) == 5 + 2 + 1 and len(graph) == 28
    size = len(pickle.dumps(graph))
    assert size < 20 * (cost.dim * 8 + 600), size  # w once per block task, no data

    with distributed.get_task_stream(client) as stream:
        cost.value_gradient_hessian(w)
    names = [record["key"][0] if isinstance(record["key"], tuple) else record["key"] for record in stream.data]
    assert len(names) == 28  # nothing else ran: the blocks stayed in memory
    assert all(name.startswith("descend-value-gradient-hessian-") for name in names)


# ---------------------------------------------------------------------------
# The solvers, unchanged, on the distributed cost


@pytest.mark.slow
@pytest.mark.parametrize("loss", LOSSES)
def test_solvers_reach_the_in_memory_optimum(client: Any, loss: str) -> None:
    X, y, weights = make_data(loss, n=4000, d=6, chunk=1000)
    options = dict(loss=loss, l2=1e-3)
    cost = descend.dask.Cost(X, y, sample_weight=weights, **options)
    reference = in_memory(X, y, weights, **options)
    for solve, tol in ((solvers.newton, 1e-10), (solvers.lbfgs, 1e-10)):
        expected = solve(reference, tol=tol)
        result = solve(cost, tol=tol)
        assert result.success and expected.success
        assert_close(result.x, expected.x, rtol=1e-8)
        assert result.fun == pytest.approx(expected.fun, rel=1e-12)


@pytest.mark.slow
def test_fit_linear_model_matches_in_memory(client: Any) -> None:
    """The estimators' path: any two labels, λ from the weight total as scikit-learn's C defines it."""
    X, y, weights = make_data("log_loss", n=3000, d=4, chunk=1000)
    labels = da.where(y > 0, 3.0, -3.0)
    C = 10.0
    fitted = descend.dask.fit_linear_model(
        X, labels, loss="log_loss", l2=lambda S: 1.0 / (C * S), sample_weight=weights, tol=1e-10
    )
    np.testing.assert_array_equal(fitted.classes, [-3.0, 3.0])
    assert fitted.n_features_in == 4 and fitted.feature_names_in is None
    total = float(weights.sum().compute())
    expected = solvers.newton(in_memory(X, y, weights, l2=1.0 / (C * total)), tol=1e-10)
    assert_close(fitted.result.x, expected.x, rtol=1e-8)
    z = descend.dask.decision_function(X, fitted.result.x[:4], fitted.result.x[4])
    assert isinstance(z, da.Array)
    assert_close(z.compute(), X.compute() @ expected.x[:4] + expected.x[4], rtol=1e-8)
    predicted = descend.dask.predict_labels(X, fitted.result.x[:4], fitted.result.x[4], fitted.classes)
    np.testing.assert_array_equal(predicted.compute(), np.where(z.compute() > 0, 3.0, -3.0))

    with pytest.raises(ValueError, match="y must hold two classes for log_loss, got 3"):
        descend.dask.fit_linear_model(X, y + (X[:, 1] > 1.0), loss="log_loss")


@pytest.mark.slow
def test_a_worker_killed_mid_fit_gives_the_right_answer_or_an_error(client: Any) -> None:
    """On iteration 2 one worker process is killed (SIGKILL; its nanny starts a new one):
    the blocks it held are recomputed from their lineage and the fit ends at the optimum."""
    X, y, _ = make_data("log_loss", n=4000, d=5, chunk=500)
    cost = descend.dask.Cost(X, y, l2=1e-2)
    expected = solvers.newton(in_memory(X, y, None, l2=1e-2), tol=1e-10)

    killed: list[int] = []

    def kill_one_worker(info: Any) -> None:
        if info.iteration == 2 and not killed:
            pids = client.run(os.getpid)
            pid = next(iter(pids.values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    try:
        with distributed.get_task_stream(client) as stream:
            result = solvers.newton(cost, tol=1e-10, callback=kill_one_worker)
    except distributed.KilledWorker as error:  # a clear error is acceptable; a wrong answer is not
        pytest.xfail(f"the fit stopped with a clear error: {error}")
    assert killed
    recomputed = [r["key"] for r in stream.data if isinstance(r["key"], str) and r["key"].startswith("descend-block-")]
    assert recomputed, "no block was lost and recomputed: the kill came too late to test anything"
    assert result.success
    assert_close(result.x, expected.x, rtol=1e-8)
    client.wait_for_workers(2, timeout=60)


@pytest.mark.slow
def test_estimators_fit_dask_data_where_it_lives(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """LogisticRegression and LinearRegression on dask arrays and DataFrames: the same
    coefficients as in memory, and X never brought into the client's memory."""
    estimators = pytest.importorskip("descend.estimators")
    if "fit_linear_model" not in inspect.getsource(estimators):
        pytest.skip("the estimators' dask hook (descend.dask.fit_linear_model) is not in yet")
    X, y, weights = make_data("log_loss", n=3000, d=4, chunk=1000)
    labels = da.where(y > 0, "yes", "no")
    targets = X @ da.from_array(np.array([1.0, -2.0, 0.5, 3.0])) + 0.1 * X[:, 0] ** 2
    X_memory, labels_memory, targets_memory, weights_memory = dask.compute(X, labels, targets, weights)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a dask array was brought into the client's memory")

    models = [
        (estimators.LogisticRegression(C=0.5, tol=1e-10), labels, labels_memory),
        (estimators.LogisticRegression(C=0.5, solver="lbfgs", tol=1e-10, max_iter=1000), labels, labels_memory),
        (estimators.LinearRegression(alpha=0.3), targets, targets_memory),
    ]
    for model, target, target_memory in models:
        expected = type(model)(**model.get_params()).fit(X_memory, target_memory, sample_weight=weights_memory)
        with monkeypatch.context() as patch:
            patch.setattr(da.Array, "__array__", refuse)
            fitted = model.fit(X, target, sample_weight=weights)
            predictions = fitted.predict(X)
        assert isinstance(predictions, da.Array)
        assert_close(fitted.coef_, expected.coef_, rtol=1e-8)
        assert_close(fitted.intercept_, expected.intercept_, rtol=1e-8)
        if hasattr(expected, "classes_"):
            np.testing.assert_array_equal(fitted.classes_, expected.classes_)
            np.testing.assert_array_equal(predictions.compute(), expected.predict(X_memory))
        else:
            assert_close(predictions.compute(), expected.predict(X_memory), rtol=1e-8)

    dd = pytest.importorskip("dask.dataframe")
    frame = dd.from_dask_array(X, columns=["a", "b", "c", "d"])
    model = estimators.LogisticRegression(C=0.5, tol=1e-10).fit(frame, dd.from_dask_array(y))
    expected = estimators.LogisticRegression(C=0.5, tol=1e-10).fit(X_memory, y.compute())
    assert_close(model.coef_, expected.coef_, rtol=1e-8)
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b", "c", "d"])


def test_multinomial_cost_and_estimator_equal_in_memory(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The softmax cost over dask blocks (a block may lack a class: n_classes is the whole data's) and
    LogisticRegression with three string labels on dask data: the numbers of the in-memory ones."""
    X, _, weights = make_data("log_loss", n=3000, d=4, chunk=700)
    scores = X @ da.from_array(np.array([[1.0, -1.0, 0.0], [0.5, 0.0, -0.5], [0.0, 1.0, 1.0], [-1.0, 0.2, 0.3]]))
    y = da.argmax(scores + da.random.default_rng(3).gumbel(size=(3000, 3), chunks=(700, 3)), axis=1).astype(float)
    for options in ({"l2": 0.1}, {"fit_intercept": False, "reduction": "sum"}):
        cost = descend.dask.Cost(X, y, "multinomial", sample_weight=weights, **options)
        memory = in_memory(X, y, weights, loss="multinomial", **options)
        assert cost.n_classes == memory.n_classes == 3 and cost.dim == memory.dim
        rng = np.random.default_rng(4)
        w, v = 0.3 * rng.normal(size=cost.dim), rng.normal(size=cost.dim)
        f, g, H = cost.value_gradient_hessian(w)
        f0, g0, H0 = memory.value_gradient_hessian(w)
        assert f == pytest.approx(f0, rel=RTOL)
        assert_close(g, g0)
        assert_close(H, H0)
        assert_close(cost.hessian_product(w, v), memory.hessian_product(w, v))
        assert_close(cost.decision_function(w).compute(), memory.decision_function(w))

    estimators = pytest.importorskip("descend.estimators")
    labels = da.choose(y.astype(int), np.array(["ant", "bee", "cat"]))
    X_memory, labels_memory, weights_memory = dask.compute(X, labels, weights)
    expected = estimators.LogisticRegression(C=0.5, tol=1e-10).fit(X_memory, labels_memory, sample_weight=weights_memory)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a dask array was brought into the client's memory")

    with monkeypatch.context() as patch:
        patch.setattr(da.Array, "__array__", refuse)
        model = estimators.LogisticRegression(C=0.5, tol=1e-10).fit(X, labels, sample_weight=weights)
        predictions = model.predict(X)
        logits = model.decision_function(X)
    assert model.coef_.shape == (3, 4)
    assert_close(model.coef_, expected.coef_, rtol=1e-8)
    assert_close(model.intercept_, expected.intercept_, rtol=1e-8)
    np.testing.assert_array_equal(model.classes_, ["ant", "bee", "cat"])
    np.testing.assert_array_equal(predictions.compute(), expected.predict(X_memory))
    assert_close(logits.compute(), expected.decision_function(X_memory), rtol=1e-8)
