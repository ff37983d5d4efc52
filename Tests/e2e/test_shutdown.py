"""Graceful shutdown of a real `postern serve` (Postern only): SIGTERM says BYE to every session and
the process exits 0 well before the grace period runs out when no command is in progress."""
from __future__ import annotations

import signal
import time

import pytest

from conftest import PosternProcess, add_user
from rawimap import ConnectionClosed, RawIMAP

pytestmark = pytest.mark.postern

USER, PASSWORD = "sigterm-user", "sigterm-pw 1"


def _read_until_closed(c: RawIMAP, within: float) -> bytes:
    got = b""
    deadline = time.monotonic() + within
    while True:
        try:
            got += c.read_line(timeout=max(0.05, deadline - time.monotonic())).raw
        except ConnectionClosed:
            return got
        except TimeoutError:
            raise AssertionError(f"the connection was not closed within {within} s; got {got!r}") from None


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_says_bye_to_idle_sessions_and_exits_0(tmp_path, sig):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, USER, PASSWORD)
    p = PosternProcess(data)
    clients: list[RawIMAP] = []
    try:
        ports = p.wait_ready()
        cafile = str(data / "tls" / "cert.pem")
        quiet = RawIMAP.connect_tls("127.0.0.1", ports["imaps"], cafile=cafile, timeout=20)
        clients.append(quiet)
        quiet.login(USER, PASSWORD)
        assert quiet.command("s1 SELECT INBOX").status == "OK"
        idling = RawIMAP.connect_tls("127.0.0.1", ports["imaps"], cafile=cafile, timeout=20)
        clients.append(idling)
        idling.login(USER, PASSWORD)
        assert idling.command("s1 SELECT INBOX").status == "OK"
        idling.sendline("i1 IDLE")
        assert idling.read_line().raw.startswith(b"+"), "IDLE was not accepted"

        started = time.monotonic()
        p.proc.send_signal(sig)
        for c in (quiet, idling):
            sent = _read_until_closed(c, within=5)
            assert sent.startswith(b"* BYE"), sent
            # As a client does after BYE (the server's TLS layer waits a while for it otherwise).
            c.close()
        rc = p.proc.wait(5)
        took = time.monotonic() - started
        assert rc == 0, f"exit status {rc}\n" + p.output()
        # Nothing was in progress: no wait for the grace period (10 s).
        assert took < 5, f"shutdown took {took:.1f} s\n" + p.output()
    finally:
        for c in clients:
            c.close()
        p.stop()
    out = p.output()
    assert "shutting down" in out, out
    assert "mail store closed" in out, out
