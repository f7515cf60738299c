#!/usr/bin/env python3
"""Regenerates OTKit's references for the transport losses on the tape
(Tests/OTKitNeuralTests/Resources/transport-losses.json):

- OTT-JAX's Sinkhorn divergence (ott.tools.sinkhorn_divergence.sinkdiv, squared Euclidean
  cost, absolute epsilon) between weighted point clouds, and its gradients in both clouds
  and both weight vectors by jax.grad;
- OTT-JAX's entropic Monge gap (ott.neural.methods.monge_gap.monge_gap_from_samples) and its
  gradient in the mapped points;

all in float64 with Sinkhorn's threshold 1e-12, so that the references are converged
solutions (the envelope gradients OTKit takes are then exact).

    python3 -m venv .venv && .venv/bin/pip install ott-jax flax optax diffrax numpy
    .venv/bin/python scripts/reference/transport_losses.py
"""
import json
import os

import jax
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp
import numpy as np
from ott.geometry import costs
from ott.neural.methods import monge_gap
from ott.tools import sinkhorn_divergence

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "OTKitNeuralTests", "Resources", "transport-losses.json")
TIGHT = dict(threshold=1e-12, max_iterations=100000, lse_mode=True)


def divergence_cases(rng):
    cases = []
    for n, m, d, eps in [(7, 5, 2, 0.5), (12, 9, 3, 0.1), (20, 20, 2, 1.0)]:
        x = rng.normal(size=(n, d))
        y = rng.normal(size=(m, d)) * 0.8 + 0.7
        a = rng.uniform(0.5, 1.5, size=n); a /= a.sum()
        b = rng.uniform(0.5, 1.5, size=m); b /= b.sum()

        def value(x, y, a, b):
            v, _ = sinkhorn_divergence.sinkdiv(x, y, cost_fn=costs.SqEuclidean(), epsilon=eps, a=a, b=b,
                                               solve_kwargs=TIGHT)
            return v

        v, grads = jax.value_and_grad(value, argnums=(0, 1, 2, 3))(x, y, a, b)
        _, solved = sinkhorn_divergence.sinkdiv(x, y, cost_fn=costs.SqEuclidean(), epsilon=eps, a=a, b=b, solve_kwargs=TIGHT)
        assert all(bool(c) for c in solved.converged), f"a reference solve did not converge (epsilon {eps})"
        cases.append(dict(epsilon=eps, x=x.tolist(), y=y.tolist(), a=a.tolist(), b=b.tolist(), value=float(v),
                          gradX=np.asarray(grads[0]).tolist(), gradY=np.asarray(grads[1]).tolist(),
                          gradA=np.asarray(grads[2]).tolist(), gradB=np.asarray(grads[3]).tolist()))
    return cases


def gap_cases(rng):
    cases = []
    for n, d, eps, cost in [(10, 2, 1.0, "sqeuclidean"), (16, 3, 0.5, "sqeuclidean"), (12, 2, 0.2, "euclidean")]:
        x = rng.normal(size=(n, d))
        y = x @ rng.normal(size=(d, d)) + 0.3 * rng.normal(size=(n, d))
        fn = costs.SqEuclidean() if cost == "sqeuclidean" else costs.Euclidean()

        def gap(y):
            return monge_gap.monge_gap_from_samples(x, y, cost_fn=fn, epsilon=eps, **TIGHT)

        v, g = jax.value_and_grad(gap)(y)
        _, solved = monge_gap.monge_gap_from_samples(x, y, cost_fn=fn, epsilon=eps, return_output=True, **TIGHT)
        assert bool(solved.converged), f"the reference solve did not converge (n {n}, epsilon {eps})"
        cases.append(dict(epsilon=eps, cost=cost, x=x.tolist(), y=y.tolist(), value=float(v), gradY=np.asarray(g).tolist()))
    return cases


def main():
    rng = np.random.default_rng(20261207)
    out = dict(divergence=divergence_cases(rng), mongeGap=gap_cases(rng))
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", os.path.relpath(OUT))


if __name__ == "__main__":
    main()
