#!/usr/bin/env python3
"""Times one training step of the trained sorter (seed 001, the author's Fig. 2 / E2) in
PyTorch on the CPU, the framework of the author's code, against `otkit reproduce sorting
--trained`.

Same model and shapes as OTKit's `TrainedSorter` with its defaults: prompts of 7 points and
a sink (width 11), batch 1000, 19 layers of two heads with full 11 x 11 merged query-key
and value matrices, residual step 0.1, a readout head with the sink masked copying feature
1, mean squared error against the sorted lists, Adam 5e-4 (one update per step here; the
author's code applies two because every parameter is listed twice, which OTKit reproduces by
default and which costs no forward or backward pass). The attention is written as the
author writes it (einsum, exp, L1 normalization), with a max shift for safety. Threads fixed
to 2.

    python3 scripts/peers/trained_sorter.py [--steps 20] [--json]
"""
import argparse
import json

import torch

from timing import median


def step_function(dtype, batch=1000, n=7, width=11, layers=19):
    torch.manual_seed(10001)
    params = []
    for _ in range(layers):
        w1 = (torch.randn(width, width, dtype=dtype) / (2 * width ** 0.5)).requires_grad_()
        v1 = (torch.randn(width, width, dtype=dtype) / (2 * width ** 0.5)).requires_grad_()
        w2 = (torch.randn(width, width, dtype=dtype) / width ** 0.5).requires_grad_()
        v2 = (torch.randn(width, width, dtype=dtype) / width ** 0.5).requires_grad_()
        params.append((w1, v1, w2, v2))
    readout = (torch.randn(width, width, dtype=dtype) / (2 * width ** 0.5)).requires_grad_()
    flat = [p for layer in params for p in layer] + [readout]
    optimizer = torch.optim.Adam(flat, lr=5e-4)
    # Prompts: x, y, squares, ones, the value channel, registers; the sink last.
    x = torch.stack([torch.randperm(50)[:n] for _ in range(batch)]).to(dtype) / 50
    y = torch.arange(n, dtype=dtype).expand(batch, n) / n
    z = torch.zeros(batch, n + 1, width, dtype=dtype)
    z[:, :n, 0], z[:, :n, 1], z[:, :n, 2], z[:, :n, 3] = x ** 2, x, y ** 2, y
    z[:, :n, 4:8] = 1
    z[:, n, 7] = -1 / n
    z[:, :n, 8] = torch.randn(batch, n, dtype=dtype)
    z[:, :n, 9] = torch.rand(batch, n, dtype=dtype)
    target = torch.sort(x, dim=1).values
    mask = torch.zeros(n + 1, n + 1, dtype=dtype)
    mask[:, n] = float("-inf")

    def attention(z, w, v):
        scores = torch.einsum("bij,jk,bmk->bim", z, w, z)
        weights = torch.softmax(scores, dim=2)
        return torch.einsum("bij,bjk,km->bim", weights, z, v)

    def step():
        h = z
        for w1, v1, w2, v2 in params:
            h = h - 0.1 * attention(h, w1, v1) - 0.1 * attention(h, w2, v2)
        scores = torch.einsum("bij,jk,bmk->bim", h, readout, h) + mask
        out = torch.einsum("bij,bj->bi", torch.softmax(scores, dim=2), h[:, :, 1])[:, :n]
        loss = torch.mean((out - target) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(2)
    results = {}
    for dtype, name in [(torch.float64, "float64"), (torch.float32, "float32")]:
        results[name] = median(step_function(dtype), runs=args.steps)
    if args.json:
        print(json.dumps({"torch": torch.__version__, "stepSeconds": results}))
    else:
        for name, seconds in results.items():
            print(f"PyTorch {torch.__version__} CPU {name}: {seconds * 1000:.1f} ms per training step (median of {args.steps})")


if __name__ == "__main__":
    main()
