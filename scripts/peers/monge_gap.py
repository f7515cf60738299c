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
    .venv/bin/python scripts/peers/monge_gap.py [--steps 800] [--seeds 3]
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


def ott_arm(cost_fn, strength, steps, batch, seed=0):
    source = sampler("moon", np.pi / 6, (0, -0.5), 1.0, 0.05, batch, 1 + 10 * seed)
    target = sampler("s", np.pi / 2, (1, -2), 0.6, 0.05, batch, 2 + 10 * seed)
    y0, x0 = next(target), next(source)
    eps_fit = 0.1 * pointcloud.PointCloud(y0).mean_cost_matrix
    eps_reg = 0.01 * pointcloud.PointCloud(x0, y0).mean_cost_matrix
    model = MLP()
    params = model.init(jax.random.key(seed), x0)
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


def estimate(values):
    values = np.asarray(values)
    return f"{values.mean():.4f} ± {values.std(ddof=1) if len(values) > 1 else 0:.4f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--otkit", default=".build/release/otkit")
    args = parser.parse_args()
    arms = [("none", costs.SqEuclidean(), 0.0), ("l2:2", costs.Euclidean(), 2.0), ("l2sq:0.1", costs.SqEuclidean(), 0.1)]
    out = subprocess.run([args.otkit, "reproduce", "monge-gap", "--set", f"tutorial-steps={args.steps}", "--set", "maps=optimal",
                          "--set", "dimensions=2", "--set", f"seeds={args.seeds}", "--json"], capture_output=True, text=True, check=True)
    runs = json.loads(out.stdout.strip().splitlines()[-1])["result"]["tutorial"]
    print(f"last step's values, mean ± sd over {args.seeds} seed(s); seconds per step of the first seed")
    print(f"{'arm':10s} {'OTT fit':>16s} {'OTT gap':>16s} {'OTT s/step':>11s} {'OTKit fit':>16s} {'OTKit gap':>16s} {'OTKit s/step':>12s} {'ratio':>6s}")
    for name, cost, strength in arms:
        ott = [ott_arm(cost, strength, args.steps, 256, seed) for seed in range(args.seeds)]
        mine = [r for r in runs if r["arm"] == name]
        ours = mine[0]["seconds"] / args.steps
        print(f"{name:10s} {estimate([o[0] for o in ott]):>16s} {estimate([o[1] for o in ott]):>16s} {ott[0][2]:11.4f} "
              f"{estimate([r['trainingFitting'] for r in mine]):>16s} {estimate([r['trainingGap'] for r in mine]):>16s} {ours:12.4f} {ott[0][2] / ours:6.2f}")


if __name__ == "__main__":
    main()
