"""The `postern` command line and first-start behaviour (Postern only)."""
from __future__ import annotations

import hashlib
import imaplib
import re
import signal
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import PosternProcess, add_user, run_cli
from helpers import fetch, make_message, select
from rawimap import ConnectionClosed

pytestmark = pytest.mark.postern


def _no_trace(text: str):
    for bad in ("Traceback", "Fatal error", "Stack dump", "backtrace", "SIGSEGV", "Illegal instruction"):
        assert bad not in text, text


def test_help():
    r = run_cli("--help")
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    assert "serve" in out and "user" in out, out


def test_user_help():
    r = run_cli("user", "--help")
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    for sub in ("add", "passwd", "delete", "list"):
        assert sub in out, out


@pytest.mark.parametrize("args", [["frobnicate"], ["user", "frobnicate"], ["user", "add"],
                                  ["serve", "--no-such-option"], ["user", "add", "x", "--no-such-flag"]])
def test_usage_errors_exit_2_one_line(args):
    r = run_cli(*args, input="")
    assert r.returncode == 2, (args, r.returncode, r.stdout, r.stderr)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, f"expected a one-line error, got {r.stderr!r}"
    _no_trace(r.stdout + r.stderr)


def test_user_add_list_delete(tmp_path):
    d = str(tmp_path)
    r = run_cli("user", "add", "carol", "--password-stdin", "--data-dir", d, input="carol-pw\n")
    assert r.returncode == 0, r.stderr
    r = run_cli("user", "add", "dave", "--password-stdin", "--data-dir", d, input="dave-pw\n")
    assert r.returncode == 0, r.stderr
    r = run_cli("user", "list", "--data-dir", d)
    assert r.returncode == 0, r.stderr
    names = r.stdout.split()
    assert "carol" in names and "dave" in names, r.stdout
    r = run_cli("user", "delete", "dave", "--data-dir", d)
    assert r.returncode == 0, r.stderr
    assert "dave" not in run_cli("user", "list", "--data-dir", d).stdout.split()


def test_user_add_twice_clear_error(tmp_path):
    d = str(tmp_path)
    assert run_cli("user", "add", "erin", "--password-stdin", "--data-dir", d, input="pw1\n").returncode == 0
    r = run_cli("user", "add", "erin", "--password-stdin", "--data-dir", d, input="pw2\n")
    assert r.returncode != 0
    assert "exist" in r.stderr.lower(), r.stderr
    _no_trace(r.stdout + r.stderr)


def test_user_delete_unknown(tmp_path):
    r = run_cli("user", "delete", "nobody-here", "--data-dir", str(tmp_path))
    assert r.returncode == 2
    assert r.stderr.strip() == "postern: no account named 'nobody-here'", r.stderr
    _no_trace(r.stderr)


@pytest.mark.parametrize("name", ["../evil", "a/b", "", " ", "x\ty", "..", "~root"])
def test_user_add_rejects_unsafe_names(tmp_path, name):
    r = run_cli("user", "add", name, "--password-stdin", "--data-dir", str(tmp_path), input="pw\n")
    assert r.returncode == 2, f"user name {name!r}: {r.returncode} {r.stderr}"
    assert r.stderr.startswith(f"postern: invalid account name '{name}'"), r.stderr
    listed = run_cli("user", "list", "--data-dir", str(tmp_path)).stdout.splitlines()
    assert name not in listed
    _no_trace(r.stderr)


def test_user_add_generated_password(server):
    r = run_cli("user", "add", "gen-user", "--data-dir", str(server.data_dir))
    assert r.returncode == 0, r.stderr
    m = re.search(r"^password: (\S+)\s*$", r.stdout, re.M)
    assert m, r.stdout
    imap = server.imaps("gen-user", m.group(1))
    typ, _ = imap.select("INBOX")
    assert typ == "OK"
    imap.logout()


def test_user_add_while_running(server):
    r = run_cli("user", "add", "live-user", "--password-stdin", "--data-dir", str(server.data_dir),
                input="live-pw-1\n")
    assert r.returncode == 0, r.stderr
    server.imaps("live-user", "live-pw-1").logout()


