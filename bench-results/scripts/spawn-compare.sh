#!/usr/bin/env bash
# Criterion `spawn/<backend>/1000` of this tree against another commit, built beside it
# and run in one interleaved series (A B A B ...).
#
#   bench-results/scripts/spawn-compare.sh [OUT_DIR]
#
# Environment (all optional):
#   BASE=3d8045c      the commit to compare with (72c4dc8 is the one before pool-core
#                     v2, which issue 19 compares with)
#   BASE_DIR=target/bench-base   where the base is exported and built
#   ROUNDS=5          rounds; each runs the base, then this tree
#   MEASURE=2         criterion --measurement-time, seconds
#   FILTER='^spawn/(tokio|tokio-mt|mio|uring)/1000$'
#
# The base is exported with `git archive` (no worktree is registered in the repository)
# to $BASE_DIR/src and built there with its own target dir; this tree's bench is
# built in ./target as usual. Each side keeps its own CRITERION_HOME, so criterion's
# "change since last run" lines compare a side with itself, never with the other.
# Prints every round's point estimates, then per bench the median ratio (this ÷ base)
# with the min–max spread of the per-round ratios.
set -euo pipefail

ROOT=$(git rev-parse --show-toplevel)
BASE=${BASE:-3d8045c}
ROUNDS=${ROUNDS:-5}
MEASURE=${MEASURE:-2}
FILTER=${FILTER:-'^spawn/(tokio|tokio-mt|mio|uring)/1000$'}
OUT=$(realpath -m "${1:-$ROOT/target/spawn-compare}")
PRE=$(realpath -m "${BASE_DIR:-$ROOT/target/bench-base}")
mkdir -p "$OUT" "$PRE"

bench_bin() { # target dir -> newest bench_main executable
    find "$1/release/deps" -maxdepth 1 -type f -executable -name 'bench_main-*' \
        -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2
}

if [ ! -f "$PRE/src/.commit" ] || [ "$(cat "$PRE/src/.commit")" != "$BASE" ]; then
    rm -rf "$PRE/src"
    mkdir -p "$PRE/src"
    git -C "$ROOT" archive "$BASE" | tar -x -C "$PRE/src"
    echo "$BASE" >"$PRE/src/.commit"
fi
echo "== building base $BASE" >&2
(cd "$PRE/src" && CARGO_TARGET_DIR=$PRE/target cargo bench -p harness --bench bench_main --no-run)
echo "== building this tree ($(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+dirty'))" >&2
(cd "$ROOT" && cargo bench -p harness --bench bench_main --no-run)
A=$(bench_bin "$PRE/target")
B=$(bench_bin "$ROOT/target")
echo "base: $A" >&2
echo "this: $B" >&2

run() { # side binary round
    CRITERION_HOME=$OUT/criterion-$1 "$2" --bench "$FILTER" --warm-up-time 1 \
        --measurement-time "$MEASURE" --noplot >"$OUT/$1-$3.txt" 2>&1
}
for r in $(seq 1 "$ROUNDS"); do
    echo "== round $r/$ROUNDS" >&2
    (cd "$PRE/src/harness" && run base "$A" "$r")
    (cd "$ROOT/harness" && run this "$B" "$r")
done

# The point estimate (middle of criterion's three figures), in µs.
python3 - "$OUT" "$ROUNDS" <<'PY'
import re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
unit = {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
pat = re.compile(r"^(\S+)\s+time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", re.M)
est = {}
for side in ("base", "this"):
    for r in range(1, rounds + 1):
        text = open(f"{out}/{side}-{r}.txt").read()
        for name, value, u in pat.findall(text):
            est.setdefault(name, {}).setdefault(side, []).append(float(value) * unit[u])
print(f"{'bench':<22} {'round':>5} {'base µs':>9} {'this µs':>9} {'ratio':>6}")
for name, sides in sorted(est.items()):
    ratios = []
    for r, (a, b) in enumerate(zip(sides.get("base", []), sides.get("this", [])), 1):
        ratios.append(b / a)
        print(f"{name:<22} {r:>5} {a:>9.1f} {b:>9.1f} {b / a:>6.2f}")
    if ratios:
        print(f"{name:<22} this ÷ base: median {statistics.median(ratios):.2f} "
              f"[{min(ratios):.2f}–{max(ratios):.2f}] over {len(ratios)} rounds; "
              f"medians {statistics.median(sides['base']):.1f} µs → "
              f"{statistics.median(sides['this']):.1f} µs")
PY
