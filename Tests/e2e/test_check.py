"""`postern check [--repair]`: a data folder damaged in each way the check knows, its report, and the
repair (orphans moved aside, counters rebuilt, a message whose file is gone expunged)."""
from __future__ import annotations

import os
import sqlite3
import ssl
import imaplib
from pathlib import Path

import pytest

from conftest import ALICE, ALICE_PW, PosternProcess, add_user, run_cli
from helpers import make_message

pytestmark = pytest.mark.postern


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A data folder with one account and five messages in INBOX (server stopped)."""
    data = tmp_path_factory.mktemp("check") / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    proc = PosternProcess(data)
    try:
        port = proc.wait_ready()["imaps"]
        ctx = ssl.create_default_context(cafile=str(data / "tls" / "cert.pem"))
        m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=30)
        m.login(ALICE, ALICE_PW)
        for i in range(5):
            assert m.append("INBOX", None, None, make_message(subject=f"check {i}"))[0] == "OK"
        m.logout()
    finally:
        proc.stop()
    return data


@pytest.fixture
def data(template, tmp_path) -> Path:
    copy = tmp_path / "data"
    import shutil
    shutil.copytree(template, copy)
    return copy


def blobs(data: Path) -> list[Path]:
    return sorted(p for p in (data / "blobs").rglob("*") if p.is_file())


def sql(data: Path, statement: str) -> None:
    db = sqlite3.connect(data / "postern.sqlite")
    try:
        db.execute(statement)
        db.commit()
    finally:
        db.close()


def check(data: Path, *extra: str):
    return run_cli("check", "--data-dir", str(data), *extra)


def test_a_sound_folder_passes(data):
    r = check(data)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "server stopped" in r.stdout and "6 mailboxes" in r.stdout
    assert "5 messages" in r.stdout and "no problems found" in r.stdout


def test_orphan_is_reported_and_moved_aside(data):
    orphan = data / "blobs" / "ab" / ("ab" + "0" * 30)
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"nobody's message")
    r = check(data)
    assert r.returncode == 1 and f"content file {orphan.name}: no message references it" in r.stdout, r.stdout
    assert orphan.exists()
    r = check(data, "--repair")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert f"repair: moved unreferenced content file {orphan.name} into lost+found/" in r.stdout
    assert not orphan.exists()
    assert (data / "lost+found" / orphan.name).read_bytes() == b"nobody's message"
    assert check(data).returncode == 0


def test_missing_file_is_reported_and_its_message_expunged(data):
    victim = blobs(data)[0]
    db = sqlite3.connect(data / "postern.sqlite")
    uid, = db.execute("SELECT uid FROM messages WHERE blob = ?", (victim.name,)).fetchone()
    before, = db.execute("SELECT highestmodseq FROM mailboxes WHERE name = 'INBOX'").fetchone()
    db.close()
    victim.unlink()
    r = check(data)
    assert r.returncode == 1, r.stdout
    assert f"alice/INBOX UID {uid}: content file {victim.name} is missing" in r.stdout, r.stdout
    r = check(data, "--repair")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert f"repair: expunged alice/INBOX UID {uid}: content file {victim.name} is missing" in r.stdout
    db = sqlite3.connect(data / "postern.sqlite")
    assert db.execute("SELECT count(*) FROM messages").fetchone()[0] == 4
    modseq, = db.execute("SELECT modseq FROM expunged WHERE uid = ?", (uid,)).fetchone()
    after, used = db.execute("SELECT highestmodseq, used_messages FROM mailboxes WHERE name = 'INBOX'").fetchone()
    db.close()
    assert modseq == after == before + 1 and used == 4


def test_wrong_size_is_reported_and_not_repaired(data):
    victim = blobs(data)[1]
    size = victim.stat().st_size
    with open(victim, "ab") as f:
        f.write(b"garbage")
    r = check(data, "--repair")
    assert r.returncode == 1, r.stdout
    assert f"content file {victim.name}: {size + 7} bytes, the database says {size}" in r.stdout
    assert "after repair" not in r.stdout or r.stdout.count("bytes, the database says") == 2
    assert victim.stat().st_size == size + 7


def test_counters_and_sequence_numbers_are_rebuilt(data):
    db = sqlite3.connect(data / "postern.sqlite")
    total, = db.execute("SELECT sum(size) FROM messages").fetchone()
    high_uid, high_modseq = db.execute("SELECT max(uid), max(modseq) FROM messages").fetchone()
    db.close()
    sql(data, "UPDATE mailboxes SET used_bytes = 7, used_messages = 99, uidnext = 2, highestmodseq = 1 "
              "WHERE name = 'INBOX'")
    sql(data, "UPDATE store_state SET last_uidvalidity = 1")
    r = check(data)
    assert r.returncode == 1
    out = r.stdout
    assert f"alice/INBOX: UIDNEXT 2 is not above UID {high_uid}" in out, out
    assert f"alice/INBOX: HIGHESTMODSEQ 1 is below MODSEQ {high_modseq}" in out, out
    assert f"usage recorded as 99 messages / 7 bytes, the messages add up to 5 / {total}" in out, out
    assert "store: largest UIDVALIDITY given is recorded as 1" in out, out
    r = check(data, "--repair")
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "repair: rebuilt counters" in r.stdout
    db = sqlite3.connect(data / "postern.sqlite")
    row = db.execute("SELECT used_bytes, used_messages, uidnext, highestmodseq FROM mailboxes "
                     "WHERE name = 'INBOX'").fetchone()
    db.close()
    assert row == (total, 5, high_uid + 1, high_modseq)


def test_a_uid_both_live_and_expunged_is_repaired(data):
    sql(data, "INSERT INTO expunged (mailbox_id, uid, modseq) "
              "SELECT mailbox_id, uid, modseq FROM messages LIMIT 1")
    r = check(data)
    assert r.returncode == 1 and "both a message and expunged" in r.stdout, r.stdout
    assert check(data, "--repair").returncode == 0
    assert check(data).returncode == 0


def test_damaged_database_is_reported_and_nothing_repaired(data):
    path = data / "postern.sqlite"
    sql(data, "PRAGMA wal_checkpoint(TRUNCATE)")
    page = 4096
    size = path.stat().st_size
    assert size >= 4 * page
    with open(path, "r+b") as f:
        for n in range(2, size // page):
            f.seek(n * page + 8)
            f.write(os.urandom(64))
    r = check(data, "--repair")
    assert r.returncode == 1, (r.stdout, r.stderr)
    out = r.stdout + r.stderr
    assert "database" in out, out
    assert "Traceback" not in out and "Fatal error" not in out


def test_check_runs_beside_a_running_server(data):
    proc = PosternProcess(data)
    try:
        proc.wait_ready()
        r = check(data)
        assert r.returncode == 0, (r.stdout, r.stderr)
        assert "store in use (server running)" in r.stdout and "no problems found" in r.stdout
    finally:
        proc.stop()


def test_repair_beside_a_running_server(data):
    proc = PosternProcess(data)
    try:
        port = proc.wait_ready()["imaps"]
        db = sqlite3.connect(data / "postern.sqlite", timeout=10)
        db.execute("UPDATE mailboxes SET used_messages = 99 WHERE name = 'INBOX'")
        db.commit()
        db.close()
        r = check(data)
        assert r.returncode == 1 and "usage recorded as 99 messages" in r.stdout, (r.stdout, r.stderr)
        r = check(data, "--repair")
        assert r.returncode == 0 and "repair: rebuilt counters" in r.stdout, (r.stdout, r.stderr)
        # The server keeps counting from the rebuilt figures.
        ctx = ssl.create_default_context(cafile=str(data / "tls" / "cert.pem"))
        m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=30)
        m.login(ALICE, ALICE_PW)
        assert m.append("INBOX", None, None, make_message(subject="after repair"))[0] == "OK"
        m.logout()
        r = check(data)
        assert r.returncode == 0 and "6 messages" in r.stdout, (r.stdout, r.stderr)
    finally:
        proc.stop()


def test_config_file_names_the_folder_or_a_postgresql_store(data, tmp_path):
    config = tmp_path / "postern.toml"
    config.write_text(f'data_dir = "{data}"\n')
    r = run_cli("check", "--config", str(config))
    assert r.returncode == 0 and str(data) in r.stdout, (r.stdout, r.stderr)
    config.write_text(f'data_dir = "{data}"\nstore = "postgresql://postern@127.0.0.1/postern"\n')
    for args in (["check"], ["backup", str(tmp_path / "b")]):
        r = run_cli(*args, "--config", str(config))
        assert r.returncode == 2 and "pg_basebackup" in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
