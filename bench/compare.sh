#!/usr/bin/env bash
# Regimen vs PyTorch, side by side: the same model, batch, threads and input, the sides alternated ROUNDS times
# (bench/alternate.py rotates which goes first) so that this machine's drifting speed hits them alike. Per model:
# training img/s, evaluation img/s, the forward pass alone (img/s), peak RSS and RSS growth from epoch 2 to the
# last, each side's median and range, and the median of the round-by-round ratios Regimen/PyTorch. PEER_CL=1 adds
# PyTorch with channels_last as a third side. Needs Debian's python3-torch (installed if missing).
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
  "small_resnet --width 16 --size 28 --channels 1 --batch 128 --images 2560 --epochs 3"
  "cifar_resnet18 --width 8 --size 28 --channels 1 --batch 128 --images 1280 --epochs 10"
  "cifar_resnet18 --size 32 --channels 3 --batch 128 --images 384 --epochs 2"
  "wrn16_4 --size 32 --channels 3 --batch 128 --images 640 --epochs 2"
  "wrn28_10 --size 32 --channels 3 --batch 32 --images 96 --epochs 2"
)
if [ -n "${CONFIGS:-}" ]; then mapfile -t configs <<< "$CONFIGS"; fi
for c in "${configs[@]}"; do
  echo "== $c" | tee -a "$LOG"
  sides=(pytorch "/usr/bin/python3 bench/torch_peer.py $c" regimen "$BENCH train $c")
  [ "${PEER_CL:-0}" = 1 ] && sides+=(pytorch-channels-last "PEER_CHANNELS_LAST=1 /usr/bin/python3 bench/torch_peer.py $c")
  bench/alternate.py --rounds "$ROUNDS" --log "$LOG" "${sides[@]}" | grep -v '^round=' | tee -a "$LOG"
done
echo "log: $LOG"
