"""Hostile or broken input over TLS: always an answer (BAD/NO/BYE) or a close, never a hang,
and the server keeps serving other connections."""
from __future__ import annotations

import socket
import ssl
import time

import pytest

from rawimap import ConnectionClosed, RawIMAP


def still_serving(server):
    c = server.raw(login=True)
    assert c.command("h1 NOOP").status == "OK"
    c.close()


def answered_or_closed(c, tag, timeout=15):
    """Return the Response, or None if the server closed the connection (acceptable)."""
    try:
        return c.read_until_tagged(tag, timeout=timeout)
    except ConnectionClosed:
        return None


def test_overlong_line(server):
    c = server.raw()
    try:
        c.send(b"a1 NOOP " + b"x" * 200_000)
        c.send(b"\r\n")
        r = answered_or_closed(c, "a1")
        assert r is None or r.status in ("BAD", "NO") or r.bye(), r
    except (ConnectionClosed, BrokenPipeError, ConnectionResetError, ssl.SSLError):
        pass
    c.close()
    still_serving(server)


def test_overlong_line_never_terminated(server):
    """A client streaming a line without CRLF must be cut off, not buffered forever."""
    c = server.raw()
    closed = False
    try:
        for _ in range(200):  # up to 20 MB
            c.send(b"y" * 100_000)
    except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
        # The server closed the connection. (A send that times out because the server stopped
        # reading without closing is not caught: that is the hang this test looks for.)
        closed = True
    if not closed:
        got = c.expect_silence(5)
        assert b"BAD" in got or b"BYE" in got or got == b"" and _is_closed(c), got[:200]
    c.close()
    still_serving(server)


def _is_closed(c):
    try:
        c.sock.settimeout(3)
        return c.sock.recv(1) == b""
    except (OSError, ssl.SSLError):
        return True


def test_huge_literal_refused_without_continuation(server):
    c = server.raw()
    c.sendline(b"a1 LOGIN {999999999}")
    try:
        r = c.read_until_tagged("a1", timeout=10, stop_at_continuation=True)
    except ConnectionClosed:
        r = None
    if r is not None:
        assert r.continuation is None, f"server invited a 1 GB literal: {r}"
        assert r.status in ("NO", "BAD") or r.bye(), r
    c.close()
    still_serving(server)


@pytest.mark.postern  # Dovecot answers "+ OK" and would read 4 GB
def test_huge_literal_append_refused(server, mbox):
    c = server.raw(login=True)
    assert c.command(f"a0 CREATE {mbox}").status == "OK"
    c.sendline(f"a1 APPEND {mbox} {{4000000000}}".encode())
    try:
        r = c.read_until_tagged("a1", timeout=10, stop_at_continuation=True)
        assert r.continuation is None, f"server invited a 4 GB literal: {r}"
        assert r.status in ("NO", "BAD") or r.bye(), r
    except ConnectionClosed:
        pass
    c.close()
    still_serving(server)


@pytest.mark.parametrize("line", [
    b"a1",
    b"a1 LOGIN",
    b"a1 LOGIN onlyuser",
    b'a1 LOGIN "unterminated',
    b"a1 LOGIN a b c d",
    b"a1 CAPABILITY (",
    b"a1 \xff\xfe\xfd",
    b"a1 LOGIN {abc}",
    b"a1 LOGIN {-1}",
    b"a1 SELECT",
    b"a1 " + b"(" * 5000,
    b"a1 AUTHENTICATE",
])
def test_malformed_commands_preauth(server, line):
    c = server.raw()
    c.sendline(line)
    r = answered_or_closed(c, "a1")
    assert r is None or r.status in ("BAD", "NO") or r.bye(), r
    if r is not None and not r.bye():
        try:
            r2 = c.command("a2 NOOP")
            assert r2.status == "OK" or r2.bye(), r2  # giving up on a bad client is acceptable
        except ConnectionClosed:
            pass
    c.close()


@pytest.mark.parametrize("line", [
    b"a1 FETCH",
    b"a1 FETCH 1",
    b"a1 FETCH x (FLAGS)",
    b"a1 FETCH 1:2:3 (FLAGS)",
    b"a1 FETCH 0 (FLAGS)",
    b"a1 FETCH 1 (FLAGS",
    b"a1 FETCH 1 (BODY[)",
    b"a1 FETCH 1 (BODY.PEEK[]<1.2.3>)",
    b"a1 FETCH 1 (BODY.PEEK[]<99999999999999999999.1>)",
    b"a1 STORE 1 +FLAGS (\\Seen",
    b"a1 SEARCH (",
    b"a1 SEARCH OR SEEN",
    b"a1 SEARCH LARGER notanumber",
    b"a1 SEARCH UID 1:*:*",
    b"a1 SEARCH " + b"(" * 10000,
    b"a1 COPY 1",
    b"a1 UID",
    b"a1 UID FROB 1",
    b"a1 APPEND",
    b'a1 APPEND INBOX (\\Seen) "not a date" {1+}\r\nx',
    b"a1 STATUS INBOX",
    b"a1 STATUS INBOX (NOSUCHITEM)",
    b"a1 LIST",
    b"a1 CREATE",
    b"a1 RENAME onlyone",
])
def test_malformed_commands_selected(server, mbox, line):
    c = server.raw(login=True)
    assert c.command(f"s0 CREATE {mbox}").status == "OK"
    r = c.command_with_literal("s1", f"APPEND {mbox}", b"Subject: x\r\n\r\nx\r\n")
    assert c.command(f"s2 SELECT {mbox}").status == "OK"
    c.sendline(line)
    r = answered_or_closed(c, "a1")
    assert r is None or r.status in ("BAD", "NO") or r.bye(), f"{line[:60]!r}: {r}"
    if r is not None and not r.bye():
        assert c.command("a2 NOOP").status == "OK"
    c.close()


