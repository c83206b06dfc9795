#!/usr/bin/python3
"""Resident memory of a long training run, epoch by epoch (issue 18: memory stays flat).

Starts `excite train` with the given flags, samples its resident set (VmRSS of /proc/PID/status)
every 0.2 s, and tells the samples apart by the epoch they fall in (the rows metrics.csv holds at
that moment). Prints per epoch the largest resident set seen, and the growth of the largest one
after epoch 1 over epoch 1's: a leak or an unbounded buffer shows as a climb epoch after epoch.

    /usr/bin/python3 bench/rss_flat.py --excite build/excite -- --arch resnet8 --epochs 20 \\
        --limit-train 4096 --limit-test 1024 --threads 2 --workers 2

Exit status 1 when the growth is 1 % or more (or the run failed).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def epochs_done(run_dir):
    try:
        with open(os.path.join(run_dir, "metrics.csv")) as f:
            return max(0, sum(1 for _ in f) - 1)
    except OSError:
        return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--excite", default="build/excite")
    p.add_argument("train_flags", nargs=argparse.REMAINDER, help="after --: the flags of excite train")
    a = p.parse_args()
    flags = [f for f in a.train_flags if f != "--"]
    with tempfile.TemporaryDirectory(prefix="excite-rss-") as out:
        run_dir = os.path.join(out, "run")
        proc = subprocess.Popen([a.excite, "train", *flags, "--out", run_dir], stdout=subprocess.DEVNULL)
        peak = {}  # epoch in progress (0-based) -> largest RSS seen
        while proc.poll() is None:
            mb = rss_mb(proc.pid)
            if mb is not None:
                e = epochs_done(run_dir)
                peak[e] = max(peak.get(e, 0.0), mb)
            time.sleep(0.2)
        if proc.returncode != 0:
            print(f"excite train failed (exit {proc.returncode})", file=sys.stderr)
            return 1
        epochs = epochs_done(run_dir)
    rows = [(e + 1, peak[e]) for e in sorted(peak) if e < epochs]
    for epoch, mb in rows:
        print(f"epoch {epoch:3d}: peak resident {mb:8.1f} MB")
    first = rows[0][1]
    later = max(mb for _, mb in rows[1:]) if len(rows) > 1 else first
    growth = (later - first) / first * 100.0
    print(f"largest after epoch 1: {later:.1f} MB, epoch 1: {first:.1f} MB, growth {growth:+.2f} %")
    return 0 if growth < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
