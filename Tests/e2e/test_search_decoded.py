"""SEARCH over the decoded message (RFC 3501 6.4.4, RFC 9051 6.4.4, RFC 5051 i;unicode-casemap):
header keys match decoded RFC 2047 encoded words and display names, BODY/TEXT match the decoded
text of base64 / quoted-printable parts in their declared charsets, matching is case-insensitive
beyond ASCII, and unsupported CHARSETs answer NO [BADCHARSET (...)]."""
from __future__ import annotations

import base64
import quopri

import pytest

from mimehelpers import append_msg
from rawimap import RawIMAP, quote


def hdr_msg(n: int, headers: list[str], body: str = "plain body\r\n") -> bytes:
    h = [f"Message-ID: <s{n}@example.org>", "Date: Mon, 06 Jan 2020 10:00:00 +0000"] + headers
    return ("\r\n".join(h) + "\r\n\r\n" + body).encode("ascii")


def body_msg(n: int, charset: str, cte: str, text: str, subtype: str = "plain") -> bytes:
    raw = text.encode(charset)
    if cte == "base64":
        enc = base64.encodebytes(raw).replace(b"\n", b"\r\n")
    else:
        enc = quopri.encodestring(raw).replace(b"\n", b"\r\n") + b"\r\n"
    return (f"From: body{n}@example.org\r\nTo: x@example.org\r\nSubject: body test {n}\r\n"
            f"Message-ID: <b{n}@example.org>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/mixed; boundary=\"sb{n}\"\r\n\r\n"
            f"--sb{n}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nfiller part\r\n\r\n"
            f"--sb{n}\r\nContent-Type: text/{subtype}; charset={charset}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
            ).encode() + enc + f"\r\n--sb{n}--\r\n".encode()


# seq -> message; sequence numbers are positions in this list (1-based)
MESSAGES = [
    hdr_msg(1, ["From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.de>",
                "To: Dave <dave@example.org>",
                "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?="]),
    hdr_msg(2, ["From: Carol <carol@example.org>",
                "To: =?UTF-8?B?Wm/DqyDDkWFuZMO6?= <zoe@example.es>",
                "Subject: =?ISO-8859-1?B?Q2Fm6SBjcuhtZQ==?="]),              # "Café crème"
    hdr_msg(3, ["From: Erin <erin@example.org>", "To: Dave <dave@example.org>",
                "Cc: =?UTF-8?Q?Fran=C3=A7ois?= <francois@example.fr>",
                "Bcc: =?UTF-8?B?QmrDuHJu?= <bjorn@example.no>",                 # "Bjørn"
                "X-Custom: =?UTF-8?Q?h=C3=A9llo_w=C3=B6rld?=",
                "Subject: =?UTF-8?Q?Stra=C3=9Fe?= und Hausnummer"]),
    hdr_msg(4, ["From: Frank <frank@example.org>", "To: Dave <dave@example.org>",
                "Subject: Viele =?UTF-8?Q?Gr=C3=BCsse?= zum Fest"]),
    body_msg(5, "utf-8", "base64", "Der Käse schmeckt wunderbar, sagt Jürgen.\r\n"),
    body_msg(6, "iso-8859-1", "quoted-printable", "La crème brûlée était délicieuse.\r\n"),
    body_msg(7, "windows-1252", "quoted-printable", "Preis: 100 € – „günstig“ heute.\r\n"),
    body_msg(8, "koi8-r", "base64", "Привет, мир! Съешь же ещё этих мягких булок.\r\n"),
    body_msg(9, "shift_jis", "base64", "日本語のテキストを検索します。\r\n"),
    body_msg(10, "utf-8", "quoted-printable", "<p>Ein Gruß aus der Straße</p>\r\n", subtype="html"),
    hdr_msg(11, ["From: Grace <grace@example.org>", "To: Dave <dave@example.org>",
                 "Subject: plain ascii control"], body="nothing special here\r\n"),
]


@pytest.fixture
def sconn(server, mbox):
    c = server.raw(login=True)
    assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
    for m in MESSAGES:
        append_msg(c, mbox, m)
    assert c.command(f"c2 SELECT {quote(mbox)}").status == "OK"
    yield c
    c.close()


_n = [0]


def search(c: RawIMAP, criteria: str, literal: str | None = None, tail: str = "") -> list[int]:
    """SEARCH criteria [literal tail]; the literal (UTF-8) is sent as {n}."""
    _n[0] += 1
    tag = f"q{_n[0]}"
    if literal is None:
        r = c.command(f"{tag} SEARCH {criteria}")
    else:
        r = c.command_with_literal(tag, f"SEARCH {criteria}", literal.encode("utf-8"), tail)
    assert r.status == "OK", f"SEARCH {criteria} {literal!r}: {r.texts()}"
    lines = r.untagged_of("SEARCH")
    assert len(lines) == 1, r.texts()
    return sorted(int(x) for x in lines[0].text.split()[2:])


@pytest.mark.parametrize("key,text,want", [
    ("SUBJECT", "grüße", [1, 4]),            # "Grüsse" (4) too: ß folds to ss (RFC 5051)
    ("SUBJECT", "grüße aus", [1]),
    ("SUBJECT", "aus köln", [1]),
    ("SUBJECT", "café crème", [2]),
    ("SUBJECT", "CAFÉ", [2]),
    ("SUBJECT", "straße und", [3]),
    ("FROM", "jörg müller", [1]),
    ("FROM", "MÜLLER", [1]),
    ("FROM", "joerg@example.de", [1]),
    ("TO", "zoë ñandú", [2]),
    ("TO", "ZOË", [2]),
    ("CC", "françois", [3]),
    ("BCC", "bjørn", [3]),
    ("BCC", "BJØRN", [3]),
])
def test_header_keys_match_decoded_words(sconn, key, text, want):
    assert search(sconn, f"CHARSET UTF-8 {key}", text) == want