def test_user_passwd_while_running(server):
    d = str(server.data_dir)
    assert run_cli("user", "add", "pw-user", "--password-stdin", "--data-dir", d, input="old-pw\n").returncode == 0
    server.imaps("pw-user", "old-pw").logout()
    r = run_cli("user", "passwd", "pw-user", "--password-stdin", "--data-dir", d, input="new-pw\n")
    assert r.returncode == 0, r.stderr
    server.imaps("pw-user", "new-pw").logout()
    with pytest.raises(imaplib.IMAP4.error):
        server.imaps("pw-user", "old-pw")


def test_user_delete_while_running(server):
    d = str(server.data_dir)
    assert run_cli("user", "add", "del-user", "--password-stdin", "--data-dir", d, input="del-pw\n").returncode == 0
    server.imaps("del-user", "del-pw").logout()
    assert run_cli("user", "delete", "del-user", "--data-dir", d).returncode == 0
    with pytest.raises(imaplib.IMAP4.error):
        server.imaps("del-user", "del-pw")


# ----------------------------------------------------------------- first start


@pytest.fixture(scope="module")
def fresh():
    tmp = tempfile.TemporaryDirectory(prefix="postern-first-")
    d = Path(tmp.name) / "data"
    d.mkdir()
    p = PosternProcess(d)
    try:
        ports = p.wait_ready()
        yield p, ports
    finally:
        p.stop()
        tmp.cleanup()


def _first_start_info(p):
    out = "\n".join(p.stdout)
    user = re.search(r"^\s+user:\s+(\S+)\s*$", out, re.M)
    pw = re.search(r"^\s+password:\s+(\S+)\s*$", out, re.M)
    fp = re.search(r"^fingerprint: SHA256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\s*$", out, re.M)
    assert user and pw and fp, "first-start output lacks user/password/fingerprint lines:\n" + p.output()
    return user.group(1), pw.group(1), fp.group(1)


def test_first_start_prints_account_and_fingerprint(fresh):
    p, ports = fresh
    user, pw, fp = _first_start_info(p)
    assert user == "postmaster"
    assert len(pw) >= 12, "generated password is too short"
    assert set(ports) == {"imaps", "imap", "managesieve"}
    lines = [l.strip() for l in p.stdout]
    assert lines.index("ready") > max(i for i, l in enumerate(lines) if l.startswith("listening:"))


def test_first_start_fingerprint_matches_cert(fresh):
    p, ports = fresh
    _, _, fp = _first_start_info(p)
    pem = (p.data_dir / "tls" / "cert.pem").read_text()
    der = ssl.PEM_cert_to_DER_cert(pem)
    want = ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
    assert fp == want
    # and it is the certificate actually served
    served = ssl.get_server_certificate(("127.0.0.1", ports["imaps"]))
    assert ssl.PEM_cert_to_DER_cert(served) == der


def test_certificate_properties(fresh):
    p, _ = fresh
    cert = p.data_dir / "tls" / "cert.pem"
    r = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-text"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "id-ecPublicKey" in r.stdout, "expected an ECDSA key"
    san = r.stdout.split("Subject Alternative Name", 1)[1].split("\n", 2)[1]
    for want in ("DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1"):
        assert want in san, san


def test_private_key_not_world_readable(fresh):
    p, _ = fresh
    key = p.data_dir / "tls" / "key.pem"
    assert key.is_file()
    assert key.stat().st_mode & 0o077 == 0, oct(key.stat().st_mode)


def test_postmaster_welcome_message(fresh):
    p, ports = fresh
    user, pw, _ = _first_start_info(p)
    ctx = ssl.create_default_context(cafile=str(p.data_dir / "tls" / "cert.pem"))
    m = imaplib.IMAP4_SSL("127.0.0.1", ports["imaps"], ssl_context=ctx, timeout=20)
    m.login(user, pw)
    assert select(m, "INBOX") == 1
    r = fetch(m, "1", "(UID BODY.PEEK[])")[1]
    assert r[b"UID"] == 1
    msg = r[b"BODY[]"]
    assert b"Subject:" in msg and b"\r\n\r\n" in msg
    assert b"imap" in msg.lower()
    m.logout()
    listed = run_cli("user", "list", "--data-dir", str(p.data_dir)).stdout.split()
    assert "postmaster" in listed


