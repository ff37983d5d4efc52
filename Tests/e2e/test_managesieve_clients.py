"""ManageSieve with real clients against a real `postern serve`: python-managesieve, sievelib, sieve-connect,
and `postern sieve` beside a running server."""
from __future__ import annotations

import os
import ssl
import subprocess
import uuid

import managesieve
import pytest
from sievelib.managesieve import Client

from conftest import ALICE, ALICE_PW, run_cli
from sievehelpers import RawSieve

pytestmark = pytest.mark.postern

SCRIPT = 'require "fileinto";\r\nif header :contains "subject" "spam" {\r\n  fileinto "Junk";\r\n}\r\n'
_default_context = ssl.create_default_context


@pytest.fixture
def trust_server_ca(server, monkeypatch):
    """The libraries build their TLS context with ssl.create_default_context() and no CA option: theirs
    trusts the server's self-signed certificate."""
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: _default_context(cafile=server.cafile))


def unique() -> str:
    return "e2e-" + uuid.uuid4().hex[:10]


def test_python_managesieve(server, trust_server_ca):
    port = server.process.ports["managesieve"]
    m = managesieve.MANAGESIEVE("127.0.0.1", port, use_tls=True, tls_verify=True, timeout=20)
    name, second = unique(), unique()
    try:
        assert m.login("", ALICE, ALICE_PW) == "OK"  # no authorization identity
        assert m.havespace(name, len(SCRIPT)) == "OK"
        assert m.putscript(name, SCRIPT) == "OK"
        assert m.setactive(name) == "OK"
        typ, scripts = m.listscripts()
        assert typ == "OK" and (name, True) in scripts
        typ, data = m.getscript(name)
        assert typ == "OK" and data == SCRIPT
        assert m.deletescript(name) == "NO", "the active script stays"
        assert m.putscript(second, "keep;") == "OK"
        assert m.setactive(second) == "OK"
        typ, scripts = m.listscripts()
        assert (second, True) in scripts and (name, False) in scripts, "one active script"
        assert m.deletescript(name) == "OK"
        assert m.setactive("") == "OK"
        assert m.deletescript(second) == "OK"
        assert m.getscript(second)[0] == "NO"
    finally:
        m.logout()


def test_sievelib(server, trust_server_ca):
    c = Client("127.0.0.1", server.process.ports["managesieve"])
    name = unique()
    assert c.connect(ALICE, ALICE_PW, starttls=True, authmech="PLAIN")
    try:
        assert c.get_implementation() == "Postern"
        assert c.havespace(name, 100)
        assert c.checkscript(SCRIPT)
        assert c.putscript(name, SCRIPT)
        assert c.setactive(name)
        active, others = c.listscripts()
        assert active == name
        assert c.getscript(name).splitlines() == SCRIPT.splitlines()
        assert c.renamescript(name, name + "-2")
        assert not c.deletescript(name + "-2")
        assert c.setactive("")
        assert c.deletescript(name + "-2")
    finally:
        c.logout()


def test_sievelib_wrong_password(server, trust_server_ca):
    c = Client("127.0.0.1", server.process.ports["managesieve"])
    assert not c.connect(ALICE, "not the password", starttls=True, authmech="PLAIN")


def sieve_connect(server, *args: str, password: str = ALICE_PW, cwd=None) -> subprocess.CompletedProcess:
    r, w = os.pipe()
    os.write(w, (password + "\n").encode())
    os.close(w)
    try:
        return subprocess.run(
            ["sieve-connect", "--server", "127.0.0.1", "--port", str(server.process.ports["managesieve"]),
             "--user", ALICE, "--passwordfd", str(r), "--notlsverify", *args],
            pass_fds=(r,), capture_output=True, text=True, timeout=60, cwd=cwd)
    finally:
        os.close(r)


