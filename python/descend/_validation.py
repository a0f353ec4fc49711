"""Validation at the boundary: shapes, dtypes, finiteness, option values.

Every check raises ``ValueError`` (bad value or shape) or ``TypeError`` (bad
type) whose message names the argument and says what was expected. Arrays
that make sense are converted: lists, integers and booleans become float64,
float32 stays float32 where the core accepts it, and float64 arrays whose
rows or columns are contiguous are passed on without a copy.
"""

from __future__ import annotations

import math
import numbers
import os
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
#: An array of any dtype (labels, classes, inputs before conversion).
AnyArray = npt.NDArray[Any]


def _as_real_array(value: Any, name: str, keep_float32: bool = False) -> AnyArray:
    if value is None:
        raise TypeError(f"{name} must be an array of numbers, got None")
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    array = value if isinstance(value, np.ndarray) else np.asarray(value)
    kind = array.dtype.kind
    if kind == "c":
        raise TypeError(f"{name} must be real-valued, got complex dtype {array.dtype}")
    if kind in "USO" or kind == "V" or kind == "M" or kind == "m":
        try:
            array = np.asarray(array, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{name} must contain numbers, got an array of dtype {array.dtype} that does not convert to float"
            ) from None
    elif kind == "f" and array.dtype == np.float32 and keep_float32:
        pass
    elif array.dtype != np.float64:
        array = array.astype(np.float64)
    return array


def as_matrix(X: Any, name: str = "X") -> AnyArray:
    """X as a 2-D float64 (or float32) array with contiguous rows or columns, not copied if it already is one."""
    array = _as_real_array(X, name, keep_float32=True)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features), got {array.ndim}-D shape {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row (sample), got shape {array.shape}")
    item = array.itemsize
    rows_contiguous = array.shape[1] <= 1 or array.strides[1] == item
    columns_contiguous = array.shape[0] <= 1 or array.strides[0] == item
    if not (rows_contiguous or columns_contiguous) or array.strides[0] < 0 or array.strides[1] < 0:
        array = np.ascontiguousarray(array)
    return array


def as_vector(v: Any, name: str, length: int | None = None, length_of: str = "") -> FloatArray:
    """v as a finite 1-D float64 array, optionally of a given length."""
    array = _as_real_array(v, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got {array.ndim}-D shape {array.shape}")
    if length is not None and array.shape[0] != length:
        what = f" ({length_of})" if length_of else ""
        raise ValueError(f"{name} must have length {length}{what}, got {array.shape[0]}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return array


def as_real(value: Any, name: str, minimum: float | None = None, strict: bool = False) -> float:
    """A finite real number, optionally > or >= a minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    if minimum is not None and (number <= minimum if strict else number < minimum):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be {relation} {minimum}, got {number}")
    return number


def as_int(value: Any, name: str, minimum: int | None = None) -> int:
    """An integer, optionally >= a minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {number}")
    return number


def as_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """One of a fixed set of names."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {', '.join(map(repr, choices))}, got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def as_threads(n_threads: Any) -> int:
    """n_threads: None means every core available to the process; otherwise an integer >= 1."""
    if n_threads is None:
        return available_cores()
    return as_int(n_threads, "n_threads", minimum=1)
