"""`postern import` and `postern export`: Maildir and mbox round trips, resumption, bad input (Postern only)."""
from __future__ import annotations

import imaplib
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import POSTERN_BIN, add_user, require_binary, run_cli
from helpers import own_server, wait_for

pytestmark = pytest.mark.postern

SYSTEM = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted", "P": "$Forwarded"}


# --------------------------------------------------------------------------- a Maildir, written and read


def write_message(folder: Path, sub: str, unique: str, info: str | None, body: bytes, mtime: int) -> None:
    for d in ("cur", "new", "tmp"):
        (folder / d).mkdir(parents=True, exist_ok=True)
    path = folder / sub / (unique + (f":2,{info}" if info is not None else ""))
    path.write_bytes(body)
    os.utime(path, (mtime, mtime))


def read_maildir_folder(folder: Path) -> list[tuple[bytes, frozenset[str], int]]:
    """(bytes, flags, mtime) of every message of a Maildir folder, letters resolved."""
    letters = {}
    kw = folder / "dovecot-keywords"
    if kw.exists():
        for line in kw.read_text().splitlines():
            index, name = line.split(" ", 1)
            letters[chr(ord("a") + int(index))] = name
    found = []
    for sub in ("cur", "new"):
        for path in sorted((folder / sub).iterdir()):
            info = path.name.split(":2,", 1)[1] if ":2," in path.name else ""
            flags = frozenset(SYSTEM.get(c) or letters[c] for c in info)
            found.append((path.read_bytes(), flags, int(path.stat().st_mtime)))
    return sorted(found, key=lambda m: m[0])


def message(n: int, folder: str, crlf: bool = True, extra: bytes = b"") -> bytes:
    nl = b"\r\n" if crlf else b"\n"
    return nl.join([f"Subject: {folder} message {n}".encode(), b"From: Carol <carol@example.org>",
                    f"Message-ID: <{folder}.{n}@example.org>".encode(), b"", b"Body " + str(n).encode() + extra, b""])


def make_source(root: Path) -> dict[str, list[tuple[bytes, frozenset[str], int]]]:
    """A Maildir++ tree with folders, flags, keywords, dates, subscriptions; returns what it holds by
    Postern folder name."""
    write_message(root, "cur", "1000.A.host,S=1", "RS", message(1, "inbox"), 1_500_000_000)
    write_message(root, "new", "1001.B.host", None, message(2, "inbox", crlf=False), 1_500_000_100)
    write_message(root, "cur", "1002.C.host", "FTa", message(3, "inbox", extra="\xe4 8-bit".encode("latin-1")),
                  1_400_000_000)
    (root / "dovecot-keywords").write_text("0 $Junk\n")
    work = root / ".Work.Projects"
    write_message(work, "cur", "2000.A.host", "DFPRST", message(1, "work"), 1_300_000_000)
    write_message(work, "cur", "2001.B.host", "ab", message(2, "work", extra=b"\r\n>From quoted\r\nFrom not"),
                  1_300_000_001)
    (work / "dovecot-keywords").write_text("0 Work\n1 $Label1\n")
    drafts = root / ".Entw&APw-rfe"
    write_message(drafts, "cur", "3000.A.host", "S", message(1, "drafts"), 1_200_000_000)
    (root / "subscriptions").write_text("V\t2\n\nINBOX\nWork\tProjects\n")
    return {"INBOX": read_maildir_folder(root), "Work/Projects": read_maildir_folder(work),
            "Entwürfe": read_maildir_folder(drafts)}


def maildir_dir_of(name: str) -> str:
    if name == "INBOX":
        return ""
    return "." + ".".join(imap_utf7(level) for level in name.split("/"))


def imap_utf7(text: str) -> str:
    out, run = "", ""
    def flush():
        nonlocal out, run
        if run:
            import base64
            out += "&" + base64.b64encode(run.encode("utf-16-be")).decode().rstrip("=").replace("/", ",") + "-"
            run = ""
    for ch in text:
        if 0x20 <= ord(ch) < 0x7F and ch != ".":
            flush()
            out += "&-" if ch == "&" else ch
        else:
            run += ch
    flush()
    return out


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return run_cli(*args, timeout=timeout)


def imap_messages(m: imaplib.IMAP4, name: str) -> list[tuple[bytes, frozenset[str], str]]:
    """(bytes, flags without \\Recent, INTERNALDATE) of every message of a mailbox."""
    typ, _ = m.select(f'"{name}"' if name.isascii() else '"' + imap_utf7_imap(name) + '"', readonly=True)
    assert typ == "OK", name
    typ, data = m.uid("FETCH", "1:*", "(FLAGS INTERNALDATE BODY.PEEK[])")
    found = []
    for item in data:
        if not isinstance(item, tuple):
            continue
        head, body = item
        flags = re.search(rb"FLAGS \(([^)]*)\)", head).group(1).decode().split()
        date = re.search(rb'INTERNALDATE "([^"]+)"', head).group(1).decode()
        found.append((body, frozenset(f for f in flags if f != "\\Recent"), date))
    return sorted(found, key=lambda m: m[0])


