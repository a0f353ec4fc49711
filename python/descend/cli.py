"""The command line.

  descend demo [--plot FILE.png]       gradient descent, Newton and L-BFGS side by side
  descend fit DATA.csv --target COLUMN  fit a linear or logistic model to a CSV file
  descend predict MODEL.json DATA.csv   predict with a model saved by ``descend fit --save``

Bad input (a missing file or column, a cell that is not a number, ...) ends with
exit status 2 and one line on standard error, ``descend: error: ...``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import numpy as np

from . import __version__
from ._csv import InputError, Table, read_table, write_table
from ._datasets import exam_results
from ._result import IterationInfo, LearningRateSweep, OptimizeResult
from ._validation import FloatArray
from .cost import LOSS_TABLE, Cost, multinomial_coefficients
from .inference import COV_TYPES, Inference, inference
from .solvers import adam, gradient_descent, lbfgs, newton, sgd

MODEL_FORMAT = "descend-model"
MODEL_VERSION = 1
MAX_ITER = {"newton": 100, "lbfgs": 1000, "gd": 10000}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line: ``descend: error: ...``, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"descend: error: {message} (see '{self.prog} --help')\n")


# ---------------------------------------------------------------------------
# Output


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> str:
    """A plain-text table; ``align`` has one letter per column, "l" or "r"."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [cell.ljust(w) if a == "l" else cell.rjust(w) for cell, w, a in zip(cells, widths, align)]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def _duration(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def _write_figure(figure: Any, path: str) -> None:
    try:
        figure.savefig(path, dpi=120)
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error.strerror or error})") from None


def _plot_module() -> Any:
    """descend.plot, or an InputError saying how to get matplotlib (checked before any work)."""
    try:
        from . import plot

        plot._new_figure(1.0, 1.0)
    except ImportError:
        raise InputError('--plot needs matplotlib: pip install "descend[plot]" (or pip install matplotlib)') from None
    return plot


