#!/usr/bin/env bash
# Cross-checks harness load against clients nobody here wrote: for every server,
# wrk against `harness serve --workload http` beside `harness load --workload http`
# (closed loop, the same connections), and `sockperf under-load --reply-every 1` beside
# `harness load --workload sockperf --rate N` (one connection, the same rate). The
# server runs alone on one CPU (taskset), the client on another. Prints one markdown
# table: req/s, p50, p99 and server CPU per request from each client, with the ratio
# harness / external, flagging disagreements over 10% on CPU per request and p50.
# Where perf is installed, it also counts the server's syscalls and context switches
# per request under each client (perf stat on the server's process), so a CPU
# disagreement can be told apart: the same syscalls per request means the server did
# the same work and the difference is in the cost of each wake-up, not in the client.
#
# Usage: scripts/crosscheck.sh [OUT_DIR]   (env: DURATION=5 CONNS=100 RATE=2000
#        BACKENDS="tokio-mt tokio mio uring epoll-ref uring-ref" SERVER_CPU=0 CLIENT_CPU=1)
# Needs wrk, sockperf and jq (make crosscheck installs them with apt-get where missing).
set -euo pipefail

DURATION=${DURATION:-5}
CONNS=${CONNS:-100}
RATE=${RATE:-2000}
MSG=64
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
BACKENDS=${BACKENDS:-"tokio-mt tokio mio uring epoll-ref uring-ref"}
HARNESS=${HARNESS:-target/release/harness}
OUT=${1:-$(mktemp -d /tmp/crosscheck.XXXXXX)}
mkdir -p "$OUT/raw"

for tool in wrk sockperf jq taskset; do
    command -v "$tool" >/dev/null || { echo "crosscheck: $tool is missing (make crosscheck installs it)" >&2; exit 1; }
done
[ -x "$HARNESS" ] || { echo "crosscheck: $HARNESS is missing (cargo build --release -p harness)" >&2; exit 1; }

# µs from a wrk figure such as 162.00us, 3.94ms or 1.02s.
to_us() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
        if (u == "ms") n *= 1000; else if (u == "s") n *= 1000000; else if (u == "m") n *= 60000000;
        printf "%.1f", n }'
}

SERVER_PID=""
SERVER_LOG=""
# Starts `harness serve` of backend $1 with workload $2 on SERVER_CPU; sets ADDR.
serve() {
    SERVER_LOG="$OUT/raw/serve-$1-$2-$3.txt"
    taskset -c "$SERVER_CPU" "$HARNESS" serve --backend "$1" --workload "$2" --threads 1 \
        --msg-size "$MSG" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        ADDR=$(grep -o 'listening on [^ ]*' "$SERVER_LOG" 2>/dev/null | cut -d' ' -f3) || true
        if [ -n "$ADDR" ]; then
            count_start
            return 0
        fi
        sleep 0.1
    done
    echo "crosscheck: $1 did not start: $(cat "$SERVER_LOG")" >&2
    exit 1
}

PERF_PID=""
PERF_LOG=""
# Counts the server's syscalls and context switches from now on (perf stat), if perf
# can: an absent perf, or one the kernel refuses, leaves the columns as "-".
count_start() {
    PERF_PID=""
    command -v perf >/dev/null || return 0
    PERF_LOG="${SERVER_LOG%.txt}.perf"
    perf stat -x, -e raw_syscalls:sys_enter,context-switches -p "$SERVER_PID" -o "$PERF_LOG" \
        2>/dev/null &
    PERF_PID=$!
}

# Stops the server (in this shell, which can wait for it); sets CPU to its CPU per
# request (µs), and SYS and CS to its syscalls and context switches per request.
stop() {
    if [ -n "$PERF_PID" ]; then
        kill -INT "$PERF_PID" 2>/dev/null || true
        wait "$PERF_PID" || true
    fi
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
    CPU=$(grep -o 'server CPU per echo: [0-9.]*' "$SERVER_LOG" | awk '{print $5}')
    local n
    n=$(grep -o '[0-9]* echoes of' "$SERVER_LOG" | awk '{print $1}')
    SYS=$(per_req raw_syscalls:sys_enter "$n")
    CS=$(per_req context-switches "$n")
}

