"""The kernels at every dispatch level, and ridge regression against its peers, in one run.

    python benchmarks/bench_levels.py [--repeats 5] [--quick]

1. The Gram matrix. For each level this CPU runs (a child process per level, DESCEND_LEVEL set),
   descend's Hessian of 500 000 × 100 and 20 000 × 500 X against NumPy's ``X.T @ X`` (OpenBLAS's
   ``dsyrk``) in the same process, twice: with the kernel OpenBLAS picks for this CPU, and with
   the kernel it would pick on a CPU of that level (``OPENBLAS_CORETYPE``: Nehalem, SandyBridge,
   Haswell, SkylakeX), which is the comparison a user of such a CPU would see.
2. Ridge, α = 1, on the same shapes with offset features (mean 3): ``descend.LinearRegression``
   against scikit-learn's ``Ridge`` (cholesky, svd, lsqr, sparse_cg), scikit-learn-intelex's
   ``Ridge`` and glum's ``GeneralizedLinearRegressor`` (α scaled to the same objective), each at
   the objective of the best, to 1e-10 relative; and the peak memory the fit adds beyond X (a
   child process per fitter, VmHWM after clear_refs).

Medians of --repeats rounds; every comparison side by side in one run. Writes
benchmarks/results/levels.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
SHAPES = [(500_000, 100), (20_000, 500)]
CORETYPE = {"baseline": "Nehalem", "avx": "SandyBridge", "avx2": "Haswell", "avx512": "SkylakeX"}


def median_time(f: Callable[[], object], repeats: int) -> float:
    f()
    times = []
    for _ in range(repeats):
        time.sleep(0.2)  # OpenBLAS's threads spin for a while after a call: let them rest
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def data(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + 3.0
    y = X @ rng.normal(size=d) + rng.normal(size=n)
    return X, y


def gram_child(repeats: int) -> None:
    """In a child with DESCEND_LEVEL (and perhaps OPENBLAS_CORETYPE) set: one JSON line."""
    import descend

    out: dict[str, Any] = {"level": descend.config()["level"], "shapes": {}}
    for n, d in SHAPES:
        X, y = data(n, d)
        cost = descend.Cost(X, (y > np.median(y)).astype(float))
        w = np.zeros(cost.dim)
        numpy_time = median_time(lambda: X.T @ X, repeats)
        descend_time = median_time(lambda: cost.hessian(w), repeats)
        out["shapes"][f"{n}x{d}"] = {"numpy": numpy_time, "descend": descend_time, "ratio": descend_time / numpy_time}
    print(json.dumps(out))


def objective(coef: np.ndarray, intercept: float, X: np.ndarray, y: np.ndarray, alpha: float) -> float:
    r = y - X @ coef - intercept
    return float(r @ r + alpha * coef @ coef)


def ridge_fitters(alpha: float) -> dict[str, Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, float]]]:
    import descend
    from sklearn.linear_model import Ridge

    def sk(solver: str) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, float]]:
        def fit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
            m = Ridge(alpha=alpha, solver=solver, tol=1e-12).fit(X, y)
            return m.coef_, float(m.intercept_)

        return fit

    def ours(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
        m = descend.LinearRegression(alpha=alpha).fit(X, y)
        return m.coef_, float(m.intercept_)

    fitters = {"descend": ours}
    for solver in ("cholesky", "svd", "lsqr", "sparse_cg"):
        fitters[f"scikit-learn {solver}"] = sk(solver)
    try:
        from sklearnex.linear_model import Ridge as IntelRidge

        def intel(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
            m = IntelRidge(alpha=alpha).fit(X, y)
            return np.ravel(m.coef_), float(np.ravel(m.intercept_)[0]) if np.ndim(m.intercept_) else float(m.intercept_)

        fitters["scikit-learn-intelex"] = intel
    except ImportError:
        pass
    try:
        from glum import GeneralizedLinearRegressor

        def glum_fit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
            # glum minimises (1/2n)·Σ(y − z)² + (α'/2)‖w‖²: α' = 2α/(2n)·... = α/n for ours, Σ(y − z)² + α‖w‖².
            m = GeneralizedLinearRegressor(alpha=alpha / X.shape[0], l1_ratio=0.0, family="normal", gradient_tol=1e-12,
                                           scale_predictors=False).fit(X, y)  # fmt: skip
            return m.coef_, float(m.intercept_)

        fitters["glum"] = glum_fit
    except ImportError:
        pass
    return fitters


def memory_child(name: str, n: int, d: int, alpha: float) -> None:
    from peak_memory import _status  # a field of /proc/self/status, in bytes

    X, y = data(n, d)
    fit = ridge_fitters(alpha)[name]
    fit(X[:2000], y[:2000])  # imports and first-call set-up, before the mark
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    rss = _status("VmRSS")
    fit(X, y)
    print(json.dumps({"added": _status("VmHWM") - rss, "X": X.nbytes}))


def child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                            env=dict(os.environ, **(env or {})), check=True)  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="3 repeats, no memory measurements")
    parser.add_argument("--gram-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.gram_child:
        return gram_child(args.repeats)
    if args.memory_child:
        name, n, d = args.memory_child
        return memory_child(name, int(n), int(d), 1.0)
    repeats = 3 if args.quick else args.repeats
    import descend

    config = descend.config()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"CPU: {cpu}; levels this CPU runs: {', '.join(config['supported'])}")
    report: dict[str, Any] = {"cpu": cpu, "levels": {}, "ridge": {}}

    print("\n1. Hessian (Gram matrix) against NumPy's X.T @ X, per level")
    for level in config["supported"]:
        for blas in ("this CPU's", CORETYPE.get(level, "")):
            env = {"DESCEND_LEVEL": level}
            if blas != "this CPU's":
                env["OPENBLAS_CORETYPE"] = blas
            out = child(["--gram-child", "--repeats", str(repeats)], env)
            report["levels"].setdefault(level, {})[blas] = out["shapes"]
            cells = "; ".join(f"{shape}: {v['descend'] * 1e3:.0f} ms vs {v['numpy'] * 1e3:.0f} ms = {v['ratio']:.2f}×"
                              for shape, v in out["shapes"].items())  # fmt: skip
            print(f"  {level:8s} vs OpenBLAS {blas or '?':11s} {cells}", flush=True)

    print("\n2. Ridge, α = 1, offset features: time at the same objective, and memory added beyond X")
    fitters = ridge_fitters(1.0)
    for n, d in SHAPES:
        X, y = data(n, d)
        results = {name: fit(X, y) for name, fit in fitters.items()}
        objectives = {name: objective(c, b, X, y, 1.0) for name, (c, b) in results.items()}
        best = min(objectives.values())
        times = {name: median_time(lambda f=fit: f(X, y), repeats) for name, fit in fitters.items()}
        rows = {}
        for name in fitters:
            gap = (objectives[name] - best) / best
            row = {"time": times[name], "objective_gap": gap}
            if not args.quick:
                mem = child(["--memory-child", name, str(n), str(d)])
                row["memory_added"] = mem["added"] / mem["X"]
            rows[name] = row
        peers = [name for name in fitters if name != "descend" and rows[name]["objective_gap"] <= 1e-10]
        fastest = min(peers, key=lambda name: times[name]) if peers else None
        for name, row in sorted(rows.items(), key=lambda item: item[1]["time"]):
            memory = f", +{row['memory_added']:.0%} of X" if "memory_added" in row else ""
            print(f"  {n}x{d} {name:24s} {row['time'] * 1e3:7.0f} ms  objective gap {row['objective_gap']:.1e}{memory}")
        if fastest:
            speedup = times[fastest] / times["descend"]
            print(f"  {n}x{d}: the fastest peer at that objective ({fastest}) takes {speedup:.2f}× descend's time"
                  " (above 1: descend is faster)")
            rows["speedup_over_fastest"] = {"peer": fastest, "ratio": speedup}
        report["ridge"][f"{n}x{d}"] = rows
    out = HERE / "results" / "levels.json"
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwrote {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
