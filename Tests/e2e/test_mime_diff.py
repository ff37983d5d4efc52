"""MIME differential test: what Postern says about each corpus message against what Dovecot said.

The corpus, the recorded format, its canonicalisations and how to re-record are described in
Tests/mime-diff/README.md. All messages are APPENDed to one mailbox once; each test observes one message
(RFC822.SIZE, ENVELOPE, BODYSTRUCTURE, every BODY and BINARY section, the SEARCH keys) with the same code
record.py used on Dovecot. Messages listed in known-differences.txt are expected to fail (strictly: one that
starts to agree must leave the list).
"""
from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "mime-diff"
sys.path.insert(0, str(CORPUS))

import observe  # noqa: E402

MESSAGES = sorted(CORPUS.glob("messages/*.eml"))


def _known_differences() -> dict[str, str]:
    known = {}
    for line in (CORPUS / "known-differences.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, reason = line.split(None, 1)
            known[name] = reason.strip()
    return known


KNOWN_DIFFERENCES = _known_differences()


def _param(path: Path):
    reason = KNOWN_DIFFERENCES.get(path.stem)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.fixture(scope="module")
def corpus_mailbox(server):
    """One IMAP session with every corpus message APPENDed to a fresh mailbox, which is selected."""
    client = observe.Client(server.host, server.imaps_port, tls=True, cafile=server.cafile)
    client.ok(b'LOGIN "%s" "%s"' % (server.user.encode(), server.password.encode()))
    mailbox = f"mime-diff-{uuid.uuid4().hex[:8]}"
    client.ok(b"CREATE " + mailbox.encode())
    uids = {path.stem: observe.append(client, mailbox, path.read_bytes()) for path in MESSAGES}
    client.ok(b"SELECT " + mailbox.encode())
    client.reopen = lambda c: (c.ok(b'LOGIN "%s" "%s"' % (server.user.encode(), server.password.encode())),
                               c.ok(b"SELECT " + mailbox.encode()))
    yield client, uids
    client.ok(b"CLOSE")
    client.ok(b"DELETE " + mailbox.encode())
    client.close()


def _render(result: dict) -> list[str]:
    return json.dumps(result, indent=1, ensure_ascii=False).splitlines(True)


@pytest.mark.postern
@pytest.mark.parametrize("path", [_param(p) for p in MESSAGES])
def test_mime_diff(corpus_mailbox, path: Path):
    client, uids = corpus_mailbox
    expected = json.loads((CORPUS / "expected" / f"{path.stem}.json").read_text())
    actual = observe.observe(client, uids[path.stem], [s["key"] for s in expected["search"]])
    if os.environ.get("MIME_DIFF_DUMP"):
        # A folder to write Postern's answers to, for comparing whole recordings while working on a difference.
        Path(os.environ["MIME_DIFF_DUMP"], f"{path.stem}.json").write_text(
            json.dumps(actual, indent=1, ensure_ascii=False) + "\n")
    diff = "".join(difflib.unified_diff(_render(expected), _render(actual), "dovecot", "postern", n=2))
    assert actual == expected, f"{path.stem}: Postern differs from Dovecot\n{diff[:6000]}"


def test_mime_diff_corpus_complete():
    """At least 300 messages, each recorded, every recording and known difference naming a message."""
    names = {p.stem for p in MESSAGES}
    assert len(names) >= 300, f"the corpus has {len(names)} messages"
    recorded = {p.stem for p in (CORPUS / "expected").glob("*.json")}
    assert recorded == names, f"unrecorded: {sorted(names - recorded)[:10]}, stale: {sorted(recorded - names)[:10]}"
    unknown = sorted(set(KNOWN_DIFFERENCES) - names)
    assert not unknown, f"known-differences.txt names messages that do not exist: {unknown}"
    listed = {line.split("\t", 1)[0] for line in (CORPUS / "sources.tsv").read_text().splitlines()
              if line and not line.startswith("#")}
    generated = {n for n in names if "-gen-" in n}
    assert names - generated == listed, "sources.tsv must name every imported message"


def test_mime_diff_generated_current():
    """generate.py still writes exactly the committed generated messages."""
    before = {p.name: p.read_bytes() for p in CORPUS.glob("messages/*-gen-*.eml")}
    proc = subprocess.run([sys.executable, str(CORPUS / "generate.py"), "--check"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert before == {p.name: p.read_bytes() for p in CORPUS.glob("messages/*-gen-*.eml")}


def test_mime_diff_recordings_current():
    """The committed recordings are what the reference Dovecot answers today (record.py --check)."""
    if shutil.which("dovecot") is None and not os.path.exists("/usr/sbin/dovecot"):
        message = "dovecot is not installed (Debian package dovecot-imapd)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    proc = subprocess.run([sys.executable, str(CORPUS / "record.py"), "--check"], capture_output=True, text=True,
                          timeout=1200)
    assert proc.returncode == 0, f"recordings are stale:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
