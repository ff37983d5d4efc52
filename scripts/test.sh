#!/usr/bin/env bash
# The whole test suite: Swift unit and integration tests, then the end-to-end tests that drive a real
# `postern serve` with independent clients (Python imaplib, imapclient and aioimaplib, curl, mbsync, a raw client).
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests
swift test --skip-build
POSTERN_BIN="$(swift build --show-bin-path)/postern" python3 -m pytest Tests/e2e -q
