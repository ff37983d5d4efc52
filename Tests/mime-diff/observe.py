"""What an IMAP server says about each corpus message, in the canonical form the expected files hold.

Shared by record.py (against Dovecot) and Tests/e2e/test_mime_diff.py (against Postern), so both sides are
observed and canonicalised by the same code. The format and the canonicalisations are described in README.md.
"""
from __future__ import annotations

import base64
import hashlib
import re
import socket
import ssl
from email import message_from_bytes, policy
from email.message import Message

TIMEOUT = 60
INLINE_LIMIT = 120        # section values up to this many bytes are kept verbatim, longer ones as size + hash
NO_MATCH_WORD = "zqxjvkqwpf"
MAX_KEYS = 14


class IMAPError(Exception):
    pass


class Client:
    """A minimal IMAP client: commands with synchronising literals, responses as raw bytes with literals inline.

    `reopen`, when given, is called with a fresh client after the server closed the connection in the middle
    of a command (to log in and select again); the command then reports the status `DISCONNECTED`."""

    def __init__(self, host: str, port: int, tls: bool = False, cafile: str | None = None):
        self.address = (host, port, tls, cafile)
        self.reopen = None
        self._connect()

    def _connect(self) -> None:
        host, port, tls, cafile = self.address
        sock = socket.create_connection((host, port), timeout=TIMEOUT)
        if tls:
            ctx = ssl.create_default_context(cafile=cafile)
            if cafile is None:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(sock, server_hostname=host)
        self.sock = sock
        self.buf = b""
        self.tags = 0
        self._line()

    def close(self) -> None:
        self.reopen = None
        try:
            self.command(b"LOGOUT")
        except (IMAPError, OSError):
            pass
        self.sock.close()

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise IMAPError("connection closed")
        self.buf += chunk

    def _line(self) -> bytes:
        """One logical line: a text line plus the literals it announces, inline."""
        out = b""
        while True:
            while b"\r\n" not in self.buf:
                self._fill()
            i = self.buf.index(b"\r\n") + 2
            part, self.buf = self.buf[:i], self.buf[i:]
            out += part
            m = re.search(rb"~?\{(\d+)\+?\}\r\n$", part)
            if not m:
                return out
            n = int(m.group(1))
            while len(self.buf) < n:
                self._fill()
            out += self.buf[:n]
            self.buf = self.buf[n:]

    def command(self, *pieces: bytes) -> tuple[list[bytes], bytes]:
        """Sends TAG + pieces; a piece that is a tuple ('lit', data) is sent as a synchronising literal."""
        try:
            return self._command(*pieces)
        except (IMAPError, OSError) as error:
            if self.reopen is None or not (isinstance(error, OSError) or str(error) == "connection closed"):
                raise
        self.sock.close()
        self.buf = b""
        self._connect()
        self.reopen(self)
        return [], b"DISCONNECTED"

    def _command(self, *pieces: bytes) -> tuple[list[bytes], bytes]:
        self.tags += 1
        tag = b"f%d" % self.tags
        line = tag + b" "
        for piece in pieces:
            if isinstance(piece, tuple):
                self.sock.sendall(line + b"{%d}\r\n" % len(piece[1]))
                while True:
                    got = self._line()
                    if got.startswith(b"+"):
                        break
                    if got.startswith(tag + b" "):
                        raise IMAPError(got.decode("latin-1").strip())
                line = piece[1]
            else:
                line += piece
        self.sock.sendall(line + b"\r\n")
        untagged = []
        while True:
            got = self._line()
            if got.startswith(tag + b" "):
                return untagged, got[len(tag) + 1:].rstrip(b"\r\n")
            untagged.append(got)

    def ok(self, *pieces: bytes) -> list[bytes]:
        untagged, status = self.command(*pieces)
        if not status.startswith(b"OK"):
            raise IMAPError(f"{pieces!r}: {status.decode('latin-1')}")
        return untagged


# ---- a parser for IMAP response data: NIL, numbers, atoms, quoted strings, literals, lists -------------------
class Literal(bytes):
    """A string that came as a literal (kept apart only so sections can tell NIL from "")."""


