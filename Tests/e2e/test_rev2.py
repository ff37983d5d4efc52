"""IMAP4rev2 (RFC 9051) beside IMAP4rev1: CAPABILITY, ENABLE IMAP4rev2, and the response
rules that change once it is enabled (SELECT without RECENT/UNSEEN but with LIST, no \\Recent,
ESEARCH instead of SEARCH, OK [CLOSED], UTF-8 mailbox names) - while a rev1 client keeps the
rev1 forms."""
from __future__ import annotations

import re

from exthelpers import capabilities, esearch
from helpers import make_message
from mimehelpers import append_msg
from rawimap import quote


def rev2(server, mailbox: str | None = None):
    c = server.raw(login=True)
    r = c.command("e1 ENABLE IMAP4rev2")
    assert r.status == "OK", r.texts()
    assert [l.text for l in r.untagged] == ["* ENABLED IMAP4rev2"], r.texts()
    if mailbox is not None:
        r = c.command(f"e2 SELECT {quote(mailbox)}")
        assert r.status == "OK", r.texts()
        c.last_select = r
    return c


def make_box(server, name: str, n: int = 0, flags: str = "") -> None:
    c = server.raw(login=True)
    try:
        assert c.command(f"m1 CREATE {quote(name)}").status == "OK"
        for i in range(n):
            append_msg(c, name, make_message(f"rev2 msg {i}", body=f"body {i} needle\r\n" if i % 2 else "hay\r\n"),
                       flags)
    finally:
        c.close()


def test_capability_lists_rev1_and_rev2(server):
    c = server.raw()
    try:
        before = capabilities(c)
        c.login(server.user, server.password)
        after = capabilities(c)
    finally:
        c.close()
    for caps in (before, after):
        assert "IMAP4REV1" in caps and "IMAP4REV2" in caps, caps


def test_enable_imap4rev2(server):
    c = server.raw(login=True)
    try:
        r = c.command("a1 ENABLE IMAP4rev2")
        assert r.status == "OK" and [l.text for l in r.untagged] == ["* ENABLED IMAP4rev2"], r.texts()
        # only newly enabled extensions are listed (RFC 5161 3.1)
        r = c.command("a2 ENABLE IMAP4REV2")
        assert r.status == "OK" and [l.text.rstrip() for l in r.untagged] == ["* ENABLED"], r.texts()
    finally:
        c.close()


def test_select_after_enable(server, mbox):
    make_box(server, mbox, 3)
    c = rev2(server, mbox)
    try:
        r = c.last_select
        texts = r.texts()
        assert not r.untagged_of("RECENT"), f"no * n RECENT in IMAP4rev2 (RFC 9051 7.4.1): {texts}"
        assert not any(l.code and l.code.startswith("UNSEEN") for l in r.lines), \
            f"no OK [UNSEEN n] in IMAP4rev2 (RFC 9051 6.3.2): {texts}"
        lists = r.untagged_of("LIST")
        assert len(lists) == 1, f"SELECT must send a LIST response for the mailbox (RFC 9051 6.3.2): {texts}"
        m = re.match(r'^\* LIST \(([^)]*)\) "/" (.*)$', lists[0].text)
        assert m and m.group(2).strip('"') == mbox, lists[0].text
        assert "* 3 EXISTS" in texts
        for code in ("UIDVALIDITY", "UIDNEXT", "PERMANENTFLAGS"):
            assert any(l.code and l.code.startswith(code) for l in r.lines), (code, texts)
        flags = r.untagged_of("FLAGS")
        assert flags and "\\Recent" not in flags[0].text, texts
        assert r.tagged.code == "READ-WRITE"
        r = c.command(f"x1 EXAMINE {quote(mbox)}")
        assert r.status == "OK" and r.tagged.code == "READ-ONLY", r.texts()
        assert not r.untagged_of("RECENT") and len(r.untagged_of("LIST")) == 1, r.texts()
    finally:
        c.close()


