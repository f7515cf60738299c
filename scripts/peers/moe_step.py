#!/usr/bin/env python3
"""Times PyTorch (CPU) on the training step of `otkit reproduce moe`'s classifier.

The model of Sources/OTKitExperiments/MixtureOfExperts: h = Linear(x) to 64, logits =
Linear(h + MoE(h)), the layer 8 experts (MLP 64-64-64, GELU), softmax top-2 gates
renormalized over the chosen experts, capacity ceil(1.25 * 128 * 2 / 8) with choices served
by rank then token order, Switch's balance loss at 0.01; Adam at 1e-3 on batches of 128
standardized digits rows (8 x 8 images, 10 classes). Threads: 2 unless `--threads`. Prints the time per
step (median of `--steps` steps after 20 warm-up steps), float64 (OTKit's precision) and
float32.

    python3 scripts/peers/moe_step.py [--data ../shared/data/digits.csv] [--steps 300] [--threads 2] [--json]
"""
import argparse
import json
import math

import numpy as np
import torch

from timing import median


class MoE(torch.nn.Module):
    def __init__(self, width, experts, top_k, capacity_factor):
        super().__init__()
        self.router = torch.nn.Linear(width, experts)
        self.experts = torch.nn.ModuleList(
            torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.GELU(), torch.nn.Linear(width, width))
            for _ in range(experts)
        )
        self.top_k, self.capacity_factor = top_k, capacity_factor

    def forward(self, x):
        m, n = x.shape[0], len(self.experts)
        logits = self.router(x)
        p = logits.softmax(-1)
        top = p.topk(self.top_k, dim=-1)
        gates = top.values / top.values.sum(-1, keepdim=True)
        capacity = math.ceil(self.capacity_factor * m * self.top_k / n)
        # Choices by rank, then token order: rank-major flattening, position within expert.
        choice = top.indices.t().reshape(-1)
        one_hot = torch.nn.functional.one_hot(choice, n)
        position = (one_hot.cumsum(0) - 1).gather(1, choice[:, None]).squeeze(1)
        kept = position < capacity
        tokens = torch.arange(m).repeat(self.top_k)
        gate = gates.t().reshape(-1)
        out = torch.zeros_like(x)
        for e in range(n):
            sel = kept & (choice == e)
            rows = tokens[sel]
            if rows.numel():
                out.index_add_(0, rows, self.experts[e](x[rows]) * gate[sel][:, None])
        shares = torch.bincount(top.indices[:, 0], minlength=n).to(x.dtype) / m
        balance = n * (shares * p.mean(0)).sum()
        return out, balance


class Classifier(torch.nn.Module):
    def __init__(self, features, classes):
        super().__init__()
        self.input = torch.nn.Linear(features, 64)
        self.moe = MoE(64, 8, 2, 1.25)
        self.head = torch.nn.Linear(64, classes)

    def forward(self, x):
        h = self.input(x)
        out, balance = self.moe(h)
        return self.head(h + out), balance


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="../shared/data/digits.csv")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    raw = np.loadtxt(args.data, delimiter=",", skiprows=1)
    x, y = raw[:, :-1], raw[:, -1].astype(np.int64)
    x = (x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1)
    results = {}
    for dtype, name in [(torch.float64, "float64"), (torch.float32, "float32")]:
        xt, yt = torch.tensor(x, dtype=dtype), torch.tensor(y)
        model = Classifier(x.shape[1], 10).to(dtype)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        generator = torch.Generator().manual_seed(0)

        def step():
            idx = torch.randint(0, xt.shape[0], (128,), generator=generator)
            opt.zero_grad()
            logits, balance = model(xt[idx])
            loss = torch.nn.functional.cross_entropy(logits, yt[idx]) + 0.01 * balance
            loss.backward()
            opt.step()

        for _ in range(19):  # with timing.median's own warm-up call, 20 steps before timing
            step()
        results[f"moeStep_{name}"] = median(step, runs=args.steps)
    if args.json:
        print(json.dumps(results))
    else:
        for k, v in results.items():
            print(f"{k}: {v * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
