"""LMTP (RFC 2033) on a real `postern serve`: the Unix socket and a TCP listener, per-recipient answers
after DATA (quota, unknown users, aliases, +detail), pipelining (RFC 2920), trace headers, every error
path of the protocol, a session IDLEing on the mailbox, and a kill -9 in the middle of DATA."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import time

import imapclient
import pytest

from conftest import ALICE, ALICE_PW, BOB, BOB_PW, PosternProcess, add_user, run_cli
from helpers import bodies, own_server
from lmtphelpers import RawLMTP, greeted, session, stuffed
from rawimap import make_context

pytestmark = pytest.mark.postern

CAROL, CAROL_PW = "carol", "carol-password-1"
CONFIG = ('local_domains = ["example.test"]\n'
          'lmtp = "127.0.0.1:0"\n'
          'max_message_size = 200000\n'
          '[aliases]\nteam = ["alice", "carol"]\n"info@example.test" = "bob"\n')
MESSAGE = b"From: sender@remote.test\r\nSubject: delivery\r\n\r\nline one\r\n.leading dot\r\n..two dots\r\n"


@pytest.fixture
def lmtp_server(tmp_path):
    with own_server(tmp_path, {ALICE: ALICE_PW, BOB: BOB_PW, CAROL: CAROL_PW}, CONFIG) as (p, port, _, cafile):
        yield p, port, cafile


def imap(port: int, cafile: str, user: str, password: str) -> imapclient.IMAPClient:
    c = imapclient.IMAPClient("127.0.0.1", port, ssl=True, ssl_context=make_context(cafile), timeout=30)
    c.login(user, password)
    return c



def test_lhlo_advertises_the_extensions(lmtp_server):
    p, _, _ = lmtp_server
    assert p.lmtp_socket and os.path.exists(p.lmtp_socket)
    c = RawLMTP.unix(p.lmtp_socket)
    try:
        code, lines = c.reply()
        assert code == 220 and "LMTP" in lines[0]
        code, lines = c.command("LHLO mta.test")
        assert code == 250
        assert {"PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8", "SIZE 200000"} <= set(lines[1:])
        assert c.command("EHLO mta.test")[0] == 500
        assert c.command("QUIT")[0] == 221
        assert c.closed()
    finally:
        c.close()


def test_socket_is_private_to_owner_and_group(lmtp_server):
    p, _, _ = lmtp_server
    mode = os.stat(p.lmtp_socket).st_mode
    assert stat.S_ISSOCK(mode)
    assert stat.S_IMODE(mode) == 0o660


def test_per_recipient_replies_after_data(lmtp_server):
    p, port, cafile = lmtp_server
    # bob may hold one message and already has one: his copy is refused, the others are delivered.
    r = run_cli("user", "quota", BOB, "--messages", "1", "--data-dir", str(p.data_dir))
    assert r.returncode == 0, r.stderr
    with greeted(p.lmtp_socket) as c:
        first = session(c, "s@remote.test", ["bob@example.test"], MESSAGE)
        assert first[-1][0] == 250, first
        replies = session(c, "s@remote.test", ["alice@example.test", "BOB@example.test", "carol@example.test"], MESSAGE)
        codes = [r[0] for r in replies]
        assert codes == [250, 250, 250, 250, 250, 354, 250, 552, 250], replies
        assert replies[7][1][0].startswith("5.2.2"), replies[7]
        assert replies[6][1][0].startswith("2."), replies[6]
    assert len(bodies(port, cafile, ALICE, ALICE_PW)) == 1
    assert len(bodies(port, cafile, BOB, BOB_PW)) == 1
    assert len(bodies(port, cafile, CAROL, CAROL_PW)) == 1


def test_trace_headers_and_exact_body(lmtp_server):
    p, port, cafile = lmtp_server
    with greeted(p.lmtp_socket) as c:
        replies = session(c, "sender@remote.test", ["Alice@Example.Test"], MESSAGE)
        assert replies[-1][0] == 250, replies
    [stored] = bodies(port, cafile, ALICE, ALICE_PW)
    assert stored.startswith(b"Return-Path: <sender@remote.test>\r\nDelivered-To: Alice@Example.Test\r\n"), stored
    assert b"\r\nReceived: from test.client (local)\r\n" in stored
    assert stored.endswith(b"\r\n" + MESSAGE), stored


def test_unknown_users_foreign_domains_and_null_sender(lmtp_server):
    p, port, cafile = lmtp_server
    with greeted(p.lmtp_socket) as c:
        assert c.command("LHLO x")[0] == 250
        assert c.command("MAIL FROM:<>")[0] == 250
        code, lines = c.command("RCPT TO:<nobody@example.test>")
        assert code == 550 and lines[0].startswith("5.1.1"), lines
        code, lines = c.command("RCPT TO:<alice@elsewhere.test>")
        assert code == 550 and lines[0].startswith("5.1.2"), lines
        assert c.command("DATA")[0] == 503
        assert c.command("RCPT TO:<alice@example.test>")[0] == 250
        assert c.command("DATA")[0] == 354
        c.send(stuffed(b"Subject: bounce\r\n\r\nx\r\n"))
        assert c.reply()[0] == 250
    [stored] = bodies(port, cafile, ALICE, ALICE_PW)
    assert stored.startswith(b"Return-Path: <>\r\n")


def test_detail_folders_and_aliases(lmtp_server):
    p, port, cafile = lmtp_server
    with greeted(p.lmtp_socket) as c:
        replies = session(c, "s@remote.test", ["alice+Sent@example.test", "alice+nosuchfolder@example.test",
                                           "team@example.test", "info@example.test"], MESSAGE)
        assert [r[0] for r in replies[-4:]] == [250, 250, 250, 250], replies
    assert len(bodies(port, cafile, ALICE, ALICE_PW, "Sent")) == 1
    # +nosuchfolder and the alias "team" land in INBOX.
    assert len(bodies(port, cafile, ALICE, ALICE_PW)) == 2
    assert len(bodies(port, cafile, CAROL, CAROL_PW)) == 1
    assert len(bodies(port, cafile, BOB, BOB_PW)) == 1


def test_tcp_listener_and_pipelined_transactions(lmtp_server):
    p, port, cafile = lmtp_server
    c = RawLMTP.tcp(p.ports["lmtp"])
    try:
        c.reply()
        batch = b"LHLO x\r\n"
        for i in range(5):
            batch += b"MAIL FROM:<s@r.test>\r\nRCPT TO:<carol@example.test>\r\nDATA\r\n"
            batch += stuffed(b"Subject: pipelined %d\r\n\r\nbody\r\n" % i)
        batch += b"QUIT\r\n"
        c.send(batch)
        codes = [c.reply()[0] for _ in range(1 + 5 * 4 + 1)]
        assert codes == [250] + [250, 250, 354, 250] * 5 + [221], codes
    finally:
        c.close()
    subjects = [m.split(b"Subject: ")[1].split(b"\r\n")[0] for m in bodies(port, cafile, CAROL, CAROL_PW)]
    assert subjects == [b"pipelined %d" % i for i in range(5)]


def test_protocol_errors_get_5xx_and_the_connection_goes_on(lmtp_server):
    p, _, _ = lmtp_server
    with greeted(p.lmtp_socket) as c:
        assert c.command("MAIL FROM:<a@b.test>")[0] == 503          # before LHLO
        assert c.command("LHLO")[0] == 501
        assert c.command("LHLO x")[0] == 250
        assert c.command("RCPT TO:<alice@example.test>")[0] == 503  # before MAIL
        assert c.command("FROB")[0] == 500
        assert c.command("MAIL FROM:<not an address>")[0] == 501
        assert c.command("MAIL FROM:<a@b.test> BODY=BINARYMIME")[0] == 555
        assert c.command("MAIL FROM:<a@b.test> SIZE=999999999")[0] == 552
        assert c.command("MAIL FROM:<é@b.test>")[0] == 553                # UTF-8 without SMTPUTF8
        assert c.command(b"X" * 10000)[0] == 500                          # line too long
        assert c.command("MAIL FROM:<é@b.test> SMTPUTF8")[0] == 250
        assert c.command("MAIL FROM:<a@b.test>")[0] == 503                # nested MAIL
        assert c.command("RCPT TO:<alice@example.test> NOTIFY=NEVER")[0] == 555
        assert c.command("RSET")[0] == 250
        assert c.command("NOOP")[0] == 250
        assert c.command("VRFY alice")[0] == 252


def test_too_many_errors_close_the_connection(lmtp_server):
    p, _, _ = lmtp_server
    with greeted(p.lmtp_socket) as c:
        codes = [c.command("NONSENSE")[0] for _ in range(20)]
        assert codes[-1] == 421 and set(codes[:-1]) == {500}
        assert c.closed()


def test_oversized_message_is_refused_after_data(lmtp_server):
    p, port, cafile = lmtp_server
    with greeted(p.lmtp_socket) as c:
        big = b"Subject: big\r\n\r\n" + (b"y" * 998 + b"\r\n") * 300
        replies = session(c, "s@r.test", ["alice@example.test", "carol@example.test"], big)
        assert [r[0] for r in replies[-2:]] == [552, 552], replies
        assert replies[-1][1][0].startswith("5.3.4")
        assert c.command("NOOP")[0] == 250
    assert bodies(port, cafile, ALICE, ALICE_PW) == []


def test_idle_session_sees_the_delivery(lmtp_server):
    p, port, cafile = lmtp_server
    client = imap(port, cafile, CAROL, CAROL_PW)
    try:
        client.select_folder("INBOX")
        client.idle()
        with greeted(p.lmtp_socket) as c:
            assert session(c, "s@r.test", ["carol@example.test"], MESSAGE)[-1][0] == 250
        responses = client.idle_check(timeout=5)
        client.idle_done()
        assert any(r[1] == b"EXISTS" for r in responses), responses
    finally:
        client.logout()


def test_kill_during_data_loses_nothing_acknowledged_and_duplicates_nothing(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    p = PosternProcess(data, [])
    try:
        p.wait_ready()
        c = RawLMTP.unix(p.lmtp_socket)
        c.reply()
        assert session(c, "s@r.test", ["alice"], b"Subject: acknowledged\r\n\r\nx\r\n")[-1][0] == 250
        c.send(b"MAIL FROM:<s@r.test>\r\nRCPT TO:<alice>\r\nDATA\r\n")
        assert [c.reply()[0] for _ in range(3)] == [250, 250, 354]
        c.send(b"Subject: half\r\n\r\n" + b"z" * 100000)
        time.sleep(0.5)
        os.killpg(p.proc.pid, signal.SIGKILL)
        p.proc.wait(10)
        c.close()
    finally:
        p.stop()
    p = PosternProcess(data, [])
    try:
        ports = p.wait_ready()
        # The socket left by the killed server is replaced; the half message is gone, the first one kept.
        c = RawLMTP.unix(p.lmtp_socket)
        c.reply()
        assert session(c, "s@r.test", ["alice"], b"Subject: retried\r\n\r\nx\r\n")[-1][0] == 250
        c.close()
        subjects = [m.split(b"Subject: ")[1].split(b"\r\n")[0]
                    for m in bodies(ports["imaps"], str(data / "tls" / "cert.pem"), ALICE, ALICE_PW)]
        assert subjects == [b"acknowledged", b"retried"]
        assert os.listdir(data / "tmp") == []
    finally:
        p.stop()


def test_second_server_cannot_take_a_live_socket(lmtp_server, tmp_path):
    p, _, _ = lmtp_server
    other = tmp_path / "other"
    other.mkdir()
    r = subprocess.run([p.args[0], "serve", "--data-dir", str(other), "--imaps", "127.0.0.1:0", "--imap", "off",
                        "--lmtp-socket", p.lmtp_socket], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "another server is using that socket" in r.stderr


def test_lmtp_off_leaves_imap_serving(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    p = PosternProcess(data, ["--lmtp-socket", "off"])
    try:
        ports = p.wait_ready()
        assert p.lmtp_socket is None and "lmtp" not in ports
        assert not (data / "lmtp.sock").exists()
        assert bodies(ports["imaps"], str(data / "tls" / "cert.pem"), ALICE, ALICE_PW) == []
        assert p.stop() == 0
    finally:
        p.stop()


def test_non_loopback_listener_needs_an_allow_list(tmp_path):
    data = tmp_path / "data"
    r = run_cli("serve", "--data-dir", str(data), "--imaps", "127.0.0.1:0", "--imap", "off", "--lmtp", "0.0.0.0:0")
    assert r.returncode != 0
    assert "lmtp_allow" in r.stderr and "Traceback" not in r.stderr


def test_socket_group_for_the_mta(tmp_path):
    # A private data folder (as `serve` makes one) holding the socket lets the MTA's group through, no more.
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    add_user(data, ALICE, ALICE_PW)
    config = tmp_path / "postern.toml"
    config.write_text('lmtp_socket_group = "nogroup"\n')
    p = PosternProcess(data, ["--config", str(config)])
    try:
        p.wait_ready()
        info = os.stat(p.lmtp_socket)
        assert info.st_gid == int(subprocess.check_output(["getent", "group", "nogroup"]).split(b":")[2])
        assert stat.S_IMODE(info.st_mode) == 0o660
        folder = os.stat(data)
        assert folder.st_gid == info.st_gid and stat.S_IMODE(folder.st_mode) == 0o710
    finally:
        p.stop()


def test_shutdown_with_an_idle_lmtp_connection_is_prompt(tmp_path):
    with own_server(tmp_path, {ALICE: ALICE_PW}) as (p, _, _, _):
        c = RawLMTP.unix(p.lmtp_socket)
        c.reply()
        assert c.command("LHLO x")[0] == 250
        start = time.monotonic()
        assert p.stop() == 0
        assert time.monotonic() - start < 8
        code, _ = c.reply()
        assert code == 421
        c.close()
