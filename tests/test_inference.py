"""Standard errors, p-values and confidence intervals against statsmodels, Stata's published
results, and the definitions computed densely in NumPy."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

import descend
from descend import _distributions

sm = pytest.importorskip("statsmodels.api")
pytest.importorskip("sklearn")
pd = pytest.importorskip("pandas")

from descend.estimators import LinearRegression, LogisticRegression  # noqa: E402

RTOL = 1e-8


def spector() -> tuple[object, object]:
    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog


def longley() -> tuple[object, object]:
    data = sm.datasets.longley.load_pandas()
    return data.exog, data.endog


def with_constant(X: object) -> object:
    return sm.add_constant(X, prepend=False)  # descend's order: [coef…, intercept]


def assert_same(ours: descend.Inference, theirs: object, rtol: float = RTOL, fit: bool = True) -> None:
    np.testing.assert_allclose(ours.params, theirs.params, rtol=rtol)
    np.testing.assert_allclose(ours.bse, theirs.bse, rtol=rtol)
    np.testing.assert_allclose(ours.cov, theirs.cov_params(), rtol=rtol, atol=rtol * np.max(np.abs(ours.cov)))
    np.testing.assert_allclose(ours.statistic, theirs.tvalues, rtol=rtol)
    np.testing.assert_allclose(ours.pvalues, theirs.pvalues, rtol=1e-7)
    np.testing.assert_allclose(ours.conf_int(), np.asarray(theirs.conf_int()), rtol=rtol)
    if fit:
        assert ours.llf == pytest.approx(theirs.llf, rel=RTOL)
        assert ours.aic == pytest.approx(theirs.aic, rel=RTOL)


def fitted_logit(X: object, y: object, **fit: object) -> object:
    return sm.Logit(y, with_constant(X)).fit(disp=0, method="newton", tol=1e-14, maxiter=100, **fit)


# ---------------------------------------------------------------------------
# Logistic regression


def test_spector_logit_equals_statsmodels_and_stata() -> None:
    X, y = spector()
    model = LogisticRegression(C=np.inf, tol=1e-12).fit(X, y)
    ours = model.inference()
    theirs = fitted_logit(X, y)
    assert_same(ours, theirs)
    assert ours.llnull == pytest.approx(theirs.llnull, rel=RTOL)
    assert ours.rsquared == pytest.approx(theirs.prsquared, rel=RTOL)
    assert ours.bic == pytest.approx(theirs.bic, rel=RTOL)
    assert ours.names == ("GPA", "TUCE", "PSI", "intercept") and ours.distribution == "z"
    # Stata 11's results for the same model (as statsmodels' test suite records them,
    # statsmodels/discrete/tests/results/results_discrete.py, class Spector). Stata stopped its
    # iterations about 1e-7 short of the optimum that descend and statsmodels reach at tight
    # tolerances, so its estimates agree to that; the log-likelihood, flat there, to 1e-10.
    stata_params = [2.82611297201, 0.0951576702557, 2.37868772835, -13.0213483201]
    stata_bse = [1.26294114526, 0.141554207662, 1.06456430165, 4.93132462871]
    stata_cov = [[1.59502033639, -0.036920566629, 0.427615725153, -4.57347950298],
                 [-0.036920566629, 0.0200375937069, 0.0149126464275, -0.346255757562],
                 [0.427615725153, 0.0149126464275, 1.13329715236, -2.35916128427],
                 [-4.57347950298, -0.346255757562, -2.35916128427, 24.3179625937]]  # fmt: skip
    np.testing.assert_allclose(ours.params, stata_params, rtol=3e-7)
    np.testing.assert_allclose(ours.bse, stata_bse, rtol=3e-7)
    np.testing.assert_allclose(ours.cov, stata_cov, rtol=6e-7)
    np.testing.assert_allclose(ours.statistic, [2.237723415, 0.6722348408, 2.234423721, -2.640537645], rtol=3e-7)
    np.testing.assert_allclose(ours.pvalues, [0.0252390974, 0.5014342039, 0.0254552063, 0.0082774596], rtol=1e-6)
    stata_ci = [[0.3507938, 5.301432], [-0.1822835, 0.3725988], [0.29218, 4.465195], [-22.68657, -3.35613]]
    np.testing.assert_allclose(ours.conf_int(), stata_ci, rtol=5e-6)
    # Stata's log-likelihood is 6e-8 (relative) above the maximum for statsmodels' copy of the data:
    # it was computed from data of a few more digits, so agreement stops there.
    assert ours.llf == pytest.approx(-12.8896334653335, rel=1e-7)
    assert ours.llnull == pytest.approx(-20.5917296966173, rel=1e-10)
    assert ours.rsquared == pytest.approx(0.374038332124624, rel=1e-7)
    assert ours.aic == pytest.approx(33.779266930667, rel=1e-7)
    assert ours.bic == pytest.approx(39.642210541866, rel=1e-7)


@pytest.mark.parametrize("cov_type", ["HC0", "cluster"])
def test_logit_robust_equals_statsmodels(cov_type: str) -> None:
    X, y = spector()
    groups = np.arange(len(y)) % 7
    model = LogisticRegression(C=np.inf, tol=1e-12).fit(X, y)
    kwds = {"cov_kwds": {"groups": groups}} if cov_type == "cluster" else {}
    theirs = fitted_logit(X, y, cov_type=cov_type, **kwds)
    ours = model.inference(cov_type=cov_type, groups=groups if cov_type == "cluster" else None)
    assert_same(ours, theirs)


def sandwich(X: np.ndarray, first: np.ndarray, second: np.ndarray, s: np.ndarray, kind: str) -> np.ndarray:
    """The definitions, densely: A = X̃ᵀdiag(sL″)X̃, h = diag(W½X̃A⁻¹X̃ᵀW½), M = Σ s²L′²/(1−h)^k x̃x̃ᵀ."""
    Xt = np.column_stack([X, np.ones(len(X))])
    A = Xt.T @ (Xt * (s * second)[:, None])
    inverse = np.linalg.inv(A)
    root = np.sqrt(s * second)[:, None] * Xt
    h = np.diag(root @ inverse @ root.T)
    power = {"HC0": 0, "HC1": 0, "HC2": 1, "HC3": 2}[kind]
    meat = Xt.T @ (Xt * ((s * first) ** 2 / (1 - h) ** power)[:, None])
    cov = inverse @ meat @ inverse
    return cov * (s.sum() / (s.sum() - Xt.shape[1]) if kind == "HC1" else 1.0)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", ["HC0", "HC1", "HC2", "HC3"])
def test_logit_hc_covariances_follow_their_definitions(kind: str, weighted: bool) -> None:
    """statsmodels' Logit returns HC0 for HC1–HC3; descend computes what the names mean."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X @ [1.0, -0.5, 0.25] + rng.logistic(size=300) > 0).astype(float)
    s = rng.uniform(0.5, 2.0, size=300) if weighted else np.ones(300)
    model = LogisticRegression(C=np.inf, tol=1e-12).fit(X, y, sample_weight=s if weighted else None)
    z = X @ model.coef_[0] + model.intercept_[0]
    p = 1 / (1 + np.exp(-z))
    truth = sandwich(X, p - y, p * (1 - p), s, kind)
    np.testing.assert_allclose(model.inference(cov_type=kind).cov, truth, rtol=1e-10)


