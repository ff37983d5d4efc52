"""TLS session resumption: a reconnecting client presents the ticket it was given and skips the full handshake
(no certificate, no signature). Ticket keys live in the server's memory only, so a restarted server does
a full handshake again, and a client whose ticket it cannot use still gets in."""
from __future__ import annotations

import socket
import ssl

from conftest import PosternProcess
from helpers import own_server
from rawimap import RawIMAP, make_context


def _session_of(host: str, port: int, ctx: ssl.SSLContext, user: str, password: str,
                session: ssl.SSLSession | None = None) -> tuple[ssl.SSLSession, bool, str]:
    """Connects (offering `session` when given), logs in, selects INBOX, logs out. Returns the session to
    offer next time (tickets arrive after the handshake: read once a command has been answered), whether this
    handshake resumed, and the TLS version."""
    raw = socket.create_connection((host, port), timeout=20)
    try:
        c = RawIMAP(ctx.wrap_socket(raw, server_hostname=host, session=session), 20)
    except Exception:
        raw.close()
        raise
    try:
        c.greeting = c.read_line()
        c.login(user, password)
        r = c.command("s1 SELECT INBOX")
        assert r.status == "OK", r
        reused, version = c.sock.session_reused, c.sock.version()
        r = c.command("s2 LOGOUT")
        assert r.status == "OK", r
        new_session = c.sock.session
    finally:
        c.close()
    assert new_session is not None
    return new_session, reused, version


def test_reconnect_resumes_the_session(server):
    ctx = make_context(server.cafile)
    first, reused, version = _session_of(server.host, server.imaps_port, ctx, server.user, server.password)
    assert not reused, "the first connection has no session to resume"
    assert version == "TLSv1.3"
    assert first.has_ticket, "the server sends a session ticket"
    again, reused, _ = _session_of(server.host, server.imaps_port, ctx, server.user, server.password, first)
    assert reused, "a reconnect with the ticket skips the full handshake"
    # A resumed connection gets tickets of its own, good for the next reconnect.
    _, reused, _ = _session_of(server.host, server.imaps_port, ctx, server.user2, server.password2, again)
    assert reused


def test_tls12_reconnect_resumes_too(server):
    ctx = make_context(server.cafile)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    first, reused, version = _session_of(server.host, server.imaps_port, ctx, server.user, server.password)
    assert version == "TLSv1.2" and not reused
    _, reused, _ = _session_of(server.host, server.imaps_port, ctx, server.user, server.password, first)
    assert reused


def test_a_restarted_server_does_a_full_handshake(tmp_path):
    users = {"carol": "carol-secret-1"}
    with own_server(tmp_path, users) as (process, port, _, cafile):
        ctx = make_context(cafile)
        ticket, _, _ = _session_of("127.0.0.1", port, ctx, "carol", "carol-secret-1")
        _, reused, _ = _session_of("127.0.0.1", port, ctx, "carol", "carol-secret-1", ticket)
        assert reused
        data_dir = process.data_dir
    # Same data folder and certificate, new process: the ticket keys were never written anywhere.
    restarted = PosternProcess(data_dir, [])
    try:
        port = restarted.wait_ready()["imaps"]
        _, reused, _ = _session_of("127.0.0.1", port, ctx, "carol", "carol-secret-1", ticket)
        assert not reused, "a ticket from before the restart is not accepted (full handshake, login works)"
    finally:
        restarted.stop()