def imap_utf7_imap(text: str) -> str:
    return imap_utf7(text).replace("&AC4-", ".")


# --------------------------------------------------------------------------- tests


def test_maildir_import_shows_on_running_server_and_round_trips(tmp_path):
    source = tmp_path / "Maildir"
    expected = make_source(source)
    with own_server(tmp_path, {"alice": "alice-pw"}) as (proc, imaps, _imap, cafile):
        data = proc.data_dir
        import ssl
        # A session that has INBOX open while the import runs is told of the new messages.
        watcher = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=ssl.create_default_context(cafile=cafile))
        watcher.login("alice", "alice-pw")
        assert watcher.select("INBOX")[1] == [b"0"]
        r = cli("import", "alice", "--maildir", str(source), "--data-dir", str(data))
        assert r.returncode == 0, r.stdout + r.stderr
        assert "imported 6, skipped 0 (already there), failed 0, folders 3" in r.stdout, r.stdout

        def told() -> bool:
            watcher.noop()
            return watcher.untagged_responses.get("EXISTS", [b"0"])[-1] == b"3"
        assert wait_for(told, timeout=10), watcher.untagged_responses
        watcher.logout()
        m = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=ssl.create_default_context(cafile=cafile))
        m.login("alice", "alice-pw")
        try:
            for name, messages in expected.items():
                got = imap_messages(m, name)
                assert [g[0] for g in got] == [e[0] for e in messages], name
                assert [g[1] for g in got] == [e[1] for e in messages], name
                stamps = [int(time.mktime(imaplib.Internaldate2tuple(
                    b'INTERNALDATE "' + g[2].encode() + b'"'))) for g in got]
                assert stamps == [e[2] for e in messages], name
            typ, lsub = m.lsub()
            assert any(b'"Work/Projects"' in line or b" Work/Projects" in line for line in lsub), lsub
        finally:
            m.logout()

        out = tmp_path / "export"
        r = cli("export", "alice", "--to", "maildir", str(out), "--data-dir", str(data))
        assert r.returncode == 0, r.stdout + r.stderr
        assert "exported 6 messages" in r.stdout, r.stdout
    for name, messages in expected.items():
        assert read_maildir_folder(out / maildir_dir_of(name)) == messages, name
    subscriptions = (out / "subscriptions").read_text().splitlines()
    assert subscriptions[0] == "V\t2" and "Work\tProjects" in subscriptions, subscriptions
    # Folders the account had besides (Sent, Drafts…) are exported empty.
    for extra in (".Sent", ".Trash"):
        assert read_maildir_folder(out / extra) == []
    # An export never writes into a directory that is not empty.
    r = cli("export", "alice", "--to", "maildir", str(out), "--data-dir", str(data))
    assert r.returncode != 0 and "not empty" in r.stderr, r.stderr


def test_import_twice_does_not_duplicate(tmp_path):
    source = tmp_path / "Maildir"
    make_source(source)
    data = tmp_path / "data"
    add_user(data, "alice", "alice-pw")
    first = cli("import", "alice", "--maildir", str(source), "--data-dir", str(data))
    assert first.returncode == 0 and "imported 6," in first.stdout, first.stdout + first.stderr
    again = cli("import", "alice", "--maildir", str(source), "--data-dir", str(data))
    assert again.returncode == 0, again.stderr
    assert "imported 0, skipped 6 (already there)" in again.stdout, again.stdout
    # The same messages into another folder are another import.
    other = cli("import", "alice", "--maildir", str(source), "--folder", "Old", "--data-dir", str(data))
    assert "imported 6," in other.stdout, other.stdout + other.stderr
    out = tmp_path / "out"
    assert cli("export", "alice", "--to", "maildir", str(out), "--data-dir", str(data)).returncode == 0
    assert len(read_maildir_folder(out)) == 3
    assert len(read_maildir_folder(out / ".Old")) == 3 and len(read_maildir_folder(out / ".Old.Work.Projects")) == 2