def test_glm_binomial_with_frequency_weights() -> None:
    X, y = spector()
    weights = np.arange(len(y)) % 3 + 1.0
    model = LogisticRegression(C=np.inf, tol=1e-12).fit(X, y, sample_weight=weights)
    glm = sm.GLM(y, with_constant(X), family=sm.families.Binomial(), freq_weights=weights).fit(tol=1e-14)
    ours = model.inference()
    assert_same(ours, glm)
    assert ours.nobs == weights.sum() and ours.df_resid == weights.sum() - 4
    # A weight of 2 is a duplicated row.
    rows = np.repeat(np.arange(len(y)), weights.astype(int))
    duplicated = LogisticRegression(C=np.inf, tol=1e-12).fit(X.iloc[rows], y.iloc[rows]).inference()
    np.testing.assert_allclose(ours.bse, duplicated.bse, rtol=1e-9)


def test_penalised_logit_is_the_inverse_penalised_hessian() -> None:
    X, y = spector()
    model = LogisticRegression(C=0.5, tol=1e-12).fit(X, y)
    ours = model.inference()
    Xt = np.column_stack([np.asarray(X), np.ones(len(y))])
    z = Xt @ ours.params
    p = 1 / (1 + np.exp(-z))
    penalty = np.diag([1 / 0.5] * 3 + [0.0])
    np.testing.assert_allclose(ours.cov, np.linalg.inv(Xt.T @ (Xt * (p * (1 - p))[:, None]) + penalty), rtol=1e-10)
    assert "Penalised fit" in ours.summary()


