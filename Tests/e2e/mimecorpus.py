"""Realistic MIME messages for the message-model e2e tests (ENVELOPE, BODYSTRUCTURE, sections,
BINARY, decoded SEARCH, mail readers).

Each message is built from a small tree (``Leaf``, ``Multi``, ``Rfc822``) so the tests know, for
every part: its IMAP part number, the exact encoded bytes the server must return for BODY[n], the
decoded bytes BINARY[n] must return, and the expected BODYSTRUCTURE fields (computed from the
RFC 3501 / RFC 9051 grammar, independently of the server).

Comparison with the server goes through ``canon_bodystructure``: type/subtype/encoding/parameter
names are case-insensitive (RFC 2045 section 5.1), RFC 2231 parameter continuations and
``charset'lang'%XX`` values are decoded, so either representation a server may choose (merged
``filename*`` like Dovecot, or the raw sections) compares equal.
"""
from __future__ import annotations

import base64
import quopri
import random
import re
import urllib.parse
from dataclasses import dataclass, field

CRLF = b"\r\n"


def rnd(n: int, seed: int) -> bytes:
    """Deterministic 'random' bytes (all 256 values, including NUL, CR, LF)."""
    r = random.Random(seed)
    return bytes(r.getrandbits(8) for _ in range(n))


def b64_lines(data: bytes, width: int = 76) -> bytes:
    s = base64.b64encode(data)
    return b"".join(s[i:i + width] + CRLF for i in range(0, len(s), width))


def qp(data: bytes) -> bytes:
    """Quoted-printable of binary data: every CR, LF, '=' and non-printable byte as =XX,
    soft line breaks ('=' CRLF) keep lines at most 76 characters; ends with a CRLF."""
    out, line = [], b""
    for byte in data:
        tok = bytes([byte]) if 33 <= byte <= 126 and byte != 61 else b"=%02X" % byte
        if len(line) + len(tok) > 75:
            out.append(line + b"=")
            line = b""
        line += tok
    out.append(line)
    return CRLF.join(out) + b"=" + CRLF


def qp_text(text: bytes) -> bytes:
    """Quoted-printable of text whose line breaks are CRLF (line breaks stay hard breaks)."""
    lines = text.split(CRLF)
    enc = [quopri.encodestring(l, quotetabs=False).replace(b"\n", CRLF) for l in lines]
    return CRLF.join(enc)


# ----------------------------------------------------------------------------- model


@dataclass
class Leaf:
    ctype: str | None                 # "text/plain"; None: no Content-Type header at all
    body: bytes                       # encoded body as sent (what BODY[n] returns)
    decoded: bytes                    # what BINARY[n] returns
    params: list[tuple[str, str]] = field(default_factory=list)   # (name, decoded value)
    cte: str | None = None            # Content-Transfer-Encoding header value (None: absent)
    headers: list[str] = field(default_factory=list)             # extra raw header lines
    ct_raw: str | None = None         # raw Content-Type value (overrides ctype/params)
    cid: str | None = None
    desc: str | None = None
    md5: str | None = None
    disposition: tuple[str, list[tuple[str, str]]] | None = None
    disp_raw: str | None = None
    lang: list[str] | None = None
    loc: str | None = None

    def header_lines(self) -> list[str]:
        h = []
        if self.ct_raw is not None:
            h.append("Content-Type: " + self.ct_raw)
        elif self.ctype is not None:
            h.append("Content-Type: " + self.ctype + "".join(f'; {k}="{v}"' for k, v in self.params))
        if self.cte is not None:
            h.append("Content-Transfer-Encoding: " + self.cte)
        if self.cid:
            h.append("Content-ID: " + self.cid)
        if self.desc:
            h.append("Content-Description: " + self.desc)
        if self.md5:
            h.append("Content-MD5: " + self.md5)
        if self.disp_raw is not None:
            h.append("Content-Disposition: " + self.disp_raw)
        elif self.disposition:
            d, ps = self.disposition
            h.append("Content-Disposition: " + d + "".join(f'; {k}="{v}"' for k, v in ps))
        if self.lang:
            h.append("Content-Language: " + ", ".join(self.lang))
        if self.loc:
            h.append("Content-Location: " + self.loc)
        return h + self.headers

    def content(self) -> bytes:
        return self.body


