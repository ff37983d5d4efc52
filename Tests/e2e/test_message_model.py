"""The message model over the wire: FETCH ENVELOPE, BODYSTRUCTURE (with extension data), BODY,
the ALL/FULL macros, and body sections (RFC 3501 sections 6.4.5 and 7.4.2, RFC 9051 sections
6.4.5 and 7.5.2) on realistic messages built in mimecorpus.py."""
from __future__ import annotations

import re

import pytest

import mimecorpus as mc
from mimehelpers import (fetch_flags_in, fetch_one, flags_now, item_value, parse_fetch_line,
                         section, setup_mailbox)
from rawimap import quote

ENV_MSG = (
    "From: \"Doe, John\" <john.doe@example.org>\r\n"
    "To: Dave <dave@example.org>, undisclosed-recipients:;\r\n"
    "Cc: Team: alice@example.org, \"Bob B.\" <bob@example.org>;, carol@example.org\r\n"
    "Bcc: secret@example.org\r\n"
    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= and =?ISO-8859-1?B?Y2Fm6Q==?=\r\n"
    "Date: Mon, 06 Jan 2020 10:00:00 +0000\r\n"
    "Message-ID: <env-1@example.org>\r\n"
    "In-Reply-To: <parent@example.org>\r\n"
    "\r\n"
    "Body.\r\n").encode()
ENV_EXPECTED = (
    '("Mon, 06 Jan 2020 10:00:00 +0000" "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= and =?ISO-8859-1?B?Y2Fm6Q==?=" '
    '(("Doe, John" NIL "john.doe" "example.org")) (("Doe, John" NIL "john.doe" "example.org")) '
    '(("Doe, John" NIL "john.doe" "example.org")) '
    '(("Dave" NIL "dave" "example.org")(NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) '
    '((NIL NIL "Team" NIL)(NIL NIL "alice" "example.org")("Bob B." NIL "bob" "example.org")(NIL NIL NIL NIL)'
    '(NIL NIL "carol" "example.org")) '
    '((NIL NIL "secret" "example.org")) "<parent@example.org>" "<env-1@example.org>")')

ENV_MSG2 = (
    "From: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\r\n"
    "Sender: Secretary <sec@example.org>\r\n"
    "Reply-To: list@example.org\r\n"
    "\r\n"
    "No date, no subject, no recipients.\r\n").encode()
ENV_EXPECTED2 = (
    '(NIL NIL (("=?ISO-8859-1?Q?Andr=E9?= Pirard" NIL "PIRARD" "vm1.ulg.ac.be")) '
    '(("Secretary" NIL "sec" "example.org")) ((NIL NIL "list" "example.org")) NIL NIL NIL NIL NIL)')


def envelope_text(line) -> str:
    m = re.search(r"ENVELOPE (\(.*\))", line.text)
    assert m, line.text
    # the ENVELOPE is the last parenthesised item we asked for: cut at its matching paren
    s = m.group(1)
    depth, inq, esc = 0, False, False
    for i, ch in enumerate(s):
        if inq:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                inq = False
        elif ch == '"':
            inq = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return s[:i + 1]
    raise AssertionError(s)


# ----------------------------------------------------------------------------- ENVELOPE


def test_envelope_groups_encoded_words_defaults(raw, mbox):
    setup_mailbox(raw, mbox, [ENV_MSG, ENV_MSG2])
    _, l1 = fetch_one(raw, "e1", 1, "(ENVELOPE)")
    assert envelope_text(l1) == ENV_EXPECTED, l1.text
    _, l2 = fetch_one(raw, "e2", 2, "(ENVELOPE)")
    assert envelope_text(l2) == ENV_EXPECTED2, l2.text


def test_envelope_quoted_display_name_and_empty_subject(raw, mbox):
    msg = (b'From: "Carol \\"CJ\\" Jones" <cj@example.org>\r\nTo: <bare@example.org>\r\n'
           b"Subject: \r\nMessage-ID: <q@x>\r\n\r\nx\r\n")
    setup_mailbox(raw, mbox, [msg])
    _, line = fetch_one(raw, "e1", 1, "(ENVELOPE)")
    _, items = parse_fetch_line(line)
    env = items["ENVELOPE"]
    assert env.date is None
    assert env.subject in (b"", None) and env.subject == b"", f"empty Subject: is an empty string: {line.text}"
    (frm,) = env.from_
    assert (frm.name, frm.route, frm.mailbox, frm.host) == (b'Carol "CJ" Jones', None, b"cj", b"example.org")
    assert env.sender == env.from_ and env.reply_to == env.from_
    (to,) = env.to
    assert (to.name, to.mailbox, to.host) == (None, b"bare", b"example.org")
    assert env.cc is None and env.bcc is None and env.in_reply_to is None
    assert env.message_id == b"<q@x>"


