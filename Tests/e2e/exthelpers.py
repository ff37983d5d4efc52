"""Helpers shared by the IMAP-extension e2e tests (IDLE, MOVE, UIDPLUS, CONDSTORE, QRESYNC,
ESEARCH, SEARCHRES, LIST-EXTENDED, ...). Everything here talks the raw protocol through
`rawimap.RawIMAP`, so the tests see exactly what the server sent."""
from __future__ import annotations

import re
import time

from helpers import make_message
from rawimap import Line, RawIMAP, Response, quote

__all__ = ["make_message", "quote", "raw_session", "raw_append", "append_n", "parse_fetch", "fetch_map",
           "uid_set", "uid_set_str", "code_args", "untagged_texts", "read_until", "capabilities",
           "require_caps", "select_resp", "highestmodseq", "uidvalidity", "esearch", "Conn"]


# ------------------------------------------------------------------ sessions


def raw_session(server, mailbox: str | None = None, examine: bool = False, enable: str | None = None,
                user: str | None = None, password: str | None = None, timeout: float = 20) -> RawIMAP:
    """A logged-in raw TLS connection, optionally with ENABLE and SELECT/EXAMINE done."""
    c = server.raw(login=True, user=user, password=password, timeout=timeout)
    if enable:
        r = c.command(f"e0 ENABLE {enable}")
        assert r.status == "OK", r
    if mailbox is not None:
        r = c.command(f"s0 {'EXAMINE' if examine else 'SELECT'} {quote(mailbox)}")
        assert r.status == "OK", r
        c.last_select = r  # type: ignore[attr-defined]
    return c


_tagn = [0]


def _tag(prefix: str = "t") -> str:
    _tagn[0] += 1
    return f"{prefix}{_tagn[0]}"


def raw_append(c: RawIMAP, mailbox: str, msg: bytes, flags: str = "", tag: str | None = None) -> Response:
    """APPEND with a non-synchronizing literal (LITERAL+), one write."""
    tag = tag or _tag("ap")
    fl = f" ({flags})" if flags else ""
    c.send(f"{tag} APPEND {quote(mailbox)}{fl} {{{len(msg)}+}}\r\n".encode() + msg + b"\r\n")
    return c.read_until_tagged(tag)


def append_n(c: RawIMAP, mailbox: str, n: int, prefix: str = "msg", flags: str = "") -> list[int]:
    """Append n messages; returns their UIDs (from APPENDUID)."""
    uids = []
    for i in range(n):
        r = raw_append(c, mailbox, make_message(f"{prefix} {i}", body=f"body {prefix} {i}\r\n"), flags)
        assert r.status == "OK", r
        args = code_args(r.tagged, "APPENDUID")
        assert args and len(args) == 2, f"APPEND without APPENDUID: {r}"
        uids += sorted(uid_set(args[1]))
    return uids


class Conn:
    """Tiny convenience wrapper: numbered tags, commands by text."""

    def __init__(self, c: RawIMAP, prefix: str = "c"):
        self.c = c
        self.prefix = prefix
        self.n = 0

    def __call__(self, cmd: str, timeout: float | None = None) -> Response:
        self.n += 1
        return self.c.command(f"{self.prefix}{self.n} {cmd}", timeout=timeout)

    def close(self):
        self.c.close()


# ------------------------------------------------------------------ parsing

_FETCH_RE = re.compile(r"^\* (\d+) FETCH \((.*)\)$", re.S)


def _tokenize(s: str) -> list:
    """Parse a (simple) parenthesized IMAP list into nested Python lists of strings."""
    out: list = []
    stack = [out]
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == " ":
            i += 1
        elif ch == "(":
            new: list = []
            stack[-1].append(new)
            stack.append(new)
            i += 1
        elif ch == ")":
            stack.pop()
            i += 1
        elif ch == '"':
            j = i + 1
            buf = []
            while s[j] != '"':
                if s[j] == "\\":
                    j += 1
                buf.append(s[j])
                j += 1
            stack[-1].append("".join(buf))
            i = j + 1
        else:
            m = re.match(r"[^ ()]+(?:\[[^\]]*\](?:<[^>]*>)?)?", s[i:])
            tok = m.group(0)
            stack[-1].append(tok)
            i += len(tok)
    return out


def parse_fetch(line: Line | str) -> tuple[int, dict]:
    """'* 3 FETCH (UID 7 FLAGS (\\Seen) MODSEQ (12))' -> (3, {'UID': 7, 'FLAGS': {'\\Seen'}, 'MODSEQ': 12})."""
    text = line.text if isinstance(line, Line) else line
    m = _FETCH_RE.match(text)
    assert m, f"not a FETCH response: {text!r}"
    toks = _tokenize(m.group(2))
    out: dict = {}
    for k in range(0, len(toks) - 1, 2):
        key = toks[k].upper()
        val = toks[k + 1]
        if key == "FLAGS":
            val = set(val)
        elif key == "MODSEQ":
            assert isinstance(val, list) and len(val) == 1, f"MODSEQ must be '(n)': {text!r}"
            val = int(val[0])
        elif key in ("UID", "RFC822.SIZE"):
            val = int(val)
        elif isinstance(val, list) and key in ("EMAILID", "THREADID", "SAVEDATE"):
            val = val[0] if len(val) == 1 else val
        out[key] = val
    return int(m.group(1)), out


