"""The NIST StRD linear least squares datasets (tests/data/nist, public domain; see its README):
the data, the model's design and the certified values, read from NIST's own files."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "nist"

# name -> polynomial degree in x (None: the columns are the predictors), intercept
MODELS: dict[str, tuple[int | None, bool]] = {
    "Norris": (1, True),
    "Pontius": (2, True),
    "NoInt1": (1, False),
    "NoInt2": (1, False),
    "Filip": (10, True),
    "Longley": (None, True),
    "Wampler1": (5, True),
    "Wampler2": (5, True),
    "Wampler3": (5, True),
    "Wampler4": (5, True),
    "Wampler5": (5, True),
}


@dataclass(frozen=True)
class Dataset:
    name: str
    X: np.ndarray  # the predictors (x, x², … for a polynomial), without the intercept column
    y: np.ndarray
    fit_intercept: bool
    coef: np.ndarray  # certified, for the columns of X
    intercept: float  # certified (0 without one)
    coef_sd: np.ndarray  # certified standard deviations, [intercept first when there is one, then coef]
    residual_sd: float


def load(name: str) -> Dataset:
    """One dataset: its model's design and NIST's certified values (15 significant digits)."""
    degree, fit_intercept = MODELS[name]
    lines = (DATA / f"{name}.dat").read_text(encoding="ascii").splitlines()
    estimates, sds = [], []
    residual_sd = math.nan
    for line in lines:
        match = re.match(r"\s*B(\d+)\s+(\S+)\s+(\S+)\s*$", line)
        if match:
            estimates.append(float(match[2]))
            sds.append(float(match[3]))
        match = re.match(r"\s*Standard Deviation\s+(\S+)\s*$", line)
        if match:
            residual_sd = float(match[1])
    start = [i for i, line in enumerate(lines) if line.startswith("Data:")][-1]  # the second is the data's
    rows = np.array([[float(word) for word in line.split()] for line in lines[start + 1 :] if line.strip()])
    y = rows[:, 0]
    X = rows[:, 1:] if degree is None else np.column_stack([rows[:, 1] ** k for k in range(1, degree + 1)])
    certified = np.array(estimates)
    coef, intercept = (certified[1:], float(certified[0])) if fit_intercept else (certified, 0.0)
    assert coef.size == X.shape[1], name
    return Dataset(name, X, y, fit_intercept, coef, intercept, np.array(sds), residual_sd)


def log_relative_error(estimate: np.ndarray, certified: np.ndarray) -> float:
    """NIST's LRE, the number of digits of agreement: −log₁₀(|estimate − certified| / |certified|),
    the smallest over the entries, at most 15 (the certified values' digits)."""
    estimate, certified = np.atleast_1d(estimate), np.atleast_1d(certified)
    with np.errstate(divide="ignore"):
        relative = np.abs(estimate - certified) / np.abs(certified)
        digits = np.where(relative == 0.0, 15.0, -np.log10(relative))
    return float(min(15.0, float(np.min(digits))))
