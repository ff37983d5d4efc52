"""IDLE keepalive (RFC 2177 + NAT timeouts) and UTF8=ACCEPT (RFC 6855) against a real server."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest

from conftest import ALICE, ALICE_PW, PosternProcess, add_user
from rawimap import RawIMAP

pytestmark = pytest.mark.postern


@pytest.fixture(scope="module")
def fast_keepalive_server():
    """A server of its own whose idle keepalive comes every second (config file `idle_keepalive = 1`)."""
    with tempfile.TemporaryDirectory(prefix="postern-keepalive-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        add_user(data, ALICE, ALICE_PW)
        config = Path(tmp) / "postern.toml"
        config.write_text("idle_keepalive = 1\n")
        proc = PosternProcess(data, extra_args=["--config", str(config)])
        try:
            ports = proc.wait_ready()
            yield ports["imaps"], str(data / "tls" / "cert.pem")
        finally:
            proc.stop()


def test_idle_keepalive_lines(fast_keepalive_server):
    port, cafile = fast_keepalive_server
    c = RawIMAP.connect_tls("127.0.0.1", port, cafile=cafile, timeout=10)
    try:
        c.login(ALICE, ALICE_PW)
        assert c.command("s1 SELECT INBOX").status == "OK"
        c.sendline("i1 IDLE")
        assert c.read_line(timeout=5).text.startswith("+")
        started = time.monotonic()
        seen = []
        while len(seen) < 2 and time.monotonic() - started < 8:
            line = c.read_line(timeout=5)
            if line.text.startswith("* OK"):
                seen.append(line.text)
        assert len(seen) == 2, seen
        assert all("Still here" in s for s in seen), seen
        c.sendline("DONE")
        assert c.read_until_tagged("i1", timeout=5).status == "OK"
    finally:
        c.close()


def test_utf8_accept_names_and_append(server, mbox):
    c = server.raw(login=True)
    try:
        caps = c.command("c1 CAPABILITY")
        assert "UTF8=ACCEPT" in caps.texts()[0].split(), caps
        r = c.command("e1 ENABLE UTF8=ACCEPT")
        assert any(l.text == "* ENABLED UTF8=ACCEPT" for l in r.untagged), r
        name = f"{mbox}-Grüße"
        assert c.command(f'c2 CREATE "{name}"'.encode()).status == "OK"
        listed = c.command(f'l1 LIST "" "{mbox}-*"'.encode())
        assert any(f'"{name}"'.encode() in l.raw for l in listed.untagged), listed
        # RFC 6855 §4: append-data =/ "UTF8" SP "(" literal8 ")"
        body = "Subject: Grüße\r\nFrom: a@example.org\r\n\r\nHallo\r\n".encode()
        c.send(f'a1 APPEND "{name}" UTF8 (~{{{len(body)}}}\r\n'.encode())
        assert c.read_line(timeout=5).text.startswith("+")
        c.send(body + b")\r\n")
        r = c.read_until_tagged("a1", timeout=10)
        assert r.status == "OK" and "APPENDUID" in (r.code or ""), r
        assert c.command(f'x1 EXAMINE "{name}"'.encode()).status == "OK"
        r = c.command("f1 FETCH 1 (RFC822.SIZE)")
        assert f"RFC822.SIZE {len(body)}" in r.untagged_of("FETCH")[0].text, r
    finally:
        c.close()


def test_modified_utf7_without_enable(server, mbox):
    """A client that did not enable UTF8=ACCEPT keeps getting modified UTF-7 (RFC 3501 §5.1.3)."""
    c = server.raw(login=True)
    try:
        name = f"{mbox}-&AOQ-"  # "ä" in modified UTF-7
        assert c.command(f"c1 CREATE {name}").status == "OK"
        listed = c.command(f'l1 LIST "" "{mbox}-*"')
        assert any(name.encode() in l.raw for l in listed.untagged), listed
    finally:
        c.close()
