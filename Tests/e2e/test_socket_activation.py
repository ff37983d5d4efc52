"""Socket activation (sd_listen_fds): a small launcher binds the IMAPS and IMAP sockets, as systemd would, and
execs `postern serve` with LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES. The server listens on those sockets instead
of binding its own, and a connection made before the server started (waiting in the socket's queue, as during a
restart) is served."""
from __future__ import annotations

import os
import socket
import ssl
import subprocess
import threading
import time

import pytest

from conftest import POSTERN_BIN, add_user, require_binary

pytestmark = pytest.mark.postern

LAUNCH = 'export LISTEN_PID=$$; exec "$0" "$@"'


def listening_socket() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s


def test_imap_listeners_take_the_sockets_handed_over(tmp_path):
    require_binary()
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, "sa", "sa-pw 1")
    imaps, imap = listening_socket(), listening_socket()
    imaps_port, imap_port = imaps.getsockname()[1], imap.getsockname()[1]
    # Queued before the server runs: the kernel accepts it into the socket's backlog.
    early = socket.create_connection(("127.0.0.1", imap_port), timeout=30)

    def hand_over():
        os.dup2(imaps.fileno(), 3)
        os.dup2(imap.fileno(), 4)

    env = dict(os.environ, LISTEN_FDS="2", LISTEN_FDNAMES="imaps:imap")
    # The configured addresses are the defaults (0.0.0.0:993 and :143): only the handed-over sockets are used.
    proc = subprocess.Popen(
        ["/bin/sh", "-c", LAUNCH, POSTERN_BIN, "serve", "--data-dir", str(data), "--managesieve", "off",
         "--lmtp-socket", "off"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, close_fds=False,
        preexec_fn=hand_over, start_new_session=True)
    imaps.close()
    imap.close()
    stderr: list[str] = []
    threading.Thread(target=lambda: stderr.extend(l.decode(errors="replace") for l in proc.stderr),
                     daemon=True).start()
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline().decode().strip()
            if not line:
                break
            lines.append(line)
            if line == "ready":
                break
        assert "ready" in lines, (lines, stderr)
        assert f"listening: imaps 0.0.0.0:{imaps_port}" in lines, lines
        assert f"listening: imap 0.0.0.0:{imap_port}" in lines, lines

        early.settimeout(30)
        assert early.recv(200).startswith(b"* OK"), stderr
        context = ssl.create_default_context(cafile=str(data / "tls" / "cert.pem"))
        context.check_hostname = False
        with socket.create_connection(("127.0.0.1", imaps_port), timeout=30) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                assert tls.recv(200).startswith(b"* OK")
    finally:
        early.close()
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
