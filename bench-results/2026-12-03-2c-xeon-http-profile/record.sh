#!/bin/sh
# Same cell as run.sh, with perf record (no call graphs, 2 s of the load) on the server.
set -e
B=$1; OUT=$2
taskset -c 0 target/release/harness serve --backend $B --threads 1 --workload http > $OUT/rec-serve-$B.txt 2>&1 &
SP=$!
sleep 0.5
ADDR=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' $OUT/rec-serve-$B.txt)
target/release/harness load --target $ADDR --workload http --conns 1000 --client-threads 1 --duration 3s --warmup 0.4s --cpus 1 --no-files > $OUT/rec-load-$B.txt 2>&1 &
LP=$!
sleep 1
perf record -F 999 -p $SP -o /tmp/perf-http-$B.data -- sleep 2 2>/dev/null
wait $LP
kill -INT $SP; wait $SP || true
perf report -i /tmp/perf-http-$B.data --no-children --sort dso,symbol --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40 > $OUT/perf-report-$B.txt