def test_rev2_flags_never_contain_recent(server, mbox):
    make_box(server, mbox, 2)
    c = rev2(server, mbox)
    other = server.raw(login=True)
    try:
        append_msg(other, mbox, make_message("arrives while selected"))
        r = c.command("n1 NOOP")
        assert "* 3 EXISTS" in r.texts(), r.texts()
        assert not r.untagged_of("RECENT"), r.texts()
        for i, cmd in enumerate(["FETCH 1:* (FLAGS)", "FETCH 3 FAST", "STORE 1 +FLAGS (\\Flagged)",
                                 "UID FETCH 1:* (FLAGS UID)", "FETCH 2 ALL"]):
            r = c.command(f"f{i} {cmd}")
            assert r.status == "OK", r.texts()
            for l in r.untagged_of("FETCH"):
                assert "\\Recent" not in l.text, f"{cmd}: \\Recent is not sent in IMAP4rev2: {l.text}"
        # \Recent is not a valid STORE flag in IMAP4rev2 either way; SEARCH RECENT is at most empty
        r = c.command("s1 SEARCH RETURN (ALL) RECENT")
        assert r.status in ("OK", "BAD"), r.texts()
    finally:
        c.close()
        other.close()


def test_rev2_search_is_esearch(server, mbox):
    make_box(server, mbox, 4)
    c = rev2(server, mbox)
    try:
        r = c.command("srch1 SEARCH BODY needle")
        assert r.status == "OK" and not r.untagged_of("SEARCH"), r.texts()
        (e,) = esearch(r)
        assert e["TAG"] == "srch1" and not e["UID"] and e.get("ALL") == "2,4", r.texts()
        r = c.command("srch2 UID SEARCH ALL")
        (e,) = esearch(r)
        assert e["TAG"] == "srch2" and e["UID"] and e.get("ALL") == "1:4", r.texts()
        r = c.command("srch3 SEARCH SUBJECT no-such-subject")
        assert r.status == "OK" and not r.untagged_of("SEARCH"), r.texts()
        assert [l.text.rstrip() for l in r.untagged_of("ESEARCH")] == ['* ESEARCH (TAG "srch3")'], r.texts()
        r = c.command("srch4 UID SEARCH SUBJECT no-such-subject")
        assert [l.text.rstrip() for l in r.untagged_of("ESEARCH")] == ['* ESEARCH (TAG "srch4") UID'], r.texts()
        r = c.command("srch5 SEARCH RETURN (COUNT) ALL")
        (e,) = esearch(r)
        assert e.get("COUNT") == "4", r.texts()
    finally:
        c.close()


def test_rev2_select_other_mailbox_sends_closed(server, mbox):
    make_box(server, mbox, 1)
    make_box(server, mbox + "-b", 1)
    c = rev2(server, mbox)
    try:
        r = c.command(f"o1 SELECT {quote(mbox + '-b')}")
        assert r.status == "OK", r.texts()
        closed = [i for i, l in enumerate(r.untagged) if l.code == "CLOSED"]
        assert closed, f"SELECT while selected must send OK [CLOSED] (RFC 9051 6.3.2 / 7.1): {r.texts()}"
        exists = [i for i, l in enumerate(r.untagged) if l.text.endswith(" EXISTS")]
        assert closed[0] < exists[0], f"[CLOSED] comes before the new mailbox's responses: {r.texts()}"
        r = c.command(f"o2 EXAMINE {quote(mbox)}")
        assert any(l.code == "CLOSED" for l in r.untagged), r.texts()
    finally:
        c.close()


def test_rev1_client_keeps_rev1_forms(server, mbox):
    make_box(server, mbox, 3)
    c = server.raw(login=True)
    try:
        r = c.command(f"r1 SELECT {quote(mbox)}")
        assert r.status == "OK"
        assert len(r.untagged_of("RECENT")) == 1, f"rev1 SELECT sends * n RECENT (RFC 3501 6.3.1): {r.texts()}"
        assert any(l.code and l.code.startswith("UNSEEN") for l in r.untagged), r.texts()
        assert not r.untagged_of("LIST"), r.texts()
        r = c.command("r2 SEARCH BODY needle")
        assert [l.text.rstrip() for l in r.untagged_of("SEARCH")] == ["* SEARCH 2"], r.texts()
        assert not r.untagged_of("ESEARCH")
        r = c.command("r3 SEARCH SUBJECT nothing-here")
        assert [l.text.rstrip() for l in r.untagged_of("SEARCH")] == ["* SEARCH"], r.texts()
        r = c.command("r4 FETCH 1 (FLAGS)")
        assert r.status == "OK"
    finally:
        c.close()


