#!/usr/bin/env python3
"""Runs two builds of `regimen analyze` over the same logs and says whether every output is the same.

usage: bench/same_analysis.py OLD_CLI NEW_CLI LOG [LOG ...]

OLD_CLI and NEW_CLI are the built executables (src/Regimen.Cli/bin/Release/net10.0/linux-x64/Regimen.Cli of two
checkouts). Each log is analyzed by both, as the report (text) and with --json; stdout, stderr and the exit code are
compared. A speed change must leave every one identical. Prints one line per difference and a count.
"""
import os, subprocess, sys

if len(sys.argv) < 4: sys.exit(__doc__)
old, new, logs = sys.argv[1], sys.argv[2], sys.argv[3:]
env = dict(os.environ, COLUMNS="120", NO_COLOR="1")
same = differ = 0
for log in logs:
    for extra in ([], ["--json"]):
        outs = [subprocess.run([cli, "analyze", log, *extra], capture_output=True, text=True, env=env, timeout=600)
                for cli in (old, new)]
        a, b = ((o.returncode, o.stdout, o.stderr) for o in outs)
        if a == b: same += 1
        else:
            differ += 1
            print(f"DIFFERENT: {log} {' '.join(extra)} (exit {a[0]} / {b[0]})", flush=True)
print(f"same={same} different={differ} logs={len(logs)}")
sys.exit(1 if differ else 0)
