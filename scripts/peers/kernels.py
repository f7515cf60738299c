#!/usr/bin/env python3
"""Times NumPy/SciPy on the operations of the OTKit kernel benchmarks.

Same shapes and dtypes as Benchmarks/Benchmarks/KernelBenchmarks; run both in one session
and read the ratios off. Threads: set OPENBLAS_NUM_THREADS / OMP_NUM_THREADS (the
acceptance figures of the product use 1).

    python3 scripts/peers/kernels.py [--json]
"""
import json
import sys

import numpy as np
import scipy.special

from timing import best


def main():
    rng = np.random.default_rng(7)
    n = 1024
    a = rng.standard_normal((n, n))
    b = rng.standard_normal((n, n))
    af, bf = a.astype(np.float32), b.astype(np.float32)
    big = rng.standard_normal((4000, 4000))
    g = np.arange(4000) / 4000.0
    x = rng.standard_normal((4000, 16))
    y = rng.standard_normal((4000, 16))

    def sqdist():
        d = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2.0 * x @ y.T
        np.maximum(d, 0, out=d)
        return d

    results = {
        "dgemm 1024": best(lambda: a @ b),
        "dgemm A B^T 1024": best(lambda: a @ b.T),
        "dgemm A^T B 1024": best(lambda: a.T @ b),
        "sgemm 1024": best(lambda: af @ bf),
        "row logsumexp 4000x4000": best(lambda: scipy.special.logsumexp(big, axis=1)),
        "column logsumexp 4000x4000": best(lambda: scipy.special.logsumexp(big, axis=0)),
        "fused row LSE_j((g_j - C_ij)/eps) 4000x4000":
            best(lambda: scipy.special.logsumexp(-10.0 * big + g[None, :], axis=1)),
        "squared distances 4000x4000 d=16": best(sqdist),
        "scipy cdist sqeuclidean 4000x4000 d=16":
            best(lambda: __import__("scipy.spatial.distance", fromlist=["cdist"]).cdist(x, y, "sqeuclidean")),
    }
    flops = 2.0 * n ** 3
    for name, seconds in results.items():
        extra = f"  {flops / seconds / 1e9:6.1f} GFLOP/s" if "gemm" in name else ""
        print(f"{name:48s} {seconds * 1e3:9.2f} ms{extra}")
    print(f"numpy {np.__version__}, scipy {scipy.__version__}")
    if "--json" in sys.argv:
        print(json.dumps({k: v for k, v in results.items()}))


if __name__ == "__main__":
    main()