def parse(data: bytes, pos: int = 0) -> tuple[object, int]:
    while data[pos:pos + 1] == b" ":
        pos += 1
    c = data[pos:pos + 1]
    if c == b"(":
        items, pos = [], pos + 1
        while True:
            while data[pos:pos + 1] == b" ":
                pos += 1
            if data[pos:pos + 1] == b")":
                return items, pos + 1
            item, pos = parse(data, pos)
            items.append(item)
    if c == b'"':
        out, pos = bytearray(), pos + 1
        while data[pos:pos + 1] != b'"':
            if data[pos:pos + 1] == b"\\":
                pos += 1
            out += data[pos:pos + 1]
            pos += 1
        return bytes(out), pos + 1
    m = re.compile(rb"~?\{(\d+)\+?\}\r\n").match(data, pos)
    if m:
        n = int(m.group(1))
        return Literal(data[m.end():m.end() + n]), m.end() + n
    m = re.compile(rb"[^ ()\[\]\r\n]+(\[[^\]]*\](<\d+>)?)?").match(data, pos)
    if not m:
        raise IMAPError(f"cannot parse at {pos}: {data[pos:pos + 40]!r}")
    atom = m.group(0)
    if atom.upper() == b"NIL":
        return None, m.end()
    if atom.isdigit():
        return int(atom), m.end()
    return atom, m.end()


def fetch_items(line: bytes) -> dict[str, object]:
    """The items of one '* N FETCH (...)' line, keyed by upper-cased item name."""
    m = re.match(rb"\* \d+ FETCH ", line)
    if not m:
        raise IMAPError(f"not a FETCH line: {line[:80]!r}")
    items, _ = parse(line, m.end())
    out = {}
    for i in range(0, len(items), 2):
        out[items[i].decode("latin-1").upper()] = items[i + 1]
    return out


# ---- canonical JSON ------------------------------------------------------------------------------------------
def text(value: object) -> object:
    """A string as JSON: UTF-8 text when it is valid UTF-8, else {"b64": ...}."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return {"b64": base64.b64encode(value).decode()}


def upper(value: object) -> object:
    return value.upper() if isinstance(value, bytes) else value


def params(value: object, values_case_free: tuple[bytes, ...] = (b"CHARSET",)) -> object:
    """A body parameter list: names upper-cased (RFC 2045 §5.1); the charset value too (RFC 2046 §4.1.2)."""
    if not isinstance(value, list):
        return text(value)
    out = []
    for i in range(0, len(value) - 1, 2):
        name = upper(value[i])
        val = value[i + 1]
        out += [text(name), text(upper(val) if name in values_case_free else val)]
    return out


def envelope(env: object) -> object:
    if not isinstance(env, list):
        return text(env)
    out = []
    for i, field in enumerate(env):
        if i in (2, 3, 4, 5, 6, 7) and isinstance(field, list):
            out.append([[text(x) for x in addr] if isinstance(addr, list) else text(addr) for addr in field])
        else:
            out.append(text(field))
    return out


def bodystructure(bs: object) -> object:
    """BODYSTRUCTURE with type, subtype, encoding, parameter names and the disposition type upper-cased."""
    if not isinstance(bs, list):
        return text(bs)
    if bs and isinstance(bs[0], list):
        children = []
        i = 0
        while i < len(bs) and isinstance(bs[i], list):
            children.append(bodystructure(bs[i]))
            i += 1
        rest = bs[i:]
        out = {"parts": children, "subtype": text(upper(rest[0])) if rest else None}
        ext = rest[1:]
        if ext:
            out["params"] = params(ext[0])
        if len(ext) > 1:
            out["disposition"] = disposition(ext[1])
        if len(ext) > 2:
            out["ext"] = [text_tree(x) for x in ext[2:]]
        return out
    out = {"type": text(upper(bs[0])), "subtype": text(upper(bs[1])), "params": params(bs[2]),
           "id": text(bs[3]), "description": text(bs[4]), "encoding": text(upper(bs[5])), "size": bs[6]}
    i = 7
    kind = (upper(bs[0]), upper(bs[1]))
    if kind in ((b"MESSAGE", b"RFC822"), (b"MESSAGE", b"GLOBAL")) and len(bs) >= 10 and isinstance(bs[8], list):
        out["envelope"] = envelope(bs[7])
        out["body"] = bodystructure(bs[8])
        out["lines"] = bs[9]
        i = 10
    elif kind[0] == b"TEXT":
        out["lines"] = bs[7]
        i = 8
    ext = bs[i:]
    if ext:
        out["md5"] = text(ext[0])
    if len(ext) > 1:
        out["disposition"] = disposition(ext[1])
    if len(ext) > 2:
        out["ext"] = [text_tree(x) for x in ext[2:]]
    return out


def disposition(value: object) -> object:
    if isinstance(value, list) and len(value) == 2:
        return [text(upper(value[0])), params(value[1], ())]
    return text_tree(value)


def text_tree(value: object) -> object:
    if isinstance(value, list):
        return [text_tree(x) for x in value]
    return text(value)


def section_value(value: object) -> object:
    """A section's bytes: verbatim when short, else size and SHA-256; NIL stays null."""
    if value is None:
        return None
    if isinstance(value, int):
        value = str(value).encode()
    if len(value) <= INLINE_LIMIT:
        return {"size": len(value), "text": text(value)}
    return {"size": len(value), "sha256": hashlib.sha256(value).hexdigest()}


