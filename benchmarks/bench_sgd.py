"""Mini-batch SGD side by side: one epoch of descend.sgd against a single-threaded streaming read
of X, and a whole one-epoch fit against scikit-learn's SGDClassifier(max_iter=1).

    python benchmarks/bench_sgd.py                    # 500 000 × 100 float64 log loss, batches of 256
    python benchmarks/bench_sgd.py --n 100000 --repeats 3

descend.sgd evaluates the full data's cost and gradient at the start and after every epoch (its
history); "one epoch" here is the run of epochs=1 minus two such evaluations, timed side by side.
scikit-learn's SGDClassifier steps one row at a time (its batches are single rows), so the
one-epoch fits do different work per epoch: both objectives are printed (the mean log loss plus
(α/2)‖w‖², α = 1e-4), neither is at the optimum. Times are medians of --repeats interleaved rounds.
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import numpy as np

import descend
from descend import _core
from timing import ratio, side_by_side

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500_000)
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, default=HERE / "results" / "sgd.json")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.n, args.d))
    y = (X @ rng.normal(size=args.d) / np.sqrt(args.d) + rng.logistic(size=args.n) > 0).astype(float)
    alpha = 1e-4
    cost = descend.Cost(X, y, loss="log_loss", l2=alpha)
    print(f"{args.n} × {args.d} float64, log loss, batches of {args.batch}; descend {descend.config()['level']} "
          f"kernels")  # fmt: skip

    w = np.zeros(cost.dim)
    timings = side_by_side(
        {
            "sgd, 1 epoch": lambda: descend.sgd(cost, learning_rate=0.1, batch_size=args.batch, epochs=1, seed=0),
            "value+gradient": lambda: cost.value_and_gradient(w),
            "stream, 1 thread": lambda: _core._stream_sum(X, 1),
        },
        args.repeats,
    )
    epoch = timings["sgd, 1 epoch"].seconds - 2 * timings["value+gradient"].seconds
    stream = timings["stream, 1 thread"].seconds
    print(f"one epoch (without the two full evaluations) {epoch * 1e3:.1f} ms; a single-threaded read of X "
          f"{stream * 1e3:.1f} ms: {epoch / stream:.2f}× the read (target ≤ 2.5×)")  # fmt: skip

    from sklearn.linear_model import SGDClassifier  # type: ignore[import-untyped]

    models: dict[str, object] = {}

    def ours() -> object:
        models["descend"] = descend.sgd(cost, learning_rate=0.1, batch_size=args.batch, epochs=1, seed=0)
        return models["descend"]

    def theirs() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            models["sklearn"] = SGDClassifier(loss="log_loss", alpha=alpha, max_iter=1, tol=None,
                                              random_state=0).fit(X, y)  # fmt: skip
        return models["sklearn"]

    fits = side_by_side({"descend.sgd": ours, "sklearn SGDClassifier": theirs}, args.repeats)
    model = models["sklearn"]
    theirs_x = np.append(model.coef_.ravel(), model.intercept_)  # type: ignore[attr-defined]
    objective = {"descend.sgd": models["descend"].fun, "sklearn SGDClassifier": cost.value(theirs_x)}  # type: ignore[attr-defined]
    speedup = ratio(fits["sklearn SGDClassifier"], fits["descend.sgd"])
    for name, timing in fits.items():
        print(f"{name:24} {timing.seconds:8.3f} s   objective {objective[name]:.6f}")
    print(f"descend.sgd (batches of {args.batch}) is {speedup:.1f}× faster than SGDClassifier(max_iter=1), which "
          f"steps one row at a time (target ≥ 3×)")  # fmt: skip
    record = {
        "problem": {"n": args.n, "d": args.d, "batch": args.batch, "level": descend.config()["level"]},
        "epoch_seconds": epoch,
        "stream_seconds": stream,
        "epoch_vs_stream": epoch / stream,
        "fit_seconds": {name: t.seconds for name, t in fits.items()},
        "objective": objective,
        "speedup_vs_sklearn": speedup,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
