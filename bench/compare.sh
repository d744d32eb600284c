#!/usr/bin/env bash
# Regimen vs PyTorch, side by side: the same model, batch, threads and input, the two sides alternated ROUNDS
# times so that machine noise hits both alike. Prints every run, then per model the median img/s of each side,
# the spread (min-max) and the ratio Regimen/PyTorch. Needs Debian's python3-torch (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get install -y -qq python3-torch >/dev/null
fi
dotnet build -c Release bench/Regimen.Bench >/dev/null
BENCH=bench/Regimen.Bench/bin/Release/net10.0/linux-x64/Regimen.Bench
OUT=${OUT:-bench/out}; mkdir -p "$OUT"; LOG="$OUT/compare-$(date -u +%Y%m%d-%H%M%S).txt"
configs=(
  "small_resnet --width 16 --size 28 --channels 1 --batch 128 --images 2560"
  "cifar_resnet18 --width 8 --size 28 --channels 1 --batch 128 --images 2560"
  "cifar_resnet18 --size 32 --channels 3 --batch 128 --images 384 --epochs 2"
  "wrn16_4 --size 32 --channels 3 --batch 128 --images 640 --epochs 2"
  "wrn28_10 --size 32 --channels 3 --batch 32 --images 96 --epochs 2"
)
for c in "${configs[@]}"; do
  for r in $(seq "$ROUNDS"); do
    $BENCH train $c | tee -a "$LOG"
    /usr/bin/python3 bench/torch_peer.py $c | tee -a "$LOG"
  done
done
/usr/bin/python3 - "$LOG" <<'PY'
import sys, statistics, collections
runs = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    kv = dict(p.split("=", 1) for p in line.split())
    key = f'{kv["model"]} w{kv["width"]} {kv["size"]}px b{kv["batch"]}'
    runs[key][kv["side"]].append(float(kv["img_per_s"]))
print(f"{'model':30} {'regimen img/s':>22} {'pytorch img/s':>22} {'ratio':>6}")
for m, sides in runs.items():
    r, p = sides["regimen"], sides["pytorch"]
    print(f"{m:30} {statistics.median(r):8.1f} ({min(r):.0f}-{max(r):.0f}) {statistics.median(p):10.1f} ({min(p):.0f}-{max(p):.0f}) {statistics.median(r) / statistics.median(p):6.2f}")
PY
echo "log: $LOG"
