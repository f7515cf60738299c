#!/usr/bin/env python3
"""Regenerates OTKit's references for the OT tools (Tests/OTKitTransportTests/Resources/ot-tools.json):

- OTT-JAX's soft_sort (sort, sort with topk and num_targets, ranks, topk_mask, quantile) and the
  gradients jax.grad computes through them (implicit differentiation), in float64 with
  Sinkhorn's threshold 1e-12, so that the references are converged solutions;
- POT's sliced_wasserstein_distance with given projections;
- POT's ot.bregman.barycenter (method 'sinkhorn_log') on a fixed support and
  ot.lp.free_support_barycenter.

    python3 -m venv .venv && .venv/bin/pip install pot ott-jax numpy scipy
    .venv/bin/python scripts/reference/ot_tools.py
"""
import json
import os

import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
import numpy as np
import ot
from ott.tools import soft_sort

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "OTKitTransportTests", "Resources", "ot-tools.json")
from ott.initializers.linear import initializers
# The default initializer (the sorting one has a while loop jax.grad cannot cross); the solve
# is converged, so the start does not change the result.
TIGHT = dict(threshold=1e-12, max_iterations=200000, lse_mode=True, initializer=initializers.DefaultInitializer())


def soft_cases(rng):
    cases = []
    for n, eps in [(12, 1e-2), (9, 0.1), (20, 0.05)]:
        x = rng.normal(size=n) * 2 + 1
        u = rng.normal(size=n)
        ops = {
            "sort": lambda v: soft_sort.sort(v, epsilon=eps, **TIGHT),
            "sortTopk3": lambda v: soft_sort.sort(v, topk=3, epsilon=eps, **TIGHT),
            "sortTargets5": lambda v: soft_sort.sort(v, num_targets=5, epsilon=eps, **TIGHT),
            "ranks": lambda v: soft_sort.ranks(v, epsilon=eps, **TIGHT),
            "topkMask3": lambda v: soft_sort.topk_mask(v, k=3, epsilon=eps, **TIGHT),
            "quantiles": lambda v: soft_sort.quantile(v, q=jnp.array([0.2, 0.5, 0.8]), epsilon=eps, **TIGHT),
        }
        results = {}
        for name, f in ops.items():
            value = np.asarray(f(jnp.asarray(x)))
            w = rng.normal(size=value.shape[0])
            grad = np.asarray(jax.grad(lambda v: jnp.sum(jnp.asarray(w) * f(v)))(jnp.asarray(x)))
            results[name] = {"values": value.tolist(), "upstream": w.tolist(), "gradient": grad.tolist()}
        cases.append({"n": n, "epsilon": eps, "x": x.tolist(), "ops": results})
    return cases


def sliced_cases(rng):
    cases = []
    for n, m, d, p in [(30, 25, 3, 2.0), (40, 40, 5, 1.0)]:
        x = rng.normal(size=(n, d))
        y = rng.normal(size=(m, d)) + 0.7
        a = rng.uniform(0.5, 1.5, n); a /= a.sum()
        b = rng.uniform(0.5, 1.5, m); b /= b.sum()
        proj = rng.normal(size=(d, 7))
        proj /= np.linalg.norm(proj, axis=0, keepdims=True)
        value = ot.sliced_wasserstein_distance(x, y, a, b, projections=proj, p=p)
        cases.append({"x": x.tolist(), "y": y.tolist(), "a": a.tolist(), "b": b.tolist(),
                      "directions": proj.T.tolist(), "p": p, "distance": float(value)})
    return cases


def barycenter_cases(rng):
    n = 30
    grid = np.linspace(0, 1, n)
    M = (grid[:, None] - grid[None, :]) ** 2
    def bump(c, s):
        h = np.exp(-(grid - c) ** 2 / (2 * s * s)) + 1e-3
        return h / h.sum()
    A = np.stack([bump(0.25, 0.05), bump(0.7, 0.08), bump(0.5, 0.15)], axis=1)
    lam = np.array([0.5, 0.3, 0.2])
    fixed = ot.bregman.barycenter(A, M, 0.01, weights=lam, method="sinkhorn_log", numItermax=100000, stopThr=1e-13)
    clouds = [rng.normal(size=(15, 2)) + shift for shift in ([0, 0], [3, 1], [0, 4])]
    start = rng.normal(size=(15, 2))
    free = ot.lp.free_support_barycenter([c for c in clouds], [np.full(15, 1 / 15)] * 3, start, numItermax=100, stopThr=1e-9)
    return {"fixed": {"histograms": A.T.tolist(), "cost": M.tolist(), "epsilon": 0.01, "lambdas": lam.tolist(),
                      "barycenter": fixed.tolist()},
            "free": {"clouds": [c.tolist() for c in clouds], "start": start.tolist(), "barycenter": free.tolist()}}


def main():
    rng = np.random.default_rng(20261130)
    data = {"generator": "scripts/reference/ot_tools.py", "pot": ot.__version__, "ott": __import__("ott").__version__,
            "softSort": soft_cases(rng), "sliced": sliced_cases(rng), "barycenters": barycenter_cases(rng)}
    with open(OUT, "w") as out:
        json.dump(data, out, separators=(",", ":"))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
