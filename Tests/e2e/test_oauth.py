"""OAUTHBEARER (RFC 7628) and XOAUTH2 against a real `postern serve` configured with a JWKS file (Postern
only): JWTs made here with PyJWT (RS256 and ES256), logins by curl (`--oauth2-bearer`), Python's imaplib
and a raw client, the error challenge of a refused token, another user's token, the JWKS file read again
when it changes, and the configuration's checks. Tokens never appear in the server's log."""
from __future__ import annotations

import base64
import imaplib
import itertools
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from conftest import POSTERN_BIN, PosternProcess, add_user, require_binary
from sievehelpers import RawSieve
from rawimap import RawIMAP, make_context

pytestmark = pytest.mark.postern

ISSUER = "https://id.example.test"
AUDIENCE = "postern-imap"
ALICE = "alice@example.test"
BOB = "bob@example.test"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
# The server looks at its JWKS file every 2 s; a reload must show within this many seconds.
RELOAD_WAIT = 15.0
# Each test connects from its own loopback address, so the throttle's count of one test's refused tokens
# does not slow the next.
ADDRESSES = (f"127.0.0.{n}" for n in itertools.count(20))


def jwk(key, kid: str) -> dict:
    if isinstance(key, rsa.RSAPrivateKey):
        out = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        out["alg"] = "RS256"
    else:
        out = json.loads(ECAlgorithm.to_jwk(key.public_key()))
        out["alg"] = "ES256"
    out.update(kid=kid, use="sig")
    return out


def write_jwks(path: Path, keys: list[dict]) -> None:
    """Replaces the file at once (a rename), as a key rotation job would."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"keys": keys}))
    os.replace(tmp, path)


def token(key=RSA_KEY, kid: str = "rsa1", email: str = ALICE, lifetime: int = 600, **changes) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u-1", "email": email, "iat": now, "exp": now + lifetime}
    claims.update(changes)
    return jwt.encode(claims, key, algorithm="RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256",
                      headers={"kid": kid})


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def oauthbearer(tok: str, user: str | None = None) -> str:
    return b64(f"n,{'a=' + user if user else ''},\x01host=127.0.0.1\x01port=993\x01auth=Bearer {tok}\x01\x01")


def xoauth2(tok: str, user: str) -> str:
    return f"user={user}\x01auth=Bearer {tok}\x01\x01"


class SourcedIMAP4_SSL(imaplib.IMAP4_SSL):
    """imaplib's IMAPS client, connecting from a chosen loopback address."""

    def __init__(self, source: str, port: int, cafile: str):
        self.source = source
        super().__init__("127.0.0.1", port, ssl_context=ssl.create_default_context(cafile=cafile), timeout=30)

    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


