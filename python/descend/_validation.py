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


def is_sparse(X: Any) -> bool:
    """Whether X is a scipy.sparse matrix or array (without importing SciPy for anything else)."""
    if not type(X).__module__.startswith("scipy.sparse"):
        return False
    import scipy.sparse  # type: ignore[import-untyped]

    return bool(scipy.sparse.issparse(X))


def as_sparse(X: Any, name: str = "X") -> Any:
    """A scipy.sparse X as CSR or CSC that the core views without a copy.

    Kept as it is when it is CSR or CSC with float64 or float32 values and int32 or int64
    indices; otherwise converted once: another format (COO, LIL, DOK, BSR, DIA) to CSR, other
    values to float64, other index dtypes to int64, and a CSC matrix with unsorted row indices
    to a sorted copy (the core reads each column in row order).
    """
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (n_samples, n_features), got {X.ndim}-D shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row (sample), got shape {X.shape}")
    if X.dtype.kind == "c":
        raise TypeError(f"{name} must be real-valued, got complex dtype {X.dtype}")
    if X.dtype.kind not in "fiub":
        raise TypeError(f"{name} must contain numbers, got a sparse matrix of dtype {X.dtype}")
    if X.format not in ("csr", "csc"):
        X = X.tocsr()
    if X.dtype not in (np.float64, np.float32):
        X = X.astype(np.float64)
    index_types = (np.int32, np.int64)
    if X.indices.dtype not in index_types or X.indptr.dtype != X.indices.dtype:
        X = X.copy()
        X.indices = X.indices.astype(np.int64)
        X.indptr = X.indptr.astype(np.int64)
    if not all(a.flags.c_contiguous for a in (X.data, X.indices, X.indptr)):
        X = X.copy()
    if X.format == "csc" and not X.has_sorted_indices:
        X = X.sorted_indices()
    return X


def as_design(X: Any, name: str = "X") -> Any:
    """X for the core: a scipy.sparse matrix as CSR or CSC (as_sparse), anything else as a dense matrix (as_matrix)."""
    return as_sparse(X, name) if is_sparse(X) else as_matrix(X, name)


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
