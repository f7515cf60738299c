#!/usr/bin/env python3
"""Regularized and unbalanced OT: OTKit against POT, same problems, same machine, one run.

1. Quadratically regularized OT through the semi-dual: POT's `ot.smooth.smooth_ot_semi_dual`
   (SciPy's L-BFGS-B, its defaults: stopThr 1e-9, numItermax 500) against
   `otkit transport --method quadratic` at n = m = 1000 (d = 2 standard normal clouds, the
   second shifted by 1, squared Euclidean costs, gamma = 1). OTKit runs twice: at the row
   marginal error POT's result reaches (the same accuracy) and at its default tolerance 1e-9.
2. Unbalanced Sinkhorn with KL penalties: POT's `ot.unbalanced.sinkhorn_unbalanced` (the
   scaling form, reg_type 'kl', i.e. the reference a b^T) against
   `otkit transport --method sinkhorn --unbalanced` at n = m = 4000 (d = 16, epsilon =
   0.05 mean(C), rho = mean(C), target mass 1.5), both plans compared entry by entry.

Solver times only: reading files and building the cost matrix are outside both clocks.

    .venv-peers/bin/pip install pot numpy scipy
    swift build -c release
    .venv-peers/bin/python scripts/peers/regularized_ot.py [--n-quadratic 1000] [--n-unbalanced 4000]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
import ot


def otkit(binary, args):
    out = subprocess.run([binary, "transport", *args, "--json"], capture_output=True, text=True)
    if out.returncode not in (0, 3):
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def quadratic(binary, n, folder):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2))
    y = rng.normal(size=(n, 2)) + 1.0
    np.save(os.path.join(folder, "qx.npy"), x)
    np.save(os.path.join(folder, "qy.npy"), y)
    C = ot.dist(x, y)
    a = np.full(n, 1.0 / n)
    gamma = 1.0
    t = time.perf_counter()
    plan, log = ot.smooth.smooth_ot_semi_dual(a, a, C, gamma, reg_type="l2", log=True)
    pot_seconds = time.perf_counter() - t
    pot_row_error = float(np.abs(plan.sum(1) - a).sum())
    pot_value = float(ot.smooth.semi_dual_obj_grad(log["alpha"], a, a, C, ot.smooth.SquaredL2(gamma=gamma))[0])
    print(f"quadratic semi-dual, n = m = {n}, gamma {gamma}")
    print(f"  POT smooth_ot_semi_dual: {pot_seconds:.3f} s, {log['res'].nit} iterations, objective {pot_value:.10f}, row error {pot_row_error:.2e}, non-zeros {int((plan > 0).sum())}")
    base = [os.path.join(folder, "qx.npy"), os.path.join(folder, "qy.npy"), "--method", "quadratic", "--gamma", str(gamma)]
    rows = []
    for label, tolerance in [("same accuracy", max(pot_row_error, 1e-12)), ("tolerance 1e-9", 1e-9)]:
        r = otkit(binary, base + ["--tolerance", repr(tolerance)])
        ratio = pot_seconds / r["seconds"]
        print(f"  OTKit ({label}): {r['seconds']:.3f} s, {r['iterations']} iterations, objective {r['objective']:.10f}, row error {r['rowMarginalError']:.2e}, non-zeros {r['nonZeros']}, status {r['status']}; POT / OTKit time {ratio:.2f}")
        rows.append((label, r, ratio))
    return pot_seconds, rows


def unbalanced(binary, n, folder):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 16))
    y = rng.normal(size=(n, 16)) + 0.5
    np.save(os.path.join(folder, "ux.npy"), x)
    np.save(os.path.join(folder, "uy.npy"), y)
    a = np.full(n, 1.0 / n)
    b = np.full(n, 1.5 / n)
    np.save(os.path.join(folder, "ua.npy"), a)
    np.save(os.path.join(folder, "ub.npy"), b)
    C = ot.dist(x, y)
    eps = float(0.05 * C.mean())
    rho = float(C.mean())
    t = time.perf_counter()
    plan = ot.unbalanced.sinkhorn_unbalanced(a, b, C, eps, rho, method="sinkhorn", reg_type="kl", numItermax=10000, stopThr=1e-9)
    pot_seconds = time.perf_counter() - t
    print(f"unbalanced Sinkhorn (KL, reference a b^T), n = m = {n}, epsilon {eps:.4f}, rho {rho:.4f}")
    print(f"  POT sinkhorn_unbalanced (stopThr 1e-9): {pot_seconds:.3f} s, mass {plan.sum():.10f}")
    plan_path = os.path.join(folder, "uplan.npy")
    r = otkit(binary, [os.path.join(folder, "ux.npy"), os.path.join(folder, "uy.npy"), "--source-weights", os.path.join(folder, "ua.npy"),
                       "--target-weights", os.path.join(folder, "ub.npy"), "--method", "sinkhorn", "--epsilon", repr(eps),
                       "--unbalanced", "--rho", repr(rho), "--tolerance", "1e-9", "--plan", plan_path])
    ours = np.load(plan_path)
    gap = float(np.abs(ours - plan).max())
    ratio = pot_seconds / r["seconds"]
    print(f"  OTKit: {r['seconds']:.3f} s, {r['iterations']} iterations ({r['acceleration']['mode']}), mass {r['transportedMass']:.10f}, status {r['status']}; largest plan difference {gap:.2e} (largest entry {plan.max():.2e}); POT / OTKit time {ratio:.2f}")
    return pot_seconds, r, ratio, gap


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n-quadratic", type=int, default=1000)
    parser.add_argument("--n-unbalanced", type=int, default=4000)
    parser.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", "..", ".build", "release", "otkit"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.n_quadratic > 0:
            quadratic(args.binary, args.n_quadratic, folder)
        unbalanced(args.binary, args.n_unbalanced, folder)


if __name__ == "__main__":
    main()
