"""Poisson regression fits side by side: descend's PoissonRegressor against scikit-learn's
(newton-cholesky, lbfgs) and glum's GeneralizedLinearRegressor (its default IRLS solver), on the
same dense data and the same objective, each scored by one NumPy evaluation of it.

    python benchmarks/bench_poisson.py                   # 500 000 × 100, alpha 1e-4, about 3 minutes
    python benchmarks/bench_poisson.py --n 100000 --d 50 --repeats 3

The objective is scikit-learn's: (1/(2n))·Σ deviance + (alpha/2)·‖w‖². Every solver runs at a
tight tolerance; the table says how far each one's objective is above the best found.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from descend.estimators import PoissonRegressor
from timing import ratio, side_by_side


def problem(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    coef = rng.normal(scale=0.5 / np.sqrt(d), size=d)
    y = rng.poisson(np.exp(X @ coef + 0.5)).astype(np.float64)
    return X, y


def objective(X: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: float, alpha: float) -> float:
    z = X @ coef + intercept
    return float(np.mean(np.exp(z) - y * z) + 0.5 * alpha * coef @ coef)  # up to a term in y alone


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500_000)
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--alpha", type=float, default=1e-4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from sklearn.linear_model import PoissonRegressor as SklearnPoisson

    X, y = problem(args.n, args.d)
    alpha = args.alpha
    candidates = {
        "descend": lambda: PoissonRegressor(alpha=alpha, tol=1e-8).fit(X, y),
        "scikit-learn newton-cholesky": lambda: SklearnPoisson(alpha=alpha, solver="newton-cholesky", tol=1e-8,
                                                               max_iter=100).fit(X, y),
        "scikit-learn lbfgs": lambda: SklearnPoisson(alpha=alpha, solver="lbfgs", tol=1e-8, max_iter=1000).fit(X, y),
    }  # fmt: skip
    try:
        import glum

        candidates["glum"] = lambda: glum.GeneralizedLinearRegressor(
            family="poisson", alpha=alpha, l1_ratio=0.0, gradient_tol=1e-8
        ).fit(X, y)
    except ImportError:
        print("glum is not installed: its row is left out")
    values = {}
    for name, fit in candidates.items():
        model = fit()
        values[name] = objective(X, y, np.ravel(model.coef_), float(np.ravel(model.intercept_)[0]), alpha)
    best = min(values.values())
    timings = side_by_side(candidates, repeats=args.repeats)
    results: dict[str, object] = {"n": args.n, "d": args.d, "alpha": alpha}
    for name, timing in timings.items():
        faster = ratio(timing, timings["descend"])
        gap = (values[name] - best) / abs(best)
        print(f"{name:30s} {timing.seconds:8.3f} s   descend is {faster:5.2f}x faster   objective +{gap:.1e} (relative)")
        results[name] = timing.as_dict() | {"descend_faster": faster, "objective_gap": gap}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
