"""FETCH of whole large messages (RFC 9051 6.4.5): above 1 MB the server streams RFC822 / BODY[] /
BODY.PEEK[] from the message file. Checked with imaplib (an independent client) and a raw
connection: exact bytes, the other items of the same FETCH before and after the literal, implicit
\\Seen, partial fetches (not streamed), NUL as 0x80, and an expunge by another session."""
from __future__ import annotations

import random
import time

import pytest

from helpers import append, flags_of, ok, select
from mimehelpers import fetch_one, item_value, setup_mailbox
from rawimap import quote


def big_message(size: int, seed: int = 5) -> bytes:
    rng = random.Random(seed)
    words = ["outage", "report", "Grüße", "naïve", "budget", "deploy", "rollback", "weekly", "status"]
    head = (b"From: Big Sender <big@example.org>\r\nTo: you@example.net\r\nSubject: large message\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\n")
    lines = []
    total = len(head)
    while total < size:
        line = (" ".join(rng.choice(words) for _ in range(12)) + "\r\n").encode()
        lines.append(line)
        total += len(line)
    return head + b"".join(lines)


def test_whole_large_message_is_exact_with_items_around_it(server, mbox):
    msg = big_message(3 * 1024 * 1024 + 17)
    m = server.imaps()
    try:
        ok(m.create(quote(mbox)))
        append(m, mbox, msg)
        select(m, mbox)
        typ, data = m.uid("FETCH", "1", "(FLAGS BODY.PEEK[] RFC822.SIZE INTERNALDATE)")
        assert typ == "OK", data
        head, body = data[0]
        assert body == msg, "BODY.PEEK[] of a 3 MB message differs from what was appended"
        head = head.decode()
        assert "UID 1" in head and "FLAGS (" in head and "BODY[] {%d}" % len(msg) in head, head
        tail = data[1].decode()
        assert f"RFC822.SIZE {len(msg)}" in tail and "INTERNALDATE" in tail and tail.endswith(")"), tail
        assert "\\Seen" not in flags_of(m, "1"), "BODY.PEEK[] must not set \\Seen"
        # RFC822 sets \Seen (RFC 3501 6.4.5), and the FLAGS it changed come in the same response.
        typ, data = m.fetch("1", "(RFC822)")
        assert typ == "OK" and data[0][1] == msg
        assert "\\Seen" in b" ".join(p if isinstance(p, bytes) else p[0] for p in data).decode()
        assert "\\Seen" in flags_of(m, "1")
        # A partial fetch of the same message is not streamed and still exact.
        typ, data = m.fetch("1", "(BODY.PEEK[]<1048570.100>)")
        assert typ == "OK" and data[0][1] == msg[1048570:1048670]
        typ, data = m.fetch("1", "(BODY.PEEK[TEXT])")
        assert typ == "OK" and data[0][1] == msg[msg.index(b"\r\n\r\n") + 4:]
        # Several large messages in one FETCH, between small ones.
        append(m, mbox, b"From: a@example.org\r\nSubject: small\r\n\r\nsmall\r\n")
        append(m, mbox, big_message(1500 * 1024, seed=9))
        typ, data = m.fetch("1:3", "(BODY.PEEK[])")
        bodies = [p[1] for p in data if isinstance(p, tuple)]
        assert bodies == [msg, b"From: a@example.org\r\nSubject: small\r\n\r\nsmall\r\n", big_message(1500 * 1024, 9)]
    finally:
        m.logout()