def test_sieve_connect(server, tmp_path):
    name = unique()
    local = tmp_path / "filter.sieve"
    local.write_text(SCRIPT)
    r = sieve_connect(server, "--upload", "--localsieve", str(local), "--remotesieve", name)
    assert r.returncode == 0, r.stderr
    r = sieve_connect(server, "--activate", "--remotesieve", name)
    assert r.returncode == 0, r.stderr
    r = sieve_connect(server, "--list")
    assert r.returncode == 0 and f'"{name}" ACTIVE' in r.stdout, (r.stdout, r.stderr)
    back = tmp_path / "back.sieve"
    r = sieve_connect(server, "--download", "--remotesieve", name, "--localsieve", str(back))
    assert r.returncode == 0, r.stderr
    assert back.read_bytes().replace(b"\r\n", b"\n") == SCRIPT.encode().replace(b"\r\n", b"\n")
    r = sieve_connect(server, "--delete", "--remotesieve", name)
    assert r.returncode != 0, "the active script cannot be deleted"
    r = sieve_connect(server, "--deactivate")
    assert r.returncode == 0, r.stderr
    r = sieve_connect(server, "--delete", "--remotesieve", name)
    assert r.returncode == 0, r.stderr
    r = sieve_connect(server, "--list")
    assert name not in r.stdout


def test_sieve_connect_wrong_password(server):
    r = sieve_connect(server, "--list", password="wrong password")
    assert r.returncode != 0


def test_cli_and_server_see_the_same_scripts(server, tmp_path):
    data = str(server.data_dir)
    name = unique()
    local = tmp_path / "s.sieve"
    local.write_text(SCRIPT)
    r = run_cli("sieve", "put", ALICE, name, str(local), "--activate", "--data-dir", data)
    assert r.returncode == 0, r.stderr
    c = RawSieve.connect(server.process.ports["managesieve"])
    try:
        c.starttls(server.cafile)
        assert c.login(ALICE, ALICE_PW).status == "OK"
        assert f'"{name}" ACTIVE'.encode() in c.command("LISTSCRIPTS").items
        assert c.command(f'PUTSCRIPT "{name}-2" "keep;"').status == "OK"
        r = run_cli("sieve", "list", ALICE, "--data-dir", data)
        assert f"{name}\tactive" in r.stdout.splitlines() and f"{name}-2" in r.stdout.splitlines(), r.stdout
        r = run_cli("sieve", "get", ALICE, f"{name}-2", "--data-dir", data)
        assert r.returncode == 0 and r.stdout == "keep;"
        r = run_cli("sieve", "delete", ALICE, name, "--data-dir", data)
        assert r.returncode != 0 and r.stderr.startswith("postern: ") and len(r.stderr.splitlines()) == 1
        r = run_cli("sieve", "activate", ALICE, "--none", "--data-dir", data)
        assert r.returncode == 0, r.stderr
        assert not any(i.endswith(b" ACTIVE") for i in c.command("LISTSCRIPTS").items)
        for n in (name, f"{name}-2"):
            assert run_cli("sieve", "delete", ALICE, n, "--data-dir", data).returncode == 0
        assert name not in run_cli("sieve", "list", ALICE, "--data-dir", data).stdout
    finally:
        c.close()


def test_cli_errors_are_one_line(server, tmp_path):
    data = str(server.data_dir)
    bad = tmp_path / "bad.sieve"
    bad.write_bytes(b"\xff\xfe")
    cases = [
        ("sieve", "put", "nobody", "x", str(bad)),
        ("sieve", "put", ALICE, "x", str(tmp_path / "missing")),
        ("sieve", "put", ALICE, "x", str(bad)),
        ("sieve", "put", ALICE, "a/b", str(bad)),
        ("sieve", "get", ALICE, "no-such-script"),
        ("sieve", "activate", ALICE, "no-such-script"),
        ("sieve", "activate", ALICE),
        ("sieve", "list", "nobody"),
    ]
    for args in cases:
        r = run_cli(*args, "--data-dir", data)
        assert r.returncode != 0, args
        assert r.stderr.startswith("postern: ") and "Traceback" not in r.stderr and "Fatal" not in r.stderr, (
            args, r.stderr)
