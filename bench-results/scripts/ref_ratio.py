#!/usr/bin/env python3
"""Server CPU per request of every backend against its reference and against tokio-mt.

`harness run --backend all` prints ratios against tokio-mt only. The goals of issue 19
compare a pool with the runtime-free loop of its own I/O model (uring with uring-ref,
mio with epoll-ref), so this reads the result files of one interleaved run and prints,
per backend: the median server CPU per request [min-max], split into user and kernel
time, and the ratio of medians against the reference and tokio-mt with a 95% bootstrap
interval (each backend's repeats resampled independently, 10,000 times, fixed seed).
A ratio whose interval excludes 1.00 is marked *. A backend with a saturated repeat
(the offered rate not reached) gets no ratio, and neither does any backend compared
with it: at saturation, CPU per request is not a fixed-rate figure.

Usage: bench-results/scripts/ref_ratio.py RUN_DIR...   (a markdown table per dir)
"""

import glob
import json
import os
import random
import statistics
import sys

PAIRS = [
    ("uring", "uring-ref"),
    ("mio", "epoll-ref"),
    ("tokio", "epoll-ref"),
    ("tokio-mt", "epoll-ref"),
]
BASE = "tokio-mt"
SATURATED = set()
ORDER = ["tokio-mt", "tokio", "mio", "uring", "epoll-ref", "uring-ref"]


def load(run_dir):
    """backend -> list of (cpu, user, sys) per request in µs, one per repeat."""
    runs = {}
    for path in sorted(glob.glob(os.path.join(run_dir, "*.json"))):
        with open(path) as f:
            r = json.load(f)
        s = r["server"]
        n = s["echoes"]
        if not n:
            continue
        runs.setdefault(r["backend"], []).append(
            (s["cpu_per_echo_us"], s["cpu"]["user_s"] / n * 1e6, s["cpu"]["sys_s"] / n * 1e6)
        )
        if r["load"].get("saturated"):
            SATURATED.add(r["backend"])
    return runs


def ratio_ci(a, b, rng, n=10_000):
    """Ratio of medians a/b and its 95% bootstrap interval."""
    point = statistics.median(a) / statistics.median(b)
    boots = sorted(
        statistics.median(rng.choices(a, k=len(a))) / statistics.median(rng.choices(b, k=len(b)))
        for _ in range(n)
    )
    return point, boots[int(0.025 * n)], boots[int(0.975 * n) - 1]


def fmt_ratio(a, b, rng, names):
    if SATURATED & set(names):
        return "- (saturated)"
    if len(a) < 3 or len(b) < 3:
        return "- (fewer than 3 repeats)"
    p, lo, hi = ratio_ci(a, b, rng)
    star = "*" if lo > 1 or hi < 1 else ""
    return f"{p:.2f} [{lo:.2f}–{hi:.2f}]{star}"


def table(run_dir):
    rng = random.Random(1)
    SATURATED.clear()
    runs = load(run_dir)
    ref_of = dict(PAIRS)
    print(f"### {run_dir}\n")
    print("| backend | repeats | CPU µs/req median [min–max] | user µs/req | kernel µs/req | × its reference | × tokio-mt |")
    print("|---|---|---|---|---|---|---|")
    for b in ORDER:
        if b not in runs:
            continue
        cpu = [x[0] for x in runs[b]]
        user = statistics.median(x[1] for x in runs[b])
        sys_ = statistics.median(x[2] for x in runs[b])
        ref = ref_of.get(b)
        vs_ref = f"{fmt_ratio(cpu, [x[0] for x in runs[ref]], rng, (b, ref))} ({ref})" if ref in runs else "-"
        vs_base = fmt_ratio(cpu, [x[0] for x in runs[BASE]], rng, (b, BASE)) if BASE in runs and b != BASE else "-"
        print(
            f"| {b}{' (saturated)' if b in SATURATED else ''} | {len(cpu)} | {statistics.median(cpu):.2f} [{min(cpu):.2f}–{max(cpu):.2f}] "
            f"| {user:.2f} | {sys_:.2f} | {vs_ref} | {vs_base} |"
        )
    print()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for d in sys.argv[1:]:
        table(d)