# ---------------------------------------------------------------------------
# Least squares


def stackloss() -> tuple[object, object]:
    data = sm.datasets.stackloss.load_pandas()
    return data.exog, data.endog


# Longley is ill-conditioned: descend's and statsmodels' coefficients both have about 11 correct
# digits (tests/test_nist.py), and its residuals, 1e4 times smaller than the terms of Xw, carry the
# difference into the sandwich estimators at about 1e-7. Stackloss is well conditioned.
@pytest.mark.parametrize(("dataset", "robust_rtol"), [(stackloss, RTOL), (longley, 1e-6)])
@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"])
def test_ols_equals_statsmodels(cov_type: str, dataset: object, robust_rtol: float) -> None:
    X, y = dataset()  # type: ignore[operator]
    groups = np.arange(len(y)) % 4
    model = LinearRegression().fit(X, y)
    kwds = {"cov_kwds": {"groups": groups}} if cov_type == "cluster" else {}
    theirs = sm.OLS(y, with_constant(X)).fit(cov_type=cov_type, use_t=True, **kwds)
    ours = model.inference(cov_type=cov_type, groups=groups if cov_type == "cluster" else None)
    assert_same(ours, theirs, rtol=RTOL if cov_type == "nonrobust" else robust_rtol)
    assert ours.rsquared == pytest.approx(theirs.rsquared, rel=1e-10)
    assert ours.bic == pytest.approx(theirs.bic, rel=1e-10)
    assert ours.df_resid == theirs.df_resid and ours.distribution == "t"


def test_ridge_is_sigma_squared_times_the_inverse_penalised_gram() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 4))
    y = X @ [1.0, 2.0, 0.0, -1.0] + 3.0 + rng.normal(size=80)
    model = LinearRegression(alpha=5.0).fit(X, y)
    ours = model.inference()
    Xt = np.column_stack([X, np.ones(80)])
    residual = y - Xt @ ours.params
    sigma2 = residual @ residual / (80 - 5)
    np.testing.assert_allclose(ours.cov, sigma2 * np.linalg.inv(Xt.T @ Xt + np.diag([5.0] * 4 + [0.0])), rtol=1e-10)


def test_the_cost_level_function_equals_the_estimator() -> None:
    X, y = longley()
    model = LinearRegression().fit(X, y)
    cost = descend.Cost(np.asarray(X), np.asarray(y), loss="squared_error")  # mean form: the scale does not matter
    direct = descend.inference(cost, np.append(model.coef_, model.intercept_), cov_type="HC3", names=list(X.columns))
    np.testing.assert_allclose(direct.bse, model.inference(cov_type="HC3").bse, rtol=1e-12)
    assert direct.names == model.inference().names


# ---------------------------------------------------------------------------
# Errors, printing, pickling


