"""STARTTLS over the cleartext listener, including command injection (CVE-2011-0411 class)."""
from __future__ import annotations

import ssl

import pytest

from rawimap import RawIMAP


def test_starttls_capability_changes(server):
    c = server.raw(tls=False)
    before = c.command("c1 CAPABILITY").untagged_of("CAPABILITY")[0].text.upper().split()
    assert "STARTTLS" in before
    c.starttls("c2", cafile=server.cafile)
    after = c.command("c3 CAPABILITY").untagged_of("CAPABILITY")[0].text.upper().split()
    assert "STARTTLS" not in after and "LOGINDISABLED" not in after and "AUTH=PLAIN" in after, after
    c.login(server.user, server.password)
    c.close()


def _handshake_after_injection(server, c):
    """Postern's contract: the pipelined bytes are discarded and TLS proceeds.
    Dovecot instead drops the connection (also safe: nothing is executed)."""
    try:
        c.wrap_tls(cafile=server.cafile)  # raises if any cleartext answer followed "a OK"
        return True
    except (ssl.SSLError, ConnectionError, OSError) as e:
        if server.external:
            return False
        raise AssertionError(f"TLS handshake after STARTTLS with pipelined bytes failed: {e!r}")


def test_starttls_injection_not_executed(server):
    c = server.raw(tls=False)
    c.send(b"a STARTTLS\r\nb CAPABILITY\r\n")
    r = c.read_until_tagged("a")
    assert r.status == "OK", r
    # anything beyond "a OK" in cleartext would be the injected command's answer
    if not _handshake_after_injection(server, c):
        return
    r = c.command("c NOOP")
    assert r.status == "OK", r
    tags = [l.tag for l in r.lines]
    assert "b" not in tags, f"injected command was answered: {r}"
    assert not r.untagged_of("CAPABILITY"), f"injected CAPABILITY was executed: {r}"
    assert c.expect_silence(1.0) == b"", "unexpected trailing data"
    c.close()


def test_starttls_injection_of_login_not_executed(server):
    c = server.raw(tls=False)
    c.send(f'a STARTTLS\r\nb LOGIN "{server.user}" "{server.password}"\r\n'.encode())
    assert c.read_until_tagged("a").status == "OK"
    if not _handshake_after_injection(server, c):
        return
    r = c.command("c SELECT INBOX")
    assert r.status == "BAD", f"session must still be unauthenticated: {r}"
    assert "b" not in [l.tag for l in r.lines]
    c.close()


def test_starttls_twice_refused(server):
    c = server.raw(tls=False)
    c.starttls("a", cafile=server.cafile)
    r = c.command("b STARTTLS")
    assert r.status in ("BAD", "NO"), r
    c.close()


def test_starttls_on_imaps_refused(server):
    c = server.raw(tls=True)
    r = c.command("a STARTTLS")
    assert r.status in ("BAD", "NO"), r
    assert c.command("b NOOP").status == "OK"
    c.close()


def test_starttls_after_login_refused(server):
    """On the cleartext port login is impossible before TLS; on IMAPS STARTTLS is refused anyway."""
    c = server.raw(tls=True, login=True)
    r = c.command("a STARTTLS")
    assert r.status in ("BAD", "NO"), r
    c.close()
