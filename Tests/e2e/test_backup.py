"""`postern backup`, `backup verify` and `restore`: an online backup while a client writes, restored
into a new folder that a server starts on; incremental backups; damaged backups; bad input."""
from __future__ import annotations

import imaplib
import re
import ssl
import threading
import time
from pathlib import Path

import pytest

from conftest import ALICE, ALICE_PW, PosternProcess, add_user, run_cli
from helpers import fetch, make_message, status

pytestmark = pytest.mark.postern


def start(data: Path) -> tuple[PosternProcess, int]:
    proc = PosternProcess(data)
    try:
        ports = proc.wait_ready()
    except Exception:
        proc.stop()
        raise
    return proc, ports["imaps"]


def login(data: Path, port: int) -> imaplib.IMAP4_SSL:
    ctx = ssl.create_default_context(cafile=str(data / "tls" / "cert.pem"))
    m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=30)
    m.login(ALICE, ALICE_PW)
    return m


def append_uid(m: imaplib.IMAP4, mailbox: str, msg: bytes, flags: str | None = None) -> int:
    typ, dat = m.append(mailbox, flags, None, msg)
    assert typ == "OK", dat
    found = re.search(rb"APPENDUID \d+ (\d+)", dat[-1])
    assert found, dat
    return int(found.group(1))


def one_line_error(r, code: int = 2, *words: str) -> None:
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("postern: "), r.stderr
    for word in words:
        assert word in lines[0], r.stderr


class Writer(threading.Thread):
    """Appends to INBOX and sets flags on each new message (both acknowledged, with the time), and
    appends to and expunges from Churn (which frees content files while a backup runs)."""

    def __init__(self, data: Path, port: int):
        super().__init__(daemon=True)
        self.m = login(data, port)
        self.m.create("Churn")
        self.stop_event = threading.Event()
        # uid -> (message-id, final flags, time the APPEND and the STORE were both acknowledged)
        self.acked: dict[int, tuple[str, set[str], float]] = {}
        self.times: list[float] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            n = 0
            while not self.stop_event.is_set():
                n += 1
                mid = f"<backup-{n}@e2e.example>"
                msg = make_message(subject=f"m{n}").replace(b"Message-ID: <", b"X-Old-Id: <", 1)
                msg = f"Message-ID: {mid}\r\n".encode() + msg
                uid = append_uid(self.m, "INBOX", msg, "(\\Seen)")
                self.times.append(time.monotonic())
                keyword = f"k{n % 7}"
                self.m.select("INBOX")
                typ, dat = self.m.uid("STORE", str(uid), "+FLAGS", f"(\\Flagged {keyword})")
                assert typ == "OK", dat
                self.acked[uid] = (mid, {"\\Seen", "\\Flagged", keyword}, time.monotonic())
                self.times.append(time.monotonic())
                churn = append_uid(self.m, "Churn", make_message(subject=f"churn {n}"))
                self.m.select("Churn")
                self.m.uid("STORE", str(churn), "+FLAGS", "(\\Deleted)")
                self.m.expunge()
                self.times.append(time.monotonic())
        except BaseException as e:  # reported by the test
            self.error = e

    def finish(self) -> None:
        self.stop_event.set()
        self.join(60)
        try:
            self.m.logout()
        except Exception:
            pass
        assert self.error is None, repr(self.error)