def test_singular_hessian_names_the_columns_that_are_not_identified() -> None:
    X, y = spector()
    X = X.assign(GPA2=2.0 * X["GPA"])
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="not identified") as error:
        model.inference()
    assert "'GPA'" in str(error.value) and "'GPA2'" in str(error.value) and "'TUCE'" not in str(error.value)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.inference(cov_type="HC9"), "cov_type"),
        (lambda m: m.inference(cov_type="cluster"), "groups must be given"),
        (lambda m: m.inference(cov_type="cluster", groups=[1, 2]), "one label per row"),
        (lambda m: m.inference(groups=np.zeros(32)), "only for"),
        (lambda m: m.inference().conf_int(alpha=1.5), "alpha"),
        (lambda m: m.inference(X=np.zeros((32, 3))), "both X and y"),
    ],
)
def test_bad_arguments_name_the_argument(call: object, message: str) -> None:
    X, y = spector()
    model = LogisticRegression(C=np.inf).fit(X, y)
    with pytest.raises(ValueError, match=message):
        call(model)  # type: ignore[operator]


def test_summary_and_frame() -> None:
    X, y = spector()
    result = LogisticRegression(C=np.inf, tol=1e-12).fit(X, y).inference()
    text = result.summary()
    assert "coef" in text and "std err" in text and "P>|z|" in text and "[0.025" in text
    assert all(any(line.startswith(name) for line in text.splitlines()) for name in result.names)
    assert "Log-likelihood" in text and "Pseudo R-squared" in text and repr(result) == text
    frame = result.to_frame()
    assert list(frame.index) == list(result.names) and list(frame.columns)[:4] == ["coef", "std err", "z", "P>|z|"]
    np.testing.assert_allclose(frame["std err"], result.bse)


def test_after_unpickling_the_data_must_be_given() -> None:
    X, y = spector()
    model = LogisticRegression(C=np.inf, tol=1e-12).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    with pytest.raises(ValueError, match="training data"):
        restored.inference()
    np.testing.assert_allclose(restored.inference(X, y).bse, model.inference().bse, rtol=1e-12)


# ---------------------------------------------------------------------------
# The distributions, against scipy.stats


def test_distributions_equal_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    for df in (1.0, 2.0, 3.0, 7.5, 28.0, 100.0, 1e4, 5e5):
        for t in (0.01, 0.5, 1.0, 2.0, 3.5, 10.0, -2.0):
            assert _distributions.t_sf(t, df) == pytest.approx(stats.t.sf(t, df), rel=1e-11), (t, df)
        for q in (0.6, 0.9, 0.975, 0.995, 0.9999, 0.025):
            assert _distributions.t_ppf(q, df) == pytest.approx(stats.t.ppf(q, df), rel=1e-11), (q, df)
    for x in (0.0, 1.0, 1.96, 5.0, 20.0):
        assert _distributions.normal_sf(x) == pytest.approx(stats.norm.sf(x), rel=1e-14)
    assert _distributions.normal_ppf(0.975) == pytest.approx(stats.norm.ppf(0.975), rel=1e-14)
    assert math.isclose(_distributions.t_sf(1e-8, 1.0), 0.5 - math.atan(1e-8) / math.pi, rel_tol=1e-15)


@pytest.mark.parametrize("name", ["Norris", "Pontius", "NoInt1", "NoInt2", "Filip", "Longley", "Wampler1", "Wampler2",
                                  "Wampler3", "Wampler4", "Wampler5"])  # fmt: skip
def test_standard_errors_of_the_nist_suite_to_their_certified_digits(name: str) -> None:
    """NIST certifies the standard deviations of the estimates too: descend's nonrobust bse agree to
    10 digits or more (Filip, whose Gram matrix is singular in double precision, to 7, from the SVD)."""
    from nist import load, log_relative_error

    data = load(name)
    result = LinearRegression(fit_intercept=data.fit_intercept).fit(data.X, data.y).inference()
    bse = np.append(result.bse[-1], result.bse[:-1]) if data.fit_intercept else result.bse
    if np.all(data.coef_sd == 0):  # Wampler1, 2: an exact fit
        assert np.all(bse <= 1e-10 * (1 + np.abs(np.append(data.intercept, data.coef))))
    else:
        assert log_relative_error(bse, data.coef_sd) >= (7.0 if name == "Filip" else 10.0)


