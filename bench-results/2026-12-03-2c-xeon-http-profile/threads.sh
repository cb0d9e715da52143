#!/bin/sh
# Same cell as run.sh; 1.5 s into the load, lists the server's threads with their CPU ticks (utime stime from /proc/PID/task/TID/stat).
set -e
B=$1; OUT=$2
taskset -c 0 target/release/harness serve --backend $B --threads 1 --workload http > $OUT/thr-serve-$B.txt 2>&1 &
SP=$!
sleep 0.5
ADDR=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' $OUT/thr-serve-$B.txt)
target/release/harness load --target $ADDR --workload http --conns 1000 --client-threads 1 --duration 3s --warmup 0.4s --cpus 1 --no-files > $OUT/thr-load-$B.txt 2>&1 &
LP=$!
sleep 1.5
for t in /proc/$SP/task/*; do echo "$(basename $t) $(cat $t/comm) $(awk '{print "utime="$14" stime="$15}' $t/stat)"; done > $OUT/threads-$B.txt
wait $LP
kill -INT $SP; wait $SP || true
