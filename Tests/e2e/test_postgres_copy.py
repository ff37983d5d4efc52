"""`postern store copy`: a data folder with mail made through IMAP, copied into PostgreSQL and served
by a node there with the same mailboxes, UIDVALIDITYs, UIDs, flags and texts. Needs
POSTERN_TEST_POSTGRES_URL (see pghelpers)."""
from __future__ import annotations

import hashlib
import imaplib
import re
import ssl

import pytest

from conftest import PosternProcess, run_cli
from pghelpers import Node, first_start_password, fresh_store, require_database

pytestmark = pytest.mark.postern

# More than one batch of the copy (StoreCopier.batchMessages) in INBOX, besides the welcome message.
INBOX_MESSAGES = 70
# INBOX after the expunge of 7 messages, Projects/2026's 3.
KEPT = 1 + INBOX_MESSAGES - 7
TOTAL = KEPT + 3


# imaplib has no METADATA (RFC 5464) commands of its own.
imaplib.Commands.setdefault("GETMETADATA", ("AUTH", "SELECTED"))
imaplib.Commands.setdefault("SETMETADATA", ("AUTH", "SELECTED"))


def metadata(client: imaplib.IMAP4_SSL, mailbox: str) -> list:
    """Every METADATA entry of the mailbox ("" for the server) as the server writes them."""
    typ, data = client._simple_command("GETMETADATA", "(DEPTH infinity)", f'"{mailbox}"', "(/private /shared)")
    assert typ == "OK", data
    return client._untagged_response(typ, data, "METADATA")[1]


def state(client: imaplib.IMAP4_SSL) -> dict:
    """Every mailbox: UIDVALIDITY, and per UID the flags and SHA-256 of the text, and its METADATA
    entries; the subscriptions and the server's METADATA entries."""
    typ, listed = client.list()
    assert typ == "OK", listed
    result: dict = {"subscribed": sorted(client.lsub()[1]), "server metadata": metadata(client, "")}
    for line in listed:
        name = re.search(rb'"/" (.+)$', line).group(1).strip(b'"').decode()
        if b"\\Noselect" in line:
            result[name] = "noselect"
            continue
        typ, _ = client.select(f'"{name}"', readonly=True)
        assert typ == "OK", name
        validity = client.response("UIDVALIDITY")[1][0]
        messages = {}
        typ, data = client.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
        assert typ == "OK", data
        for item in data:
            if not isinstance(item, tuple):
                continue
            uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
            # \Recent belongs to a session, not to the message.
            flags = sorted(f for f in re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).split() if f != b"\\Recent")
            messages[uid] = (flags, hashlib.sha256(item[1]).hexdigest())
        result[name] = (validity, messages, metadata(client, name))
    return result


def make_mail(client: imaplib.IMAP4_SSL) -> None:
    assert client.create("Projects/2026")[0] == "OK"
    assert client.subscribe("Projects/2026")[0] == "OK"
    assert client.unsubscribe("Junk")[0] == "OK"
    for i in range(INBOX_MESSAGES):
        flags = ["(\\Seen)", "(\\Flagged $Important)", None, "(\\Answered \\Seen)"][i % 4]
        body = f"Subject: message {i}\r\nMessage-ID: <m{i}@example.org>\r\n\r\n" + "line\r\n" * (i * 7)
        assert client.append("INBOX", flags, None, body.encode())[0] == "OK"
    client.select("INBOX")
    assert client.store("3:9", "+FLAGS", "(\\Deleted)")[0] == "OK"
    assert client.expunge()[0] == "OK"
    assert client.store("1", "+FLAGS", "(Custom-Keyword)")[0] == "OK"
    for i in range(3):
        assert client.append("Projects/2026", None, None, f"Subject: p{i}\r\n\r\nproject\r\n".encode())[0] == "OK"
    for mailbox, entries in (("", '(/shared/admin "mailto:admin@example.org" /private/vendor/x "1")'),
                             ("Projects/2026", '(/private/comment "kept across stores")')):
        typ, data = client._simple_command("SETMETADATA", f'"{mailbox}"', entries)
        assert typ == "OK", data