def fetch_map(r: Response, key: str = "UID") -> dict[int, dict]:
    """All FETCH responses of a response, keyed by UID (or 'SEQ' for sequence numbers)."""
    out = {}
    for l in r.untagged_of("FETCH"):
        seq, items = parse_fetch(l)
        k = seq if key == "SEQ" else items[key]
        out.setdefault(k, {}).update(items)
        out[k]["SEQ"] = seq
    return out


def uid_set(s: str) -> set[int]:
    """'1:3,7' -> {1, 2, 3, 7} (no '*')."""
    out: set[int] = set()
    for part in s.split(","):
        if ":" in part:
            a, b = part.split(":")
            a, b = int(a), int(b)
            out.update(range(min(a, b), max(a, b) + 1))
        elif part:
            out.add(int(part))
    return out


def uid_set_str(uids) -> str:
    uids = sorted(set(uids))
    if not uids:
        return ""
    parts = []
    start = prev = uids[0]
    for u in uids[1:]:
        if u == prev + 1:
            prev = u
            continue
        parts.append(f"{start}:{prev}" if prev != start else str(start))
        start = prev = u
    parts.append(f"{start}:{prev}" if prev != start else str(start))
    return ",".join(parts)


def code_args(line: Line | None, code: str) -> list[str] | None:
    """Arguments of response code `code` in a status line, e.g. ['1234', '1:3'] for APPENDUID."""
    if line is None:
        return None
    m = re.match(r"^\S+ (?:OK|NO|BAD|BYE|PREAUTH) \[([^\]]*)\]", line.text, re.I)
    if not m:
        return None
    inner = m.group(1)
    parts = inner.split(" ", 1)
    if parts[0].upper() != code.upper():
        return None
    if len(parts) == 1:
        return []
    rest = parts[1]
    if rest.startswith("("):
        return [rest]
    return rest.split()


def find_code(r: Response, code: str, untagged_only: bool = False) -> list[list[str]]:
    """Arguments of every status line in r carrying response code `code`."""
    out = []
    for l in (r.untagged if untagged_only else r.lines):
        a = code_args(l, code)
        if a is not None:
            out.append(a)
    return out


def untagged_texts(r: Response) -> list[str]:
    return [l.text for l in r.untagged]


def read_until(c: RawIMAP, pred, timeout: float = 5.0) -> list[Line]:
    """Read lines until pred(line) is true; returns all lines read (the matching one last).
    Raises TimeoutError (with transcript) when nothing matching arrives in time."""
    deadline = time.monotonic() + timeout
    got: list[Line] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no matching line within {timeout}s; got {[l.text for l in got]}\n{c.dump()}")
        line = c.read_line(timeout=left)
        got.append(line)
        if pred(line):
            return got


def capabilities(c: RawIMAP) -> set[str]:
    r = c.command(_tag("cap") + " CAPABILITY")
    caps = set()
    for l in r.untagged_of("CAPABILITY"):
        caps.update(w.upper() for w in l.text.split()[2:])
    return caps


def require_caps(server, *names: str) -> None:
    """Fail (not skip: the brief says the server implements them) if a capability is missing."""
    c = server.raw(login=True)
    try:
        caps = capabilities(c)
    finally:
        c.close()
    missing = [n for n in names if n.upper() not in caps and not any(x.startswith(n.upper() + "=") for x in caps)]
    assert not missing, f"server does not advertise {missing} after login (binary stale?): {sorted(caps)}"


def select_resp(c: RawIMAP, mailbox: str, extra: str = "", examine: bool = False, tag: str | None = None) -> Response:
    tag = tag or _tag("sel")
    return c.command(f"{tag} {'EXAMINE' if examine else 'SELECT'} {quote(mailbox)}{(' ' + extra) if extra else ''}")


def highestmodseq(r: Response) -> int | None:
    for a in find_code(r, "HIGHESTMODSEQ"):
        return int(a[0])
    return None


def uidvalidity(r: Response) -> int:
    for a in find_code(r, "UIDVALIDITY"):
        return int(a[0])
    raise AssertionError(f"no UIDVALIDITY in {r}")


def esearch(r: Response) -> list[dict]:
    """Parse '* ESEARCH (TAG "x") UID MIN 1 MAX 3 COUNT 2 ALL 1,3' lines into dicts
    {'TAG': 'x', 'UID': True, 'MIN': '1', ...} (values as strings)."""
    out = []
    for l in r.untagged_of("ESEARCH"):
        rest = l.text.split(" ", 2)[2] if len(l.text.split(" ", 2)) > 2 else ""
        d: dict = {"UID": False}
        m = re.match(r'^\(TAG "((?:[^"\\]|\\.)*)"\)\s*', rest, re.I)
        if m:
            d["TAG"] = m.group(1)
            rest = rest[m.end():]
        toks = rest.split()
        i = 0
        if i < len(toks) and toks[i].upper() == "UID":
            d["UID"] = True
            i += 1
        while i < len(toks):
            key = toks[i].upper()
            if key == "MODSEQ":
                d[key] = toks[i + 1]
            else:
                d[key] = toks[i + 1] if i + 1 < len(toks) else None
            i += 2
        out.append(d)
    return out