# ---- part numbers from BODYSTRUCTURE -------------------------------------------------------------------------
def part_numbers(bs: dict, prefix: str = "") -> list[tuple[str, bool]]:
    """Every part's section number (RFC 9051 §6.4.5) and whether it is a message/rfc822-like part."""
    out = []
    if "parts" in bs:
        for i, child in enumerate(bs["parts"], 1):
            out += _part(child, f"{prefix}{i}")
        return out
    return _part(bs, prefix + "1") if not prefix else out


def _part(bs: dict, number: str) -> list[tuple[str, bool]]:
    if "parts" in bs:
        return [(number, False)] + part_numbers(bs, number + ".")
    is_message = "body" in bs
    out = [(number, is_message)]
    if is_message:
        inner = bs["body"]
        if isinstance(inner, dict) and "parts" in inner:
            out += part_numbers(inner, number + ".")
        elif isinstance(inner, dict):
            out += _part(inner, number + ".1")
    return out


# ---- search keys ---------------------------------------------------------------------------------------------
WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


def _first_word(s: str, non_ascii: bool = False) -> str | None:
    for w in WORD.findall(s or ""):
        if non_ascii == any(ord(ch) > 127 for ch in w):
            return w[:24]
    return None


def search_keys(raw: bytes) -> list[list[str]]:
    """Search keys for one message: words of its subject and sender, of every text part (decoded, so a word
    of a base64 part is one only the decoded text has), of attached messages' subjects, non-ASCII words, and
    a word in no message. Derived once, when a message is first recorded; stored with the results."""
    keys: list[list[str]] = []

    def add(*key: str) -> None:
        if list(key) not in keys and len(keys) < MAX_KEYS:
            keys.append(list(key))

    try:
        msg = message_from_bytes(raw, policy=policy.default)
    except Exception:  # noqa: BLE001 - key derivation is best effort; the keys are stored anyway
        msg = None
    if msg is not None:
        for part in msg.walk():
            try:
                subject = str(part.get("Subject", "") or "")
            except Exception:  # noqa: BLE001
                subject = ""
            word = _first_word(subject)
            if word:
                add("SUBJECT", word) if part is msg else add("TEXT", word)
            word = _first_word(subject, non_ascii=True)
            if word:
                add("SUBJECT" if part is msg else "TEXT", word)
            if part is msg:
                try:
                    sender = str(part.get("From", "") or "")
                except Exception:  # noqa: BLE001
                    sender = ""
                word = _first_word(sender)
                if word:
                    add("FROM", word)
            if part.get_content_maintype() == "text":
                try:
                    content = part.get_content()
                except Exception:  # noqa: BLE001
                    content = part.get_payload(decode=True) or b""
                    content = content.decode("latin-1") if isinstance(content, bytes) else str(content)
                if isinstance(content, bytes):
                    content = content.decode("latin-1")
                for non_ascii in (False, True):
                    word = _first_word(content, non_ascii)
                    if word:
                        add("BODY", word)
                        add("TEXT", word)
    add("TEXT", NO_MATCH_WORD)
    add("HEADER", "Message-ID", "@")
    return keys


