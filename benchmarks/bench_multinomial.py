"""Multinomial logistic regression side by side: descend's LogisticRegression against scikit-learn's
multinomial solvers (lbfgs, newton-cholesky, saga) and scikit-learn-intelex, on the same dense data
and the same objective; and one value+gradient pass against a streaming read of X.

    python benchmarks/bench_multinomial.py                 # 100 000 × 100, K = 10, C = 1, a few minutes
    python benchmarks/bench_multinomial.py --n 20000 --repeats 1

The objective is scikit-learn's divided by C·n: the mean softmax cross-entropy plus ‖W‖²/(2Cn)
(intercepts unpenalised), evaluated for every fitter by one call of descend.reference's NumPy cost.
Every fitter runs at a tolerance tight enough to reach the best objective found to 1e-8 relative,
or is reported with the gap it stopped at. Times are medians of --repeats interleaved rounds.
"""

from __future__ import annotations

import argparse
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import descend
from descend import _core, reference
from timing import ratio, side_by_side

HERE = Path(__file__).resolve().parent


def problem(n: int, d: int, K: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    W = rng.normal(scale=1.0 / np.sqrt(d), size=(d, K))
    P = reference.softmax(X @ W + rng.normal(scale=0.3, size=K))
    y = (P.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)  # one draw per row from its softmax
    return X, y


def objective(X: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: np.ndarray, C: float) -> float:
    """Mean softmax cross-entropy + ‖W‖²/(2Cn), from the (K, d) coefficients and K intercepts."""
    n = X.shape[0]
    cost = reference.Cost(X, y, "multinomial", l2=1.0 / (C * n))
    return cost.value(np.concatenate([coef.ravel(), intercept]))


def fitters(C: float, threads: int) -> dict[str, Callable[[np.ndarray, np.ndarray], Any]]:
    from sklearn.linear_model import LogisticRegression as SkLogistic

    def sk(solver: str, tol: float, max_iter: int) -> Callable[[np.ndarray, np.ndarray], Any]:
        return lambda X, y: SkLogistic(C=C, solver=solver, tol=tol, max_iter=max_iter).fit(X, y)

    out: dict[str, Callable[[np.ndarray, np.ndarray], Any]] = {
        "descend (auto: lbfgs)": lambda X, y: descend.LogisticRegression(C=C, tol=1e-9, max_iter=5000).fit(X, y),
        "descend newton": lambda X, y: descend.LogisticRegression(C=C, tol=1e-9, solver="newton").fit(X, y),
        "scikit-learn lbfgs": sk("lbfgs", 1e-12, 5000),
        "scikit-learn newton-cholesky": sk("newton-cholesky", 1e-10, 100),
        "scikit-learn saga": sk("saga", 1e-8, 1000),
    }
    try:
        from sklearnex.linear_model import LogisticRegression as ExLogistic

        for solver in ("lbfgs", "newton-cg"):
            out[f"scikit-learn-intelex {solver}"] = (
                lambda X, y, solver=solver: ExLogistic(C=C, solver=solver, tol=1e-12, max_iter=5000).fit(X, y))
    except ImportError:
        print("scikit-learn-intelex is not installed: pip install scikit-learn-intelex")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--K", type=int, default=10)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip", nargs="*", default=[], help="fitters to leave out (substrings of their names)")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "multinomial.json")
    args = parser.parse_args()
    X, y = problem(args.n, args.d, args.K)
    threads = descend.Cost(X, y.astype(float), "multinomial")._core.n_threads
    print(f"{args.n} × {args.d}, K = {args.K}, C = {args.C:g}; descend {descend.config()['level']} kernels, "
          f"{threads} threads")  # fmt: skip

    # 1. One value+gradient pass against a streaming read of the same memory.
    cost = descend.Cost(X, y.astype(float), "multinomial", l2=1.0 / (args.C * args.n))
    w = 0.01 * np.random.default_rng(1).normal(size=cost.dim)
    passes = side_by_side(
        {"value+gradient": lambda: cost.value_and_gradient(w), "stream": lambda: _core._stream_sum(X, threads)},
        args.repeats * 3,
    )
    pass_ratio = ratio(passes["value+gradient"], passes["stream"])
    print(f"value+gradient {passes['value+gradient'].seconds * 1e3:.1f} ms, a streaming read of X "
          f"{passes['stream'].seconds * 1e3:.1f} ms: {pass_ratio:.2f}× the read (target ≤ 3×)")  # fmt: skip

    # 2. The fits, interleaved; each scored by its objective.
    chosen = {name: f for name, f in fitters(args.C, threads).items() if not any(s in name for s in args.skip)}
    results: dict[str, Any] = {}

    def run(name: str) -> Callable[[], object]:
        def call() -> object:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results[name] = chosen[name](X, y)
            return results[name]

        return call

    timings = side_by_side({name: run(name) for name in chosen}, args.repeats)
    values = {name: objective(X, y, model.coef_, model.intercept_, args.C) for name, model in results.items()}
    best = min(values.values())
    reached = {name: (v - best) <= 1e-8 * abs(best) for name, v in values.items()}
    peers = [name for name in chosen if not name.startswith("descend")]
    fastest_peer = min((n for n in peers if reached[n]), key=lambda n: timings[n].seconds, default=None)
    ours = min((n for n in chosen if n.startswith("descend") and reached[n]), key=lambda n: timings[n].seconds,
               default=None)  # fmt: skip
    print(f"\n{'fitter':32} {'time':>9} {'objective − best':>17}  reached 1e-8")
    for name in chosen:
        print(f"{name:32} {timings[name].seconds:8.2f}s {values[name] - best:17.3e}  {'yes' if reached[name] else 'no'}")
    summary: dict[str, Any] = {"pass_vs_stream": pass_ratio}
    if ours and fastest_peer:
        speedup = timings[fastest_peer].seconds / timings[ours].seconds
        summary.update(fastest_peer=fastest_peer, descend=ours, speedup=speedup)
        print(f"\n{ours} is {speedup:.2f}× faster than the fastest peer at the same objective, {fastest_peer} "
              f"(target ≥ 2×)")  # fmt: skip
    record = {
        "problem": {"n": args.n, "d": args.d, "K": args.K, "C": args.C, "threads": threads,
                    "level": descend.config()["level"]},
        "pass": {name: t.as_dict() for name, t in passes.items()},
        "fits": {name: {**timings[name].as_dict(), "objective_gap": values[name] - best, "reached": reached[name]}
                 for name in chosen},
        "summary": summary,
    }  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
