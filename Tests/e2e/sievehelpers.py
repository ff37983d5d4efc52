"""A small raw ManageSieve client (RFC 5804) for end-to-end tests: sends exact bytes, splits the server's
output into items (a line with the literals it announces inlined) up to the final OK/NO/BYE."""
from __future__ import annotations

import base64
import re
import socket
import ssl
from dataclasses import dataclass

_LITERAL = re.compile(rb"\{(\d+)\+?\}$")


class Closed(Exception):
    """The server closed the connection before the expected data."""


@dataclass
class Response:
    items: list[bytes]          # the lines before the final one, literals inlined
    final: bytes                # e.g. b'OK "Logged in"'

    @property
    def status(self) -> str:
        return self.final.split(b" ", 1)[0].decode()

    def has_code(self, code: str) -> bool:
        """Whether the final line carries the response code `code` (with or without arguments)."""
        rest = self.final.split(b" ", 1)[1] if b" " in self.final else b""
        return re.match(rb"\(" + re.escape(code.encode()) + rb"[) ]", rest) is not None


class RawSieve:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""
        self.greeting: Response | None = None

    @classmethod
    def connect(cls, port: int, timeout: float = 20, tls_cafile: str | None = None) -> "RawSieve":
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls_cafile:
            sock = ssl.create_default_context(cafile=tls_cafile).wrap_socket(sock, server_hostname="127.0.0.1")
        c = cls(sock)
        c.greeting = c.response()
        return c

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise Closed(f"connection closed; unread: {self.buf!r}")
        self.buf += data

    def _take(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def item(self) -> bytes:
        out = b""
        while True:
            line = self._line()
            m = _LITERAL.search(line)
            if not m:
                return out + line
            out += line[:m.start()] + self._take(int(m.group(1)))

    def response(self) -> Response:
        items = []
        while True:
            it = self.item()
            if it.split(b" ", 1)[0] in (b"OK", b"NO", b"BYE"):
                return Response(items, it)
            items.append(it)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def command(self, data: bytes | str) -> Response:
        if isinstance(data, str):
            data = data.encode()
        self.send(data + b"\r\n")
        return self.response()

    def starttls(self, cafile: str) -> Response:
        r = self.command("STARTTLS")
        assert r.status == "OK", r
        self.sock = ssl.create_default_context(cafile=cafile).wrap_socket(self.sock, server_hostname="127.0.0.1")
        self.buf = b""
        return self.response()

    def login(self, user: str, password: str) -> Response:
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        return self.command(f'AUTHENTICATE "PLAIN" "{token}"')


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def literal(data: bytes) -> bytes:
    return b"{%d+}\r\n" % len(data) + data


def capabilities(items: list[bytes]) -> dict[str, str]:
    out = {}
    for it in items:
        m = re.fullmatch(rb'"([^"]*)"(?: "(.*)")?', it)
        assert m, it
        out[m.group(1).decode()] = (m.group(2) or b"").decode()
    return out
