"""ManageSieve (RFC 5804) on the wire, against a real `postern serve`: capabilities before and after TLS,
STARTTLS and implicit TLS, AUTHENTICATE, every script command, literals, quotas, errors and limits."""
from __future__ import annotations

import base64
import re
import ssl
import uuid

import pytest
import scramp

from conftest import ALICE, ALICE_PW, BOB, BOB_PW, PosternProcess, add_user
from sievehelpers import Closed, RawSieve, capabilities, literal, quoted

pytestmark = pytest.mark.postern


def sieve_port(server) -> int:
    return server.process.ports["managesieve"]


def logged_in(server, user=ALICE, password=ALICE_PW) -> RawSieve:
    c = RawSieve.connect(sieve_port(server))
    c.starttls(server.cafile)
    r = c.login(user, password)
    assert r.status == "OK", r
    return c


def unique() -> str:
    return "e2e-" + uuid.uuid4().hex[:10]


def test_capabilities_before_and_after_tls_and_login(server):
    c = RawSieve.connect(sieve_port(server))
    try:
        caps = capabilities(c.greeting.items)
        assert c.greeting.status == "OK"
        assert caps["IMPLEMENTATION"] == "Postern" and caps["VERSION"] == "1.0"
        assert "STARTTLS" in caps and "UNAUTHENTICATE" in caps and int(caps["MAXREDIRECTS"]) >= 1
        assert caps["SASL"] == "", "no mechanism is offered in clear"
        assert "OWNER" not in caps
        caps = capabilities(c.starttls(server.cafile).items)
        assert "STARTTLS" not in caps
        assert "PLAIN" in caps["SASL"].split() and "SCRAM-SHA-256" in caps["SASL"].split()
        assert c.login(ALICE, ALICE_PW).status == "OK"
        r = c.command("CAPABILITY")
        assert r.status == "OK" and capabilities(r.items)["OWNER"] == ALICE
        assert c.command("LOGOUT").status == "OK"
    finally:
        c.close()


def test_authenticate_needs_tls(server):
    c = RawSieve.connect(sieve_port(server))
    try:
        r = c.login(ALICE, ALICE_PW)
        assert r.status == "NO" and r.has_code("ENCRYPT-NEEDED"), r
        r = c.command("LISTSCRIPTS")
        assert r.status == "NO", r
    finally:
        c.close()


def test_starttls_drops_cleartext_sent_after_it(server):
    c = RawSieve.connect(sieve_port(server))
    try:
        # An attacker's command right behind STARTTLS in the same packet is never run.
        token = b"AUTHENTICATE \"PLAIN\" \"AGFsaWNlAEFsaWNlLXB3IDEheA==\"\r\n"
        c.send(b"STARTTLS\r\n" + token + b"NOOP \"injected\"\r\n")
        r = c.response()
        assert r.status == "OK", r
        c.sock = ssl.create_default_context(cafile=server.cafile).wrap_socket(c.sock, server_hostname="127.0.0.1")
        caps = c.response()
        assert caps.status == "OK" and "OWNER" not in capabilities(caps.items)
        r = c.command('NOOP "after"')
        assert r.final == b'OK (TAG "after") "Done"', r
        assert c.command("LISTSCRIPTS").status == "NO", "not logged in"
        assert c.command("STARTTLS").status == "NO", "TLS is already active"
    finally:
        c.close()


def test_wrong_password_and_unknown_mechanism(server):
    c = RawSieve.connect(sieve_port(server))
    try:
        c.starttls(server.cafile)
        r = c.login(ALICE, "wrong")
        assert r.status == "NO" and b"Authentication failed" in r.final, r
        assert c.command('AUTHENTICATE "NOPE"').status == "NO"
        assert c.command('AUTHENTICATE "PLAIN" "%%%"').status == "NO"
        assert c.command("LISTSCRIPTS").status == "NO"
        assert c.login(ALICE, ALICE_PW).status == "OK"
        assert c.login(ALICE, ALICE_PW).status == "NO", "already authenticated"
    finally:
        c.close()


