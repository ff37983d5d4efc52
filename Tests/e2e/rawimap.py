"""A deliberately small, independent raw IMAP client for end-to-end tests.

It knows only enough of the wire format to split the server's output into
*logical response lines* (a line plus any literals it announces, RFC 3501
section 4.3) so tests can look at exactly what the server sent:

    c = RawIMAP.connect_tls("127.0.0.1", 993, cafile="cert.pem")
    c.greeting                       # b"* OK ..."
    resp = c.command("a1 LOGIN alice secret")
    resp.tagged.status               # "OK"
    resp.untagged                    # list[Line]

Every read has a timeout: a server that stops answering raises
``TimeoutError`` instead of hanging the test run.
"""
from __future__ import annotations

import re
import socket
import ssl
import time
from dataclasses import dataclass, field

DEFAULT_TIMEOUT = 20.0
_LITERAL_RE = re.compile(rb"\{(\d+)(\+?)\}\r\n$")


class ConnectionClosed(Exception):
    """The server closed the connection (EOF) before the expected data."""


@dataclass
class Line:
    """One logical response line: text with any literals inlined."""

    raw: bytes                      # exactly the bytes received (literals inline)
    literals: list[bytes] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The line without the trailing CRLF, literals rendered readably:
        ``{N}`` followed by the literal with CR/LF shown as ``\\r``/``\\n``."""
        return render(self.raw)

    @property
    def tag(self) -> str:
        return self.raw.split(b" ", 1)[0].decode("latin-1")

    @property
    def status(self) -> str | None:
        """OK/NO/BAD/BYE/PREAUTH for status lines (tagged or untagged), else None."""
        parts = self.raw.split(b" ", 2)
        if len(parts) >= 2 and parts[1].rstrip(b"\r\n").upper() in (b"OK", b"NO", b"BAD", b"BYE", b"PREAUTH"):
            return parts[1].rstrip(b"\r\n").upper().decode()
        return None

    @property
    def code(self) -> str | None:
        """The response code inside [...] of a status line, upper-cased, e.g. 'TRYCREATE'."""
        m = re.match(rb"^\S+ (?:OK|NO|BAD|BYE|PREAUTH) \[([^\]]*)\]", self.raw, re.I)
        return m.group(1).decode("latin-1").upper() if m else None

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return self.text


def render(raw: bytes) -> str:
    """Render a logical line for humans/golden files (see Line.text)."""
    out = []
    pos = 0
    data = raw[:-2] if raw.endswith(b"\r\n") else raw
    # Walk through literal announcements "{N}\r\n" and escape their payloads.
    for m in re.finditer(rb"\{(\d+)\+?\}\r\n", data):
        if m.start() < pos:
            continue
        out.append(data[pos:m.start()].decode("latin-1"))
        n = int(m.group(1))
        payload = data[m.end():m.end() + n]
        out.append("{%d}" % n)
        out.append(escape_literal(payload))
        pos = m.end() + n
    out.append(data[pos:].decode("latin-1"))
    return "".join(out)


def escape_literal(payload: bytes) -> str:
    s = []
    for b in payload:
        if b == 0x0D:
            s.append("\\r")
        elif b == 0x0A:
            s.append("\\n")
        elif b < 0x20 or b >= 0x7F:
            s.append("\\x%02x" % b)
        else:
            s.append(chr(b))
    return "".join(s)


@dataclass
class Response:
    untagged: list[Line]
    tagged: Line | None             # None when the server closed instead (e.g. after BYE)
    continuation: Line | None = None  # set when reading stopped at a "+" line

    @property
    def lines(self) -> list[Line]:
        out = list(self.untagged)
        if self.continuation is not None:
            out.append(self.continuation)
        if self.tagged is not None:
            out.append(self.tagged)
        return out

    @property
    def status(self) -> str | None:
        return self.tagged.status if self.tagged is not None else None

    @property
    def code(self) -> str | None:
        return self.tagged.code if self.tagged is not None else None

    def texts(self) -> list[str]:
        return [l.text for l in self.lines]

    def untagged_of(self, kind: str) -> list[Line]:
        """Untagged lines of a given kind, e.g. 'EXISTS', 'FETCH', 'EXPUNGE', 'LIST'."""
        kind = kind.upper()
        out = []
        for l in self.untagged:
            parts = l.raw.rstrip(b"\r\n").split(b" ")
            if len(parts) >= 2 and parts[1].upper().decode("latin-1") == kind:
                out.append(l)
            elif len(parts) >= 3 and parts[1].isdigit() and parts[2].upper().decode("latin-1").startswith(kind):
                out.append(l)
        return out

    def bye(self) -> bool:
        return any(l.raw.startswith(b"* BYE") for l in self.untagged)

    def __repr__(self) -> str:
        return "Response(%r)" % self.texts()


class RawIMAP:
    def __init__(self, sock: socket.socket, timeout: float = DEFAULT_TIMEOUT):
        self.sock = sock
        self.timeout = timeout
        self.buf = b""
        self.sock.settimeout(timeout)
        self.greeting: Line | None = None
        self.transcript: list[tuple[str, bytes]] = []   # ("C"|"S", bytes) for failure messages

    # ----------------------------------------------------------- connecting
    @classmethod
    def connect_plain(cls, host: str, port: int, timeout: float = DEFAULT_TIMEOUT,
                      read_greeting: bool = True) -> "RawIMAP":
        s = socket.create_connection((host, port), timeout=timeout)
        c = cls(s, timeout)
        if read_greeting:
            c.greeting = c.read_line()
        return c

    @classmethod
    def connect_tls(cls, host: str, port: int, cafile: str | None = None,
                    server_hostname: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                    context: ssl.SSLContext | None = None, read_greeting: bool = True) -> "RawIMAP":
        ctx = context or make_context(cafile)
        raw = socket.create_connection((host, port), timeout=timeout)
        try:
            s = ctx.wrap_socket(raw, server_hostname=server_hostname or host)
        except Exception:
            raw.close()
            raise
        c = cls(s, timeout)
        if read_greeting:
            c.greeting = c.read_line()
        return c

    def starttls(self, tag: str = "s1", cafile: str | None = None, server_hostname: str = "127.0.0.1",
                 context: ssl.SSLContext | None = None) -> Response:
        resp = self.command(f"{tag} STARTTLS")
        if resp.status != "OK":
            raise AssertionError(f"STARTTLS refused: {resp}")
        self.wrap_tls(cafile=cafile, server_hostname=server_hostname, context=context)
        return resp

    def wrap_tls(self, cafile: str | None = None, server_hostname: str = "127.0.0.1",
                 context: ssl.SSLContext | None = None) -> None:
        if self.buf:
            raise AssertionError(f"server sent data after STARTTLS OK in cleartext: {self.buf!r}")
        ctx = context or make_context(cafile)
        self.sock = ctx.wrap_socket(self.sock, server_hostname=server_hostname)
        self.sock.settimeout(self.timeout)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> "RawIMAP":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --------------------------------------------------------------- output
    def send(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode()
        self.transcript.append(("C", data))
        self.sock.sendall(data)

    def sendline(self, line: bytes | str) -> None:
        if isinstance(line, str):
            line = line.encode()
        self.send(line + b"\r\n")

    # ---------------------------------------------------------------- input
    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("timed out waiting for server data; transcript:\n" + self.dump())
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            raise TimeoutError("timed out waiting for server data; transcript:\n" + self.dump()) from None
        except ssl.SSLError as e:
            # An abrupt TLS close counts as the server closing the connection.
            raise ConnectionClosed(f"TLS error: {e}") from None
        except (ConnectionResetError, BrokenPipeError) as e:
            raise ConnectionClosed(str(e)) from None
        if not chunk:
            raise ConnectionClosed("server closed the connection; transcript:\n" + self.dump())
        self.buf += chunk

    def _read_physical(self, deadline: float) -> bytes:
        while b"\r\n" not in self.buf:
            if len(self.buf) > 10_000_000:
                raise AssertionError("server line longer than 10 MB")
            self._fill(deadline)
        i = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def _read_exact(self, n: int, deadline: float) -> bytes:
        while len(self.buf) < n:
            self._fill(deadline)
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_line(self, timeout: float | None = None) -> Line:
        """Read one logical response line (including literals)."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        raw = b""
        literals = []
        while True:
            part = self._read_physical(deadline)
            raw += part
            m = _LITERAL_RE.search(part)
            if not m or part.startswith(b"+ ") and raw == part:
                break
            lit = self._read_exact(int(m.group(1)), deadline)
            literals.append(lit)
            raw += lit
        self.transcript.append(("S", raw))
        return Line(raw, literals)

    def read_until_tagged(self, tag: str, timeout: float | None = None,
                          stop_at_continuation: bool = False) -> Response:
        """Read until the tagged response for `tag` (or EOF after BYE)."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        untagged: list[Line] = []
        tagb = tag.encode() + b" "
        while True:
            try:
                line = self.read_line(timeout=max(0.001, deadline - time.monotonic()))
            except ConnectionClosed:
                if any(l.raw.startswith(b"* BYE") for l in untagged):
                    return Response(untagged, None)
                raise
            if line.raw.startswith(tagb):
                return Response(untagged, line)
            if line.raw.startswith(b"+"):
                if stop_at_continuation:
                    return Response(untagged, None, continuation=line)
                untagged.append(line)
                continue
            untagged.append(line)

    def command(self, line: str | bytes, timeout: float | None = None,
                stop_at_continuation: bool = False) -> Response:
        """Send one command line (tag is its first word) and read its response."""
        if isinstance(line, str):
            line = line.encode()
        tag = line.split(b" ", 1)[0].decode("latin-1")
        self.sendline(line)
        return self.read_until_tagged(tag, timeout=timeout, stop_at_continuation=stop_at_continuation)

    def command_with_literal(self, tag: str, head: str, literal: bytes, tail: str = "",
                             timeout: float | None = None) -> Response:
        """Send `tag head {N}`, wait for '+', send literal + tail. Returns the final response
        (or the early tagged refusal if the server refused the literal)."""
        self.sendline(f"{tag} {head} {{{len(literal)}}}")
        r = self.read_until_tagged(tag, timeout=timeout, stop_at_continuation=True)
        if r.continuation is None:
            return r
        self.send(literal + tail.encode() + b"\r\n")
        r2 = self.read_until_tagged(tag, timeout=timeout)
        return Response(r.untagged + r2.untagged, r2.tagged)

    def login(self, user: str, password: str, tag: str = "L1") -> Response:
        r = self.command(f"{tag} LOGIN {quote(user)} {quote(password)}")
        if r.status != "OK":
            raise AssertionError(f"LOGIN failed for {user}: {r}")
        return r

    def expect_silence(self, seconds: float) -> bytes:
        """Return whatever arrives within `seconds` (b'' if nothing)."""
        deadline = time.monotonic() + seconds
        got = self.buf
        self.buf = b""
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                break
            except (ssl.SSLError, OSError):
                break
            if not chunk:
                break
            got += chunk
        return got

    def dump(self) -> str:
        out = []
        for who, data in self.transcript[-40:]:
            text = data.decode("latin-1")
            if len(text) > 300:
                text = text[:300] + "...(%d bytes)" % len(data)
            out.append(f"{who}: {text!r}")
        return "\n".join(out)


def quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_context(cafile: str | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=cafile) if cafile else ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx
