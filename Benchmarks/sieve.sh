#!/usr/bin/env bash
# Sieve at delivery: LMTP deliveries per second with a 50-rule script (Benchmarks/sieve-rules.py) against the
# same with no script, on Postern and on Dovecot LMTP + Pigeonhole, back to back, same load: CLIENTS
# connections (default 8), each delivering SIZE-byte messages (default 20 KB) to its own user for DURATION
# seconds (default 20), each counted once the server answered 250 (durable). Every message falls through 49
# rules and is filed by the last one with a flag. Dovecot fsyncs with mail_fsync=always (as in lmtp.sh).
# Writes results/sieve.md (and stdout).
#
# Environment: CLIENTS [8] SIZE [20480] DURATION [20]
#   POSTERN_BIN [REPO/.build-bench-release/release/postern] BENCH_DIR [/tmp/postern-bench]
# Needs: apt-get install -y dovecot-lmtpd dovecot-sieve. Unix sockets only; every server is stopped on exit.
# The servers run at normal priority, the load generator under nice -n 19 (as in run.sh).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
POSTERN_BIN=${POSTERN_BIN:-$ROOT/.build-bench-release/release/postern}
BENCH_DIR=${BENCH_DIR:-/tmp/postern-bench}
CLIENTS=${CLIENTS:-8}
SIZE=${SIZE:-20480}
DURATION=${DURATION:-20}
NICE="nice -n 19"
OUT=$BENCH_DIR/out-sieve
rm -rf "$OUT" "$BENCH_DIR"/postern-sieve-* "$BENCH_DIR"/dovecot-sieve-*
mkdir -p "$OUT"
[ -x "$POSTERN_BIN" ] || { echo "no Postern binary at $POSTERN_BIN (see README.md)" >&2; exit 2; }
command -v /usr/lib/dovecot/lmtp >/dev/null || { echo "needs dovecot-lmtpd" >&2; exit 2; }
command -v sievec >/dev/null || { echo "needs dovecot-sieve" >&2; exit 2; }
SCRIPT=$OUT/rules.sieve
python3 "$HERE/sieve-rules.py" > "$SCRIPT"
chmod 644 "$SCRIPT"

POSTERN_PID=
DOVECOT_PIDFILE=
stop_all() {
    if [ -n "$POSTERN_PID" ] && kill -0 "$POSTERN_PID" 2>/dev/null; then kill -TERM "$POSTERN_PID"; wait "$POSTERN_PID" || true; fi
    if [ -n "$DOVECOT_PIDFILE" ] && [ -s "$DOVECOT_PIDFILE" ]; then kill -TERM "$(cat "$DOVECOT_PIDFILE")" 2>/dev/null || true; fi
}
trap stop_all EXIT

# postern LABEL WITH_SCRIPT
postern() {
    local dir=$BENCH_DIR/postern-sieve-$1
    mkdir -p "$dir"
    for i in $(seq 1 "$CLIENTS"); do
        echo pass-word-$i | "$POSTERN_BIN" user add "user$i" --password-stdin --data-dir "$dir/data" >/dev/null
        if [ "$2" = yes ]; then
            "$POSTERN_BIN" sieve put "user$i" rules "$SCRIPT" --activate --data-dir "$dir/data" >/dev/null
        fi
    done
    "$POSTERN_BIN" serve --data-dir "$dir/data" --imaps 127.0.0.1:0 --imap off --log-level warning \
        > "$OUT/$1.stdout" 2> "$OUT/$1.stderr" &
    POSTERN_PID=$!
    for _ in $(seq 1 300); do grep -q '^ready' "$OUT/$1.stdout" 2>/dev/null && break; sleep 0.1; done
    local socket
    socket=$(sed -n 's/^lmtp-socket: //p' "$OUT/$1.stdout")
    $NICE python3 "$HERE/lmtpbench.py" --socket "$socket" --clients "$CLIENTS" --size "$SIZE" --duration "$DURATION" \
        --pid "$POSTERN_PID" --label "$1" | tee "$OUT/$1.json"
    kill -TERM "$POSTERN_PID"; wait "$POSTERN_PID" || true; POSTERN_PID=
    if [ "$2" = yes ] && ! python3 - "$dir/data/postern.sqlite" <<'PY'
import sqlite3, sys
count = sqlite3.connect(sys.argv[1]).execute(
    "SELECT count(*) FROM messages JOIN mailboxes ON mailboxes.id = messages.mailbox_id WHERE mailboxes.name = 'Bench'"
).fetchone()[0]
sys.exit(0 if count > 0 else 1)
PY
    then
        echo "Postern did not file into Bench: the script did not run" >&2; exit 1
    fi
}

