"""descend.estimators against scikit-learn: its estimator contract (check_estimator),
its numbers on real datasets that ship with it, and its model-selection tools."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import linear_model
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from descend.estimators import LinearRegression, LogisticRegression, PerfectSeparationWarning, PoissonRegressor


# parametrize_with_checks hands pytest a generator in scikit-learn < 1.8, which pytest 9
# deprecates (an error under filterwarnings=error): the same checks, as a list.
_CHECKS = parametrize_with_checks([LogisticRegression(), LinearRegression(), PoissonRegressor()])
_CHECKS_MARK = pytest.mark.parametrize(_CHECKS.args[0], list(_CHECKS.args[1]), **_CHECKS.kwargs)


@_CHECKS_MARK
def test_sklearn_contract(estimator, check):  # type: ignore[no-untyped-def]
    check(estimator)


@pytest.fixture(scope="module")
def cancer() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y = load_breast_cancer(return_X_y=True)
    weights = np.random.default_rng(0).uniform(0.1, 3.0, y.shape[0])
    return StandardScaler().fit_transform(X), y, weights


@pytest.fixture(scope="module")
def diabetes() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y = load_diabetes(return_X_y=True)
    weights = np.random.default_rng(1).uniform(0.1, 3.0, y.shape[0])
    return StandardScaler().fit_transform(X), y, weights


def sklearn_logistic(C: float, **options: object) -> linear_model.LogisticRegression:
    return linear_model.LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000, **options)


@pytest.mark.parametrize("C", [0.01, 1.0, 100.0, np.inf])
@pytest.mark.parametrize("weighted", [False, True])
def test_logistic_matches_sklearn(cancer, C, weighted):  # type: ignore[no-untyped-def]
    X, y, weights = cancer
    if np.isinf(C):  # no penalty: a subset of features keeps the optimum finite
        X = X[:, :8]
    sample_weight = weights if weighted else None
    ours = LogisticRegression(C=C, tol=1e-10).fit(X, y, sample_weight=sample_weight)
    theirs = sklearn_logistic(C).fit(X, y, sample_weight=sample_weight)
    assert ours.result_.status == "converged"
    assert ours.coef_.shape == (1, X.shape[1]) and ours.intercept_.shape == (1,)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=0, atol=1e-6)
    z = theirs.decision_function(X)  # sklearn takes log of a rounded p (-inf where p rounds to 0)
    exact = -np.logaddexp(0.0, np.column_stack([z, -z]))
    np.testing.assert_allclose(ours.predict_log_proba(X), exact, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("solver", ["lbfgs", "gd"])
def test_other_solvers_reach_the_same_optimum(cancer, solver):  # type: ignore[no-untyped-def]
    X, y, _ = cancer
    ours = LogisticRegression(C=0.5, solver=solver, tol=1e-8, max_iter=20000).fit(X, y)
    theirs = sklearn_logistic(0.5).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=0, atol=1e-5)


def test_logistic_without_intercept_matches_sklearn(cancer):  # type: ignore[no-untyped-def]
    X, y, _ = cancer
    ours = LogisticRegression(C=0.3, fit_intercept=False, tol=1e-10).fit(X, y)
    theirs = sklearn_logistic(0.3, fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=1e-6)
    assert ours.intercept_.tolist() == [0.0]


def test_log_proba_is_exact_in_the_tails():
    X = np.array([[-1.0], [1.0]])
    model = LogisticRegression().fit(X, [0, 1])
    model.coef_ = np.array([[800.0]])
    model.intercept_ = np.array([0.0])
    # log σ(800) = −log(1 + e^−800) ≈ −e^−800 (0.0 in float64), log σ(−800) = −800 − log(1 + e^−800)
    np.testing.assert_array_equal(model.predict_log_proba(X), [[0.0, -800.0], [-800.0, 0.0]])
    np.testing.assert_array_equal(model.predict_proba(X), [[1.0, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize("alpha", [0.0, 0.5, 30.0])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_linear_matches_sklearn(diabetes, alpha, weighted, fit_intercept):  # type: ignore[no-untyped-def]
    X, y, weights = diabetes
    sample_weight = weights if weighted else None
    ours = LinearRegression(alpha=alpha, fit_intercept=fit_intercept).fit(X, y, sample_weight=sample_weight)
    if alpha == 0.0:
        theirs = linear_model.LinearRegression(fit_intercept=fit_intercept)
    else:
        theirs = linear_model.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="cholesky")
    theirs.fit(X, y, sample_weight=sample_weight)
    assert 1 <= ours.n_iter_ <= 5 and ours.result_.method == "newton"  # one Newton step, then refinement
    assert ours.coef_.shape == (X.shape[1],) and isinstance(ours.intercept_, float)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-9)


def test_rank_deficient_least_squares_is_the_minimum_norm_solution(diabetes):  # type: ignore[no-untyped-def]
    X, y, _ = diabetes
    # a duplicated column, a constant column, a multiple of a column
    X = np.column_stack([X[:, :4], X[:, 0], np.full(X.shape[0], 3.0), -2.0 * X[:, 1]])
    ours = LinearRegression().fit(X, y)
    theirs = linear_model.LinearRegression().fit(X, y)  # least squares by SVD: minimum norm
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-9)
    wide_X, wide_y = X[:5], y[:5]  # fewer samples than features
    ours = LinearRegression().fit(wide_X, wide_y)
    theirs = linear_model.LinearRegression().fit(wide_X, wide_y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=1e-6)


def test_pipeline_cross_val_score_and_grid_search_agree_with_sklearn():
    X, y = load_breast_cancer(return_X_y=True)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    ours = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, tol=1e-8))
    theirs = make_pipeline(StandardScaler(), sklearn_logistic(0.1))
    np.testing.assert_allclose(
        cross_val_score(ours, X, y, cv=folds, scoring="neg_log_loss"),
        cross_val_score(theirs, X, y, cv=folds, scoring="neg_log_loss"),
        rtol=1e-6,
    )
    grid = {"logisticregression__C": [0.001, 0.01, 0.1, 1.0, 10.0]}
    search = GridSearchCV(ours, grid, cv=folds, scoring="neg_log_loss").fit(X, y)
    reference = GridSearchCV(theirs, grid, cv=folds, scoring="neg_log_loss").fit(X, y)
    assert search.best_params_ == reference.best_params_
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"], rtol=1e-6)


def test_linear_regression_in_cross_val_score(diabetes):  # type: ignore[no-untyped-def]
    X, y, _ = diabetes
    folds = KFold(4, shuffle=True, random_state=0)
    np.testing.assert_allclose(
        cross_val_score(LinearRegression(alpha=2.0), X, y, cv=folds),
        cross_val_score(linear_model.Ridge(alpha=2.0), X, y, cv=folds),
        rtol=1e-9,
    )


def test_string_labels(cancer):  # type: ignore[no-untyped-def]
    X, y, _ = cancer
    labels = np.array(["malignant", "benign"])[y]
    ours = LogisticRegression(tol=1e-10).fit(X, labels)
    theirs = sklearn_logistic(1.0).fit(X, labels)
    assert ours.classes_.tolist() == ["benign", "malignant"] == theirs.classes_.tolist()
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-6)
    assert ours.score(X, labels) == pytest.approx(theirs.score(X, labels))


def test_warm_start_continues_from_the_previous_fit(cancer):  # type: ignore[no-untyped-def]
    X, y, _ = cancer
    model = LogisticRegression(tol=1e-10, max_iter=3, warm_start=True)
    with pytest.warns(ConvergenceWarning, match="raise max_iter"):
        model.fit(X, y)
    cold = clone(model).set_params(max_iter=100).fit(X, y)
    warm = model.set_params(max_iter=100).fit(X, y)
    assert warm.n_iter_[0] < cold.n_iter_[0]
    np.testing.assert_allclose(warm.coef_, sklearn_logistic(1.0).fit(X, y).coef_, atol=1e-6)


def test_convergence_warning_says_what_to_try(cancer):  # type: ignore[no-untyped-def]
    X, y, _ = cancer
    with pytest.warns(ConvergenceWarning, match=r"did not converge.*raise max_iter.*scale the features"):
        model = LogisticRegression(solver="gd", learning_rate=1e-3, max_iter=10).fit(X, y)
    assert model.result_.status == "max_iterations" and model.n_iter_.tolist() == [10]


def test_perfect_separation_warns_and_stays_finite():
    X = np.arange(8.0).reshape(-1, 1)
    y = (X[:, 0] > 3.5).astype(int)
    with pytest.warns(PerfectSeparationWarning, match="perfectly separated"):
        model = LogisticRegression(C=np.inf).fit(X, y)
    assert np.isfinite(model.coef_).all() and model.coef_[0, 0] > 0
    np.testing.assert_array_equal(model.predict(X), y)
    assert issubclass(PerfectSeparationWarning, UserWarning)


def test_quasi_separation_warns_too():
    X = np.array([0.0, 1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0]).reshape(-1, 1)  # both classes only at x = 3
    with pytest.warns(PerfectSeparationWarning, match="no minimum"):
        model = LogisticRegression(C=np.inf).fit(X, [0, 0, 0, 0, 1, 1, 1, 1])
    assert np.isfinite(model.coef_).all()


def test_penalised_separable_data_does_not_warn():
    X = np.arange(8.0).reshape(-1, 1)
    y = (X[:, 0] > 3.5).astype(int)
    model = LogisticRegression(C=1.0, tol=1e-10).fit(X, y)  # warnings are errors here
    theirs = sklearn_logistic(1.0).fit(X, y)
    np.testing.assert_allclose(model.coef_, theirs.coef_, atol=1e-6)


def test_a_continuous_target_or_one_class_is_a_clear_error():
    X = np.arange(12.0).reshape(-1, 2)
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        LogisticRegression().fit(X, [0.5, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="two classes, got only one class: 'a'"):
        LogisticRegression().fit(X, ["a"] * 6)
    with pytest.raises(ValueError, match="two classes with positive sample_weight, got only class 'b'"):
        LogisticRegression().fit(X, ["a", "b"] * 3, sample_weight=[0.0, 1.0] * 3)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"C": 0.0}, ValueError, "C must be > 0"),
        ({"C": "big"}, TypeError, "C must be a positive number"),
        ({"solver": "sag"}, ValueError, "solver must be one of"),
        ({"tol": -1.0}, ValueError, "tol must be >= 0"),
        ({"max_iter": 2.5}, TypeError, "max_iter must be an integer"),
        ({"solver": "gd", "learning_rate": 0.0}, ValueError, "learning_rate must be > 0"),
        ({"solver": "gd", "learning_rate": "fast"}, ValueError, "learning_rate must be one of 'auto'"),
        ({"n_threads": 0}, ValueError, "n_threads must be >= 1"),
    ],
)
def test_bad_parameters_are_named(params, error, match):  # type: ignore[no-untyped-def]
    X = np.arange(8.0).reshape(-1, 2)
    with pytest.raises(error, match=match):
        LogisticRegression(**params).fit(X, [0, 1, 0, 1])


def test_result_keeps_the_history(cancer):  # type: ignore[no-untyped-def]
    X, y, _ = cancer
    model = LogisticRegression(tol=1e-10).fit(X, y)
    history = model.result_.history
    assert len(history.cost) == model.n_iter_[0] + 1
    assert np.all(np.diff(history.cost) <= 0)
    assert history.cost[0] == pytest.approx(np.log(2))  # w = 0: every p = 1/2


def test_feature_names_are_kept():
    pandas = pytest.importorskip("pandas")
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :3]
    model = LogisticRegression().fit(X, y)
    assert model.feature_names_in_.tolist() == list(X.columns)
    assert model.n_features_in_ == 3
    with pytest.raises(ValueError, match="feature names"):
        model.predict(pandas.DataFrame(X.to_numpy(), columns=["a", "b", "c"]))


def test_descend_imports_without_sklearn():
    script = textwrap.dedent(
        """
        import sys
        sys.modules["sklearn"] = None  # as if not installed
        import descend, descend.cli
        try:
            import descend.estimators
        except ImportError as error:
            print("ImportError", error)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("ImportError") and 'pip install "descend[sklearn]"' in out.stdout


