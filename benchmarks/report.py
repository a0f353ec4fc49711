"""The results of benchmarks/run.py as Markdown (results.md, and the table printed at the end)."""

from __future__ import annotations

from typing import Any


def _ms(seconds: float) -> str:
    ms = seconds * 1e3
    return f"{ms:.3g}" if ms < 100 else f"{ms:.0f}"


def _n(x: int) -> str:
    """10 000 000: thin spaces between thousands (no commas to confuse with lists)."""
    return f"{x:,}".replace(",", " ")


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:.3g}"


def _times(x: float) -> str:
    return f"{x:.2f}×"


def _faster(x: float | None) -> str:
    return "" if x is None else f"{x:.1f}×"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def targets_table(results: dict[str, Any]) -> str:
    rows = []
    for t in results["targets"]:
        status = "met" if t["met"] else "**not met**"
        rows.append([t["target"], t["goal"], t["measured"], status + (f": {t['note']}" if t["note"] else "")])
    return _table(["target", "goal", "measured", ""], rows)


def _environment(env: dict[str, Any], results: dict[str, Any]) -> str:
    pools = "; ".join(
        " ".join(str(p[k]) for k in ("internal_api", "version", "architecture") if p.get(k))
        + f" ({p['num_threads']} threads)"
        for p in env.get("threadpools", [])
    )
    unset = env.get("unset_for_this_run")
    return "\n".join([
        f"- Run: `{results['mode']}` mode, {env['date']}, {results['seconds']:.0f} s.",
        f"- Machine: {env['cpu']}, {env['cores_available']} cores available; load average "
        f"{env['load_average_at_start'][0]:.1f} at the start, {env['load_average_at_end'][0]:.1f} at the end "
        "(a shared machine: absolute times are noisy, the side-by-side ratios much less so).",
        f"- Python {env['python']}, NumPy {env['numpy']}, scikit-learn {env['scikit-learn']}, descend {env['descend']}.",
        f"- Thread pools (threadpoolctl): {pools or 'unknown'}."
        + (f" Unset for this run: {unset}." if unset else ""),
    ])


def _kernels(rows: list[dict[str, Any]]) -> str:
    table = []
    for row in rows:
        t, r, a = row["times"], row["ratios"], row["agreement"]
        agree = ", ".join(f"{name} {value:.0e}" for name, value in a.items())
        table.append([
            row["label"], str(row["threads_used"]), _ms(t["descend"]["seconds"]), _ms(t["stream"]["seconds"]),
            _times(r["vs_stream"]),
            _faster(r.get("sklearn_speedup")), _faster(r.get("reference_speedup")), agree,
        ])
    return _table(
        ["workload", "threads", "descend (ms)", "stream (ms)", "descend / stream", "faster than scikit-learn",
         "faster than reference", "max relative difference"],
        table,
    )


def _hessians(rows: list[dict[str, Any]]) -> str:
    table = []
    for row in rows:
        if "hessian" not in row:
            continue
        h = row["hessian"]
        t, r = h["times"], h["ratios"]
        sk = t.get("scikit-learn gradient_hessian")
        table.append([
            row["label"], str(row["threads_used"]), _ms(t["descend hessian"]["seconds"]), _ms(t["X.T @ X"]["seconds"]),
            _times(r["vs_gram"]), _ms(t["GEMM"]["seconds"]) if "GEMM" in t else "",
            _ms(t["descend value_gradient_hessian"]["seconds"]),
            _ms(sk["seconds"]) if sk else "", _faster(r.get("sklearn_speedup")),
            ", ".join(f"{k} {v:.0e}" for k, v in h["agreement"].items()),
        ])
    return _table(
        ["workload", "threads", "Hessian (ms)", "X.T @ X (ms)", "Hessian / X.T @ X", "GEMM XᵀX (ms)",
         "value+gradient+Hessian (ms)",
         "scikit-learn gradient_hessian (ms)", "faster", "max relative difference"],
        table,
    )


def _fits(fit: dict[str, Any]) -> str:
    nc = fit["fits"].get("scikit-learn newton-cholesky")
    table = []
    for name, row in fit["fits"].items():
        relative = "" if nc is None else f"{(row['objective'] - nc['objective']) / abs(nc['objective']):+.1e}"
        speed = _times(row["speedup_of_descend_newton"])
        table.append([name, _ms(row["seconds"]), str(row["iterations"]), f"{row['objective']:.12g}", relative, speed])
    return _table(["fitter", "time (ms)", "iterations", "J(w, b)", "J vs newton-cholesky", "its time / descend newton's"],
                  table)


