#!/usr/bin/env bash
# The fixed-rate goal runs of issues 19 and 20, at one commit, into one directory:
#
#   echo, 50,000 req/s, at 100, 1,000 and 10,000 conns (issue 19: uring <= 1.03x
#   uring-ref and <= 0.93x tokio-mt, mio <= 1.03x epoll-ref, in server CPU per echo);
#   HTTP, HTTP_RATE req/s, at 1,000 conns (issue 20: every pool <= 1.05x tokio-mt,
#   uring < tokio-mt, in server CPU per request).
#
# Every backend and both references, interleaved A B C A B C, REPEAT repeats, one
# server thread pinned to CPU 0 and one client thread on CPU 1. Each run's summary
# table (medians, ranges, bootstrap intervals of the ratios) is kept as a .txt beside
# its JSON results.
#
# Usage: scripts/goals.sh OUT_DIR   (env: REPEAT=5 DURATION=4 HTTP_RATE=20000 CONNS="100 1000 10000")
# Run it on an otherwise idle machine, from a clean checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:?usage: scripts/goals.sh OUT_DIR}
REPEAT=${REPEAT:-5}
DURATION=${DURATION:-4}
HTTP_RATE=${HTTP_RATE:-20000}
CONNS=${CONNS:-"100 1000 10000"}
cargo build --release -p harness
H=target/release/harness
mkdir -p "$OUT"
common=(--backend all --threads 1 --client-threads 1 --pin --duration "$DURATION" --repeat "$REPEAT")
start=$(date +%s)
for c in $CONNS; do
    "$H" "${common[@]}" --rate 50000 --conns "$c" --out "$OUT/echo-c$c" | tee "$OUT/echo-c$c.txt"
done
"$H" "${common[@]}" --workload http --rate "$HTTP_RATE" --conns 1000 --out "$OUT/http-c1000" \
    | tee "$OUT/http-c1000.txt"
echo "goals.sh: done in $(($(date +%s) - start)) s; tables in $OUT/*.txt" >&2
