#!/usr/bin/env bash
# The memory contract's estimates against the measured peak (docs/reliability.md): each
# command runs twice with the release otkit, once under a small --memory-limit to read the
# estimate from its MemoryError ("needs N MB") and once to measure its peak resident memory
# with GNU time, less that of an idle `otkit info`. Needs python3 with NumPy for the inputs.
#   scripts/memory/estimates.sh [N]      # N points per side (default 5000); the
#                                         # transformer rows train on 400 x 200 features
set -euo pipefail
n=${1:-5000}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/.build/release/otkit"
[ -x "$bin" ] || swift build -c release --product otkit --package-path "$root" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
python3 - "$n" <<'PY'
import sys, numpy as np
n = int(sys.argv[1]); rng = np.random.default_rng(1)
np.save("a.npy", rng.standard_normal((n, 3))); np.save("b.npy", rng.standard_normal((n, 3)) + 0.3)
np.save("q.npy", rng.standard_normal((n, 8))); np.save("qf.npy", rng.standard_normal((n, 8)).astype(np.float32))
# 400 instances of 200 features: 200 tokens of width 1 for the transformer.
x = rng.standard_normal((400, 200)); y = rng.integers(0, 3, 400)
with open("t200.csv", "w") as f:
    f.write(",".join([f"x{i}" for i in range(200)] + ["label"]) + "\n")
    for row, label in zip(x, y): f.write(",".join(f"{v:.4f}" for v in row) + f",{label}\n")
PY
peak() { /usr/bin/time -f "%M" -o t "$bin" "$@" >/dev/null 2>&1 || true; cat t | tail -1; }
idle=$(peak info)
printf "%-128s %12s %12s\n" "command (n = $n)" "estimate MB" "measured MB"
while IFS= read -r line; do
  [ -z "$line" ] && continue
  read -r -a args <<<"$line"
  estimate=$("$bin" "${args[@]}" --memory-limit 65M 2>&1 >/dev/null | grep -o 'needs [0-9.]* [GMK]B' | head -1 | sed 's/needs //' || true)
  kb=$(peak "${args[@]}")
  printf "%-128s %12s %12.1f\n" "${line:0:128}" "${estimate:-fits}" "$(python3 -c "print(($kb - $idle) * 1024 / 1e6)")"
done <<'CASES'
transport a.npy b.npy --method exact
transport a.npy b.npy --method assignment
transport a.npy b.npy --method sinkhorn --epsilon 0.05 --relative-epsilon max --no-online
transport a.npy b.npy --method sinkhorn --epsilon 0.05 --relative-epsilon max --no-online --float32
transport a.npy b.npy --method sns --epsilon 0.05 --relative-epsilon max
transport a.npy b.npy --method quadratic --gamma 1
attention --queries q.npy --keys q.npy --weights w.npy --no-diagnostics
attention --queries q.npy --keys q.npy --weights w.npy --diagnostics
attention --queries qf.npy --keys qf.npy --weights w.npy --no-diagnostics
attention --queries q.npy --keys q.npy --values q.npy --output o.npy --no-diagnostics --anchor entmax
train t200.csv --label label --model transformer --token-dim 1 --epochs 1 --validation-fraction 0.01
train t200.csv --label label --model transformer --token-dim 1 --epochs 1 --validation-fraction 0.01 --blocks 2
train t200.csv --label label --model transformer --token-dim 1 --epochs 1 --validation-fraction 0.01 --heads 2
train t200.csv --label label --model transformer --token-dim 1 --epochs 1 --validation-fraction 0.01 --feed-forward 512
train t200.csv --label label --model transformer --token-dim 1 --epochs 1 --validation-fraction 0.01 --layout feature
train t200.csv --label label --model transformer --token-dim 1 --epochs 1 --batch-size 0 --validation-fraction 0
train t200.csv --label label --model transformer --token-dim 1 --epochs 1 --batch-size 16
CASES