@pytest.mark.postern  # Dovecot accepts all of these leniently
@pytest.mark.parametrize("line", [
    b"a1 NOOP extra args",
    b"a1 STORE 1 +FLAGS",
    b'a1 ID ("key")',
    b"a1 ENABLE",
])
def test_strict_syntax_selected(server, mbox, line):
    c = server.raw(login=True)
    assert c.command(f"s0 CREATE {mbox}").status == "OK"
    c.command_with_literal("s1", f"APPEND {mbox}", b"Subject: x\r\n\r\nx\r\n")
    assert c.command(f"s2 SELECT {mbox}").status == "OK"
    r = c.command(line)
    assert r.status == "BAD", f"{line!r}: {r}"
    assert c.command("a2 NOOP").status == "OK"
    c.close()


def test_deeply_nested_search_bounded(server, mbox):
    """10000 nested NOTs is valid syntax: answer it or refuse it, but quickly and without dying."""
    c = server.raw(login=True)
    assert c.command(f"s0 CREATE {mbox}").status == "OK"
    assert c.command(f"s2 SELECT {mbox}").status == "OK"
    t0 = time.monotonic()
    c.sendline(b"a1 SEARCH " + b"NOT " * 10000 + b"ALL")
    r = answered_or_closed(c, "a1")
    assert r is None or r.status in ("OK", "NO", "BAD") or r.bye(), r
    assert time.monotonic() - t0 < 10
    c.close()
    still_serving(server)


def test_empty_line_and_bad_tag(server):
    c = server.raw()
    c.send(b"\r\n")
    c.sendline(b"* NOOP")
    c.sendline(b"+ NOOP")
    c.sendline(b"z1 NOOP")
    r = answered_or_closed(c, "z1")
    assert r is None or r.status == "OK" or r.bye(), r
    c.close()
    still_serving(server)


def _refused_handshake(server, data: bytes) -> bytes:
    """Send `data` instead of a TLS ClientHello; return what the server sent until it closed the
    connection (a reset counts as closing). Keeping the connection open fails."""
    s = socket.create_connection((server.host, server.imaps_port), timeout=10)
    got = b""
    try:
        s.sendall(data)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = s.recv(4096)
            except ConnectionResetError:
                return got
            except (socket.timeout, TimeoutError):
                break
            if not chunk:
                return got
            got += chunk
    finally:
        s.close()
    pytest.fail(f"the server kept the connection open after a broken handshake; it sent {got[:100]!r}")


def _at_most_a_tls_alert(got: bytes) -> bool:
    """Nothing, or TLS alert records only (content type 21)."""
    while got:
        if len(got) < 5 or got[0] != 0x15:
            return False
        got = got[5 + int.from_bytes(got[3:5], "big"):]
    return True


def test_plaintext_on_tls_port(server):
    got = _refused_handshake(server, b"a1 CAPABILITY\r\n")
    assert _at_most_a_tls_alert(got), f"server answered something other than a TLS alert: {got[:100]!r}"
    still_serving(server)


def test_tls_garbage_handshake(server):
    got = _refused_handshake(server, b"\x16\x03\x01\x00\x05garbage" + bytes(range(256)) * 4)
    assert _at_most_a_tls_alert(got), got[:100]
    still_serving(server)


def test_many_idle_connections_do_not_block(server):
    socks = [socket.create_connection((server.host, server.imaps_port), timeout=10) for _ in range(30)]
    try:
        t0 = time.monotonic()
        still_serving(server)
        assert time.monotonic() - t0 < 10
    finally:
        for s in socks:
            s.close()


def test_abrupt_disconnect_mid_command(server, mbox):
    c = server.raw(login=True)
    assert c.command(f"d0 CREATE {mbox}").status == "OK"
    c.sendline(f"d1 APPEND {mbox} {{100}}".encode())
    c.read_until_tagged("d1", stop_at_continuation=True)
    c.send(b"Subject: half")
    c.close()
    time.sleep(0.3)
    m = server.imaps()
    typ, dat = m.status(mbox, "(MESSAGES)")
    assert typ == "OK" and b"MESSAGES 0" in dat[0], dat
    m.logout()


def test_failed_logins_delayed_but_bounded(server):
    c = server.raw()
    t0 = time.monotonic()
    statuses = []
    for i in range(3):
        try:
            r = c.command(f"f{i} LOGIN \"{server.user}\" \"bad{i}\"", timeout=30)
        except ConnectionClosed:
            break
        statuses.append(r.status)
        if r.bye():
            break
    assert statuses and all(s in ("NO", None) for s in statuses), statuses
    # Postern: about 1 s per failure; Dovecot doubles its penalty per failure (up to 15 s)
    assert time.monotonic() - t0 < (60 if server.external else 8)
    c.close()
    still_serving(server)