def test_rev2_does_not_leak_into_other_sessions(server, mbox):
    make_box(server, mbox, 2)
    c2 = rev2(server, mbox)
    c1 = server.raw(login=True)
    try:
        r = c1.command(f"l1 SELECT {quote(mbox)}")
        assert r.untagged_of("RECENT") and not r.untagged_of("LIST"), r.texts()
        r = c1.command("l2 SEARCH ALL")
        assert r.untagged_of("SEARCH") and not r.untagged_of("ESEARCH"), r.texts()
        r = c2.command("l3 SEARCH ALL")
        assert r.untagged_of("ESEARCH") and not r.untagged_of("SEARCH"), r.texts()
    finally:
        c1.close()
        c2.close()


def _utf7(s: str) -> str:
    """RFC 3501 5.1.3 modified UTF-7."""
    import base64
    out, buf = [], ""

    def flush():
        nonlocal buf
        if buf:
            b = base64.b64encode(buf.encode("utf-16-be")).decode().rstrip("=").replace("/", ",")
            out.append("&" + b + "-")
            buf = ""
    for ch in s:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf += ch
    flush()
    return "".join(out)


def _list_names(r) -> list[bytes]:
    out = []
    for l in r.untagged_of("LIST"):
        m = re.match(rb'^\* LIST \([^)]*\) (?:NIL|"[^"]*") (.*)\r\n$', l.raw, re.S)
        assert m, l.raw
        name = m.group(1)
        lm = re.match(rb"^\{(\d+)\}\r\n(.*)$", name, re.S)
        if lm:
            name = lm.group(2)
        elif name.startswith(b'"'):
            name = re.sub(rb"\\(.)", rb"\1", name[1:-1])
        out.append(name)
    return out


def test_mailbox_names_utf8_after_enable_mutf7_before(server, mbox):
    uni = f"{mbox}-Grüße & Ünïcødé 日本"
    enc = _utf7(uni)
    assert enc.isascii() and "&-" in enc
    c1 = server.raw(login=True)
    c2 = rev2(server)
    try:
        r = c1.command(f"u1 CREATE {quote(enc)}")
        assert r.status == "OK", r.texts()
        # rev1: modified UTF-7
        r = c1.command(f"u2 LIST \"\" {quote(mbox + '*')}")
        assert enc.encode() in _list_names(r), r.texts()
        # rev2: UTF-8 (quoted string or literal), no modified UTF-7
        r = c2.command(f"u3 LIST \"\" {quote(mbox + '*')}")
        names = _list_names(r)
        assert uni.encode() in names, f"IMAP4rev2 sends mailbox names in UTF-8 (RFC 9051 5.1): {r.texts()}"
        assert enc.encode() not in names
        # SELECT/STATUS by UTF-8 name in rev2 (sent as a literal: it is 8-bit)
        r = c2.command_with_literal("u4", "STATUS", uni.encode(), " (MESSAGES)")
        assert r.status == "OK", r.texts()
        st = r.untagged_of("STATUS")
        assert st and uni.encode() in st[0].raw and enc.encode() not in st[0].raw, r.texts()
        r = c2.command_with_literal("u5", "SELECT", uni.encode())
        assert r.status == "OK", r.texts()
        assert _list_names(r) == [uni.encode()], r.texts()
        # a rev2 CREATE with a UTF-8 name is seen as modified UTF-7 by a rev1 client
        uni2 = f"{mbox}-Ωmega"
        r = c2.command_with_literal("u6", "CREATE", uni2.encode())
        assert r.status == "OK", r.texts()
        r = c1.command(f"u7 LIST \"\" {quote(mbox + '-*mega')}")
        assert _list_names(r) == [_utf7(uni2).encode()], r.texts()
    finally:
        c1.close()
        c2.close()


def test_enable_rev2_then_fetch_and_binary_still_work(server, mbox):
    import mimecorpus as mc
    from mimehelpers import fetch_one, item_value
    c = server.raw(login=True)
    try:
        assert c.command(f"p1 CREATE {quote(mbox)}").status == "OK"
        append_msg(c, mbox, mc.mixed_message().bytes())
    finally:
        c.close()
    c = rev2(server, mbox)
    try:
        _, line = fetch_one(c, "p2", 1, "(BINARY.PEEK[2] BODY.PEEK[1])")
        assert item_value(line, "BINARY[2]").data == mc.ATT_BIN
        r = c.command("p3 FETCH 1 (BODYSTRUCTURE ENVELOPE FLAGS)")
        assert r.status == "OK" and "\\Recent" not in r.texts()[0], r.texts()
    finally:
        c.close()