@dataclass
class Multi:
    subtype: str
    parts: list
    boundary: str
    headers: list[str] = field(default_factory=list)
    preamble: bytes = b"This is a multi-part message in MIME format." + CRLF
    disposition: tuple[str, list[tuple[str, str]]] | None = None
    lang: list[str] | None = None
    loc: str | None = None

    def header_lines(self) -> list[str]:
        h = [f'Content-Type: multipart/{self.subtype}; boundary="{self.boundary}"']
        if self.disposition:
            d, ps = self.disposition
            h.append("Content-Disposition: " + d + "".join(f'; {k}="{v}"' for k, v in ps))
        if self.lang:
            h.append("Content-Language: " + ", ".join(self.lang))
        if self.loc:
            h.append("Content-Location: " + self.loc)
        return h + self.headers

    def content(self) -> bytes:
        b = self.boundary.encode()
        out = self.preamble
        for p in self.parts:
            out += b"--" + b + CRLF + entity_bytes(p) + CRLF
        return out + b"--" + b + b"--" + CRLF


@dataclass
class Rfc822:
    """A message/rfc822 part encapsulating `msg`."""
    msg: "Message"
    headers: list[str] = field(default_factory=list)
    disposition: tuple[str, list[tuple[str, str]]] | None = None

    def header_lines(self) -> list[str]:
        h = ["Content-Type: message/rfc822"]
        if self.disposition:
            d, ps = self.disposition
            h.append("Content-Disposition: " + d + "".join(f'; {k}="{v}"' for k, v in ps))
        return h + self.headers

    def content(self) -> bytes:
        return self.msg.bytes()


@dataclass
class Message:
    headers: list[str]                # RFC 5322 header lines (no MIME headers)
    body: object                      # Leaf / Multi / Rfc822
    mime_version: bool = True

    def header_bytes(self) -> bytes:
        h = list(self.headers)
        if self.mime_version:
            h.append("MIME-Version: 1.0")
        h += self.body.header_lines()
        return "".join(x + "\r\n" for x in h).encode("utf-8") + CRLF

    def bytes(self) -> bytes:
        return self.header_bytes() + self.body.content()


def entity_bytes(p) -> bytes:
    return "".join(x + "\r\n" for x in p.header_lines()).encode("utf-8") + CRLF + p.content()


def entity_header(p) -> bytes:
    return "".join(x + "\r\n" for x in p.header_lines()).encode("utf-8") + CRLF


# ----------------------------------------------------------------------------- part numbering


def leaves(msg: Message) -> dict[str, object]:
    """IMAP part number -> part, for every part that has a number (RFC 9051 section 6.4.5):
    multiparts get numbers for their children, a message/rfc822 part's number is also the
    number space of its encapsulated message (whose body parts are n.1, n.2, ...; a
    non-multipart encapsulated body is n.1)."""
    out: dict[str, object] = {}

    def walk(p, prefix: str):
        if isinstance(p, Multi):
            for i, c in enumerate(p.parts, 1):
                num = f"{prefix}.{i}" if prefix else str(i)
                out[num] = c
                walk_child(c, num)
        else:
            # a non-multipart body: part 1 at top level (or the prefix itself)
            if not prefix:
                out["1"] = p
                walk_child(p, "1")

    def walk_child(c, num: str):
        if isinstance(c, Multi):
            walk(c, num)
        elif isinstance(c, Rfc822):
            inner = c.msg.body
            if isinstance(inner, Multi):
                walk(inner, num)
            else:
                out[num + ".1"] = inner
                walk_child(inner, num + ".1")

    walk(msg.body, "")
    return out


# ----------------------------------------------------------------------------- expectations


def _lines(b: bytes) -> int:
    return b.count(b"\n")


