#!/usr/bin/env python3
"""Times PyTorch (CPU) on the models of the OTKit neural benchmarks.

Same models, shapes and data as `otkit info --benchmark-neural` and
Benchmarks/Benchmarks/NeuralBenchmarks, threads fixed to 2 for both:
  1. one epoch of an MLP 16-32-32-4 on BEED 4-class (6,400 rows, batch 64, Adam,
     cross-entropy), including the shuffling and the optimizer steps;
  2. one forward + backward pass of a one-block post-norm transformer encoder (16 tokens
     of width 16, 4 heads of size 4, feed-forward 64, no dropout, batch 256), loss = mean
     of the output.

    python3 scripts/peers/neural.py [--data ../shared/data/beed.csv] [--json]
"""
import argparse
import json

import numpy as np
import torch

from timing import best, median


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="../shared/data/beed.csv")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(0)

    raw = np.loadtxt(args.data, delimiter=",", skiprows=1)
    x = raw[:, :16]
    y = raw[:, 16].astype(np.int64)
    keep = y < 4
    x, y = x[keep][:6400], y[keep][:6400]
    x = (x - x.mean(0)) / x.std(0)
    results = {}
    for dtype, name in [(torch.float32, "float32"), (torch.float64, "float64")]:
        xt = torch.tensor(x, dtype=dtype)
        yt = torch.tensor(y)
        mlp = torch.nn.Sequential(
            torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.ReLU(), torch.nn.Linear(32, 4)
        ).to(dtype)
        opt = torch.optim.Adam(mlp.parameters(), lr=1e-2)
        loss_fn = torch.nn.CrossEntropyLoss()

        def epoch():
            perm = torch.randperm(xt.shape[0])
            for i in range(0, xt.shape[0], 64):
                idx = perm[i : i + 64]
                opt.zero_grad()
                loss = loss_fn(mlp(xt[idx]), yt[idx])
                loss.backward()
                opt.step()

        results[f"mlpEpoch_{name}"] = best(epoch)

        block = torch.nn.TransformerEncoderLayer(
            d_model=16, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True, layer_norm_eps=1e-6
        ).to(dtype)
        inputs = torch.randn(256, 16, 16, dtype=dtype)

        def forward_backward():
            block.zero_grad()
            block(inputs).mean().backward()

        results[f"transformerForwardBackward_{name}"] = best(forward_backward, runs=20)
        # The median of 50 calls, as OTKit's benchmark reports besides its minimum.
        results[f"transformerForwardBackwardMedian_{name}"] = median(forward_backward, runs=50)
    if args.json:
        print(json.dumps(results))
    else:
        for k, v in results.items():
            print(f"{k}: {v * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
