#!/bin/sh
# One closed-loop cell of the http matrix (isolated: server CPU 0, client CPU 1, 1 server thread, 1000 conns),
# with perf stat counting the server's instructions and syscalls over the load.
set -e
B=$1; OUT=$2
taskset -c 0 target/release/harness serve --backend $B --threads 1 --workload http > $OUT/serve-$B.txt 2>&1 &
SP=$!
sleep 0.5
ADDR=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' $OUT/serve-$B.txt)
perf stat -p $SP -e instructions,syscalls:sys_enter_read,syscalls:sys_enter_recvfrom,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_futex,syscalls:sys_enter_io_uring_enter -o $OUT/perf-stat-$B.txt &
PP=$!
target/release/harness load --target $ADDR --workload http --conns 1000 --client-threads 1 --duration 3s --warmup 0.4s --cpus 1 --no-files > $OUT/load-$B.txt 2>&1
kill -INT $PP; wait $PP || true
kill -INT $SP; wait $SP || true
