"""AUTHENTICATE EXTERNAL (RFC 4422 Appendix A) with TLS client certificates: a server with a client-CA bundle
asks for a certificate without requiring one; a certificate that chains to the bundle names its account
(`san-email` in the configured domain) and gets AUTH=EXTERNAL, on IMAPS and after STARTTLS; one from another CA
ends the handshake; a name without an account fails like a wrong password."""
from __future__ import annotations

import base64
import shutil
import ssl
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import ALICE, ALICE_PW, PosternProcess, add_user
from rawimap import ConnectionClosed, RawIMAP
from tlshelpers import client_context, make_ca, make_client_cert

pytestmark = pytest.mark.postern


class ExternalServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.data_dir = folder / "data"
        self.data_dir.mkdir()
        add_user(self.data_dir, ALICE, ALICE_PW)
        self.ca = make_ca(folder, "client-ca")
        other_ca = make_ca(folder, "other-ca")
        self.certs = {
            "alice": make_client_cert(folder, self.ca, "alice", email="alice@example.test"),
            "carol": make_client_cert(folder, self.ca, "carol", email="carol@example.test"),
            "elsewhere": make_client_cert(folder, self.ca, "elsewhere", email="alice@elsewhere.test"),
            "forged": make_client_cert(folder, other_ca, "forged", email="alice@example.test"),
        }
        config = folder / "postern.toml"
        config.write_text(f'trusted_networks = ["127.0.0.0/8"]\ntls_client_ca = "{self.ca[0]}"\n'
                          'tls_client_identity = "san-email"\ntls_client_identity_domain = "example.test"\n')
        self.process = PosternProcess(self.data_dir, ["--config", str(config)])
        self.ports = self.process.wait_ready()
        self.server_cert = self.data_dir / "tls" / "cert.pem"

    def context(self, who: str | None) -> ssl.SSLContext:
        return client_context(self.server_cert, cert=self.certs[who] if who else None)

    def connect(self, who: str | None) -> RawIMAP:
        return RawIMAP.connect_tls("127.0.0.1", self.ports["imaps"], context=self.context(who))


@pytest.fixture(scope="module")
def external():
    folder = Path(tempfile.mkdtemp(prefix="postern-external-"))
    srv = None
    try:
        srv = ExternalServer(folder)
        yield srv
    finally:
        if srv is not None:
            srv.process.stop()
        shutil.rmtree(folder, ignore_errors=True)


def capabilities(c: RawIMAP) -> str:
    return c.command("c1 CAPABILITY").untagged[0].text


@pytest.mark.parametrize("initial", [True, False], ids=["sasl-ir", "challenge"])
def test_verified_certificate_logs_in_with_external(external, initial):
    with external.connect("alice") as c:
        assert "AUTH=EXTERNAL" in c.greeting.text, c.greeting.text
        assert "AUTH=EXTERNAL" in capabilities(c)
        if initial:
            resp = c.command("e1 AUTHENTICATE EXTERNAL =")
        else:
            resp = c.command("e1 AUTHENTICATE EXTERNAL", stop_at_continuation=True)
            assert resp.continuation is not None, resp
            c.sendline("")
            resp = c.read_until_tagged("e1")
        assert resp.status == "OK", resp
        assert c.command("e2 SELECT INBOX").status == "OK"


def test_authzid_must_be_the_certificate_account(external):
    with external.connect("alice") as c:
        resp = c.command(f"e1 AUTHENTICATE EXTERNAL {base64.b64encode(b'ALICE').decode()}")
        assert resp.status == "OK", resp
    with external.connect("alice") as c:
        resp = c.command(f"e1 AUTHENTICATE EXTERNAL {base64.b64encode(b'bob').decode()}")
        assert resp.status == "NO" and resp.code == "AUTHORIZATIONFAILED", resp
        assert c.command("e2 SELECT INBOX").status == "BAD"


def test_no_certificate_no_external(external):
    with external.connect(None) as c:
        assert "AUTH=EXTERNAL" not in c.greeting.text
        assert "AUTH=EXTERNAL" not in capabilities(c)
        resp = c.command("e1 AUTHENTICATE EXTERNAL =")
        assert resp.status == "NO", resp
        assert c.login(ALICE, ALICE_PW).status == "OK"


def test_certificate_of_another_domain_maps_to_nobody(external):
    with external.connect("elsewhere") as c:
        assert "AUTH=EXTERNAL" not in capabilities(c)
        assert c.command("e1 AUTHENTICATE EXTERNAL =").status == "NO"


def test_certificate_of_another_ca_is_refused(external):
    with pytest.raises((ssl.SSLError, ConnectionClosed, ConnectionResetError, BrokenPipeError)):
        with external.connect("forged") as c:
            c.command("e1 AUTHENTICATE EXTERNAL =")


def test_account_that_does_not_exist_fails_like_a_wrong_password(external):
    with external.connect("carol") as c:
        assert "AUTH=EXTERNAL" in capabilities(c)
        resp = c.command("e1 AUTHENTICATE EXTERNAL =")
        assert resp.status == "NO" and resp.code == "AUTHENTICATIONFAILED", resp
    assert any("authentication failed" in line and "mechanism=EXTERNAL" in line and "account=carol" in line
               for line in external.process.stderr), external.process.output()


def test_external_after_starttls(external):
    with RawIMAP.connect_plain("127.0.0.1", external.ports["imap"]) as c:
        assert "AUTH=EXTERNAL" not in c.greeting.text
        c.starttls("s1", context=external.context("alice"))
        assert "AUTH=EXTERNAL" in capabilities(c)
        assert c.command("e1 AUTHENTICATE EXTERNAL =").status == "OK"


def test_curl_logs_in_with_its_certificate(external):
    curl = shutil.which("curl")
    assert curl, "curl is required"
    cert, key = external.certs["alice"]
    r = subprocess.run([curl, "-sS", "--max-time", "20", "--cacert", str(external.server_cert), "--cert", str(cert),
                        "--key", str(key), "--login-options", "AUTH=EXTERNAL", "-u", f"{ALICE}:",
                        f"imaps://127.0.0.1:{external.ports['imaps']}/"], capture_output=True, text=True)
    assert r.returncode == 0 and "INBOX" in r.stdout, (r.returncode, r.stdout, r.stderr)
    r = subprocess.run([curl, "-sS", "--max-time", "20", "--cacert", str(external.server_cert),
                        "--login-options", "AUTH=EXTERNAL", "-u", f"{ALICE}:",
                        f"imaps://127.0.0.1:{external.ports['imaps']}/"], capture_output=True, text=True)
    assert r.returncode != 0, (r.stdout, r.stderr)
