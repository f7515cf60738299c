#!/usr/bin/env python3
"""Exact OT: OTKit against POT's ot.emd on the same problems, same machine, one run.

Problems: uniform weights, d = 16, squared Euclidean cost, both clouds standard normal
(seeded NumPy), n = m = 1000, 2000, 4000; and 1-D with n = 10^6 against ot.emd2_1d.
OTKit runs through its CLI (`otkit transport --json`, solver time excluding the cost
matrix, as ot.emd takes M given). Checks that the costs agree and prints time ratios.

    python3 -m venv .venv-peers && .venv-peers/bin/pip install pot numpy scipy
    swift build -c release
    .venv-peers/bin/python scripts/peers/exact_ot.py [--sizes 1000,2000,4000] [--otkit PATH]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
import warnings

import numpy as np
import ot


def otkit(binary, args):
    out = subprocess.run([binary, "transport", *args, "--json"], check=False,
                         capture_output=True, text=True)
    if out.returncode not in (0, 3):
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,2000,4000")
    parser.add_argument("--one-d", type=int, default=1_000_000)
    parser.add_argument("--otkit", default=".build/release/otkit")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    tmp = tempfile.mkdtemp(prefix="otkit-peer-")
    rows = []
    print(f"POT {ot.__version__}, NumPy {np.__version__}; threads: OTKit {os.environ.get('OTKIT_THREADS', 'all')}")
    print(f"{'n':>6} {'ot.emd s':>9} {'emd status':>12} {'otkit exact s':>13} {'ratio':>6} "
          f"{'otkit assign s':>14} {'ratio':>6} {'rel. cost diff':>14}")
    for n in [int(s) for s in args.sizes.split(",")]:
        x = rng.standard_normal((n, 16))
        y = rng.standard_normal((n, 16))
        np.save(f"{tmp}/x{n}.npy", x)
        np.save(f"{tmp}/y{n}.npy", y)
        a = np.full(n, 1.0 / n)
        b = np.full(n, 1.0 / n)
        M = ot.dist(x, y)  # squared Euclidean
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t = time.perf_counter()
            _, log = ot.emd(a, b, M, numItermax=100_000_000, log=True)
            pot_seconds = time.perf_counter() - t
        pot_cost = log["cost"]
        pot_status = "optimal" if log.get("warning") is None and not caught else "warning"
        exact = otkit(args.otkit, [f"{tmp}/x{n}.npy", f"{tmp}/y{n}.npy", "--method", "exact"])
        assign = otkit(args.otkit, [f"{tmp}/x{n}.npy", f"{tmp}/y{n}.npy", "--method", "assignment"])
        diff = max(abs(exact["cost"] - pot_cost), abs(assign["cost"] - pot_cost)) / pot_cost
        print(f"{n:>6} {pot_seconds:>9.3f} {pot_status:>12} {exact['seconds']:>13.3f} "
              f"{exact['seconds'] / pot_seconds:>6.2f} {assign['seconds']:>14.3f} "
              f"{assign['seconds'] / pot_seconds:>6.2f} {diff:>14.2e}")
        rows.append({"n": n, "pot": pot_seconds, "exact": exact["seconds"],
                     "assignment": assign["seconds"], "relativeCostDifference": diff,
                     "exactStatus": exact["status"], "assignmentStatus": assign["status"]})
        # POT's default iteration limit (100000) stops short from n = 2000 on: a warning only.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _, log_default = ot.emd(a, b, M, log=True)
        if caught or log_default.get("warning"):
            print(f"       ot.emd with its default numItermax: cost {log_default['cost']:.10f} "
                  f"(relative excess {(log_default['cost'] - pot_cost) / pot_cost:.1e}), "
                  f"warning: {str(caught[0].message)[:60] if caught else log_default['warning']}")

    n = args.one_d
    x = rng.standard_normal(n)
    y = rng.standard_normal(n) * 2 + 1
    np.save(f"{tmp}/x1d.npy", x)
    np.save(f"{tmp}/y1d.npy", y)
    t = time.perf_counter()
    pot_cost = ot.emd2_1d(x, y, metric="sqeuclidean")
    pot_seconds = time.perf_counter() - t
    line = otkit(args.otkit, [f"{tmp}/x1d.npy", f"{tmp}/y1d.npy", "--method", "1d"])
    print(f"1-D n = {n}: ot.emd2_1d {pot_seconds:.3f} s, otkit 1d {line['seconds']:.3f} s, "
          f"ratio {line['seconds'] / pot_seconds:.2f}, rel. cost diff {abs(line['cost'] - pot_cost) / pot_cost:.1e}")
    rows.append({"n": n, "pot1d": pot_seconds, "otkit1d": line["seconds"]})
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
