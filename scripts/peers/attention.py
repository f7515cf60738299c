#!/usr/bin/env python3
"""Times the Python peers of OTKit's attention anchors (Benchmarks/AttentionBenchmarks).

n = 1024 queries and keys, d = 64, float32, threads fixed to 2, temperature sqrt(d):
  1. PyTorch's scaled_dot_product_attention (scores, softmax, weights x V);
  2. a NumPy log-domain Sinkhorn attention of 10 normalizations (rows first), weights x V;
  3. the `entmax` package's sparsemax and entmax15 on the 1024 x 1024 score matrix.
Medians of 15 runs after one warm-up.

    OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 python3 scripts/peers/attention.py [--json]
"""
import argparse
import json

import numpy as np
import torch
from entmax import entmax15, sparsemax

from timing import median


def lse(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(2)
    n, d = 1024, 64
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((n, d)).astype(np.float32) for _ in range(3))
    tq, tk, tv = (torch.from_numpy(a)[None, None] for a in (q, k, v))
    scale = 1 / np.sqrt(d)
    results = {}
    with torch.no_grad():
        results["sdpa"] = median(lambda: torch.nn.functional.scaled_dot_product_attention(tq, tk, tv))

        def sinkhorn():
            s = (q @ k.T) * np.float32(scale)
            for t in range(10):
                s = s - lse(s, 1 if t % 2 == 0 else 0)
            return np.exp(s) @ v

        results["numpy_sinkhorn10"] = median(sinkhorn)
        scores = torch.from_numpy((q @ k.T) * np.float32(scale))
        results["entmax_sparsemax"] = median(lambda: sparsemax(scores, dim=-1))
        results["entmax_entmax15"] = median(lambda: entmax15(scores, dim=-1))
    if args.json:
        print(json.dumps({key: value * 1000 for key, value in results.items()}))
    else:
        for key, value in results.items():
            print(f"{key}: {value * 1000:.2f} ms")


if __name__ == "__main__":
    main()