def test_authenticate_with_a_challenge_and_cancel(server):
    c = RawSieve.connect(sieve_port(server))
    try:
        c.starttls(server.cafile)
        c.send(b'AUTHENTICATE "PLAIN"\r\n')
        assert c.item() == b'""', "an empty challenge"
        assert c.command('"*"').status == "NO"
        c.send(b'AUTHENTICATE "PLAIN"\r\n')
        assert c.item() == b'""'
        answer = base64.b64encode(f"\0{ALICE}\0{ALICE_PW}".encode())
        r = c.command(literal(answer))
        assert r.status == "OK", r
    finally:
        c.close()


def test_scram_sha_256_logs_in(server):
    c = RawSieve.connect(sieve_port(server))
    try:
        c.starttls(server.cafile)
        client = scramp.ScramClient(["SCRAM-SHA-256"], ALICE, ALICE_PW)
        first = base64.b64encode(client.get_client_first().encode()).decode()
        c.send(f'AUTHENTICATE "SCRAM-SHA-256" "{first}"\r\n'.encode())
        challenge = c.item()
        client.set_server_first(base64.b64decode(challenge.strip(b'"')).decode())
        final = base64.b64encode(client.get_client_final().encode()).decode()
        r = c.command(f'"{final}"')
        assert r.status == "OK" and r.has_code("SASL"), r
        server_final = r.final.split(b'"')[1]
        client.set_server_final(base64.b64decode(server_final).decode())
        assert c.command("LISTSCRIPTS").status == "OK"
    finally:
        c.close()


def test_every_script_command(server):
    c = logged_in(server)
    name, other = unique(), unique()
    try:
        script = b'require "fileinto";\r\nif header :contains "subject" "x" { fileinto "Junk"; }\r\n'
        assert c.command(f'HAVESPACE {quoted(name)} {len(script)}').status == "OK"
        r = c.command(f"PUTSCRIPT {quoted(name)} ".encode() + literal(script))
        assert r.status == "OK", r
        # A synchronizing literal is taken as well: ManageSieve has no continuation request.
        r = c.command(f"PUTSCRIPT {quoted(other)} ".encode() + b"{5}\r\nkeep;")
        assert r.status == "OK", r
        r = c.command("LISTSCRIPTS")
        assert r.status == "OK" and quoted(name).encode() in r.items and quoted(other).encode() in r.items
        assert c.command(f"SETACTIVE {quoted(name)}").status == "OK"
        assert quoted(name).encode() + b" ACTIVE" in c.command("LISTSCRIPTS").items
        r = c.command(f"GETSCRIPT {quoted(name)}")
        assert r.status == "OK" and r.items == [script], r
        r = c.command(f"DELETESCRIPT {quoted(name)}")
        assert r.status == "NO" and r.has_code("ACTIVE"), r
        r = c.command(f"RENAMESCRIPT {quoted(name)} {quoted(other)}")
        assert r.status == "NO" and r.has_code("ALREADYEXISTS"), r
        renamed = unique()
        assert c.command(f"RENAMESCRIPT {quoted(name)} {quoted(renamed)}").status == "OK"
        assert quoted(renamed).encode() + b" ACTIVE" in c.command("LISTSCRIPTS").items, "still active"
        for command in (f"GETSCRIPT {quoted(name)}", f"DELETESCRIPT {quoted(name)}", f"SETACTIVE {quoted(name)}",
                        f"RENAMESCRIPT {quoted(name)} {quoted(unique())}"):
            r = c.command(command)
            assert r.status == "NO" and r.has_code("NONEXISTENT"), (command, r)
        assert c.command('SETACTIVE ""').status == "OK"
        assert not any(i.endswith(b" ACTIVE") for i in c.command("LISTSCRIPTS").items)
        assert c.command(f"DELETESCRIPT {quoted(renamed)}").status == "OK"
        assert c.command(f"DELETESCRIPT {quoted(other)}").status == "OK"
        r = c.command("CHECKSCRIPT " + quoted("keep;"))
        assert r.status == "OK", r
        r = c.command('PUTSCRIPT "a/b" "keep;"')
        assert r.status == "NO" and b"name" in r.final, r
        assert c.command('NOOP "t1"').final == b'OK (TAG "t1") "Done"'
        assert c.command("NOOP").status == "OK"
    finally:
        c.close()


