"""COMPRESS=DEFLATE (RFC 4978) against the live server, over IMAPS and after STARTTLS, with a zlib
client layer (deflatesocket.py): commands and answers both ways, [COMPRESSIONACTIVE], BAD for unknown
algorithms and before login, input pipelined behind the command, the bytes a FETCH of text mail
saves, and a decompression bomb that the server takes without growing or falling over."""
from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from deflatesocket import DeflateSocket, start_compression
from exthelpers import capabilities, quote, raw_session
from rawimap import ConnectionClosed

CORPUS = Path(__file__).resolve().parent.parent / "mime-diff" / "messages"


def append_literal(c, tag: str, mbox: str, msg: bytes):
    c.send(f"{tag} APPEND {quote(mbox)} {{{len(msg)}+}}\r\n".encode() + msg + b"\r\n")
    return c.read_until_tagged(tag)


def exercise(c, mbox: str) -> None:
    """A compressed session's ordinary work: every answer must inflate and parse."""
    assert "COMPRESS=DEFLATE" in capabilities(c)
    assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
    msg = b"Subject: deflated\r\nFrom: a@example.org\r\n\r\n" + b"line of text\r\n" * 500
    assert append_literal(c, "a1", mbox, msg).status == "OK"
    assert c.command(f"s1 SELECT {quote(mbox)}").status == "OK"
    r = c.command("f1 FETCH 1 (BODY.PEEK[])")
    assert r.status == "OK", r
    fetched = [l for l in r.untagged_of("FETCH")]
    assert fetched and fetched[0].literals == [msg], r
    r = c.command("z2 COMPRESS DEFLATE")
    assert r.status == "NO" and r.code == "COMPRESSIONACTIVE", r
    r = c.command("l1 LOGOUT")
    assert r.status == "OK" and r.bye, r


def test_capability_only_after_login(server):
    c = server.raw(login=False)
    try:
        assert "COMPRESS=DEFLATE" not in capabilities(c)
        r = c.command("z0 COMPRESS DEFLATE")
        assert r.status == "BAD", r
        c.login(server.user, server.password)
        assert "COMPRESS=DEFLATE" in capabilities(c)
    finally:
        c.close()


def test_compress_over_imaps(server, mbox):
    c = raw_session(server)
    try:
        layer = start_compression(c)
        exercise(c, mbox)
        assert layer.wire_received < layer.plain_received
    finally:
        c.close()


def test_compress_after_starttls(server, mbox):
    c = server.raw(tls=False)
    try:
        c.starttls(cafile=server.cafile)
        c.login(server.user, server.password)
        start_compression(c)
        exercise(c, mbox)
    finally:
        c.close()


def test_unknown_algorithm_is_bad_and_leaves_compression_off(server):
    c = raw_session(server)
    try:
        r = c.command("z0 COMPRESS X-LZ4")
        assert r.status == "BAD", r
        assert c.command("n0 NOOP").status == "OK"
        start_compression(c, "z1")
        assert c.command("n1 NOOP").status == "OK"
    finally:
        c.close()


def test_input_pipelined_behind_compress_is_inflated(server):
    """A client that does not wait for the OK (RFC 4978 says it should) still gets its next command
    read through the new layer, not as cleartext."""
    c = raw_session(server)
    try:
        layer = DeflateSocket(c.sock)
        c.sock.sendall(b"z1 COMPRESS DEFLATE\r\n" + layer.compress(b"n1 NOOP\r\n"))
        ok = c.read_until_tagged("z1")
        assert ok.status == "OK", ok
        assert not c.buf
        c.sock = layer
        r = c.read_until_tagged("n1")
        assert r.status == "OK", r
    finally:
        c.close()


def text_messages(limit: int) -> list[bytes]:
    out = []
    for path in sorted(CORPUS.glob("*.eml")):
        data = path.read_bytes()
        head = data[:4096].lower()
        if b"content-type: text/plain" in head or b"content-type:" not in head:
            out.append(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        if len(out) == limit:
            break
    return out


def test_fetch_of_text_mail_takes_fewer_bytes_on_the_wire(server, mbox):
    msgs = text_messages(40)
    assert len(msgs) >= 20
    c = raw_session(server)
    try:
        assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
        for i, m in enumerate(msgs):
            assert append_literal(c, f"a{i}", mbox, m).status == "OK"
        assert c.command(f"s1 EXAMINE {quote(mbox)}").status == "OK"
        plain = c.command("f1 FETCH 1:* (BODY.PEEK[])")
        assert plain.status == "OK"
        layer = start_compression(c)
        before = layer.wire_received
        r = c.command("f2 FETCH 1:* (BODY.PEEK[])")
        assert r.status == "OK"
        assert [l.literals for l in r.untagged_of("FETCH")] == [l.literals for l in plain.untagged_of("FETCH")]
        wire = layer.wire_received - before
        total = sum(len(l.raw) for l in plain.lines)
        # Text mail compresses to well under three quarters (about 45 % on this corpus).
        assert wire < 0.75 * total, (wire, total)
    finally:
        c.close()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_decompression_bomb_is_read_as_slowly_as_it_is_parsed(server):
    """64 MB of one line, sent as about 64 KB of deflate: the server inflates it a chunk at a time,
    finds the line too long, says BYE and closes; it does not grow by the inflated size."""
    c = raw_session(server)
    try:
        start_compression(c)
        pid = server.process.proc.pid if server.process else None
        before = rss_kb(pid) if pid else 0
        bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
        wire = bomb.compress(b"x" * (64 * 1024 * 1024)) + bomb.flush(zlib.Z_SYNC_FLUSH)
        assert len(wire) < 256 * 1024
        try:
            c.sock.send_raw(wire)
            c.sock.send_raw(bomb.compress(b"\r\n") + bomb.flush(zlib.Z_SYNC_FLUSH))
        except OSError:
            pass  # the server may close before it has read it all
        got_bye = False
        try:
            while True:
                line = c.read_line(timeout=20)
                if line.status == "BYE":
                    got_bye = True
        except ConnectionClosed:
            pass
        assert got_bye, c.dump()
        if pid:
            assert rss_kb(pid) - before < 32 * 1024, (before, rss_kb(pid))
    finally:
        c.close()
    # The server is still there.
    c2 = raw_session(server)
    try:
        assert c2.command("n1 NOOP").status == "OK"
    finally:
        c2.close()
