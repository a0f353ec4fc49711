"""Standard errors at descend's speed: an unpenalised logistic fit plus its nonrobust standard
errors, descend against statsmodels' Logit(...).fit() plus .bse, on the same data, the same
objective and (checked) the same answer; and HC1 standard errors after the fit against the time
of two Hessian evaluations.

    python benchmarks/bench_inference.py                     # 500 000 × 100, about 3 minutes
    python benchmarks/bench_inference.py --n 100000 --d 50 --repeats 3

With one thread each (descend n_threads=1, statsmodels' BLAS limited by threadpoolctl) and
with all threads; statsmodels' BLAS threads make the all-threads comparison depend on the
machine's load. Medians of --repeats rounds, interleaved (benchmarks/timing.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
from collections.abc import Iterator
from pathlib import Path

import numpy as np

import descend
from descend.estimators import LogisticRegression
from timing import ratio, side_by_side


def problem(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    coef = rng.normal(scale=1.0 / np.sqrt(d), size=d)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ coef + 0.3)))).astype(np.float64)
    return X, y


@contextlib.contextmanager
def blas_threads(count: int | None) -> Iterator[None]:
    if count is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=count):
        yield


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500_000)
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    import statsmodels.api as sm

    X, y = problem(args.n, args.d)
    exog = np.column_stack([X, np.ones(args.n)])
    results: dict[str, object] = {"n": args.n, "d": args.d, "cpu": platform.processor() or platform.machine()}
    for label, threads in (("one thread", 1), ("all threads", None)):
        def ours() -> np.ndarray:
            model = LogisticRegression(C=np.inf, tol=1e-8, n_threads=threads).fit(X, y)
            return model.inference().bse

        def theirs() -> np.ndarray:
            with blas_threads(threads):
                return np.asarray(sm.Logit(y, exog).fit(disp=0, method="newton", tol=1e-8).bse)

        np.testing.assert_allclose(ours(), theirs(), rtol=1e-6)  # the same answer
        timings = side_by_side({"descend": ours, "statsmodels": theirs}, repeats=args.repeats)
        speedup = ratio(timings["statsmodels"], timings["descend"])
        print(f"{label}: fit + nonrobust bse  descend {timings['descend'].seconds:.3f} s, statsmodels "
              f"{timings['statsmodels'].seconds:.3f} s: descend {speedup:.1f}x faster")  # fmt: skip
        results[label] = {name: timing.as_dict() for name, timing in timings.items()} | {"speedup": speedup}

    model = LogisticRegression(C=np.inf, tol=1e-8).fit(X, y)
    cost = descend.Cost(X, y, loss="log_loss", reduction="sum")
    w = np.append(model.coef_[0], model.intercept_)
    timings = side_by_side(
        {"HC1 after the fit": lambda: model.inference(cov_type="HC1"), "Hessian": lambda: cost.hessian(w)},
        repeats=args.repeats,
    )
    hc1 = ratio(timings["HC1 after the fit"], timings["Hessian"])
    print(f"HC1 standard errors after the fit: {timings['HC1 after the fit'].seconds:.3f} s = {hc1:.2f} Hessian "
          f"evaluations ({timings['Hessian'].seconds:.3f} s each; target at most 2)")  # fmt: skip
    results["HC1"] = {name: timing.as_dict() for name, timing in timings.items()} | {"hessians": hc1}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
