#!/usr/bin/env bash
# SEARCH on one big mailbox: Postern with its full-text index, Postern without it (search_index = false: every
# message read, the exact reference), and the reference Dovecot (with dovecot-fts-xapian when it is installed, else
# without an index), the same messages in each. Writes results/search-N.md (and stdout): per query the p50 of each
# server, how many messages each found and whether the answers are identical; then Postern's APPEND throughput with
# and without indexing, its indexing throughput and its index size against the message data.
#
#   Benchmarks/search.sh                 # N=100000 messages (BIG_N), 5 runs of each query (REPEAT)
#   BIG_N=20000 Benchmarks/search.sh
#
# Environment: BIG_N [100000]  REPEAT [5]  SERVERS ["indexed plain dovecot"]  POSTERN_BIN, IMAPBENCH, BENCH_DIR,
# REFERENCE as for run.sh. Dovecot's messages are written as maildir files and indexed by doveadm (untimed).
# Everything is loopback only; every server is stopped on exit. Runs go under `nice -n 19`.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
REFERENCE=${REFERENCE:-$ROOT/../shared/reference}
BENCH_DIR=${BENCH_DIR:-/tmp/postern-bench}
POSTERN_BIN=${POSTERN_BIN:-$ROOT/.build-bench-release/release/postern}
IMAPBENCH=${IMAPBENCH:-$HERE/.build-bench/release/imapbench}
BIG_N=${BIG_N:-100000}
REPEAT=${REPEAT:-5}
SERVERS=${SERVERS:-indexed plain dovecot}
HOST=127.0.0.1
DOVECOT_IMAPS=11993; DOVECOT_IMAP=11143
POSTERN_IMAPS=12993; POSTERN_IMAP=12143
NICE="nice -n 19"

[ -x "$POSTERN_BIN" ] || { echo "no Postern binary at $POSTERN_BIN (see README.md: a release build)" >&2; exit 2; }
if [ ! -x "$IMAPBENCH" ]; then
    (cd "$HERE" && $NICE swift build -c release --product imapbench --scratch-path "$HERE/.build-bench")
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

mkdir -p "$BENCH_DIR" "$HERE/results"
OUT=$BENCH_DIR/out-search
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

MBOX=$BENCH_DIR/messages-$BIG_N.mbox
if [ ! -s "$MBOX" ]; then
    # 1,000 distinct realistic messages, cycled to BIG_N (as run.sh bigmailbox).
    python3 "$REFERENCE/make-mbox.py" -n 1000 --seed 7 -o "$MBOX" >/dev/null
fi
# One more message, whose only text is a base64 part with words found nowhere else (the corpus has none such).
SEARCH_MBOX=$BENCH_DIR/messages-$BIG_N-search.mbox
if [ ! -s "$SEARCH_MBOX" ]; then
    cp "$MBOX" "$SEARCH_MBOX.part"
    python3 - "$SEARCH_MBOX.part" <<'EOF'
import base64, sys
body = base64.encodebytes("Der Quetzalcoatlus flog über Ærøskøbing.\n".encode()).decode()
with open(sys.argv[1], "a") as f:
    f.write("\nFrom planted@example.org Thu Jan  1 00:00:00 2026\nFrom: planted@example.org\n"
            "Subject: planted\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
            f"Content-Transfer-Encoding: base64\n\n{body}\n")
EOF
    mv "$SEARCH_MBOX.part" "$SEARCH_MBOX"
fi
MBOX=$SEARCH_MBOX
COMMON=(--host $HOST --tls implicit --user user1 --users 1-1 --password pass)
now() { date +%s.%N; }
rate() { python3 -c "import sys; n, a, b = map(float, sys.argv[1:]); print(f'{n / (b - a):.0f}')" "$@"; }