class OAuthServer:
    def __init__(self, process: PosternProcess, port: int, cafile: str, jwks: Path, sieve_port: int = 0):
        self.process, self.port, self.cafile, self.jwks = process, port, cafile, jwks
        self.sieve_port = sieve_port
        self.source = "127.0.0.1"

    def raw(self) -> RawIMAP:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30, source_address=(self.source, 0))
        c = RawIMAP(make_context(self.cafile).wrap_socket(sock, server_hostname="127.0.0.1"), timeout=30)
        c.greeting = c.read_line()
        return c

    def imaplib(self) -> imaplib.IMAP4_SSL:
        return SourcedIMAP4_SSL(self.source, self.port, self.cafile)

    def curl(self, tok: str, user: str = ALICE, *extra: str) -> subprocess.CompletedProcess:
        exe = shutil.which("curl")
        if not exe:
            pytest.fail("curl is not installed (apt-get install curl)")
        return subprocess.run([exe, "-sS", "-v", "--max-time", "30", "--cacert", self.cafile, "--interface",
                               self.source, "--user", f"{user}:", "--oauth2-bearer", tok, *extra,
                               f"imaps://127.0.0.1:{self.port}/"], capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def oauth_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("oauth")
    data = base / "data"
    data.mkdir()
    add_user(data, ALICE, "alice-pw 1")
    add_user(data, BOB, "bob-pw 2")
    jwks = base / "jwks.json"
    write_jwks(jwks, [jwk(RSA_KEY, "rsa1"), jwk(EC_KEY, "ec1")])
    p = PosternProcess(data, ["--oauth-jwks-file", str(jwks), "--oauth-issuer", ISSUER,
                              "--oauth-audience", AUDIENCE])
    try:
        ports = p.wait_ready()
        server = OAuthServer(p, ports["imaps"], str(data / "tls" / "cert.pem"), jwks, ports.get("managesieve", 0))
        yield server
    finally:
        p.stop()


@pytest.fixture
def oauth(oauth_server):
    oauth_server.source = next(ADDRESSES)
    return oauth_server


def test_mechanisms_are_advertised(oauth):
    with oauth.raw() as c:
        caps = c.command("c1 CAPABILITY").untagged[0].text
        assert "AUTH=OAUTHBEARER" in caps and "AUTH=XOAUTH2" in caps, caps


def test_curl_picks_oauthbearer(oauth):
    r = oauth.curl(token())
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    assert b"INBOX" in r.stdout, r.stdout
    assert b"AUTHENTICATE OAUTHBEARER" in r.stderr, r.stderr


def test_curl_with_an_es256_token(oauth):
    # curl 7.88 still picks OAUTHBEARER with `--login-options AUTH=XOAUTH2` while both are offered, so
    # XOAUTH2's independent client is imaplib (below).
    r = oauth.curl(token(EC_KEY, "ec1", email=BOB), BOB)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    assert b"AUTHENTICATE OAUTHBEARER" in r.stderr and b"INBOX" in r.stdout, r.stderr


def test_curl_with_an_expired_token_is_refused(oauth):
    expired = token(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    r = oauth.curl(expired)
    assert r.returncode != 0, r.stdout
    assert b"AUTHENTICATIONFAILED" in r.stderr, r.stderr


def test_imaplib_xoauth2(oauth):
    with oauth.imaplib() as m:
        typ, data = m.authenticate("XOAUTH2", lambda _: xoauth2(token(), ALICE).encode())
        assert typ == "OK", data
        typ, data = m.select("INBOX")
        assert typ == "OK", data


def test_imaplib_xoauth2_refused_token_gets_the_json_error(oauth):
    challenges = []
    wrong_audience = token(aud="someone-else")

    def answer(challenge: bytes) -> bytes:
        # The first (empty) challenge asks for the message; the JSON error is answered by an empty line.
        challenges.append(challenge)
        return b"" if challenge else xoauth2(wrong_audience, ALICE).encode()

    with oauth.imaplib() as m:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            m.authenticate("XOAUTH2", answer)
    assert challenges[0] == b"" and json.loads(challenges[1]) == {"status": "401", "schemes": "bearer"}, challenges


def test_raw_oauthbearer_error_flow(oauth):
    with oauth.raw() as c:
        r = c.command(f"a1 AUTHENTICATE OAUTHBEARER {oauthbearer(token(iss='https://evil.example'), ALICE)}",
                      stop_at_continuation=True)
        assert r.continuation is not None, r
        error = json.loads(base64.b64decode(r.continuation.raw[2:].strip()))
        assert error == {"status": "invalid_token",
                         "openid-configuration": f"{ISSUER}/.well-known/openid-configuration"}, error
        c.sendline("AQ==")
        r = c.read_until_tagged("a1")
        assert r.tagged.status == "NO" and r.tagged.code == "AUTHENTICATIONFAILED", r
        # The same connection then logs in with a good token, without naming the user.
        r = c.command(f"a2 AUTHENTICATE OAUTHBEARER {oauthbearer(token(EC_KEY, 'ec1'))}")
        assert r.tagged.status == "OK", r
        assert c.command("a3 SELECT INBOX").tagged.status == "OK"


def test_another_users_token_is_an_authorization_failure(oauth):
    with oauth.raw() as c:
        r = c.command(f"a1 AUTHENTICATE XOAUTH2 {b64(xoauth2(token(), BOB))}")
        assert r.tagged.status == "NO" and r.tagged.code == "AUTHORIZATIONFAILED", r
        r = c.command(f"a2 AUTHENTICATE OAUTHBEARER {oauthbearer(token(email=BOB), 'ALICE@example.test')}")
        assert r.tagged.code == "AUTHORIZATIONFAILED", r
        r = c.command(f"a3 AUTHENTICATE OAUTHBEARER {oauthbearer(token(kid='unknown'), ALICE)}",
                      stop_at_continuation=True)
        assert r.continuation is not None, r
        c.sendline("*")
        assert c.read_until_tagged("a3").tagged.status == "BAD"


def test_jwks_file_is_read_again_when_it_changes(oauth):
    new_key = ec.generate_private_key(ec.SECP256R1())
    fresh = token(new_key, "ec2")
    with oauth.raw() as c:
        r = c.command(f"a1 AUTHENTICATE OAUTHBEARER {oauthbearer(fresh)}", stop_at_continuation=True)
        assert r.continuation is not None, r
        c.sendline("AQ==")
        assert c.read_until_tagged("a1").tagged.code == "AUTHENTICATIONFAILED"
    write_jwks(oauth.jwks, [jwk(RSA_KEY, "rsa1"), jwk(EC_KEY, "ec1"), jwk(new_key, "ec2")])
    _wait_for_log(oauth, "JWKS reloaded", 1)
    assert _logs_in(oauth, fresh)
    # A broken file keeps the keys in use, and is reported in one log line.
    oauth.jwks.write_text('{"keys": [')
    _wait_for_log(oauth, "JWKS not reloaded", 1)
    assert _logs_in(oauth, token(new_key, "ec2"))
    time.sleep(2 * 2 + 1)
    assert _log(oauth).count("JWKS not reloaded") == 1, _log(oauth)
    write_jwks(oauth.jwks, [jwk(RSA_KEY, "rsa1"), jwk(EC_KEY, "ec1")])
    _wait_for_log(oauth, "JWKS reloaded", 2)
    assert not _logs_in(oauth, fresh)


def test_failures_are_logged_without_the_token(oauth):
    bad = token(exp=int(time.time()) - 3600)
    with oauth.raw() as c:
        c.command(f"a1 AUTHENTICATE OAUTHBEARER {oauthbearer(bad)}", stop_at_continuation=True)
        c.sendline("AQ==")
        c.read_until_tagged("a1")
    time.sleep(0.3)
    log = _log(oauth)
    lines = [l for l in log.splitlines() if "authentication failed" in l and "mechanism=OAUTHBEARER" in l]
    assert any(f"account={ALICE}" in l and "reason=invalid token: expired" in l for l in lines), lines
    assert bad not in log and bad.split(".")[2] not in log


def test_half_configured_oauth_does_not_start(tmp_path):
    require_binary()
    r = subprocess.run([POSTERN_BIN, "serve", "--data-dir", str(tmp_path / "d"), "--imaps", "127.0.0.1:0",
                        "--imap", "off", "--oauth-issuer", ISSUER], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "oauth_jwks_file" in r.stderr, (r.returncode, r.stderr)
    jwks = tmp_path / "jwks.json"
    jwks.write_text("{}")
    r = subprocess.run([POSTERN_BIN, "serve", "--data-dir", str(tmp_path / "d"), "--imaps", "127.0.0.1:0",
                        "--imap", "off", "--oauth-issuer", ISSUER, "--oauth-audience", AUDIENCE,
                        "--oauth-jwks-file", str(jwks)], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "not a JWKS document" in r.stderr, (r.returncode, r.stderr)


def test_toml_config_with_another_account_claim(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, "carol", "carol-pw 3")
    jwks = tmp_path / "jwks.json"
    write_jwks(jwks, [jwk(RSA_KEY, "rsa1")])
    config = tmp_path / "postern.toml"
    config.write_text(f'oauth_jwks_file = "{jwks}"\noauth_issuer = "{ISSUER}"\noauth_audience = "{AUDIENCE}"\n'
                      'oauth_account_claim = "preferred_username"\noauth_scope = "imap"\n')
    p = PosternProcess(data, ["--config", str(config)])
    try:
        port = p.wait_ready()["imaps"]
        server = OAuthServer(p, port, str(data / "tls" / "cert.pem"), jwks)
        with server.raw() as c:
            r = c.command(f"a1 AUTHENTICATE OAUTHBEARER {oauthbearer(token(preferred_username='carol'))}")
            assert r.tagged.status == "OK", r
        with server.raw() as c:
            r = c.command(f"a1 AUTHENTICATE XOAUTH2 {b64(xoauth2(token(), 'carol'))}", stop_at_continuation=True)
            assert json.loads(base64.b64decode(r.continuation.raw[2:].strip())) == {
                "status": "401", "schemes": "bearer", "scope": "imap"}, r
    finally:
        p.stop()


def _log(oauth: OAuthServer) -> str:
    """The server's whole log so far (standard error)."""
    return "\n".join(list(oauth.process.stderr))


def _wait_for_log(oauth: OAuthServer, text: str, count: int) -> None:
    deadline = time.monotonic() + RELOAD_WAIT
    while _log(oauth).count(text) < count:
        assert time.monotonic() < deadline, f"no {count}x {text!r} in the log:\n" + oauth.process.output()
        time.sleep(0.2)


def _logs_in(oauth: OAuthServer, tok: str) -> bool:
    with oauth.raw() as c:
        r = c.command(f"t AUTHENTICATE OAUTHBEARER {oauthbearer(tok)}", stop_at_continuation=True)
        if r.continuation is not None:
            c.sendline("AQ==")
            r = c.read_until_tagged("t")
        return r.tagged.status == "OK"


def managesieve(oauth) -> RawSieve:
    """A ManageSieve connection of the OAuth server, after STARTTLS; its capabilities in `.capabilities`."""
    assert oauth.sieve_port, "serve must announce its managesieve listener"
    c = RawSieve.connect(oauth.sieve_port)
    c.capabilities = c.starttls(oauth.cafile)
    return c


def test_managesieve_offers_and_takes_bearer_tokens(oauth):
    c = managesieve(oauth)
    try:
        sasl = [line for line in c.capabilities.items if line.startswith(b'"SASL"')]
        assert sasl and b"OAUTHBEARER" in sasl[0] and b"XOAUTH2" in sasl[0], c.capabilities
        r = c.command(f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(token(), ALICE)}"')
        assert r.status == "OK", r
        assert c.command("LISTSCRIPTS").status == "OK"
    finally:
        c.close()
    c = managesieve(oauth)
    try:
        r = c.command(f'AUTHENTICATE "XOAUTH2" "{b64(xoauth2(token(EC_KEY, "ec1", email=BOB), BOB))}"')
        assert r.status == "OK", r
    finally:
        c.close()


def test_managesieve_refused_token_gets_the_error_challenge(oauth):
    c = managesieve(oauth)
    try:
        c.send(f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(token(iss="https://evil.example"), ALICE)}"\r\n'.encode())
        challenge = c.item()
        error = json.loads(base64.b64decode(challenge.strip(b'"')))
        assert error["status"] == "invalid_token", error
        c.send(b'"AQ=="\r\n')
        r = c.response()
        assert r.status == "NO", r
        # The same connection then logs in with a good token, without naming the user.
        assert c.command(f'AUTHENTICATE "OAUTHBEARER" "{oauthbearer(token())}"').status == "OK"
    finally:
        c.close()