def search_args(key: list[str]) -> list[object]:
    out: list[object] = [key[0].encode()]
    for arg in key[1:]:
        data = arg.encode("utf-8")
        if all(32 <= b < 127 and b not in b'"\\' for b in data):
            out.append(b' "' + data + b'"')
        else:
            out.append(b" ")
            out.append(("lit", data))
    return out


# ---- observing one message -----------------------------------------------------------------------------------
def observe(client: Client, uid: int, keys: list[list[str]]) -> dict:
    """Everything recorded for the message with this UID in the selected mailbox."""
    lines = client.ok(b"UID FETCH %d (RFC822.SIZE ENVELOPE BODYSTRUCTURE)" % uid)
    items = fetch_items(next(x for x in lines if b" FETCH " in x))
    bs = bodystructure(items["BODYSTRUCTURE"])
    result = {"rfc822_size": items["RFC822.SIZE"], "envelope": envelope(items["ENVELOPE"]), "bodystructure": bs}
    sections = ["HEADER", "TEXT", ""]
    numbers = part_numbers(bs) if isinstance(bs, dict) else []
    for number, is_message in numbers:
        sections += [number, number + ".MIME"]
        if is_message:
            sections += [number + ".HEADER", number + ".TEXT"]
    body = {}
    for section in sections:
        untagged, status = client.command(b"UID FETCH %d (BODY.PEEK[%s])" % (uid, section.encode()))
        if not status.startswith(b"OK"):
            body[section] = {"error": status.decode("latin-1").split(" ", 1)[0]}
            continue
        fetched = fetch_items(next(x for x in untagged if b" FETCH " in x))
        body[section] = section_value(next(v for k, v in fetched.items() if k.startswith("BODY[")))
    result["body"] = body
    binary = {}
    for section in [""] + [n for n, _ in numbers]:
        untagged, status = client.command(b"UID FETCH %d (BINARY.PEEK[%s] BINARY.SIZE[%s])"
                                          % (uid, section.encode(), section.encode()))
        if not status.startswith(b"OK"):
            code = re.search(rb"\[([A-Z-]+)", status)
            binary[section] = {"error": code.group(1).decode() if code else status.split(b" ", 1)[0].decode()}
            continue
        fetched = fetch_items(next(x for x in untagged if b" FETCH " in x))
        value = section_value(next(v for k, v in fetched.items() if k.startswith("BINARY[")))
        size = next((v for k, v in fetched.items() if k.startswith("BINARY.SIZE")), None)
        binary[section] = {"value": value, "size": size}
    result["binary"] = binary
    searches = []
    for key in keys:
        untagged, status = client.command(b"UID SEARCH CHARSET UTF-8 UID %d " % uid, *search_args(key))
        if not status.startswith(b"OK"):
            searches.append({"key": key, "error": status.split(b" ", 1)[0].decode()})
            continue
        found = [int(x) for line in untagged if line.startswith(b"* SEARCH") for x in line.split()[2:]]
        searches.append({"key": key, "match": uid in found})
    result["search"] = searches
    return result


def append(client: Client, mailbox: str, data: bytes) -> int:
    """APPENDs one message and returns its UID (from APPENDUID, RFC 4315)."""
    untagged, status = client.command(b"APPEND " + mailbox.encode() + b" ", ("lit", data))
    if not status.startswith(b"OK"):
        raise IMAPError(f"APPEND failed: {status.decode('latin-1')}")
    m = re.search(rb"APPENDUID \d+ (\d+)", status)
    if not m:
        raise IMAPError(f"no APPENDUID in {status!r}")
    return int(m.group(1))