# dovecot LABEL WITH_SCRIPT
dovecot() {
    local dir=$BENCH_DIR/dovecot-sieve-$1
    mkdir -p "$dir"/{run,state,log,mail}
    local uid gid
    uid=$(id -u nobody); gid=$(getent group nogroup | cut -d: -f3)
    for i in $(seq 1 "$CLIENTS"); do
        mkdir -p "$dir/mail/user$i"
        if [ "$2" = yes ]; then
            cp "$SCRIPT" "$dir/mail/user$i/.dovecot.sieve"
        fi
        echo "user$i:{PLAIN}pass:$uid:$gid::$dir/mail/user$i::"
    done > "$dir/users"
    chown -R "$uid:$gid" "$dir/mail"
    chmod 755 "$dir" "$dir/run" "$dir/state"
    if [ "$2" = yes ]; then
        for i in $(seq 1 "$CLIENTS"); do runuser -u nobody -- sievec "$dir/mail/user$i/.dovecot.sieve"; done
    fi
    cat > "$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
instance_name = bench-sieve-$1
protocols = lmtp
listen = 127.0.0.1
log_path = $dir/log/dovecot.log
ssl = no
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
first_valid_gid = 1
postmaster_address = postmaster@example.test
mail_location = maildir:~/Maildir
mail_fsync = always
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $dir/users
}
userdb {
  driver = passwd-file
  args = username_format=%n $dir/users
}
protocol lmtp {
  mail_plugins = \$mail_plugins sieve
}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
}
service lmtp {
  unix_listener $dir/lmtp {
    mode = 0666
  }
}
CONF
    DOVECOT_PIDFILE=$dir/run/master.pid
    setsid dovecot -c "$dir/dovecot.conf" -F >> "$dir/log/stdout" 2>&1 < /dev/null &
    for _ in $(seq 1 100); do [ -S "$dir/lmtp" ] && [ -s "$DOVECOT_PIDFILE" ] && break; sleep 0.1; done
    $NICE python3 "$HERE/lmtpbench.py" --socket "$dir/lmtp" --clients "$CLIENTS" --size "$SIZE" --duration "$DURATION" \
        --pid "$(cat "$DOVECOT_PIDFILE")" --label "$1" | tee "$OUT/$1.json"
    kill -TERM "$(cat "$DOVECOT_PIDFILE")"; sleep 1; DOVECOT_PIDFILE=
    if [ "$2" = yes ] && ! grep -rqs "delivery" "$dir/mail/user1/Maildir/.Bench/cur" "$dir/mail/user1/Maildir/.Bench/new"; then
        echo "Dovecot did not file into Bench: the script did not run" >&2; exit 1
    fi
}

postern postern-plain no
postern postern-sieve yes
dovecot dovecot-plain no
dovecot dovecot-sieve yes

python3 - "$OUT" "$CLIENTS" "$SIZE" "$DURATION" "$(cat "$POSTERN_BIN.commit" 2>/dev/null || echo unknown)" \
    > "$HERE/results/sieve.md" <<'PY'
import json, sys
out, clients, size, duration, commit = sys.argv[1:6]
r = {name: json.load(open(f"{out}/{name}.json")) for name in
     ("postern-plain", "postern-sieve", "dovecot-plain", "dovecot-sieve")}
def ratio(a, b):
    return f"{a / b:.2f}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "-"
print(f"# Sieve at delivery: {clients} LMTP connections, {int(size) // 1024} KB messages, {duration} s, 50-rule script\n")
print(f"Postern {commit}; Dovecot LMTP + Pigeonhole, mail_fsync=always, maildir. Each answer durable.\n")
print("| figure | Postern, no script | Postern, 50 rules | Dovecot, no script | Dovecot, 50 rules |"
      " Postern 50 rules / no script | Postern / Dovecot, 50 rules |")
print("|---|---|---|---|---|---|---|")
for name, key in (("deliveries/s", "per_second"), ("latency p50 (ms)", "p50_ms"), ("latency p99 (ms)", "p99_ms"),
                  ("server CPU ms per delivery", "cpu_ms_per_delivery"), ("refused", "refused")):
    a, b, c, d = (r[n].get(key) for n in ("postern-plain", "postern-sieve", "dovecot-plain", "dovecot-sieve"))
    print(f"| {name} | {a} | {b} | {c} | {d} | {ratio(b, a)} | {ratio(b, d)} |")
PY
cat "$HERE/results/sieve.md"