def test_data_folder_copied_to_postgres_is_served_the_same(tmp_path):
    store = fresh_store()
    source = tmp_path / "source"
    server = PosternProcess(source)
    try:
        ports = server.wait_ready()
        password = first_start_password(server)
        assert password, server.output()
        context = ssl.create_default_context(cafile=str(source / "tls" / "cert.pem"))
        context.check_hostname = False
        client = imaplib.IMAP4_SSL("127.0.0.1", ports["imaps"], ssl_context=context, timeout=30)
        client.login("postmaster", password)
        make_mail(client)
        before = state(client)
        assert b'/shared/admin "mailto:admin@example.org"' in before["server metadata"][0], before
        assert b"kept across stores" in before["Projects/2026"][2][0], before
        client.logout()
    finally:
        server.stop()
    r = run_cli("user", "app-password", "add", "postmaster", "phone", "--data-dir", str(source))
    assert r.returncode == 0, r.stderr
    app = re.search(r"^password: (\S+)$", r.stdout, re.M).group(1)
    assert run_cli("user", "quota", "postmaster", "--messages", "500", "--data-dir", str(source)).returncode == 0
    script = tmp_path / "s.sieve"
    script.write_text("keep;\n")
    assert run_cli("sieve", "put", "postmaster", "main", str(script), "--activate",
                   "--data-dir", str(source)).returncode == 0

    r = run_cli("store", "copy", "--from", str(source), "--to", store, timeout=300)
    assert r.returncode == 0, r.stderr
    assert re.match(rf"copied 1 accounts, 8 mailboxes, {TOTAL} messages \(.* MB\) in .* s; verified$", r.stdout.strip()), \
        r.stdout
    assert "postern: store copy: account postmaster (1 of 1)" in r.stderr, r.stderr
    assert f"postern: store copy:   INBOX: {KEPT} messages" in r.stderr, r.stderr

    # Into a target with accounts: refused, and with --allow-non-empty the same name is refused too.
    r = run_cli("store", "copy", "--from", str(source), "--to", store)
    assert r.returncode == 2 and "already has 1 account(s)" in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
    r = run_cli("store", "copy", "--from", str(source), "--to", store, "--allow-non-empty")
    assert r.returncode == 2 and r.stderr.strip() == "postern: the target already has an account named 'postmaster'"

    root = tmp_path / "nodes"
    root.mkdir()
    node = Node(root, "pg", store)
    try:
        assert "Accounts already exist" in "\n".join(node.process.stdout), node.process.output()
        client = node.imaps("postmaster", password)
        assert state(client) == before
        typ, data = client.getquotaroot("INBOX")
        assert typ == "OK" and f"MESSAGE {TOTAL} 500".encode() in data[1][0], data
        client.logout()
        node.imaps("postmaster", app).logout()
        r = run_cli("sieve", "list", "postmaster", "--store", store, "--data-dir", str(root / "cli"))
        assert r.stdout == "main\tactive\n", (r.stdout, r.stderr)
        # New mail after the move takes the next UID of the mailbox.
        client = node.imaps("postmaster", password)
        typ, data = client.append("INBOX", None, None, b"Subject: after the move\r\n\r\nnew\r\n")
        assert typ == "OK" and f" {INBOX_MESSAGES + 2}]".encode() in data[0], data
        client.logout()
    finally:
        node.process.stop()


def test_copy_refuses_what_is_not_a_data_folder_or_a_postgres_url(tmp_path):
    require_database()
    r = run_cli("store", "copy", "--from", str(tmp_path / "nothing"), "--to", fresh_store())
    assert r.returncode == 2 and r.stderr.strip() == f"postern: --from {tmp_path / 'nothing'}: no Postern data folder there"
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "postern.sqlite").write_bytes(b"")
    r = run_cli("store", "copy", "--from", str(tmp_path / "d"), "--to", str(tmp_path / "elsewhere"))
    assert r.returncode == 2 and "not a postgresql:// URL" in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
