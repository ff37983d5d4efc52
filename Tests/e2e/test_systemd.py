"""systemd integration (Postern only): READY=1, WATCHDOG=1 and STOPPING=1 datagrams sent to the socket
named by NOTIFY_SOCKET, a path or an abstract name (`@...`), and contrib/postern.service passing
`systemd-analyze verify`."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from conftest import POSTERN_BIN, PosternProcess

pytestmark = pytest.mark.postern

UNIT = Path(__file__).resolve().parents[2] / "contrib" / "postern.service"


def receive(sock: socket.socket, want: str, timeout: float = 15) -> list[str]:
    """Datagrams until one equals `want` (or the time is up); returns them all."""
    got = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            got.append(sock.recv(4096).decode())
        except (socket.timeout, TimeoutError):
            break
        if got[-1] == want:
            break
    return got


@pytest.mark.parametrize("abstract", [False, True], ids=["path", "abstract"])
def test_ready_watchdog_and_stopping_are_sent(tmp_path, monkeypatch, abstract):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if abstract:
        name = f"postern-test-{uuid.uuid4().hex}"
        sock.bind("\0" + name)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
    else:
        path = str(tmp_path / "notify.sock")
        sock.bind(path)
        monkeypatch.setenv("NOTIFY_SOCKET", path)
    # 0.4 s: the server sends WATCHDOG=1 every 0.2 s.
    monkeypatch.setenv("WATCHDOG_USEC", "400000")
    data = tmp_path / "data"
    data.mkdir()
    p = PosternProcess(data)
    try:
        p.wait_ready()
        got = receive(sock, "READY=1")
        assert "READY=1" in got, got
        watchdogs = receive(sock, "never", timeout=1.5)
        assert watchdogs.count("WATCHDOG=1") >= 3, watchdogs
        assert p.stop() == 0
        got = receive(sock, "STOPPING=1", timeout=5)
        assert "STOPPING=1" in got, got
    finally:
        p.stop()
        sock.close()


def test_watchdog_for_another_pid_is_ignored(tmp_path, monkeypatch):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify.sock")
    sock.bind(path)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "200000")
    monkeypatch.setenv("WATCHDOG_PID", "1")
    data = tmp_path / "data"
    data.mkdir()
    p = PosternProcess(data)
    try:
        p.wait_ready()
        got = receive(sock, "never", timeout=1.5)
        assert got == ["READY=1"], got
    finally:
        p.stop()
        sock.close()


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None and os.environ.get("CI") != "true",
    reason="systemd-analyze is not installed (.ci/run installs it; under CI its absence fails)",
)
def test_unit_passes_systemd_analyze_verify(tmp_path):
    assert shutil.which("systemd-analyze"), "systemd-analyze is not installed (Debian package systemd)"
    text = UNIT.read_text()
    assert "Type=notify" in text and "ProtectSystem=strict" in text and "NoNewPrivileges=true" in text
    assert "CapabilityBoundingSet=CAP_NET_BIND_SERVICE" in text and "SystemCallFilter=@system-service" in text
    assert "PrivateTmp=true" in text and "ReadWritePaths=/var/lib/postern" in text
    # verify checks that ExecStart's program exists: point it at the binary under test.
    unit = tmp_path / "postern.service"
    unit.write_text(text.replace("/usr/local/bin/postern", str(Path(POSTERN_BIN).resolve())))
    r = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr.strip() == "", r.stderr


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None and os.environ.get("CI") != "true",
    reason="systemd-analyze is not installed (.ci/run installs it; under CI its absence fails)",
)
def test_socket_unit_passes_systemd_analyze_verify(tmp_path):
    assert shutil.which("systemd-analyze"), "systemd-analyze is not installed (Debian package systemd)"
    socket_text = (UNIT.parent / "postern.socket").read_text()
    assert "FileDescriptorName=imaps" in socket_text and "FileDescriptorName=imap" in socket_text
    (tmp_path / "postern.service").write_text(
        UNIT.read_text().replace("/usr/local/bin/postern", str(Path(POSTERN_BIN).resolve())))
    unit = tmp_path / "postern.socket"
    unit.write_text(socket_text)
    r = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr.strip() == "", r.stderr
