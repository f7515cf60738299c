"""Timing helpers shared by the peer-comparison scripts."""
import time

import numpy as np


def timings(fn, runs):
    """Wall-clock seconds of `runs` calls of `fn`, after one warm-up call."""
    fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def best(fn, runs=5):
    return min(timings(fn, runs))


def median(fn, runs=15):
    return float(np.median(timings(fn, runs)))