# per_req EVENT N: the perf count of EVENT divided by N requests, or "-".
per_req() {
    [ -n "$PERF_PID" ] && [ -s "$PERF_LOG" ] && [ -n "$2" ] || { echo -; return; }
    awk -F, -v e="$1" -v n="$2" '$3 == e && $1 ~ /^[0-9]+$/ && n > 0 { printf "%.2f", $1 / n; found = 1 }
        END { if (!found) printf "-" }' "$PERF_LOG"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }
off() { awk -v r="$1" 'BEGIN { exit !(r != "-" && (r > 1.10 || r < 0.90)) }'; }

# One table row: backend, load, then rps p50 p99 cpu of the external client and of
# harness load, whether harness load saturated, then syscalls and context switches per
# request under the external client and under harness load.
row() {
    local b=$1 load=$2 er=$3 e50=$4 e99=$5 ec=$6 hr=$7 h50=$8 h99=$9 hc=${10} sat=${11}
    local es=${12} ecs=${13} hs=${14} hcs=${15}
    local rr r50 r99 rc flags=""
    rr=$(ratio "$hr" "$er"); r50=$(ratio "$h50" "$e50"); r99=$(ratio "$h99" "$e99"); rc=$(ratio "$hc" "$ec")
    off "$rc" && flags="CPU/req off by >10%"
    off "$r50" && flags="${flags:+$flags; }p50 off by >10%"
    [ "$sat" = true ] && flags="${flags:+$flags; }harness load saturated (rate not reached)"
    printf '| %s | %s | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s |\n' \
        "$b" "$load" "$er" "$hr" "$rr" "$e50" "$h50" "$r50" "$e99" "$h99" "$r99" "$ec" "$hc" "$rc" \
        "$es" "$hs" "$ecs" "$hcs" "${flags:-}"
}

# workload, tag (for the file names), extra flags...; prints rps p50 p99 saturated from the JSON result. Open
# loop, the latency is harness's uncorrected one (from the actual send), as sockperf
# measures each reply from its send.
harness_load() {
    local w=$1 tag=$2; shift 2
    local dir="$OUT/raw/load-$b-$w-$tag"
    rm -rf "$dir"
    taskset -c "$CLIENT_CPU" "$HARNESS" load --target "$ADDR" --workload "$w" --client-threads 1 \
        --msg-size "$MSG" --duration "$DURATION" --warmup 1 --out "$dir" "$@" >"$dir.txt" 2>&1 || true
    jq -r '.load | (.latency_uncorrected // .latency) as $l
        | "\(.throughput_rps) \($l.p50_us) \($l.p99_us) \(.saturated // false)"' "$dir"/*.json
}

# sockperf_pair BACKEND LOOP "SOCKPERF ARGS" [HARNESS LOAD ARGS...]: one table row.
# sockperf reports half the round trip unless --full-rtt; harness times the whole round
# trip, so sockperf runs with --full-rtt.
sockperf_pair() {
    local b=$1 loop=$2 sargs=$3
    shift 3
    local s=$OUT/raw/sockperf-$b-$loop.txt
    serve "$b" sockperf "sockperf-$loop"
    # shellcheck disable=SC2086 # sargs is a word list on purpose
    taskset -c "$CLIENT_CPU" sockperf $sargs --tcp --full-rtt -i 127.0.0.1 -p "${ADDR##*:}" \
        -m "$MSG" -t "$DURATION" >"$s" 2>&1 || true
    stop
    local ec=$CPU es=$SYS ecs=$CS er e50 e99
    er=$(grep -o 'Valid Duration\] RunTime=[0-9.]* sec; SentMessages=[0-9]*; ReceivedMessages=[0-9]*' "$s" \
        | awk -F'[=; ]+' '{print $NF / $4}')
    e50=$(awk '/percentile 50.000/ {print $NF}' "$s")
    e99=$(awk '/percentile 99.000/ {print $NF}' "$s")
    serve "$b" sockperf "harness-$loop"
    local hr h50 h99 sat
    read -r hr h50 h99 sat < <(harness_load sockperf "$loop" --conns 1 "$@")
    stop
    local what="sockperf $loop c1 (sockperf ${sargs%% *})"
    [ "$loop" = open ] && what="sockperf open $RATE/s c1 (sockperf under-load)"
    row "$b" "$what" "${er:-0}" "${e50:-0}" "${e99:-0}" "$ec" "$hr" "$h50" "$h99" "$CPU" "$sat" \
        "$es" "$ecs" "$SYS" "$CS" >>"$TABLE"
}

TABLE="$OUT/crosscheck.md"
{
    echo "| server | load | ext req/s | harness req/s | ratio | ext p50 µs | harness p50 µs | ratio | ext p99 µs | harness p99 µs | ratio | ext CPU/req µs | harness CPU/req µs | ratio | server syscalls/req ext / harness | server ctx switches/req ext / harness | flags |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >"$TABLE"

for b in $BACKENDS; do
    # HTTP, closed loop: wrk, then harness load, each against its own fresh server.
    serve "$b" http wrk
    taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "http://$ADDR/plaintext" \
        >"$OUT/raw/wrk-$b.txt" 2>&1
    stop
    ec=$CPU es=$SYS ecs=$CS
    w=$OUT/raw/wrk-$b.txt
    er=$(awk '/^Requests\/sec/ {print $2}' "$w")
    e50=$(to_us "$(awk '$1 == "50%" {print $2}' "$w")")
    e99=$(to_us "$(awk '$1 == "99%" {print $2}' "$w")")
    serve "$b" http harness
    read -r hr h50 h99 sat < <(harness_load http closed --conns "$CONNS")
    stop
    hc=$CPU hs=$SYS hcs=$CS
    row "$b" "http closed c$CONNS (wrk)" "$er" "$e50" "$e99" "$ec" "$hr" "$h50" "$h99" "$hc" "$sat" \
        "$es" "$ecs" "$hs" "$hcs" >>"$TABLE"

    # sockperf framing on one connection, every message answered: open loop at RATE
    # (sockperf under-load beside harness load --rate), then closed loop (sockperf
    # ping-pong beside harness load without a rate: one message in flight in both).
    sockperf_pair "$b" open "under-load --mps $RATE --reply-every 1" --rate "$RATE"
    sockperf_pair "$b" closed "ping-pong"
done

cat "$TABLE"
echo
echo "raw outputs: $OUT/raw; table: $TABLE"