def test_header_key_generic(sconn):
    assert search(sconn, "CHARSET UTF-8 HEADER X-Custom", "héllo wörld") == [3]
    assert search(sconn, "CHARSET UTF-8 HEADER Subject", "grüße aus") == [1]
    assert search(sconn, 'HEADER X-Custom ""') == [3]       # empty string: the field exists


def test_encoded_words_raw_text_does_not_match(sconn):
    """The decoded text is searched, not the =?...?= syntax (a raw-only match would mean no decoding)."""
    assert search(sconn, "SUBJECT", "Gr=C3=BC") == []
    assert search(sconn, "SUBJECT", "Q2Fm6SBjcuhtZQ") == []
    # The same subjects, decoded, are found.
    assert search(sconn, "CHARSET UTF-8 SUBJECT", "Grü") == [1, 4]
    assert search(sconn, "CHARSET UTF-8 SUBJECT", "Café crème") == [2]


@pytest.mark.parametrize("key,text,want", [
    ("BODY", "käse schmeckt", [5]),           # UTF-8, base64
    ("BODY", "JÜRGEN", [5]),
    ("BODY", "crème brûlée", [6]),           # ISO-8859-1, quoted-printable
    ("BODY", "100 € – „günstig“", [7]),      # Windows-1252 (0x80 euro, 0x96 dash, 0x84/0x93 quotes), QP
    ("BODY", "привет, мир", [8]),             # KOI8-R, base64
    ("BODY", "МЯГКИХ БУЛОК", [8]),            # Cyrillic case-insensitive
    ("BODY", "テキストを検索", [9]),           # Shift_JIS, base64
    ("BODY", "gruß aus der", [10]),           # text/html, QP, UTF-8
    ("TEXT", "ещё этих", [8]),
    ("TEXT", "brûlée", [6]),
    ("TEXT", "crème", [2, 6]),               # TEXT covers the header: subject of 2 is "Café crème"
    ("TEXT", "jörg", [1]),                    # TEXT covers the (decoded) header too
])
def test_body_text_match_decoded_charsets(sconn, key, text, want):
    assert search(sconn, f"CHARSET UTF-8 {key}", text) == want


def test_body_does_not_match_encoded_form(sconn):
    # "Käse" base64-encoded would never contain the plain word; QP "cr=E8me" must not match "crème"'s raw form
    assert search(sconn, "BODY", "cr=E8me") == []
    assert search(sconn, "BODY", "filler part") == [5, 6, 7, 8, 9, 10]


def test_unicode_case_insensitive_simple(sconn):
    """Case-insensitive beyond ASCII: 'GRÜSSE' matches 'Grüsse' (simple case mapping)."""
    assert 4 in search(sconn, "CHARSET UTF-8 SUBJECT", "GRÜSSE")
    assert search(sconn, "CHARSET UTF-8 SUBJECT", "gRüSsE ZUM") == [4]
    assert search(sconn, "CHARSET UTF-8 SUBJECT", "KÖLN") == [1]


def test_unicode_casemap_full_folding(sconn):
    """RFC 5051 i;unicode-casemap uses the full title-case mapping: 'ß' -> 'Ss', so 'GRÜSSE' matches
    'Grüße' and 'STRASSE' matches 'Straße'."""
    assert search(sconn, "CHARSET UTF-8 SUBJECT", "GRÜSSE") == [1, 4]
    assert search(sconn, "CHARSET UTF-8 SUBJECT", "STRASSE") == [3]
    assert search(sconn, "CHARSET UTF-8 BODY", "GRUSS AUS") == [10]   # "Gruß aus"
    assert search(sconn, "CHARSET UTF-8 BODY", "KASE") == []          # no accent folding: 'ä' stays 'ä'


def test_search_literal_subject_from_brief(sconn):
    """The literal form from the issue: SEARCH CHARSET UTF-8 SUBJECT {n} with 'GRÜSSE'."""
    lit = "GRÜSSE".encode()
    sconn.sendline(f"lt SEARCH CHARSET UTF-8 SUBJECT {{{len(lit)}}}")
    r = sconn.read_until_tagged("lt", stop_at_continuation=True)
    assert r.continuation is not None, r.texts()
    sconn.send(lit + b"\r\n")
    r = sconn.read_until_tagged("lt")
    assert r.status == "OK", r.texts()
    got = [int(x) for x in r.untagged_of("SEARCH")[0].text.split()[2:]]
    assert 4 in got, r.texts()


@pytest.mark.parametrize("charset", ["ISO-8859-1", "X-NO-SUCH-CHARSET", "KOI8-R"])
def test_badcharset(sconn, charset):
    r = sconn.command(f"bc SEARCH CHARSET {charset} SUBJECT hello")
    assert r.status == "NO", r.texts()
    code = r.tagged.code or ""
    assert code.startswith("BADCHARSET"), r.texts()
    listed = set(code[len("BADCHARSET"):].strip(" ()").upper().split())
    assert {"UTF-8", "US-ASCII"} <= listed, f"BADCHARSET should list the supported charsets: {r.texts()}"


def test_us_ascii_charset_and_default(sconn):
    assert search(sconn, "CHARSET US-ASCII SUBJECT", "control") == [11]
    assert search(sconn, "SUBJECT control") == [11]
    assert search(sconn, "CHARSET utf-8 SUBJECT control") == [11]


def test_combined_keys(sconn):
    assert search(sconn, "CHARSET UTF-8 OR FROM carol SUBJECT", "grüße aus") == [1, 2]
    assert search(sconn, "CHARSET UTF-8 NOT BODY", "filler", " NOT SUBJECT control") == [1, 2, 3, 4]
