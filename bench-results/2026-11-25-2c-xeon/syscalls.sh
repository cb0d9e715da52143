#!/bin/bash
# Syscalls per echo of each server: harness serve pinned to CPU 0 (1 worker), harness load
# on CPU 1 at a fixed rate, strace -c -f on the server for a window inside the load.
H=/work/main/target/release/harness
RATE=${RATE:-20000}; CONNS=${CONNS:-100}; WIN=${WIN:-3}
for b in tokio-mt tokio mio uring epoll-ref uring-ref; do
  taskset -c 0 $H serve --backend $b --threads 1 > /tmp/sc-serve.txt 2>&1 &
  spid=$!
  for i in $(seq 50); do grep -q "listening on" /tmp/sc-serve.txt && break; sleep 0.1; done
  addr=$(grep -o "listening on [0-9.:]*" /tmp/sc-serve.txt | awk '{print $3}')
  $H load --target $addr --conns $CONNS --rate $RATE --duration $((WIN+2)) --warmup 1 --cpus 1 --client-threads 1 --no-files > /tmp/sc-load.txt 2>&1 &
  lpid=$!
  sleep 2.5
  pids=$(ls /proc/$spid/task | sed "s/^/-p /" | tr "\n" " ")
  timeout -s INT $WIN strace -f -c -q $pids -o /tmp/sc-$b.txt 2>/dev/null
  wait $lpid
  kill -TERM $spid; wait $spid
  total=$(awk '/^100.00/ {print $4}' /tmp/sc-$b.txt)
  [ -z "$total" ] && total=$(grep total /tmp/sc-$b.txt | awk '{print $4}')
  top=$(grep -v "^%\|^---\|total" /tmp/sc-$b.txt | sort -k4 -n -r | head -4 | awk '{printf "%s %s, ", $NF, $4}')
  echo "$b: calls $total in ${WIN}s at $RATE req/s => $(python3 -c "print(round($total/($RATE*$WIN),2))") syscalls/echo; top: $top"
done
