#!/usr/bin/env bash
# Runs one workload against Postern and against the reference Dovecot, back to back, and writes a Markdown table
# of both figures and their ratio (Postern ÷ Dovecot) to results/WORKLOAD.md (and stdout).
#
#   Benchmarks/run.sh handshake|handshake-resumed|mixed|steady|append|contended|idle|bigmailbox|appendnoop [options]
#
# Environment (defaults in brackets):
#   CLIENTS [workload's default]  DURATION [20]  NUSERS [min(CLIENTS,100); appendnoop: APPENDERS + CLIENTS]
#   APPENDERS [8] APPEND_MB [50] for appendnoop (CLIENTS [100] are its NOOP sessions)
#   APPENDERS for append: the number of concurrent appenders (each its own user, logged in once, one APPEND at a
#     time); the table goes to results/append-APPENDERS.md. APPENDERS=1 is the lone client's APPEND latency.
#   POSTERN_BIN [REPO/.build-bench-release/release/postern]   (a release build; see README.md)
#   BUILD_POSTERN [0]: 1 = rebuild that binary first (release, nice) and record its commit in postern.commit
#   BENCH_DIR [/tmp/postern-bench]   state of both servers, wiped per run
#   CERT [same]: same = Postern serves Dovecot's RSA-2048 certificate (like for like); own = its default ECDSA P-256
#   DOVECOT_FSYNC [always for append, else Dovecot's default]: mail_fsync for Dovecot
#   contended: CLIENTS [100] clients over NUSERS [= CLIENTS] users picked at random, MESSAGES [50] per user
#   SERVERS ["postern dovecot"]   MESSAGES [100 per user for mixed/steady]   BIG_N [10000 for bigmailbox]
#   REFERENCE [REPO/../shared/reference]
#   POSTERN_LOG_LEVEL [warning]: notice also logs, at shutdown, how many write operations shared each commit
#   POSTERN_CONFIG_EXTRA [none]: lines added to Postern's config file, e.g. 'admin = "127.0.0.1:12900"' to
#     measure with metrics on (the figures with and without it give the instrumentation's cost)
#   DOVECOT_POPULATE [imap; maildir for bigmailbox with BIG_N > 20000]: maildir = write Dovecot's messages as files
#     and index them with doveadm (untimed) instead of APPENDing them
# Everything is loopback only; both servers are stopped on exit. Builds and runs go under `nice -n 19`.
set -euo pipefail

WORKLOAD=${1:?usage: run.sh WORKLOAD [imapbench options]}
shift
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
REFERENCE=${REFERENCE:-$ROOT/../shared/reference}
BENCH_DIR=${BENCH_DIR:-/tmp/postern-bench}
POSTERN_BIN=${POSTERN_BIN:-$ROOT/.build-bench-release/release/postern}
IMAPBENCH=${IMAPBENCH:-$HERE/.build-bench/release/imapbench}
SERVERS=${SERVERS:-postern dovecot}
CERT=${CERT:-same}
DURATION=${DURATION:-20}
HOST=127.0.0.1
DOVECOT_IMAPS=11993; DOVECOT_IMAP=11143
POSTERN_IMAPS=12993; POSTERN_IMAP=12143
case "$WORKLOAD" in
    handshake) CLIENTS=${CLIENTS:-16} ;;
    handshake-resumed) CLIENTS=${CLIENTS:-8} ;;
    mixed|steady) CLIENTS=${CLIENTS:-32} ;;
    contended) CLIENTS=${CLIENTS:-100} ;;
    append) CLIENTS=${APPENDERS:-${CLIENTS:-8}} ;;
    appendnoop) CLIENTS=${CLIENTS:-100}; APPENDERS=${APPENDERS:-8}; APPEND_MB=${APPEND_MB:-50} ;;
    idle) CLIENTS=${CLIENTS:-1000} ;;
    bigmailbox) CLIENTS=1 ;;
    *) echo "unknown workload $WORKLOAD" >&2; exit 2 ;;
