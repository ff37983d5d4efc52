"""CAPABILITY lists exactly what is implemented (RFC 9051 6.1.1, 7.2.2), on the live server: before
and after login, on IMAPS and on the cleartext port before and after STARTTLS; the greeting's list is
the command's. ID (RFC 2971) names the server and its version."""
from __future__ import annotations

import re

import imapclient
import pytest

from exthelpers import capabilities

BASE = {"IMAP4REV1", "IMAP4REV2", "LITERAL+", "SASL-IR", "ID", "ENABLE"}
LOGGED_IN = {
    "IDLE", "UNSELECT", "NAMESPACE", "UIDPLUS", "MOVE", "BINARY", "CHILDREN", "SPECIAL-USE",
    "CREATE-SPECIAL-USE", "CONDSTORE", "QRESYNC", "ESEARCH", "SEARCHRES", "LIST-EXTENDED", "LIST-STATUS",
    "MULTIAPPEND", "UNAUTHENTICATE", "STATUS=SIZE", "SAVEDATE", "OBJECTID", "UTF8=ACCEPT", "QUOTA",
    "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "QUOTASET", "SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT",
    "THREAD=REFERENCES", "ESORT", "PARTIAL", "COMPRESS=DEFLATE", "WITHIN", "REPLACE", "PREVIEW",
    "METADATA", "METADATA-SERVER", "UIDONLY",
}


def greeting_caps(c) -> set[str]:
    m = re.match(r"^\* OK \[CAPABILITY ([^\]]*)\]", c.greeting.text)
    assert m, c.greeting.text
    return {w.upper() for w in m.group(1).split()}


def without_limit(caps: set[str]) -> set[str]:
    return {c for c in caps if not c.startswith("APPENDLIMIT=")}


@pytest.fixture
def local(server):
    if server.external:
        pytest.fail("the capability audit pins Postern's own list: run it against Postern")
    return server


def test_imaps_before_and_after_login(local):
    c = local.raw()
    try:
        before = capabilities(c)
        assert before == greeting_caps(c)
        mechanisms = {x for x in before if x.startswith("AUTH=")}
        assert "AUTH=PLAIN" in mechanisms
        assert before - mechanisms == BASE
        r = c.login(local.user, local.password)
        assert r.status == "OK" and r.code.startswith("CAPABILITY")
        after = capabilities(c)
        assert {w.upper() for w in r.code.split()[1:]} == after
        assert without_limit(after) == BASE | LOGGED_IN
        assert len(after - without_limit(after)) == 1  # APPENDLIMIT=n
    finally:
        c.close()


def test_cleartext_port_before_and_after_starttls(local):
    c = local.raw(tls=False)
    try:
        before = capabilities(c)
        assert before == greeting_caps(c)
        assert before == BASE | {"STARTTLS", "LOGINDISABLED"}
        assert c.command("l0 LOGIN x y").code == "PRIVACYREQUIRED"
        c.starttls(cafile=local.cafile)
        after_tls = capabilities(c)
        mechanisms = {x for x in after_tls if x.startswith("AUTH=")}
        assert mechanisms and after_tls - mechanisms == BASE
        assert c.login(local.user, local.password).status == "OK"
        assert without_limit(capabilities(c)) == BASE | LOGGED_IN
    finally:
        c.close()


def test_id_names_server_and_version_with_imapclient(local):
    client = imapclient.IMAPClient(local.host, port=local.imaps_port, ssl=True,
                                   ssl_context=local.ssl_context(), timeout=20)
    try:
        info = client.id_({"name": "e2e", "version": "1"})[0]  # imapclient returns the parsed list in a tuple
        fields = {k.decode().lower(): v.decode() for k, v in zip(info[::2], info[1::2])}
        assert fields["name"] == "Postern"
        assert re.fullmatch(r"\d+\.\d+\.\d+", fields["version"]), fields
        client.login(local.user, local.password)
        assert client.id_()[0] == info
    finally:
        client.logout()


def test_id_limits(local):
    c = local.raw()
    try:
        thirty = " ".join(f'"k{i}" "v"' for i in range(30))
        assert c.command(f"i1 ID ({thirty})").status == "OK"
        r = c.command(f'i2 ID ({thirty} "k30" "v")')
        assert r.status == "BAD" and "30" in r.tagged.text, r
        assert c.command('i3 ID ("' + "f" * 31 + '" NIL)').status == "BAD"
        assert c.command('i4 ID ("k" "' + "v" * 1025 + '")').status == "BAD"
        assert c.command('i5 ID ("k" "' + "v" * 1024 + '")').status == "OK"
    finally:
        c.close()
