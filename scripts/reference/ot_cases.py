#!/usr/bin/env python3
"""Regenerates OTKit's reference OT cases (Tests/OTKitTransportTests/Resources/ot-cases).

Each case is a pair of seeded point clouds, optional weights and a ground cost; POT computes
the exact optimal cost (network simplex, `ot.emd2` with a large iteration cap) and, for the
entropic cases, the linear cost <P_eps, C> of the converged log-domain Sinkhorn plan
(`ot.sinkhorn` with method="sinkhorn_log") at epsilon = rel * max(C). Points and weights are
written as float64 NPY files so that OTKit's tests read exactly what POT solved.

    python3 -m venv .venv && .venv/bin/pip install pot numpy scipy
    .venv/bin/python scripts/reference/ot_cases.py
"""
import json
import os

import numpy as np
import ot
import scipy

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "OTKitTransportTests", "Resources", "ot-cases")

# name, n, m, d, weighted, cost (OTKit's --cost name), POT/SciPy metric, extra arguments,
# relative epsilons for Sinkhorn
CASES = [
    ("uniform_n100_d2", 100, 100, 2, False, "sqeuclidean", "sqeuclidean", {}, [0.05, 0.01]),
    ("uniform_n300_d5", 300, 300, 5, False, "sqeuclidean", "sqeuclidean", {}, [0.05, 0.01]),
    ("weighted_n150_m220_d3", 150, 220, 3, True, "sqeuclidean", "sqeuclidean", {}, [0.05, 0.01]),
    ("uniform_n500_d16", 500, 500, 16, False, "sqeuclidean", "sqeuclidean", {}, [0.05, 0.01]),
    ("euclidean_n120_m90_d4", 120, 90, 4, True, "euclidean", "euclidean", {}, [0.05]),
    ("cosine_n80_m100_d6", 80, 100, 6, True, "cosine", "cosine", {}, [0.05]),
    ("minkowski1_n90_d3", 90, 90, 3, False, "minkowski:1", "minkowski", {"p": 1}, []),
    ("minkowski3_n70_m60_d5", 70, 60, 5, True, "minkowski:3", "minkowski", {"p": 3}, []),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261130)
    cases = []
    for name, n, m, d, weighted, cost, metric, extra, rels in CASES:
        x = rng.normal(size=(n, d))
        y = rng.normal(loc=0.5, size=(m, d))
        if weighted:
            a = rng.uniform(0.2, 1.0, size=n)
            b = rng.uniform(0.2, 1.0, size=m)
            a /= a.sum()
            b /= b.sum()
        else:
            a = np.full(n, 1.0 / n)
            b = np.full(m, 1.0 / m)
        np.save(os.path.join(OUT, f"{name}_source.npy"), x)
        np.save(os.path.join(OUT, f"{name}_target.npy"), y)
        if weighted:
            np.save(os.path.join(OUT, f"{name}_source_weights.npy"), a)
            np.save(os.path.join(OUT, f"{name}_target_weights.npy"), b)
        M = ot.dist(x, y, metric=metric, **extra)
        exact = float(ot.emd2(a, b, M, numItermax=10**8))
        entry = {"name": name, "n": n, "m": m, "d": d, "weighted": weighted, "cost": cost,
                 "exact_cost": exact, "sinkhorn_log": {}}
        for rel in rels:
            eps = rel * float(M.max())
            P = ot.sinkhorn(a, b, M, eps, method="sinkhorn_log", numItermax=200000, stopThr=1e-13)
            err = float(np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum())
            entry["sinkhorn_log"][str(rel)] = {"epsilon": eps, "linear_cost": float((P * M).sum()),
                                               "marginal_error": err}
        cases.append(entry)
        print(name, exact)
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"generator": f"POT {ot.__version__}, NumPy {np.__version__}, SciPy {scipy.__version__}",
                   "script": "scripts/reference/ot_cases.py", "cases": cases}, f, indent=1)


if __name__ == "__main__":
    main()