def ledger_size(data: Path) -> int:
    import sqlite3
    try:
        with sqlite3.connect(f"file:{data / 'postern.sqlite'}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM import_keys").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_kill_during_import_then_rerun_imports_each_message_once(tmp_path):
    require_binary()
    source = tmp_path / "Maildir"
    count = 4000
    for n in range(count):
        write_message(source, "cur", f"{n}.X.host", "S" if n % 2 else "", message(n, "bulk"), 1_600_000_000 + n)
    data = tmp_path / "data"
    add_user(data, "alice", "alice-pw")
    args = [POSTERN_BIN, "import", "alice", "--maildir", str(source), "--data-dir", str(data)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Killed once some batches are committed (read from the ledger beside the running import).
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if ledger_size(data) >= 300:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the import ended before it could be interrupted"
    r = cli("import", "alice", "--maildir", str(source), "--data-dir", str(data), timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    imported, skipped = map(int, re.search(r"imported (\d+), skipped (\d+)", r.stdout).groups())
    assert imported + skipped == count and skipped > 0, r.stdout
    out = tmp_path / "out"
    assert cli("export", "alice", "--to", "maildir", str(out), "--data-dir", str(data)).returncode == 0
    bodies = [m[0] for m in read_maildir_folder(out)]
    assert len(bodies) == count and len(set(bodies)) == count
    assert sorted(bodies) == sorted(message(n, "bulk") for n in range(count))


def test_mbox_round_trip(tmp_path):
    mbox = tmp_path / "old.mbox"
    mbox.write_bytes(
        b"From alice@example.org Sat Jan  1 10:00:00 2000\n"
        b"Subject: one\nStatus: RO\nX-Status: AF\nX-Keywords: Work $Label2\n\nHello\n>From quoted\n\n"
        b"From bob@example.org Sun Jan  2 11:30:00 2000\n"
        b"Subject: two\nStatus: O\n\nSecond\nFrom \n")
    data = tmp_path / "data"
    add_user(data, "alice", "alice-pw")
    add_user(data, "bob", "bob-pw")
    r = cli("import", "alice", "--mbox", str(mbox), "--folder", "Old/Mail", "--data-dir", str(data))
    assert r.returncode == 0 and "imported 3," in r.stdout, r.stdout + r.stderr
    out = tmp_path / "mboxes"
    r = cli("export", "alice", "--to", "mbox", str(out), "--data-dir", str(data))
    assert r.returncode == 0, r.stderr
    exported = (out / "Old" / "Mail.mbox").read_bytes()
    assert exported.count(b"\nFrom ") + exported.startswith(b"From ") == 3
    assert b"From MAILER-DAEMON Sat Jan  1 10:00:00 2000\nStatus: RO\nX-Status: AF\nX-Keywords: $Label2 Work\n" \
        b"Subject: one\n\nHello\n>From quoted\n\n" in exported, exported
    assert (out / "INBOX.mbox").read_bytes() == b""
    r = cli("import", "bob", "--mbox", str(out), "--data-dir", str(data))
    assert r.returncode == 0 and "imported 3," in r.stdout, r.stdout + r.stderr
    out2 = tmp_path / "mboxes2"
    assert cli("export", "bob", "--to", "mbox", str(out2), "--data-dir", str(data)).returncode == 0
    assert (out2 / "Old" / "Mail.mbox").read_bytes() == exported


def test_bad_input_is_reported_and_skipped(tmp_path):
    source = tmp_path / "Maildir"
    write_message(source, "cur", "1.good", "S", message(1, "x"), 1_500_000_000)
    big = source / "cur" / "2.big:2,S"
    with open(big, "wb") as f:
        f.truncate(64 * 1024 * 1024 + 1)
    write_message(source / ".Bad&AOQ", "cur", "3.x", "", message(3, "x"), 1_500_000_000)
    write_message(source / ".Fine", "cur", "4.x", "", message(4, "x"), 1_500_000_000)
    data = tmp_path / "data"
    add_user(data, "alice", "alice-pw")
    r = cli("import", "alice", "--maildir", str(source), "--data-dir", str(data))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "imported 2, skipped 0 (already there), failed 1" in r.stdout, r.stdout
    assert str(big) in r.stderr and "larger than the append limit" in r.stderr, r.stderr
    assert ".Bad&AOQ" in r.stderr, r.stderr
    for line in r.stderr.splitlines():
        assert line.startswith("postern: "), r.stderr
    # The good ones are there, once, after a rerun too.
    again = cli("import", "alice", "--maildir", str(source), "--data-dir", str(data))
    assert "imported 0, skipped 2 (already there), failed 1" in again.stdout, again.stdout


@pytest.mark.parametrize("args,needle", [
    (["import", "alice"], "exactly one of"),
    (["import", "alice", "--maildir", "A", "--mbox", "B"], "exactly one of"),
    (["import", "alice", "--maildir", "MISSING"], "no such file or directory"),
    (["import", "alice", "--mbox", "MISSING"], "no such file or directory"),
    (["import", "alice", "--eml", "MISSING"], "no such file or directory"),
    (["import", "alice", "--maildir", "EMPTY"], "not a Maildir"),
    (["import", "alice", "--mbox", "GARBAGE"], "not an mbox file"),
    (["import", "alice", "--maildir", "EMPTY", "--folder", "a//b"], "--folder"),
    (["import", "nobody", "--eml", "EMPTY"], "no account named 'nobody'"),
    (["export", "nobody", "--to", "maildir", "OUT"], "no account named 'nobody'"),
    (["export", "alice", "--to", "zip", "OUT"], "zip"),
    (["export", "alice", "--to", "mbox", "GARBAGE"], "not a directory"),
])
def test_usage_errors_are_one_line(tmp_path, args, needle):
    data = tmp_path / "data"
    add_user(data, "alice", "alice-pw")
    (tmp_path / "EMPTY").mkdir()
    (tmp_path / "GARBAGE").write_text("hello\n")
    args = [a if a not in ("MISSING", "EMPTY", "GARBAGE", "OUT") else str(tmp_path / a) for a in args]
    r = cli(*args, "--data-dir", str(data))
    assert r.returncode in (1, 2), (args, r.returncode, r.stdout, r.stderr)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and needle in lines[0], (args, r.stderr)
    assert "Traceback" not in r.stderr and "Fatal error" not in r.stderr


def test_eml_directory(tmp_path):
    src = tmp_path / "eml"
    (src / "Work").mkdir(parents=True)
    (src / "a.eml").write_bytes(message(1, "eml"))
    (src / "Work" / "b.eml").write_bytes(message(2, "eml"))
    os.utime(src / "a.eml", (1_234_567_890, 1_234_567_890))
    data = tmp_path / "data"
    add_user(data, "alice", "alice-pw")
    r = cli("import", "alice", "--eml", str(src), "--folder", "Imported", "--data-dir", str(data))
    assert r.returncode == 0 and "imported 2," in r.stdout and "folders 2" in r.stdout, r.stdout + r.stderr
    out = tmp_path / "out"
    assert cli("export", "alice", "--to", "maildir", str(out), "--data-dir", str(data)).returncode == 0
    assert read_maildir_folder(out / ".Imported") == [(message(1, "eml"), frozenset(), 1_234_567_890)]
    assert [m[0] for m in read_maildir_folder(out / ".Imported.Work")] == [message(2, "eml")]


def test_over_quota_stops_with_the_count_and_resumes(tmp_path):
    source = tmp_path / "Maildir"
    make_source(source)
    data = tmp_path / "data"
    add_user(data, "alice", "alice-pw")
    assert cli("user", "quota", "alice", "--messages", "4", "--data-dir", str(data)).returncode == 0
    r = cli("import", "alice", "--maildir", str(source), "--data-dir", str(data))
    assert r.returncode == 1, r.stdout + r.stderr
    # INBOX (3) and Entwürfe (1) fit; the batch of Work/Projects (2) does not.
    assert "imported 4," in r.stdout, r.stdout
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "over quota" in lines[0] and "after 4 messages" in lines[0], r.stderr
    assert cli("user", "quota", "alice", "--messages", "none", "--data-dir", str(data)).returncode == 0
    again = cli("import", "alice", "--maildir", str(source), "--data-dir", str(data))
    assert again.returncode == 0 and "imported 2, skipped 4 (already there)" in again.stdout, again.stdout


def test_progress_line_on_a_terminal_only(tmp_path):
    import pty
    source = tmp_path / "Maildir"
    make_source(source)
    data = tmp_path / "data"
    add_user(data, "alice", "alice-pw")
    master, slave = pty.openpty()
    proc = subprocess.Popen([POSTERN_BIN, "import", "alice", "--maildir", str(source), "--data-dir", str(data)],
                            stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=60)
    os.close(master)
    assert proc.returncode == 0, seen
    assert b"\r" in seen and b"/6 messages" in seen and b"msg/s" in seen and b"ETA" in seen, seen
    assert seen.endswith(b"\r\x1b[K"), seen
    assert b"imported 6," in out
    # Not on a pipe: only the summary (checked by every other test's stderr being empty or errors only).
    r = cli("import", "alice", "--maildir", str(source), "--data-dir", str(data))
    assert r.stderr == "" and r.stdout.startswith("imported 0, skipped 6"), (r.stdout, r.stderr)


def test_over_quota_in_the_first_batch_leaves_nothing_staged(tmp_path):
    source = tmp_path / "Maildir"
    for n in range(600):
        write_message(source, "cur", f"{n}.Q.host", "S", message(n, "quota"), 1_600_000_000 + n)
    data = tmp_path / "data"
    add_user(data, "alice", "alice-pw")
    assert cli("user", "quota", "alice", "--messages", "100", "--data-dir", str(data)).returncode == 0
    r = cli("import", "alice", "--maildir", str(source), "--data-dir", str(data))
    assert r.returncode == 1 and "imported 0," in r.stdout and "after 0 messages" in r.stderr, r.stdout + r.stderr
    # The batch staged while the first one was refused is removed, not left behind.
    assert list((data / "tmp").iterdir()) == []
