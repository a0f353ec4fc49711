"""Kernel benchmarks: one evaluation of value+gradient (or of the Hessian) of the
linear-model cost, side by side with what bounds it and what it replaces.

Comparators, in the same run and the same process:

* ``stream``: ``descend._core._stream_sum(X, threads)``, a plain read of every entry
  of X with the kernels' threads and row partition: no pass over X is faster;
* ``scikit-learn``: ``LinearModelLoss(...).loss_gradient`` / ``.gradient_hessian``
  (sklearn.linear_model._linear_loss, on sklearn._loss's HalfBinomialLoss /
  HalfSquaredError) with the same number of threads;
* ``reference``: ``descend.reference.Cost``, the NumPy twin of the maths;
* ``X.T @ X``: NumPy's BLAS, the Gram matrix the Hessian is a weighted version of.

The objectives are the same: scikit-learn's binomial loss is exactly descend's log
loss, l2_reg_strength is λ; its squared error is *half* of descend's, so there it
gets λ/2 and its value, gradient and Hessian are doubled before they are compared
(the agreement columns check this on every workload).
"""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

import data
import descend
from descend import _core
from timing import Timing, ratio, side_by_side

try:
    from sklearn._loss.loss import HalfBinomialLoss, HalfSquaredError
    from sklearn.linear_model._linear_loss import LinearModelLoss
except ImportError:  # scikit-learn is optional: its columns are left empty
    LinearModelLoss = None

try:
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None

L2 = 1e-3


@dataclass(frozen=True)
class Workload:
    n: int
    d: int
    loss: str = "log_loss"
    order: str = "C"
    dtype: str = "float64"
    threads: str = "all"  # "all" or "1"
    reference: bool = False  # also time descend.reference (slow: it copies X)
    hessian: bool = False  # also time the Hessian against X.T @ X and scikit-learn

    @property
    def label(self) -> str:
        loss = "log" if self.loss == "log_loss" else "squared"
        return f"{loss} {self.n:_}×{self.d} {self.order} {self.dtype}".replace("_", " ")


def thread_count(threads: str) -> int:
    return 1 if threads == "1" else len(os.sched_getaffinity(0))


def _limits(threads: str) -> Any:
    """NumPy's BLAS (and OpenMP) at one thread for the one-thread workloads."""
    if threads == "1" and threadpool_limits is not None:
        return threadpool_limits(limits=1)
    return nullcontext()


def _sklearn_loss(loss: str) -> Any:
    base = HalfBinomialLoss() if loss == "log_loss" else HalfSquaredError()
    return LinearModelLoss(base_loss=base, fit_intercept=True)


def _rel(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(1e-300, float(np.max(np.abs(b)))))


def run_group(workloads: list[Workload], repeats: int, log: Any) -> list[dict[str, Any]]:
    """Runs workloads that share (n, d, loss) on one generated dataset, freed at the end."""
    first = workloads[0]
    base = data.make(first.n, first.d, first.loss, seed=first.n + first.d)
    results = []
    for workload in workloads:
        X = np.asarray(base.X, dtype=np.dtype(workload.dtype), order=workload.order)
        results.append(run(workload, X, base.y, base.truth, repeats, log))
        del X
    return results


def run(workload: Workload, X: np.ndarray, y: np.ndarray, truth: np.ndarray, repeats: int, log: Any) -> dict[str, Any]:
    threads = thread_count(workload.threads)
    cost = descend.Cost(X, y, workload.loss, l2=L2, n_threads=threads)
    used = int(cost._core.n_threads)  # small problems use fewer threads than asked
    w = 0.8 * truth
    half = workload.loss == "squared_error"  # scikit-learn's squared error is half of descend's
    candidates: dict[str, Any] = {
        "descend": lambda: cost.value_and_gradient(w),
        "stream": lambda: _core._stream_sum(X, used),
    }
    agreement: dict[str, float] = {}
    value, gradient = cost.value_and_gradient(w)
    if LinearModelLoss is not None:
        sk = _sklearn_loss(workload.loss)
        sk_l2 = L2 / 2 if half else L2
        # scikit-learn's losses take all-float32 or all-float64 arguments: on float32 X it computes in float32.
        sk_w, sk_y = w.astype(X.dtype), y.astype(X.dtype)
        candidates["scikit-learn"] = lambda: sk.loss_gradient(sk_w, X, sk_y, l2_reg_strength=sk_l2, n_threads=used)
        sk_value, sk_gradient = sk.loss_gradient(sk_w, X, sk_y, l2_reg_strength=sk_l2, n_threads=used)
        scale = 2.0 if half else 1.0
        agreement["scikit-learn"] = max(_rel(value, scale * sk_value), _rel(gradient, scale * sk_gradient))
    with _limits(workload.threads):
        # The fast candidates get twice the rounds (cheap, and the ratio to the read is the
        # one most exposed to a busy core); the slow reference is compared on its own.
        timings = side_by_side(candidates, 2 * repeats + 1)
        if workload.reference:
            reference = descend.reference.Cost(X, y, workload.loss, l2=L2)
            ref_value, ref_gradient = reference.value_and_gradient(w)
            agreement["reference"] = max(_rel(value, ref_value), _rel(gradient, ref_gradient))
            against = side_by_side({"descend": candidates["descend"],
                                    "reference": lambda: reference.value_and_gradient(w)}, repeats)
            timings["reference"] = against["reference"]
            reference_speedup = ratio(against["reference"], against["descend"])
            del reference
    result: dict[str, Any] = {
        "workload": asdict(workload),
        "label": workload.label,
        "threads_used": used,
        "times": {name: t.as_dict() for name, t in timings.items()},
        "agreement": agreement,
        "ratios": _ratios(timings),
    }
    if workload.reference:
        result["ratios"]["reference_speedup"] = reference_speedup
    log(_line(workload, used, timings, result["ratios"]))
    if workload.hessian:
        result["hessian"] = _hessian(workload, cost, X, y, w, used, repeats, log)
    return result


