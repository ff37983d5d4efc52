"""curl (libcurl's IMAP client) against the live server."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from helpers import append, make_message, ok, select, fetch


def curl(server, url: str, *extra: str, user=None, password=None, timeout=60):
    exe = shutil.which("curl")
    if not exe:
        pytest.fail("curl is not installed (apt-get install curl)")
    args = [exe, "-sS", "--max-time", "30", "--cacert", server.cafile,
            "-u", f"{user or server.user}:{password if password is not None else server.password}", *extra, url]
    return subprocess.run(args, capture_output=True, timeout=timeout)


@pytest.fixture
def curlbox(server, imap, mbox):
    ok(imap.create(mbox))
    msg = make_message("Hello from curl test", body="curl body line\r\n")
    append(imap, mbox, msg)
    select(imap, mbox)
    uid = fetch(imap, "1", "(UID)")[1][b"UID"]
    return mbox, uid, msg


def test_curl_fetch_by_uid(server, curlbox):
    mbox, uid, msg = curlbox
    r = curl(server, f"imaps://{server.host}:{server.imaps_port}/{mbox};UID={uid}")
    assert r.returncode == 0, r.stderr
    assert r.stdout.replace(b"\r\n", b"\n") == msg.replace(b"\r\n", b"\n")


def test_curl_fetch_header_section(server, curlbox):
    mbox, uid, msg = curlbox
    r = curl(server, f"imaps://{server.host}:{server.imaps_port}/{mbox};UID={uid};SECTION=HEADER")
    assert r.returncode == 0, r.stderr
    assert b"Subject: Hello from curl test" in r.stdout
    assert b"curl body line" not in r.stdout


def test_curl_lists_mailboxes(server, curlbox):
    mbox, _, _ = curlbox
    r = curl(server, f"imaps://{server.host}:{server.imaps_port}/")
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "* LIST" in out and "INBOX" in out and mbox in out, out


def test_curl_custom_command_examine(server, curlbox):
    mbox, _, _ = curlbox
    r = curl(server, f"imaps://{server.host}:{server.imaps_port}/", "-X", f"EXAMINE {mbox}")
    assert r.returncode == 0, r.stderr
    assert b"1 EXISTS" in r.stdout, r.stdout


def test_curl_starttls_ssl_reqd(server, curlbox):
    mbox, uid, msg = curlbox
    r = curl(server, f"imap://{server.host}:{server.imap_port}/{mbox};UID={uid}", "--ssl-reqd")
    assert r.returncode == 0, r.stderr
    assert b"curl body line" in r.stdout


def test_curl_wrong_password(server, curlbox):
    r = curl(server, f"imaps://{server.host}:{server.imaps_port}/", password="wrong")
    assert r.returncode == 67, (r.returncode, r.stderr)  # CURLE_LOGIN_DENIED


def test_curl_untrusted_cert_fails(server):
    exe = shutil.which("curl") or pytest.fail("curl is not installed")
    r = subprocess.run([exe, "-sS", "--max-time", "20", "-u", f"{server.user}:{server.password}",
                        f"imaps://{server.host}:{server.imaps_port}/"], capture_output=True, timeout=60)
    assert r.returncode in (35, 60), (r.returncode, r.stderr)  # TLS / peer cert verification failure