def test_envelope_8bit_header_bytes(raw, mbox):
    """Raw UTF-8 in headers comes back byte-exact; IMAP4rev1 quoted strings are 7-bit
    (RFC 3501 section 9: QUOTED-CHAR is a TEXT-CHAR, CHAR is %x01-7F), so it must be a literal."""
    setup_mailbox(raw, mbox, [mc.eightbit_header_message()])
    _, line = fetch_one(raw, "e1", 1, "(ENVELOPE)")
    _, items = parse_fetch_line(line)
    env = items["ENVELOPE"]
    assert env.subject == "Grüße 8bit héllo".encode()
    assert env.from_[0].name == "Jörg Ünver".encode()
    quoted = re.findall(rb'"((?:[^"\\\r\n]|\\.)*)"', line.raw.split(b"{")[0])
    assert not any(any(b >= 0x80 for b in q) for q in quoted), f"8-bit data in a quoted string: {line.raw!r}"


def test_envelope_of_encapsulated_message(raw, mbox):
    msg = mc.nested_message()
    setup_mailbox(raw, mbox, [msg.bytes()])
    _, line = fetch_one(raw, "e1", 1, "(BODYSTRUCTURE)")
    _, items = parse_fetch_line(line)
    bs = items["BODYSTRUCTURE"]
    part2 = bs[0][1]
    assert part2[0].lower() == b"message" and part2[1].lower() == b"rfc822"
    env = part2[7]    # a plain tuple here (imapclient builds Envelope objects only at top level)
    date, subject, frm, sender, reply_to, to, cc, bcc, irt, mid = env
    assert date == b"Thu, 02 Jan 2020 08:00:00 -0500"
    assert subject == b"Inner forwarded message"
    assert frm[0][0] == b"Grace" and sender == frm and reply_to == frm
    assert to[0][2:] == (b"carol", b"example.org") and cc is None and bcc is None
    assert irt == b"<older@example.net>" and mid == b"<inner-1@example.net>"


# ----------------------------------------------------------------------------- BODYSTRUCTURE / BODY


@pytest.mark.parametrize("name", ["plain", "alternative", "mixed", "nested", "noct"])
def test_bodystructure_matches_grammar(raw, mbox, name):
    msg = mc.corpus()[name]
    setup_mailbox(raw, mbox, [msg.bytes()])
    _, line = fetch_one(raw, "b1", 1, "(BODYSTRUCTURE)")
    _, items = parse_fetch_line(line)
    got = mc.canon_bodystructure(items["BODYSTRUCTURE"], ext=True)
    want = mc.expected_bodystructure(msg.body, ext=True)
    assert got == want, f"BODYSTRUCTURE of {name}:\n{line.text[:3000]}"


def _has_no_extension_data(node) -> bool:
    node = list(node)
    if node and isinstance(node[0], list):
        node = list(node[0]) + node[1:]
    if node and isinstance(node[0], (list, tuple)):
        i = 0
        while i < len(node) and isinstance(node[i], (list, tuple)):
            if not _has_no_extension_data(node[i]):
                return False
            i += 1
        return len(node) == i + 1          # parts + subtype only
    t, s = node[0].lower(), node[1].lower()
    if t == b"message" and s == b"rfc822":
        return len(node) == 10 and _has_no_extension_data(node[8])
    return len(node) == (8 if t == b"text" else 7)


@pytest.mark.parametrize("name", ["plain", "mixed", "nested"])
def test_body_is_bodystructure_without_extensions(raw, mbox, name):
    msg = mc.corpus()[name]
    setup_mailbox(raw, mbox, [msg.bytes()])
    _, line = fetch_one(raw, "b1", 1, "(BODY)")
    _, items = parse_fetch_line(line)
    body = items["BODY"]
    assert mc.canon_bodystructure(body, ext=False) == mc.expected_bodystructure(msg.body, ext=False), line.text
    assert _has_no_extension_data(body), f"BODY must not carry extension data (RFC 3501 7.4.2): {line.text}"
    # and asking for BODY did not set \Seen (BODY is not a section)
    assert "\\Seen" not in flags_now(raw, "b2", 1)


