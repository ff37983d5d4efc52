"""imapclient (a second, independent client library) against the live server."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from helpers import make_message


@pytest.fixture
def client(server):
    c = IMAPClient(server.host, port=server.imaps_port, ssl=True, ssl_context=server.ssl_context(), timeout=20)
    c.login(server.user, server.password)
    yield c
    try:
        c.logout()
    except Exception:
        pass


def test_login_and_capabilities(client):
    caps = client.capabilities()
    assert b"IMAP4REV1" in caps
    assert client.has_capability("IMAP4rev1")


def test_bad_login_raises(server):
    c = IMAPClient(server.host, port=server.imaps_port, ssl=True, ssl_context=server.ssl_context(), timeout=20)
    with pytest.raises(LoginError):
        c.login(server.user, "wrong")
    c.shutdown()


def test_starttls(server):
    c = IMAPClient(server.host, port=server.imap_port, ssl=False, timeout=20)
    assert c.has_capability("STARTTLS")
    c.starttls(server.ssl_context())
    c.login(server.user, server.password)
    assert not c.has_capability("STARTTLS")
    c.logout()


def test_folders_flow(client, mbox):
    client.create_folder(mbox)
    client.create_folder(f"{mbox}/sub")
    assert client.folder_exists(mbox)
    names = [n for _, _, n in client.list_folders("", f"{mbox}*")]
    assert sorted(names) == [mbox, f"{mbox}/sub"]
    delim = client.list_folders("", mbox)[0][1]
    assert delim == b"/"
    client.rename_folder(f"{mbox}/sub", f"{mbox}/renamed")
    assert client.folder_exists(f"{mbox}/renamed") and not client.folder_exists(f"{mbox}/sub")
    client.subscribe_folder(mbox)
    assert mbox in [n for _, _, n in client.list_sub_folders("", f"{mbox}*")]
    client.unsubscribe_folder(mbox)
    assert mbox not in [n for _, _, n in client.list_sub_folders("", f"{mbox}*")]
    client.delete_folder(f"{mbox}/renamed")
    assert not client.folder_exists(f"{mbox}/renamed")


def test_append_select_fetch(client, mbox):
    client.create_folder(mbox)
    msg = make_message("imapclient subject", body="imapclient body\r\n")
    when = datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    client.append(mbox, msg, flags=[b"\\Flagged", b"$Custom"], msg_time=when)
    info = client.select_folder(mbox)
    assert info[b"EXISTS"] == 1
    assert info[b"UIDVALIDITY"] > 0
    assert info.get(b"READ-WRITE", True)
    uids = client.search("ALL")
    assert len(uids) == 1
    r = client.fetch(uids, ["FLAGS", "RFC822.SIZE", "INTERNALDATE", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]",
                            "BODY.PEEK[]"])[uids[0]]
    assert set(r[b"FLAGS"]) >= {b"\\Flagged", b"$Custom"}
    assert r[b"RFC822.SIZE"] == len(msg)
    assert r[b"BODY[]"] == msg
    hf = [v for k, v in r.items() if k.startswith(b"BODY[HEADER.FIELDS")]
    assert hf == [b"Subject: imapclient subject\r\n\r\n"]
    got = r[b"INTERNALDATE"]
    if got.tzinfo is None:
        got = got.astimezone(timezone.utc) if False else got.replace(tzinfo=None)
        assert got == when.astimezone().replace(tzinfo=None)
    else:
        assert got == when


def test_multiappend(client, mbox):
    """imapclient's MULTIAPPEND puts two spaces between messages without flags or date: accepted."""
    client.create_folder(mbox)
    msgs = [make_message(f"multi {i}", body=f"body {i}\r\n") for i in range(3)]
    client.multiappend(mbox, msgs)
    flagged = {"msg": make_message("multi flagged"), "flags": [b"\\Flagged"]}
    client.multiappend(mbox, [msgs[0], flagged])
    client.select_folder(mbox, readonly=True)
    uids = client.search("ALL")
    assert len(uids) == 5
    fetched = client.fetch(uids, ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    subjects = [fetched[u][b"BODY[HEADER.FIELDS (SUBJECT)]"].strip() for u in uids]
    assert subjects == [b"Subject: multi 0", b"Subject: multi 1", b"Subject: multi 2", b"Subject: multi 0",
                        b"Subject: multi flagged"]
    assert b"\\Flagged" in fetched[uids[4]][b"FLAGS"]


def test_flags_api(client, mbox):
    client.create_folder(mbox)
    for i in range(3):
        client.append(mbox, make_message(f"flags {i}"))
    client.select_folder(mbox)
    uids = client.search("ALL")
    client.add_flags(uids[:2], [b"\\Seen", b"Todo"])
    client.remove_flags(uids[1:2], [b"Todo"])
    client.set_flags(uids[2:], [b"\\Answered"])
    flags = client.get_flags(uids)
    assert set(flags[uids[0]]) >= {b"\\Seen", b"Todo"}
    assert b"Todo" not in flags[uids[1]] and b"\\Seen" in flags[uids[1]]
    assert set(flags[uids[2]]) - {b"\\Recent"} == {b"\\Answered"}
    assert client.search(["UNSEEN"]) == uids[2:]
    assert client.search(["KEYWORD", "Todo"]) == uids[:1]
    assert client.search(["OR", "ANSWERED", "KEYWORD", "Todo"]) == [uids[0], uids[2]]


def test_search_and_status(client, mbox):
    client.create_folder(mbox)
    client.append(mbox, make_message("alpha", body="the quick brown fox\r\n"))
    client.append(mbox, make_message("beta", body="lazy dog\r\n"), flags=[b"\\Seen"])
    st = client.folder_status(mbox, [b"MESSAGES", b"UNSEEN", b"UIDNEXT", b"UIDVALIDITY"])
    assert st[b"MESSAGES"] == 2 and st[b"UNSEEN"] == 1
    client.select_folder(mbox, readonly=True)
    assert len(client.search(["BODY", "fox"])) == 1
    assert len(client.search(["SUBJECT", "beta"])) == 1
    assert len(client.search(["SINCE", datetime(2000, 1, 1).date()])) == 2
    assert client.search(["SEEN", "SUBJECT", "alpha"]) == []


def test_copy_delete_expunge(client, mbox):
    client.create_folder(mbox)
    client.create_folder(f"{mbox}-b")
    for i in range(3):
        client.append(mbox, make_message(f"cde {i}"))
    client.select_folder(mbox)
    uids = client.search("ALL")
    client.copy(uids[:2], f"{mbox}-b")
    assert client.folder_status(f"{mbox}-b", [b"MESSAGES"])[b"MESSAGES"] == 2
    client.delete_messages(uids[0])
    client.expunge()
    assert client.search("ALL") == uids[1:]
    assert client.has_capability("UIDPLUS")
    client.delete_messages(uids[1:])
    client.uid_expunge(uids[1:2])
    assert client.search("ALL") == uids[2:]
    client.close_folder()


def test_namespace_and_id(client):
    ns = client.namespace()
    assert ns.personal and ns.personal[0][1] == "/"
    assert client.has_capability("ID")
    # The server's answer: a list of field/value pairs (RFC 2971), here at least its name.
    (fields,) = client.id_({"name": "e2e"})
    pairs = dict(zip(fields[::2], fields[1::2]))
    assert pairs.get(b"name"), fields


def test_noop_sees_other_session_append(server, client, mbox):
    client.create_folder(mbox)
    client.select_folder(mbox)
    other = IMAPClient(server.host, port=server.imaps_port, ssl=True, ssl_context=server.ssl_context(), timeout=20)
    other.login(server.user, server.password)
    other.append(mbox, make_message("from the other session"))
    other.logout()
    resp = client.noop()[1]
    assert (1, b"EXISTS") in resp, resp


def test_error_on_missing_folder(client, mbox):
    with pytest.raises(IMAPClientError):
        client.select_folder(f"{mbox}-missing")
