"""App passwords on a real `postern serve` (Postern only): made, listed and revoked with `postern user
app-password` while the server runs; each logs in with LOGIN (imaplib) and SCRAM-SHA-256 (scramp) like the
account's password; a revoked one is refused while the others keep working; a new account password made
with `postern user passwd` keeps them."""
from __future__ import annotations

import imaplib
import re
import socket

import pytest
import scramp

from conftest import ALICE, ALICE_PW, run_cli
from helpers import own_server
from rawimap import RawIMAP, make_context
from test_sasl import scram_login

pytestmark = pytest.mark.postern


@pytest.fixture
def app_server(tmp_path):
    with own_server(tmp_path, {ALICE: ALICE_PW}, 'trusted_networks = ["127.0.0.0/8"]\n') as (p, port, _, cafile):
        yield p.data_dir, port, cafile


def add_app_password(data, label: str) -> str:
    r = run_cli("user", "app-password", "add", ALICE, label, "--data-dir", str(data))
    assert r.returncode == 0, r.stderr
    m = re.search(r"^password: (\S+)$", r.stdout, re.M)
    assert m and f"created app password '{label}'" in r.stdout, r.stdout
    return m.group(1)


def can_login(port: int, cafile: str, password: str) -> bool:
    c = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=make_context(cafile), timeout=30)
    try:
        c.login(ALICE, password)
        c.logout()
        return True
    except imaplib.IMAP4.error as e:
        assert "AUTHENTICATIONFAILED" in str(e), e
        return False


def scram_ok(port: int, cafile: str, password: str) -> bool:
    raw = socket.create_connection(("127.0.0.1", port), timeout=30)
    with RawIMAP(make_context(cafile).wrap_socket(raw, server_hostname="127.0.0.1"), timeout=30) as c:
        c.greeting = c.read_line()
        resp, final = scram_login(c, scramp.ScramClient(["SCRAM-SHA-256"], ALICE, password))
        return resp.status == "OK" and final is not None


def test_app_passwords_log_in_until_revoked(app_server):
    data, port, cafile = app_server
    phone = add_app_password(data, "phone")
    laptop = add_app_password(data, "laptop")
    assert phone != laptop
    r = run_cli("user", "app-password", "list", ALICE, "--data-dir", str(data))
    assert r.returncode == 0 and [line.split("\t")[0] for line in r.stdout.splitlines()] == ["laptop", "phone"], r
    assert phone not in r.stdout and laptop not in r.stdout
    for password in (ALICE_PW, phone, laptop):
        assert can_login(port, cafile, password)
        assert scram_ok(port, cafile, password)
    assert not can_login(port, cafile, "not-a-password")
    assert not scram_ok(port, cafile, "not-a-password")

    r = run_cli("user", "app-password", "revoke", ALICE, "phone", "--data-dir", str(data))
    assert r.returncode == 0, r.stderr
    assert not can_login(port, cafile, phone)
    assert not scram_ok(port, cafile, phone)
    assert can_login(port, cafile, laptop) and can_login(port, cafile, ALICE_PW)

    # A new account password keeps the app passwords.
    r = run_cli("user", "passwd", ALICE, "--password-stdin", "--data-dir", str(data), input="new main pw\n")
    assert r.returncode == 0 and "revoked" not in r.stdout, r
    assert can_login(port, cafile, "new main pw") and not can_login(port, cafile, ALICE_PW)
    assert can_login(port, cafile, laptop) and scram_ok(port, cafile, laptop)


def test_app_password_cli_errors(app_server):
    data, port, cafile = app_server
    add_app_password(data, "tablet")
    cases = [
        (["add", ALICE, "tablet"], "already has an app password"),
        (["add", ALICE, "bad/label"], "invalid label"),
        (["add", "nobody", "x"], "no account named 'nobody'"),
        (["revoke", ALICE, "tv"], "has no app password"),
        (["list", "nobody"], "no account named 'nobody'"),
    ]
    for args, message in cases:
        r = run_cli("user", "app-password", *args, "--data-dir", str(data))
        assert r.returncode != 0 and message in r.stderr, (args, r.stdout, r.stderr)
        assert "password:" not in r.stdout
