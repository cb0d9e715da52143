#!/bin/sh
# Same cell as run.sh, with perf record (no call graphs, 2 s of the load) on the server.
. "$(dirname "$0")/cell.sh"
start_server rec-
load rec- &
LP=$!
sleep 1
perf record -F 999 -p $SP -o /tmp/perf-http-$B.data -- sleep 2 2>/dev/null
wait $LP
kill -INT $SP; wait $SP || true
perf report -i /tmp/perf-http-$B.data --no-children --sort dso,symbol --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40 > $OUT/perf-report-$B.txt