def test_bodystructure_exact_rfc3501_example_shape(raw, mbox):
    """Exact text for a small multipart: every string quoted, NIL for absent fields, no extra spaces."""
    msg = (b"From: a@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
           b"--b1\r\nContent-Type: text/plain; charset=US-ASCII\r\n\r\nhello\r\nworld\r\n\r\n"
           b"--b1\r\nContent-Type: application/octet-stream; name=\"x.bin\"\r\n"
           b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"x.bin\"\r\n\r\n"
           b"AAECAw==\r\n\r\n--b1--\r\n")
    setup_mailbox(raw, mbox, [msg])
    _, line = fetch_one(raw, "b1", 1, "(BODYSTRUCTURE)")
    want = re.escape(
        '* 1 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "US-ASCII") NIL NIL "7bit" 14 2 NIL NIL NIL NIL)'
        '("application" "octet-stream" ("name" "x.bin") NIL NIL "base64" 10 NIL '
        '("attachment" ("filename" "x.bin")) NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL))')
    # type, subtype, encoding and the charset value are case-insensitive (RFC 2045)
    for word in ("text", "plain", "US\\-ASCII", "7bit", "application", "octet\\-stream", "base64", "mixed",
                 "attachment", "charset", "name", "filename", "boundary"):
        want = want.replace('"' + word + '"', '"(?i:' + word + ')"')
    assert re.fullmatch(want, line.text), line.text