def test_newton_leaves_its_last_hessian_and_inference_can_use_it() -> None:
    X, y = spector()
    cost = descend.Cost(np.asarray(X), np.asarray(y), reduction="sum")
    result = descend.newton(cost, tol=1e-12)
    assert result.hess is not None and descend.lbfgs(cost).hess is None
    np.testing.assert_allclose(result.hess, cost.hessian(result.x), rtol=1e-14)
    given = descend.inference(cost, result.x, hessian=result.hess, cov_type="HC1")
    np.testing.assert_allclose(given.cov, descend.inference(cost, result.x, cov_type="HC1").cov, rtol=1e-13)
    with pytest.raises(ValueError, match="hessian must be"):
        descend.inference(cost, result.x, hessian=np.eye(2))


# ---------------------------------------------------------------------------
# Poisson


def doctor_visits() -> tuple[object, object]:
    data = sm.datasets.randhie.load_pandas()
    return data.exog, data.endog


@pytest.mark.parametrize(("cov_type", "weighted"), [("nonrobust", False), ("nonrobust", True), ("HC0", False)])
def test_poisson_equals_statsmodels_glm(cov_type: str, weighted: bool) -> None:
    """With weights, the sandwich estimators follow the definitions (M = Σ s²L′²x̃x̃ᵀ, R's sandwich for
    weighted fits), where statsmodels' freq_weights GLM takes Σ s·L′²x̃x̃ᵀ: only nonrobust is compared
    weighted; the weighted sandwich is checked against its definition below."""
    from descend.estimators import PoissonRegressor

    X, y = doctor_visits()
    weights = (np.arange(len(y)) % 3 + 1.0) if weighted else None
    model = PoissonRegressor(alpha=0.0, tol=1e-12).fit(X, y, sample_weight=weights)
    ours = model.inference(cov_type=cov_type)
    glm = sm.GLM(y, with_constant(X), family=sm.families.Poisson(), freq_weights=weights)
    theirs = glm.fit(tol=1e-14, cov_type=cov_type)
    assert_same(ours, theirs)
    assert ours.llnull == pytest.approx(theirs.llnull, rel=RTOL)
    assert ours.distribution == "z" and "Poisson" in ours.summary()


def test_penalised_poisson_is_the_inverse_penalised_hessian() -> None:
    from descend.estimators import PoissonRegressor

    X, y = doctor_visits()
    model = PoissonRegressor(alpha=0.01, tol=1e-12).fit(X, y)
    ours = model.inference()
    Xt = np.column_stack([np.asarray(X), np.ones(len(y))])
    mean = np.exp(Xt @ ours.params)
    penalty = np.diag([0.01 * len(y)] * X.shape[1] + [0.0])
    np.testing.assert_allclose(ours.cov, np.linalg.inv(Xt.T @ (Xt * mean[:, None]) + penalty), rtol=1e-9)


def test_weighted_poisson_sandwich_follows_its_definition() -> None:
    from descend.estimators import PoissonRegressor

    X, y = doctor_visits()
    X, y = np.asarray(X)[:3000], np.asarray(y)[:3000]
    s = np.arange(3000) % 3 + 1.0
    model = PoissonRegressor(alpha=0.0, tol=1e-12).fit(X, y, sample_weight=s)
    mean = np.exp(X @ model.coef_ + model.intercept_)
    for kind in ("HC0", "HC1", "HC3"):
        np.testing.assert_allclose(model.inference(cov_type=kind).cov, sandwich(X, mean - y, mean, s, kind), rtol=1e-9)
