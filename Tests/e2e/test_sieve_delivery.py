"""Sieve at delivery through a real Postfix: mail sent over SMTP reaches Postern over LMTP and each
account's active script files it into folders with flags, rejects it (Postfix bounces it with the
script's reason), redirects it, and answers it while on holiday exactly once per :days period, the
replies and redirects going out through Postfix as the [sieve] relay. A script uploaded with ManageSieve
takes effect on the next delivery."""
from __future__ import annotations

import os
import shutil
import smtplib
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import imapclient
import pytest

from conftest import ALICE, ALICE_PW, BOB, BOB_PW, PosternProcess, add_user, run_cli
from postfixhelpers import PrivatePostfix
from rawimap import make_context

pytestmark = [pytest.mark.postern,
              pytest.mark.skipif(shutil.which("postfix") is None and not os.path.exists("/usr/sbin/postfix"),
                                 reason="needs Postfix (.ci/run installs it)")]

CAROL, CAROL_PW = "carol", "carol-password-1"
DOMAIN = "example.test"


class MailSystem:
    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.postern: PosternProcess | None = None
        self.postfix: PrivatePostfix | None = None
        self.imaps = 0
        self.managesieve = 0
        self.cafile = str(self.data / "tls" / "cert.pem")

    def put_script(self, user: str, text: str, name: str = "main") -> None:
        path = self.root / f"{user}-{name}.sieve"
        path.write_text(text)
        r = run_cli("sieve", "put", user, name, str(path), "--activate", "--data-dir", str(self.data))
        assert r.returncode == 0, r.stderr

    def send(self, sender: str, recipients: list[str], subject: str, extra: dict | None = None) -> None:
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = ", ".join(recipients)
        msg["Subject"] = subject
        for key, value in (extra or {}).items():
            msg[key] = value
        msg.set_content(f"This is {subject}.\n")
        with smtplib.SMTP("127.0.0.1", self.postfix.port, timeout=30) as s:
            s.send_message(msg, from_addr=sender, to_addrs=recipients)

    def messages(self, user: str, password: str, folder: str = "INBOX") -> list[tuple[bytes, tuple]]:
        c = imapclient.IMAPClient("127.0.0.1", self.imaps, ssl=True, ssl_context=make_context(self.cafile),
                                  timeout=30)
        try:
            c.login(user, password)
            if not c.folder_exists(folder):
                return []
            c.select_folder(folder, readonly=True)
            uids = c.search("ALL")
            if not uids:
                return []
            data = c.fetch(uids, ["BODY.PEEK[]", "FLAGS"])
            return [(d[b"BODY[]"], d[b"FLAGS"]) for _, d in sorted(data.items())]
        finally:
            c.logout()

    def wait_messages(self, user, password, count, folder="INBOX", timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(user, password, folder)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.3)


@pytest.fixture
def mail():
    root = Path(tempfile.mkdtemp(prefix="postern-sieve-"))
    os.chmod(root, 0o755)
    system = MailSystem(root)
    system.data.mkdir(mode=0o700)
    for name, password in ((ALICE, ALICE_PW), (BOB, BOB_PW), (CAROL, CAROL_PW)):
        add_user(system.data, name, password)
    sockets = root / "sockets"
    sockets.mkdir(mode=0o755)
    socket_path = sockets / "lmtp.sock"
    system.postfix = PrivatePostfix(root / "postfix", DOMAIN, f"lmtp:unix:{socket_path}")
    config = root / "postern.toml"
    config.write_text(f'lmtp_socket = "{socket_path}"\nlmtp_socket_group = "postfix"\n'
                      f'local_domains = ["{DOMAIN}"]\nmanagesieve = "127.0.0.1:0"\n'
                      f'[sieve]\nrelay = "smtp://127.0.0.1:{system.postfix.port}"\n')
    system.postern = PosternProcess(system.data, ["--config", str(config)])
    try:
        ports = system.postern.wait_ready()
        system.imaps = ports["imaps"]
        system.managesieve = ports.get("managesieve", 0)
        system.postfix.start()
        yield system
    finally:
        system.postfix.stop()
        system.postern.stop()
        shutil.rmtree(root, ignore_errors=True)


def subjects(found) -> list[str]:
    out = []
    for body, _ in found:
        for line in body.split(b"\r\n"):
            if line.lower().startswith(b"subject:"):
                out.append(line[8:].strip().decode())
                break
    return out


