"""mbsync (isync) against a mailbox that other sessions change between syncs (append, flag,
expunge, MOVE out), with local changes at the same time; afterwards the local Maildir and the
server must agree on messages and flags."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from exthelpers import append_n, fetch_map, make_message, quote, raw_append, raw_session
from test_mbsync import maildir_files, sync  # noqa: F401  (fixture)

MAILDIR_FLAGS = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted"}


def local_state(ldir: Path) -> dict[str, frozenset]:
    out = {}
    for f in maildir_files(ldir):
        data = f.read_bytes()
        subj = data.split(b"Subject: ", 1)[1].split(b"\n", 1)[0].strip().decode()
        info = f.name.split(":2,", 1)[1] if ":2," in f.name else ""
        assert subj not in out, f"duplicate local message {subj!r}"
        out[subj] = frozenset(MAILDIR_FLAGS[ch] for ch in info if ch in MAILDIR_FLAGS)
    return out


def server_state(server, mbox) -> dict[str, frozenset]:
    c = raw_session(server, mbox, examine=True)
    try:
        r = c.command("f1 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert r.status == "OK", r
        out = {}
        for l in r.untagged_of("FETCH"):
            subj = l.literals[0].split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0].strip().decode()
            flags = set(l.text.split("FLAGS (", 1)[1].split(")", 1)[0].split())
            assert subj not in out, f"duplicate server message {subj!r}"
            out[subj] = frozenset(f for f in flags if f in MAILDIR_FLAGS.values())
        return out
    finally:
        c.close()


def test_mbsync_after_concurrent_changes(server, sync, mbox):
    run, ldir = sync
    c = raw_session(server)
    assert c.command(f"c0 CREATE {quote(mbox)}").status == "OK"
    assert c.command(f"c1 CREATE {quote(mbox + '-elsewhere')}").status == "OK"
    uids = append_n(c, mbox, 6, "mbs")
    c.close()
    run()
    assert set(local_state(ldir)) == {f"mbs {i}" for i in range(6)}

    # other sessions change the server mailbox
    b = raw_session(server, mbox)
    d = raw_session(server, mbox)
    try:
        append_n(b, mbox, 2, "mbs new")
        assert b.command(f"b1 UID STORE {uids[0]} +FLAGS (\\Flagged)").status == "OK"
        assert d.command(f"d1 UID STORE {uids[1]} +FLAGS (\\Answered \\Seen)").status == "OK"
        assert d.command(f"d2 UID STORE {uids[2]} +FLAGS.SILENT (\\Deleted)").status == "OK"
        assert d.command(f"d3 UID EXPUNGE {uids[2]}").status == "OK"
        assert b.command(f"b2 UID MOVE {uids[3]} {quote(mbox + '-elsewhere')}").status == "OK"
    finally:
        b.close()
        d.close()
    # and, meanwhile, the local side: mark "mbs 4" seen, delete "mbs 5", add a new one
    files = {f.read_bytes().split(b"Subject: ")[1].split(b"\n")[0].strip().decode(): f for f in maildir_files(ldir)}
    f4 = files["mbs 4"]
    f4.rename(ldir / "cur" / (f4.name.split(":2,")[0] + ":2,S"))
    files["mbs 5"].unlink()
    name = f"{int(time.time())}.{os.getpid()}_conc.localhost"
    (ldir / "new" / name).write_bytes(make_message("mbs local").replace(b"\r\n", b"\n"))

    run()
    want = {
        "mbs 0": {"\\Flagged"}, "mbs 1": {"\\Answered", "\\Seen"}, "mbs 4": {"\\Seen"},
        "mbs new 0": set(), "mbs new 1": set(), "mbs local": set(),
    }
    want = {k: frozenset(v) for k, v in want.items()}
    srv = server_state(server, mbox)
    loc = local_state(ldir)
    assert srv == want, f"server after sync: {srv}"
    assert loc == want, f"local after sync: {loc}"
    # a second sync changes nothing
    before = sorted(p.name for p in maildir_files(ldir))
    run()
    assert sorted(p.name for p in maildir_files(ldir)) == before
    assert server_state(server, mbox) == want