def test_restart_keeps_cert_and_prints_no_password(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    p1 = PosternProcess(d)
    try:
        p1.wait_ready()
    finally:
        assert p1.stop(signal.SIGTERM) == 0, "SIGTERM must stop the server cleanly (exit 0)\n" + p1.output()
    cert1 = (d / "tls" / "cert.pem").read_bytes()
    p2 = PosternProcess(d, imap="off")
    try:
        ports = p2.wait_ready()
        assert "imaps" in ports and "imap" not in ports, f"--imap off must disable the cleartext listener: {ports}"
        assert not any(re.match(r"^\s+password:", l) for l in p2.stdout), p2.output()
        assert (d / "tls" / "cert.pem").read_bytes() == cert1
    finally:
        assert p2.stop(signal.SIGINT) == 0, "SIGINT must stop the server cleanly (exit 0)\n" + p2.output()
    assert p2.proc.poll() is not None


def _serve_output(p) -> str:
    return "\n".join(p.stdout)


def _password_lines(p) -> list[str]:
    return [l for l in p.stdout if re.match(r"^\s+password:", l)]


def _login_and_count_inbox(p, ports, user, password) -> int:
    ctx = ssl.create_default_context(cafile=str(p.data_dir / "tls" / "cert.pem"))
    m = imaplib.IMAP4_SSL("127.0.0.1", ports["imaps"], ssl_context=ctx, timeout=20)
    try:
        m.login(user, password)
        return select(m, "INBOX")
    finally:
        m.logout()


def test_accounts_made_before_the_first_start_get_no_postmaster(tmp_path):
    d = tmp_path / "data"
    r = run_cli("user", "add", "alice", "--password-stdin", "--data-dir", str(d), input="alice-pw\n")
    assert r.returncode == 0, r.stderr
    p = PosternProcess(d)
    try:
        ports = p.wait_ready()
        out = _serve_output(p)
        assert not _password_lines(p), out
        assert "Accounts already exist (1: alice): no postmaster account was made." in out, out
        assert f"TLS: self-signed certificate made for this data folder: {d / 'tls' / 'cert.pem'}" in out, out
        assert _login_and_count_inbox(p, ports, "alice", "alice-pw") == 0, "no welcome message"
    finally:
        assert p.stop() == 0, p.output()
    assert run_cli("user", "list", "--data-dir", str(d)).stdout.split() == ["alice"]
    # The first start is done: the next start says nothing about accounts.
    p = PosternProcess(d)
    try:
        p.wait_ready()
        assert "Accounts already exist" not in _serve_output(p) and not _password_lines(p), p.output()
    finally:
        p.stop()


def test_postmaster_made_by_hand_is_not_touched(tmp_path):
    d = tmp_path / "data"
    r = run_cli("user", "add", "postmaster", "--password-stdin", "--data-dir", str(d), input="by-hand-pw\n")
    assert r.returncode == 0, r.stderr
    p = PosternProcess(d)
    try:
        ports = p.wait_ready()
        assert not _password_lines(p), p.output()
        assert "Accounts already exist (1: postmaster)" in _serve_output(p), p.output()
        assert _login_and_count_inbox(p, ports, "postmaster", "by-hand-pw") == 0
    finally:
        p.stop()


def test_first_start_that_failed_after_making_postmaster_is_done_again(tmp_path):
    """The postmaster account is committed but the welcome message cannot be written (the staging
    folder is a file here), so serve fails before it prints a password. The next start sets a new
    password and prints it with the certificate line, and adds the welcome message."""
    d = tmp_path / "data"
    d.mkdir()
    (d / "tmp").write_bytes(b"not a folder")
    p = PosternProcess(d)
    with pytest.raises(RuntimeError, match="exited with 1 before 'ready'"):
        p.wait_ready()
    assert p.stop() == 1
    assert any("cannot create the first account" in l for l in p.stderr), p.output()
    assert not _password_lines(p), p.output()
    assert run_cli("user", "list", "--data-dir", str(d)).stdout.split() == ["postmaster"]
    assert not (d / ".first-start-done").exists()

    (d / "tmp").unlink()
    p = PosternProcess(d)
    try:
        ports = p.wait_ready()
        out = _serve_output(p)
        assert "an earlier first start did not finish" in out, out
        assert f"TLS: self-signed certificate made for this data folder: {d / 'tls' / 'cert.pem'}" in out, out
        user, pw, _ = _first_start_info(p)
        assert user == "postmaster"
        assert _login_and_count_inbox(p, ports, user, pw) == 1, "the welcome message"
    finally:
        assert p.stop() == 0, p.output()
    assert (d / ".first-start-done").exists()
    p = PosternProcess(d)
    try:
        ports = p.wait_ready()
        assert not _password_lines(p), p.output()
        assert _login_and_count_inbox(p, ports, user, pw) == 1
    finally:
        p.stop()


def test_first_start_killed_after_ready_is_not_done_again(tmp_path):
    """`ready` comes after the first start is recorded: a server killed then keeps its postmaster
    password. Without the record (removed here) a later start finds the account and changes nothing."""
    d = tmp_path / "data"
    d.mkdir()
    p = PosternProcess(d)
    p.wait_ready()
    user, pw, _ = _first_start_info(p)
    p.proc.kill()
    p.proc.wait(10)

    p = PosternProcess(d)
    try:
        ports = p.wait_ready()
        assert not _password_lines(p) and "data folder" not in _serve_output(p), p.output()
        assert _login_and_count_inbox(p, ports, user, pw) == 1
    finally:
        p.stop()

    (d / ".first-start-done").unlink()
    p = PosternProcess(d)
    try:
        ports = p.wait_ready()
        assert not _password_lines(p), p.output()
        assert "Accounts already exist (1: postmaster)" in _serve_output(p), p.output()
        assert _login_and_count_inbox(p, ports, user, pw) == 1
    finally:
        p.stop()


def _expect_bye_and_close(c, within: float) -> bytes:
    """Reads until the server closes; returns everything it sent meanwhile."""
    got = b""
    deadline = time.monotonic() + within
    while True:
        try:
            got += c.read_line(timeout=max(0.05, deadline - time.monotonic())).raw
        except ConnectionClosed:
            return got
        except TimeoutError:
            raise AssertionError(f"the session was not ended within {within} s; it sent {got!r}") from None


def test_user_delete_ends_the_accounts_live_sessions(server):
    """`postern user delete` while the server runs: every session logged in as that account (idle
    between commands, and in IDLE) gets BYE and is closed; other accounts' sessions go on."""
    add_user(server.data_dir, "frank", "frank-pw 1")
    idle = server.raw(login=True, user="frank", password="frank-pw 1")
    quiet = server.raw(login=True, user="frank", password="frank-pw 1")
    other = server.raw(login=True)
    try:
        assert idle.command("s1 SELECT INBOX").status == "OK"
        idle.sendline("i1 IDLE")
        assert idle.read_line().raw.startswith(b"+"), "IDLE was not accepted"
        r = run_cli("user", "delete", "frank", "--data-dir", str(server.data_dir))
        assert r.returncode == 0, r.stderr
        # The server looks for deletions made by another process once a second.
        for c in (idle, quiet):
            sent = _expect_bye_and_close(c, within=10)
            assert b"* BYE" in sent, sent
        assert other.command("n1 NOOP").status == "OK"
        # The account is gone for new logins too.
        fresh = server.raw()
        try:
            r = fresh.command('L1 LOGIN frank "frank-pw 1"')
            assert r.status == "NO" and r.code == "AUTHENTICATIONFAILED", r
        finally:
            fresh.close()
    finally:
        for c in (idle, quiet, other):
            c.close()
