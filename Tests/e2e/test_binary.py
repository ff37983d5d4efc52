"""BINARY (RFC 3516, RFC 9051 6.4.5 / 7.5.2): BINARY[n], BINARY.PEEK[n], BINARY.SIZE[n], literal8
responses, UNKNOWN-CTE, and APPEND with a literal8 body."""
from __future__ import annotations

import pytest

import mimecorpus as mc
from exthelpers import capabilities
from mimehelpers import (fetch_flags_in, fetch_one, flags_now, item_value, section,
                         setup_mailbox)
from rawimap import quote


def _binary_leaves(msg):
    """Leaf parts (not multipart, not message/rfc822) and their part numbers."""
    return {n: p for n, p in mc.leaves(msg).items() if isinstance(p, mc.Leaf)}


def test_binary_capability(raw):
    assert "BINARY" in capabilities(raw)


@pytest.mark.parametrize("name", ["plain", "alternative", "mixed", "nested", "noct"])
def test_binary_peek_every_leaf_decoded(raw, mbox, name):
    msg = mc.corpus()[name]
    setup_mailbox(raw, mbox, [msg.bytes()])
    for num, part in _binary_leaves(msg).items():
        _, line = fetch_one(raw, f"b{num}", 1, f"(BINARY.PEEK[{num}])")
        v = item_value(line, f"BINARY[{num}]")
        assert v is not None, line.text[:300]
        assert v.data == part.decoded, f"BINARY[{num}] of {name} is not the decoded content"
        if 0 in part.decoded:
            assert v.form == "literal8", f"decoded data with NUL must be a literal8 (RFC 3516 4.2): {v.form}"
        _, sline = fetch_one(raw, f"z{num}", 1, f"(BINARY.SIZE[{num}])")
        sv = item_value_number(sline.text, f"BINARY.SIZE[{num}]")
        assert sv == len(part.decoded), f"BINARY.SIZE[{num}] = {sv}, decoded bytes = {len(part.decoded)}"
    assert "\\Seen" not in flags_now(raw, "f1", 1), "BINARY.PEEK / BINARY.SIZE must not set \\Seen"


def item_value_number(text: str, key: str) -> int | None:
    import re
    m = re.search(re.escape(key) + r" (\d+)", text)
    return int(m.group(1)) if m else None


def test_binary_attachment_with_nul_is_literal8(raw, mbox):
    msg = mc.mixed_message()
    setup_mailbox(raw, mbox, [msg.bytes()])
    assert 0 in mc.ATT_BIN
    _, line = fetch_one(raw, "l1", 1, "(BINARY.PEEK[2])")
    assert f"BINARY[2] ~{{{len(mc.ATT_BIN)}}}".encode() in line.raw, line.raw[:200]
    assert item_value(line, "BINARY[2]").data == mc.ATT_BIN


def test_binary_partial(raw, mbox):
    msg = mc.mixed_message()
    setup_mailbox(raw, mbox, [msg.bytes()])
    for num, att, (o, n) in [("2", mc.ATT_BIN, (100, 50)), ("3", mc.ATT_QP, (0, 7)), ("4", mc.ATT_IMG, (1200, 100))]:
        _, line = fetch_one(raw, f"p{num}", 1, f"(BINARY.PEEK[{num}]<{o}.{n}>)")
        # RFC 3516 4.2 writes the response as BINARY[n]<origin>, the ABNF of RFC 3516 / RFC 9051 as
        # BINARY[n] (RFC 9051 erratum 7246): accept either label
        v = item_value(line, f"BINARY[{num}]<{o}>") or item_value(line, f"BINARY[{num}]")
        assert v is not None, line.text[:200]
        assert v.data == att[o:o + n], f"BINARY[{num}]<{o}.{n}>"


def test_binary_sets_seen_peek_and_size_do_not(raw, mbox):
    msg = mc.mixed_message()
    setup_mailbox(raw, mbox, [msg.bytes()] * 2)
    fetch_one(raw, "s1", 1, "(BINARY.PEEK[2] BINARY.SIZE[3])")
    assert "\\Seen" not in flags_now(raw, "s2", 1)
    r, line = fetch_one(raw, "s3", 2, "(BINARY[2])")
    assert item_value(line, "BINARY[2]").data == mc.ATT_BIN
    fl = fetch_flags_in(r)
    assert fl is not None and "\\Seen" in fl, f"BINARY[] sets \\Seen and reports it: {[t[:120] for t in r.texts()]}"
    assert "\\Seen" in flags_now(raw, "s4", 2)
    assert "\\Seen" not in flags_now(raw, "s5", 1)


