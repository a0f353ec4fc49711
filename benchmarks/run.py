"""descend's benchmark suite: kernels, fits, memory and scaling, each side by side
with its comparators in one run, and a table of the performance targets.

    python benchmarks/run.py            # the default suite, about 5 minutes on 2 cores
    python benchmarks/run.py --quick    # smaller problems, about a minute
    python benchmarks/run.py --full     # every workload of the grid, much longer

Prints the results as it goes and a table of the targets at the end, and writes
benchmarks/results/results.json and results.md (``--output`` to change the folder).
Times are medians of ≥ 5 rounds after a warm-up round; in each round every
candidate of a comparison runs once, so a ratio compares times taken under the
same background load.

NumPy's and scikit-learn's BLAS runs as it would by default: if OPENBLAS_CORETYPE
or OPENBLAS_L2_SIZE is set, the script re-runs itself without both, and the
results record which BLAS kernel threadpoolctl reports.
"""

from __future__ import annotations

import os
import sys

_PINNED = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
if any(name in os.environ for name in _PINNED):  # before NumPy loads OpenBLAS
    _env = {k: v for k, v in os.environ.items() if k not in _PINNED}
    _env["DESCEND_BENCH_UNSET"] = ",".join(name for name in _PINNED if name in os.environ)
    os.execve(sys.executable, [sys.executable, *sys.argv], _env)

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import descend  # noqa: E402
import fits  # noqa: E402
import kernels  # noqa: E402
import report  # noqa: E402
import targets  # noqa: E402
from kernels import Workload  # noqa: E402

HERE = Path(__file__).resolve().parent


def plan(mode: str) -> dict[str, Any]:
    """What each mode runs. The main workload (log loss, C order, float64, all threads)
    is the one the targets are stated for: 500k×100 except in --quick."""
    if mode == "quick":
        main = (100_000, 100)
        groups = [
            [Workload(*main, reference=True, hessian=True), Workload(*main, threads="1"),
             Workload(*main, order="F"), Workload(*main, dtype="float32")],
            [Workload(400_000, 20, reference=True)],
            [Workload(100, 5)],
        ]
        return {"main": main, "groups": groups, "repeats": 5, "scaling": [10_000, 100_000, 1_000_000],
                "fit": (100_000, 50), "memory": (100_000, 50)}
    if mode == "default":
        main = (500_000, 100)
        groups = [
            [Workload(*main, reference=True, hessian=True), Workload(*main, threads="1", hessian=True),
             Workload(*main, order="F"), Workload(*main, dtype="float32"), Workload(*main, order="F", dtype="float32")],
            [Workload(*main, loss="squared_error", reference=True)],
            [Workload(2_000_000, 20, reference=True), Workload(2_000_000, 20, order="F"),
             Workload(2_000_000, 20, dtype="float32")],
            [Workload(20_000, 500, reference=True, hessian=True), Workload(20_000, 500, order="F")],
            [Workload(100, 5, reference=True)],
        ]
        return {"main": main, "groups": groups, "repeats": 5,
                "scaling": [10_000, 30_000, 100_000, 300_000, 1_000_000, 4_000_000],
                "fit": main, "memory": main}
    main = (500_000, 100)
    groups = []
    for n, d in ((500_000, 100), (2_000_000, 20), (20_000, 500), (100, 5)):
        for loss in ("log_loss", "squared_error"):
            group = []
            for order in ("C", "F"):
                for dtype in ("float64", "float32"):
                    for threads in ("all", "1"):
                        plain = order == "C" and dtype == "float64"
                        group.append(Workload(n, d, loss, order, dtype, threads, reference=plain, hessian=plain))
            groups.append(group)
    return {"main": main, "groups": groups, "repeats": 7,
            "scaling": [10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 4_000_000],
            "fit": main, "memory": main}


def environment() -> dict[str, Any]:
    info: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "descend": descend.__version__,
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cores_available": len(os.sched_getaffinity(0)),
        "load_average_at_start": os.getloadavg(),
        "unset_for_this_run": os.environ.get("DESCEND_BENCH_UNSET", ""),
    }
    try:
        import sklearn

        info["scikit-learn"] = sklearn.__version__
    except ImportError:
        info["scikit-learn"] = None
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {k: pool.get(k) for k in ("user_api", "internal_api", "version", "architecture", "num_threads", "prefix")}
            for pool in threadpool_info()
        ]
    except ImportError:
        info["threadpools"] = []
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller problems, about a minute")
    size.add_argument("--full", action="store_true", help="the whole workload grid (much longer)")
    parser.add_argument("--output", type=Path, default=HERE / "results", help="folder for results.json and results.md")
    parser.add_argument("--skip", nargs="*", default=[], choices=["kernels", "float32", "scaling", "small", "fits", "memory"],
                        help="sections to leave out")
    args = parser.parse_args()
    mode = "quick" if args.quick else "full" if args.full else "default"
    steps = plan(mode)
    repeats = steps["repeats"]
    start = time.perf_counter()

    def log(line: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f} s] {line}", flush=True)

    results: dict[str, Any] = {"mode": mode, "main": list(steps["main"]), "environment": environment()}
    pools = ", ".join(f"{p['internal_api']} {p['architecture'] or ''} ({p['num_threads']} threads)"
                      for p in results["environment"]["threadpools"])
    log(f"mode {mode}; {results['environment']['cpu']}, {results['environment']['cores_available']} cores; "
        f"threadpools: {pools or 'unknown'}")
    if "kernels" not in args.skip:
        results["kernels"] = [row for group in steps["groups"] for row in kernels.run_group(group, repeats, log)]
    if "float32" not in args.skip:
        results["float32"] = kernels.float32_against_float64(*steps["main"], repeats, log)
    if "scaling" not in args.skip:
        results["scaling"] = kernels.scaling(steps["scaling"], 50, repeats, log)
    if "small" not in args.skip:
        results["small_call"] = kernels.small_call(100, 5, repeats, log)
        results["small_fit"] = fits.compare(100, 5, repeats, log, tiny=True)
    if "fits" not in args.skip:
        results["fit"] = fits.compare(*steps["fit"], repeats, log)
    if "memory" not in args.skip:
        fitters = [name for name in ("descend newton", "scikit-learn newton-cholesky") if name in fits.candidates(False)]
        results["memory"] = fits.peak_memory(*steps["memory"], fitters, log)
    results["environment"]["load_average_at_end"] = os.getloadavg()
    results["seconds"] = time.perf_counter() - start
    results["targets"] = targets.evaluate(results)

    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "results.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
    markdown = report.markdown(results)
    (args.output / "results.md").write_text(markdown)
    print()
    print(report.targets_table(results))
    log(f"wrote {args.output / 'results.json'} and {args.output / 'results.md'}")


if __name__ == "__main__":
    main()
