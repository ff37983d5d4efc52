"""METADATA and METADATA-SERVER (RFC 5464) against the live server: through imapclient (which has no
METADATA helpers, so its raw command path; imaplib's own command table does not know METADATA), values that need literals, and the limits end to end on a
server of the test's own (its account starts without entries): the largest value, one byte more
(NO [METADATA MAXSIZE]), entries up to the per-mailbox and per-account limits and one more
(NO [METADATA TOOMANY]), all or none. The limits mirror `MetadataLimits` in Sources/MailStore."""
from __future__ import annotations

import pytest
from imapclient import IMAPClient

from helpers import connect_from, own_server, quote

MAX_VALUE_SIZE = 4 * 1024
MAX_ENTRIES_PER_TARGET = 100
MAX_ENTRIES_PER_ACCOUNT = 1000
USER, PASSWORD = "meta", "metadata-pw"


@pytest.fixture
def client(server):
    c = IMAPClient(server.host, port=server.imaps_port, ssl=True, ssl_context=server.ssl_context(), timeout=20)
    c.login(server.user, server.password)
    yield c
    try:
        c.logout()
    except Exception:
        pass


def flat(data) -> bytes:
    """The bytes of imapclient's untagged data (bytes, or tuples holding a literal), joined."""
    if data is None:
        return b""
    if isinstance(data, bytes):
        return data
    return b"".join(flat(d) for d in data)


def test_imapclient_sets_and_gets(client, mbox):
    assert b"METADATA" in client.capabilities() and b"METADATA-SERVER" in client.capabilities()
    client.create_folder(mbox)
    typ, data = client._raw_command(
        b"SETMETADATA", [quote(mbox).encode(), b'(/private/comment "from imapclient" /shared/x "y")'], uid=False)
    assert typ == "OK", data
    data = client._raw_command_untagged(
        b"GETMETADATA", [quote(mbox).encode(), b"(/private/comment /shared/x /shared/none)"], response_name="METADATA", uid=False)
    line = flat(data)
    assert b'/private/comment "from imapclient"' in line, data
    assert b'/shared/x "y"' in line and b"/shared/none NIL" in line, data
    typ, data = client._raw_command(b"SETMETADATA", [quote(mbox).encode(), b"(/private/comment NIL /shared/x NIL)"], uid=False)
    assert typ == "OK", data
    data = client._raw_command_untagged(b"GETMETADATA", [quote(mbox).encode(), b"/private/comment"], response_name="METADATA", uid=False)
    assert b"/private/comment NIL" in flat(data), data


def login(port: int, cafile: str):
    c = connect_from("127.0.0.1", port, cafile)
    assert c.command(f'l1 LOGIN "{USER}" "{PASSWORD}"').status == "OK"
    return c


def set_value(c, tag: str, target: str, entry: str, value: bytes):
    c.send(f"{tag} SETMETADATA {target} ({entry} {{{len(value)}+}}\r\n".encode() + value + b")\r\n")
    return c.read_until_tagged(tag)


def set_many(c, tag: str, target: str, names: list[str]):
    return c.command(f"{tag} SETMETADATA {target} (" + " ".join(f'{n} "v"' for n in names) + ")")


def test_metadata_limits(tmp_path):
    with own_server(tmp_path, {USER: PASSWORD}) as (_, port, _imap, cafile):
        c = login(port, cafile)
        try:
            # The largest value is kept and read back byte for byte (CR, LF and 8-bit bytes included).
            value = bytes((i * 7 + 10) % 256 or 1 for i in range(MAX_VALUE_SIZE))
            assert set_value(c, "v1", '""', "/shared/big", value).status == "OK"
            r = c.command('v2 GETMETADATA "" /shared/big')
            assert r.status == "OK" and r.untagged_of("METADATA")[0].literals == [value], r
            r = set_value(c, "v3", '""', "/shared/bigger", value + b"x")
            assert r.status == "NO" and r.code == f"METADATA MAXSIZE {MAX_VALUE_SIZE}", r
            r = c.command('v4 GETMETADATA (MAXSIZE 100) "" (/shared/big /shared/bigger)')
            assert r.code == f"METADATA LONGENTRIES {MAX_VALUE_SIZE}", r
            assert r.untagged_of("METADATA")[0].text == '* METADATA "" (/shared/bigger NIL)', r

            # Up to the per-target limit on the server; one more is TOOMANY and changes nothing.
            names = [f"/private/e{i}" for i in range(1, MAX_ENTRIES_PER_TARGET)]
            assert set_many(c, "t1", '""', names).status == "OK"
            r = set_many(c, "t2", '""', ["/private/e1", "/private/one-more"])
            assert r.status == "NO" and r.code == "METADATA TOOMANY", r
            r = c.command('t3 GETMETADATA (DEPTH infinity) "" /private')
            assert r.untagged_of("METADATA")[0].text.count(' "v"') == MAX_ENTRIES_PER_TARGET - 1, r
            assert "/private/one-more" not in r.untagged_of("METADATA")[0].text

            # The account's limit across mailboxes.
            total, i = MAX_ENTRIES_PER_TARGET, 0
            while total < MAX_ENTRIES_PER_ACCOUNT:
                assert c.command(f"c{i} CREATE m{i}").status == "OK"
                count = min(MAX_ENTRIES_PER_TARGET, MAX_ENTRIES_PER_ACCOUNT - total)
                assert set_many(c, f"s{i}", f"m{i}", [f"/shared/x{k}" for k in range(count)]).status == "OK"
                total, i = total + count, i + 1
            r = set_many(c, "t4", "INBOX", ["/shared/last"])
            assert r.status == "NO" and r.code == "METADATA TOOMANY", r
            # Deleting a mailbox gives its entries back.
            assert c.command("d1 DELETE m0").status == "OK"
            assert set_many(c, "t5", "INBOX", ["/shared/last"]).status == "OK"
        finally:
            c.close()