def test_binary_of_single_part_and_whole_message(raw, mbox):
    body = "Grüße\r\n".encode()
    msg = ("From: a@example.org\r\nSubject: b64 text\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n").encode() \
        + mc.b64_lines(body)
    setup_mailbox(raw, mbox, [msg])
    _, line = fetch_one(raw, "w1", 1, "(BINARY.PEEK[1] BINARY.SIZE[1])")
    assert item_value(line, "BINARY[1]").data == body
    assert item_value_number(line.text, "BINARY.SIZE[1]") == len(body)
    # BINARY[] is the whole message with the body decoded; its header then says so (as Dovecot answers)
    _, line = fetch_one(raw, "w2", 1, "(BINARY.PEEK[] BINARY.SIZE[])")
    decoded = ("From: a@example.org\r\nSubject: b64 text\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: binary\r\n\r\n").encode() + body
    assert item_value(line, "BINARY[]").data == decoded
    assert item_value_number(line.text, "BINARY.SIZE[]") == len(decoded)


def test_unknown_cte(raw, mbox):
    """RFC 3516 4.3 / RFC 9051 7.1: a CTE the server cannot decode gives NO [UNKNOWN-CTE];
    BODY[] of the same part still works."""
    uu = b"begin 644 x.txt\r\n#86)C\r\n`\r\nend\r\n"
    msg = (b"From: a@example.org\r\nSubject: uu\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"u\"\r\n\r\n"
           b"--u\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n\r\n"
           b"--u\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
           + uu + b"\r\n--u--\r\n")
    setup_mailbox(raw, mbox, [msg])
    for i, item in enumerate(["BINARY.PEEK[2]", "BINARY[2]", "BINARY.SIZE[2]", "BINARY.PEEK[2]<0.3>"]):
        r = raw.command(f"u{i} FETCH 1 ({item})")
        assert r.status == "NO" and r.code == "UNKNOWN-CTE", f"{item}: {r.texts()}"
    assert section(raw, "u9", 1, "2").data == uu
    assert "\\Seen" not in flags_now(raw, "u10", 1), "a refused BINARY[] must not set \\Seen"
    # the decodable part 1 is still served
    _, line = fetch_one(raw, "u11", 1, "(BINARY.PEEK[1])")
    assert item_value(line, "BINARY[1]").data == b"see attachment\r\n"


@pytest.mark.parametrize("bad", ["BINARY.PEEK[1.HEADER]", "BINARY.PEEK[1.MIME]", "BINARY.PEEK[TEXT]",
                                 "BINARY.SIZE[1]<0.5>", "BINARY.PEEK[0]"])
def test_binary_section_syntax(raw, mbox, bad):
    """section-binary is only part numbers (RFC 3516 6 / RFC 9051 9); BINARY.SIZE has no partial."""
    setup_mailbox(raw, mbox, [mc.plain_message().bytes()])
    r = raw.command(f"x1 FETCH 1 ({bad})")
    assert r.status == "BAD", f"{bad}: {r.texts()}"
    assert raw.command("x2 NOOP").status == "OK"


def _append_literal8(c, mailbox: str, data: bytes, tag: str = "a8", nonsync: bool = False):
    if nonsync:
        c.send(f"{tag} APPEND {quote(mailbox)} ~{{{len(data)}+}}\r\n".encode() + data + b"\r\n")
        return c.read_until_tagged(tag)
    c.sendline(f"{tag} APPEND {quote(mailbox)} ~{{{len(data)}}}")
    r = c.read_until_tagged(tag, stop_at_continuation=True)
    if r.continuation is None:
        return r
    c.send(data + b"\r\n")
    return c.read_until_tagged(tag)


