"""A COMPRESS=DEFLATE (RFC 4978) client layer for RawIMAP, written on Python's zlib.

No client library at hand speaks COMPRESS (imapclient and imaplib have no helper for it), so the
tests put this in place of RawIMAP's socket after the tagged OK: raw deflate (wbits -15) both ways,
a sync flush after each send, as RFC 4978 section 4 asks of a client. It counts the bytes that
really cross the socket, so tests can compare compressed and uncompressed traffic.
"""
from __future__ import annotations

import zlib


class DeflateSocket:
    def __init__(self, sock, level: int = 6):
        self.sock = sock
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        self.decompressor = zlib.decompressobj(-15)
        self.wire_sent = 0
        self.wire_received = 0
        self.plain_received = 0

    def compress(self, data: bytes) -> bytes:
        return self.compressor.compress(data) + self.compressor.flush(zlib.Z_SYNC_FLUSH)

    def sendall(self, data: bytes) -> None:
        self.send_raw(self.compress(data))

    def send_raw(self, wire: bytes) -> None:
        """Bytes as they go on the wire (already compressed, or deliberately not)."""
        self.wire_sent += len(wire)
        self.sock.sendall(wire)

    def recv(self, n: int) -> bytes:
        # A compressed chunk may inflate to nothing yet (a block split across reads): read on until
        # there is plain text, or the server closed.
        while True:
            wire = self.sock.recv(n)
            if not wire:
                return b""
            self.wire_received += len(wire)
            plain = self.decompressor.decompress(wire)
            if plain:
                self.plain_received += len(plain)
                return plain

    def settimeout(self, t) -> None:
        self.sock.settimeout(t)

    def close(self) -> None:
        self.sock.close()


def start_compression(c, tag: str = "z1") -> DeflateSocket:
    """COMPRESS DEFLATE on a RawIMAP; returns the layer now in place of its socket."""
    r = c.command(f"{tag} COMPRESS DEFLATE")
    assert r.status == "OK", r
    assert not c.buf, f"server sent data after COMPRESS OK: {c.buf!r}"
    layer = DeflateSocket(c.sock)
    c.sock = layer
    return layer
