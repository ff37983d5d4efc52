"""REPLACE (RFC 8508) against the live server, with a second session watching: the replacement and
the expunge reach it together, a refused REPLACE leaves the original in place, and UID REPLACE
reports VANISHED once QRESYNC is on."""
from __future__ import annotations

import re

from exthelpers import quote, raw_session


def replace(c, tag: str, command: str, msg: bytes):
    c.send(f"{tag} {command} {{{len(msg)}+}}\r\n".encode() + msg + b"\r\n")
    return c.read_until_tagged(tag)


def uids(c, tag: str) -> list[int]:
    r = c.command(f"{tag} UID SEARCH ALL")
    line = r.untagged_of("SEARCH")[0].text
    return [int(x) for x in line.split()[2:]]


def test_replace_seen_by_another_session(server, mbox):
    a = raw_session(server)
    b = raw_session(server)
    try:
        assert a.command(f"c1 CREATE {quote(mbox)}").status == "OK"
        assert replace(a, "a1", f"APPEND {quote(mbox)} (\\Draft)", b"Subject: v1\r\n\r\nfirst\r\n").status == "OK"
        assert a.command(f"s1 SELECT {quote(mbox)}").status == "OK"
        assert b.command(f"s2 SELECT {quote(mbox)}").status == "OK"
        r = replace(a, "r1", f"REPLACE 1 {quote(mbox)} (\\Draft \\Seen)", b"Subject: v2\r\n\r\nsecond\r\n")
        assert r.status == "OK", r
        ok = [l.text for l in r.untagged if "APPENDUID" in l.text]
        assert ok and re.search(r"\[APPENDUID \d+ 2\] ", ok[0]), r
        assert any(l.text == "* 1 EXPUNGE" for l in r.untagged), r
        n = b.command("n1 NOOP")
        texts = [l.text for l in n.untagged]
        assert "* 1 EXPUNGE" in texts and "* 1 EXISTS" in texts, texts
        assert uids(b, "u1") == [2]
        body = b.command("f1 UID FETCH 2 (BODY.PEEK[TEXT])")
        assert body.untagged_of("FETCH")[0].literals == [b"second\r\n"]
    finally:
        a.close()
        b.close()


def test_refused_replace_leaves_the_original(server, mbox):
    c = raw_session(server)
    try:
        assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
        assert replace(c, "a1", f"APPEND {quote(mbox)}", b"Subject: keep\r\n\r\nkeep\r\n").status == "OK"
        assert c.command(f"s1 SELECT {quote(mbox)}").status == "OK"
        r = replace(c, "r1", f"REPLACE 1 {quote(mbox + '/missing')}", b"Subject: x\r\n\r\nx\r\n")
        assert r.status == "NO" and r.code == "TRYCREATE", r
        assert uids(c, "u1") == [1]
    finally:
        c.close()


def test_uid_replace_with_qresync_reports_vanished(server, mbox):
    c = raw_session(server, enable="QRESYNC")
    try:
        assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
        assert replace(c, "a1", f"APPEND {quote(mbox)}", b"Subject: one\r\n\r\none\r\n").status == "OK"
        assert c.command(f"s1 SELECT {quote(mbox)}").status == "OK"
        r = replace(c, "r1", f"UID REPLACE 1 {quote(mbox)}", b"Subject: two\r\n\r\ntwo\r\n")
        assert r.status == "OK", r
        assert any(l.text == "* VANISHED 1" for l in r.untagged), r
        assert uids(c, "u1") == [2]
    finally:
        c.close()