@pytest.mark.parametrize("nonsync", [False, True], ids=["sync", "literal-plus"])
def test_append_literal8_with_nul(raw, mbox, nonsync):
    """APPEND with a literal8 (RFC 3516 4.4): binary content with NUL is stored byte-exact and
    BINARY returns it (as a literal8)."""
    payload = mc.rnd(2048, 77)
    assert 0 in payload
    msg = (b"From: a@example.org\r\nSubject: binary append\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"bb\"\r\n\r\n"
           b"--bb\r\nContent-Type: text/plain\r\n\r\nbinary follows\r\n\r\n"
           b"--bb\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"
           + payload + b"\r\n--bb--\r\n")
    assert raw.command(f"c1 CREATE {quote(mbox)}").status == "OK"
    r = _append_literal8(raw, mbox, msg, nonsync=nonsync)
    assert r.status == "OK", r.texts()
    assert raw.command(f"c2 SELECT {quote(mbox)}").status == "OK"
    _, line = fetch_one(raw, "c3", 1, "(RFC822.SIZE BINARY.PEEK[2] BINARY.SIZE[2])")
    v = item_value(line, "BINARY[2]")
    assert v.form == "literal8" and v.data == payload
    assert item_value_number(line.text, "BINARY.SIZE[2]") == len(payload)
    assert item_value_number(line.text, "RFC822.SIZE") == len(msg)
    assert item_value_number(line.text, "BINARY.SIZE[2]") == len(payload)
    # the whole message contains NUL: BINARY[] must come as literal8; BODY[] cannot be a plain literal
    # of the raw bytes (RFC 3516 4.3: NO [UNKNOWN-CTE] or a transfer-encoded form, or literal8 is not
    # allowed for BODY). We only require BINARY[] to be exact.
    _, line = fetch_one(raw, "c4", 1, "(BINARY.PEEK[])")
    v = item_value(line, "BINARY[]")
    assert v.form == "literal8" and v.data == msg
    # BODY[] cannot use literal8 (its value is an nstring) and a literal cannot carry NUL
    # (RFC 3501 / RFC 9051 section 9: literal = "{" number "}" CRLF *CHAR8, CHAR8 = %x01-ff)
    for i, sect in enumerate(["", "2", "TEXT"]):
        r, line = fetch_one(raw, f"c5{i}", 1, f"(BODY.PEEK[{sect}])")
        v = item_value(line, f"BODY[{sect}]")
        assert v is not None and v.form != "literal8", f"BODY[{sect}] must not be a literal8: {line.raw[:100]!r}"
        has_nul = 0 in (v.data or b"")
        assert not has_nul, f"BODY[{sect}] sent NUL inside a {{n}} literal (not CHAR8): {line.raw[:60]!r}..."


def test_append_nul_in_plain_literal(raw, mbox):
    """NUL is not allowed in a normal literal (RFC 3501 / RFC 9051 section 9: CHAR8 = %x01-ff; binary
    data needs literal8, RFC 3516 4.4). A server may refuse the APPEND (NO/BAD); if it stores the
    message anyway it must still never send NUL inside a {n} literal of BODY[]/RFC822."""
    assert raw.command(f"n1 CREATE {quote(mbox)}").status == "OK"
    msg = b"From: a@example.org\r\nSubject: nul\r\n\r\nbad \x00 byte\r\n"
    raw.send(f"n2 APPEND {quote(mbox)} {{{len(msg)}+}}\r\n".encode() + msg + b"\r\n")
    r = raw.read_until_tagged("n2")
    assert r.status in ("OK", "NO", "BAD"), r.texts()
    assert raw.command("n3 NOOP").status == "OK"
    if r.status != "OK":
        return
    assert raw.command(f"n4 EXAMINE {quote(mbox)}").status == "OK"
    for i, (item, key) in enumerate([("BODY.PEEK[]", "BODY[]"), ("BODY.PEEK[TEXT]", "BODY[TEXT]"),
                                     ("RFC822.TEXT", "RFC822.TEXT"), ("RFC822", "RFC822")]):
        _, line = fetch_one(raw, f"n5{i}", 1, f"({item})")
        v = item_value(line, key)
        assert v is not None and v.form != "literal8", line.raw[:120]
        has_nul = 0 in (v.data or b"")
        assert not has_nul, f"{key} sent NUL inside a {{n}} literal (CHAR8 excludes NUL): {line.raw!r}"
