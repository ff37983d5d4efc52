"""STATUS=SIZE (RFC 8438), SAVEDATE (RFC 8514), OBJECTID (RFC 8474), APPENDLIMIT (RFC 7889),
MULTIAPPEND (RFC 3502), UNAUTHENTICATE (RFC 8437), ENABLE (RFC 5161)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from exthelpers import (append_n, capabilities, code_args, fetch_map, make_message, quote, raw_append,
                        raw_session, require_caps, uid_set)

OBJECTID_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


def status_items(r) -> dict:
    line = r.untagged_of("STATUS")[0].text
    inner = re.search(r"\((.*)\)$", line).group(1)
    out = {}
    for m in re.finditer(r"([A-Z0-9.-]+) (\([^)]*\)|\S+)", inner, re.I):
        v = m.group(2)
        out[m.group(1).upper()] = v.strip("()") if v.startswith("(") else (int(v) if v.isdigit() else v)
    return out


@pytest.fixture
def c(server):
    c = raw_session(server)
    yield c
    c.close()


# ------------------------------------------------------------------ STATUS=SIZE


def test_status_size_is_sum_of_rfc822_size(server, mbox, c):
    require_caps(server, "STATUS=SIZE")
    assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
    r = c.command(f"s0 STATUS {quote(mbox)} (SIZE MESSAGES)")
    assert status_items(r) == {"SIZE": 0, "MESSAGES": 0}, r
    for i, body in enumerate(["short\r\n", "x" * 1000 + "\r\n", "é".encode("utf-8").decode("latin-1") + "\r\n"]):
        assert raw_append(c, mbox, make_message(f"size {i}", body=body)).status == "OK"
    assert c.command(f"e1 EXAMINE {quote(mbox)}").status == "OK"
    total = sum(v["RFC822.SIZE"] for v in fetch_map(c.command("f1 FETCH 1:* (RFC822.SIZE)"), "SEQ").values())
    assert c.command("u1 UNSELECT").status == "OK"
    r = c.command(f"s1 STATUS {quote(mbox)} (SIZE)")
    assert r.status == "OK" and status_items(r) == {"SIZE": total}, (r, total)


# ------------------------------------------------------------------ SAVEDATE


def test_savedate_fetch_and_search(server, mbox, c):
    require_caps(server, "SAVEDATE")
    assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
    msg = make_message("saved")
    c.send(f'a1 APPEND {quote(mbox)} "01-Feb-2001 10:11:12 +0000" {{{len(msg)}+}}\r\n'.encode() + msg + b"\r\n")
    assert c.read_until_tagged("a1").status == "OK"
    assert c.command(f"s1 SELECT {quote(mbox)}").status == "OK"
    r = c.command("f1 FETCH 1 (SAVEDATE INTERNALDATE)")
    assert r.status == "OK", r
    m = re.search(r'SAVEDATE "([^"]+)"', r.untagged_of("FETCH")[0].text)
    assert m, f"FETCH SAVEDATE must return a date-time (RFC 8514): {r}"
    saved = dt.datetime.strptime(m.group(1).strip(), "%d-%b-%Y %H:%M:%S %z")
    now = dt.datetime.now(dt.timezone.utc)
    assert abs((now - saved).total_seconds()) < 600, f"SAVEDATE is when it was saved, not INTERNALDATE: {r}"
    assert "01-Feb-2001" in r.untagged_of("FETCH")[0].text  # INTERNALDATE kept
    yesterday = (now - dt.timedelta(days=1)).strftime("%d-%b-%Y")
    tomorrow = (now + dt.timedelta(days=1)).strftime("%d-%b-%Y")
    r = c.command(f"q1 SEARCH SAVEDSINCE {yesterday}")
    assert r.status == "OK" and r.untagged_of("SEARCH")[0].text.split()[2:] == ["1"], r
    r = c.command(f"q2 SEARCH SAVEDBEFORE {yesterday}")
    assert r.status == "OK" and r.untagged_of("SEARCH")[0].text.split()[2:] == [], r
    r = c.command(f"q3 SEARCH SAVEDSINCE {tomorrow}")
    assert r.status == "OK" and r.untagged_of("SEARCH")[0].text.split()[2:] == [], r
    r = c.command("q4 SEARCH SAVEDATESUPPORTED")
    assert r.status == "OK" and r.untagged_of("SEARCH")[0].text.split()[2:] == ["1"], r
    r = c.command(f"q5 SEARCH SINCE {yesterday}")
    assert r.untagged_of("SEARCH")[0].text.split()[2:] == [], "SINCE uses INTERNALDATE (2001)"


# ------------------------------------------------------------------ OBJECTID


def test_emailid_threadid(server, mbox, c):
    require_caps(server, "OBJECTID")
    assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
    assert c.command(f"c2 CREATE {quote(mbox + '-copy')}").status == "OK"
    append_n(c, mbox, 2, "objectid")
    assert c.command(f"s1 SELECT {quote(mbox)}").status == "OK"
    r = c.command("f1 FETCH 1:2 (EMAILID THREADID)")
    assert r.status == "OK", r
    ids = {}
    for l in r.untagged_of("FETCH"):
        m = re.search(r"EMAILID \(([^)]*)\)", l.text)
        assert m and OBJECTID_RE.match(m.group(1)), f"EMAILID (objectid): {l.text}"
        assert re.search(r"THREADID NIL", l.text), f"THREADID NIL without threading: {l.text}"
        ids[int(l.text.split()[1])] = m.group(1)
    assert ids[1] != ids[2], ids
    assert c.command(f"cp1 COPY 1 {quote(mbox + '-copy')}").status == "OK"
    assert c.command(f"cp2 MOVE 2 {quote(mbox + '-copy')}").status == "OK"
    assert c.command(f"s2 EXAMINE {quote(mbox + '-copy')}").status == "OK"
    r = c.command("f2 FETCH 1:2 (EMAILID)")
    got = [re.search(r"EMAILID \(([^)]*)\)", l.text).group(1) for l in r.untagged_of("FETCH")]
    assert got == [ids[1], ids[2]], f"COPY and MOVE keep EMAILID (RFC 8474 5.1): {got} vs {ids}"
    # a re-APPEND of the same bytes is a different message
    r = c.command("f3 FETCH 1 (BODY.PEEK[])")
    body = r.untagged_of("FETCH")[0].literals[0]
    assert raw_append(c, mbox + "-copy", body).status == "OK"
    r = c.command("n1 NOOP")
    r = c.command("f4 FETCH 3 (EMAILID)")
    e3 = re.search(r"EMAILID \(([^)]*)\)", r.untagged_of("FETCH")[0].text).group(1)
    assert e3 not in (ids[1], ids[2]), (e3, ids)


def test_mailboxid(server, mbox, c):
    require_caps(server, "OBJECTID")
    r = c.command(f"c1 CREATE {quote(mbox)}")
    assert r.status == "OK", r
    a = code_args(r.tagged, "MAILBOXID")
    assert a, f"CREATE must answer OK [MAILBOXID (id)] (RFC 8474 4.1): {r}"
    mid = a[0].strip("()")
    assert OBJECTID_RE.match(mid), mid
    r = c.command(f"s1 STATUS {quote(mbox)} (MAILBOXID)")
    assert status_items(r) == {"MAILBOXID": mid}, r
    r = c.command(f"s2 SELECT {quote(mbox)}")
    codes = [code_args(l, "MAILBOXID") for l in r.untagged if code_args(l, "MAILBOXID")]
    assert codes and codes[0][0].strip("()") == mid, f"SELECT must send OK [MAILBOXID (id)]: {r}"
    assert c.command("u1 UNSELECT").status == "OK"
    assert c.command(f"r1 RENAME {quote(mbox)} {quote(mbox + '-renamed')}").status == "OK"
    r = c.command(f"s3 STATUS {quote(mbox + '-renamed')} (MAILBOXID)")
    assert status_items(r) == {"MAILBOXID": mid}, f"MAILBOXID survives RENAME: {r}"
    # a new mailbox with the old name gets a new id
    r = c.command(f"c2 CREATE {quote(mbox)}")
    mid2 = code_args(r.tagged, "MAILBOXID")[0].strip("()")
    assert mid2 != mid, (mid, mid2)
    r = c.command("s4 STATUS INBOX (MAILBOXID)")
    assert status_items(r)["MAILBOXID"] not in (mid, mid2), r


# ------------------------------------------------------------------ APPENDLIMIT


def test_append_toobig_without_reading_literal(server, mbox, c):
    caps = capabilities(c)
    lim = [x for x in caps if x.startswith("APPENDLIMIT=")]
    assert lim, caps
    limit = int(lim[0].split("=")[1])
    assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
    r = c.command(f"s1 STATUS {quote(mbox)} (APPENDLIMIT)")
    assert r.status == "OK" and status_items(r).get("APPENDLIMIT") in (limit, "NIL"), r
    c.sendline(f"a1 APPEND {quote(mbox)} {{{limit + 1}}}")
    r = c.read_until_tagged("a1", stop_at_continuation=True, timeout=10)
    assert r.continuation is None, f"must refuse before '+', without reading the literal: {r}"
    assert r.status == "NO" and r.code == "TOOBIG", f"expected NO [TOOBIG] (RFC 7889, RFC 4469): {r}"
    r = c.command("n1 NOOP")
    assert r.status == "OK", r
    r = c.command(f"s2 STATUS {quote(mbox)} (MESSAGES)")
    assert status_items(r) == {"MESSAGES": 0}, r


# ------------------------------------------------------------------ MULTIAPPEND


def multiappend_sync(c, tag: str, mailbox: str, parts: list[tuple[str, bytes]]):
    """MULTIAPPEND with synchronizing literals. parts: [(flags-and-date prefix, message)].
    Returns the final response (maybe an early refusal instead of '+')."""
    head = f"{tag} APPEND {quote(mailbox)}"
    pending = head
    for pre, msg in parts:
        c.send(f"{pending}{(' ' + pre) if pre else ''} {{{len(msg)}}}\r\n".encode())
        r = c.read_until_tagged(tag, stop_at_continuation=True, timeout=10)
        if r.continuation is None:
            return r
        c.send(msg)
        pending = ""
    c.send(b"\r\n")
    return c.read_until_tagged(tag, timeout=10)


def test_multiappend_three(server, mbox, c):
    require_caps(server, "MULTIAPPEND")
    assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
    msgs = [make_message(f"multi {i}") for i in range(3)]
    r = multiappend_sync(c, "m1", mbox, [("(\\Seen)", msgs[0]), ("", msgs[1]),
                                          ('(\\Flagged kwM) "02-Mar-2020 01:02:03 +0100"', msgs[2])])
    assert r.status == "OK", r
    a = code_args(r.tagged, "APPENDUID")
    assert a and len(a) == 2, f"MULTIAPPEND answers OK [APPENDUID v a:c] (RFC 4315): {r}"
    us = sorted(uid_set(a[1]))
    assert len(us) == 3, r
    assert c.command(f"s1 SELECT {quote(mbox)}").status == "OK"
    fm = fetch_map(c.command("f1 UID FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE)"))
    assert sorted(fm) == us, fm
    assert "\\Seen" in fm[us[0]]["FLAGS"] and not {"\\Seen", "\\Flagged"} & fm[us[1]]["FLAGS"], fm
    assert {"\\Flagged", "kwM"} <= fm[us[2]]["FLAGS"], fm
    # the instant must be kept (the zone need not be)
    idate = dt.datetime.strptime(fm[us[2]]["INTERNALDATE"].strip(), "%d-%b-%Y %H:%M:%S %z")
    assert idate == dt.datetime(2020, 3, 2, 0, 2, 3, tzinfo=dt.timezone.utc), fm
    assert [fm[u]["RFC822.SIZE"] for u in us] == [len(m) for m in msgs], fm
    # the same with LITERAL+ in one write
    body = b"".join(f" {{{len(m)}+}}\r\n".encode() + m for m in msgs)
    c.send(f"m2 APPEND {quote(mbox)}".encode() + body + b"\r\n")
    r = c.read_until_tagged("m2")
    a = code_args(r.tagged, "APPENDUID")
    assert r.status == "OK" and a and len(uid_set(a[1])) == 3, r
    r2 = c.command("n1 NOOP")
    assert any(l.text == "* 6 EXISTS" for l in r.untagged + r2.untagged), (r, r2)


def test_multiappend_is_atomic(server, mbox, c):
    require_caps(server, "MULTIAPPEND")
    assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
    msgs = [make_message(f"atomic {i}") for i in range(3)]
    # second message carries an invalid flag (\Recent may not be APPENDed; \NoSuchFlag isn't a system flag)
    for k, bad in enumerate(("(\\NoSuchFlag)", '"99-Foo-2020 00:00:00 +0000"')):
        r = multiappend_sync(c, f"m{k}", mbox, [("", msgs[0]), (bad, msgs[1]), ("", msgs[2])])
        assert r.status in ("NO", "BAD"), r
        r = c.command(f"n{k} NOOP")
        assert r.status == "OK", r
        r = c.command(f"s{k} STATUS {quote(mbox)} (MESSAGES UIDNEXT)")
        assert status_items(r)["MESSAGES"] == 0, f"a failed MULTIAPPEND must add nothing (RFC 3502): {r}"
    # the third message is empty
    r = multiappend_sync(c, "m8", mbox, [("", msgs[0]), ("", msgs[1]), ("", b"")])
    assert r.status in ("NO", "BAD"), r
    c.command("n8 NOOP")
    r = c.command(f"s8 STATUS {quote(mbox)} (MESSAGES)")
    assert status_items(r)["MESSAGES"] == 0, r
    # a missing mailbox: NO [TRYCREATE], nothing created
    r = multiappend_sync(c, "m9", mbox + "-nosuch", [("", msgs[0]), ("", msgs[1])])
    assert r.status == "NO" and r.code == "TRYCREATE", r
    r = c.command(f's9 LIST "" {quote(mbox + "-nosuch")}')
    assert not r.untagged_of("LIST"), r


# ------------------------------------------------------------------ UNAUTHENTICATE


def test_unauthenticate(server, mbox, c):
    require_caps(server, "UNAUTHENTICATE")
    assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
    assert c.command(f"s1 SELECT {quote(mbox)}").status == "OK"
    r = c.command("u1 UNAUTHENTICATE")
    assert r.status == "OK", r
    r = c.command(f"s2 SELECT {quote(mbox)}")
    assert r.status == "BAD", f"not authenticated after UNAUTHENTICATE: SELECT must be BAD: {r}"
    r = c.command("f1 FETCH 1 (FLAGS)")
    assert r.status == "BAD", r
    caps = capabilities(c)
    assert "UNAUTHENTICATE" not in caps and "IDLE" not in caps and "IMAP4REV1" in caps, caps
    r = c.command(f"l1 LOGIN {quote(server.user2)} {quote(server.password2)}")
    assert r.status == "OK", r
    r = c.command(f'l2 LIST "" {quote(mbox)}')
    assert r.status == "OK" and not r.untagged_of("LIST"), f"bob must not see alice's mailbox: {r}"
    r = c.command("u2 UNAUTHENTICATE")
    assert r.status == "OK", r
    r = c.command("u3 UNAUTHENTICATE")
    assert r.status == "BAD", f"UNAUTHENTICATE is invalid when not authenticated: {r}"
    c.login(server.user, server.password, tag="l3")
    r = c.command(f'l4 LIST "" {quote(mbox)}')
    assert len(r.untagged_of("LIST")) == 1, r


# ------------------------------------------------------------------ ENABLE


def test_enable_condstore_qresync(server, c):
    r = c.command("e1 ENABLE CONDSTORE QRESYNC")
    assert r.status == "OK", r
    en = r.untagged_of("ENABLED")
    assert len(en) == 1 and set(en[0].text.split()[2:]) == {"CONDSTORE", "QRESYNC"}, r
    r = c.command("e2 ENABLE QRESYNC CONDSTORE")
    assert r.status == "OK", r
    en = r.untagged_of("ENABLED")
    assert all(l.text.split()[2:] == [] for l in en), f"already enabled extensions are not listed again: {r}"


def test_enable_qresync_alone(server, c):
    r = c.command("e1 ENABLE QRESYNC")
    en = r.untagged_of("ENABLED")
    assert r.status == "OK" and len(en) == 1 and "QRESYNC" in en[0].text.split()[2:], r
    assert set(en[0].text.split()[2:]) <= {"QRESYNC", "CONDSTORE"}, r


def test_enable_not_authenticated_is_bad(server):
    c = server.raw(login=False)
    try:
        r = c.command("e1 ENABLE CONDSTORE")
        assert r.status == "BAD", r
    finally:
        c.close()
