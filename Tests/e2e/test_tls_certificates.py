"""RSA beside ECDSA: a client that can take an ECDSA certificate gets the data folder's ECDSA one, a client
limited to RSA (TLS 1.2 ECDHE-RSA suites, TLS 1.3 with only RSA-PSS signatures) the RSA one; SCRAM-SHA-256-PLUS
binds to whichever certificate was served (RFC 8446 §4.2.3, RFC 5246 §7.4.2, RFC 5929)."""
from __future__ import annotations

import hashlib
import re
import ssl

import pytest
import scramp

from conftest import ALICE, ALICE_PW
from rawimap import RawIMAP
from test_sasl import scram_login
from helpers import own_server
from tlshelpers import client_context, fingerprint, fingerprint_of_der, make_server_pair, served_fingerprint

pytestmark = pytest.mark.postern


def printed_fingerprints(server) -> dict[str, str]:
    """The `fingerprint:` lines `serve` printed: the first certificate's, and `fingerprint-rsa:`."""
    found = {}
    for line in server.process.stdout:
        m = re.match(r"^fingerprint(-rsa)?: SHA256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$", line.strip())
        if m:
            found["rsa" if m.group(1) else "ecdsa"] = m.group(2)
    return found


@pytest.fixture
def certificates(server):
    tls = server.data_dir / "tls"
    ecdsa, rsa = tls / "cert.pem", tls / "cert-rsa.pem"
    assert ecdsa.is_file() and rsa.is_file(), list(tls.iterdir())
    assert printed_fingerprints(server) == {"ecdsa": fingerprint(ecdsa), "rsa": fingerprint(rsa)}
    assert fingerprint(ecdsa) != fingerprint(rsa)
    return {"ecdsa": ecdsa, "rsa": rsa}


@pytest.mark.parametrize("args,kind", [
    ([], "ecdsa"),
    (["-tls1_2"], "ecdsa"),
    (["-tls1_3", "-sigalgs", "ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256"], "ecdsa"),
    (["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"], "ecdsa"),
    (["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"], "rsa"),
    (["-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256"], "rsa"),
], ids=["default", "tls12", "tls13-both", "tls12-both", "tls12-rsa-suite", "tls13-rsa-pss"])
@pytest.mark.parametrize("listener", ["imaps", "starttls"])
def test_client_gets_the_certificate_it_can_take(server, certificates, tmp_path, args, kind, listener):
    if listener == "imaps":
        port, extra = server.imaps_port, []
    else:
        port, extra = server.imap_port, ["-starttls", "imap"]
    assert served_fingerprint(port, *extra, *args, folder=tmp_path) == fingerprint(certificates[kind])


@pytest.mark.parametrize("kind", ["ecdsa", "rsa"])
def test_scram_plus_binds_the_certificate_served(server, certificates, kind):
    ctx = client_context(certificates["ecdsa"], certificates["rsa"], rsa_only=kind == "rsa")
    with RawIMAP.connect_tls(server.host, server.imaps_port, context=ctx) as c:
        assert fingerprint_of_der(c.sock.getpeercert(binary_form=True)) == fingerprint(certificates[kind])
        assert "AUTH=SCRAM-SHA-256-PLUS" in c.greeting.text, c.greeting.text
        client = scramp.ScramClient(["SCRAM-SHA-256-PLUS"], ALICE, ALICE_PW,
                                    channel_binding=("tls-server-end-point", c.sock))
        resp, _ = scram_login(c, client)
        assert resp.status == "OK", resp
    # The other certificate's binding data on this connection: refused.
    other = "rsa" if kind == "ecdsa" else "ecdsa"
    der = ssl.PEM_cert_to_DER_cert(certificates[other].read_text())
    with RawIMAP.connect_tls(server.host, server.imaps_port, context=ctx) as c:
        client = scramp.ScramClient(["SCRAM-SHA-256-PLUS"], ALICE, ALICE_PW,
                                    channel_binding=("tls-server-end-point", hashlib.sha256(der).digest()))
        resp, _ = scram_login(c, client)
        assert resp.status == "NO" and resp.code == "AUTHENTICATIONFAILED", resp


@pytest.mark.parametrize("listener", ["imaps", "starttls"])
def test_one_configured_certificate_is_served_to_every_client(tmp_path, listener):
    """With a single pair (`tls_cert` alone) there is nothing to choose: every client gets it, and
    SCRAM-SHA-256-PLUS binds to it, on IMAPS and after STARTTLS."""
    cert, key = make_server_pair(tmp_path, "single", kind="rsa")
    config = f'tls_cert = "{cert}"\ntls_key = "{key}"\n'
    with own_server(tmp_path, {ALICE: ALICE_PW}, config) as (p, imaps, imap, _):
        port, extra = (imaps, []) if listener == "imaps" else (imap, ["-starttls", "imap"])
        for args in ([], ["-tls1_2"], ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"]):
            assert served_fingerprint(port, *extra, *args, folder=tmp_path) == fingerprint(cert)
        if listener == "imaps":
            with RawIMAP.connect_tls("127.0.0.1", imaps, context=client_context(cert)) as c:
                assert "AUTH=SCRAM-SHA-256-PLUS" in c.greeting.text, c.greeting.text
                client = scramp.ScramClient(["SCRAM-SHA-256-PLUS"], ALICE, ALICE_PW,
                                            channel_binding=("tls-server-end-point", c.sock))
                resp, _ = scram_login(c, client)
                assert resp.status == "OK", resp
        else:
            with RawIMAP.connect_plain("127.0.0.1", imap) as c:
                c.starttls(context=client_context(cert))
                caps = c.command("c1 CAPABILITY").untagged[0].text
                assert "AUTH=SCRAM-SHA-256-PLUS" in caps, caps
                client = scramp.ScramClient(["SCRAM-SHA-256-PLUS"], ALICE, ALICE_PW,
                                            channel_binding=("tls-server-end-point", c.sock))
                resp, _ = scram_login(c, client)
                assert resp.status == "OK", resp