def _ratios(t: dict[str, Timing]) -> dict[str, float]:
    ratios = {"vs_stream": ratio(t["descend"], t["stream"])}
    if "scikit-learn" in t:
        ratios["sklearn_speedup"] = ratio(t["scikit-learn"], t["descend"])
        ratios["sklearn_vs_stream"] = ratio(t["scikit-learn"], t["stream"])
    return ratios


def _line(workload: Workload, used: int, t: dict[str, Timing], r: dict[str, float]) -> str:
    parts = [f"{workload.label:34s} {used}t  descend {t['descend'].seconds * 1e3:8.2f} ms"]
    parts.append(f"{r['vs_stream']:5.2f}× stream")
    if "sklearn_speedup" in r:
        parts.append(f"{r['sklearn_speedup']:5.1f}× faster than scikit-learn")
    if "reference_speedup" in r:
        parts.append(f"{r['reference_speedup']:5.1f}× faster than reference")
    return ",  ".join(parts)


def _hessian(workload: Workload, cost: Any, X: np.ndarray, y: np.ndarray, w: np.ndarray, used: int,
             repeats: int, log: Any) -> dict[str, Any]:
    half = workload.loss == "squared_error"
    candidates: dict[str, Any] = {
        "descend hessian": lambda: cost.hessian(w),
        "X.T @ X": lambda: X.T @ X,
        "descend value_gradient_hessian": lambda: cost.value_gradient_hessian(w),
    }
    gemm = _general_product(X)
    if gemm is not None:
        candidates["GEMM"] = gemm
    agreement = {}
    if LinearModelLoss is not None:
        sk = _sklearn_loss(workload.loss)
        sk_l2 = L2 / 2 if half else L2
        sk_w, sk_y = w.astype(X.dtype), y.astype(X.dtype)
        candidates["scikit-learn gradient_hessian"] = lambda: sk.gradient_hessian(
            sk_w, X, sk_y, l2_reg_strength=sk_l2, n_threads=used
        )
        _, sk_hessian, _ = sk.gradient_hessian(sk_w, X, sk_y, l2_reg_strength=sk_l2, n_threads=used)
        agreement["scikit-learn"] = _rel(cost.hessian(w), (2.0 if half else 1.0) * sk_hessian)
    with _limits(workload.threads):
        t = side_by_side(candidates, repeats)
    ratios = {"vs_gram": ratio(t["descend hessian"], t["X.T @ X"])}
    if "GEMM" in t:
        ratios["vs_gemm"] = ratio(t["descend hessian"], t["GEMM"])
        ratios["gram_vs_gemm"] = ratio(t["X.T @ X"], t["GEMM"])
    if "scikit-learn gradient_hessian" in t:
        ratios["sklearn_speedup"] = ratio(t["scikit-learn gradient_hessian"], t["descend value_gradient_hessian"])
    log(
        f"{'  Hessian':34s} {used}t  descend {t['descend hessian'].seconds * 1e3:8.2f} ms"
        f",  {ratios['vs_gram']:5.2f}× X.T@X"
        + (f" ({ratios['vs_gemm']:.2f}× a GEMM)" if "vs_gemm" in ratios else "")
        + (f",  value+gradient+Hessian {ratios['sklearn_speedup']:5.1f}× faster than scikit-learn"
           if "sklearn_speedup" in ratios else "")
    )
    return {"times": {name: x.as_dict() for name, x in t.items()}, "ratios": ratios, "agreement": agreement}


def _general_product(X: np.ndarray) -> Any:
    """XᵀX by the BLAS's general matrix product (dgemm), which NumPy's X.T @ X is not:
    NumPy sees that the two operands are one array and calls the symmetric rank-k
    update (dsyrk), half the flops. None without SciPy or for float32/F-order X."""
    try:
        from scipy.linalg.blas import dgemm
    except ImportError:
        return None
    if X.dtype != np.float64 or not X.flags.c_contiguous:
        return None
    Xt = X.T  # Fortran-ordered: passed to dgemm without a copy
    return lambda: dgemm(1.0, Xt, Xt, trans_b=True)


