#!/usr/bin/env bash
# The login throttle's memory with a million attacking addresses, measured: compiles Sources/Defences with
# ThrottleMemory/main.swift (swiftc -O, a few seconds; no package build) and runs it with the default table size
# (auth_throttle_entries), a small and a large one, with one attacked account and with a new account name each time.
#
#   Benchmarks/throttle-memory.sh [ADDRESSES (1000000)]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${BENCH_DIR:-/tmp/postern-bench}/throttle-memory
mkdir -p "$(dirname "$OUT")"
swiftc -O -module-name ThrottleMemory -I "$HERE/ThrottleMemory/MallocShim" "$ROOT"/Sources/Defences/*.swift \
    "$HERE/ThrottleMemory/main.swift" -o "$OUT"
N=${1:-1000000}
for entries in 65536 10000 1000000; do
    "$OUT" "$N" "$entries"
    "$OUT" "$N" "$entries" accounts
done
