"""Benchmark datasets, generated in row chunks straight into the final array, so
that making a 400 MB X costs 400 MB and not two or three times that (the
machine is shared, and the peak-memory benchmark measures what a fit adds)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHUNK_ROWS = 65536


@dataclass
class Dataset:
    X: np.ndarray
    y: np.ndarray
    #: The coefficients the labels were drawn from (intercept last).
    truth: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        n, d = self.X.shape
        return int(n), int(d)


def make(
    n: int,
    d: int,
    loss: str = "log_loss",
    *,
    correlation: float = 0.0,
    standardise: bool = False,
    order: str = "C",
    dtype: type = np.float64,
    seed: int = 0,
) -> Dataset:
    """X with standard normal features (an AR(1) chain of correlation `correlation`
    between neighbouring columns, unit variance either way), and y from a linear
    model on X: labels drawn from σ(Xβ + b) for log loss, Xβ + b + noise for squared error.

    ``standardise`` centres and scales every column to mean 0 and variance 1 exactly
    (in place, in chunks), as one would before fitting."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, d), dtype=dtype, order=order)
    innovation = np.sqrt(1.0 - correlation**2)
    for start in range(0, n, CHUNK_ROWS):
        stop = min(n, start + CHUNK_ROWS)
        block = rng.standard_normal((stop - start, d))
        for j in range(1, d):
            if correlation:
                block[:, j] = correlation * block[:, j - 1] + innovation * block[:, j]
        X[start:stop] = block
    if standardise:
        _standardise(X)
    truth = np.append(rng.standard_normal(d) / np.sqrt(d), 0.3)
    z = _decision(X, truth)
    if loss == "log_loss":
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    else:
        y = z + 0.5 * rng.standard_normal(n)
    return Dataset(X=X, y=y, truth=truth)


def _decision(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    z = np.empty(X.shape[0])
    for start in range(0, X.shape[0], CHUNK_ROWS):
        stop = min(X.shape[0], start + CHUNK_ROWS)
        z[start:stop] = X[start:stop].astype(np.float64) @ w[:-1] + w[-1]
    return z


def _standardise(X: np.ndarray) -> None:
    n = X.shape[0]
    total = np.zeros(X.shape[1])
    squares = np.zeros(X.shape[1])
    for start in range(0, n, CHUNK_ROWS):
        block = X[start : start + CHUNK_ROWS].astype(np.float64)
        total += block.sum(axis=0)
        squares += (block * block).sum(axis=0)
    mean = total / n
    std = np.sqrt(np.maximum(squares / n - mean**2, 1e-300))
    for start in range(0, n, CHUNK_ROWS):
        X[start : start + CHUNK_ROWS] -= mean.astype(X.dtype)
        X[start : start + CHUNK_ROWS] /= std.astype(X.dtype)
