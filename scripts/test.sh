#!/usr/bin/env bash
# The whole test suite: Swift unit and integration tests, then the end-to-end tests that drive a real
# `postern serve` with independent clients (Python imaplib, imapclient and aioimaplib, curl, mbsync, a raw client).
set -euo pipefail
cd "$(dirname "$0")/.."

# The PostgreSQL engine's tests get a throwaway cluster (unless a database is given already), stopped and
# removed at exit.
if [ -z "${POSTERN_TEST_POSTGRES_URL:-}" ] && { ls /usr/lib/postgresql/*/bin/initdb || command -v initdb; } >/dev/null 2>&1; then
    pg_dir=$(mktemp -u "${TMPDIR:-/tmp}/postern-pg.XXXXXX")
    trap 'bash scripts/pg-cluster.sh stop "$pg_dir"' EXIT
    POSTERN_TEST_POSTGRES_URL=$(bash scripts/pg-cluster.sh start "$pg_dir")
    export POSTERN_TEST_POSTGRES_URL
fi

swift build --build-tests
swift test --skip-build
POSTERN_BIN="$(swift build --show-bin-path)/postern" python3 -m pytest Tests/e2e -q