def float32_against_float64(n: int, d: int, repeats: int, log: Any) -> dict[str, Any]:
    """value+gradient on float32 X (accumulated in float64) against the same X in float64,
    side by side, and how far the float32 result is from the reference on the float64 data."""
    base = data.make(n, d, seed=n + d)
    X32 = base.X.astype(np.float32)
    costs = {"float64": descend.Cost(base.X, base.y, l2=L2), "float32": descend.Cost(X32, base.y, l2=L2)}
    w = 0.8 * base.truth
    used = int(costs["float64"]._core.n_threads)
    t = side_by_side(
        {
            "float64": lambda: costs["float64"].value_and_gradient(w),
            "float32": lambda: costs["float32"].value_and_gradient(w),
            "stream float64": lambda: _core._stream_sum(base.X, used),
            "stream float32": lambda: _core._stream_sum(X32, used),
        },
        repeats,
    )
    ref_value, ref_gradient = descend.reference.Cost(base.X, base.y, l2=L2).value_and_gradient(w)
    value, gradient = costs["float32"].value_and_gradient(w)
    error = max(_rel(value, ref_value), _rel(gradient, ref_gradient))
    f32_ratio = ratio(t["float32"], t["float64"])
    log(
        f"float32 vs float64 {n}×{d}: {t['float32'].seconds * 1e3:.2f} ms vs {t['float64'].seconds * 1e3:.2f} ms "
        f"= {f32_ratio:.2f}× (streams {ratio(t['stream float32'], t['stream float64']):.2f}×); "
        f"max relative error against the float64 reference {error:.1e}"
    )
    return {
        "n": n,
        "d": d,
        "threads_used": used,
        "times": {name: x.as_dict() for name, x in t.items()},
        "ratio": f32_ratio,
        "stream_ratio": ratio(t["stream float32"], t["stream float64"]),
        "relative_error_vs_reference": error,
    }


def scaling(ns: list[int], d: int, repeats: int, log: Any) -> dict[str, Any]:
    """Time per sample of value+gradient (log loss, C order, float64) over n, with all
    threads and with one (which no other process's load can take a core from)."""
    rows = []
    for n in ns:
        base = data.make(n, d, seed=n + d)
        costs = {"all": descend.Cost(base.X, base.y, l2=L2), "1": descend.Cost(base.X, base.y, l2=L2, n_threads=1)}
        used = int(costs["all"]._core.n_threads)
        w = 0.8 * base.truth
        t = side_by_side(
            {
                "descend": lambda: costs["all"].value_and_gradient(w),
                "stream": lambda: _core._stream_sum(base.X, used),
                "descend 1 thread": lambda: costs["1"].value_and_gradient(w),
                "stream 1 thread": lambda: _core._stream_sum(base.X, 1),
            },
            repeats,
            min_round_seconds=0.02,
        )
        rows.append(
            {
                "n": n,
                "threads_used": used,
                "seconds": t["descend"].seconds,
                "ns_per_sample": t["descend"].seconds / n * 1e9,
                "stream_ns_per_sample": t["stream"].seconds / n * 1e9,
                "vs_stream": ratio(t["descend"], t["stream"]),
                "one_thread_ns_per_sample": t["descend 1 thread"].seconds / n * 1e9,
                "one_thread_vs_stream": ratio(t["descend 1 thread"], t["stream 1 thread"]),
            }
        )
        log(
            f"scaling n={n:>9,} d={d}: {rows[-1]['ns_per_sample']:6.2f} ns/sample "
            f"({rows[-1]['vs_stream']:.2f}× stream, {used} threads); one thread "
            f"{rows[-1]['one_thread_ns_per_sample']:6.2f} ns/sample ({rows[-1]['one_thread_vs_stream']:.2f}× stream)"
        )
        del costs, base
    per_sample = [row["ns_per_sample"] for row in rows]
    one = [row["one_thread_ns_per_sample"] for row in rows]
    return {"d": d, "rows": rows, "max_over_min": max(per_sample) / min(per_sample),
            "one_thread_max_over_min": max(one) / min(one)}


def small_call(n: int, d: int, repeats: int, log: Any) -> dict[str, Any]:
    """One value_and_gradient call on a tiny problem through the Python API (µs):
    the fixed overhead every solver iteration pays."""
    base = data.make(n, d, seed=n + d)
    cost = descend.Cost(base.X, base.y, l2=L2)
    w = 0.8 * base.truth
    candidates: dict[str, Any] = {"descend": lambda: cost.value_and_gradient(w)}
    if LinearModelLoss is not None:
        sk = _sklearn_loss("log_loss")
        candidates["scikit-learn"] = lambda: sk.loss_gradient(w, base.X, base.y, l2_reg_strength=L2, n_threads=1)
    reference = descend.reference.Cost(base.X, base.y, l2=L2)
    candidates["reference"] = lambda: reference.value_and_gradient(w)
    t = side_by_side(candidates, repeats, min_round_seconds=0.05)
    log(
        f"value_and_gradient {n}×{d}: descend {t['descend'].seconds * 1e6:.2f} µs"
        + "".join(f", {name} {x.seconds * 1e6:.2f} µs" for name, x in t.items() if name != "descend")
    )
    return {"n": n, "d": d, "times": {name: x.as_dict() for name, x in t.items()}}