def expected_bodystructure(p, ext: bool = True):
    """Canonical expected BODYSTRUCTURE (ext=True) or BODY (ext=False) of a part."""
    if isinstance(p, Multi):
        out = ["MULTI", [expected_bodystructure(c, ext) for c in p.parts], p.subtype.lower()]
        if ext:
            out += [canon_params([("boundary", p.boundary)]), canon_disp(p.disposition),
                    [l.lower() for l in p.lang] if p.lang else None, p.loc]
        return out
    if isinstance(p, Rfc822):
        inner = p.msg.bytes()
        out = ["message", "rfc822", None, None, None, "7bit", len(inner), "ENVELOPE",
               expected_bodystructure(p.msg.body, ext), _lines(inner)]
        if ext:
            out += [None, canon_disp(p.disposition), None, None]
        return out
    if p.ctype is None and p.ct_raw is None:
        t, s, params = "text", "plain", canon_params([("charset", "us-ascii")])
    elif p.ct_raw is not None:
        t, s = p.ct_raw.split(";")[0].strip().lower().split("/")
        params = canon_params(parse_params(p.ct_raw))
    else:
        t, s = p.ctype.lower().split("/")
        params = canon_params(p.params)
    out = [t, s, params, p.cid, p.desc, (p.cte or "7bit").lower(), len(p.body)]
    if t == "text":
        out.append(_lines(p.body))
    if ext:
        disp = canon_disp(parse_disp(p.disp_raw)) if p.disp_raw else canon_disp(p.disposition)
        out += [p.md5, disp, [l.lower() for l in p.lang] if p.lang else None, p.loc]
    return out


def parse_params(header_value: str) -> list[tuple[str, str]]:
    out = []
    for m in re.finditer(r';\s*([^=\s;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]+)', header_value):
        v = m.group(2)
        if v.startswith('"'):
            v = re.sub(r"\\(.)", r"\1", v[1:-1])
        out.append((m.group(1), v))
    return out


def parse_disp(raw: str):
    return raw.split(";")[0].strip(), parse_params(raw)


def canon_params(params) -> list[tuple[str, str]] | None:
    """Parameter list -> sorted (name, decoded value), RFC 2231 sections merged and decoded."""
    if not params:
        return None
    merged: dict[str, list] = {}
    for name, value in params:
        if isinstance(name, bytes):
            name = name.decode("utf-8", "replace")
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        name = name.lower()
        m = re.match(r"^(.*?)\*(\d+)(\*?)$", name)
        if m:
            merged.setdefault(m.group(1), []).append((int(m.group(2)), bool(m.group(3)), value))
        elif name.endswith("*"):
            merged.setdefault(name[:-1], []).append((0, True, value))
        else:
            merged.setdefault(name, []).append((0, False, value))
    out = []
    for name, secs in merged.items():
        secs.sort(key=lambda x: x[0])
        charset = "us-ascii"
        raw = b""
        for i, (_, extended, value) in enumerate(secs):
            if extended:
                if i == 0 and value.count("'") >= 2:
                    charset, _lang, value = value.split("'", 2)
                raw += urllib.parse.unquote_to_bytes(value)
            else:
                raw += value.encode("utf-8")
        try:
            text = raw.decode(charset or "us-ascii")
        except (LookupError, UnicodeDecodeError):
            text = raw.decode("utf-8", "replace")
        out.append((name, text))
    return sorted(out)


def canon_disp(d):
    if not d:
        return None
    t, ps = d
    if isinstance(t, bytes):
        t = t.decode()
    return [t.lower(), canon_params(ps)]


def _s(x):
    if isinstance(x, bytes):
        return x.decode("utf-8", "replace")
    return x


def _pairs(lst):
    if lst is None:
        return None
    lst = list(lst)
    return [(_s(lst[i]), _s(lst[i + 1])) for i in range(0, len(lst), 2)]


