#!/bin/sh
# Sourced by run.sh, record.sh and threads.sh: the one closed-loop cell they share
# (isolated: server on CPU 0 with 1 thread, client on CPU 1, 1000 conns, http), run from
# the workspace root as `SCRIPT B DIR`.
#
#   start_server PREFIX   server for backend $B, its output in $OUT/PREFIXserve-$B.txt;
#                         sets SP and ADDR once the server prints its address (at most 10 s)
#   load PREFIX           runs the load on $ADDR, its output in $OUT/PREFIXload-$B.txt
set -e
B=$1; OUT=$2
H=target/release/harness

start_server() {
    taskset -c 0 $H serve --backend "$B" --threads 1 --workload http > "$OUT/$1serve-$B.txt" 2>&1 &
    SP=$!
    ADDR=
    tries=0
    while [ -z "$ADDR" ]; do
        ADDR=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$OUT/$1serve-$B.txt")
        tries=$((tries + 1))
        if [ -z "$ADDR" ] && { [ $tries -gt 200 ] || ! kill -0 $SP 2>/dev/null; }; then
            echo "$0: the $B server printed no address; see $OUT/$1serve-$B.txt" >&2
            exit 1
        fi
        [ -n "$ADDR" ] || sleep 0.05
    done
}

load() {
    $H load --target "$ADDR" --workload http --conns 1000 --client-threads 1 --duration 3s \
        --warmup 0.4s --cpus 1 --no-files > "$OUT/$1load-$B.txt" 2>&1
}
