#!/usr/bin/env python3
"""Flow matching: one training step of torchcfm (PyTorch CPU) against OTKit's, same model
(an MLP on (x, t) with three hidden layers of 64, GELU), same batch (256 points, 8 Gaussians
to moons), Adam 1e-3, same machine, one run. I-CFM (independent pairs) and OT-CFM (exact
minibatch plan: POT's emd in torchcfm, OTKit's network simplex in OTKit).

torchcfm's step: sample_location_and_conditional_flow, the model on [x_t, t], the squared
error, backward and Adam, float32 (its default). OTKit's: `otkit reproduce flow` with
--steps 1000, its training seconds divided by the steps (Double, the batches' sampling and
the coupling included, as in torchcfm's loop below).

    .venv/bin/pip install /opt/wheels/torch-*.whl pot numpy && .venv/bin/pip install --no-deps torchcfm
    swift build -c release
    .venv/bin/python scripts/peers/flow.py [--steps 1000]
"""
import argparse
import json
import math
import subprocess
import time

import numpy as np
import torch
from torchcfm.conditional_flow_matching import ConditionalFlowMatcher, ExactOptimalTransportConditionalFlowMatcher


def eight_gaussians(n, rng):
    centres = 5 * np.array([[math.cos(k * math.pi / 4), math.sin(k * math.pi / 4)] for k in range(8)])
    return torch.tensor(centres[rng.integers(0, 8, n)] + rng.normal(size=(n, 2)) * 0.1 ** 0.25, dtype=torch.float32)


def moons(n, rng):
    t = math.pi * rng.uniform(size=n)
    upper = rng.uniform(size=n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    pts = np.stack([x, y], 1) + 0.2 * rng.normal(size=(n, 2))
    return torch.tensor(pts * 3 - 1, dtype=torch.float32)


def torch_step_time(matcher, steps, batch):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 64), torch.nn.GELU(), torch.nn.Linear(64, 64), torch.nn.GELU(),
                                torch.nn.Linear(64, 64), torch.nn.GELU(), torch.nn.Linear(64, 2))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = None
    for k in range(steps + 20):
        if k == 20:
            start = time.perf_counter()
        x0, x1 = eight_gaussians(batch, rng), moons(batch, rng)
        t, xt, ut = matcher.sample_location_and_conditional_flow(x0, x1)
        vt = model(torch.cat([xt, t[:, None]], dim=-1))
        loss = torch.mean((vt - ut) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return (time.perf_counter() - start) / steps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--otkit", default=".build/release/otkit")
    args = parser.parse_args()
    torch.set_num_threads(2)
    out = subprocess.run([args.otkit, "reproduce", "flow", "--set", "tasks=8gaussians", "--set", "arms=icfm@256,otcfm@256",
                          "--set", f"steps={args.steps}", "--set", "samples=64", "--json"], capture_output=True, text=True, check=True)
    mine = {r["arm"]: r["seconds"] / args.steps for r in json.loads(out.stdout.strip().splitlines()[-1])["result"]["runs"]}
    print(f"{'arm':10s} {'torchcfm s/step':>16s} {'OTKit s/step':>13s} {'ratio (torchcfm / OTKit)':>25s}")
    for name, matcher in [("icfm@256", ConditionalFlowMatcher(sigma=0.1)), ("otcfm@256", ExactOptimalTransportConditionalFlowMatcher(sigma=0.1))]:
        theirs = torch_step_time(matcher, args.steps, 256)
        print(f"{name:10s} {theirs:16.5f} {mine[name]:13.5f} {theirs / mine[name]:25.2f}")


if __name__ == "__main__":
    main()
