"""Reference vectors of the `entmax` package for OTKit's sparse anchors.

Writes Tests/OTKitAttentionTests/entmax_reference.json: seeded score rows and the package's
sparsemax, entmax15 (exact, sort-based) and entmax_bisect (alpha 1.25 and 1.75) of each, in
float64. Run from the project root with a virtual environment that has torch and entmax:

    .venv-peers/bin/python scripts/peers/entmax_reference.py
"""
import json

import numpy as np
import torch
from entmax import entmax15, entmax_bisect, sparsemax

rng = np.random.default_rng(2026)
rows = []
for scale in (0.3, 1.0, 3.0):
    rows.append((rng.standard_normal(12) * scale).tolist())
rows.append([1.0, 1.0, 1.0, 1.0])                 # ties: uniform
rows.append([5.0, 0.0, -1.0, 0.5, 4.9])           # two dominant entries
rows.append([0.0])                                # one entry
rows.append((rng.standard_normal(40) * 2).tolist())

x = [torch.tensor([r], dtype=torch.float64) for r in rows]
out = {
    "source": "entmax %s, torch %s" % (getattr(__import__("entmax"), "__version__", "?"), torch.__version__),
    "scores": rows,
    "sparsemax": [sparsemax(t, dim=-1)[0].tolist() for t in x],
    "entmax15": [entmax15(t, dim=-1)[0].tolist() for t in x],
    "entmax_bisect_1.25": [entmax_bisect(t, alpha=1.25, dim=-1, n_iter=100)[0].tolist() for t in x],
    "entmax_bisect_1.75": [entmax_bisect(t, alpha=1.75, dim=-1, n_iter=100)[0].tolist() for t in x],
}
with open("Tests/OTKitAttentionTests/entmax_reference.json", "w") as f:
    json.dump(out, f, indent=1)
print("wrote", len(rows), "rows")
