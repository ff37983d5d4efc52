"""AUTHENTICATE with SASL mechanisms against independent client code: SCRAM-SHA-256 and SCRAM-SHA-256-PLUS
(channel binding tls-server-end-point) with Python's scramp, LOGIN with curl and by hand, and their error
paths (RFC 9051 §6.2.2, RFC 5802, RFC 7677, RFC 5929, RFC 4959)."""
from __future__ import annotations

import base64
import shutil
import subprocess

import pytest
import scramp

from conftest import ALICE, ALICE_PW

pytestmark = pytest.mark.postern


def b64(data: bytes | str) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def challenge(resp) -> bytes:
    assert resp.continuation is not None, f"expected a continuation, got {resp}"
    return base64.b64decode(resp.continuation.raw[2:].strip())


def scram_login(c, client: scramp.ScramClient, tag: str = "s1", initial: bool = False):
    first = client.get_client_first()
    if initial:
        resp = c.command(f"{tag} AUTHENTICATE {client.mechanism_name} {b64(first)}", stop_at_continuation=True)
    else:
        resp = c.command(f"{tag} AUTHENTICATE {client.mechanism_name}", stop_at_continuation=True)
        assert challenge(resp) == b""
        c.sendline(b64(first))
        resp = c.read_until_tagged(tag, stop_at_continuation=True)
    if resp.continuation is None:
        return resp, None
    client.set_server_first(challenge(resp).decode())
    c.sendline(b64(client.get_client_final()))
    resp = c.read_until_tagged(tag, stop_at_continuation=True)
    if resp.continuation is None:
        return resp, None
    final = challenge(resp).decode()
    client.set_server_final(final)  # raises unless the server proved it knows the verifier
    c.sendline("")
    return c.read_until_tagged(tag), final


def test_capabilities_offer_scram_plus_login(server):
    with server.raw() as c:
        caps = c.command("c1 CAPABILITY").untagged[0].text
        for mech in ("AUTH=SCRAM-SHA-256-PLUS", "AUTH=SCRAM-SHA-256", "AUTH=PLAIN", "AUTH=LOGIN"):
            assert mech in caps, caps


@pytest.mark.parametrize("initial", [False, True], ids=["challenge", "sasl-ir"])
def test_scram_sha_256(server, initial):
    with server.raw() as c:
        client = scramp.ScramClient(["SCRAM-SHA-256"], ALICE, ALICE_PW)
        resp, final = scram_login(c, client, initial=initial)
        assert resp.status == "OK", resp
        assert final.startswith("v=")
        assert c.command("s2 SELECT INBOX").status == "OK"


def test_scram_sha_256_plus_binds_the_certificate(server):
    with server.raw() as c:
        client = scramp.ScramClient(["SCRAM-SHA-256-PLUS"], ALICE, ALICE_PW,
                                    channel_binding=("tls-server-end-point", c.sock))
        assert client.mechanism_name == "SCRAM-SHA-256-PLUS"
        resp, _ = scram_login(c, client)
        assert resp.status == "OK", resp
    # Binding data of another certificate: refused.
    with server.raw() as c:
        client = scramp.ScramClient(["SCRAM-SHA-256-PLUS"], ALICE, ALICE_PW,
                                    channel_binding=("tls-server-end-point", b"\x00" * 32))
        resp, _ = scram_login(c, client)
        assert resp.status == "NO" and resp.code == "AUTHENTICATIONFAILED", resp


def test_scram_wrong_password_and_unknown_user_look_alike(server):
    salts = []
    for user, password in [(ALICE, "wrong"), ("nobody-here", "x"), ("nobody-here", "y")]:
        with server.raw() as c:
            client = scramp.ScramClient(["SCRAM-SHA-256"], user, password)
            c.sendline(f"w1 AUTHENTICATE SCRAM-SHA-256 {b64(client.get_client_first())}")
            resp = c.read_until_tagged("w1", stop_at_continuation=True)
            server_first = challenge(resp).decode()
            salts.append(dict(kv.split("=", 1) for kv in server_first.split(","))["s"])
            client.set_server_first(server_first)
            c.sendline(b64(client.get_client_final()))
            resp = c.read_until_tagged("w1")
            assert resp.status == "NO" and resp.code == "AUTHENTICATIONFAILED", resp
    assert salts[1] == salts[2] != salts[0], "an unknown user gets a stable salt of its own"


def test_scram_downgrade_and_bad_messages(server):
    with server.raw() as c:
        # "y": the client could bind but believes the server cannot; this server can.
        resp = c.command(f"d1 AUTHENTICATE SCRAM-SHA-256 {b64('y,,n=alice,r=abcdef')}")
        assert resp.status == "NO", resp
        resp = c.command(f"d2 AUTHENTICATE SCRAM-SHA-256 {b64('n,,m=x,n=alice,r=abc')}")
        assert resp.status == "BAD", resp
        resp = c.command(f"d3 AUTHENTICATE SCRAM-SHA-256 {b64('n,a=bob,n=alice,r=abc')}")
        assert resp.status == "NO" and resp.code == "AUTHORIZATIONFAILED", resp
        resp = c.command("d4 AUTHENTICATE SCRAM-SHA-256 !!notbase64", timeout=5)
        assert resp.status == "BAD", resp
        # Cancelled half-way.
        resp = c.command("d5 AUTHENTICATE SCRAM-SHA-256", stop_at_continuation=True)
        c.sendline("*")
        assert c.read_until_tagged("d5").status == "BAD"
        assert c.command("d6 NOOP").status == "OK"


def test_login_mechanism_by_hand(server):
    with server.raw() as c:
        resp = c.command("l1 AUTHENTICATE LOGIN", stop_at_continuation=True)
        assert challenge(resp) == b"Username:"
        c.sendline(b64(ALICE))
        assert challenge(c.read_until_tagged("l1", stop_at_continuation=True)) == b"Password:"
        c.sendline(b64(ALICE_PW))
        assert c.read_until_tagged("l1").status == "OK"
    with server.raw() as c:
        resp = c.command(f"l2 AUTHENTICATE LOGIN {b64(ALICE)}", stop_at_continuation=True)
        assert challenge(resp) == b"Password:"
        c.sendline(b64("wrong"))
        resp = c.read_until_tagged("l2")
        assert resp.status == "NO" and resp.code == "AUTHENTICATIONFAILED", resp


def test_curl_auth_login(server):
    if shutil.which("curl") is None:
        pytest.fail("curl is not installed (apt-get install curl)")
    out = subprocess.run(
        ["curl", "-sS", "--cacert", server.cafile, "--login-options", "AUTH=LOGIN",
         "--user", f"{ALICE}:{ALICE_PW}", f"imaps://127.0.0.1:{server.imaps_port}/", "-X", "NOOP"],
        capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
