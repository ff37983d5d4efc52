#!/usr/bin/env bash
# Builds one libFuzzer harness with coverage instrumentation and AddressSanitizer, then fuzzes it for SECONDS,
# starting from a copy of its seed corpus in Tests/Fuzz/Corpus/NAME (the committed corpus is never changed).
#
#   scripts/fuzz.sh NAME SECONDS [LIBFUZZER_FLAG...]      NAME: FuzzIMAPParse, FuzzMIMEParse, FuzzSASLParse, FuzzClientHello
#                                                        FuzzLMTPParse, FuzzSieveParse, FuzzManageSieveParse or FuzzProxyParse
#
# Extra flags go to libFuzzer after the script's own, so they win (e.g. -timeout=5 or -max_len=8192).
# Crash, timeout and out-of-memory inputs are written to fuzz-artifacts/NAME/, with the build and fuzzer logs.
# Set FUZZ_KEEP_CORPUS=1 to keep the working corpus (its folder is printed) instead of deleting it.
#
# Fails when libFuzzer stops on a crash, timeout or OOM, and when the log shows that the fuzzer ran blind: no
# instrumentation counters, libFuzzer's "no interesting inputs" warning, or neither coverage (cov) nor
# features (ft) grown past the seed corpus. Prints one summary line: executions, exec/s, cov, ft, corpus size.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 2 || ! "$2" =~ ^[0-9]+$ ]]; then
    echo "usage: scripts/fuzz.sh NAME SECONDS [LIBFUZZER_FLAG...]" >&2
    exit 2
fi
name=$1
seconds=$2
shift 2
seeds=Tests/Fuzz/Corpus/$name
if [[ ! -d "$seeds" ]]; then
    echo "fuzz.sh: no seed corpus at $seeds (harnesses: $(ls Tests/Fuzz/Corpus | tr '\n' ' '))" >&2
    exit 2
fi

artifacts=fuzz-artifacts/$name
mkdir -p "$artifacts"
build_log=$artifacts/build.log
log=$artifacts/fuzz.log
scratch=.build-fuzz

# SwiftPM's --sanitize flags link libFuzzer (its main) and the ASan runtime, and compile C code with both. For
# Swift code it passes them as separate -sanitize= options in no fixed order, of which swiftc keeps only the last:
# every module then gets either coverage counters or ASan checks, never both. The -Xswiftc option comes last and
# names both, so every Swift module is instrumented for coverage and checked by ASan.
echo "fuzz.sh: building $name (log: $build_log)"
if ! swift build -c debug --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address \
    --product "$name" --scratch-path "$scratch" >"$build_log" 2>&1; then
    grep -v 'warning: Cannot export local symbol' "$build_log" | tail -40 >&2
    echo "fuzz.sh: build failed" >&2
    exit 1
fi
binary=$(swift build -c debug --scratch-path "$scratch" --show-bin-path)/$name

corpus=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-corpus-$name.XXXXXX")
if [[ "${FUZZ_KEEP_CORPUS:-0}" == 1 ]]; then
    echo "fuzz.sh: working corpus kept in $corpus"
else
    trap 'rm -rf "$corpus"' EXIT
fi
cp "$seeds"/* "$corpus"/

echo "fuzz.sh: fuzzing $name for $seconds s from $(ls "$seeds" | wc -l) seeds (log: $log)"
status=0
started=$SECONDS
# Swift's backtracer would replace libFuzzer's crash handler, which writes the crashing input.
SWIFT_BACKTRACE=enable=no "$binary" "$corpus" -max_total_time="$seconds" -timeout=1 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$@" >"$log" 2>&1 || status=$?
elapsed=$((SECONDS - started))

# The last "cov: ... ft: ... corp: N/SIZE" status line, and the first one after the seeds were loaded.
last_status=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -1 || true)
first_status=$(grep -E '^#[0-9]+[[:space:]]+INITED' "$log" | head -1 || true)
field() { sed -nE "s/.*[[:space:]]$1: ([0-9]+).*/\1/p" <<<"$2"; }
counters=$(sed -nE 's/^INFO: Loaded [0-9]+ modules +\(([0-9]+) inline 8-bit counters\).*/\1/p' "$log" | head -1)
execs=$(sed -nE 's/^stat::number_of_executed_units: ([0-9]+)/\1/p' "$log")
rate=$(sed -nE 's/^stat::average_exec_per_sec: +([0-9]+)/\1/p' "$log")
cov=$(field cov "$last_status")
ft=$(field ft "$last_status")
files=$(find "$corpus" -type f | wc -l)
echo "fuzz.sh: $name: ${execs:-?} executions in $elapsed s (${rate:-?}/s), cov ${cov:-?} ft ${ft:-?}" \
    "(seeds: cov $(field cov "$first_status") ft $(field ft "$first_status")), corpus $files files," \
    "${counters:-no} counters"

failure=""
if [[ $status -ne 0 ]] || grep -qE '^==[0-9]+== ?ERROR: libFuzzer|Test unit written to|^SUMMARY: ' "$log"; then
    failure="libFuzzer stopped with status $status: $(grep -E 'ERROR|Test unit written to' "$log" | head -3 | tr '\n' ' ' || true)"
elif [[ -z "$counters" || "$counters" -lt 1000 ]]; then
    failure="the Swift code is not instrumented (${counters:-no} inline 8-bit counters)"
elif grep -q 'no interesting inputs were found' "$log"; then
    failure="libFuzzer found no interesting input: the harness runs blind"
elif [[ -z "$first_status" || -z "$last_status" ]]; then
    failure="no coverage status in the log"
elif [[ $cov -le $(field cov "$first_status") && $ft -le $(field ft "$first_status") ]]; then
    failure="no coverage growth past the seed corpus"
fi
if [[ -n "$failure" ]]; then
    echo "fuzz.sh: FAILED: $failure (see $log)" >&2
    exit 1
fi