# postern LABEL INDEXING(true|false)
postern() {
    local label=$1 indexing=$2 data=$BENCH_DIR/postern-data-$1
    rm -rf "$data"; mkdir -p "$data"
    echo pass | "$POSTERN_BIN" user add user1 --password-stdin --data-dir "$data" >/dev/null
    printf 'trusted_networks = ["127.0.0.0/8"]\nsearch_index = %s\n' "$indexing" > "$OUT/$label.toml"
    "$POSTERN_BIN" serve --data-dir "$data" --imaps "$HOST:$POSTERN_IMAPS" --imap "$HOST:$POSTERN_IMAP" \
        --managesieve off --config "$OUT/$label.toml" --log-level warning > "$OUT/$label.log" 2>&1 &
    POSTERN_PID=$!
    for _ in $(seq 1 100); do grep -q '^ready' "$OUT/$label.log" && break; sleep 0.1; done
    grep -q '^ready' "$OUT/$label.log" || { cat "$OUT/$label.log" >&2; exit 1; }
    echo "[$label] APPEND of $BIG_N messages (4 clients)"
    local t0 t1
    t0=$(now)
    $NICE "$IMAPBENCH" populate "${COMMON[@]}" --port $POSTERN_IMAPS --clients 4 --mbox "$MBOX" --count "$BIG_N" \
        > "$OUT/$label.populate.txt"
    t1=$(now)
    echo "$label append_per_s $(rate "$BIG_N" "$t0" "$t1")" | tee -a "$OUT/figures.txt"
    if [ "$indexing" = true ]; then
        # Indexing goes on after the APPENDs were answered; its rate is measured from their start.
        until "$POSTERN_BIN" index status user1 --data-dir "$data" | grep -q ', 0 pending'; do sleep 1; done
        local t2 bytes
        t2=$(now)
        echo "$label indexed_per_s_since_first_append $(rate "$BIG_N" "$t0" "$t2")" | tee -a "$OUT/figures.txt"
        bytes=$("$POSTERN_BIN" index status user1 --data-dir "$data" | sed -n 's/^index text: \([0-9]*\) bytes/\1/p')
        echo "$label index_text_bytes $bytes" | tee -a "$OUT/figures.txt"
        echo "$label database_bytes $(du -sb "$data/postern.sqlite" | cut -f1)" | tee -a "$OUT/figures.txt"
        echo "$label message_bytes $(du -sb "$data/blobs" | cut -f1)" | tee -a "$OUT/figures.txt"
    fi
    $NICE python3 "$HERE/searchbench.py" --port $POSTERN_IMAPS --mbox "$MBOX" --repeat "$REPEAT" --label "$label" \
        --json "$OUT/$label.json"
    stop_all
    if [ "$indexing" = true ]; then
        # Rebuilding from scratch with the server stopped: the indexing rate alone.
        "$POSTERN_BIN" index rebuild user1 --data-dir "$data" | tail -2 | tee -a "$OUT/figures.txt"
    fi
}

dovecot() {
    rm -rf "$ANCHOR/mail"
    NUSERS=1 IMAPS_PORT=$DOVECOT_IMAPS IMAP_PORT=$DOVECOT_IMAP "$REFERENCE/start-dovecot.sh" > "$OUT/dovecot.start.txt"
    local label=dovecot
    if [ -e /usr/lib/dovecot/modules/lib21_fts_xapian_plugin.so ]; then
        label=dovecot-xapian
        printf '%s\n' 'mail_plugins = $mail_plugins fts fts_xapian' 'plugin {' '  fts = xapian' \
            '  fts_xapian = partial=3 full=20 verbose=0' '  fts_autoindex = yes' '  fts_enforced = yes' '}' \
            >> "$ANCHOR/dovecot.conf"
        doveadm -c "$ANCHOR/dovecot.conf" reload
        sleep 1
    fi
    local md=$ANCHOR/mail/user1/Maildir
    $NICE "$IMAPBENCH" populate --maildir "$md" --count "$BIG_N" --mbox "$MBOX" > "$OUT/$label.populate.txt"
    if [ "$(id -u)" = 0 ]; then chown -R nobody:nogroup "$ANCHOR/mail"; fi
    local t0
    t0=$(now)
    doveadm -c "$ANCHOR/dovecot.conf" index -u user1 INBOX
    echo "$label doveadm_index_per_s $(rate "$BIG_N" "$t0" "$(now)")" | tee -a "$OUT/figures.txt"
    $NICE python3 "$HERE/searchbench.py" --port $DOVECOT_IMAPS --mbox "$MBOX" --repeat "$REPEAT" --label "$label" \
        --json "$OUT/$label.json"
    stop_all
}

for server in $SERVERS; do
    case "$server" in
    indexed) postern postern-indexed true ;;
    plain) postern postern-plain false ;;
    dovecot) dovecot ;;
    *) echo "unknown server $server" >&2; exit 2 ;;
    esac
done

python3 - "$OUT" "$HERE/results/search-$BIG_N.md" "$BIG_N" <<'EOF'
import json, pathlib, sys
out, target, n = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
runs = {p.stem: json.loads(p.read_text())["queries"] for p in sorted(out.glob("*.json"))}
labels = list(runs)
lines = [f"### search-{n}", "", "| query | " + " | ".join(f"{l} p50 (ms) | found" for l in labels)
         + " | same answers |", "| --- |" + " ---: | ---: |" * len(labels) + " --- |"]
for i, row in enumerate(next(iter(runs.values()), [])):
    cells = [f"{runs[l][i]['p50_ms']:.1f} | {runs[l][i]['found']}" for l in labels]
    same = len({runs[l][i]["digest"] for l in labels}) == 1
    lines.append(f"| {row['query']} | " + " | ".join(cells) + f" | {'yes' if same else 'NO'} |")
figures = (out / "figures.txt").read_text() if (out / "figures.txt").exists() else ""
lines += ["", "```", figures.rstrip(), "```"]
target.write_text("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
