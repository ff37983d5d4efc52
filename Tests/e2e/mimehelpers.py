"""Raw-protocol helpers for the message-model tests: pull section / BINARY values out of FETCH
responses byte-exactly (literal, literal8 or quoted), and parse FETCH responses with imapclient's
parser (which handles nested lists and literals)."""
from __future__ import annotations

import re

from imapclient.response_parser import parse_fetch_response

from exthelpers import raw_append
from rawimap import Line, RawIMAP, Response, quote

_ITEM_VALUE = rb"(NIL|\"((?:[^\"\\]|\\.)*)\"|(~?)\{(\d+)\}\r\n)"


class Value:
    """A FETCH item value: NIL (data None), a quoted string or a literal / literal8."""

    def __init__(self, data: bytes | None, form: str):
        self.data = data
        self.form = form            # "NIL" | "quoted" | "literal" | "literal8"

    def __repr__(self) -> str:  # pragma: no cover
        return f"Value({self.form}, {self.data!r})"


def item_value(line: Line, key: str) -> Value | None:
    """Value of FETCH item `key` (e.g. 'BODY[1.2]', 'BINARY[2]<0>', 'BODY[HEADER.FIELDS (SUBJECT)]')
    in one FETCH line, or None when the item is absent."""
    raw = line.raw
    pat = re.compile(rb"[ (]" + re.escape(key.encode()) + rb" " + _ITEM_VALUE, re.I)
    m = pat.search(raw)
    if not m:
        return None
    if m.group(1) == b"NIL":
        return Value(None, "NIL")
    if m.group(1).startswith(b'"'):
        return Value(re.sub(rb"\\(.)", rb"\1", m.group(2)), "quoted")
    n = int(m.group(4))
    start = m.end()
    return Value(raw[start:start + n], "literal8" if m.group(3) else "literal")


def fetch_one(c: RawIMAP, tag: str, seq: int | str, items: str, uid: bool = False) -> tuple[Response, Line]:
    r = c.command(f"{tag} {'UID ' if uid else ''}FETCH {seq} {items}")
    assert r.status == "OK", f"FETCH {seq} {items}: {r.texts()}"
    lines = r.untagged_of("FETCH")
    assert lines, f"no FETCH response for {items}: {r.texts()}"
    return r, lines[0]


def section(c: RawIMAP, tag: str, seq: int, sect: str, key: str | None = None) -> Value:
    """FETCH seq (BODY.PEEK[sect]) and return the BODY[sect] value."""
    _, line = fetch_one(c, tag, seq, f"(BODY.PEEK[{sect}])")
    v = item_value(line, key or f"BODY[{sect}]")
    assert v is not None, f"BODY[{sect}] missing in {line.text!r}"
    return v


def imapclient_data(line: Line) -> list:
    """A raw FETCH line in the shape imaplib returns it (tuples of (head, literal))."""
    raw = line.raw[:-2] if line.raw.endswith(b"\r\n") else line.raw
    m = re.match(rb"^\* (\d+) FETCH ", raw, re.I)
    assert m, raw[:80]
    raw = m.group(1) + b" " + raw[m.end():]
    out = []
    pos = 0
    for lm in re.finditer(rb"~?\{(\d+)\}\r\n", raw):
        if lm.start() < pos:
            continue
        n = int(lm.group(1))
        head = raw[pos:lm.start()] + b"{%d}" % n
        out.append((head, raw[lm.end():lm.end() + n]))
        pos = lm.end() + n
    out.append(raw[pos:])
    return out


def parse_fetch_line(line: Line) -> tuple[int, dict]:
    parsed = parse_fetch_response(imapclient_data(line), normalise_times=False, uid_is_key=False)
    ((seq, items),) = parsed.items()
    return seq, {(k.decode().upper() if isinstance(k, bytes) else k): v for k, v in items.items() if k != b"SEQ"}


def append_msg(c: RawIMAP, mailbox: str, msg: bytes, flags: str = "") -> int:
    r = raw_append(c, mailbox, msg, flags)
    assert r.status == "OK", f"APPEND: {r.texts()}"
    return int(r.tagged.code.split()[2]) if r.tagged.code and r.tagged.code.startswith("APPENDUID") else 0


def flags_now(c: RawIMAP, tag: str, seq: int) -> set[str]:
    _, line = fetch_one(c, tag, seq, "(FLAGS)")
    m = re.search(r"FLAGS \(([^)]*)\)", line.text)
    return set(m.group(1).split())


def fetch_flags_in(r: Response) -> set[str] | None:
    """FLAGS reported (unsolicited or not) in the FETCH lines of a response, or None."""
    for l in r.untagged_of("FETCH"):
        m = re.search(r"FLAGS \(([^)]*)\)", l.text)
        if m:
            return set(m.group(1).split())
    return None


def setup_mailbox(c: RawIMAP, mbox: str, messages: list[bytes], flags: str = "") -> None:
    r = c.command(f"mk CREATE {quote(mbox)}")
    assert r.status == "OK", r.texts()
    for m in messages:
        append_msg(c, mbox, m, flags)
    r = c.command(f"sl SELECT {quote(mbox)}")
    assert r.status == "OK", r.texts()