esac
if [ "$WORKLOAD" = bigmailbox ]; then NUSERS=${NUSERS:-1}
elif [ "$WORKLOAD" = appendnoop ]; then NUSERS=${NUSERS:-$(( APPENDERS + CLIENTS ))}
elif [ "$WORKLOAD" = contended ]; then NUSERS=${NUSERS:-$CLIENTS}; else NUSERS=${NUSERS:-$(( CLIENTS < 100 ? CLIENTS : 100 ))}; fi
if [ "$WORKLOAD" = bigmailbox ] && [ "${BIG_N:-10000}" -gt 20000 ]; then DOVECOT_POPULATE=${DOVECOT_POPULATE:-maildir}; fi
DOVECOT_POPULATE=${DOVECOT_POPULATE:-imap}
if [ "$WORKLOAD" = append ] || [ "$WORKLOAD" = appendnoop ]; then DOVECOT_FSYNC=${DOVECOT_FSYNC:-always}; else DOVECOT_FSYNC=${DOVECOT_FSYNC:-default}; fi
NICE="nice -n 19"

# Open files: as far as this machine allows (root may raise the hard limit up to fs.nr_open).
ulimit -Hn "$(cat /proc/sys/fs/nr_open)" 2>/dev/null || ulimit -Hn 1048576 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)

if [ ! -x "$IMAPBENCH" ]; then
    (cd "$HERE" && $NICE swift build -c release --product imapbench --scratch-path "$HERE/.build-bench")
fi
# BUILD_POSTERN=1: (re)build Postern in release mode first and record the commit it was built from.
if [[ " $SERVERS " == *" postern "* ]] && { [ "${BUILD_POSTERN:-0}" = 1 ] || [ ! -x "$POSTERN_BIN" ]; }; then
    if [ "$POSTERN_BIN" != "$ROOT/.build-bench-release/release/postern" ]; then
        echo "no Postern binary at $POSTERN_BIN" >&2; exit 2
    fi
    COMMIT_AT_BUILD=$(git -C "$ROOT" rev-parse --short HEAD)
    DIRTY_AT_BUILD=$(git -C "$ROOT" status --porcelain --untracked-files=no -- Sources Package.swift | wc -l)
    (cd "$ROOT" && $NICE swift build -c release --product postern --scratch-path "$ROOT/.build-bench-release")
    echo "$COMMIT_AT_BUILD$([ "$DIRTY_AT_BUILD" -gt 0 ] && echo " + uncommitted changes in Sources")" > "$POSTERN_BIN.commit"
fi

mkdir -p "$BENCH_DIR" "$HERE/results"
OUT=$BENCH_DIR/out-$WORKLOAD
rm -rf "$OUT"; mkdir -p "$OUT"
export ANCHOR=$BENCH_DIR/dovecot
POSTERN_PID=

stop_all() {
    if [ -n "$POSTERN_PID" ] && kill -0 "$POSTERN_PID" 2>/dev/null; then
        kill -TERM "$POSTERN_PID"
        for _ in $(seq 1 100); do kill -0 "$POSTERN_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$POSTERN_PID" 2>/dev/null && kill -KILL "$POSTERN_PID"
        POSTERN_PID=
    fi
    if [ -s "$ANCHOR/run/master.pid" ] && kill -0 "$(cat "$ANCHOR/run/master.pid")" 2>/dev/null; then
        "$REFERENCE/stop-dovecot.sh" >/dev/null || true
    fi
}
trap stop_all EXIT INT TERM

# The same messages for both servers.
MBOX=$BENCH_DIR/messages-200.mbox
[ -s "$MBOX" ] || python3 "$REFERENCE/make-mbox.py" -n 200 --seed 42 -o "$MBOX" >/dev/null
case "$WORKLOAD" in
    mixed|steady) POP_COUNT=${MESSAGES:-100}; POP_BIG=0 ;;
    contended) POP_COUNT=${MESSAGES:-50}; POP_BIG=0 ;;
    bigmailbox) POP_COUNT=${BIG_N:-10000}; POP_BIG=$((20 * 1024 * 1024)) ;;
    *) POP_COUNT=0; POP_BIG=0 ;;
esac
if [ "$WORKLOAD" = bigmailbox ] && [ ! -s "$BENCH_DIR/messages-$POP_COUNT.mbox" ]; then
    # 1,000 distinct realistic messages, cycled to POP_COUNT (make-mbox is slow for 100k).
    python3 "$REFERENCE/make-mbox.py" -n 1000 --seed 7 -o "$BENCH_DIR/messages-$POP_COUNT.mbox" >/dev/null