def test_scripts_belong_to_one_account(server):
    a = logged_in(server)
    b = logged_in(server, BOB, BOB_PW)
    name = unique()
    try:
        assert a.command(f'PUTSCRIPT {quoted(name)} "keep;"').status == "OK"
        assert quoted(name).encode() not in b.command("LISTSCRIPTS").items
        assert b.command(f"GETSCRIPT {quoted(name)}").has_code("NONEXISTENT")
        assert b.command(f"DELETESCRIPT {quoted(name)}").has_code("NONEXISTENT")
        assert a.command(f"DELETESCRIPT {quoted(name)}").status == "OK"
    finally:
        a.close()
        b.close()


def test_unauthenticate_returns_to_the_start(server):
    c = logged_in(server)
    try:
        assert c.command("UNAUTHENTICATE").status == "OK"
        assert c.command("LISTSCRIPTS").status == "NO"
        assert c.command("UNAUTHENTICATE").status == "NO"
        assert c.login(BOB, BOB_PW).status == "OK"
        r = c.command("CAPABILITY")
        assert capabilities(r.items)["OWNER"] == BOB
    finally:
        c.close()


def test_malformed_commands_are_refused_and_the_connection_stays_in_step(server):
    c = logged_in(server)
    try:
        for bad in ("FROB", "LISTSCRIPTS extra", 'GETSCRIPT', "HAVESPACE \"x\" 99999999999", "(", '"unterminated',
                    'NOOP "a\\q"'):
            r = c.command(bad)
            assert r.status == "NO", (bad, r)
        # A skipped line's literal is skipped with it.
        r = c.command(b"FROB (x) " + literal(b"LOGOUT\r\n"))
        assert r.status == "NO", r
        assert c.command("NOOP").status == "OK"
    finally:
        c.close()


def test_too_large_literal_is_refused_without_losing_step(server):
    c = logged_in(server)
    name = unique()
    try:
        big = b"#" * (64 * 1024 + 1)
        r = c.command(f"PUTSCRIPT {quoted(name)} ".encode() + literal(big))
        assert r.status == "NO" and r.has_code("QUOTA/MAXSIZE"), r
        r = c.command(f"HAVESPACE {quoted(name)} {len(big)}")
        assert r.status == "NO" and r.has_code("QUOTA/MAXSIZE"), r
        assert c.command("NOOP").status == "OK"
        assert c.command(f"GETSCRIPT {quoted(name)}").has_code("NONEXISTENT")
    finally:
        c.close()


def test_line_too_long_ends_the_connection(server):
    c = RawSieve.connect(sieve_port(server))
    try:
        c.send(b"NOOP " + b"A" * 10_000 + b"\r\n")
        r = c.response()
        assert r.status == "BYE", r
        with pytest.raises((Closed, ConnectionError)):
            c.command("NOOP")
    finally:
        c.close()


