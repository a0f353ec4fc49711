"""The performance targets (issue 5), checked against one run's results.

Each target is stated for the main workload (log loss, 500k×100 float64, C order,
all threads) unless it says otherwise. A target that is not met carries the
reason as measured in the same run, and what would close it.
"""

from __future__ import annotations

from typing import Any

FLOAT32_TOLERANCE = 1e-5  # ~100 float32 ulps, relative to the largest entry


def _n(x: int) -> str:
    return f"{x:,}".replace(",", " ")


def _main_kernel(results: dict[str, Any]) -> dict[str, Any] | None:
    n, d = results["main"]
    for row in results.get("kernels", []):
        w = row["workload"]
        if (w["n"], w["d"], w["loss"], w["order"], w["dtype"], w["threads"]) == (n, d, "log_loss", "C", "float64", "all"):
            return row
    return None


def _one_thread(results: dict[str, Any], want: str = "") -> dict[str, Any] | None:
    """The main workload on one thread, if it ran (with the Hessian when `want` says so)."""
    n, d = results["main"]
    for row in results.get("kernels", []):
        w = row["workload"]
        if (w["n"], w["d"], w["loss"], w["order"], w["dtype"], w["threads"]) == (n, d, "log_loss", "C", "float64", "1"):
            if not want or want in row:
                return row
    return None


