#!/usr/bin/env bash
# Regenerates the figures of docs/papers/ (the reports' own SVGs) with the paper's settings:
# each reproduction's figures go to docs/papers/figures/NAME-k.svg.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product otkit
rm -rf docs/papers/figures
for name in synthetic sorting alignment unbalanced acceleration attention monge-gap flow moe; do
  .build/release/otkit reproduce "$name" --figures docs/papers/figures > /dev/null
done
ls docs/papers/figures | wc -l
