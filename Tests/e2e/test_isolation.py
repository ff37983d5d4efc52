"""A user must never reach another user's mailboxes by any name."""
from __future__ import annotations

import uuid

import pytest

from helpers import append, list_names, make_message, ok, status


@pytest.fixture(scope="module")
def secret(server):
    """user (alice) owns a mailbox with a secret token; user2 (bob) attacks it."""
    token = "SECRET-" + uuid.uuid4().hex
    name = "e2e-secret-" + uuid.uuid4().hex[:6]
    m = server.imaps()
    ok(m.create(name))
    append(m, name, make_message("top secret", body=token + "\r\n"))
    append(m, "INBOX", make_message("secret inbox", body=token + "\r\n"))
    m.logout()
    return {"name": name, "token": token}


def attack_names(server, secret):
    u, s = server.user, secret["name"]
    return [
        f"../{u}/{s}", f"../{u}/INBOX", f"../../{u}/INBOX", f"~{u}/{s}", f"~{u}/INBOX", f"{u}/{s}",
        f"{u}/INBOX", f"/{u}/{s}", f"#user/{u}/{s}", f"Other Users/{u}/{s}", f"shared/{u}/{s}",
        f"INBOX/../../{u}/INBOX", f"INBOX/../{s}", "..", ".", "../", "/", f"%2e%2e/{u}/{s}",
        f"..\\{u}\\{s}", f"./../{u}/{s}", "%", "*", f"{u}%", f"~{u}",
    ]


def _assert_refused_or_own(r, what):
    assert r.status in ("NO", "BAD") or r.bye(), f"{what} must be refused: {r}"


@pytest.fixture
def bob(server):
    c = server.raw(login=True, user=server.user2, password=server.password2)
    yield c
    c.close()


def test_bob_cannot_select_alice_boxes(server, secret, bob):
    # The same commands work on bob's own mailbox: a refusal below is about the name.
    for cmd in ("SELECT", "EXAMINE"):
        assert bob.command(f"own {cmd} INBOX").status == "OK"
    for i, name in enumerate(attack_names(server, secret)):
        for cmd in ("SELECT", "EXAMINE"):
            r = bob.command_with_literal(f"s{i}", cmd, name.encode())
            _assert_refused_or_own(r, f"{cmd} {name!r}")
            assert all(secret["token"] not in t for t in r.texts())


def test_bob_cannot_status_alice_boxes(server, secret, bob):
    assert bob.command("own STATUS INBOX (MESSAGES UNSEEN)").status == "OK"
    for i, name in enumerate(attack_names(server, secret)):
        r = bob.command_with_literal(f"t{i}", "STATUS", name.encode(), " (MESSAGES UNSEEN)")
        _assert_refused_or_own(r, f"STATUS {name!r}")


def test_bob_append_and_copy_confined(server, secret, bob):
    alice = server.imaps()
    before = status(alice, secret["name"])["MESSAGES"]
    before_inbox = status(alice, "INBOX")["MESSAGES"]
    alice.logout()
    ok_names = []
    for i, name in enumerate(attack_names(server, secret)):
        msg = make_message("planted by bob")
        bob.sendline(f"p{i} APPEND {{{len(name.encode())}}}")
        r = bob.read_until_tagged(f"p{i}", stop_at_continuation=True)
        assert r.continuation is not None, r
        bob.send(name.encode() + f" {{{len(msg)}}}\r\n".encode())
        r = bob.read_until_tagged(f"p{i}", stop_at_continuation=True)
        if r.continuation is not None:
            bob.send(msg + b"\r\n")
            r = bob.read_until_tagged(f"p{i}")
        if r.status == "OK":
            ok_names.append(name)
    # COPY from bob's own mailbox
    own = "e2e-bobown-" + uuid.uuid4().hex[:6]
    assert bob.command(f"c0 CREATE {own}").status == "OK"
    assert bob.command_with_literal("c1", f"APPEND {own}", make_message("bob's own")).status == "OK"
    assert bob.command(f"c2 SELECT {own}").status == "OK"
    for i, name in enumerate(attack_names(server, secret)):
        r = bob.command_with_literal(f"k{i}", "COPY 1", name.encode())
        if r.status == "OK":
            ok_names.append(name)
    alice = server.imaps()
    assert status(alice, secret["name"])["MESSAGES"] == before, "bob wrote into alice's mailbox"
    assert status(alice, "INBOX")["MESSAGES"] == before_inbox, "bob wrote into alice's INBOX"
    alice.logout()
    # anything accepted must have landed in bob's own tree
    if ok_names:
        bob2 = server.imaps(server.user2, server.password2)
        mine = list_names(bob2)
        bob2.logout()
        for n in ok_names:
            assert n in mine, f"APPEND/COPY to {n!r} succeeded but the mailbox is not in bob's LIST"


