"""QUOTA (RFC 9208) on a real `postern serve` (Postern only), with Python's imaplib and imapclient: the
default quota from the config file, OVERQUOTA at APPEND and COPY, SETQUOTA by an administrator, STATUS
DELETED-STORAGE, `postern user quota` beside the running server, and writers racing at the limit."""
from __future__ import annotations

import imaplib
import re
import threading

import imapclient
import pytest
from imapclient.imapclient import Quota

from conftest import ALICE, ALICE_PW, BOB, BOB_PW, run_cli
from helpers import own_server
from rawimap import make_context

pytestmark = pytest.mark.postern

MESSAGE = b"From: a@example.org\r\nSubject: quota\r\n\r\n" + b"x" * 2000 + b"\r\n"


@pytest.fixture
def quota_server(tmp_path):
    config = (f'default_quota_messages = 5\ndefault_quota_storage = "1M"\nquota_admins = ["{ALICE}"]\n'
              'trusted_networks = ["127.0.0.0/8"]\n')
    with own_server(tmp_path, {ALICE: ALICE_PW, BOB: BOB_PW}, config) as (p, port, _, cafile):
        yield p.data_dir, port, cafile


def login(port: int, cafile: str, user: str, password: str) -> imaplib.IMAP4_SSL:
    c = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=make_context(cafile), timeout=30)
    c.login(user, password)
    return c


def quota_of(c: imaplib.IMAP4_SSL) -> tuple[int, int]:
    """(messages used, messages limit) from GETQUOTAROOT INBOX."""
    typ, data = c.getquotaroot("INBOX")
    assert typ == "OK", data
    roots, quotas = data
    assert roots == [b'INBOX ""'], roots
    m = re.search(rb"MESSAGE (\d+) (\d+)", quotas[0])
    assert m, quotas
    return int(m.group(1)), int(m.group(2))


def test_default_quota_enforced_at_append_and_copy(quota_server):
    data, port, cafile = quota_server
    c = login(port, cafile, BOB, BOB_PW)
    try:
        typ, caps = c.capability()
        caps = caps[0].decode().split()
        for cap in ("QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "QUOTASET"):
            assert cap in caps, caps
        used, limit = quota_of(c)
        assert limit == 5
        for _ in range(limit - used):
            typ, resp = c.append("INBOX", None, None, MESSAGE)
            assert typ == "OK", resp
        typ, resp = c.append("INBOX", None, None, MESSAGE)
        assert typ == "NO" and b"[OVERQUOTA]" in resp[0], resp
        typ, data_ = c.getquota('""')
        assert typ == "OK" and b"STORAGE " in data_[0] and b"MESSAGE 5 5" in data_[0], data_
        c.select("INBOX")
        typ, resp = c.copy("1", "Archive")
        assert typ == "NO" and b"[OVERQUOTA]" in resp[0], resp
        # Deleting frees room; DELETED-STORAGE says how much first.
        c.store("1", "+FLAGS", "(\\Deleted)")
        typ, st = c.status("INBOX", "(DELETED DELETED-STORAGE)")
        assert typ == "OK", st
        m = re.search(rb"DELETED 1 DELETED-STORAGE (\d+)", st[0])
        assert m and int(m.group(1)) == (len(MESSAGE) + 1023) // 1024, st
        c.expunge()
        typ, resp = c.append("INBOX", None, None, MESSAGE)
        assert typ == "OK", resp
    finally:
        c.logout()


def test_copy_over_quota_answers_overquota(quota_server):
    data, port, cafile = quota_server
    c = imapclient.IMAPClient("127.0.0.1", port=port, ssl_context=make_context(cafile), timeout=30)
    try:
        c.login(BOB, BOB_PW)
        for _ in range(5 - c.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"]):
            c.append("INBOX", MESSAGE)
        c.select_folder("INBOX")
        with pytest.raises(imapclient.exceptions.IMAPClientError, match=r"OVERQUOTA"):
            c.copy([1], "Archive")
        c.move([1], "Archive")  # MOVE changes no usage: never refused
        assert c.folder_status("Archive", ["MESSAGES"])[b"MESSAGES"] == 1
    finally:
        c.logout()


def test_administrator_sets_quota_and_cli_beside_server(quota_server):
    data, port, cafile = quota_server
    admin = imapclient.IMAPClient("127.0.0.1", port=port, ssl_context=make_context(cafile), timeout=30)
    admin.login(ALICE, ALICE_PW)
    bob = login(port, cafile, BOB, BOB_PW)
    try:
        admin.set_quota([Quota(quota_root=BOB, resource="MESSAGE", usage=0, limit=2)])
        roots, quotas = admin.get_quota_root("INBOX")
        assert roots.quota_roots == [""], roots  # alice has the default quota
        assert [(q.resource, q.usage, q.limit) for q in quotas] == [("STORAGE", 0, 1024), ("MESSAGE", 0, 5)], quotas
        assert quota_of(bob)[1] == 2
        typ, resp = bob.setquota('""', "(MESSAGE 100)")
        assert typ == "NO" and b"[NOPERM]" in resp[0], resp
        # The CLI changes the same account while the server runs; the next APPEND sees it.
        r = run_cli("user", "quota", BOB, "--messages", "50", "--storage", "10M", "--data-dir", str(data))
        assert r.returncode == 0, r.stderr
        assert "messages: " in r.stdout and "limit 50" in r.stdout and "limit 10485760 bytes" in r.stdout, r.stdout
        assert quota_of(bob)[1] == 50
        r = run_cli("user", "quota", BOB, "--default", "--data-dir", str(data))
        assert r.returncode == 0 and "server default" in r.stdout, r.stdout
        assert quota_of(bob)[1] == 5
        for bad in (["--storage", "lots"], ["--messages", "-3"], ["--default", "--messages", "3"]):
            r = run_cli("user", "quota", BOB, *bad, "--data-dir", str(data))
            assert r.returncode != 0 and r.stderr.strip(), (bad, r.stdout, r.stderr)
            assert len(r.stderr.strip().splitlines()) <= 3, r.stderr
        r = run_cli("user", "quota", "nobody", "--data-dir", str(data))
        assert r.returncode != 0 and "no account named 'nobody'" in r.stderr, r.stderr
    finally:
        admin.logout()
        bob.logout()


def test_writers_racing_at_the_limit_never_pass_it(quota_server):
    data, port, cafile = quota_server
    r = run_cli("user", "quota", BOB, "--messages", "20", "--storage", "none", "--data-dir", str(data))
    assert r.returncode == 0, r.stderr
    outcomes: list[str] = []
    lock = threading.Lock()

    def writer() -> None:
        c = login(port, cafile, BOB, BOB_PW)
        try:
            for _ in range(5):
                typ, resp = c.append("INBOX", None, None, MESSAGE)
                assert typ == "OK" or b"[OVERQUOTA]" in resp[0], resp
                result = typ if typ == "OK" else "OVERQUOTA"
                with lock:
                    outcomes.append(result)
        finally:
            c.logout()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == 40
    c = login(port, cafile, BOB, BOB_PW)
    try:
        typ, st = c.status("INBOX", "(MESSAGES)")
        assert typ == "OK" and b"MESSAGES 20" in st[0], st
        assert outcomes.count("OK") == 20 and outcomes.count("OVERQUOTA") == 20, outcomes
        assert quota_of(c) == (20, 20)
    finally:
        c.logout()
