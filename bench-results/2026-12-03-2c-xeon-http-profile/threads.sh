#!/bin/sh
# Same cell as run.sh; 1.5 s into the load, lists the server's threads with their CPU ticks (utime stime from /proc/PID/task/TID/stat).
. "$(dirname "$0")/cell.sh"
start_server thr-
load thr- &
LP=$!
sleep 1.5
for t in /proc/$SP/task/*; do echo "$(basename $t) $(cat $t/comm) $(awk '{print "utime="$14" stime="$15}' $t/stat)"; done > $OUT/threads-$B.txt
wait $LP
kill -INT $SP; wait $SP || true
