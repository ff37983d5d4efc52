"""Connection and session limits of a real `postern serve` (Postern only): connections past the per-address and
total limits are greeted with BYE (over TLS), logins past the per-account-and-address limit get BYE [LIMIT] and
NO [LIMIT], and sessions already open are not disturbed."""
from __future__ import annotations

import socket
import time

import pytest

from helpers import connect_from, own_server

pytestmark = pytest.mark.postern

USER, PASSWORD = "limited", "limited-pw 1"


@pytest.fixture
def limited(tmp_path):
    config = ("max_connections = 6\nmax_connections_per_address = 3\nmax_sessions_per_account_address = 2\n"
              "idle_timeout_preauth = 10\n")
    with own_server(tmp_path, {USER: PASSWORD}, config) as (p, port, _, cafile):
        yield p, port, cafile


def test_connection_limits(limited):
    p, port, cafile = limited
    held = [connect_from("127.0.0.1", port, cafile) for _ in range(3)]
    try:
        assert all(c.greeting.raw.startswith(b"* OK") for c in held)
        with connect_from("127.0.0.1", port, cafile) as extra:
            assert extra.greeting.raw.startswith(b"* BYE Too many connections from your address (3)"), extra.greeting
        held += [connect_from("127.0.0.2", port, cafile) for _ in range(3)]
        assert all(c.greeting.raw.startswith(b"* OK") for c in held)
        with connect_from("127.0.0.3", port, cafile) as extra:
            assert extra.greeting.raw.startswith(b"* BYE Too many connections to this server (6)"), extra.greeting
        # The connections already open still work, and a closed one frees its place.
        assert all(c.command(f"n{i} NOOP").status == "OK" for i, c in enumerate(held))
        held.pop().command("z LOGOUT")
        deadline = time.monotonic() + 5
        while True:  # the server frees the place once it has seen the close
            c = connect_from("127.0.0.3", port, cafile)
            if c.greeting.raw.startswith(b"* OK") or time.monotonic() > deadline:
                break
            c.close()
            time.sleep(0.05)
        held.append(c)
        assert c.greeting.raw.startswith(b"* OK"), c.greeting
    finally:
        for c in held:
            c.close()
    assert "connection refused" in p.output()


def test_session_limit_per_account_and_address(limited):
    p, port, cafile = limited
    first, second = connect_from("127.0.0.1", port, cafile), connect_from("127.0.0.1", port, cafile)
    try:
        assert first.login(USER, PASSWORD).status == "OK"
        assert second.login(USER, PASSWORD).status == "OK"
        with connect_from("127.0.0.1", port, cafile) as third:
            resp = third.command(f'L1 LOGIN "{USER}" "{PASSWORD}"')
            assert resp.status == "NO" and resp.code == "LIMIT", resp
            assert any(l.raw.startswith(b"* BYE [LIMIT]") for l in resp.untagged), resp
        with connect_from("127.0.0.2", port, cafile) as elsewhere:
            assert elsewhere.login(USER, PASSWORD).status == "OK"
        assert first.command("x1 LOGOUT").bye
        with connect_from("127.0.0.1", port, cafile) as again:
            assert again.login(USER, PASSWORD).status == "OK"
        assert second.command("n1 NOOP").status == "OK"
    finally:
        first.close()
        second.close()


def test_client_that_never_starts_tls_is_closed_after_the_preauth_timeout(limited):
    """A client that opens the IMAPS port and never sends its ClientHello is closed after idle_timeout_preauth,
    while another client is served meanwhile."""
    p, port, cafile = limited
    silent = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=("127.0.0.4", 0))
    try:
        start = time.monotonic()
        with connect_from("127.0.0.5", port, cafile) as canary:
            assert canary.login(USER, PASSWORD).status == "OK"
            assert canary.command("c1 NOOP").status == "OK"
        silent.settimeout(30)
        assert silent.recv(1024) == b"", "the server sent something to a client that never began TLS"
        took = time.monotonic() - start
        assert 9 <= took <= 20, took
    finally:
        silent.close()