def test_streamed_message_with_nul_goes_out_as_0x80(raw, mbox):
    """A stored NUL (via a literal8 APPEND) is sent as 0x80 inside BODY[] (CHAR8 excludes NUL), as for
    small messages; the size stays the stored size."""
    payload = big_message(1200 * 1024, seed=3)
    msg = payload[:4000] + b"\x00" + payload[4001:]
    assert raw.command(f"c1 CREATE {quote(mbox)}").status == "OK"
    raw.send(f"c2 APPEND {quote(mbox)} ~{{{len(msg)}+}}\r\n".encode() + msg + b"\r\n")
    assert raw.read_until_tagged("c2").status == "OK"
    assert raw.command(f"c3 EXAMINE {quote(mbox)}").status == "OK"
    _, line = fetch_one(raw, "c4", 1, "(BODY.PEEK[])")
    v = item_value(line, "BODY[]")
    assert v is not None and v.form != "literal8" and len(v.data) == len(msg)
    assert v.data == msg.replace(b"\x00", b"\x80")
    _, line = fetch_one(raw, "c5", 1, "(BINARY.PEEK[])")
    assert item_value(line, "BINARY[]").data == msg, "BINARY[] must stay exact"


def test_streamed_fetch_of_message_expunged_by_another_session(server, mbox):
    """Session B expunges while A still shows the message: A's FETCH of it by sequence number still
    streams the whole message (RFC 2180 §4.1.1: readable until A is told), and once A has been told
    the message is gone for A. A has fetched it before (the server then remembers its file and holds
    it open), and a copy elsewhere keeps the content on disk."""
    msg = big_message(2 * 1024 * 1024)
    a = server.imaps()
    b = server.imaps()
    try:
        ok(a.create(quote(mbox)))
        ok(a.create(quote(mbox + "-copy")))
        append(a, mbox, msg)
        select(a, mbox)
        typ, data = a.fetch("1", "(BODY.PEEK[])")
        assert typ == "OK" and data[0][1] == msg
        select(b, mbox)
        ok(b.copy("1", quote(mbox + "-copy")))
        ok(b.store("1", "+FLAGS.SILENT", "(\\Deleted)"))
        ok(b.expunge())
        typ, data = a.fetch("1", "(BODY.PEEK[])")
        assert typ == "OK" and data[0][1] == msg
        typ, _ = a.noop()
        assert typ == "OK"
        typ, data = a.select(quote(mbox))
        assert typ == "OK" and data[0] == b"0"
        select(b, mbox + "-copy")
        typ, data = b.fetch("1", "(BODY.PEEK[]<1000000.5000>)")
        assert typ == "OK" and data[0][1] == msg[1000000:1005000]
    finally:
        a.logout()
        b.logout()


def test_partial_fetch_of_a_large_message_reads_its_range(server, mbox):
    """BODY[]<offset.length> of a message above 64 KB reads only the range (a client downloading a large
    message in pieces): every range must be exactly the message's bytes, also at and past its end, with
    other items in the same FETCH and with \\Seen set by BODY[] without PEEK."""
    msg = big_message(300 * 1024 + 3, seed=11)
    m = server.imaps()
    try:
        ok(m.create(quote(mbox)))
        append(m, mbox, msg)
        select(m, mbox)
        size = len(msg)
        for offset, length in [(0, 100), (65536, 4096), (size - 10, 100), (size, 5), (size + 1000, 5),
                               (1, size + 50), (123457, 1)]:
            typ, data = m.fetch("1", f"(BODY.PEEK[]<{offset}.{length}>)")
            assert typ == "OK", data
            head, body = data[0]
            assert body == msg[offset:offset + length], (offset, length, len(body))
            assert f"BODY[]<{offset}>".encode() in head, head
        # Pieces in a row give the whole message back.
        pieces = []
        for offset in range(0, size, 50_000):
            typ, data = m.uid("FETCH", "1", f"(RFC822.SIZE BODY.PEEK[]<{offset}.50000> FLAGS)")
            assert typ == "OK", data
            pieces.append(data[0][1])
            assert f"RFC822.SIZE {size}" in data[0][0].decode()
        assert b"".join(pieces) == msg
        assert "\\Seen" not in flags_of(m, "1")
        typ, data = m.fetch("1", "(BODY[]<200.300>)")
        assert typ == "OK" and data[0][1] == msg[200:500]
        assert "\\Seen" in flags_of(m, "1")
    finally:
        m.logout()


