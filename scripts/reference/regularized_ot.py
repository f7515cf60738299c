#!/usr/bin/env python3
"""Regenerates OTKit's references for regularized and unbalanced OT
(Tests/OTKitTransportTests/Resources/regularized-cases.json).

Small seeded instances (explicit cost matrices and weights, stored in the JSON) solved by POT:
- ot.smooth.smooth_ot_semi_dual / smooth_ot_dual with reg_type 'l2' and 'kl' (stopThr 1e-14,
  numItermax 20000, so that the reference is converged well below the 1e-6 compared), and the
  semi-dual with 'sparsity_constrained'; the objective at POT's potentials is recorded with
  POT's own objective functions;
- ot.unbalanced.sinkhorn_unbalanced (method 'sinkhorn', the scaling form) with reg_type 'kl'
  (reference a b^T) and 'entropy' (reference all ones), scalar and pair reg_m, stopThr 1e-15.

    python3 -m venv .venv && .venv/bin/pip install pot numpy scipy
    .venv/bin/python scripts/reference/regularized_ot.py
"""
import json
import os

import numpy as np
import ot
from ot import smooth

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "OTKitTransportTests", "Resources", "regularized-cases.json")


def instance(rng, n, m, d, weighted):
    x = rng.normal(size=(n, d))
    y = rng.normal(size=(m, d)) + 0.5
    C = ot.dist(x, y)
    C /= C.max()
    if weighted:
        a = rng.uniform(0.2, 1.0, n)
        b = rng.uniform(0.2, 1.0, m)
        a /= a.sum()
        b /= b.sum()
    else:
        a = np.full(n, 1.0 / n)
        b = np.full(m, 1.0 / m)
    return a, b, C


def regul(reg_type, gamma, max_nz=None):
    if reg_type == "l2":
        return smooth.SquaredL2(gamma=gamma)
    if reg_type == "kl":
        return smooth.NegEntropy(gamma=gamma)
    return smooth.SparsityConstrained(max_nz=max_nz, gamma=gamma)


def smooth_case(a, b, C, reg_type, formulation, gamma, max_nz=None):
    kwargs = dict(reg_type=reg_type, stopThr=1e-14, numItermax=20000, log=True)
    if max_nz is not None:
        kwargs["max_nz"] = max_nz
    if formulation == "semi-dual":
        plan, log = ot.smooth.smooth_ot_semi_dual(a, b, C, gamma, **kwargs)
        value, _ = smooth.semi_dual_obj_grad(log["alpha"], a, b, C, regul(reg_type, gamma, max_nz))
    else:
        plan, log = ot.smooth.smooth_ot_dual(a, b, C, gamma, **kwargs)
        value, _, _ = smooth.dual_obj_grad(log["alpha"], log["beta"], a, b, C, regul(reg_type, gamma, max_nz))
    return {
        "regularizer": {"l2": "squared-l2", "kl": "negentropy", "sparsity_constrained": "sparse-l2"}[reg_type],
        "formulation": formulation, "gamma": gamma, "maxNonZeros": max_nz,
        "objective": float(value), "plan": plan.ravel().tolist(),
    }


def unbalanced_case(a, b, C, eps, reg_m, reg_type):
    plan = ot.unbalanced.sinkhorn_unbalanced(
        a, b, C, eps, reg_m, method="sinkhorn", reg_type=reg_type, numItermax=200000, stopThr=1e-15)
    rho = list(reg_m) if isinstance(reg_m, tuple) else [reg_m, reg_m]
    return {"epsilon": eps, "rho": rho, "reference": {"kl": "product", "entropy": "ones"}[reg_type],
            "plan": plan.ravel().tolist(), "mass": float(plan.sum())}


def main():
    rng = np.random.default_rng(20261130)
    cases = []
    for name, n, m, d, weighted in [("uniform_n12_m9", 12, 9, 2, False), ("weighted_n15_m20", 15, 20, 3, True),
                                    ("weighted_n25_m18", 25, 18, 2, True)]:
        a, b, C = instance(rng, n, m, d, weighted)
        smooth_cases = []
        for gamma in [1.0, 0.1]:
            for formulation in ["semi-dual", "dual"]:
                smooth_cases.append(smooth_case(a, b, C, "l2", formulation, gamma))
                smooth_cases.append(smooth_case(a, b, C, "kl", formulation, gamma))
        unbalanced = []
        for eps in [0.1, 0.02]:
            for reg_m in [1.0, 0.1, (0.5, 2.0)]:
                for reg_type in ["kl", "entropy"]:
                    unbalanced.append(unbalanced_case(a, b * 1.3, C, eps, reg_m, reg_type))
        cases.append({"name": name, "n": n, "m": m, "a": a.tolist(), "b": b.tolist(), "cost": C.ravel().tolist(),
                      "smooth": smooth_cases, "unbalanced": unbalanced, "unbalancedTargetScale": 1.3})
    meta = {"generator": "scripts/reference/regularized_ot.py", "pot": ot.__version__, "cases": cases}
    with open(OUT, "w") as out:
        json.dump(meta, out, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
