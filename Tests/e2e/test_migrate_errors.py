"""`postern migrate` refusing what it must: wrong passwords, unreachable or untrusted servers, bad input, and
servers that send what the client's limits do not allow; each is a one-line error and a non-zero exit status."""
from __future__ import annotations

import imaplib
import ssl

import pytest

import dovecot_source
from conftest import add_user
from helpers import make_message
from test_migrate import ALICE_PW, SOURCE_PW, SOURCE_USER, migrate, source, summary_numbers  # noqa: F401

pytestmark = pytest.mark.postern


@pytest.mark.parametrize("case", ["wrong password", "unreachable", "untrusted certificate", "no password",
                                  "no such account", "bad url"])
def test_migrate_refusals_are_one_line(source, tmp_path, case):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, "alice", ALICE_PW)
    url = f"imaps://{SOURCE_USER}@127.0.0.1:{source.imaps_port}"
    args, password, user, expect = ["--from", url, "--ca-file", source.cafile], SOURCE_PW, "alice", ""
    if case == "wrong password":
        password, expect = "Wrong-password-9", "refused"
    elif case == "unreachable":
        args, expect = ["--from", f"imaps://{SOURCE_USER}@127.0.0.1:{dovecot_source.free_port()}"], "cannot connect"
    elif case == "untrusted certificate":
        args, expect = ["--from", url], "not trusted"
    elif case == "no password":
        password, expect = None, "no password"
    elif case == "no such account":
        user, expect = "nobody-here", "no account"
    elif case == "bad url":
        args, expect = ["--from", f"https://{SOURCE_USER}@127.0.0.1"], "imaps://"
    r = migrate(data, *args, password=password, user=user)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("postern: ") and expect in lines[0], r.stderr
    assert "Wrong-password-9" not in r.stderr and SOURCE_PW not in r.stderr


class MisbehavingSource:
    """An IMAPS server (Dovecot's certificate) that logs in anyone, then answers LIST with `listing`; `greeting`
    replaces the usual greeting. For the client's limits: what it sends beyond them must end the run with a
    one-line error, never unbounded memory or a hang."""

    def __init__(self, dovecot, greeting: bytes | None = None, listing: bytes = b"", tls: bool = True,
                 starttls_answer: bytes = b""):
        import socket
        import threading
        self.greeting = greeting or b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake\r\n"
        self.listing = listing
        self.tls = tls
        self.starttls_answer = starttls_answer
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(str(dovecot.root / "cert.pem"), str(dovecot.root / "key.pem"))
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            raw, _ = self.sock.accept()
            conn = self.ctx.wrap_socket(raw, server_side=True) if self.tls else raw
            conn.settimeout(30)
            conn.sendall(self.greeting)
            reader = conn.makefile("rb")
            while line := reader.readline():
                tag, _, rest = line.decode().partition(" ")
                command = rest.split(" ")[0].strip().upper()
                if command == "AUTHENTICATE":
                    conn.sendall(b"+ \r\n")
                    reader.readline()
                    conn.sendall(f"{tag} OK in\r\n".encode())
                elif command == "CAPABILITY":
                    conn.sendall(f"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK\r\n".encode())
                elif command == "STARTTLS":
                    conn.sendall(self.starttls_answer.replace(b"TAG", tag.encode()))
                elif command == "LIST":
                    conn.sendall(self.listing)
                else:
                    conn.sendall(f"{tag} OK\r\n".encode())
        except OSError:
            pass
        finally:
            self.sock.close()


@pytest.mark.parametrize("case, expect", [
    ("endless line", "line longer than 65536 bytes"),
    ("long name literal", "literal of 1000000 bytes, more than the limit of 65536"),
    ("huge literal", "literal of 100000000 bytes, more than the limit of 67108864"),
    ("malformed", "malformed response"),
    ("refusing greeting", "refused the connection"),
    ("goodbye", "ended the session: shutting down"),
    ("no starttls", "does not offer STARTTLS"),
    ("starttls injection", "sent data before the TLS handshake"),
])
def test_migrate_from_a_misbehaving_server(source, tmp_path, case, expect):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, "alice", ALICE_PW)
    if case == "endless line":
        fake = MisbehavingSource(source, listing=b"* LIST () \"/\" " + b"a" * 300_000)
    elif case == "long name literal":
        fake = MisbehavingSource(source, listing=b"* LIST () \"/\" {1000000}\r\n" + b"x" * 100_000)
    elif case == "huge literal":
        fake = MisbehavingSource(source, listing=b"* LIST () \"/\" {100000000}\r\n" + b"x" * 100_000)
    elif case == "malformed":
        fake = MisbehavingSource(source, listing=b"* LIST (\\HasNoChildren \"/\" INBOX\r\n")
    elif case == "goodbye":
        fake = MisbehavingSource(source, listing=b"* BYE shutting down\r\n")
    elif case == "no starttls":
        fake = MisbehavingSource(source, tls=False)
    elif case == "starttls injection":
        fake = MisbehavingSource(source, tls=False, greeting=b"* OK [CAPABILITY IMAP4rev1 STARTTLS] fake\r\n",
                                 starttls_answer=b"TAG OK go ahead\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] evil\r\n")
    else:
        fake = MisbehavingSource(source, greeting=b"* BYE too busy\r\n")
    scheme = "imap" if not fake.tls else "imaps"
    r = migrate(data, "--from", f"{scheme}://someone@127.0.0.1:{fake.port}", "--ca-file", source.cafile)
    fake.thread.join(30)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("postern: ") and expect in lines[0], r.stderr


def test_migrate_skips_a_message_over_the_size_limit_and_says_so(source, tmp_path):
    ctx = ssl.create_default_context(cafile=source.cafile)
    m = imaplib.IMAP4_SSL("127.0.0.1", source.imaps_port, ssl_context=ctx)
    m.login("big", "big-pw")
    line = b"0123456789" * 10 + b"\r\n"
    huge = make_message("huge", "") + line * (64 * 1024 * 1024 // len(line) + 1)
    assert len(huge) > 64 * 1024 * 1024
    assert m.append("INBOX", None, None, huge)[0] == "OK"
    m.append("INBOX", None, None, make_message("small"))
    m.logout()
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, "fay", "fay-Migrate-7")
    r = migrate(data, "--from", f"imaps://big@127.0.0.1:{source.imaps_port}", "--ca-file", source.cafile,
                password="big-pw", user="fay")
    assert r.returncode == 1, r.stdout + r.stderr
    numbers = summary_numbers(r.stdout)
    assert numbers["messages copied"] == 1 and numbers["skipped"] == 1, r.stdout
    assert f"message UID 1 skipped: {len(huge)} bytes, over the limit" in r.stderr
    assert "INBOX\t2\t1" in r.stdout
