"""Property tests (hypothesis): random shapes (n = 1 and d = 1 included), values
(extremes included), weights and options. The core equals descend.reference,
gradients equal central differences, Hessians are symmetric and equal
differences of the gradient."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import descend
from descend import reference

SETTINGS = settings(max_examples=600, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def problems(draw: Any, scale_exponents: tuple[int, int] = (-8, 8), moderate: bool = False) -> dict[str, Any]:
    """A dataset, options and a point: X's columns scaled from 1e-8 to 1e8."""
    n = draw(st.integers(1, 40))
    d = draw(st.integers(1, 5))
    loss = draw(st.sampled_from(["log_loss", "squared_error"]))
    unit = st.floats(-1.0, 1.0, allow_nan=False, allow_subnormal=False)
    X = draw(hnp.arrays(np.float64, (n, d), elements=unit))
    low, high = scale_exponents
    scales = 10.0 ** np.array(draw(st.lists(st.integers(low, high), min_size=d, max_size=d)), dtype=float)
    X = X * scales
    if loss == "log_loss":
        y = draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.0, 1.0, 0.25])))
    else:
        y = draw(hnp.arrays(np.float64, n, elements=st.floats(-100.0, 100.0, allow_subnormal=False)))
    weighted = draw(st.booleans())
    weights = None
    if weighted:
        weights = draw(hnp.arrays(np.float64, n, elements=st.floats(0.0, 5.0, allow_subnormal=False)))
        if weights.sum() <= 0:
            weights[0] = 1.0
    fit_intercept = draw(st.booleans())
    p = d + fit_intercept
    w_scale = 1.0 if moderate else draw(st.sampled_from([1e-3, 1.0, 1e3]))
    w = draw(hnp.arrays(np.float64, p, elements=unit)) * w_scale
    if not moderate:
        w[:d] = w[:d] / scales  # logits of order w_scale, so extremes (±1e3) are reached without overflow
    return dict(
        X=X, y=y, loss=loss, fit_intercept=fit_intercept, sample_weight=weights, w=w,
        l2=draw(st.sampled_from([0.0, 0.5, 3.0])), reduction=draw(st.sampled_from(["mean", "sum"])),
        order=draw(st.sampled_from(["C", "F"])), n_threads=draw(st.sampled_from([1, 2])),
    )


def build(case: dict[str, Any]) -> tuple[descend.Cost, reference.Cost]:
    options = dict(loss=case["loss"], fit_intercept=case["fit_intercept"], l2=case["l2"],
                   sample_weight=case["sample_weight"], reduction=case["reduction"])
    X = np.asarray(case["X"], order=case["order"])
    return descend.Cost(X, case["y"], n_threads=case["n_threads"], **options), reference.Cost(X, case["y"], **options)


def magnitudes(ref: reference.Cost, w: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Sums of absolute terms: the scale that rounding errors are relative to."""
    Xa = np.abs(ref.design())
    z = ref.decision_function(w)
    first, second = (reference.log_loss_derivatives(ref.y, z) if ref.loss == "log_loss"
                     else reference.squared_error_derivatives(ref.y, z))
    s = ref.sample_weight / ref.normaliser  # normalised first: s·L″·x² may underflow otherwise
    penalty = ref.l2 * ref.penalty_mask()
    with np.errstate(over="ignore", under="ignore"):
        value = ref.value(w) + 1.0
        gradient = Xa.T @ (s * np.abs(first)) + penalty * np.abs(w)
        hessian = (Xa * (s * np.abs(second))[:, None]).T @ Xa + np.diag(penalty)
    return value, gradient, hessian


TINY = 1e-300  # below this, differences are subnormal rounding


@SETTINGS
@given(problems())
def test_core_equals_reference(case: dict[str, Any]) -> None:
    core, ref = build(case)
    w = case["w"]
    value_scale, gradient_scale, hessian_scale = magnitudes(ref, w)
    f, g, H = core.value_gradient_hessian(w)
    assert np.isfinite(f) and np.isfinite(g).all() and np.isfinite(H).all()
    tol = 1e-12 * max(1, len(case["y"]))
    assert abs(f - ref.value(w)) <= tol * value_scale
    assert (np.abs(g - ref.gradient(w)) <= tol * gradient_scale + TINY).all()
    assert (np.abs(H - ref.hessian(w)) <= tol * hessian_scale + TINY).all()
    assert np.array_equal(H, H.T)
    v = np.ones_like(w)
    assert (np.abs(core.hessian_product(w, v) - H @ v) <= tol * (hessian_scale @ np.abs(v)) + TINY).all()


@SETTINGS
@given(problems(scale_exponents=(-1, 1), moderate=True))
def test_gradient_equals_central_differences(case: dict[str, Any]) -> None:
    core, _ = build(case)
    w = case["w"]
    h = 1e-6
    eye = np.eye(len(w))
    numeric = np.array([(core.value(w + h * e) - core.value(w - h * e)) / (2 * h) for e in eye])
    g = core.gradient(w)
    # Central differences: O(h²) truncation (third derivatives ~ |X|³) plus rounding ~ eps·J/h.
    scale = 1.0 + abs(core.value(w)) + np.abs(g).max()
    assert np.abs(g - numeric).max() <= 1e-6 * scale


@SETTINGS
@given(problems(scale_exponents=(-1, 1), moderate=True))
def test_hessian_equals_differences_of_the_gradient(case: dict[str, Any]) -> None:
    core, _ = build(case)
    w = case["w"]
    h = 1e-6
    eye = np.eye(len(w))
    numeric = np.array([(core.gradient(w + h * e) - core.gradient(w - h * e)) / (2 * h) for e in eye])
    H = core.hessian(w)
    assert np.array_equal(H, H.T)
    scale = 1.0 + np.abs(H).max() + np.abs(core.gradient(w)).max()
    assert np.abs(H - numeric).max() <= 1e-6 * scale


@SETTINGS
@given(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.0, 1.0, 0.5]))
def test_pointwise_log_loss_equals_reference(z: float, y: float) -> None:
    core = descend.log_loss(y, z, from_logits=True)
    ref = reference.log_loss_from_logits(np.array([y]), np.array([z]))[0]
    assert np.isfinite(core)
    assert abs(core - ref) <= 1e-15 * max(1.0, abs(ref)) + 1e-300 or abs(core - ref) <= 4e-16 * abs(ref)