fi
[ "$WORKLOAD" = bigmailbox ] && MBOX=$BENCH_DIR/messages-$POP_COUNT.mbox

# run_load LABEL PORT PID
run_load() {
    local label=$1 port=$2 pid=$3
    shift 3
    local common=(--host $HOST --port "$port" --tls implicit --user 'user%d' --users "1-$NUSERS" --password pass)
    if [ "$label" = Dovecot ] && [ "$WORKLOAD" = bigmailbox ] && [ "$DOVECOT_POPULATE" = maildir ]; then
        # Untimed: the same messages written straight into user1's maildir, indexed by doveadm, then the big
        # message over IMAP (APPEND-populating 100,000 messages into a maildir takes Dovecot over an hour here).
        local md=$ANCHOR/mail/user1/Maildir
        echo "[$label] writing $POP_COUNT messages into $md and indexing them (untimed)"
        $NICE "$IMAPBENCH" populate --maildir "$md" --count "$POP_COUNT" --mbox "$MBOX" | tee "$OUT/$label.populate.txt"
        if [ "$(id -u)" = 0 ]; then chown -R nobody:nogroup "$ANCHOR/mail"; fi
        local t0=$(date +%s)
        doveadm -c "$ANCHOR/dovecot.conf" index -u user1 INBOX
        echo "doveadm index: $(( $(date +%s) - t0 )) s" | tee -a "$OUT/$label.populate.txt"
        $NICE "$IMAPBENCH" populate "${common[@]}" --clients 1 --mbox "$MBOX" --count 0 --big-size "$POP_BIG" \
            | tee -a "$OUT/$label.populate.txt"
        sleep 2
    elif [ "$POP_COUNT" -gt 0 ]; then
        echo "[$label] populating $POP_COUNT messages for each of $NUSERS users (untimed)"
        $NICE "$IMAPBENCH" populate "${common[@]}" --clients 4 --mbox "$MBOX" --count "$POP_COUNT" \
            --big-size "$POP_BIG" | tee "$OUT/$label.populate.txt"
        sleep 2
    fi
    local workload_args=()
    if [ "$WORKLOAD" = appendnoop ]; then
        workload_args=(--appenders "$APPENDERS" --append-size $(( APPEND_MB * 1024 * 1024 )))
    fi
    echo "[$label] $WORKLOAD: $CLIENTS clients"
    if [ "$WORKLOAD" = handshake-resumed ]; then
        # Python's ssl: imapbench's TLS client (swift-nio-ssl) cannot offer a session again.
        $NICE python3 "$HERE/resumebench.py" --host $HOST --port "$port" --user 'user%d' --users "1-$NUSERS" \
            --password pass --clients "$CLIENTS" --duration "$DURATION" --pid "$pid" --label "$label" \
            --json "$OUT/$label.json" "$@" | tee "$OUT/$label.txt"
        return
    fi
    $NICE "$IMAPBENCH" "$WORKLOAD" "${common[@]}" --clients "$CLIENTS" --duration "$DURATION" --mbox "$MBOX" \
        --pid "$pid" --label "$label" --json "$OUT/$label.json" "${workload_args[@]}" "$@" | tee "$OUT/$label.txt"
}

if [ -s "$POSTERN_BIN.commit" ]; then
    POSTERN_COMMIT="binary built at $(cat "$POSTERN_BIN.commit")"
else
    POSTERN_COMMIT="binary of unknown commit (HEAD at run time: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
