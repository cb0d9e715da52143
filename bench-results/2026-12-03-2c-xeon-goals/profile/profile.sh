#!/bin/bash
# perf profile of one server at 1000 conns, 40k req/s, server CPU0, client CPU1
set -e
cd /work/main; H=target/release/harness; O=$1; mkdir -p $O
for b in uring uring-ref mio epoll-ref; do
  taskset -c 0 $H serve --backend $b --threads 1 > $O/serve-$b.txt 2>&1 & SP=$!
  for i in $(seq 50); do ADDR=$(grep -o 'listening on [^ ]*' $O/serve-$b.txt | cut -d' ' -f3) || true; [ -n "$ADDR" ] && break; sleep 0.1; done
  taskset -c 1 $H load --target $ADDR --conns 1000 --client-threads 1 --rate 40000 --duration 6 --warmup 1 --out $O/load-$b > $O/load-$b.txt 2>&1 &
  LP=$!
  sleep 3
  perf record -F 4999 -g -p $SP -o $O/$b.data -- sleep 3 2>/dev/null >/dev/null
  wait $LP; kill -TERM $SP; wait $SP || true
  perf report -i $O/$b.data --no-children --sort sym --percent-limit 0.7 --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -30 > $O/$b-top.txt
done