def canon_bodystructure(node, ext: bool = True):
    """Canonical form of a BODYSTRUCTURE/BODY parsed by imapclient (BodyData / tuples, bytes, None, int)."""
    node = list(node)
    if node and isinstance(node[0], list):
        # imapclient's BodyData groups a multipart's parts into one list: ([parts], subtype, ...)
        node = list(node[0]) + node[1:]
    if node and isinstance(node[0], (list, tuple)):
        # multipart: parts..., subtype, [ext...]
        parts = []
        i = 0
        while i < len(node) and isinstance(node[i], (list, tuple)):
            parts.append(canon_bodystructure(node[i], ext))
            i += 1
        out = ["MULTI", parts, _s(node[i]).lower()]
        rest = node[i + 1:]
        if ext:
            rest = rest + [None] * (4 - len(rest))
            out += [canon_params(_pairs(rest[0])), canon_disp_node(rest[1]), canon_lang(rest[2]), _s(rest[3])]
        return out
    t, s = _s(node[0]).lower(), _s(node[1]).lower()
    out = [t, s, canon_params(_pairs(node[2])), _s(node[3]), _s(node[4]), _s(node[5]).lower(), int(node[6])]
    i = 7
    if t == "message" and s in ("rfc822", "global"):
        out += ["ENVELOPE", canon_bodystructure(node[8], ext), int(node[9])]
        i = 10
    elif t == "text":
        out.append(int(node[7]))
        i = 8
    if ext:
        rest = list(node[i:]) + [None] * 4
        out += [_s(rest[0]), canon_disp_node(rest[1]), canon_lang(rest[2]), _s(rest[3])]
    return out


def canon_disp_node(d):
    if d is None:
        return None
    d = list(d)
    return [_s(d[0]).lower(), canon_params(_pairs(d[1]))]


def canon_lang(l):
    if l is None:
        return None
    if isinstance(l, (bytes, str)):
        return [_s(l).lower()]
    return [_s(x).lower() for x in l]


# ----------------------------------------------------------------------------- the corpus

# Attachments: random bytes (NUL, CR, LF, 8-bit) so byte-exactness is really tested.
ATT_BIN = rnd(3000, 1)          # base64 application/octet-stream
ATT_QP = rnd(700, 2)            # quoted-printable application/x-random
ATT_IMG = rnd(1234, 3)          # base64 image/png with an RFC 2231 file name
ATT_INNER = rnd(555, 4)         # inside the encapsulated message
ATT_GIF = rnd(321, 5)           # inline image in multipart/related

FNAME_2231 = "Präsentation € Übersicht mit einem sehr langen Namen.png"


def rfc2231_disposition(fname: str) -> str:
    enc = urllib.parse.quote(fname.encode("utf-8"), safe="")
    half = len(enc) // 2
    # don't split a %XX escape
    while "%" in enc[half - 2:half]:
        half += 1
    return (f"attachment;\r\n filename*0*=UTF-8'de'{enc[:half]};\r\n filename*1*={enc[half:]}")


def plain_message(subject: str = "Plain text", body: bytes | None = None) -> Message:
    body = body if body is not None else "Hello plain world.\r\nSecond line: grüße.\r\n".encode()
    return Message(
        ["From: Carol Example <carol@example.org>", "To: Dave <dave@example.org>",
         f"Subject: {subject}", "Date: Mon, 06 Jan 2020 10:00:00 +0000",
         "Message-ID: <plain-1@example.org>"],
        Leaf("text/plain", body, body, params=[("charset", "utf-8")], cte="8bit"))


def alternative_message() -> Message:
    text = "Grüße aus Köln — café\r\nZeile zwei.\r\n".encode()
    html = "<html><body><p>Grüße aus Köln — café</p></body></html>\r\n".encode()
    return Message(
        ["From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.de>", "To: Dave <dave@example.org>",
         "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=", "Date: Tue, 07 Jan 2020 11:00:00 +0100",
         "Message-ID: <alt-1@example.de>"],
        Multi("alternative", [
            Leaf("text/plain", qp_text(text), text, params=[("charset", "utf-8")], cte="quoted-printable"),
            Leaf("text/html", b64_lines(html), html, params=[("charset", "utf-8")], cte="base64"),
        ], boundary="alt-boundary-1"))


