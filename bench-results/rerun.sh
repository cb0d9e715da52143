#!/bin/bash
# The rerun at one commit (issue 22): the published matrix, the wake-up, even-load
# placement and skewed-load comparisons, each run twice (independent, replicate), each
# README then regenerated against its twin so that findings say whether they replicate;
# plus the 10,000-connection uring run of URING.md. One release binary, built once, so
# every result records the same commit.
#
#   bench-results/rerun.sh            # or: make replicated
#   PREFIX=2026-12-03-2c-xeon bench-results/rerun.sh
#
# About an hour on the 2-core VM: 3,688 s at 6ae9b98 (its own "done in" line); the index
# records each run's wall time (there: matrix 892 s, placement 401 s, wake-up 329 s, skew
# 180 s, each twice, plus the uring run). Run it on
# an otherwise idle machine, from a clean checkout (a -dirty commit replicates nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "rerun.sh: warning: uncommitted changes; results will record a -dirty commit" >&2
fi
cargo build --release -p harness
H=target/release/harness
PREFIX=${PREFIX:-$(date -u +%F)-head}
ROOT=bench-results

pair() { # pair NAME ARGS...: two matrix runs NAME and NAME-replicate, each checked against the other
  local name=$1; shift
  "$H" matrix --out "$ROOT" --name "$name" "$@"
  "$H" matrix --out "$ROOT" --name "$name-replicate" "$@"
  "$H" readme "$ROOT/$name" --replicate "$ROOT/$name-replicate"
  "$H" readme "$ROOT/$name-replicate" --replicate "$ROOT/$name"
}

start=$(date +%s)
pair "$PREFIX"
pair "$PREFIX-wakeup" --profiles isolated --conns-list 1,100 --open-levels 10 \
  --park immediate,spin:50us,never --client-spin
pair "$PREFIX-placement-even" --profiles shared --conns-list 100,1000 --open-levels 50 \
  --placement round-robin,least-loaded,p2c
pair "$PREFIX-skew" --profiles shared --conns-list 100 --open-levels 30 --work-us 2000 \
  --hot-fraction 0.005 --conn-requests 200 --placement round-robin,least-loaded,p2c
"$H" run --backend all --conns 10000 --rate 50000 --threads 1 --client-threads 1 --pin \
  --repeat 3 --duration 3 --warmup 1 --out "$ROOT/$PREFIX/uring-10k-conns" \
  | tee "$ROOT/$PREFIX/uring-10k-conns.txt"
echo "rerun.sh: done in $(( $(date +%s) - start )) s; see $ROOT/README.md" >&2