def markdown(results: dict[str, Any]) -> str:
    n, d = results["main"]
    parts = [
        "# descend benchmarks",
        "",
        "Produced by `python benchmarks/run.py"
        + {"quick": " --quick", "full": " --full"}.get(results["mode"], "")
        + "`. Times are medians of "
        "≥ 5 rounds after a warm-up; in every round each candidate of a comparison ran once "
        "(side by side), and ratios are medians of the per-round ratios. *stream* is a plain read "
        "of X with the same threads and row partition "
        "(the memory-bandwidth floor of any pass over X). *GEMM* is XᵀX by the BLAS's general product "
        "(scipy.linalg.blas.dgemm); NumPy's X.T @ X calls the symmetric rank-k update (dsyrk). "
        "Unless a row says otherwise: log loss, "
        "L2 = 1e-3, intercept, C order, float64, all cores.",
        "",
        _environment(results["environment"], results),
        "",
        "## Targets",
        "",
        f"For log loss on {_n(n)}×{d} float64, C order, all threads, unless a row says otherwise.",
        "",
        targets_table(results),
    ]
    if "kernels" in results:
        parts += ["", "## value_and_gradient", "", _kernels(results["kernels"])]
        parts += ["", "## Hessian", "", _hessians(results["kernels"])]
    if "float32" in results:
        f = results["float32"]
        t = f["times"]
        parts += [
            "", "## float32", "",
            _table(["", "value+gradient (ms)", "stream (ms)"], [
                ["float64", _ms(t["float64"]["seconds"]), _ms(t["stream float64"]["seconds"])],
                ["float32", _ms(t["float32"]["seconds"]), _ms(t["stream float32"]["seconds"])],
            ]),
            "",
            f"float32 / float64 = {f['ratio']:.2f}; max relative difference of the float32 value and gradient "
            f"from the reference on the float64 data: {f['relative_error_vs_reference']:.1e}.",
        ]
    if "scaling" in results:
        s = results["scaling"]
        parts += [
            "", f"## Scaling (d = {s['d']})", "",
            _table(["n", "threads", "time (ms)", "ns per sample", "stream ns per sample", "descend / stream",
                    "one thread: ns per sample", "one thread: descend / stream"], [
                [_n(row["n"]), str(row["threads_used"]), _ms(row["seconds"]),
                 f"{row['ns_per_sample']:.2f}", f"{row['stream_ns_per_sample']:.2f}", _times(row["vs_stream"]),
                 f"{row['one_thread_ns_per_sample']:.2f}", _times(row["one_thread_vs_stream"])]
                for row in s["rows"]
            ]),
            "", f"Time per sample, max / min: {s['max_over_min']:.2f} (one thread: {s['one_thread_max_over_min']:.2f}).",
        ]
    if "small_call" in results:
        sc = results["small_call"]
        parts += [
            "", f"## Small problems ({sc['n']}×{sc['d']})", "",
            _table(["value_and_gradient", "µs per call"],
                   [[name, _us(t["seconds"])] for name, t in sc["times"].items()]),
        ]
    if "small_fit" in results:
        f = results["small_fit"]
        parts += ["", f"Fits on {f['n']}×{f['d']} (single-threaded: a problem this small gains nothing from threads):",
                  "", _fits(f)]
    if "fit" in results:
        f = results["fit"]
        parts += [
            "", f"## Fits ({_n(f['n'])}×{f['d']}, correlated standardised features, C = {f['C']:g})", "",
            "J(w, b) = C·Σ log_loss + ½‖w‖², evaluated by one NumPy formula for every fitter.", "",
            _fits(f),
        ]
    if "memory" in results:
        m = results["memory"]
        parts += [
            "", f"## Peak memory added by a fit ({_n(m['n'])}×{m['d']}, X = "
            f"{next(iter(m['fits'].values()))['X_bytes'] / 2**20:.0f} MiB)", "",
            "Each fit in a fresh process: the peak resident set during the fit minus the resident set before it.", "",
            _table(["fitter", "added (MiB)", "of X", "tracemalloc peak (MiB)"], [
                [name, f"{row['added_bytes'] / 2**20:.1f}", f"{row['added_fraction_of_X']:.1%}",
                 f"{row['tracemalloc_peak_bytes'] / 2**20:.1f}"]
                for name, row in m["fits"].items()
            ]),
        ]
    return "\n".join(parts) + "\n"
