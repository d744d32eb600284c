#!/usr/bin/env bash
# Where a step's time goes, Regimen (TorchSharp, libtorch 2.10) against PyTorch 1.13, piece by piece: a convolution,
# BatchNorm, ReLU, the model's forward, forward+backward, the optimizer step, alternated ROUNDS times; prints the
# median ms of each piece per side and the ratio PyTorch/Regimen (above 1: Regimen is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
ARGS=${ARGS:-"cifar_resnet18 --width 8 --size 28 --channels 1 --batch 128 --reps 30"}
dotnet build -c Release bench/Regimen.Bench >/dev/null
BENCH=bench/Regimen.Bench/bin/Release/net10.0/linux-x64/Regimen.Bench
OUT=${OUT:-bench/out}; mkdir -p "$OUT"; LOG="$OUT/ops-$(date -u +%Y%m%d-%H%M%S).txt"
for r in $(seq "$ROUNDS"); do
  $BENCH ops $ARGS | tee -a "$LOG"
  /usr/bin/python3 bench/torch_ops.py $ARGS | tee -a "$LOG"
done
/usr/bin/python3 - "$LOG" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    kv = dict(p.split("=", 1) for p in line.split())
    side = kv.pop("side")
    for k, v in kv.items(): runs[k][side].append(float(v))
print(f"{'piece':24} {'regimen ms':>11} {'pytorch ms':>11} {'ratio':>6}")
for k, sides in runs.items():
    r, p = statistics.median(sides["regimen"]), statistics.median(sides["pytorch"])
    print(f"{k:24} {r:11.2f} {p:11.2f} {p / r:6.2f}")
PY
echo "log: $LOG"