def test_bob_list_never_shows_alice(server, secret, bob):
    patterns = ["*", "%", "%/%", f"~{server.user}/*", f"../{server.user}/*", f"{server.user}/*", "#user/*",
                "../*", "/*", "~*", "Other Users/*", "*/*", "../../*"]
    for i, p in enumerate(patterns):
        for ref in ('""', f'"../{server.user}/"', f'"~{server.user}/"', '"/"'):
            r = bob.command(f'l{i} LIST {ref} "{p}"')
            for l in r.untagged:
                assert secret["name"] not in l.text, f"LIST {ref} {p!r} leaked {l.text}"
            assert r.status in ("OK", "NO", "BAD"), r
        r = bob.command(f'm{i} LSUB "" "{p}"')
        assert all(secret["name"] not in l.text for l in r.untagged), r


def test_bob_search_cannot_find_alice_token(server, secret, bob):
    # The token is in alice's INBOX, where her own search finds it.
    alice = server.raw(login=True)
    try:
        assert alice.command("a1 EXAMINE INBOX").status == "OK"
        r = alice.command(f"a2 SEARCH TEXT {secret['token']}")
        assert r.status == "OK" and r.untagged_of("SEARCH")[0].text.split()[2:], r
    finally:
        alice.close()
    assert bob.command("s1 SELECT INBOX").status == "OK"
    r = bob.command(f"s2 SEARCH TEXT {secret['token']}")
    assert r.status == "OK" and r.untagged_of("SEARCH")[0].text.strip() == "* SEARCH", r


@pytest.mark.parametrize("name", [b"bad\x00name", b"bad\x01name", b"bad\rname", b"bad\nname", b"tab\tname",
                                  b"del\x7fname", b"x" * 10000, b"a/" * 2000 + b"deep"])
def test_bad_mailbox_names(server, secret, bob, name):
    r = bob.command_with_literal("b1", "CREATE", name)
    if r.status == "OK":
        # if accepted it must be bob's own and visible only to him
        alice = server.imaps()
        assert name.decode("latin-1") not in list_names(alice)
        alice.logout()
    else:
        assert r.status in ("NO", "BAD"), r
    for cmd, tail in (("STATUS", " (MESSAGES)"), ("DELETE", "")):
        r = bob.command_with_literal("b2", cmd, name, tail)
        assert r.status in ("OK", "NO", "BAD"), r
    assert bob.command("b3 NOOP").status == "OK", "connection must survive bad names"


def test_bob_cannot_delete_or_rename_alice_boxes(server, secret, bob):
    for i, name in enumerate(attack_names(server, secret)):
        r = bob.command_with_literal(f"d{i}", "DELETE", name.encode())
        r = bob.command_with_literal(f"r{i}", "RENAME", name.encode(), f' "e2e-stolen-{i}"')
    alice = server.imaps()
    boxes = list_names(alice)
    assert secret["name"] in boxes, "alice's mailbox vanished after bob's DELETE/RENAME attempts"
    assert status(alice, secret["name"])["MESSAGES"] >= 1
    alice.logout()
