"""PROXY protocol v2 on an IMAPS listener behind a load balancer: the header names the client, whose
address the logs then show; a connection without a header, or from an untrusted address, is closed."""
from __future__ import annotations

import socket
import ssl
import struct
import time

import pytest

from conftest import PosternProcess, run_cli
from pghelpers import first_start_password
from rawimap import ConnectionClosed, RawIMAP

pytestmark = pytest.mark.postern

SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def header_v4(src: str, src_port: int, dst: str = "127.0.0.1", dst_port: int = 993) -> bytes:
    body = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!HH", src_port, dst_port)
    return SIGNATURE + bytes([0x21, 0x11]) + struct.pack("!H", len(body)) + body


def start(tmp_path, trusted: str) -> PosternProcess:
    config = tmp_path / "postern.toml"
    config.write_text(f'proxy_protocol_imaps = ["127.0.0.1:0"]\nproxy_trusted = ["{trusted}"]\n')
    server = PosternProcess(tmp_path / "data", ["--config", str(config)])
    server.wait_ready()
    return server


def tls_over(sock: socket.socket, server: PosternProcess) -> RawIMAP:
    context = ssl.create_default_context(cafile=str(server.data_dir / "tls" / "cert.pem"))
    context.check_hostname = False
    return RawIMAP(context.wrap_socket(sock, server_hostname="127.0.0.1"))


def test_header_names_the_client_in_every_chunking(tmp_path):
    server = start(tmp_path, "127.0.0.0/8")
    try:
        password = first_start_password(server)
        for chunk in [1, 5, 16, 1000]:
            sock = socket.create_connection(("127.0.0.1", server.ports["imaps"]), timeout=10)
            header = header_v4("203.0.113.9", 40000 + chunk)
            for i in range(0, len(header), chunk):
                sock.sendall(header[i:i + chunk])
                time.sleep(0.01)
            client = tls_over(sock, server)
            assert client.read_line().status == "OK"
            assert client.command('a1 LOGIN postmaster "wrong password"').status == "NO"
            assert client.command(f'a2 LOGIN postmaster "{password}"').status == "OK"
            client.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            failed = [line for line in server.stderr if "authentication failed" in line]
            if len(failed) >= 4:
                break
            time.sleep(0.1)
        assert len(failed) >= 4 and all("203.0.113.9" in line for line in failed), failed
        assert any("203.0.113.9:40001 via 127.0.0.1" in line for line in server.stderr), server.output()
        # Without a header the connection is closed (the TLS ClientHello is not a PROXY header).
        sock = socket.create_connection(("127.0.0.1", server.ports["imaps"]), timeout=10)
        with pytest.raises((ssl.SSLError, OSError, ConnectionClosed)):
            tls_over(sock, server).read_line(timeout=10)
        # The IMAP listener was not named: it takes clients directly.
        plain = RawIMAP.connect_plain("127.0.0.1", server.ports["imap"])
        assert plain.greeting.status == "OK"
        plain.close()
    finally:
        server.stop()


def test_untrusted_sender_is_refused(tmp_path):
    server = start(tmp_path, "192.0.2.0/24")
    try:
        sock = socket.create_connection(("127.0.0.1", server.ports["imaps"]), timeout=10)
        try:
            sock.sendall(header_v4("203.0.113.9", 40000))
            closed = sock.recv(100) == b""
        except ConnectionResetError:
            # Closed with the header unread.
            closed = True
        assert closed
        sock.close()
        # The server's log is read by a thread of the test: give it time to arrive.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any("not a trusted PROXY sender" in l for l in server.stderr):
            time.sleep(0.1)
        assert any("not a trusted PROXY sender" in line for line in server.stderr), server.output()
    finally:
        server.stop()


@pytest.mark.parametrize("config, message", [
    ('proxy_protocol_imaps = ["127.0.0.1:0"]\n', "proxy_protocol needs proxy_trusted"),
    ('proxy_protocol_imaps = ["127.0.0.1:9"]\nproxy_trusted = ["10.0.0.0/8"]\n',
     "proxy_protocol_imaps: 127.0.0.1:9 is not one of the imaps listeners"),
    ('proxy_trusted = ["ten"]\n', "config proxy_trusted: 'ten' is not a network like 10.0.0.0/8"),
])
def test_bad_proxy_settings_are_one_line(tmp_path, config, message):
    path = tmp_path / "postern.toml"
    path.write_text(config)
    r = run_cli("serve", "--data-dir", str(tmp_path / "d"), "--imaps", "127.0.0.1:0", "--imap", "off",
                "--config", str(path), timeout=30)
    assert r.returncode == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
