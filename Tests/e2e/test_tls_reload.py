"""Certificate hot reload: on SIGHUP or when a certificate, key or client-CA file changes, new connections get
the new material within seconds; open sessions go on; a broken file is refused with one log line and the
certificate in use stays."""
from __future__ import annotations

import os
import shutil
import signal
import ssl
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ALICE, ALICE_PW, PosternProcess, add_user
from rawimap import ConnectionClosed, RawIMAP
from tlshelpers import client_context, fingerprint, make_ca, make_client_cert, make_server_pair, served_fingerprint

pytestmark = pytest.mark.postern

# Longer than two of the server's polls (2 s): a change it was going to see has been seen by then.
SETTLE = 5.0
RELOAD_DEADLINE = 15.0


@pytest.fixture
def folder():
    path = Path(tempfile.mkdtemp(prefix="postern-reload-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def start(folder: Path, *extra: str) -> tuple[PosternProcess, Path, Path]:
    cert, key = make_server_pair(folder, "first")
    served_cert, served_key = folder / "served.pem", folder / "served.key"
    shutil.copy(cert, served_cert)
    shutil.copy(key, served_key)
    data = folder / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    config = folder / "postern.toml"
    config.write_text('trusted_networks = ["127.0.0.0/8"]\n')
    proc = PosternProcess(data, ["--config", str(config), "--tls-cert", str(served_cert),
                                 "--tls-key", str(served_key), *extra])
    proc.wait_ready()
    return proc, served_cert, served_key


def replace(path: Path, source: Path) -> None:
    """Replaced as an editor or certbot would: a new file renamed over the old one."""
    tmp = path.with_suffix(".new")
    shutil.copy(source, tmp)
    os.replace(tmp, path)


def wait_for_fingerprint(proc: PosternProcess, folder: Path, expected: str) -> None:
    deadline = time.monotonic() + RELOAD_DEADLINE
    while True:
        served = served_fingerprint(proc.ports["imaps"], folder=folder)
        if served == expected:
            return
        assert time.monotonic() < deadline, f"still served {served}, expected {expected}\n" + proc.output()
        time.sleep(0.5)


def refusals(proc: PosternProcess) -> list[str]:
    return [line for line in proc.stderr if "TLS material not reloaded" in line]


def logged_in_session(proc: PosternProcess, cafile: Path) -> RawIMAP:
    c = RawIMAP.connect_tls("127.0.0.1", proc.ports["imaps"], context=client_context(cafile))
    assert c.login(ALICE, ALICE_PW).status == "OK"
    assert c.command("s1 SELECT INBOX").status == "OK"
    return c


def test_replaced_files_are_served_and_broken_ones_refused(folder):
    proc, served_cert, served_key = start(folder)
    try:
        first = fingerprint(served_cert)
        assert served_fingerprint(proc.ports["imaps"], folder=folder) == first
        session = logged_in_session(proc, served_cert)
        second_cert, second_key = make_server_pair(folder, "second")
        replace(served_key, second_key)
        replace(served_cert, second_cert)
        wait_for_fingerprint(proc, folder, fingerprint(second_cert))
        assert session.command("s2 NOOP").status == "OK"

        # Not PEM: refused once, the second certificate stays.
        served_cert.write_text("this is not a certificate\n")
        time.sleep(SETTLE)
        assert served_fingerprint(proc.ports["imaps"], folder=folder) == fingerprint(second_cert)
        assert len(refusals(proc)) == 1, proc.output()
        # A certificate whose key is not the one beside it: refused too.
        third_cert, _ = make_server_pair(folder, "third")
        replace(served_cert, third_cert)
        time.sleep(SETTLE)
        assert served_fingerprint(proc.ports["imaps"], folder=folder) == fingerprint(second_cert)
        assert len(refusals(proc)) == 2, proc.output()
        assert "is not the key of the certificate" in refusals(proc)[1]

        assert session.command("s3 NOOP").status == "OK"
        session.close()
        # The new session trusts the certificate served now.
        logged_in_session(proc, second_cert).close()
    finally:
        proc.stop()


def test_sighup_reloads_what_polling_cannot_see(folder):
    """The certificate is rewritten in place with the same size and modification time: only SIGHUP tells."""
    proc, served_cert, served_key = start(folder)
    try:
        first = fingerprint(served_cert)
        old = served_cert.read_bytes()
        for attempt in range(40):
            # Same name (the subject's length), new serial number and signature.
            (folder / f"attempt-{attempt}").mkdir()
            candidate, _ = make_server_pair(folder / f"attempt-{attempt}", "first", key=served_key)
            new = candidate.read_bytes()
            if len(new) == len(old) and new != old:
                break
        else:
            pytest.fail("could not make a certificate of the same size")
        stat = served_cert.stat()
        with open(served_cert, "r+b") as f:
            f.write(new)
        os.utime(served_cert, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert (served_cert.stat().st_size, served_cert.stat().st_mtime_ns, served_cert.stat().st_ino) == \
            (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        session = logged_in_session(proc, served_cert.with_name("first.pem"))
        time.sleep(SETTLE)
        assert served_fingerprint(proc.ports["imaps"], folder=folder) == first
        proc.proc.send_signal(signal.SIGHUP)
        wait_for_fingerprint(proc, folder, fingerprint(served_cert))
        assert session.command("s2 NOOP").status == "OK"
        assert proc.proc.poll() is None
        deadline = time.monotonic() + RELOAD_DEADLINE
        while not any("TLS material reloaded" in line for line in proc.stderr):
            assert time.monotonic() < deadline, proc.output()
            time.sleep(0.2)
    finally:
        proc.stop()


def test_client_ca_bundle_is_reloaded(folder):
    first_ca, second_ca = make_ca(folder, "ca-one"), make_ca(folder, "ca-two")
    bundle = folder / "clients.pem"
    shutil.copy(first_ca[0], bundle)
    proc, served_cert, _ = start(folder, "--tls-client-ca", str(bundle))
    try:
        alice = make_client_cert(folder, second_ca, "alice", email="alice")

        def external_login() -> str:
            ctx = client_context(served_cert, cert=alice)
            with RawIMAP.connect_tls("127.0.0.1", proc.ports["imaps"], context=ctx) as c:
                return c.command("e1 AUTHENTICATE EXTERNAL =").status

        with pytest.raises((ssl.SSLError, ConnectionClosed, ConnectionResetError, BrokenPipeError)):
            external_login()
        replace(bundle, second_ca[0])
        deadline = time.monotonic() + RELOAD_DEADLINE
        while True:
            try:
                assert external_login() == "OK"
                break
            except (ssl.SSLError, ConnectionClosed, ConnectionResetError, BrokenPipeError):
                assert time.monotonic() < deadline, proc.output()
                time.sleep(0.5)
    finally:
        proc.stop()