def test_fileinto_folders_and_flags(mail):
    mail.put_script(ALICE, """require ["fileinto", "imap4flags", "mailbox"];
if header :contains "subject" "newsletter" { fileinto :create "News"; stop; }
if address :is "from" "bob@example.test" { addflag "\\\\Flagged"; addflag "boss"; }
""")
    mail.send(f"{BOB}@{DOMAIN}", [f"{ALICE}@{DOMAIN}"], "weekly newsletter")
    mail.send(f"{BOB}@{DOMAIN}", [f"{ALICE}@{DOMAIN}"], "see me")
    news = mail.wait_messages(ALICE, ALICE_PW, 1, "News")
    inbox = mail.wait_messages(ALICE, ALICE_PW, 1)
    assert subjects(news) == ["weekly newsletter"]
    assert subjects(inbox) == ["see me"]
    flags = {f.decode().lower() for f in inbox[0][1]}
    assert {"\\flagged", "boss"} <= flags
    assert "\\seen" not in flags


def test_reject_bounces_with_the_reason(mail):
    mail.put_script(ALICE, 'require "reject";\nif header :contains "subject" "cheap" { reject "No thanks."; }\n')
    mail.send(f"{BOB}@{DOMAIN}", [f"{ALICE}@{DOMAIN}"], "cheap watches")
    mail.postfix.wait_log("status=bounced")
    bounce = mail.wait_messages(BOB, BOB_PW, 1)
    assert len(bounce) == 1 and b"No thanks." in bounce[0][0]
    assert mail.messages(ALICE, ALICE_PW) == []


def test_redirect_goes_out_through_the_relay(mail):
    mail.put_script(ALICE, f'redirect "{CAROL}@{DOMAIN}";\n')
    mail.send(f"{BOB}@{DOMAIN}", [f"{ALICE}@{DOMAIN}"], "for carol")
    found = mail.wait_messages(CAROL, CAROL_PW, 1)
    assert subjects(found) == ["for carol"]
    time.sleep(1)
    assert mail.messages(ALICE, ALICE_PW) == [], "a redirect alone keeps no copy"
    assert len(mail.messages(CAROL, CAROL_PW)) == 1


def test_vacation_answers_once_per_period(mail):
    mail.put_script(ALICE, f'require "vacation";\nvacation :days 1 :addresses ["{ALICE}@{DOMAIN}"] '
                           f':subject "Out of office" "I am away until Monday.";\n')
    for n in range(3):
        mail.send(f"{BOB}@{DOMAIN}", [f"{ALICE}@{DOMAIN}"], f"question {n}")
    assert len(mail.wait_messages(ALICE, ALICE_PW, 3)) == 3
    replies = mail.wait_messages(BOB, BOB_PW, 1)
    # Every delivery to alice is done; give a second reply the time it would need to arrive.
    mail.postfix.wait_log(f"to=<{ALICE}@{DOMAIN}>", count=3)
    time.sleep(3)
    replies = mail.messages(BOB, BOB_PW)
    assert subjects(replies) == ["Out of office"]
    body = replies[0][0]
    assert b"Auto-Submitted: auto-replied" in body and b"I am away until Monday." in body
    # A list message is never answered.
    mail.send(f"{CAROL}@{DOMAIN}", [f"{ALICE}@{DOMAIN}"], "list post", {"List-Id": "<dev.example.test>"})
    assert len(mail.wait_messages(ALICE, ALICE_PW, 4)) == 4
    time.sleep(3)
    assert mail.messages(CAROL, CAROL_PW) == []


def test_managesieve_upload_takes_effect(mail, monkeypatch):
    import ssl

    import managesieve
    assert mail.managesieve, "serve must announce its managesieve listener"
    # The library builds its TLS context with ssl.create_default_context(): make that one trust the server.
    default_context = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: default_context(cafile=mail.cafile))
    conn = managesieve.MANAGESIEVE("127.0.0.1", mail.managesieve, use_tls=True, tls_verify=True, timeout=20)
    try:
        assert conn.login("", ALICE, ALICE_PW) == "OK"
        script = 'require "fileinto";\nfileinto "Archive";\n'
        assert conn.putscript("archive", script) == "OK"
        assert conn.setactive("archive") == "OK"
    finally:
        conn.logout()
    mail.send(f"{BOB}@{DOMAIN}", [f"{ALICE}@{DOMAIN}"], "to archive")
    found = mail.wait_messages(ALICE, ALICE_PW, 1, "Archive")
    assert subjects(found) == ["to archive"]
