"""Log output (Postern only): `log_format = "json"` writes one JSON object per line with the fixed
fields (time, level, subsystem, session, client, account after login, command, duration_ms, result),
`[log.levels]` sets a subsystem's level, and at debug level no line carries a password, a bearer token
or a byte of message content, whatever the protocol (IMAP LOGIN and AUTHENTICATE PLAIN, OAUTHBEARER,
APPEND, LMTP, ManageSieve)."""
from __future__ import annotations

import base64
import json
import time

import pytest

from conftest import PosternProcess, add_user
from lmtphelpers import greeted, session
from rawimap import RawIMAP
from sievehelpers import RawSieve
from test_oauth import AUDIENCE, ISSUER, RSA_KEY, jwk, oauthbearer, token, write_jwks

pytestmark = pytest.mark.postern

USER = "alice@example.test"
PASSWORD = "pw-Secret-7f3a9c"
APP_BODY = "body-Secret-51d2e8"
LMTP_BODY = "lmtp-Secret-0b77c4"
SUBJECT = "subject-Secret-9e14aa"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def wait_for(p: PosternProcess, predicate, timeout: float = 10) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        with p._cond:
            lines = list(p.stderr)
        if predicate(lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def test_json_logs_at_debug_level_hold_no_secret(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, USER, PASSWORD)
    add_user(data, "carol", PASSWORD)
    jwks = tmp_path / "jwks.json"
    write_jwks(jwks, [jwk(RSA_KEY, "rsa1")])
    config = tmp_path / "postern.toml"
    config.write_text('log_format = "json"\nlog_level = "debug"\n[log.levels]\nadmin = "warning"\n')
    p = PosternProcess(data, ["--config", str(config), "--oauth-jwks-file", str(jwks), "--oauth-issuer", ISSUER,
                              "--oauth-audience", AUDIENCE])
    bearer = token(email=USER)
    try:
        p.wait_ready()
        cafile = str(data / "tls" / "cert.pem")
        with RawIMAP.connect_tls("127.0.0.1", p.ports["imaps"], cafile=cafile) as c:
            assert c.command(f"l0 LOGIN {USER} wrong-{PASSWORD}").status == "NO"
            c.login(USER, PASSWORD)
            message = f"Subject: {SUBJECT}\r\n\r\n{APP_BODY}\r\n".encode()
            assert c.command_with_literal("a1", "APPEND INBOX", message).status == "OK"
            assert c.command("s1 SELECT INBOX").status == "OK"
            assert c.command("f1 FETCH 1 (BODY[])").status == "OK"
            assert c.command("o1 LOGOUT").status == "OK"
        with RawIMAP.connect_tls("127.0.0.1", p.ports["imaps"], cafile=cafile) as c:
            assert c.command(f"p1 AUTHENTICATE PLAIN {b64(chr(0) + USER + chr(0) + PASSWORD)}").status == "OK"
        with RawIMAP.connect_tls("127.0.0.1", p.ports["imaps"], cafile=cafile) as c:
            assert c.command(f"b1 AUTHENTICATE OAUTHBEARER {oauthbearer(bearer, USER)}").status == "OK"
        with RawIMAP.connect_tls("127.0.0.1", p.ports["imaps"], cafile=cafile) as c:
            r = c.command(f"b2 AUTHENTICATE OAUTHBEARER {oauthbearer(bearer + 'x', USER)}",
                          stop_at_continuation=True)
            if r.continuation is not None:
                c.sendline("AQ==")
                r = c.read_until_tagged("b2")
            assert r.status == "NO"
        with greeted(p.lmtp_socket) as c:
            replies = session(c, "sender@example.org", ["carol@example.test"], f"Subject: x\r\n\r\n{LMTP_BODY}\r\n".encode())
            assert replies[-1][0] == 250, replies
        s = RawSieve.connect(p.ports["managesieve"])
        try:
            s.starttls(cafile)
            assert s.login(USER, PASSWORD).status == "OK"
        finally:
            s.close()
        lines = wait_for(p, lambda ls: any('"LOGOUT"' in l for l in ls))
    finally:
        p.stop()
        with p._cond:
            lines = list(p.stderr)
    assert len(lines) > 20
    records = []
    for line in lines:
        record = json.loads(line)  # every line is one JSON object
        assert {"time", "level", "subsystem", "message"} <= record.keys(), line
        records.append(record)
    secrets = [PASSWORD, b64(chr(0) + USER + chr(0) + PASSWORD), bearer, bearer.split(".")[2], APP_BODY,
               LMTP_BODY, SUBJECT]
    for line in lines:
        for secret in secrets:
            assert secret not in line, f"{secret!r} logged: {line}"
    # Debug level: command lines with their fields, from a numbered session, with the account once logged in.
    commands = [r for r in records if r.get("command")]
    assert {"LOGIN", "APPEND", "SELECT", "FETCH", "LOGOUT", "AUTHENTICATE"} <= {r["command"] for r in commands}
    append = next(r for r in commands if r["command"] == "APPEND")
    assert append["subsystem"] == "imap" and append["result"] == "OK" and append["account"] == USER
    assert isinstance(append["duration_ms"], (int, float)) and int(append["session"]) >= 1
    assert append["client"].startswith("[IPv4]127.0.0.1") or "127.0.0.1" in append["client"]
    failed_login = next(r for r in commands if r["command"] == "LOGIN" and r["result"] == "NO")
    assert "account" not in failed_login
    assert {r["subsystem"] for r in records} >= {"imap", "lmtp", "managesieve", "store", "server"}
    assert not any(r["subsystem"] == "admin" and r["level"] in ("debug", "info") for r in records)


def test_log_levels_per_subsystem_in_human_format(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, USER, PASSWORD)
    config = tmp_path / "postern.toml"
    config.write_text('log_level = "warning"\n[log.levels]\nimap = "debug"\n')
    # PosternProcess passes --log-level debug, and a flag wins over the file: the last flag sets it back.
    p = PosternProcess(data, ["--config", str(config), "--log-level", "warning"])
    try:
        p.wait_ready()
        with RawIMAP.connect_tls("127.0.0.1", p.ports["imaps"], cafile=str(data / "tls" / "cert.pem")) as c:
            c.login(USER, PASSWORD)
            assert c.command("n1 NOOP").status == "OK"
        lines = wait_for(p, lambda ls: any("command" in l and "NOOP" in l for l in ls))
    finally:
        p.stop()
    assert any(" debug imap:" in l and "command=NOOP" in l for l in lines), lines
    assert not any(l.startswith("{") for l in lines)
    # Other subsystems stay at warning: the store's and the server's info lines are not written.
    assert not any(" info store" in l or "mail store closed" in l for l in lines), lines


def test_bad_log_settings_are_refused(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    from conftest import run_cli
    for text, message in [
        ('log_format = "xml"\n', "unknown log format 'xml'"),
        ('[log.levels]\nsmtp = "debug"\n', "unknown log subsystem 'smtp'"),
        ('[log.levels]\nimap = "loud"\n', "unknown log level 'loud'"),
        ('[log]\ncolour = true\n', "unknown key 'colour' in [log]"),
    ]:
        config = tmp_path / "bad.toml"
        config.write_text(text)
        r = run_cli("serve", "--data-dir", str(data), "--config", str(config), "--imaps", "127.0.0.1:0")
        assert r.returncode != 0 and message in r.stderr, (text, r.stderr)
    r = run_cli("serve", "--data-dir", str(data), "--imaps", "127.0.0.1:0", "--log-levels", "imap")
    assert r.returncode != 0 and "expected SUBSYSTEM=LEVEL" in r.stderr
