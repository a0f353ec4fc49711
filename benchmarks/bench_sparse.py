"""Sparse logistic regression side by side: descend's LogisticRegression on text-like CSR
data against scikit-learn (lbfgs, newton-cg, liblinear, saga), scikit-learn-intelex and glum
(lbfgs), at the same objective; and one value+gradient against a streaming read of the CSR
arrays.

    python benchmarks/bench_sparse.py                        # 1 000 000 × 100 000, 30 a row: about 25 minutes
    python benchmarks/bench_sparse.py --n 200000 --d 20000 --repeats 3
    python benchmarks/bench_sparse.py --only descend glum    # a subset of the candidates

The objective is scikit-learn's with C: Σ log-loss + ‖w‖²/(2C), reported in mean form (divided
by n). Every solver runs at a tolerance that brings it within 1e-8 (relative) of the best
objective found; the table prints how far each one ended above the best.
"""

from __future__ import annotations

import argparse
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

import descend
from descend.estimators import LogisticRegression
from timing import ratio, side_by_side


def problem(n: int, d: int, per_row: int, seed: int = 0) -> tuple[Any, np.ndarray]:
    """Text-like CSR: `per_row` entries a row, columns drawn with Zipf-like popularity (a few
    columns in most rows, most columns in few), tf-idf-like positive values; labels from a
    sparse true model."""
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, d + 1, dtype=np.float64)
    popularity = 1.0 / ranks**1.1
    popularity /= popularity.sum()
    columns = rng.choice(d, size=n * per_row, p=popularity)
    values = rng.uniform(0.1, 1.0, size=n * per_row)
    X = sp.csr_matrix((values, columns, np.arange(0, n * per_row + 1, per_row)), shape=(n, d))
    X.sum_duplicates()
    X.sort_indices()
    row_norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.csr_matrix(sp.diags(1.0 / np.maximum(row_norms, 1e-12)) @ X)  # unit rows, as tf-idf has
    coef = rng.normal(size=d) * (rng.random(d) < 0.1) * 3.0
    z = X @ coef - 0.5
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    return X, y


def objective(X: Any, y: np.ndarray, coef: np.ndarray, intercept: float, C: float) -> float:
    z = X @ coef + intercept
    return float(np.mean(np.logaddexp(0.0, z) - y * z) + coef @ coef / (2.0 * C * X.shape[0]))


def candidates(X: Any, y: np.ndarray, C: float) -> dict[str, Callable[[], Any]]:
    from sklearn.linear_model import LogisticRegression as Sklearn

    fits: dict[str, Callable[[], Any]] = {
        "descend": lambda: LogisticRegression(C=C, tol=1e-9, max_iter=200).fit(X, y),
        "descend lbfgs": lambda: LogisticRegression(C=C, solver="lbfgs", tol=1e-9, max_iter=5000).fit(X, y),
        "scikit-learn lbfgs": lambda: Sklearn(C=C, solver="lbfgs", tol=1e-10, max_iter=10000).fit(X, y),
        "scikit-learn newton-cg": lambda: Sklearn(C=C, solver="newton-cg", tol=1e-8, max_iter=1000).fit(X, y),
        "scikit-learn liblinear": lambda: Sklearn(C=C, solver="liblinear", tol=1e-6, intercept_scaling=100.0,
                                                  max_iter=1000).fit(X, y),
        "scikit-learn saga": lambda: Sklearn(C=C, solver="saga", tol=1e-8, max_iter=1000).fit(X, y),
    }  # fmt: skip
    try:
        from sklearnex.linear_model import LogisticRegression as Intelex

        fits["scikit-learn-intelex newton-cg"] = lambda: Intelex(C=C, solver="newton-cg", tol=1e-8,
                                                                 max_iter=1000).fit(X, y)  # fmt: skip
    except ImportError:
        print("scikit-learn-intelex is not installed: its row is left out")
    try:
        import glum

        n = X.shape[0]
        fits["glum lbfgs"] = lambda: glum.GeneralizedLinearRegressor(
            family="binomial", alpha=1.0 / (C * n), l1_ratio=0.0, solver="lbfgs", gradient_tol=1e-9, max_iter=10000
        ).fit(X, y)
    except ImportError:
        print("glum is not installed: its row is left out")
    return fits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=100_000)
    parser.add_argument("--per-row", type=int, default=30)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--only", nargs="*", help="candidates to run (names as printed)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    X, y = problem(args.n, args.d, args.per_row)
    print(f"X: {X.shape[0]} × {X.shape[1]}, {X.nnz} non-zeros ({X.nnz / X.shape[0]:.1f} a row), C = {args.C}")
    results: dict[str, Any] = {"n": args.n, "d": args.d, "nnz": int(X.nnz), "C": args.C}

    # One value+gradient against a streaming read of data and indices, the same threads.
    cost = descend.Cost(X, y, l2=1.0 / (args.C * X.shape[0]))
    w = np.zeros(cost.dim)
    stream = lambda: (descend._core._stream_sum(X.data.reshape(-1, 1), cost.n_threads),  # noqa: E731
                      descend._core._stream_sum(X.indices.view(np.float32).reshape(-1, 1), cost.n_threads))
    kernel = side_by_side({"value_and_gradient": lambda: cost.value_and_gradient(w), "stream": stream},
                          repeats=9, min_round_seconds=0.2)  # fmt: skip
    floor = ratio(kernel["value_and_gradient"], kernel["stream"])
    print(f"value_and_gradient {kernel['value_and_gradient'].seconds * 1e3:.1f} ms, streaming read of data and "
          f"indices {kernel['stream'].seconds * 1e3:.1f} ms: {floor:.2f}x the read ({cost.n_threads} threads)")  # fmt: skip
    results["value_and_gradient"] = kernel["value_and_gradient"].as_dict() | {"stream_ratio": floor}
    results["stream"] = kernel["stream"].as_dict()

    fits = candidates(X, y, args.C)
    if args.only:
        fits = {name: fit for name, fit in fits.items() if name in args.only or name == "descend"}
    values = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, fit in fits.items():  # the untimed first round: each one's objective
            model = fit()
            values[name] = objective(X, y, np.ravel(model.coef_), float(np.ravel(model.intercept_)[0]), args.C)
        best = min(values.values())
        timings = side_by_side(fits, repeats=args.repeats, warmup=0)
    for name, timing in sorted(timings.items(), key=lambda item: item[1].seconds):
        faster = ratio(timing, timings["descend"])
        gap = (values[name] - best) / abs(best)
        print(f"{name:32s} {timing.seconds:8.2f} s   descend is {faster:5.2f}x faster   objective +{gap:.1e}")
        results[name] = timing.as_dict() | {"descend_faster": faster, "objective_gap": gap}
    others = [t.seconds for name, t in timings.items() if not name.startswith("descend")]
    if others:
        print(f"descend against the fastest other: {min(others) / timings['descend'].seconds:.2f}x faster")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
