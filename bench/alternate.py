#!/usr/bin/env python3
"""Runs labelled commands in turn, ROUNDS times, rotating which goes first, and compares what they print.

usage: bench/alternate.py [--rounds R] [--log FILE] LABEL 'COMMAND' [LABEL 'COMMAND' ...]

Each command prints key=value pairs (Regimen.Bench and torch_peer.py do). Per label: the median and range of every
numeric key; per label after the first: the median of the round-by-round ratios to the first label. Pairing each
round's runs cancels the slow drifts of this machine's speed that separate runs minutes apart.
"""
import argparse, shlex, statistics, subprocess, sys

p = argparse.ArgumentParser()
p.add_argument("--rounds", type=int, default=5)
p.add_argument("--log")
p.add_argument("pairs", nargs="+")
a = p.parse_args()
if len(a.pairs) % 2: sys.exit("alternate.py: give LABEL 'COMMAND' pairs")
sides = list(zip(a.pairs[0::2], a.pairs[1::2]))
log = open(a.log, "a") if a.log else None
values = {label: [] for label, _ in sides}
for r in range(a.rounds):
    order = sides[r % len(sides):] + sides[:r % len(sides)]
    for label, command in order:
        out = subprocess.run(command, shell=True, capture_output=True, text=True)
        if out.returncode != 0: sys.exit(f"{label} failed ({out.returncode}): {out.stderr[-2000:]}")
        line = out.stdout.strip().splitlines()[-1]
        kv = {}
        for part in line.split():
            k, _, v = part.partition("=")
            try: kv[k] = float(v)
            except ValueError: pass
        values[label].append(kv)
        print(f"round={r} label={label} {line}", flush=True)
        if log: print(f"round={r} label={label} {line}", file=log, flush=True)
keys = [k for k in values[sides[0][0]][0] if all(k in run for runs in values.values() for run in runs)]
first = sides[0][0]
for k in keys:
    print(f"\n{k}")
    for label, _ in sides:
        v = [run[k] for run in values[label]]
        line = f"  {label:24} median {statistics.median(v):10.2f}  range {min(v):.2f}-{max(v):.2f}"
        if label != first:
            ratios = [x[k] / y[k] for x, y in zip(values[label], values[first]) if y[k]]
            if ratios: line += f"  ratio to {first}: median {statistics.median(ratios):.3f} (rounds {min(ratios):.2f}-{max(ratios):.2f})"
        print(line)