def _target(name: str, goal: str, measured: str, met: bool | None, note: str = "") -> dict[str, Any]:
    return {"target": name, "goal": goal, "measured": measured, "met": met, "note": "" if met else note}


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    main = _main_kernel(results)
    n, d = results["main"]
    size = f"{_n(n)}×{d}"
    if main is not None:
        r, t = main["ratios"], main["times"]
        stream_ms = t["stream"]["seconds"] * 1e3
        one = _one_thread(results)
        out.append(_target(
            f"value+gradient vs a read of X ({size})", "≤ 1.5× stream",
            f"{r['vs_stream']:.2f}× stream" + (f" (one thread: {one['ratios']['vs_stream']:.2f}×)" if one else ""),
            r["vs_stream"] <= 1.5,
            f"descend {t['descend']['seconds'] * 1e3:.1f} ms against a {stream_ms:.1f} ms read: the rest is the "
            "loss (an exp, a log and a division per sample) and the second, cached pass for Xᵀ·L′, "
            "which a second core overlaps with the other's memory reads only when it is not busy "
            "with other work (this machine is shared).",
        ))
        if "sklearn_speedup" in r:
            floor = r["sklearn_vs_stream"]
            out.append(_target(
                "value+gradient vs scikit-learn's loss_gradient", "≥ 4× faster", f"{r['sklearn_speedup']:.1f}× faster",
                r["sklearn_speedup"] >= 4.0,
                f"scikit-learn took {floor:.1f}× the read of X (it reads X twice, for X·w and for Xᵀ·L′, "
                f"around its loss): a kernel at exactly the speed of the read would be {floor:.1f}× faster "
                f"than it, and descend takes {r['vs_stream']:.2f}× the read. More than that needs a workload "
                "where scikit-learn's loss rather than memory dominates (narrow X: see 2M×20).",
            ))
        if "reference_speedup" in r:
            floor = r["reference_speedup"] * r["vs_stream"]
            out.append(_target(
                "value+gradient vs the NumPy reference", "≥ 8× faster", f"{r['reference_speedup']:.1f}× faster",
                r["reference_speedup"] >= 8.0,
                f"the reference took {floor:.1f}× the read of X: it copies X into a new array (np.hstack "
                f"with the intercept column: a read, a write and the page faults of {n * d * 8 / 1e6:.0f} MB) "
                "and reads the copy twice. A kernel at exactly the speed of the read would be "
                f"{floor:.1f}× faster than it; descend is {r['vs_stream']:.2f}× the read.",
            ))
        if "hessian" in main:
            hr = main["hessian"]["ratios"]
            ratio = hr["vs_gram"]
            gemm = (f"; {hr['vs_gemm']:.2f}× a GEMM, and NumPy's X.T @ X is {hr['gram_vs_gemm']:.2f}× the GEMM"
                    if "vs_gemm" in hr else "")
            one = _one_thread(results, "hessian")
            out.append(_target(
                "Hessian vs NumPy's X.T @ X", "≤ 0.75×", f"{ratio:.2f}×" + gemm, ratio <= 0.75,
                "NumPy's X.T @ X is not a general matrix product: NumPy sees one array and its transpose "
                "and calls the BLAS's symmetric rank-k update (dsyrk), the same half of the flops descend "
                "computes (plus descend's pass for the weights). Against OpenBLAS's dsyrk the floor is parity"
                + (f"; on one thread descend takes {one['hessian']['ratios']['vs_gram']:.2f}× its time"
                   if one and "hessian" in one else "")
                + ". OpenBLAS threads dsyrk poorly on this tall, narrow shape while descend splits the rows: "
                "when the second core is free (not in every run on this shared machine: compare the two "
                "streams) descend's Hessian takes half its one-thread time and the ratio drops to about 0.6 "
                "(76 ms against 134 ms, measured apart from this run). 0.75× on one core would need a faster "
                "rank-k kernel than Eigen's (its packing is ~15% of the time).",
            ))
    fit = results.get("fit")
    if fit and "speedup_vs_newton_cholesky" in fit:
        fn, fd = fit["n"], fit["d"]
        difference = fit["objective_relative_difference"]
        out.append(_target(
            f"LogisticRegression(newton) objective ({_n(fn)}×{fd}, C = 1)",
            "within 1e-9 of newton-cholesky (tol 1e-8)", f"{difference:+.1e} relative",
            difference <= 1e-9,
            "descend's J is higher than scikit-learn's: lower descend's tol.",
        ))
        out.append(_target(
            "LogisticRegression(newton) time vs newton-cholesky", "≥ 3× faster",
            f"{fit['speedup_vs_newton_cholesky']:.1f}× faster", fit["speedup_vs_newton_cholesky"] >= 3.0,
            "see the iteration counts in the fits table.",
        ))
        out.append(_target(
            "LogisticRegression(newton) time vs lbfgs (tol 1e-6)", "≥ 2× faster",
            f"{fit['speedup_vs_lbfgs']:.1f}× faster", fit["speedup_vs_lbfgs"] >= 2.0,
            "see the iteration counts in the fits table.",
        ))
    memory = results.get("memory", {}).get("fits", {}).get("descend newton")
    if memory:
        fraction = memory["added_fraction_of_X"]
        out.append(_target(
            "peak memory added by the Newton fit", "≤ 10% of X",
            f"{fraction:.1%} of X (+{memory['added_bytes'] / 2**20:.0f} MiB)", fraction <= 0.10,
            "the fit holds only O(n) vectors and O(d²) matrices; anything above that is a copy of X "
            "(input conversion) to be found with tracemalloc.",
        ))
    small = results.get("small_call")
    if small:
        us = small["times"]["descend"]["seconds"] * 1e6
        out.append(_target("100×5 value_and_gradient call", "≤ 5 µs", f"{us:.2f} µs", us <= 5.0,
                           "the Python wrapper and pybind11's conversions dominate at this size."))
    small_fit = results.get("small_fit", {}).get("fits", {})
    if "descend newton" in small_fit:
        ours = small_fit["descend newton"]["seconds"]
        solver_us = results["small_fit"].get("descend_solver_seconds", float("nan")) * 1e6
        for name, label in (("scikit-learn lbfgs", "lbfgs (its default)"),
                            ("scikit-learn newton-cholesky", "newton-cholesky")):
            if name in small_fit:
                speedup = small_fit[name]["speedup_of_descend_newton"]
                out.append(_target(
                    f"100×5 fit vs scikit-learn {label}", "≥ 5× faster", f"{speedup:.1f}× faster", speedup >= 5.0,
                    f"descend's fit takes {ours * 1e6:.0f} µs, of which the solver (descend._core.newton) "
                    f"{solver_us:.0f} µs: the rest is input validation the estimator borrows from "
                    "scikit-learn (validate_data, check_classification_targets and type_of_target: "
                    "the same calls scikit-learn's fit makes). Validating once, with NumPy checks, "
                    "would close it.",
                ))
    f32 = results.get("float32")
    if f32:
        out.append(_target(
            "float32 value+gradient vs float64", "≤ 0.6× the float64 time", f"{f32['ratio']:.2f}×",
            f32["ratio"] <= 0.6,
            f"float32 halves the bytes read (its read takes {f32['stream_ratio']:.2f}× the float64 one), but "
            "the arithmetic does not shrink: each block is widened to float64 before the products (the "
            "tests require float32 results equal to the float64 cost of the same data to 1e-12), so the "
            "loss and the cached pass cost what they cost in float64, plus the widening. A kernel that "
            "widens in registers while it multiplies (Eigen 3.4 has no vectorised float→double cast; "
            "Eigen 3.5 does) would remove the widening pass.",
        ))
        error = f32["relative_error_vs_reference"]
        out.append(_target(
            "float32 results vs the float64 reference", f"≤ {FLOAT32_TOLERANCE:g} relative", f"{error:.1e}",
            error <= FLOAT32_TOLERANCE, "",
        ))
    scaling = results.get("scaling")
    if scaling:
        ns = [row["n"] for row in scaling["rows"]]
        spread = scaling["max_over_min"]
        relative = [row["vs_stream"] for row in scaling["rows"]]
        slowest = max(scaling["rows"], key=lambda row: row["ns_per_sample"])
        fastest = min(scaling["rows"], key=lambda row: row["ns_per_sample"])
        out.append(_target(
            f"time per sample, n = {_n(min(ns))} … {_n(max(ns))}, d = {scaling['d']}",
            "flat within 20%",
            f"max/min = {spread:.2f} (one thread: {scaling['one_thread_max_over_min']:.2f}; "
            f"relative to the read of X: {max(relative) / min(relative):.2f})",
            spread <= 1.2,
            f"fastest at n = {_n(fastest['n'])} ({fastest['ns_per_sample']:.1f} ns per sample, "
            f"{fastest['vs_stream']:.2f}× stream), slowest at n = {_n(slowest['n'])} "
            f"({slowest['ns_per_sample']:.1f} ns, {slowest['vs_stream']:.2f}× stream). The read of X is not "
            "flat either (a small X stays in cache, a large one streams from memory, and a small call "
            "is more exposed to a busy core): compare descend's time relative to the read.",
        ))
    return out
