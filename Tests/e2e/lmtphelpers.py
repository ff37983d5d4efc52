"""A raw LMTP client for the delivery tests: exact replies, pipelining, partial DATA."""
from __future__ import annotations

import socket
from contextlib import contextmanager


class RawLMTP:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = b""

    @classmethod
    def unix(cls, path: str, timeout: float = 20) -> "RawLMTP":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(path)
        return cls(s)

    @classmethod
    def tcp(cls, port: int, timeout: float = 20) -> "RawLMTP":
        return cls(socket.create_connection(("127.0.0.1", port), timeout=timeout))

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(f"connection closed; buffered {self.buffer!r}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def reply(self) -> tuple[int, list[str]]:
        """One (possibly multi-line) reply: its code and its lines' texts."""
        lines = []
        while True:
            line = self.line().decode("utf-8", "replace")
            lines.append(line[4:])
            if len(line) < 4 or line[3] != "-":
                return int(line[:3]), lines

    def command(self, text: str | bytes) -> tuple[int, list[str]]:
        self.send((text.encode() if isinstance(text, str) else text) + b"\r\n")
        return self.reply()

    def closed(self) -> bool:
        """Whether the server closed the connection (EOF after what is buffered)."""
        try:
            return self.sock.recv(1) == b""
        except (ConnectionResetError, BrokenPipeError):
            return True

    def close(self) -> None:
        self.sock.close()


def stuffed(message: bytes) -> bytes:
    """The message as DATA carries it: dot-stuffed, ended by CRLF.CRLF."""
    lines = message.split(b"\r\n")
    body = b"\r\n".join(b"." + l if l.startswith(b".") else l for l in lines)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def session(c: RawLMTP, sender: str, recipients: list[str], message: bytes) -> list[tuple[int, list[str]]]:
    """LHLO, MAIL, RCPTs and DATA pipelined in one write; returns every reply after the greeting."""
    out = f"LHLO test.client\r\nMAIL FROM:<{sender}>\r\n".encode()
    out += b"".join(f"RCPT TO:<{r}>\r\n".encode() for r in recipients) + b"DATA\r\n"
    c.send(out)
    replies = [c.reply() for _ in range(3 + len(recipients))]
    if replies[-1][0] != 354:
        return replies
    c.send(stuffed(message))
    accepted = sum(1 for r in replies[2:2 + len(recipients)] if r[0] == 250)
    return replies + [c.reply() for _ in range(accepted)]


@contextmanager
def greeted(path: str, timeout: float = 20):
    """A connection to the LMTP socket at `path`, its greeting read; closed afterwards."""
    c = RawLMTP.unix(path, timeout)
    try:
        c.reply()
        yield c
    finally:
        c.close()
