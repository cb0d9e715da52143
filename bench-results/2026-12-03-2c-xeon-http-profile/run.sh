#!/bin/sh
# One closed-loop cell of the http matrix (isolated: server CPU 0, client CPU 1, 1 server thread, 1000 conns),
# with perf stat counting the server's instructions and syscalls over the load.
. "$(dirname "$0")/cell.sh"
start_server ''
perf stat -p $SP -e instructions,syscalls:sys_enter_read,syscalls:sys_enter_recvfrom,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_futex,syscalls:sys_enter_io_uring_enter -o $OUT/perf-stat-$B.txt &
PP=$!
load ''
kill -INT $PP; wait $PP || true
kill -INT $SP; wait $SP || true
