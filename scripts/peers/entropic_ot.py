#!/usr/bin/env python3
"""Entropic OT: OTKit's Sinkhorn against POT (sinkhorn, sinkhorn_log) and OTT-JAX (jitted,
compile time excluded), same problems, same epsilon and tolerance, same machine, one run.

Problem: uniform weights, d = 16, squared Euclidean, both clouds standard normal (seeded
NumPy), n = m = 4000 by default, epsilon = 0.01 max(C), tolerance 1e-9 on the marginal
error. OTKit runs through `otkit transport --method sinkhorn --json` (solver time, the cost
matrix built before the clock starts, as the peers take it given).

    .venv-peers/bin/pip install pot ott-jax numpy scipy
    swift build -c release
    .venv-peers/bin/python scripts/peers/entropic_ot.py [--n 4000] [--skip-pot-log] [--sns]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np


def otkit(binary, args):
    out = subprocess.run([binary, "transport", *args, "--json"], capture_output=True, text=True)
    if out.returncode not in (0, 3):
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_ott(x, y, eps, tol, dtype, max_iterations):
    import jax
    jax.config.update("jax_enable_x64", dtype == "float64")
    import jax.numpy as jnp
    from ott.geometry import pointcloud
    from ott.problems.linear import linear_problem
    from ott.solvers.linear import sinkhorn

    xs = jnp.asarray(x, dtype=dtype)
    ys = jnp.asarray(y, dtype=dtype)

    @jax.jit
    def solve(xs, ys):
        geom = pointcloud.PointCloud(xs, ys, epsilon=eps)  # squared Euclidean
        out = sinkhorn.Sinkhorn(threshold=tol, max_iterations=max_iterations, inner_iterations=10,
                                lse_mode=True)(linear_problem.LinearProblem(geom))
        return out.matrix, out.converged, out.n_iters, out.errors

    result = solve(xs, ys)  # compile
    jax.block_until_ready(result)
    t = time.perf_counter()
    plan, converged, n_iters, _ = jax.block_until_ready(solve(xs, ys))
    seconds = time.perf_counter() - t
    plan = np.asarray(plan, dtype=np.float64)
    return seconds, bool(converged), int(n_iters), plan


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--relative-epsilon", type=float, default=0.01)
    parser.add_argument("--tolerance", type=float, default=1e-9)
    parser.add_argument("--skip-pot-log", action="store_true")
    parser.add_argument("--skip-ott", action="store_true")
    parser.add_argument("--ott-max-iterations", type=int, default=2000)
    parser.add_argument("--sns", action="store_true", help="also the SNS comparison at n = 500, eps = 1e-3 max(C)")
    parser.add_argument("--otkit", default=".build/release/otkit")
    args = parser.parse_args()
    import ot

    rng = np.random.default_rng(0)
    n = args.n
    x = rng.standard_normal((n, 16))
    y = rng.standard_normal((n, 16))
    tmp = tempfile.mkdtemp(prefix="otkit-entropic-")
    np.save(f"{tmp}/x.npy", x)
    np.save(f"{tmp}/y.npy", y)
    a = np.full(n, 1.0 / n)
    b = np.full(n, 1.0 / n)
    M = ot.dist(x, y)
    eps = args.relative_epsilon * M.max()
    rows = {}

    def report(name, seconds, status, iterations, cost, error):
        rows[name] = {"seconds": seconds, "status": status, "iterations": iterations, "cost": cost, "error": error}
        print(f"{name:28s} {seconds:9.3f} s  {status:14s} {iterations:>7} it  cost {cost:.12f}  marginal L1 {error:.1e}")

    print(f"n = m = {n}, d = 16, eps = {args.relative_epsilon} max(C) = {eps:.6g}, tolerance {args.tolerance}")
    t = time.perf_counter()
    P, log = ot.sinkhorn(a, b, M, eps, stopThr=args.tolerance, numItermax=100000, log=True)
    s = time.perf_counter() - t
    report("POT sinkhorn (kernel)", s, "ok" if np.isfinite(P).all() else "nan", log["niter"], float((P * M).sum()),
           float(np.abs(P.sum(0) - b).sum() + np.abs(P.sum(1) - a).sum()))
    if not args.skip_pot_log:
        t = time.perf_counter()
        P, log = ot.sinkhorn(a, b, M, eps, method="sinkhorn_log", stopThr=args.tolerance, numItermax=100000, log=True)
        s = time.perf_counter() - t
        report("POT sinkhorn_log", s, "ok", log["niter"], float((P * M).sum()),
               float(np.abs(P.sum(0) - b).sum() + np.abs(P.sum(1) - a).sum()))
    if not args.skip_ott:
        for dtype in ("float64", "float32"):
            try:
                s, converged, iters, P = run_ott(x, y, eps, args.tolerance, dtype, args.ott_max_iterations)
                report(f"OTT-JAX {dtype}", s, "converged" if converged else "not converged", iters,
                       float((P * M).sum()), float(np.abs(P.sum(0) - b).sum() + np.abs(P.sum(1) - a).sum()))
            except Exception as error:  # keep the other rows
                print(f"OTT-JAX {dtype}: {error}")
    for label, extra in (("OTKit sinkhorn float64", []), ("OTKit sinkhorn float32", ["--float32"])):
        r = otkit(args.otkit, [f"{tmp}/x.npy", f"{tmp}/y.npy", "--method", "sinkhorn", "--epsilon",
                               str(args.relative_epsilon), "--relative-epsilon", "max", "--tolerance",
                               str(args.tolerance), "--max-iterations", "20000", *extra])
        report(label, r["seconds"], r["status"], r["iterations"], r["cost"], r["marginalError"])
    base = rows["POT sinkhorn (kernel)"]["seconds"]
    for name, row in rows.items():
        print(f"  {name:28s} time / POT kernel-domain = {row['seconds'] / base:.2f}")

    if args.sns:
        n = 500
        xs = rng.standard_normal((n, 16))
        ys = rng.standard_normal((n, 16))
        np.save(f"{tmp}/xs.npy", xs)
        np.save(f"{tmp}/ys.npy", ys)
        for method in ("sinkhorn", "sns"):
            r = otkit(args.otkit, [f"{tmp}/xs.npy", f"{tmp}/ys.npy", "--method", method, "--epsilon", "0.001",
                                   "--relative-epsilon", "max", "--tolerance", "1e-10", "--max-iterations", "200000"])
            print(f"n = 500, eps = 1e-3 max(C), tol 1e-10: OTKit {method:8s} {r['status']:14s} "
                  f"{r['iterations']:>7} it  {r['seconds']:.3f} s  error {r['marginalError']:.1e}")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