@pytest.fixture(scope="module")
def doctor_visits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The RAND Health Insurance Experiment's doctor visits (statsmodels' randhie: 20 190 rows, 9
    features, counts 0–77), and weights for the weighted fits."""
    sm = pytest.importorskip("statsmodels.api")
    data = sm.datasets.randhie.load_pandas()
    weights = np.random.default_rng(0).uniform(0.5, 2.0, size=len(data.endog))
    return data.exog.to_numpy(), data.endog.to_numpy(dtype=np.float64), weights


@pytest.mark.parametrize("alpha", [1e-4, 0.1, 1.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_poisson_equals_sklearn_and_glum(doctor_visits, alpha, weighted):  # type: ignore[no-untyped-def]
    X, y, weights = doctor_visits
    sample_weight = weights if weighted else None
    ours = PoissonRegressor(alpha=alpha, tol=1e-10).fit(X, y, sample_weight=sample_weight)
    assert ours.result_.success and ours.n_iter_ < 20
    # scikit-learn's newton-cholesky (its lbfgs stops about 2e-6 short even at tol 1e-12).
    theirs = linear_model.PoissonRegressor(alpha=alpha, solver="newton-cholesky", tol=1e-12, max_iter=200)
    theirs.fit(X, y, sample_weight=sample_weight)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-6, atol=1e-8)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-6)
    np.testing.assert_allclose(ours.predict(X[:50]), theirs.predict(X[:50]), rtol=1e-6)
    assert ours.score(X, y, sample_weight) == pytest.approx(theirs.score(X, y, sample_weight), rel=1e-9)
    # glum's GeneralizedLinearRegressor with alpha=α, l1_ratio=0 is the same model.
    glum = pytest.importorskip("glum")
    theirs = glum.GeneralizedLinearRegressor(family="poisson", alpha=alpha, l1_ratio=0.0, gradient_tol=1e-12)
    theirs.fit(X, y, sample_weight=sample_weight)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-6, atol=1e-8)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-6)


def test_poisson_rejects_negative_counts_and_names_the_solver():  # type: ignore[no-untyped-def]
    X = np.ones((4, 1))
    with pytest.raises(ValueError, match="y must be >= 0"):
        PoissonRegressor().fit(X, [1.0, -1.0, 2.0, 0.0])
    with pytest.raises(ValueError, match="solver"):
        PoissonRegressor(solver="irls").fit(X, [1.0, 1.0, 2.0, 0.0])
    model = PoissonRegressor(alpha=0.0, solver="lbfgs", tol=1e-10).fit(np.arange(8.0)[:, None], np.arange(8.0))
    assert model.result_.method == "lbfgs" and model.result_.success


def test_auto_is_newton_then_newton_cg_and_both_match_sklearn(cancer, monkeypatch):  # type: ignore[no-untyped-def]
    """solver='auto' takes Newton with the full Hessian up to NEWTON_UP_TO features, Newton-CG beyond;
    either way the coefficients are scikit-learn's."""
    import descend.estimators as estimators

    X, y, _ = cancer
    theirs = linear_model.LogisticRegression(C=0.5, solver="newton-cholesky", tol=1e-12).fit(X, y)
    small = LogisticRegression(C=0.5, tol=1e-10).fit(X, y)
    assert small.result_.method == "newton"
    monkeypatch.setattr(estimators, "NEWTON_UP_TO", 10)
    large = LogisticRegression(C=0.5, tol=1e-10).fit(X, y)
    assert large.result_.method == "newton_cg"
    for ours in (small, large, LogisticRegression(C=0.5, solver="newton-cg", tol=1e-10).fit(X, y)):
        np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-6, atol=1e-8)
    counts = np.round(np.exp(0.3 * X[:, 0] / X[:, 0].std()))
    poisson = PoissonRegressor(alpha=0.1, tol=1e-10).fit(X, counts)
    assert poisson.result_.method == "newton_cg" and poisson.result_.success
    reference = PoissonRegressor(alpha=0.1, solver="newton", tol=1e-10).fit(X, counts)
    np.testing.assert_allclose(poisson.coef_, reference.coef_, rtol=1e-6, atol=1e-8)
