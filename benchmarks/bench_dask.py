"""Per-iteration time of Newton and L-BFGS over data on a Dask cluster: descend.dask
against dask-glm's newton and lbfgs on the same cluster, and against descend in memory,
on the same data, the same objective and (checked) the same answer.

    python benchmarks/bench_dask.py                    # under a minute on 2 cores
    python benchmarks/bench_dask.py --n 2000000 --d 50 --blocks 32 --workers 4

The objective is the one dask-glm minimises: the summed log loss without a penalty,
the intercept a column of ones in X (for descend: reduction="sum", fit_intercept=False).
Both stop on the same rule where they can: max|∇J| <= tol for the two L-BFGS
(scipy's pgtol), and for Newton descend's max|∇J| <= tol against dask-glm's
coefficient change <= 1e-8. dask-glm needs `pip install dask-glm` (a
benchmark-only dependency); without it its rows are left out.

Per iteration = median total time over the repeats / iterations. "Rounds" are the
round trips to the cluster (computes) per iteration: descend.dask makes one per
evaluation, each one pass over the data (one task per block).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import dask
import dask.array as da
import distributed

import descend
import descend.dask
from descend import solvers


@dataclass
class Run:
    method: str
    implementation: str
    seconds: float  # median total
    iterations: int
    rounds: int  # evaluations (descend) or computes (dask-glm) in the last repeat
    x: np.ndarray


def make_data(n: int, d: int, blocks: int, seed: int) -> tuple[da.Array, da.Array]:
    """X (n, d): d - 1 standard normal features and a column of ones; y from a logistic model.
    Made on the workers, block by block, and persisted there."""
    rng = da.random.default_rng(seed)
    chunk = -(-n // blocks)
    features = rng.standard_normal((n, d - 1), chunks=(chunk, d - 1))
    X = da.concatenate([features, da.ones((n, 1), chunks=(chunk, 1))], axis=1).rechunk((chunk, d))
    beta = np.linspace(-1.0, 1.0, d) / np.sqrt(d) * 3.0
    y = (rng.random(n, chunks=(chunk,)) < 1.0 / (1.0 + da.exp(-(X @ beta)))).astype(np.float64)
    X, y = dask.persist(X, y)
    distributed.wait([X, y])
    return X, y


def timed(repeats: int, fit: Callable[[], tuple[np.ndarray, int, int]]) -> tuple[float, int, int, np.ndarray]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        x, iterations, rounds = fit()
        times.append(time.perf_counter() - start)
    return statistics.median(times), iterations, rounds, x


def descend_fit(cost: Any, method: str, tol: float) -> Callable[[], tuple[np.ndarray, int, int]]:
    def fit() -> tuple[np.ndarray, int, int]:
        before = getattr(cost, "n_passes", 0)
        result = solvers.newton(cost, tol=tol) if method == "newton" else solvers.lbfgs(cost, tol=tol, max_iter=10_000)
        if not result.success:
            raise RuntimeError(f"descend {method} did not converge: {result.message}")
        rounds = getattr(cost, "n_passes", 0) - before if hasattr(cost, "n_passes") else result.nfev
        return np.asarray(result.x), int(result.nit), int(rounds)

    return fit


def dask_glm_fit(X: da.Array, y: da.Array, method: str, tol: float) -> Callable[[], tuple[np.ndarray, int, int]]:
    """dask-glm's solver, counting its iterations and its computes by wrapping the functions it calls."""
    import dask_glm.algorithms as algorithms
    import dask_glm.families as families

    def fit() -> tuple[np.ndarray, int, int]:
        counts = {"rounds": 0, "nit": 0}
        if method == "newton":
            real_hessian = families.Logistic.hessian

            def hessian(*args: Any) -> Any:  # built once per iteration, computed with the gradient
                counts["rounds"] += 1
                counts["nit"] += 1
                return real_hessian(*args)

            families.Logistic.hessian = staticmethod(hessian)  # type: ignore[method-assign]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    x = algorithms.newton(X, y, normalize=False, tol=1e-8, max_iter=100)
            finally:
                families.Logistic.hessian = staticmethod(real_hessian)  # type: ignore[method-assign]
            return np.asarray(x), counts["nit"], counts["rounds"]

        real_compute, real_lbfgs = algorithms.compute, algorithms.fmin_l_bfgs_b

        def compute(*args: Any, **kwargs: Any) -> Any:
            counts["rounds"] += 1
            return real_compute(*args, **kwargs)

        def fmin_l_bfgs_b(*args: Any, **kwargs: Any) -> Any:
            x, f, info = real_lbfgs(*args, **kwargs)
            counts["nit"] = int(info["nit"])
            return x, f, info

        algorithms.compute, algorithms.fmin_l_bfgs_b = compute, fmin_l_bfgs_b
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                x = algorithms.lbfgs(X, y, normalize=False, tol=tol, max_iter=10_000)
        finally:
            algorithms.compute, algorithms.fmin_l_bfgs_b = real_compute, real_lbfgs
        return np.asarray(x), counts["nit"], counts["rounds"]

    return fit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200_000, help="samples (default 200000)")
    parser.add_argument("--d", type=int, default=20, help="columns of X, the ones column included (default 20)")
    parser.add_argument("--blocks", type=int, default=8, help="row blocks (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes, one thread each (default 2)")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of each fit, >= 3 (default 5)")
    parser.add_argument("--tol", type=float, default=1e-6, help="max|gradient| of the mean loss to stop at (default 1e-6)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-dask-glm", action="store_true")
    args = parser.parse_args()
    if args.repeats < 3:
        parser.error("--repeats must be >= 3 (the table shows medians)")
    tol = args.tol * args.n  # the objective is the sum over samples

    try:
        import dask_glm  # noqa: F401
    except ImportError:
        args.skip_dask_glm = True
        print("dask-glm is not installed (pip install dask-glm): its rows are left out")

    with distributed.LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster):
        X, y = make_data(args.n, args.d, args.blocks, args.seed)
        X_memory, y_memory = dask.compute(X, y)
        options = dict(loss="log_loss", fit_intercept=False, reduction="sum")
        start = time.perf_counter()
        cost = descend.dask.Cost(X, y, **options)
        setup = time.perf_counter() - start
        memory = descend.Cost(X_memory, y_memory, **options)
        print(
            f"n={args.n} d={args.d} blocks={args.blocks} workers={args.workers}x1 thread, "
            f"X {X.nbytes / 1e6:.1f} MB; median of {args.repeats}; descend.dask.Cost set-up {setup:.2f} s"
        )

        runs: list[Run] = []
        for method in ("newton", "lbfgs"):
            fits: list[tuple[str, Callable[[], tuple[np.ndarray, int, int]]]] = [
                ("descend.dask", descend_fit(cost, method, tol)),
                ("descend in memory", descend_fit(memory, method, tol)),
            ]
            if not args.skip_dask_glm:
                fits.append(("dask-glm", dask_glm_fit(X, y, method, tol)))
            for name, fit in fits:
                seconds, iterations, rounds, x = timed(args.repeats, fit)
                runs.append(Run(method, name, seconds, iterations, rounds, x))

        optimum = solvers.newton(memory, tol=1e-3 * tol).x
        print()
        print(f"{'method':<7} {'implementation':<18} {'iters':>5} {'rounds':>6} {'total s':>8} "
              f"{'ms/iter':>8} {'vs descend.dask':>15} {'max|x - x*|/max|x*|':>20}")
        for run in runs:
            ours = next(r for r in runs if r.method == run.method and r.implementation == "descend.dask")
            per = run.seconds / max(run.iterations, 1)
            ratio = per / (ours.seconds / max(ours.iterations, 1))
            error = float(np.max(np.abs(run.x - optimum)) / np.max(np.abs(optimum)))
            print(f"{run.method:<7} {run.implementation:<18} {run.iterations:>5} {run.rounds:>6} {run.seconds:>8.3f} "
                  f"{1e3 * per:>8.1f} {ratio:>14.2f}x {error:>20.1e}")
        print("\nvs descend.dask > 1: slower per iteration than descend.dask; rounds: computes on the cluster "
              "(descend: evaluations, one pass over the data each)")


if __name__ == "__main__":
    main()