def mixed_message() -> Message:
    text = b"Please find three attachments.\r\nRegards, Carol\r\n"
    md5 = base64.b64encode(__import__("hashlib").md5(ATT_BIN).digest()).decode()
    return Message(
        ["From: Carol Example <carol@example.org>", "To: Dave <dave@example.org>, Erin <erin@example.org>",
         "Cc: Frank <frank@example.org>", "Subject: Three attachments",
         "Date: Wed, 08 Jan 2020 12:00:00 +0000", "Message-ID: <mixed-1@example.org>"],
        Multi("mixed", [
            Leaf("text/plain", text, text, params=[("charset", "us-ascii")], cte="7bit", lang=["en"]),
            Leaf("application/octet-stream", b64_lines(ATT_BIN), ATT_BIN, params=[("name", "data.bin")],
                 cte="base64", cid="<bin-1@example.org>", desc="Random data", md5=md5,
                 disposition=("attachment", [("filename", "data.bin"), ("size", str(len(ATT_BIN)))]),
                 loc="http://example.org/data.bin"),
            Leaf("application/x-random", qp(ATT_QP), ATT_QP, cte="quoted-printable",
                 disposition=("attachment", [("filename", "random.qp")])),
            Leaf("image/png", b64_lines(ATT_IMG), ATT_IMG, cte="base64",
                 ct_raw="image/png", disp_raw=rfc2231_disposition(FNAME_2231)),
        ], boundary="==mixed==boundary==", lang=None))


def nested_message() -> Message:
    """multipart/mixed
         1   multipart/alternative
         1.1   text/plain (qp, iso-8859-1)
         1.2   multipart/related
         1.2.1   text/html (base64)
         1.2.2   image/gif (base64, Content-ID)
         2   message/rfc822 (forwarded, itself multipart/mixed)
         2.1   text/plain
         2.2   application/octet-stream (base64)
         3   part without any Content-Type (text/plain; charset=us-ascii by default)
    """
    t11 = "Voilà le résumé.\r\n".encode("iso-8859-1")
    h121 = b"<html><body><img src=\"cid:pic@example.org\"> related</body></html>\r\n"
    inner = Message(
        ["From: Grace <grace@example.net>", "To: Carol <carol@example.org>",
         "Subject: Inner forwarded message", "Date: Thu, 02 Jan 2020 08:00:00 -0500",
         "Message-ID: <inner-1@example.net>", "In-Reply-To: <older@example.net>"],
        Multi("mixed", [
            Leaf("text/plain", b"Inner text body.\r\n", b"Inner text body.\r\n", params=[("charset", "us-ascii")]),
            Leaf("application/octet-stream", b64_lines(ATT_INNER), ATT_INNER, cte="base64",
                 disposition=("attachment", [("filename", "inner.bin")])),
        ], boundary="inner-b"))
    t3 = b"Trailing part without a content type.\r\n"
    return Message(
        ["From: Carol Example <carol@example.org>", "To: Dave <dave@example.org>",
         "Subject: Nested structure", "Date: Fri, 10 Jan 2020 09:30:00 +0000",
         "Message-ID: <nested-1@example.org>"],
        Multi("mixed", [
            Multi("alternative", [
                Leaf("text/plain", qp_text(t11), t11, params=[("charset", "iso-8859-1")], cte="quoted-printable"),
                Multi("related", [
                    Leaf("text/html", b64_lines(h121), h121, params=[("charset", "us-ascii")], cte="base64"),
                    Leaf("image/gif", b64_lines(ATT_GIF), ATT_GIF, cte="base64", cid="<pic@example.org>",
                         disposition=("inline", [("filename", "pic.gif")])),
                ], boundary="rel-b"),
            ], boundary="alt-b"),
            Rfc822(inner, disposition=("attachment", [("filename", "forwarded.eml")])),
            Leaf(None, t3, t3),
        ], boundary="outer-b"))


def no_content_type_message() -> Message:
    body = b"No MIME headers at all.\r\nJust text.\r\n"
    return Message(["From: carol@example.org", "To: dave@example.org", "Subject: bare",
                    "Date: Sat, 11 Jan 2020 10:00:00 +0000"], Leaf(None, body, body), mime_version=False)


def eightbit_header_message() -> bytes:
    """Raw UTF-8 in headers (RFC 6532 style) - a real-world 8-bit header."""
    return ("From: Jörg Ünver <joerg@example.de>\r\nTo: Dave <dave@example.org>\r\n"
            "Subject: Grüße 8bit héllo\r\nDate: Sun, 12 Jan 2020 10:00:00 +0000\r\n"
            "Message-ID: <eightbit-1@example.de>\r\n\r\nBody.\r\n").encode("utf-8")


def corpus() -> dict[str, Message]:
    return {"plain": plain_message(), "alternative": alternative_message(), "mixed": mixed_message(),
            "nested": nested_message(), "noct": no_content_type_message()}
