#!/usr/bin/env python3
"""The Monge gap: OTT-JAX's tutorial (docs/tutorials/neural/200_Monge_Gap.ipynb) against
`otkit reproduce monge-gap`, same settings, same machine, one run.

OTT fits an MLP [32, 64, 32] (GELU) from a half moon (rotated pi/6, mean (0, -0.5), noise
0.05) to an S-curve (scale 0.6, mean (1, -2), rotated pi/2, noise 0.05) with Adam 1e-3 on
batches of 256: the fitting loss sinkdiv(static_b=True) at 0.1 x the target batch's mean
cost, plus lambda x the Monge gap at 0.01 x the mean source-target cost. This script runs
the three arms of the tutorial for --steps steps (the tutorial runs 5,000; OTKit's defaults
800), prints the last step's fitting loss and regularizer (the values the tutorial prints)
and the seconds per step (jit compilation excluded), then OTKit's with the same step count.

    .venv/bin/pip install ott-jax flax optax diffrax scikit-learn numpy
    swift build -c release
    .venv/bin/python scripts/peers/monge_gap.py [--steps 800]
"""
import argparse
import json
import subprocess
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
import sklearn.datasets
from flax import linen as nn
from ott.geometry import costs, pointcloud
from ott.neural.methods import monge_gap
from ott.tools import sinkhorn_divergence


def sampler(name, rotation, mean, scale, noise, batch, seed):
    rng = np.random.default_rng(seed)
    c, s = np.cos(rotation), np.sin(rotation)
    rot = np.array([[c, -s], [s, c]])
    while True:
        state = int(rng.integers(0, 100000))
        if name == "moon":
            x, _ = sklearn.datasets.make_moons(n_samples=(batch, 0), random_state=state, noise=noise)
        else:
            x, _ = sklearn.datasets.make_s_curve(n_samples=batch, random_state=state, noise=noise)
            x = x[:, [2, 0]]
        yield jnp.asarray(np.asarray(mean) + scale * (x @ rot.T), dtype=jnp.float32)


class MLP(nn.Module):
    @nn.compact
    def __call__(self, x):
        for width in (32, 64, 32):
            x = nn.gelu(nn.Dense(width)(x))
        return nn.Dense(2)(x)


def ott_arm(cost_fn, strength, steps, batch):
    source = sampler("moon", np.pi / 6, (0, -0.5), 1.0, 0.05, batch, 1)
    target = sampler("s", np.pi / 2, (1, -2), 0.6, 0.05, batch, 2)
    y0, x0 = next(target), next(source)
    eps_fit = 0.1 * pointcloud.PointCloud(y0).mean_cost_matrix
    eps_reg = 0.01 * pointcloud.PointCloud(x0, y0).mean_cost_matrix
    model = MLP()
    params = model.init(jax.random.key(0), x0)
    opt = optax.adam(1e-3)
    state = opt.init(params)

    def loss(params, x, y):
        mapped = model.apply(params, x)
        fit, _ = sinkhorn_divergence.sinkdiv(mapped, y, epsilon=eps_fit, static_b=True)
        gap = monge_gap.monge_gap_from_samples(x, mapped, cost_fn=cost_fn, epsilon=eps_reg) if strength > 0 else 0.0
        return fit + strength * gap, (fit, gap)

    @jax.jit
    def step(params, state, x, y):
        (value, aux), grads = jax.value_and_grad(loss, has_aux=True)(params, x, y)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state, aux

    params, state, aux = step(params, state, next(source), next(target))  # compile
    jax.block_until_ready(aux)
    start = time.perf_counter()
    for _ in range(steps - 1):
        params, state, aux = step(params, state, next(source), next(target))
    jax.block_until_ready(aux)
    return float(aux[0]), float(aux[1]), (time.perf_counter() - start) / (steps - 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--otkit", default=".build/release/otkit")
    args = parser.parse_args()
    arms = [("none", costs.SqEuclidean(), 0.0), ("l2:2", costs.Euclidean(), 2.0), ("l2sq:0.1", costs.SqEuclidean(), 0.1)]
    out = subprocess.run([args.otkit, "reproduce", "monge-gap", "--set", f"tutorial-steps={args.steps}", "--set", "maps=optimal",
                          "--set", "dimensions=2", "--json"], capture_output=True, text=True, check=True)
    mine = {r["arm"]: r for r in json.loads(out.stdout.strip().splitlines()[-1])["result"]["tutorial"]}
    print(f"{'arm':10s} {'OTT fit':>8s} {'OTT gap':>8s} {'OTT s/step':>11s} {'OTKit fit':>9s} {'OTKit gap':>9s} {'OTKit s/step':>12s} {'ratio':>6s}")
    for name, cost, strength in arms:
        fit, gap, per_step = ott_arm(cost, strength, args.steps, 256)
        r = mine[name]
        ours = r["seconds"] / args.steps
        print(f"{name:10s} {fit:8.4f} {gap:8.4f} {per_step:11.4f} {r['trainingFitting']:9.4f} {r['trainingGap']:9.4f} {ours:12.4f} {per_step / ours:6.2f}")


if __name__ == "__main__":
    main()
