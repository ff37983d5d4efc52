#!/usr/bin/env bash
# Import rate: a Maildir of COUNT realistic messages imported by `postern import` into a fresh data folder, then by
# `doveadm import` into the reference Dovecot's (maildir, mail_fsync = optimized, its default). Both end durable:
# Postern commits each batch with fsync, Dovecot fsyncs what it saves. Writes results/import-COUNT.md.
#
#   Benchmarks/import.sh
#
# Environment (defaults in brackets): COUNT [100000]  BENCH_DIR [/tmp/postern-bench]
#   POSTERN_BIN [REPO/.build-bench-release/release/postern]  IMAPBENCH [Benchmarks/.build-bench/release/imapbench]
#   REFERENCE [REPO/../shared/reference]  DOVECOT_IMAP [13143]  DOVECOT_IMAPS [13993]
# The source: 1,000 distinct messages from make-mbox.py, cycled to COUNT files in cur/ by `imapbench populate
# --maildir` (the bigmailbox workload's), then given Maildir flags (S on 7 of 10, RS on 1, FS on 1, none on 1).
# The source is read once before each run, so both read it from the page cache.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
REFERENCE=${REFERENCE:-$ROOT/../shared/reference}
BENCH_DIR=${BENCH_DIR:-/tmp/postern-bench}
COUNT=${COUNT:-100000}
POSTERN_BIN=${POSTERN_BIN:-$ROOT/.build-bench-release/release/postern}
IMAPBENCH=${IMAPBENCH:-$HERE/.build-bench/release/imapbench}
NICE="nice -n 19"
export ANCHOR=$BENCH_DIR/dovecot
# Dovecot's listeners are not used (doveadm talks to its auth service) but must not clash with run.sh's.
DOVECOT_IMAP=${DOVECOT_IMAP:-13143}; DOVECOT_IMAPS=${DOVECOT_IMAPS:-13993}

[ -x "$POSTERN_BIN" ] || { echo "no Postern binary at $POSTERN_BIN (see README.md)" >&2; exit 2; }
if [ ! -x "$IMAPBENCH" ]; then
    (cd "$HERE" && $NICE swift build -c release --product imapbench --scratch-path "$HERE/.build-bench")
fi
mkdir -p "$BENCH_DIR" "$HERE/results"
OUT=$BENCH_DIR/out-import
rm -rf "$OUT"; mkdir -p "$OUT"

cleanup() { "$REFERENCE/stop-dovecot.sh" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# --- the source -------------------------------------------------------------------------------------------------
MBOX=$BENCH_DIR/messages-import.mbox
[ -s "$MBOX" ] || python3 "$REFERENCE/make-mbox.py" -n 1000 --seed 7 -o "$MBOX" >/dev/null
SRC=$BENCH_DIR/import-src-$COUNT
rm -rf "$SRC"
"$IMAPBENCH" populate --maildir "$SRC" --count "$COUNT" --mbox "$MBOX" >/dev/null
python3 - "$SRC/cur" <<'PY'
import os, sys
cur = sys.argv[1]
for i, name in enumerate(sorted(os.listdir(cur))):
    flags = ["S", "S", "S", "S", "S", "S", "S", "RS", "FS", ""][i % 10]
    os.rename(os.path.join(cur, name), os.path.join(cur, name + flags))
PY
BYTES=$(find "$SRC/cur" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}')
echo "source: $COUNT messages, $BYTES bytes in $SRC"

warm() { find "$SRC" -type f -exec cat {} + > /dev/null; }
now() { date +%s.%N; }

# --- Postern ----------------------------------------------------------------------------------------------------
DATA=$BENCH_DIR/import-postern-data
rm -rf "$DATA"
echo pass | "$POSTERN_BIN" user add user1 --password-stdin --data-dir "$DATA" >/dev/null
warm
t0=$(now)
"$POSTERN_BIN" import user1 --maildir "$SRC" --data-dir "$DATA" | tee "$OUT/postern.txt"
t1=$(now)
POSTERN_SECONDS=$(echo "$t1 - $t0" | bc)
POSTERN_COUNT=$(sed -n 's/^imported \([0-9]*\),.*/\1/p' "$OUT/postern.txt")
rm -rf "$DATA"

# --- Dovecot ----------------------------------------------------------------------------------------------------
NUSERS=1 IMAP_PORT=$DOVECOT_IMAP IMAPS_PORT=$DOVECOT_IMAPS "$REFERENCE/start-dovecot.sh" > "$OUT/dovecot.start.txt"
rm -rf "$ANCHOR/mail/user1"
# doveadm reads the source as the mail user and keeps its own index files beside it.
if [ "$(id -u)" = 0 ]; then chown -R nobody:nogroup "$SRC"; fi
warm
t0=$(now)
doveadm -c "$ANCHOR/dovecot.conf" import -u user1 "maildir:$SRC" "" all
t1=$(now)
DOVECOT_SECONDS=$(echo "$t1 - $t0" | bc)
DOVECOT_COUNT=$(doveadm -c "$ANCHOR/dovecot.conf" mailbox status -u user1 -t messages INBOX | sed 's/.*=//')
echo "dovecot: imported $DOVECOT_COUNT in $DOVECOT_SECONDS s" | tee "$OUT/dovecot.txt"
DOVECOT_VERSION=$(dovecot --version | cut -d' ' -f1)
"$REFERENCE/stop-dovecot.sh" >/dev/null
rm -rf "$ANCHOR/mail/user1"

# --- the table --------------------------------------------------------------------------------------------------
COMMIT=$( [ -s "$POSTERN_BIN.commit" ] && cat "$POSTERN_BIN.commit" || echo "unknown (HEAD $(git -C "$ROOT" rev-parse --short HEAD))")
python3 - "$HERE/results/import-$COUNT.md" <<PY
import sys
count, size = $COUNT, $BYTES
p_s, d_s = $POSTERN_SECONDS, $DOVECOT_SECONDS
p_n, d_n = int("$POSTERN_COUNT" or 0), int("$DOVECOT_COUNT" or 0)
def f(x):
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"
rows = [
    ("messages imported", p_n, d_n, None),
    ("seconds", p_s, d_s, "lower"),
    ("messages/s", p_n / p_s, d_n / d_s, "higher"),
    ("MB/s (source bytes, 10^6)", size / 1e6 / p_s, size / 1e6 / d_s, "higher"),
]
lines = [
    "### import", "",
    "- command: Benchmarks/import.sh  (COUNT=$COUNT)",
    f"- source: {count:,} messages, {size / 1e6:,.0f} MB (Maildir, cur/, flags in file names)",
    "- postern: binary built at $COMMIT (\`postern import user1 --maildir SRC\`)",
    "- dovecot: $DOVECOT_VERSION (\`doveadm import -u user1 maildir:SRC \"\" all\`, maildir, mail_fsync=optimized)",
    "- machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r)",
    "",
    "| metric | Postern | Dovecot | Postern ÷ Dovecot | better |",
    "| --- | ---: | ---: | ---: | --- |",
]
for name, a, b, better in rows:
    lines.append(f"| {name} | {f(a)} | {f(b)} | {a / b:.2f} | {better or ''} |")
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
