#!/usr/bin/env bash
# The login defences measured: bruteforce.py (8 parallel connections guessing one account's password from one
# address, a correct login to another account and one by the attacked account's owner from another address every
# 5 s) against Postern with its default policy, or against the reference Dovecot as start-dovecot.sh configures it;
# for Postern also flood.py (connections and logins past each limit).
#
#   Benchmarks/login-defences.sh postern|dovecot
#
# Environment: CONNECTIONS [8] (the attacker's, Postern only), SECONDS_POSTERN [130] SECONDS_DOVECOT [330] (long enough to see the minute after the 10th, for
# Dovecot the 100th, failure), POSTERN_BIN [REPO/.build-bench-release/release/postern, else REPO/.build/debug/postern],
# BENCH_DIR [/tmp/postern-bench], REFERENCE [REPO/../shared/reference]. Postern listens on 127.0.0.1:12993, Dovecot
# on 127.0.0.1:11993; the attacker is 127.0.0.1, the bystanders 127.0.0.2. Servers are stopped on exit.
set -euo pipefail
SERVER=${1:?usage: login-defences.sh postern|dovecot}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
REFERENCE=${REFERENCE:-$ROOT/../shared/reference}
BENCH_DIR=${BENCH_DIR:-/tmp/postern-bench}
if [ -z "${POSTERN_BIN:-}" ]; then
    POSTERN_BIN=$ROOT/.build-bench-release/release/postern
    [ -x "$POSTERN_BIN" ] || POSTERN_BIN=$ROOT/.build/debug/postern
fi
mkdir -p "$BENCH_DIR"
PID=
stop_all() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" || true; fi
    if [ "$SERVER" = dovecot ]; then ANCHOR=$BENCH_DIR/dovecot-defences "$REFERENCE/stop-dovecot.sh" >/dev/null || true; fi
}
trap stop_all EXIT INT TERM

case "$SERVER" in
postern)
    DATA=$BENCH_DIR/postern-defences
    rm -rf "$DATA"; mkdir -p "$DATA"
    echo "victim-pw" | "$POSTERN_BIN" user add victim --password-stdin --data-dir "$DATA" >/dev/null
    echo "other-pw" | "$POSTERN_BIN" user add other --password-stdin --data-dir "$DATA" >/dev/null
    echo "binary: $POSTERN_BIN ($(cat "$POSTERN_BIN.commit" 2>/dev/null || echo "commit unknown"))"
    "$POSTERN_BIN" serve --data-dir "$DATA" --imaps 127.0.0.1:12993 --imap off --log-level warning \
        > "$BENCH_DIR/postern-defences.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 100); do grep -q '^ready' "$BENCH_DIR/postern-defences.log" && break; sleep 0.1; done
    python3 "$HERE/bruteforce.py" 127.0.0.1 12993 victim --cafile "$DATA/tls/cert.pem" --seconds "${SECONDS_POSTERN:-130}" \
        --connections "${CONNECTIONS:-8}" --bystander-user other --bystander-password other-pw --victim-password victim-pw
    stop_all
    # The floods, against limits small enough for one client process: 400 connections from one address at once,
    # then 5 addresses x 300 at once.
    rm -rf "$DATA"; mkdir -p "$DATA"
    echo "victim-pw" | "$POSTERN_BIN" user add victim --password-stdin --data-dir "$DATA" >/dev/null
    printf 'max_connections = 1000\nmax_connections_per_address = 250\nmax_sessions_per_account_address = 10\n' \
        > "$BENCH_DIR/postern-flood.toml"
    "$POSTERN_BIN" serve --data-dir "$DATA" --imaps 127.0.0.1:12993 --imap off --log-level warning \
        --config "$BENCH_DIR/postern-flood.toml" > "$BENCH_DIR/postern-defences.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 100); do grep -q '^ready' "$BENCH_DIR/postern-defences.log" && break; sleep 0.1; done
    python3 "$HERE/flood.py" 127.0.0.1 12993 --cafile "$DATA/tls/cert.pem" --addresses 1 --per-address 400 --pid "$PID"
    sleep 2
    python3 "$HERE/flood.py" 127.0.0.1 12993 --cafile "$DATA/tls/cert.pem" --addresses 5 --per-address 300 \
        --user victim --password victim-pw --logins 30 --pid "$PID"
    ;;
dovecot)
    export ANCHOR=$BENCH_DIR/dovecot-defences
    rm -rf "$ANCHOR/mail"
    NUSERS=2 IMAPS_PORT=11993 IMAP_PORT=11143 "$REFERENCE/start-dovecot.sh" > "$BENCH_DIR/dovecot-defences.start.txt"
    echo "dovecot $(dovecot --version) (start-dovecot.sh: passdb passwd-file, auth_failure_delay and auth penalty at their defaults)"
    python3 "$HERE/bruteforce.py" 127.0.0.1 11993 user1 --cafile "$ANCHOR/ssl/cert.pem" --seconds "${SECONDS_DOVECOT:-330}" \
        --bystander-user user2 --bystander-password pass --victim-password pass
    ;;
*) echo "unknown server $SERVER" >&2; exit 2 ;;
esac
