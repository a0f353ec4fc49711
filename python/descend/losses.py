"""Pointwise losses: the seed's formulas on arrays (broadcast like NumPy)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._validation import AnyArray, FloatArray, _as_real_array


def _pair(a: Any, a_name: str, b: Any, b_name: str) -> tuple[AnyArray, AnyArray, tuple[int, ...]]:
    a_array = _as_real_array(a, a_name)
    b_array = _as_real_array(b, b_name)
    for array, name in ((a_array, a_name), (b_array, b_name)):
        if not np.isfinite(array).all():
            raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    try:
        a_array, b_array = np.broadcast_arrays(a_array, b_array)
    except ValueError:
        raise ValueError(
            f"{a_name} and {b_name} must have the same shape (or broadcast), got {a_array.shape} and {b_array.shape}"
        ) from None
    shape = a_array.shape
    return np.ascontiguousarray(a_array).ravel(), np.ascontiguousarray(b_array).ravel(), shape


def _in_unit_interval(array: AnyArray, name: str, what: str) -> None:
    if array.size and (array.min() < 0.0 or array.max() > 1.0):
        raise ValueError(f"{name} must lie in [0, 1] ({what}), got values in [{array.min()}, {array.max()}]")


def squared_error(y: Any, y_pred: Any) -> FloatArray:
    r"""Squared error :math:`L(\hat y, y) = (y - \hat y)^2`, elementwise."""
    y_flat, pred_flat, shape = _pair(y, "y", y_pred, "y_pred")
    return np.asarray(_core.squared_error(y_flat, pred_flat)).reshape(shape)


def log_loss(y: Any, p: Any, *, from_logits: bool = False) -> FloatArray:
    r"""Log loss, elementwise.

    On probabilities (default): :math:`L(p, y) = -(y \log p + (1 - y)\log(1 - p))`, with
    :math:`0 \cdot \log 0 = 0`: ``p`` of 0 or 1 with the matching label gives 0, with the
    other label ``inf``, never NaN.

    On logits (``from_logits=True``, ``p`` is then :math:`z = \log\frac{p}{1-p}`):
    :math:`L = \log(1 + e^{z}) - y z`, computed without cancellation, exact for any
    finite z (at z = ±800 too). Prefer this form: a probability rounded to 1.0 has
    lost the information the loss needs.

    ``y`` are labels in [0, 1] (0/1, or soft labels).
    """
    second = "z" if from_logits else "p"
    y_flat, p_flat, shape = _pair(y, "y", p, second)
    _in_unit_interval(y_flat, "y", "labels 0 and 1, or probabilities")
    if from_logits:
        return np.asarray(_core.log_loss_logit(y_flat, p_flat)).reshape(shape)
    _in_unit_interval(p_flat, "p", "probabilities; pass from_logits=True for logits")
    return np.asarray(_core.log_loss_probability(y_flat, p_flat)).reshape(shape)


def sigmoid(z: Any) -> FloatArray:
    r"""The logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, exact in both tails."""
    array = _as_real_array(z, "z")
    if np.isnan(array).any():
        raise ValueError("z must not contain NaN")
    return np.asarray(_core.sigmoid(np.ascontiguousarray(array).ravel())).reshape(array.shape)


def _shifted_exponentials(z: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For logits z (..., K): z − max, exp(z − max) and r = Σ over the non-maximal classes of exp(z − max)."""
    array = _as_real_array(z, "z")
    if array.ndim < 1 or array.shape[-1] < 1:
        raise ValueError(f"z must have at least one class along its last axis, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("z must contain only finite values (no NaN or inf)")
    shifted = array - array.max(axis=-1, keepdims=True)
    with np.errstate(under="ignore"):
        e = np.exp(shifted)
    top = np.argmax(array, axis=-1)[..., None]
    rest = e.sum(axis=-1) - np.take_along_axis(e, top, axis=-1)[..., 0]  # the maximum's e is exactly 1
    return shifted, e, rest


def softmax(z: Any) -> FloatArray:
    r"""The softmax :math:`p_k = e^{z_k} / \sum_l e^{z_l}` along the last axis of the logits z, computed
    from :math:`z - \max z` (no overflow for any finite logits; tiny probabilities underflow to 0
    exactly where they are below the smallest double)."""
    _, e, rest = _shifted_exponentials(z)
    probability: FloatArray = e / (1.0 + rest)[..., None]
    return probability


def log_softmax(z: Any) -> FloatArray:
    r""":math:`\log p_k = z_k - \operatorname{logsumexp}(z)` along the last axis, exact from the logits:
    :math:`(z_k - m) - \operatorname{log1p}(\sum_{l \ne m} e^{z_l - m})` with m the largest logit, so
    a probability of 1e-400 is reported as its logarithm (about -921), not as log 0."""
    shifted, _, rest = _shifted_exponentials(z)
    logs: FloatArray = shifted - np.log1p(rest)[..., None]
    return logs
