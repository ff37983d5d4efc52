"""mbsync (isync) syncing a mailbox both ways with a local Maildir."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from helpers import append, fetch, flags_of, make_message, ok, search, select, status, write_mbsync_config


def _mbsync_bin() -> str:
    exe = shutil.which("mbsync")
    if not exe:
        pytest.fail("mbsync is not installed (Debian package: isync)")
    return exe


@pytest.fixture
def sync(server, tmp_path, mbox):
    exe = _mbsync_bin()
    cfg, local, state = write_mbsync_config(server, tmp_path, mbox)

    def run():
        r = subprocess.run([exe, "-c", str(cfg), "-V", "e2e"], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"mbsync failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
        return r

    return run, local / mbox


def maildir_files(d: Path) -> list[Path]:
    return sorted(p for sub in ("cur", "new") for p in (d / sub).glob("*") if p.is_file())


def test_mbsync_server_to_local(sync, imap, mbox):
    run, ldir = sync
    ok(imap.create(mbox))
    append(imap, mbox, make_message("sync one", body="first\r\n"))
    append(imap, mbox, make_message("sync two", body="second\r\n"), flags="(\\Seen)")
    run()
    files = maildir_files(ldir)
    assert len(files) == 2, files
    contents = sorted(f.read_bytes() for f in files)
    assert any(b"Subject: sync one" in c for c in contents)
    assert any(b"Subject: sync two" in c for c in contents)
    seen = [f for f in files if b"Subject: sync two" in f.read_bytes()][0]
    assert ":2," in seen.name and "S" in seen.name.split(":2,")[1], seen.name


def test_mbsync_local_to_server(sync, imap, mbox):
    run, ldir = sync
    ok(imap.create(mbox))
    append(imap, mbox, make_message("already there"))
    run()
    msg = make_message("written locally", body="from the maildir\r\n")
    name = f"{int(time.time())}.{os.getpid()}_e2e.localhost"
    (ldir / "new" / name).write_bytes(msg.replace(b"\r\n", b"\n"))
    run()
    select(imap, mbox)
    assert search(imap, "SUBJECT", '"written locally"') != [], "locally added message not uploaded"
    st = status(imap, mbox)
    assert st["MESSAGES"] == 2


def test_mbsync_flags_propagate(sync, imap, mbox):
    run, ldir = sync
    ok(imap.create(mbox))
    append(imap, mbox, make_message("flag me"))
    append(imap, mbox, make_message("seen locally"))
    run()
    # server -> local: \Flagged
    select(imap, mbox)
    ok(imap.store("1", "+FLAGS", "(\\Flagged)"))
    run()
    files = {f.read_bytes().split(b"Subject: ")[1].split(b"\n")[0].strip(): f for f in maildir_files(ldir)}
    flagged = files[b"flag me"]
    assert ":2," in flagged.name and "F" in flagged.name.split(":2,")[1], flagged.name
    # local -> server: mark "seen locally" as seen
    f = files[b"seen locally"]
    base = f.name.split(":2,")[0]
    f.rename(ldir / "cur" / (base + ":2,S"))
    run()
    ok(imap.noop())
    n = search(imap, "SUBJECT", '"seen locally"')
    assert len(n) == 1
    assert "\\Seen" in flags_of(imap, str(n[0]))


def test_mbsync_local_delete_expunges_server(sync, imap, mbox):
    run, ldir = sync
    ok(imap.create(mbox))
    append(imap, mbox, make_message("keep"))
    append(imap, mbox, make_message("delete me"))
    run()
    victim = [f for f in maildir_files(ldir) if b"Subject: delete me" in f.read_bytes()][0]
    victim.unlink()
    run()
    m_status = status(imap, mbox)
    assert m_status["MESSAGES"] == 1