@pytest.fixture
def quota_server(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    config = tmp_path / "postern.toml"
    config.write_text('sieve_max_script_size = 100\nsieve_max_scripts = 2\nmanagesieve_tls = "127.0.0.1:0"\n')
    p = PosternProcess(data, ["--config", str(config)])
    try:
        ports = p.wait_ready()
        yield p, ports, str(data / "tls" / "cert.pem")
    finally:
        p.stop()


def test_quotas(quota_server):
    p, ports, cafile = quota_server
    c = RawSieve.connect(ports["managesieve"])
    try:
        c.starttls(cafile)
        assert c.login(ALICE, ALICE_PW).status == "OK"
        assert c.command('HAVESPACE "a" 100').status == "OK"
        r = c.command('HAVESPACE "a" 101')
        assert r.status == "NO" and r.has_code("QUOTA/MAXSIZE"), r
        r = c.command(b'PUTSCRIPT "a" ' + literal(b"#" * 101))
        assert r.status == "NO" and r.has_code("QUOTA/MAXSIZE"), r
        assert c.command(b'PUTSCRIPT "a" ' + literal(b"#" * 100)).status == "OK"
        assert c.command('PUTSCRIPT "b" "keep;"').status == "OK"
        r = c.command('HAVESPACE "c" 1')
        assert r.status == "NO" and r.has_code("QUOTA/MAXSCRIPTS"), r
        r = c.command('PUTSCRIPT "c" "keep;"')
        assert r.status == "NO" and r.has_code("QUOTA/MAXSCRIPTS"), r
        assert c.command('PUTSCRIPT "b" "stop;"').status == "OK", "replacing is not a new script"
        assert c.command('HAVESPACE "b" 5').status == "OK"
    finally:
        c.close()


def test_implicit_tls_listener(quota_server):
    p, ports, cafile = quota_server
    c = RawSieve.connect(ports["managesieve-tls"], tls_cafile=cafile)
    try:
        caps = capabilities(c.greeting.items)
        assert "STARTTLS" not in caps and "PLAIN" in caps["SASL"]
        assert c.login(ALICE, ALICE_PW).status == "OK"
        assert c.command("LISTSCRIPTS").status == "OK"
    finally:
        c.close()


def test_shutdown_says_bye(quota_server):
    p, ports, cafile = quota_server
    c = RawSieve.connect(ports["managesieve"])
    try:
        assert p.stop() == 0
        r = c.response()
        assert r.status == "BYE", r
    finally:
        c.close()


def test_managesieve_off(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, ALICE, ALICE_PW)
    p = PosternProcess(data, managesieve="")
    try:
        ports = p.wait_ready()
        assert "managesieve" not in ports and "imaps" in ports
    finally:
        p.stop()


def test_putscript_refuses_an_invalid_script_naming_line_and_column(server):
    c = logged_in(server)
    name = unique()
    try:
        r = c.command(f"PUTSCRIPT {quoted(name)} ".encode() + literal(b"if true {\r\n"))
        assert r.status == "NO", r
        assert re.search(rb"line [12], column \d+", r.final), r
        assert c.command(f"GETSCRIPT {quoted(name)}").has_code("NONEXISTENT"), "nothing stored"
    finally:
        c.close()


def test_checkscript_refuses_an_invalid_script(server):
    c = logged_in(server)
    try:
        r = c.command(b"CHECKSCRIPT " + literal(b"keep;\r\nif true {\r\n"))
        assert r.status == "NO" and re.search(rb"line [23], column \d+", r.final), r
    finally:
        c.close()


def test_too_many_errors_in_a_row_end_the_connection(server):
    c = RawSieve.connect(sieve_port(server))
    try:
        c.send(b"FROB\r\n" * 19 + b"NOOP\r\n" + b"FROB\r\n" * 19)
        for _ in range(19):
            assert c.response().status == "NO"
        assert c.response().status == "OK", "a good command resets the count"
        for _ in range(19):
            assert c.response().status == "NO"
        c.send(b"FROB\r\n")
        assert c.response().status == "NO"
        r = c.response()
        assert r.status == "BYE" and b"Too many errors" in r.final, r
        with pytest.raises((Closed, ConnectionError)):
            c.command("NOOP")
    finally:
        c.close()


def test_too_many_failed_logins_end_the_connection(server):
    c = RawSieve.connect(sieve_port(server))
    try:
        c.starttls(server.cafile)
        for _ in range(4):
            assert c.login(ALICE, "wrong").status == "NO"
        assert c.login(ALICE, "wrong").status == "NO"
        r = c.response()
        assert r.status == "BYE" and b"failed logins" in r.final, r
    finally:
        c.close()


def test_command_count_per_connection_is_bounded(server):
    c = RawSieve.connect(sieve_port(server), timeout=120)
    try:
        limit = 100_000
        c.send(b"NOOP\r\n" * (limit + 10))
        for _ in range(limit):
            assert c.response().status == "OK"
        r = c.response()
        assert r.status == "BYE" and b"Too many commands" in r.final, r
    finally:
        c.close()