class Progress:
    """Solver progress on a stream (standard error).

    ``mode="verbose"``: one line per iteration. ``"normal"``: nothing for the first
    ``delay`` seconds, then a live line (iteration, cost, max|gradient|) redrawn in
    place with a carriage return on a terminal, or a line every ``every`` seconds
    elsewhere. ``"quiet"``: nothing.
    """

    def __init__(
        self,
        mode: str = "normal",
        stream: TextIO | None = None,
        *,
        delay: float = 2.0,
        every: float = 0.2,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.mode = mode
        self.stream = sys.stderr if stream is None else stream
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.delay = delay
        self.every = every if self.live else max(every, 5.0)
        self.clock = clock
        self.start = clock()
        self.shown = -math.inf
        self.width = 0

    def __call__(self, info: IterationInfo) -> bool:
        text = f"iteration {info.iteration:>7d}   cost {info.fun:.10g}   max|gradient| {info.grad_norm:.3e}"
        if self.mode == "verbose":
            print(text, file=self.stream, flush=True)
        elif self.mode == "normal":
            now = self.clock()
            if now - self.start >= self.delay and now - self.shown >= self.every:
                self.shown = now
                if self.live:
                    self.stream.write("\r" + text.ljust(self.width))
                    self.width = len(text)
                else:
                    self.stream.write(text + "\n")
                self.stream.flush()
        return True

    def close(self) -> None:
        """Clear the live line, if one was drawn."""
        if self.live and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


# ---------------------------------------------------------------------------
# descend demo


class _Quartic:
    """f(x) = (x − 2)⁴ + x, the README's one-parameter cost."""

    dim = 1

    def value(self, x: Any) -> float:
        return float((x[0] - 2.0) ** 4 + x[0])

    def gradient(self, x: Any) -> Any:
        return np.array([4.0 * (x[0] - 2.0) ** 3 + 1.0])

    def hessian(self, x: Any) -> Any:
        return np.array([[12.0 * (x[0] - 2.0) ** 2]])


def _demo(args: argparse.Namespace) -> int:
    plot = _plot_module() if args.plot else None
    X, y, names = exam_results()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    l2, tol, max_iter = 0.01, 1e-8, 1000
    cost = Cost(X, y, loss="log_loss", l2=l2)
    # The learning rates come from the curvature at the minimum: near it a fixed step α
    # contracts only while α < 2/L, L the largest eigenvalue of the Hessian there. Above
    # 2/L the minimum repels and the iterates overshoot into an oscillation (for this
    # cost a stable one between two points, whatever the CPU's rounding); far below
    # 1/L the steps are too short to arrive in max_iter.
    curvature = float(np.linalg.eigvalsh(cost.hessian(newton(cost, tol=1e-12).x))[-1])
    slow, good, fast = 0.01 / curvature, 1.0 / curvature, 2.4 / curvature
    runs: list[tuple[str, Callable[[], OptimizeResult]]] = [
        ("gradient descent, α = 0.01/L (too small)",
         lambda: gradient_descent(cost, learning_rate=slow, max_iter=max_iter, tol=tol)),
        ("gradient descent, α = 1/L (good)",
         lambda: gradient_descent(cost, learning_rate=good, max_iter=max_iter, tol=tol)),
        ("gradient descent, α = 2.4/L (too large)",
         lambda: gradient_descent(cost, learning_rate=fast, max_iter=max_iter, tol=tol)),
        ("gradient descent, backtracking from α = 2.4/L",
         lambda: gradient_descent(cost, step="backtracking", learning_rate=fast, max_iter=max_iter, tol=tol)),
        ("gradient descent, curvature step α = gᵀg/gᵀHg",
         lambda: gradient_descent(cost, step="curvature", max_iter=max_iter, tol=tol)),
        ("Newton's method, step H⁻¹∇J", lambda: newton(cost, tol=tol)),
        ("L-BFGS", lambda: lbfgs(cost, max_iter=max_iter, tol=tol)),
    ]  # fmt: skip
    results: list[OptimizeResult] = []
    rows = []
    for label, run in runs:
        start = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - start
        results.append(result)
        rows.append(
            (label, str(result.nit), f"{result.fun:.10f}", f"{result.grad_norm:.1e}", _duration(elapsed),
             str(result.status))
        )  # fmt: skip
    newton_result = results[5]

    print(
        f"descend demo: logistic regression, {X.shape[0]} students passing an exam or not, "
        f"{X.shape[1]} standardised features, l2 = {l2:g}"
    )
    print(f"every method from w = 0 until max|∇J| ≤ {tol:g}, at most {max_iter} iterations")
    print(
        f"L = {curvature:.4g}, the largest eigenvalue of the Hessian at the minimum: a fixed learning rate "
        f"settles there only if α < 2/L = {2 / curvature:.4g}\n"
    )
    print(_table(("method", "iterations", "final cost", "max|∇J|", "time", "status"), rows, "lrrrrl"))
    print(
        f"\nToo small a learning rate is slow ({results[0].nit} iterations and still short of the minimum);"
        f"\ntoo large a one overshoots: above 2/L the minimum repels, and here the iterates oscillate for ever"
        f"\n(cost {results[2].fun:.4f}, not {newton_result.fun:.4f}). On a least-squares cost, whose curvature is the"
        "\nsame everywhere, they would diverge. The ideal rate is 1/f″: along the gradient that is the"
        f"\ncurvature step; with the whole Hessian it is Newton's method, {newton_result.nit} iterations."
    )
    if plot is not None:
        labels = [label for label, _ in runs]
        _write_figure(plot.convergence(results, labels, title="descend demo: convergence"), args.plot)
        sweep = LearningRateSweep(rates=np.array([slow, good, fast]), results=results[:3])
        second = _sibling(args.plot, "-learning-rates")
        _write_figure(plot.learning_rates(sweep, optimum=newton_result.fun), second)
        # Two parameters (the first two features, no intercept), so that the paths can be drawn.
        pair = Cost(X[:, :2], y, loss="log_loss", l2=l2, fit_intercept=False)
        begin = np.array([-2.0, 3.0])
        paths = [
            gradient_descent(pair, begin, learning_rate=good, max_iter=60, tol=tol, store_path=True),
            sgd(pair, begin, learning_rate=good / 4, momentum=0.75, batch_size=None, epochs=60, tol=tol,
                store_path=True),
            adam(pair, begin, learning_rate=0.25, batch_size=40, epochs=3, seed=0, store_path=True),
            newton(pair, begin, tol=tol, store_path=True),
        ]  # fmt: skip
        names_ = ["gradient descent, α = 1/L", "momentum 0.75, α = 1/(4L)", "Adam, batches of 40", "Newton"]
        third = _sibling(args.plot, "-paths")
        _write_figure(plot.paths(pair, paths, names_, title=f"descend demo: paths on ({names[0]}, {names[1]})"), third)
        fourth = _sibling(args.plot, "-steps")
        _write_figure(plot.steps_1d(_Quartic(), 3.0, [0.005, 0.05, 0.16], steps=10), fourth)
        print(f"\nwrote {args.plot}, {second}, {third} and {fourth}")
    return 0


def _aligned(values: Sequence[float], digits: int = 10) -> list[str]:
    """Numbers with a common count of decimals, so that their points line up: about
    ``digits`` significant digits for the largest."""
    largest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    whole = int(math.floor(math.log10(largest))) + 1 if largest >= 1 else 1
    decimals = min(max(digits - whole, 1), 15)
    return [f"{v:.{decimals}f}" for v in values]


def _sibling(path: str, suffix: str) -> str:
    """'out/demo.png' → 'out/demo-learning-rates.png'."""
    file = Path(path)
    return str(file.with_name(file.stem + suffix + (file.suffix or ".png")))


# ---------------------------------------------------------------------------
# descend fit


def _as_label(text: str) -> Any:
    """A class label for the model file: an int or float when the cell is a number, else the text."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and math.isfinite(number) else number


def _target(table: Table, column: str, loss: str | None) -> tuple[str, FloatArray, list[Any] | None]:
    """The loss, the target as numbers (0/1 for log loss, class indices for multinomial) and the
    class labels (the classifiers only)."""
    cells = table.texts(column)
    labels = [_as_label(cell) for cell in cells]
    numeric = all(not isinstance(label, str) for label in labels)
    distinct = sorted(set(labels)) if numeric else sorted(set(cells))
    if loss is None:
        loss = "log_loss" if len(distinct) == 2 else "squared_error" if numeric else "multinomial"
    if loss == "multinomial":
        if len(distinct) < 2:
            raise InputError(f"{table.path}: a classifier needs two classes or more, column {column!r} has one")
        index = {label: k for k, label in enumerate(distinct)}
        y = np.array([index[key] for key in (labels if numeric else cells)], dtype=np.float64)
        return loss, y, list(distinct)
    if loss == "log_loss":
        if len(distinct) != 2:
            shown = ", ".join(map(str, distinct[:5])) + (", ..." if len(distinct) > 5 else "")
            raise InputError(
                f"{table.path}: log loss needs a target with two values (classes), but column {column!r} "
                f"has {len(distinct)}: {shown}"
            )
        keys = labels if numeric else cells
        y = np.array([key == distinct[1] for key in keys], dtype=np.float64)
        return loss, y, list(distinct)
    return loss, table.numbers([column])[:, 0], None


def _l2(args: argparse.Namespace, n_samples: int) -> float:
    if args.C is not None:
        if not args.C > 0:
            raise InputError(f"--C must be > 0, got {args.C:g}")
        return 0.0 if math.isinf(args.C) else 1.0 / (args.C * n_samples)
    if args.l2 is not None:
        if not (args.l2 >= 0 and math.isfinite(args.l2)):
            raise InputError(f"--l2 must be a finite number >= 0, got {args.l2:g}")
        return float(args.l2)
    return 0.0


def _solve(cost: Cost, args: argparse.Namespace, progress: Progress) -> OptimizeResult:
    max_iter = MAX_ITER[args.solver] if args.max_iter is None else args.max_iter
    if max_iter < 0:
        raise InputError(f"--max-iter must be >= 0, got {max_iter}")
    if not args.tol >= 0:
        raise InputError(f"--tol must be >= 0, got {args.tol:g}")
    # tol is relative to the gradient at the start, so that it means the same for any scale of y.
    start = float(np.max(np.abs(cost.gradient(np.zeros(cost.dim)))))
    options: dict[str, Any] = {"tol": args.tol * max(1.0, start), "max_iter": max_iter, "callback": progress}
    if args.solver == "newton":
        return newton(cost, **options)
    if args.solver == "lbfgs":
        return lbfgs(cost, **options)
    if args.learning_rate is None:
        return gradient_descent(cost, step="curvature", **options)
    if not (args.learning_rate > 0 and math.isfinite(args.learning_rate)):
        raise InputError(f"--learning-rate must be a finite number > 0, got {args.learning_rate:g}")
    return gradient_descent(cost, learning_rate=args.learning_rate, **options)


def _advice(result: OptimizeResult, args: argparse.Namespace, separated: bool) -> str:
    """One line on what went wrong and which option to change, or "" when all is well."""
    if separated:
        return (
            "the two classes are perfectly separated: without a penalty the coefficients grow without "
            "bound and stop only where the solver does; add a penalty (--l2 or --C)"
        )
    if result.success:
        return ""
    done = f"not converged: {result.status} after {result.nit} iterations, max|∇J| {result.grad_norm:.3g}"
    if result.status == "max_iterations":
        more = ["raise --max-iter"]
        if args.solver == "gd":
            more.append("use a larger --learning-rate (or none, for the curvature step)" if args.learning_rate
                        else "use --solver newton")  # fmt: skip
        else:
            more.append("scale the features")
        return f"{done}; {', or '.join(more)}"
    if result.status == "no_minimum":
        return f"{done}; the cost has no minimum (the classes are separated, or nearly): add a penalty (--l2 or --C)"
    if result.status == "diverged":
        return f"{done}; lower --learning-rate (or omit it, for the curvature step), or use --solver newton"
    if result.status == "line_search_failed":
        return f"{done}; the cost cannot decrease further at this precision: raise --tol, or scale the features"
    return f"{done}: {result.message}"


def _fit(args: argparse.Namespace) -> int:
    plot = _plot_module() if args.plot else None
    if args.learning_rate is not None and args.solver != "gd":
        raise InputError(f"--learning-rate is for --solver gd, not --solver {args.solver}")
    reading = time.perf_counter()
    table = read_table(args.data)
    table.index(args.target)
    if args.groups is not None and args.cov_type != "cluster":
        raise InputError("--groups is for --cov-type cluster")
    if args.cov_type == "cluster" and args.groups is None:
        raise InputError("--cov-type cluster needs --groups COLUMN, the cluster labels")
    if args.groups is not None:
        table.index(args.groups)
        if args.groups == args.target:
            raise InputError("--groups must name another column than --target")
    features = [name for name in table.header if name not in (args.target, args.groups)]
    if not features:
        raise InputError(f"{args.data}: no feature columns besides the target {args.target!r}")
    loss, y, classes = _target(table, args.target, args.loss)
    X = table.numbers(features)
    n_samples = X.shape[0]
    reading = time.perf_counter() - reading
    l2 = _l2(args, n_samples)
    cost = Cost(X, y, loss=loss, fit_intercept=not args.no_intercept, l2=l2)
    progress = Progress("verbose" if args.verbose else "quiet" if args.quiet else "normal")
    start = time.perf_counter()
    try:
        result = _solve(cost, args, progress)
    finally:
        progress.close()
    elapsed = time.perf_counter() - start

    if loss == "multinomial":
        return _report_multinomial(args, cost, result, X, y, features, classes or [], l2, elapsed, reading, plot)
    coefficients = result.x[: len(features)]
    intercept = float(result.x[-1]) if not args.no_intercept else 0.0
    z = X @ coefficients + intercept
    if classes is not None:
        what = f"log loss, P({args.target} = {classes[1]}) against {classes[0]}"
        fit_line = f"accuracy     {np.mean((z > 0) == (y == 1)):.4f} (on the data fitted)"
    else:
        what = "squared error"
        total = float(np.sum((y - y.mean()) ** 2))
        r2 = 1.0 - float(np.sum((y - z) ** 2)) / total if total > 0 else math.nan
        fit_line = f"R²           {r2:.6f} (on the data fitted)"
    _print_header(args, what, n_samples, len(features), l2)
    names = [*features, *([] if args.no_intercept else ["(intercept)"])]
    values = [*coefficients, *([] if args.no_intercept else [intercept])]
    separated = classes is not None and l2 == 0 and bool(np.all((z > 0) == (y == 1)))
    stats, why_not = _inference(cost, result, args, features, table, separated)
    if stats is None:
        print(_table(("feature", "coefficient"), list(zip(names, _aligned(values))), "lr"))
    else:
        low, high = stats.conf_int().T
        stat = stats.distribution
        rows = list(zip(names, _aligned(values), _aligned(list(stats.bse)), [f"{v:.3f}" for v in stats.statistic],
                        [f"{v:.4g}" for v in stats.pvalues], _aligned(list(low)), _aligned(list(high))))  # fmt: skip
        header = ("feature", "coefficient", "std err", stat, f"P>|{stat}|", "[0.025", "0.975]")
        print(_table(header, rows, "lrrrrrr"))
        print(f"\nstandard errors: {stats.cov_type} covariance" + (f", t with {_count(stats.df_test)} degrees of freedom"
              if stat == "t" else ", z (normal)") + (" (of the penalised estimate)" if l2 else ""))  # fmt: skip
    if why_not and not args.quiet:
        print(f"descend: note: no standard errors: {why_not}", file=sys.stderr)
    _print_summary(args, result, loss, l2, fit_line, elapsed, reading, separated)
    _save(args, {"loss": loss, "classes": classes, "features": features,
                 "coefficients": [float(c) for c in coefficients], "intercept": intercept, "l2": l2}, result, stats)
    _plot_fit(args, plot, result, what)
    return 0


def _save(args: argparse.Namespace, fitted: dict[str, Any], result: OptimizeResult, stats: Inference | None) -> None:
    """--save: the model as JSON (fitted: loss, classes, features, coefficients, intercept, l2)."""
    if args.save:
        model = {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "loss": fitted["loss"],
            "target": args.target,
            "classes": fitted["classes"],
            "features": fitted["features"],
            "coefficients": fitted["coefficients"],
            "intercept": fitted["intercept"],
            "fit_intercept": not args.no_intercept,
            "l2": fitted["l2"],
            "solver": args.solver,
            "status": str(result.status),
            "iterations": result.nit,
            "cost": result.fun,
        }
        if stats is not None:
            low, high = stats.conf_int().T
            model["inference"] = {
                "cov_type": stats.cov_type, "distribution": stats.distribution, "df": stats.df_test,
                "std_err": stats.bse.tolist(), "statistic": stats.statistic.tolist(),
                "pvalues": stats.pvalues.tolist(), "conf_int_95": np.column_stack([low, high]).tolist(),
            }  # fmt: skip
        try:
            Path(args.save).write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            raise InputError(f"{args.save}: cannot write ({error.strerror or error})") from None
        if not args.quiet:
            print(f"saved the model to {args.save}")


def _plot_fit(args: argparse.Namespace, plot: Any, result: OptimizeResult, what: str) -> None:
    if plot is not None:
        figure = plot.convergence(result, [args.solver], title=f"descend fit {Path(args.data).name}: {what}")
        _write_figure(figure, args.plot)
        if not args.quiet:
            print(f"wrote {args.plot}")


def _print_header(args: argparse.Namespace, what: str, n_rows: int, n_features: int, l2: float) -> None:
    """The fit's first two lines: the data, the target and the loss; the sizes and the settings."""
    print(f"descend fit {args.data}: target {args.target!r}, {what}")
    print(
        f"{n_rows} rows, {n_features} features, solver {args.solver}, l2 = {l2:g}, "
        f"intercept {'not fitted' if args.no_intercept else 'fitted'}\n"
    )


def _print_summary(
    args: argparse.Namespace, result: OptimizeResult, loss: str, l2: float, fit_line: str, elapsed: float,
    reading: float, separated: bool = False,
) -> None:
    """The lines under the coefficients: cost, fit, iterations, status, time, and any warning."""
    print(f"\nfinal cost   {result.fun:.10g} (mean {LOSS_TABLE[loss].words}"
          f"{' + l2 penalty' if l2 else ''})")  # fmt: skip
    print(fit_line)
    print(f"iterations   {result.nit}")
    print(f"status       {result.status}")
    print(f"time         {_duration(elapsed)}" + (f" (reading the file: {_duration(reading)})" if reading > 1 else ""))
    warning = _advice(result, args, separated=separated)
    if warning:
        print(f"descend: warning: {warning}", file=sys.stderr)


def _report_multinomial(
    args: argparse.Namespace, cost: Cost, result: OptimizeResult, X: FloatArray, y: FloatArray, features: list[str],
    classes: list[Any], l2: float, elapsed: float, reading: float, plot: Any,
) -> int:
    """The multinomial fit: one coefficient column per class, with the intercepts (and, without a
    penalty, the coefficients) normalised to sum to zero over the classes, as scikit-learn reports them."""
    K, d = len(classes), len(features)
    coef, b = multinomial_coefficients(result.x, d, K, not args.no_intercept, penalised=l2 > 0)
    W = coef.T
    z = X @ W + b
    what = f"multinomial log loss, {K} classes"
    _print_header(args, what, X.shape[0], d, l2)
    names = [*features, *([] if args.no_intercept else ["(intercept)"])]
    table = np.vstack([W, b[None, :]]) if not args.no_intercept else W
    columns = [_aligned(list(table[:, k])) for k in range(K)]
    rows = [[name, *(column[i] for column in columns)] for i, name in enumerate(names)]
    print(_table(("feature", *(str(label) for label in classes)), rows, "l" + "r" * K))
    print("\n(one coefficient column per class; intercepts" + (" and coefficients" if l2 == 0 else "")
          + " sum to zero over the classes, which the softmax does not see)")  # fmt: skip
    if args.cov_type is not None and not args.quiet:
        print("descend: note: no standard errors: not implemented for multinomial models", file=sys.stderr)
    fit_line = f"accuracy     {np.mean(np.argmax(z, axis=1) == y):.4f} (on the data fitted)"
    _print_summary(args, result, "multinomial", l2, fit_line, elapsed, reading)
    _save(args, {"loss": "multinomial", "classes": classes, "features": features, "coefficients": W.T.tolist(),
                 "intercept": b.tolist(), "l2": l2}, result, None)  # fmt: skip
    _plot_fit(args, plot, result, what)
    return 0


def _count(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _inference(
    cost: Cost, result: OptimizeResult, args: argparse.Namespace, features: list[str], table: Table, separated: bool
) -> tuple[Inference | None, str]:
    """The standard errors to print (None: none), and why none when they were expected."""
    if args.cov_type is None and cost.l2 > 0:
        return None, ""  # penalised: only on request
    if not result.success or separated:
        return None, "the fit did not converge to a minimum" if args.cov_type or not separated else ""
    groups = table.texts(args.groups) if args.cov_type == "cluster" else None
    try:
        return inference(cost, result.x, cov_type=args.cov_type or "nonrobust", groups=groups, names=features), ""
    except ValueError as error:
        return None, str(error)


# ---------------------------------------------------------------------------
# descend predict


def _load_model(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read ({error})") from None
    try:
        model = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{path}: not a JSON file ({error.msg} at line {error.lineno})") from None
    if not isinstance(model, dict) or model.get("format") != MODEL_FORMAT:
        raise InputError(f"{path}: not a model saved by 'descend fit --save'")
    try:
        features = [str(name) for name in model["features"]]
        coefficients = np.array(model["coefficients"], dtype=np.float64)
        loss = str(model["loss"])
        classes = model.get("classes")
        intercept: Any = np.array(model["intercept"], dtype=np.float64) if loss == "multinomial" else float(
            model["intercept"])  # fmt: skip
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"{path}: a damaged model file ({error})") from None
    if loss == "multinomial":
        K = len(classes) if isinstance(classes, list) else 0
        if K < 2 or coefficients.shape != (K, len(features)) or np.shape(intercept) != (K,):
            raise InputError(f"{path}: a damaged model file (classes, features, coefficients and intercepts "
                             "do not agree)")  # fmt: skip
        return {**model, "features": features, "coefficients": coefficients, "intercept": intercept}
    if coefficients.shape != (len(features),) or loss not in ("log_loss", "squared_error"):
        raise InputError(f"{path}: a damaged model file (features, coefficients and loss do not agree)")
    if loss == "log_loss" and not (isinstance(classes, list) and len(classes) == 2):
        raise InputError(f"{path}: a damaged model file (log loss without two class labels)")
    return {**model, "features": features, "coefficients": coefficients, "intercept": intercept}


def _predict(args: argparse.Namespace) -> int:
    model = _load_model(args.model)
    table = read_table(args.data)
    missing = [name for name in model["features"] if name not in table.header]
    if missing:
        raise InputError(
            f"{args.data}: no column {missing[0]!r}, which the model needs (features: {', '.join(model['features'])})"
        )
    X = table.numbers(model["features"])
    if model["loss"] == "multinomial":
        classes = model["classes"]
        logits = X @ model["coefficients"].T + model["intercept"]
        P = LOSS_TABLE["multinomial"].mean(logits)
        names = [f"probability_{label}" for label in classes] + ["label"]
        columns = [[repr(float(p)) for p in P[:, k]] for k in range(len(classes))]
        write_table(args.output, names, (*columns, [str(classes[k]) for k in np.argmax(logits, axis=1)]))
        if args.output and not args.quiet:
            print(f"wrote {X.shape[0]} predictions to {args.output}")
        return 0
    z = X @ model["coefficients"] + model["intercept"]
    if model["loss"] == "log_loss":
        negative, positive = model["classes"]
        probability = LOSS_TABLE["log_loss"].mean(z)
        labels = [positive if value > 0 else negative for value in z]
        write_table(args.output, ("probability", "label"), ([repr(float(p)) for p in probability], labels))
    else:
        write_table(args.output, ("prediction",), ([repr(float(value)) for value in z],))
    if args.output and not args.quiet:
        print(f"wrote {X.shape[0]} predictions to {args.output}")
    return 0


# ---------------------------------------------------------------------------
# The parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="descend",
        description="Losses, gradients and Hessians of linear and logistic models, minimised by "
        "gradient descent, Newton's method and L-BFGS.",
        epilog="Bad input ends with exit status 2 and one line on standard error. "
        "See 'descend COMMAND --help'.",
    )
    parser.add_argument("--version", action="version", version=f"descend {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="compare gradient descent, Newton and L-BFGS on a built-in dataset (offline, a second)",
        description="Fit logistic regression to a built-in dataset (400 students, 4 standardised features, "
        "l2 = 0.01) with gradient descent at a too-small, a good and a too-large learning rate, with "
        "backtracking, with the curvature step, with Newton's method and with L-BFGS, and print one table: "
        "iterations, final cost, max|gradient|, time and status of each.",
    )
    demo.add_argument(
        "--plot", metavar="FILE.png",
        help="also write two pictures: FILE.png, the convergence of every method (cost gap and gradient "
        "against iteration), and FILE-learning-rates.png, gradient descent at the three learning rates "
        "side by side (needs matplotlib)",
    )  # fmt: skip
    demo.set_defaults(run=_demo)

    fit = commands.add_parser(
        "fit",
        help="fit a linear or logistic model to a CSV file",
        description="Fit a model to DATA.csv (comma-separated, a header line naming the columns): the "
        "column --target against every other column, all of which must hold numbers (no empty cells, "
        "no NaN). Prints the coefficients by column name, the intercept, the final cost, the iterations, "
        "the status and the time. The cost is the mean loss plus (l2/2)·‖w‖² (intercept not penalised).",
        epilog="Progress: a fit that runs for more than two seconds shows a live line (iteration, cost, "
        "max|gradient|) on standard error; --verbose prints every iteration, --quiet nothing but the results.",
    )
    fit.add_argument("data", metavar="DATA.csv", help="the data: a CSV file with a header line")
    fit.add_argument("--target", required=True, metavar="COLUMN", help="the column to predict")
    fit.add_argument(
        "--loss", choices=("log_loss", "squared_error", "multinomial"),
        help="log_loss: logistic regression, the target has two values (numbers or text; the larger, or the "
        "later in alphabetical order, is the positive class); multinomial: softmax regression over every "
        "value of the target as a class (numbers or text); squared_error: least squares, a numeric target. "
        "Default: log_loss when the target has exactly two values, multinomial for a text target of more, "
        "squared_error otherwise",
    )  # fmt: skip
    fit.add_argument(
        "--solver", choices=("newton", "lbfgs", "gd"), default="newton",
        help="newton (default): Newton's method; lbfgs: L-BFGS; gd: gradient descent",
    )  # fmt: skip
    fit.add_argument(
        "--learning-rate", type=float, metavar="A",
        help="--solver gd only: a fixed step size A (w ← w − A·∇J). Default: the curvature step "
        "A = gᵀg / gᵀHg of every iteration",
    )  # fmt: skip
    penalty = fit.add_mutually_exclusive_group()
    penalty.add_argument("--l2", type=float, metavar="L", help="the L2 penalty λ of the mean cost (default 0)")
    penalty.add_argument(
        "--C", type=float, metavar="C", help="the penalty as scikit-learn's C: λ = 1/(C·n_rows); inf for none"
    )
    fit.add_argument("--no-intercept", action="store_true", help="fit no intercept (the model passes through 0)")
    fit.add_argument(
        "--cov-type", choices=COV_TYPES, metavar="TYPE",
        help="the covariance of the standard errors, z or t statistics, p-values and 95%% intervals printed "
        "beside the coefficients: nonrobust (default; printed by default for unpenalised fits only), HC0, HC1, "
        "HC2, HC3 (sandwich estimators) or cluster (with --groups)",
    )  # fmt: skip
    fit.add_argument(
        "--groups", metavar="COLUMN",
        help="--cov-type cluster: the column of cluster labels (numbers or text; not a feature)",
    )  # fmt: skip
    fit.add_argument(
        "--tol", type=float, default=1e-8, metavar="T",
        help="stop when max|∇J| ≤ T·max(1, max|∇J(0)|) (default 1e-8)",
    )  # fmt: skip
    fit.add_argument(
        "--max-iter", type=int, metavar="N", help="iterations at most (default: newton 100, lbfgs 1000, gd 10000)"
    )
    fit.add_argument(
        "--plot", metavar="FILE.png",
        help="write the convergence picture: cost gap and gradient against iteration (needs matplotlib)",
    )  # fmt: skip
    fit.add_argument(
        "--save", metavar="MODEL.json",
        help="save the model (loss, coefficients, intercept, feature names, target name, class labels) as JSON "
        "for 'descend predict'",
    )  # fmt: skip
    talk = fit.add_mutually_exclusive_group()
    talk.add_argument("--verbose", action="store_true", help="print every iteration (on standard error)")
    talk.add_argument("--quiet", action="store_true", help="print nothing but the results")
    fit.set_defaults(run=_fit)

    predict = commands.add_parser(
        "predict",
        help="predict with a model saved by 'descend fit --save'",
        description="Predict for every row of DATA.csv, which needs the model's feature columns (in any "
        "order; other columns are ignored). Writes CSV: for log loss the columns probability (of the "
        "positive class, the model's second class label) and label; for multinomial a column "
        "probability_<class> per class and label; for squared error the column prediction; one row per "
        "row of DATA.csv, in order.",
    )
    predict.add_argument("model", metavar="MODEL.json", help="a model saved by 'descend fit --save'")
    predict.add_argument("data", metavar="DATA.csv", help="the data: a CSV file with a header line")
    predict.add_argument("--output", metavar="FILE.csv", help="write the predictions here (default: standard output)")
    predict.add_argument("--quiet", action="store_true", help="print nothing but the predictions")
    predict.set_defaults(run=_predict)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:  # a terminal without UTF-8 gets '?' for α, not a crash
            reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except InputError as error:
        print(f"descend: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("descend: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. 'descend predict ... | head': stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
