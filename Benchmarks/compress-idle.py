#!/usr/bin/env python3
"""Server memory per idle COMPRESS=DEFLATE session (RFC 4978), against plain idle sessions.

Starts `postern serve` (POSTERN_BIN, default .build/release/postern) on loopback with a temporary
data folder, then opens N IMAPS sessions that LOGIN, SELECT INBOX and IDLE, reads the server's RSS,
opens N more that also COMPRESS DEFLATE first, reads it again, waits past the compressor's idle
release and reads it a third time. Prints kB per session for each set.

    POSTERN_BIN=.build-release/release/postern python3 Benchmarks/compress-idle.py [N]
"""
from __future__ import annotations

import socket
import ssl
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Tests" / "e2e"))
from conftest import PosternProcess, add_user  # noqa: E402

USER, PASSWORD = "bench", "bench-password-1"


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Session:
    def __init__(self, port: int, ctx: ssl.SSLContext, compress: bool):
        self.sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30),
                                    server_hostname="127.0.0.1")
        self.inflate = None
        self.deflate = None
        self.buf = b""
        self.read_until(b"* OK")
        self.command(f"l LOGIN {USER} {PASSWORD}", b"l OK")
        if compress:
            self.command("z COMPRESS DEFLATE", b"z OK")
            self.inflate = zlib.decompressobj(-15)
            self.deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.command("s SELECT INBOX", b"s OK")
        self.command("i IDLE", b"+ ")

    def send(self, data: bytes) -> None:
        if self.deflate:
            data = self.deflate.compress(data) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def read_until(self, marker: bytes) -> None:
        while marker not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("closed")
            self.buf += self.inflate.decompress(chunk) if self.inflate else chunk
        self.buf = self.buf[self.buf.index(marker) + len(marker):]

    def command(self, line: str, done: bytes) -> None:
        self.send(line.encode() + b"\r\n")
        self.read_until(done)
        if done == b"z OK":
            # The rest of the OK line is the last uncompressed input.
            while b"\r\n" not in self.buf:
                self.buf += self.sock.recv(1)
            self.buf = b""


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory(prefix="postern-compress-idle-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        add_user(data, USER, PASSWORD)
        config = Path(tmp) / "postern.toml"
        config.write_text('trusted_networks = ["127.0.0.0/8"]\nmax_connections = 100000\n'
                          'max_sessions_per_account_address = 100000\n')
        proc = PosternProcess(data, ["--config", str(config), "--log-level", "warning"])
        try:
            ports = proc.wait_ready()
            ctx = ssl.create_default_context(cafile=str(data / "tls" / "cert.pem"))
            pid = proc.proc.pid
            warm = [Session(ports["imaps"], ctx, False) for _ in range(20)]
            time.sleep(2)
            base = rss_kb(pid)
            plain = [Session(ports["imaps"], ctx, False) for _ in range(n)]
            time.sleep(2)
            after_plain = rss_kb(pid)
            compressed = [Session(ports["imaps"], ctx, True) for _ in range(n)]
            time.sleep(2)
            after_compressed = rss_kb(pid)
            time.sleep(35)  # past DeflateSettings.compressorIdleRelease
            after_release = rss_kb(pid)
            print(f"N = {n}")
            print(f"plain IDLE session:       {(after_plain - base) / n:.1f} kB")
            print(f"compressed IDLE session:  {(after_compressed - after_plain) / n:.1f} kB")
            print(f"compressed, after release: {(after_release - after_plain) / n:.1f} kB (RSS, freed memory"
                  " may stay with the allocator)")
            for s in warm + plain + compressed:
                s.sock.close()
        finally:
            proc.stop()


if __name__ == "__main__":
    main()
