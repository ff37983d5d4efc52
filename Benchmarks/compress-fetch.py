#!/usr/bin/env python3
"""COMPRESS=DEFLATE (RFC 4978) on a large FETCH of text mail: bytes on the wire and time, against
Dovecot in the same run.

The text messages of Tests/mime-diff (about 200, 1.1 MB) are appended K times (default 10: 2,000
messages, 11.5 MB) to a new mailbox on each server; then `FETCH 1:* (BODY.PEEK[])` runs three times
plain and three times after COMPRESS DEFLATE in the same session (the client: Python's zlib at level 6,
Tests/e2e/deflatesocket.py). Prints the response size, the compressed bytes and the median times.

Dovecot: a private instance from shared/reference/start-dovecot.sh with `mail_plugins = $mail_plugins
imap_zlib` added to `protocol imap` (DOVECOT=host:port, user testuser, password pass); Postern is
started here from POSTERN_BIN on a temporary data folder.

    DOVECOT=127.0.0.1:21993 POSTERN_BIN=.build-release/release/postern python3 Benchmarks/compress-fetch.py 10
"""
from __future__ import annotations

import os
import ssl
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Tests" / "e2e"))
from conftest import PosternProcess, add_user  # noqa: E402
from deflatesocket import start_compression  # noqa: E402
from rawimap import RawIMAP  # noqa: E402
from test_compress import append_literal, text_messages  # noqa: E402

CONTEXT = ssl.create_default_context()
CONTEXT.check_hostname = False
CONTEXT.verify_mode = ssl.CERT_NONE  # loopback, self-signed certificates of both servers


def measure(name: str, port: int, user: str, password: str, messages: list[bytes]) -> None:
    c = RawIMAP.connect_tls("127.0.0.1", port, context=CONTEXT, timeout=300)
    c.login(user, password)
    assert c.command("c CREATE compress-fetch").status == "OK"
    for i, m in enumerate(messages):
        assert append_literal(c, f"a{i}", "compress-fetch", m).status == "OK"
    assert c.command("s EXAMINE compress-fetch").status == "OK"
    plain, compressed, wire = [], [], []
    for i in range(3):
        start = time.monotonic()
        r = c.command(f"f{i} FETCH 1:* (BODY.PEEK[])", timeout=300)
        plain.append(time.monotonic() - start)
    total = sum(len(line.raw) for line in r.lines)
    layer = start_compression(c)
    for i in range(3):
        before = layer.wire_received
        start = time.monotonic()
        c.command(f"g{i} FETCH 1:* (BODY.PEEK[])", timeout=300)
        compressed.append(time.monotonic() - start)
        wire.append(layer.wire_received - before)
    c.command("l LOGOUT")
    c.close()
    print(f"{name}: {len(messages)} messages, FETCH response {total} bytes, plain {statistics.median(plain):.3f} s; "
          f"compressed {wire[-1]} bytes ({wire[-1] / total:.3f}), {statistics.median(compressed):.3f} s")


def main() -> None:
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    messages = text_messages(200) * k
    if "DOVECOT" in os.environ:
        host, port = os.environ["DOVECOT"].rsplit(":", 1)
        measure("dovecot", int(port), "testuser", "pass", messages)
    with tempfile.TemporaryDirectory(prefix="postern-compress-fetch-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        add_user(data, "bench", "bench-password-1")
        config = Path(tmp) / "postern.toml"
        config.write_text('trusted_networks = ["127.0.0.0/8"]\n')
        proc = PosternProcess(data, ["--config", str(config), "--log-level", "warning"])
        try:
            ports = proc.wait_ready()
            measure("postern", ports["imaps"], "bench", "bench-password-1", messages)
        finally:
            proc.stop()


if __name__ == "__main__":
    main()
