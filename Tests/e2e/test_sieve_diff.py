"""Sieve differential test: `postern sieve test --json` against results recorded from Dovecot Pigeonhole.

The corpus, the canonical result format and how to re-record are described in Tests/sieve-diff/README.md.
One test per case; a compile error only compares the "compile" key. The cases of known-differences.txt, where
Postern deliberately differs, are expected to fail (strictly: one that starts to agree must leave the list).
"""
from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import POSTERN_BIN, require_binary

CORPUS = Path(__file__).resolve().parents[1] / "sieve-diff"
CASES = json.loads((CORPUS / "cases.json").read_text())
KEYS = ("compile", "runtime_error", "actions", "implicit_keep")
TIMEOUT = 30


def _known_differences() -> dict[str, str]:
    """Cases Postern deliberately computes differently (known-differences.txt: CASEID, spaces, reason)."""
    known = {}
    for line in (CORPUS / "known-differences.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            case_id, reason = line.split(None, 1)
            known[case_id] = reason.strip()
    return known


KNOWN_DIFFERENCES = _known_differences()


def _case_param(case: dict):
    reason = KNOWN_DIFFERENCES.get(case["id"])
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case, id=case["id"], marks=marks)


def _render(result: dict) -> list[str]:
    return json.dumps(result, indent=2, ensure_ascii=False, sort_keys=False).splitlines(True)


def _readable_diff(expected: dict, actual: dict) -> str:
    return "".join(difflib.unified_diff(_render(expected), _render(actual), "pigeonhole", "postern"))


def _run_postern(case: dict) -> subprocess.CompletedProcess:
    require_binary()
    args = [POSTERN_BIN, "sieve", "test", str(CORPUS / case["script"]), str(CORPUS / case["message"]),
            "--envelope-from", case["envelope_from"], "--envelope-to", case["envelope_to"], "--json",
            "--config", str(CORPUS / "postern.toml"), "--personal-dir", str(CORPUS / "personal")]
    for mailbox in case["mailboxes"]:
        args += ["--mailbox", mailbox]
    # Date tests without :zone use the local zone; the recordings were made in UTC.
    env = {**os.environ, "TZ": "UTC"}
    return subprocess.run(args, capture_output=True, timeout=TIMEOUT, cwd=CORPUS, env=env)


@pytest.mark.postern
@pytest.mark.parametrize("case", [_case_param(c) for c in CASES])
def test_sieve_diff(case: dict):
    expected = json.loads((CORPUS / "expected" / f"{case['id']}.json").read_text())
    proc = _run_postern(case)
    stdout = proc.stdout.decode("utf-8", "replace")
    stderr = proc.stderr.decode("utf-8", "replace")
    context = f"case {case['id']}" + (f" ({case['note']})" if case.get("note") else "")
    try:
        actual = json.loads(stdout)
    except json.JSONDecodeError:
        pytest.fail(f"{context}: postern did not print one JSON object (exit {proc.returncode})\n"
                    f"stdout:\n{stdout[-2000:]}\nstderr:\n{stderr[-2000:]}")
    assert isinstance(actual, dict) and set(actual) == set(KEYS), \
        f"{context}: keys must be exactly {list(KEYS)}, got {list(actual) if isinstance(actual, dict) else actual!r}"
    if expected["compile"] == "error" or actual["compile"] == "error":
        assert actual["compile"] == expected["compile"], \
            f"{context}: compile {actual['compile']!r}, Pigeonhole {expected['compile']!r}\nstderr:\n{stderr[-2000:]}"
        return
    assert actual == expected, f"{context}: result differs from Pigeonhole\n{_readable_diff(expected, actual)}"


def test_sieve_diff_corpus_complete():
    """Every case has its script, message and recording, and every recording belongs to a case."""
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    for case in CASES:
        for key in ("script", "message"):
            assert (CORPUS / case[key]).is_file(), f"{case['id']}: missing {case[key]}"
        assert (CORPUS / "expected" / f"{case['id']}.json").is_file(), f"{case['id']}: not recorded"
    recorded = {p.stem for p in (CORPUS / "expected").glob("*.json")}
    assert recorded == set(ids), f"recordings without a case: {sorted(recorded - set(ids))}"
    unknown = sorted(set(KNOWN_DIFFERENCES) - set(ids))
    assert not unknown, f"known-differences.txt names cases that do not exist: {unknown}"


def test_sieve_diff_recordings_current():
    """The committed recordings are what Pigeonhole's sieve-test prints today (record.py --check)."""
    if shutil.which("sieve-test") is None and not os.path.exists("/usr/bin/sieve-test"):
        message = "sieve-test is not installed (Debian package dovecot-sieve)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    proc = subprocess.run([sys.executable, str(CORPUS / "record.py"), "--check"], capture_output=True,
                          text=True, timeout=1200)
    assert proc.returncode == 0, f"recordings are stale:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