fi
for server in $SERVERS; do
    case "$server" in
    postern)
        DATA=$BENCH_DIR/postern-data
        rm -rf "$DATA"; mkdir -p "$DATA"
        TLSARGS=()
        if [ "$CERT" = same ]; then
            [ -s "$ANCHOR/ssl/cert.pem" ] || { "$REFERENCE/start-dovecot.sh" >/dev/null; "$REFERENCE/stop-dovecot.sh" >/dev/null; }
            TLSARGS=(--tls-cert "$ANCHOR/ssl/cert.pem" --tls-key "$ANCHOR/ssl/key.pem")
        fi
        echo "[postern] creating user1..user$NUSERS"
        for i in $(seq 1 "$NUSERS"); do
            echo pass | "$POSTERN_BIN" user add "user$i" --password-stdin --data-dir "$DATA" >/dev/null
        done
        # All the load comes from one address and a few users: as Dovecot's limits are raised to the load
        # (below), Postern's per-address and per-account limits are lifted and its total raised.
        printf 'trusted_networks = ["127.0.0.0/8", "::1"]\nmax_connections = %d\n' \
            $(( CLIENTS + 1000 > 20000 ? CLIENTS + 1000 : 20000 )) > "$BENCH_DIR/postern.toml"
        printf '%s\n' "${POSTERN_CONFIG_EXTRA:-}" >> "$BENCH_DIR/postern.toml"
        # No ManageSieve listener: the workloads do not use it, and its default port may be taken.
        "$POSTERN_BIN" serve --data-dir "$DATA" --imaps "$HOST:$POSTERN_IMAPS" --imap "$HOST:$POSTERN_IMAP" \
            --managesieve off --config "$BENCH_DIR/postern.toml" \
            "${TLSARGS[@]}" --log-level "${POSTERN_LOG_LEVEL:-warning}" > "$OUT/postern.log" 2>&1 &
        POSTERN_PID=$!
        for _ in $(seq 1 100); do grep -q '^ready' "$OUT/postern.log" && break; sleep 0.1; done
        grep -q '^ready' "$OUT/postern.log" || { cat "$OUT/postern.log" >&2; exit 1; }
        run_load Postern "$POSTERN_IMAPS" "$POSTERN_PID" "$@"
        stop_all
        ;;
    dovecot)
        rm -rf "$ANCHOR/mail"
        NUSERS=$(( NUSERS > 1000 ? NUSERS : 1000 )) \
        IMAPS_PORT=$DOVECOT_IMAPS IMAP_PORT=$DOVECOT_IMAP NOFILE=$NOFILE \
            IMAP_PROCESS_LIMIT=$(( CLIENTS + 1000 > 5000 ? CLIENTS + 1000 : 5000 )) \
            LOGIN_CLIENT_LIMIT=$(( CLIENTS + 1000 > 5000 ? CLIENTS + 1000 : 5000 )) \
            "$REFERENCE/start-dovecot.sh" > "$OUT/dovecot.start.txt"
        if [ "$DOVECOT_FSYNC" != default ]; then
            echo "mail_fsync = $DOVECOT_FSYNC" >> "$ANCHOR/dovecot.conf"
            doveadm -c "$ANCHOR/dovecot.conf" reload
            sleep 1
        fi
        DOVECOT_FSYNC_EFFECTIVE=$(doveconf -c "$ANCHOR/dovecot.conf" -h mail_fsync)
        run_load Dovecot "$DOVECOT_IMAPS" "$(cat "$ANCHOR/run/master.pid")" "$@"
        stop_all
        ;;
    esac
done

CORES=$(nproc)
MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
DOVECOT_VERSION=$(dovecot --version 2>/dev/null | cut -d' ' -f1)
SWIFT_VERSION=$(swift --version 2>/dev/null | head -1 | sed 's/.*Swift version \([^ ]*\).*/\1/')
case "$WORKLOAD" in
    idle) RESULT=$WORKLOAD-$CLIENTS ;;
    bigmailbox) RESULT=$WORKLOAD-$POP_COUNT ;;
    appendnoop) RESULT=$WORKLOAD-${APPENDERS}x${APPEND_MB}MB ;;
    append) RESULT=$WORKLOAD${APPENDERS:+-$APPENDERS} ;;
    *) RESULT=$WORKLOAD ;;
esac
python3 "$HERE/report.py" --workload "$RESULT" --out "$HERE/results/$RESULT.md" \
    --meta "date=$(date -u +%Y-%m-%d)" --meta "machine=$CORES cores, $MEM, $(uname -r)" \
    --meta "postern=$POSTERN_COMMIT" \
    --meta "dovecot=$DOVECOT_VERSION (mail_fsync=${DOVECOT_FSYNC_EFFECTIVE:-?}, maildir, 1 process per session)" \
    --meta "swift=$SWIFT_VERSION" --meta "cert=$CERT" --meta "open files=$NOFILE" \
    --meta "command=Benchmarks/run.sh $WORKLOAD $* (CLIENTS=$CLIENTS DURATION=$DURATION NUSERS=$NUSERS${APPENDERS:+ APPENDERS=$APPENDERS}${APPEND_MB:+ APPEND_MB=$APPEND_MB})" \
    "$OUT"/*.json
