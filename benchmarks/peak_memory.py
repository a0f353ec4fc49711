"""Memory one fit adds to a process: run as a subprocess by fits.peak_memory.

    python benchmarks/peak_memory.py --n 500000 --d 100 --fitter "descend newton"

After the data are made and everything is imported, the kernel's peak-RSS mark
is reset (``/proc/self/clear_refs``), so the high-water mark after the fit
(VmHWM) minus the resident size before it (VmRSS) is what the fit added,
whatever the data generation cost before. tracemalloc's peak (NumPy and Python
allocations only, not the C++ core's) is reported beside it. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import tracemalloc
import warnings

import data
import fits


def _status(key: str) -> int:
    """A field of /proc/self/status, in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--d", type=int, required=True)
    parser.add_argument("--fitter", required=True, choices=sorted(fits.candidates(tiny=False)))
    args = parser.parse_args()

    dataset = data.make(args.n, args.d, correlation=0.6, standardise=True, seed=7)
    model = fits.candidates(tiny=False)[args.fitter]()
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # reset VmHWM to the current RSS
        reset = True
    except OSError:
        reset = False
    before = _status("VmRSS")
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(dataset.X, dataset.y)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # Without the reset, ru_maxrss covers the data generation too: an upper bound.
    peak = _status("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    added = max(0, peak - before)
    print(
        json.dumps(
            {
                "fitter": args.fitter,
                "X_bytes": dataset.X.nbytes,
                "rss_before_bytes": before,
                "peak_rss_bytes": peak,
                "added_bytes": added,
                "added_fraction_of_X": added / dataset.X.nbytes,
                "tracemalloc_peak_bytes": traced_peak,
                "peak_reset": reset,
            }
        )
    )


if __name__ == "__main__":
    main()
