"""`postern deliver` (an MTA's pipe transport) on a data folder with and without a running server: the
message lands durably with its trace headers, a session IDLEing on the mailbox is told before the command
returns, and each failure has its sysexits status."""
from __future__ import annotations

import subprocess

import imapclient
import pytest

from conftest import ALICE, ALICE_PW, BOB, BOB_PW, POSTERN_BIN, add_user, run_cli
from helpers import bodies, own_server
from rawimap import make_context

pytestmark = pytest.mark.postern


def deliver(data, *args: str, message: bytes = b"Subject: piped\n\nbody\n", config=None) -> subprocess.CompletedProcess:
    cmd = [POSTERN_BIN, "deliver", "--data-dir", str(data), *args]
    if config:
        cmd += ["--config", str(config)]
    return subprocess.run(cmd, input=message, capture_output=True, timeout=60)



def test_deliver_while_serving_reaches_an_idle_session(tmp_path):
    with own_server(tmp_path, {ALICE: ALICE_PW, BOB: BOB_PW}) as (p, port, _, cafile):
        c = imapclient.IMAPClient("127.0.0.1", port, ssl=True, ssl_context=make_context(cafile), timeout=30)
        c.login(ALICE, ALICE_PW)
        c.select_folder("INBOX")
        c.idle()
        r = deliver(p.data_dir, "-r", f"{ALICE}@example.test", "-f", "sender@remote.test")
        assert r.returncode == 0, r.stderr
        # Told before `deliver` returned: the first check already holds the EXISTS.
        responses = c.idle_check(timeout=2)
        c.idle_done()
        c.logout()
        assert any(x[1] == b"EXISTS" for x in responses), responses
        [stored] = bodies(port, cafile, ALICE, ALICE_PW)
        assert stored == (b"Return-Path: <sender@remote.test>\r\nDelivered-To: alice@example.test\r\n"
                          b"Subject: piped\r\n\r\nbody\r\n")


def test_deliver_without_a_server_then_serve(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    mbox_line = b"From someone@remote.test Sat Dec  5 10:00:00 2026\n"
    r = deliver(data, "-r", ALICE, "-m", "Archive", message=mbox_line + b"Subject: a\r\n\r\nmixed\nends\r\n")
    assert r.returncode == 0, r.stderr
    r = deliver(data, "-r", f"{ALICE}+Sent", message=b"Subject: b\n\nx\n")
    assert r.returncode == 0, r.stderr
    r = deliver(data, "-r", ALICE, "-m", "No/Such/Folder", message=b"Subject: c\n\nx\n")
    assert r.returncode == 0, r.stderr
    with _serve(data) as (port, cafile):
        [archived] = bodies(port, cafile, ALICE, ALICE_PW, "Archive")
        assert archived.startswith(b"Return-Path: <someone@remote.test>\r\n")
        assert archived.endswith(b"Subject: a\r\n\r\nmixed\r\nends\r\n")
        assert len(bodies(port, cafile, ALICE, ALICE_PW, "Sent")) == 1
        assert len(bodies(port, cafile, ALICE, ALICE_PW)) == 1


class _serve:
    """`postern serve` on an existing data folder."""

    def __init__(self, data):
        from conftest import PosternProcess
        self.process = PosternProcess(data, [])
        self.data = data

    def __enter__(self):
        ports = self.process.wait_ready()
        return ports["imaps"], str(self.data / "tls" / "cert.pem")

    def __exit__(self, *exc):
        self.process.stop()


def test_exit_statuses(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    r = deliver(data, "-r", "nobody")
    assert r.returncode == 67 and b"no such user" in r.stderr
    assert run_cli("user", "quota", ALICE, "--messages", "1", "--data-dir", str(data)).returncode == 0
    assert deliver(data, "-r", ALICE).returncode == 0
    r = deliver(data, "-r", ALICE)
    assert r.returncode == 73 and b"over quota" in r.stderr
    config = tmp_path / "postern.toml"
    config.write_text('max_message_size = 100\nlocal_domains = ["example.test"]\n')
    r = deliver(data, "-r", f"{ALICE}@other.test", config=config)
    assert r.returncode == 67
    assert run_cli("user", "quota", ALICE, "--default", "--data-dir", str(data)).returncode == 0
    r = deliver(data, "-r", ALICE, config=config, message=b"Subject: big\n\n" + b"x" * 500 + b"\n")
    assert r.returncode == 73 and b"max_message_size" in r.stderr
    r = subprocess.run([POSTERN_BIN, "deliver", "--data-dir", str(data)], capture_output=True, timeout=60)
    assert r.returncode == 64
    r = deliver(tmp_path / "typo", "-r", ALICE)
    assert r.returncode == 75 and b"no Postern data folder" in r.stderr
    assert not (tmp_path / "typo").exists()
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    r = deliver(not_a_folder, "-r", ALICE)
    assert r.returncode == 75, r.stderr
    for result in (r,):
        assert b"Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