def message_state(m: imaplib.IMAP4) -> dict[int, tuple[str, set[str]]]:
    m.select("INBOX", readonly=True)
    got = fetch(m, "1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    out = {}
    for item in got.values():
        header = next(v for k, v in item.items() if isinstance(k, bytes) and k.startswith(b"BODY"))
        mid = header.decode().split(":", 1)[1].strip()
        out[item[b"UID"]] = (mid, {f.decode() for f in item[b"FLAGS"]} - {"\\Recent"})
    return out


def test_backup_while_writing_restores_every_acknowledged_message(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    proc, port = start(data)
    writer = None
    try:
        writer = Writer(data, port)
        writer.start()
        deadline = time.monotonic() + 60
        while len(writer.acked) < 40 and time.monotonic() < deadline and writer.error is None:
            time.sleep(0.05)
        assert len(writer.acked) >= 40, writer.error
        began = time.monotonic()
        before = {uid: (mid, flags) for uid, (mid, flags, at) in writer.acked.copy().items() if at < began}
        r = run_cli("backup", str(tmp_path / "backup"), "--data-dir", str(data), timeout=120)
        ended = time.monotonic()
        assert r.returncode == 0, (r.stdout, r.stderr)
        assert "manifest written" in r.stderr and "database snapshot 1" in r.stderr, r.stderr
        # The client kept writing while the backup ran.
        assert any(began < t < ended for t in writer.times), (began, ended, writer.times[-5:])
        writer.finish()
        m = login(data, port)
        validity = status(m, "INBOX")["UIDVALIDITY"]
        m.logout()
    finally:
        if writer is not None and writer.is_alive():
            writer.stop_event.set()
            writer.join(30)
        proc.stop()

    r = run_cli("backup", "verify", str(tmp_path / "backup"))
    assert r.returncode == 0 and "is good" in r.stdout, (r.stdout, r.stderr)
    restored = tmp_path / "restored"
    r = run_cli("restore", str(tmp_path / "backup"), "--data-dir", str(restored), timeout=120)
    assert r.returncode == 0 and "restored" in r.stdout, (r.stdout, r.stderr)
    r = run_cli("check", "--data-dir", str(restored))
    assert r.returncode == 0 and "no problems found" in r.stdout, (r.stdout, r.stderr)

    proc, port = start(restored)
    try:
        m = login(restored, port)
        assert status(m, "INBOX")["UIDVALIDITY"] == validity
        state = message_state(m)
        for uid, (mid, flags) in before.items():
            assert uid in state, f"UID {uid} acknowledged before the backup is missing"
            assert state[uid] == (mid, flags), (uid, state[uid], (mid, flags))
        # Later messages may be in the snapshot, with their flags before or after their STORE.
        for uid, (mid, flags) in state.items():
            if uid not in before:
                assert flags == {"\\Seen"} or flags == writer.acked[uid][1], (uid, flags)
        # The restored server takes new mail after the restored UIDs.
        new_uid = append_uid(m, "INBOX", make_message(subject="after restore"))
        assert new_uid > max(state)
        m.logout()
    finally:
        proc.stop()


def fill(data: Path, count: int) -> None:
    """Appends `count` messages to INBOX through a short-lived server."""
    proc, port = start(data)
    try:
        m = login(data, port)
        for i in range(count):
            append_uid(m, "INBOX", make_message(subject=f"fill {i}"))
        m.logout()
    finally:
        proc.stop()


def summary_numbers(stdout: str) -> dict[str, int]:
    found = re.search(r"(\d+) message files \((\d+) linked, (\d+) copied, (\d+) kept, (\d+) removed\)", stdout)
    assert found, stdout
    return dict(zip(["files", "linked", "copied", "kept", "removed"], map(int, found.groups())))


def blob_inodes(dest: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in (dest / "blobs").rglob("*") if p.is_file()}


def test_incremental_backup_keeps_unchanged_files(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    fill(data, 10)
    dest = tmp_path / "backup"
    r = run_cli("backup", str(dest), "--data-dir", str(data))
    assert r.returncode == 0, r.stderr
    first = summary_numbers(r.stdout)
    assert first["files"] >= 10 and first["kept"] == 0 and first["linked"] + first["copied"] == first["files"]
    kept_inode = blob_inodes(dest)

    # Five more, and two of the first expunged.
    proc, port = start(data)
    try:
        m = login(data, port)
        for i in range(5):
            append_uid(m, "INBOX", make_message(subject=f"second {i}"))
        m.select("INBOX")
        m.uid("STORE", "1:2", "+FLAGS", "(\\Deleted)")
        m.expunge()
        m.logout()
    finally:
        proc.stop()
    r = run_cli("backup", str(dest), "--data-dir", str(data))
    assert r.returncode == 0, r.stderr
    second = summary_numbers(r.stdout)
    assert second["files"] == first["files"] + 3
    assert second["linked"] + second["copied"] == 5 and second["kept"] == first["files"] - 2
    assert second["removed"] == 2
    now = blob_inodes(dest)
    assert sum(1 for name, ino in now.items() if kept_inode.get(name) == ino) == first["files"] - 2

    # A third run with nothing new adds and removes nothing.
    r = run_cli("backup", str(dest), "--data-dir", str(data))
    third = summary_numbers(r.stdout)
    assert third["linked"] == third["copied"] == third["removed"] == 0 and third["kept"] == second["files"]
    r = run_cli("backup", "verify", str(dest))
    assert r.returncode == 0, (r.stdout, r.stderr)


def test_verify_detects_a_damaged_file_and_restore_refuses_it(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    fill(data, 3)
    dest = tmp_path / "backup"
    r = run_cli("backup", str(dest), "--copy", "--data-dir", str(data))
    assert r.returncode == 0 and summary_numbers(r.stdout)["linked"] == 0, r.stderr
    victim = sorted(p for p in (dest / "blobs").rglob("*") if p.is_file())[0]
    raw = bytearray(victim.read_bytes())
    raw[len(raw) // 2] ^= 0x20
    victim.write_bytes(bytes(raw))
    r = run_cli("backup", "verify", str(dest))
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert f"{victim.name}: SHA-256 differs" in r.stderr, r.stderr
    r = run_cli("restore", str(dest), "--data-dir", str(tmp_path / "restored"))
    one_line_error(r, 2, "does not verify")
    # The data folder is untouched by the damage (--copy made the backup's files its own).
    r = run_cli("check", "--data-dir", str(data))
    assert r.returncode == 0, r.stdout

    # A removed file, then a manifest cut short.
    victim.unlink()
    r = run_cli("backup", "verify", str(dest))
    assert r.returncode == 1 and "missing" in r.stderr, r.stderr
    manifest = dest / "postern-backup.manifest"
    manifest.write_bytes(manifest.read_bytes()[:-10])
    one_line_error(run_cli("backup", "verify", str(dest)), 2, "manifest")


def test_restore_refuses_a_non_empty_folder(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    dest = tmp_path / "backup"
    assert run_cli("backup", str(dest), "--data-dir", str(data)).returncode == 0
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "something").write_text("x")
    one_line_error(run_cli("restore", str(dest), "--data-dir", str(busy)), 2, "not empty")
    assert (busy / "something").read_text() == "x" and len(list(busy.iterdir())) == 1


def test_bad_input_gets_one_line_errors(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("x")
    d = ["--data-dir", str(data)]
    one_line_error(run_cli("backup", str(tmp_path / "no" / "such" / "dest"), *d), 2, "does not exist")
    one_line_error(run_cli("backup", str(a_file), *d), 2, "not a folder")
    one_line_error(run_cli("backup", str(stranger), *d), 2, "not empty")
    one_line_error(run_cli("backup", str(data), *d), 2)
    one_line_error(run_cli("backup", str(tmp_path / "b"), "--data-dir", str(tmp_path / "none")), 2, "no data folder")
    one_line_error(run_cli("backup", str(tmp_path / "b"), "--data-dir", str(stranger)), 2, "not a Postern data")
    one_line_error(run_cli("backup", "verify", str(stranger)), 2, "not a Postern backup")
    one_line_error(run_cli("backup", "verify", str(tmp_path / "none")), 2, "no backup")
    one_line_error(run_cli("restore", str(stranger), "--data-dir", str(tmp_path / "r")), 2, "not a Postern backup")
    one_line_error(run_cli("restore", str(stranger), "--data-dir", str(a_file)), 2, "not a folder")
    one_line_error(run_cli("check", "--data-dir", str(stranger)), 2, "not a Postern data")
    pg = ["--store", "postgresql://postern@127.0.0.1/postern"]
    one_line_error(run_cli("backup", str(tmp_path / "b"), *pg), 2, "pg_dump")
    one_line_error(run_cli("check", *pg), 2, "pg_dump")
    assert not (tmp_path / "b").exists() and not (tmp_path / "r").exists()
