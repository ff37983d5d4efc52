"""A real Postfix in front of Postern: mail sent over SMTP (smtplib and swaks) goes through Postfix's queue and reaches each local
recipient's INBOX over LMTP (Unix socket); a recipient over quota is bounced with 5.2.2 as Postfix reports it
(and the bounce comes back to the sender's mailbox); an unknown recipient bounces with 5.1.1; a session
IDLEing on INBOX sees each arrival."""
from __future__ import annotations

import os
import shutil
import smtplib
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import imapclient
import pytest

from conftest import ALICE, ALICE_PW, BOB, BOB_PW, PosternProcess, add_user, run_cli
from helpers import bodies
from postfixhelpers import PrivatePostfix
from rawimap import make_context

pytestmark = [pytest.mark.postern,
              pytest.mark.skipif(shutil.which("postfix") is None and not os.path.exists("/usr/sbin/postfix"),
                                 reason="needs Postfix (.ci/run installs it)")]

CAROL, CAROL_PW = "carol", "carol-password-1"
DOMAIN = "example.test"


@pytest.fixture
def mail_system():
    # The Postfix processes run as `postfix`: the socket's folder must let them through, and pytest's own
    # temporary folders are private to root.
    root = Path(tempfile.mkdtemp(prefix="postern-postfix-"))
    os.chmod(root, 0o755)
    data = root / "data"
    data.mkdir(mode=0o700)
    for name, password in ((ALICE, ALICE_PW), (BOB, BOB_PW), (CAROL, CAROL_PW)):
        add_user(data, name, password)
    sockets = root / "sockets"
    sockets.mkdir(mode=0o755)
    socket_path = sockets / "lmtp.sock"
    config = root / "postern.toml"
    config.write_text(f'lmtp_socket = "{socket_path}"\nlmtp_socket_group = "postfix"\n'
                      f'local_domains = ["{DOMAIN}"]\n')
    postern = PosternProcess(data, ["--config", str(config)])
    postfix = None
    try:
        ports = postern.wait_ready()
        assert postern.lmtp_socket == str(socket_path)
        postfix = PrivatePostfix(root / "postfix", DOMAIN, f"lmtp:unix:{socket_path}")
        postfix.start()
        yield postern, ports["imaps"], str(data / "tls" / "cert.pem"), postfix
    finally:
        if postfix:
            postfix.stop()
        postern.stop()
        shutil.rmtree(root, ignore_errors=True)


def send(postfix: PrivatePostfix, sender: str, recipients: list[str], subject: str) -> dict:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg.set_content(f"This is {subject}.\n")
    with smtplib.SMTP("127.0.0.1", postfix.port, timeout=30) as s:
        return s.send_message(msg, from_addr=sender, to_addrs=recipients)



def wait_count(port, cafile, user, password, count, timeout=30) -> list[bytes]:
    deadline = time.monotonic() + timeout
    while True:
        found = bodies(port, cafile, user, password)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def test_mail_through_postfix_reaches_every_inbox(mail_system):
    postern, port, cafile, postfix = mail_system
    idle = imapclient.IMAPClient("127.0.0.1", port, ssl=True, ssl_context=make_context(cafile), timeout=30)
    idle.login(CAROL, CAROL_PW)
    idle.select_folder("INBOX")
    idle.idle()
    try:
        refused = send(postfix, f"{ALICE}@{DOMAIN}", [f"{BOB}@{DOMAIN}", f"{CAROL}@{DOMAIN}"], "first")
        assert refused == {}
        # The second through swaks, the SMTP swiss-army knife admins test with.
        r = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(postfix.port), "--from",
                            "someone@remote.test", "--to", f"{CAROL}@{DOMAIN}", "--header", "Subject: second",
                            "--body", "This is second."], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        seen = 0
        deadline = time.monotonic() + 30
        while seen < 2 and time.monotonic() < deadline:
            for response in idle.idle_check(timeout=1):
                if response[1] == b"EXISTS":
                    seen = response[0]
        assert seen == 2, postfix.maillog()
    finally:
        idle.idle_done()
        idle.logout()
    postfix.wait_log("status=sent", 3)
    [bob] = wait_count(port, cafile, BOB, BOB_PW, 1)
    assert bob.startswith(b"Return-Path: <alice@example.test>\r\nDelivered-To: bob@example.test\r\n"), bob
    assert b"Subject: first" in bob
    carol = wait_count(port, cafile, CAROL, CAROL_PW, 2)
    subjects = sorted(m.split(b"Subject: ")[1].split(b"\r\n")[0] for m in carol)
    assert subjects == [b"first", b"second"]  # the queue may deliver them in either order


def test_over_quota_and_unknown_recipients_bounce(mail_system):
    postern, port, cafile, postfix = mail_system
    r = run_cli("user", "quota", BOB, "--messages", "0", "--data-dir", str(postern.data_dir))
    assert r.returncode == 0, r.stderr
    send(postfix, f"{ALICE}@{DOMAIN}", [f"{BOB}@{DOMAIN}", f"{CAROL}@{DOMAIN}", f"nobody@{DOMAIN}"], "quota")
    log = postfix.wait_log("status=bounced", 2)
    bounced = [l for l in log.splitlines() if "status=bounced" in l]
    assert any(f"<{BOB}@{DOMAIN}>" in l and "552 5.2.2" in l for l in bounced), log
    assert any(f"<nobody@{DOMAIN}>" in l and "550 5.1.1" in l for l in bounced), log
    assert len(wait_count(port, cafile, CAROL, CAROL_PW, 1)) == 1
    assert bodies(port, cafile, BOB, BOB_PW) == []
    # Postfix's bounce comes back to the sender, through the same path.
    reports = wait_count(port, cafile, ALICE, ALICE_PW, 1)
    assert reports and b"multipart/report" in reports[0] and b"5.2.2" in reports[0], postfix.maillog()