def test_fetch_all_and_full_macros(raw, mbox):
    msg = mc.mixed_message()
    setup_mailbox(raw, mbox, [msg.bytes()])
    _, all_line = fetch_one(raw, "m1", 1, "ALL")
    _, a = parse_fetch_line(all_line)
    assert set(a) == {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"}, all_line.text
    assert a["RFC822.SIZE"] == len(msg.bytes())
    assert a["ENVELOPE"].subject == b"Three attachments"
    _, full_line = fetch_one(raw, "m2", 1, "FULL")
    _, f = parse_fetch_line(full_line)
    assert set(f) == {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"}, full_line.text
    assert _has_no_extension_data(f["BODY"]), full_line.text
    assert mc.canon_bodystructure(f["BODY"], ext=False) == mc.expected_bodystructure(msg.body, ext=False)
    _, fast_line = fetch_one(raw, "m3", 1, "FAST")
    _, fa = parse_fetch_line(fast_line)
    assert set(fa) == {"FLAGS", "INTERNALDATE", "RFC822.SIZE"}
    # macros are not allowed inside a list (RFC 3501 9: fetch = ... ("ALL" / "FULL" / "FAST" / fetch-att / "(" ...))
    r = raw.command("m4 FETCH 1 (ALL)")
    assert r.status == "BAD", r.texts()
    assert "\\Seen" not in flags_now(raw, "m5", 1)


# ----------------------------------------------------------------------------- sections


@pytest.mark.parametrize("name", ["plain", "alternative", "mixed", "nested", "noct"])
def test_every_part_section_text_and_mime(raw, mbox, name):
    """BODY[n] is the part's (still encoded) content, BODY[n.MIME] its MIME header, for every part
    number the structure has (RFC 3501 6.4.5)."""
    msg = mc.corpus()[name]
    setup_mailbox(raw, mbox, [msg.bytes()])
    for num, part in mc.leaves(msg).items():
        v = section(raw, f"s{num}", 1, num)
        assert v.data == part.content(), f"BODY[{num}] of {name}: {v.data[:200]!r}"
        if isinstance(msg.body, mc.Multi) or "." in num:
            mv = section(raw, f"m{num}", 1, f"{num}.MIME")
            assert mv.data == mc.entity_header(part), f"BODY[{num}.MIME] of {name}: {mv.data!r}"
    assert "\\Seen" not in flags_now(raw, "f1", 1), "BODY.PEEK must not set \\Seen"


def test_single_part_numbering(raw, mbox):
    """A non-multipart message has only part 1, which is its body (RFC 3501 6.4.5)."""
    msg = mc.plain_message()
    data = msg.bytes()
    setup_mailbox(raw, mbox, [data])
    hdr, body = data.split(b"\r\n\r\n", 1)
    assert section(raw, "a1", 1, "1").data == body
    assert section(raw, "a2", 1, "TEXT").data == body
    assert section(raw, "a3", 1, "HEADER").data == hdr + b"\r\n\r\n"
    assert section(raw, "a4", 1, "").data == data
    v = section(raw, "a5", 1, "2")
    assert not v.data, f"BODY[2] of a single-part message must be empty/NIL: {v}"


def test_encapsulated_message_sections(raw, mbox):
    """Part 2 is message/rfc822: BODY[2.HEADER] / [2.TEXT] / [2.HEADER.FIELDS (...)] address the
    encapsulated message, [2.1] / [2.2] its multipart body's parts, [2.MIME] the part's own header."""
    msg = mc.nested_message()
    setup_mailbox(raw, mbox, [msg.bytes()])
    fwd = msg.body.parts[1]
    inner = fwd.msg
    ih = inner.header_bytes()
    assert section(raw, "n1", 1, "2").data == inner.bytes()
    assert section(raw, "n2", 1, "2.HEADER").data == ih
    assert section(raw, "n3", 1, "2.TEXT").data == inner.body.content()
    assert section(raw, "n4", 1, "2.MIME").data == mc.entity_header(fwd)
    assert section(raw, "n5", 1, "2.1").data == inner.body.parts[0].content()
    assert section(raw, "n6", 1, "2.2").data == inner.body.parts[1].content()
    assert section(raw, "n7", 1, "2.2.MIME").data == mc.entity_header(inner.body.parts[1])
    v = section(raw, "n8", 1, "2.HEADER.FIELDS (Subject From)", key="BODY[2.HEADER.FIELDS (Subject From)]")
    assert v.data == b"From: Grace <grace@example.net>\r\nSubject: Inner forwarded message\r\n\r\n", v
    v = section(raw, "n9", 1, "2.HEADER.FIELDS.NOT (Subject From To Date Message-ID MIME-Version Content-Type)",
                key="BODY[2.HEADER.FIELDS.NOT (Subject From To Date Message-ID MIME-Version Content-Type)]")
    assert v.data == b"In-Reply-To: <older@example.net>\r\n\r\n", v
    # nested multipart parts deeper down
    assert section(raw, "n10", 1, "1.2.2").data == msg.body.parts[0].parts[1].parts[1].content()
    assert section(raw, "n11", 1, "1.2").data == msg.body.parts[0].parts[1].content()
    assert "\\Seen" not in flags_now(raw, "n12", 1)


def test_top_level_message_rfc822(raw, mbox):
    inner = b"From: in@example.org\r\nSubject: inner\r\n\r\ninner body\r\n"
    msg = (b"From: out@example.org\r\nSubject: outer\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: message/rfc822\r\n\r\n" + inner)
    setup_mailbox(raw, mbox, [msg])
    assert section(raw, "t1", 1, "1").data == inner
    assert section(raw, "t2", 1, "1.HEADER").data == b"From: in@example.org\r\nSubject: inner\r\n\r\n"
    assert section(raw, "t3", 1, "1.TEXT").data == b"inner body\r\n"
    assert section(raw, "t4", 1, "1.1").data == b"inner body\r\n"


@pytest.mark.parametrize("sect,origin,length", [("2", 0, 10), ("2", 17, 100), ("1.1", 3, 5), ("2.HEADER", 6, 5),
                                                ("2.TEXT", 0, 1), ("2.MIME", 14, 7)])
def test_partial_sections(raw, mbox, sect, origin, length):
    msg = mc.nested_message()
    setup_mailbox(raw, mbox, [msg.bytes()])
    full = section(raw, "p0", 1, sect).data
    _, line = fetch_one(raw, "p1", 1, f"(BODY.PEEK[{sect}]<{origin}.{length}>)")
    v = item_value(line, f"BODY[{sect}]<{origin}>")
    assert v is not None, f"partial response must be labelled BODY[{sect}]<{origin}>: {line.text}"
    assert v.data == full[origin:origin + length]


def test_partial_beyond_end_is_empty(raw, mbox):
    setup_mailbox(raw, mbox, [mc.plain_message().bytes()])
    _, line = fetch_one(raw, "p1", 1, "(BODY.PEEK[1]<100000.10>)")
    v = item_value(line, "BODY[1]<100000>")
    assert v is not None and v.form != "NIL" and v.data == b"", line.text


def test_header_fields_on_parts(raw, mbox):
    msg = mc.mixed_message()
    setup_mailbox(raw, mbox, [msg.bytes()])
    # HEADER.FIELDS of the top-level message, partial
    _, line = fetch_one(raw, "h1", 1, "(BODY.PEEK[HEADER.FIELDS (SUBJECT CC)]<0.9>)")
    v = item_value(line, "BODY[HEADER.FIELDS (SUBJECT CC)]<0>")
    assert v.data == b"Cc: Frank", line.text


def test_peek_does_not_set_seen_and_body_does(raw, mbox):
    msg = mc.nested_message()
    setup_mailbox(raw, mbox, [msg.bytes()] * 4)
    for i, it in enumerate(["BODY.PEEK[1.1]", "BODY.PEEK[2.HEADER]", "BODY.PEEK[2.MIME]<0.5>",
                            "BODY.PEEK[2.HEADER.FIELDS (SUBJECT)]"]):
        fetch_one(raw, f"k{i}", 1, f"({it})")
    assert "\\Seen" not in flags_now(raw, "k9", 1)
    for seq, it in [(1, "BODY[1.1]"), (2, "BODY[2.HEADER]"), (3, "BODY[2.TEXT]<0.4>"),
                    (4, "BODY[2.HEADER.FIELDS (SUBJECT)]")]:
        r, line = fetch_one(raw, f"n{seq}", seq, f"({it})")
        fl = fetch_flags_in(r)
        assert fl is not None and "\\Seen" in fl, \
            f"FETCH {it} sets \\Seen and must report the flag change (RFC 3501 6.4.5): {r.texts()}"
        assert "\\Seen" in flags_now(raw, f"q{seq}", seq)


def test_body_on_examined_mailbox_does_not_set_seen(raw, mbox, server):
    setup_mailbox(raw, mbox, [mc.plain_message().bytes()])
    c = server.raw(login=True)
    try:
        assert c.command(f"x1 EXAMINE {quote(mbox)}").status == "OK"
        _, line = fetch_one(c, "x2", 1, "(BODY[1])")
        assert item_value(line, "BODY[1]") is not None
    finally:
        c.close()
    assert "\\Seen" not in flags_now(raw, "x3", 1)


@pytest.mark.parametrize("sect", ["9", "1.9", "3.1", "2.5.1", "1.2.3.4", "3.HEADER", "9.MIME", "1.1.TEXT"])
def test_nonexistent_parts(raw, mbox, sect):
    """A part number the structure does not have: no data (NIL or empty string) or NO, never a
    crash; the connection stays usable."""
    msg = mc.nested_message()
    setup_mailbox(raw, mbox, [msg.bytes()])
    r = raw.command(f"z1 FETCH 1 (BODY.PEEK[{sect}])")
    assert r.status in ("OK", "NO"), r.texts()
    if r.status == "OK":
        lines = r.untagged_of("FETCH")
        assert lines, r.texts()
        v = item_value(lines[0], f"BODY[{sect}]")
        assert v is not None and not v.data, f"BODY[{sect}] does not exist: {lines[0].text}"
    assert raw.command("z2 NOOP").status == "OK"


@pytest.mark.parametrize("bad", ["BODY.PEEK[0]", "BODY.PEEK[1.0]", "BODY.PEEK[1.X]", "BODY.PEEK[MIME]",
                                 "BODY.PEEK[1.HEADER.FIELDS]", "BODY.PEEK[1]<5>", "BODY.PEEK[1]<1.0.2>"])
def test_malformed_sections_are_bad(raw, mbox, bad):
    setup_mailbox(raw, mbox, [mc.plain_message().bytes()])
    r = raw.command(f"y1 FETCH 1 ({bad})")
    assert r.status == "BAD", f"{bad}: {r.texts()}"
    assert raw.command("y2 NOOP").status == "OK"


def test_multipart_digest_default_is_message_rfc822(raw, mbox):
    """In multipart/digest a part without Content-Type is message/rfc822 (RFC 2046 5.1.5)."""
    inner = b"From: x@example.org\r\nSubject: digest one\r\n\r\nfirst digest body\r\n"
    msg = (b"From: a@example.org\r\nSubject: digest\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/digest; boundary=\"d\"\r\n\r\n"
           b"--d\r\n\r\n" + inner + b"\r\n--d--\r\n")
    setup_mailbox(raw, mbox, [msg])
    _, line = fetch_one(raw, "d1", 1, "(BODYSTRUCTURE)")
    _, items = parse_fetch_line(line)
    got = mc.canon_bodystructure(items["BODYSTRUCTURE"])
    assert got[0] == "MULTI" and got[2] == "digest", line.text
    p1 = got[1][0]
    assert p1[:2] == ["message", "rfc822"] and p1[6] == len(inner) and p1[9] == 4, line.text
    assert section(raw, "d2", 1, "1.HEADER").data == b"From: x@example.org\r\nSubject: digest one\r\n\r\n"
    assert section(raw, "d3", 1, "1.TEXT").data == b"first digest body\r\n"