def test_search_in_a_large_body_finds_words_across_window_edges(server, mbox):
    """SEARCH BODY/TEXT folds and matches a large body a window (256 KB) at a time: a word that
    straddles a window's edge, one in non-ASCII text at an edge, and one at the very end are found;
    a word that is not there is not."""
    window = 256 * 1024
    head = (b"From: a@example.org\r\nSubject: windows\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
    filler = b"lorem ipsum dolor sit amet\r\n"
    body = bytearray()
    while len(body) < window - 5:
        body += filler
    del body[window - 5:]
    body += b"STRADDLE"  # bytes window-5 .. window+2
    while len(body) < 2 * window - 3:
        body += "Grüße ".encode()
    body += "ÉCLAIRÉ".encode()  # non-ASCII across the second edge (the window stretches to an ASCII byte)
    while len(body) < 3 * window:
        body += filler
    body += b"finalword\r\n"
    m = server.imaps()
    try:
        ok(m.create(quote(mbox)))
        append(m, mbox, head + bytes(body))
        select(m, mbox)
        for word, found in [("straddle", True), ("éclairé", True), ("FINALWORD", True), ("grüsse", True),
                            ("notthere", False), ("straddlex", False)]:
            for key in ("BODY", "TEXT"):
                # The word as a UTF-8 literal (imaplib sends `{n}` and the bytes after the continuation).
                m.literal = word.encode("utf-8")
                typ, data = m.uid("SEARCH", "CHARSET", "UTF-8", key)
                assert typ == "OK", data
                assert (data[0].split() == [b"1"]) == found, (key, word, data)
    finally:
        m.logout()


def _bytes_read_by(pid: int) -> int:
    """Bytes the process has read through read()/pread() so far (/proc/PID/io, rchar)."""
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            if line.startswith("rchar:"):
                return int(line.split()[1])
    raise AssertionError("no rchar in /proc/PID/io")


def _wait_until_reads_settle(pid: int, timeout: float = 60.0) -> None:
    """Waits until the process has read less than 1 MB in each of three half-second windows in a row
    (the indexer looks for new messages every quarter of a second)."""
    deadline = time.monotonic() + timeout
    last = _bytes_read_by(pid)
    calm = 0
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _bytes_read_by(pid)
        calm = calm + 1 if now - last < 1024 * 1024 else 0
        if calm == 3:
            return
        last = now
    raise AssertionError("the server kept reading for a minute after the APPEND")


@pytest.mark.postern
def test_streamed_fetch_stops_reading_when_the_client_leaves(server, mbox):
    """A client that closes its connection in the middle of a large message's literal: the server
    stops reading the message file instead of reading (and discarding) the rest of it."""
    size = 48 * 1024 * 1024
    msg = big_message(size, seed=11)
    m = server.imaps()
    try:
        ok(m.create(quote(mbox)))
        append(m, mbox, msg)
    finally:
        m.logout()
    pid = server.process.proc.pid
    # The search indexer reads the new message in the background; count only what the FETCH reads.
    _wait_until_reads_settle(pid)
    c = server.raw(login=True)
    c.command(f"s1 SELECT {quote(mbox)}")
    before = _bytes_read_by(pid)
    c.sendline("f1 UID FETCH 1 BODY.PEEK[]")
    got = b""
    deadline = time.monotonic() + 20
    while len(got) < 256 * 1024 and time.monotonic() < deadline:
        chunk = c.sock.recv(65536)
        assert chunk, "the server closed the connection before sending the message"
        got += chunk
    assert b"BODY[] {%d}" % len(msg) in got[:200], got[:200]
    c.close()
    # Let the server notice; whatever it still reads must be far less than the message.
    time.sleep(1.5)
    read = _bytes_read_by(pid) - before
    assert read < size // 2, f"the server read {read} bytes of a {size}-byte message for a client that left"
    # And it still serves everyone else.
    m = server.imaps()
    try:
        typ, data = m.select(quote(mbox))
        assert typ == "OK" and data == [b"1"], (typ, data)
    finally:
        m.logout()
