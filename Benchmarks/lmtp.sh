#!/usr/bin/env bash
# LMTP delivery rate: Postern's LMTP socket against Dovecot's LMTP (dovecot-lmtpd), back to back, same load:
# CLIENTS connections (default 8), each delivering SIZE-byte messages (default 20 KB) to its own user for
# DURATION seconds (default 20), each counted once the server answered 250 (durable). Both on a Unix socket,
# both fsyncing: Postern always; Dovecot with mail_fsync=$DOVECOT_FSYNC (default always; "optimized" is
# Dovecot's default, which also fsyncs a delivered mail). Writes results/lmtp.md (and stdout).
#
# Environment: CLIENTS [8] SIZE [20480] DURATION [20] DOVECOT_FSYNC [always] MAIL_FORMAT [maildir|sdbox]
#   POSTERN_BIN [REPO/.build-bench-release/release/postern] BENCH_DIR [/tmp/postern-bench]
# Needs: apt-get install -y dovecot-lmtpd. Loopback and Unix sockets only; both servers are stopped on exit. The
# servers run at normal priority, the load generator under nice -n 19 (as in run.sh).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
POSTERN_BIN=${POSTERN_BIN:-$ROOT/.build-bench-release/release/postern}
BENCH_DIR=${BENCH_DIR:-/tmp/postern-bench}
CLIENTS=${CLIENTS:-8}
SIZE=${SIZE:-20480}
DURATION=${DURATION:-20}
DOVECOT_FSYNC=${DOVECOT_FSYNC:-always}
MAIL_FORMAT=${MAIL_FORMAT:-maildir}
NICE="nice -n 19"
OUT=$BENCH_DIR/out-lmtp
POSTERN_DIR=$BENCH_DIR/postern-lmtp
DOVECOT_DIR=$BENCH_DIR/dovecot-lmtp
rm -rf "$OUT" "$POSTERN_DIR" "$DOVECOT_DIR"
mkdir -p "$OUT" "$POSTERN_DIR" "$DOVECOT_DIR"/{run,state,log,mail}
[ -x "$POSTERN_BIN" ] || { echo "no Postern binary at $POSTERN_BIN (see README.md)" >&2; exit 2; }
command -v /usr/lib/dovecot/lmtp >/dev/null || { echo "needs dovecot-lmtpd" >&2; exit 2; }

POSTERN_PID=
stop_all() {
    if [ -n "$POSTERN_PID" ] && kill -0 "$POSTERN_PID" 2>/dev/null; then kill -TERM "$POSTERN_PID"; wait "$POSTERN_PID" || true; fi
    if [ -s "$DOVECOT_DIR/run/master.pid" ]; then kill -TERM "$(cat "$DOVECOT_DIR/run/master.pid")" 2>/dev/null || true; fi
}
trap stop_all EXIT

# --- Postern ---------------------------------------------------------------------------------------------
for i in $(seq 1 "$CLIENTS"); do echo pass-word-$i | "$POSTERN_BIN" user add "user$i" --password-stdin --data-dir "$POSTERN_DIR/data" >/dev/null; done
"$POSTERN_BIN" serve --data-dir "$POSTERN_DIR/data" --imaps 127.0.0.1:0 --imap off --log-level warning \
    > "$OUT/postern.stdout" 2> "$OUT/postern.stderr" &
POSTERN_PID=$!
for _ in $(seq 1 300); do grep -q '^ready' "$OUT/postern.stdout" 2>/dev/null && break; sleep 0.1; done
SOCKET=$(sed -n 's/^lmtp-socket: //p' "$OUT/postern.stdout")
$NICE python3 "$HERE/lmtpbench.py" --socket "$SOCKET" --clients "$CLIENTS" --size "$SIZE" --duration "$DURATION" \
    --pid "$POSTERN_PID" --label Postern | tee "$OUT/Postern.json"
kill -TERM "$POSTERN_PID"; wait "$POSTERN_PID" || true; POSTERN_PID=

# --- Dovecot ---------------------------------------------------------------------------------------------
MAIL_UID=$(id -u nobody); MAIL_GID=$(getent group nogroup | cut -d: -f3)
chown "$MAIL_UID:$MAIL_GID" "$DOVECOT_DIR/mail"
chmod 755 "$DOVECOT_DIR" "$DOVECOT_DIR/run" "$DOVECOT_DIR/state"
for i in $(seq 1 "$CLIENTS"); do echo "user$i:{PLAIN}pass:$MAIL_UID:$MAIL_GID::$DOVECOT_DIR/mail/user$i::"; done > "$DOVECOT_DIR/users"
case "$MAIL_FORMAT" in maildir) LOCATION="maildir:~/Maildir" ;; sdbox) LOCATION="sdbox:~/sdbox" ;; esac
cat > "$DOVECOT_DIR/dovecot.conf" <<CONF
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
instance_name = bench-lmtp
protocols = lmtp
listen = 127.0.0.1
log_path = $DOVECOT_DIR/log/dovecot.log
ssl = no
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
first_valid_gid = 1
postmaster_address = postmaster@example.test
mail_location = $LOCATION
mail_fsync = $DOVECOT_FSYNC
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $DOVECOT_DIR/users
}
userdb {
  driver = passwd-file
  args = username_format=%n $DOVECOT_DIR/users
}
service lmtp {
  unix_listener $DOVECOT_DIR/lmtp {
    mode = 0666
  }
}
CONF
setsid dovecot -c "$DOVECOT_DIR/dovecot.conf" -F >> "$DOVECOT_DIR/log/stdout" 2>&1 < /dev/null &
for _ in $(seq 1 100); do [ -S "$DOVECOT_DIR/lmtp" ] && [ -s "$DOVECOT_DIR/run/master.pid" ] && break; sleep 0.1; done
$NICE python3 "$HERE/lmtpbench.py" --socket "$DOVECOT_DIR/lmtp" --clients "$CLIENTS" --size "$SIZE" --duration "$DURATION" \
    --pid "$(cat "$DOVECOT_DIR/run/master.pid")" --label Dovecot | tee "$OUT/Dovecot.json"

# --- table -----------------------------------------------------------------------------------------------
python3 - "$OUT/Postern.json" "$OUT/Dovecot.json" "$CLIENTS" "$SIZE" "$DURATION" "$DOVECOT_FSYNC" "$MAIL_FORMAT" \
    "$(cat "$POSTERN_BIN.commit" 2>/dev/null || echo unknown)" > "$HERE/results/lmtp.md" <<'PY'
import json, sys
p, d = (json.load(open(f)) for f in sys.argv[1:3])
clients, size, duration, fsync, fmt, commit = sys.argv[3:9]
rows = [("deliveries/s", "per_second", True), ("MB/s", "mb_per_second", True), ("latency p50 (ms)", "p50_ms", False),
        ("latency p99 (ms)", "p99_ms", False), ("server CPU ms per delivery", "cpu_ms_per_delivery", False),
        ("refused", "refused", False)]
print(f"# LMTP delivery: {clients} connections, {int(size) // 1024} KB messages, {duration} s, each answer durable\n")
print(f"Postern {commit}; Dovecot LMTP mail_fsync={fsync}, {fmt}. Ratio = Postern / Dovecot.\n")
print("| figure | Postern | Dovecot | ratio |\n|---|---|---|---|")
for name, key, _ in rows:
    a, b = p.get(key), d.get(key)
    ratio = f"{a / b:.2f}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "-"
    print(f"| {name} | {a} | {b} | {ratio} |")
PY
cat "$HERE/results/lmtp.md"
