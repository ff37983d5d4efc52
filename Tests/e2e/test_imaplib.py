"""Python imaplib (stdlib) against the live server: IMAPS and STARTTLS."""
from __future__ import annotations

import base64
import imaplib
import socket
import ssl
import time
import warnings

import pytest
from datetime import datetime, timezone

from helpers import (append, fetch, flags_of, list_names, make_message, ok, quote, search, select,
                     split_message, status)

DATE1 = "01-Feb-2020 10:11:12 +0000"


# ----------------------------------------------------------------- connection / TLS


def test_imaps_greeting_and_capability(server):
    m = server.imaps(login=False)
    try:
        caps = set(m.capabilities)
        assert "IMAP4REV1" in caps, caps
        assert "AUTH=PLAIN" in caps, caps
        assert "STARTTLS" not in caps, "STARTTLS must not be offered on implicit TLS"
        assert "LOGINDISABLED" not in caps, caps
        assert m.sock.version() in ("TLSv1.2", "TLSv1.3")
    finally:
        m.shutdown()


def test_imaps_hostname_localhost_verifies(server):
    ctx = server.ssl_context()
    s = socket.create_connection((server.host, server.imaps_port), timeout=10)
    with ctx.wrap_socket(s, server_hostname="localhost") as t:
        assert t.recv(1024).startswith(b"* OK")


def test_imaps_rejects_tls_below_1_2(server):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    except (ValueError, ssl.SSLError) as e:  # pragma: no cover
        pytest.fail(f"local OpenSSL cannot even offer TLS 1.1: {e}")
    s = socket.create_connection((server.host, server.imaps_port), timeout=10)
    # The server's protocol_version alert: the client did offer TLS 1.1 (a client that could not
    # would fail on its own, with NO_PROTOCOLS_AVAILABLE) and the server refused it.
    with pytest.raises(ssl.SSLError, match="ALERT_PROTOCOL_VERSION"):
        with ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
            t.recv(10)
    # the server still serves
    server.imaps().logout()


def test_untrusted_client_rejects_certificate(server):
    """Sanity check of the harness: without the CA file the cert is not trusted."""
    ctx = ssl.create_default_context()
    with pytest.raises(ssl.SSLCertVerificationError):
        imaplib.IMAP4_SSL(server.host, server.imaps_port, ssl_context=ctx, timeout=10)


def test_starttls_then_login(server):
    m = imaplib.IMAP4(server.host, server.imap_port, timeout=20)
    try:
        before = set(m.capabilities)
        assert "STARTTLS" in before, before
        ok(m.starttls(ssl_context=server.ssl_context()), "STARTTLS")
        after = set(m.capabilities)
        assert "STARTTLS" not in after, after
        assert "LOGINDISABLED" not in after, after
        assert "AUTH=PLAIN" in after, after
        ok(m.login(server.user, server.password), "LOGIN after STARTTLS")
        assert m.sock.version() in ("TLSv1.2", "TLSv1.3")
        ok(m.noop())
    finally:
        m.logout()


@pytest.mark.postern
def test_cleartext_advertises_logindisabled(server):
    c = server.raw(tls=False)
    r = c.command("c1 CAPABILITY")
    caps = r.untagged_of("CAPABILITY")[0].text.upper().split()
    assert "STARTTLS" in caps and "LOGINDISABLED" in caps, caps
    assert "AUTH=PLAIN" not in caps, "no SASL mechanism may be offered before TLS"
    c.close()


@pytest.mark.postern
def test_cleartext_login_refused_privacyrequired(server):
    c = server.raw(tls=False)
    r = c.command(f'l1 LOGIN "{server.user}" "{server.password}"')
    assert r.status == "NO" and r.code == "PRIVACYREQUIRED", r
    r = c.command("l2 AUTHENTICATE PLAIN " + base64.b64encode(
        f"\0{server.user}\0{server.password}".encode()).decode())
    assert r.status == "NO" and r.code == "PRIVACYREQUIRED", r
    r = c.command("l3 SELECT INBOX")
    assert r.status == "BAD", f"still not authenticated: {r}"
    # STARTTLS is still possible afterwards and login then works
    c.starttls("l4", cafile=server.cafile)
    r = c.command(f'l5 LOGIN "{server.user}" "{server.password}"')
    assert r.status == "OK", r
    c.close()


def test_capability_after_login(imap):
    ok(imap.capability())
    caps = set(imap.capabilities)
    typ, dat = imap.capability()
    caps = set(dat[0].decode().upper().split())
    assert "IMAP4REV1" in caps
    assert "STARTTLS" not in caps


# ----------------------------------------------------------------- authentication


def test_login_bad_password_authenticationfailed(server):
    c = server.raw()
    t0 = time.monotonic()
    r = c.command(f'a1 LOGIN "{server.user}" "wrong-password"')
    elapsed = time.monotonic() - t0
    assert r.status == "NO" and r.code == "AUTHENTICATIONFAILED", r
    assert elapsed < 5, f"failed login took {elapsed:.1f}s"
    # the connection is still usable and a correct login then works
    r = c.command(f'a2 LOGIN "{server.user}" "{server.password}"')
    assert r.status == "OK", r
    c.close()


def test_login_unknown_user_same_answer(server):
    c = server.raw()
    r = c.command('a1 LOGIN "no-such-user-e2e" "whatever"')
    assert r.status == "NO" and r.code == "AUTHENTICATIONFAILED", r
    c.close()


def test_imaplib_login_error_raises(server):
    with pytest.raises(imaplib.IMAP4.error) as ei:
        server.imaps(password="definitely-wrong")
    assert "AUTHENTICATIONFAILED" in str(ei.value).upper()


def test_authenticate_plain_challenge(server):
    m = server.imaps(login=False)
    try:
        typ, _ = m.authenticate("PLAIN", lambda _: f"\0{server.user}\0{server.password}".encode())
        assert typ == "OK"
        assert m.state == "AUTH"
        ok(m.select("INBOX"))
    finally:
        m.logout()


def test_authenticate_plain_sasl_ir(server):
    c = server.raw()
    caps = c.command("a0 CAPABILITY").untagged_of("CAPABILITY")[0].text.upper().split()
    assert "SASL-IR" in caps, caps
    ir = base64.b64encode(f"\0{server.user}\0{server.password}".encode()).decode()
    r = c.command(f"a1 AUTHENTICATE PLAIN {ir}")
    assert r.status == "OK", r
    assert c.command("a2 SELECT INBOX").status == "OK"
    c.close()


def test_authenticate_plain_bad_password(server):
    c = server.raw()
    ir = base64.b64encode(f"\0{server.user}\0nope".encode()).decode()
    r = c.command(f"a1 AUTHENTICATE PLAIN {ir}")
    assert r.status == "NO" and r.code == "AUTHENTICATIONFAILED", r
    c.close()


def test_authenticate_cancel(server):
    c = server.raw()
    c.sendline("a1 AUTHENTICATE PLAIN")
    r = c.read_until_tagged("a1", stop_at_continuation=True)
    assert r.continuation is not None, r
    c.sendline("*")
    r = c.read_until_tagged("a1")
    assert r.status == "BAD", r
    assert c.command("a2 NOOP").status == "OK"
    c.close()


def test_authenticate_unknown_mechanism(server):
    c = server.raw()
    r = c.command("a1 AUTHENTICATE X-NO-SUCH-MECH")
    assert r.status in ("NO", "BAD"), r
    c.close()


def test_login_twice_is_wrong_state(raw, server):
    r = raw.command(f'x LOGIN "{server.user}" "{server.password}"')
    assert r.status == "BAD", r


@pytest.mark.parametrize("cmd", ["SELECT INBOX", "LIST \"\" *", "CREATE foo", "STATUS INBOX (MESSAGES)",
                                 "FETCH 1 FLAGS", "APPEND INBOX {1+}\r\nx"])
def test_commands_before_login_rejected(server, cmd):
    """Wrong state: BAD (or NO); a server may also give up with BYE after repeated errors."""
    c = server.raw()
    r = c.command(f"p1 {cmd}")
    assert r.status in ("BAD", "NO"), (cmd, r)
    assert c.command("p2 NOOP").status == "OK"
    c.close()


# ----------------------------------------------------------------- misc commands


def test_noop_and_logout(server):
    c = server.raw(login=True)
    assert c.command("n1 NOOP").status == "OK"
    r = c.command("n2 LOGOUT")
    assert r.bye(), r
    assert r.status == "OK", r
    assert c.expect_silence(2) == b""
    c.close()


def test_unknown_command_bad_connection_usable(raw):
    r = raw.command("u1 FROBNICATE now")
    assert r.status == "BAD", r
    assert raw.command("u2 NOOP").status == "OK"


def test_namespace(imap):
    typ, dat = imap.namespace()
    assert typ == "OK"
    text = dat[0].decode()
    assert text.startswith('(("" "/"))'), text


def test_id(imap):
    typ, dat = imap.xatom("ID", '("name" "postern-e2e" "version" "1")')
    assert typ == "OK", dat
    typ, dat = imap._untagged_response(typ, dat, "ID")
    assert dat and dat[0] is not None, "expected an untagged ID response"
    assert dat[0].startswith(b"(") or dat[0] == b"NIL", dat


def test_id_nil(raw):
    r = raw.command("i1 ID NIL")
    assert r.status == "OK" and r.untagged_of("ID"), r


@pytest.mark.postern
def test_enable_before_login_rejected(server):
    c = server.raw()
    r = c.command("p1 ENABLE IMAP4rev2")
    assert r.status == "BAD", r
    c.close()


def test_enable_unknown_extension_ignored(raw):
    r = raw.command("e1 ENABLE X-E2E-NO-SUCH-EXTENSION")
    assert r.status == "OK", r
    enabled = r.untagged_of("ENABLED")
    assert all("X-E2E" not in l.text.upper() for l in enabled), r


def test_check_requires_selection(raw, mbox):
    assert raw.command(f"k0 CREATE {mbox}").status == "OK"
    assert raw.command("k1 CHECK").status == "BAD"
    assert raw.command(f"k2 SELECT {mbox}").status == "OK"
    assert raw.command("k3 CHECK").status == "OK"


# ----------------------------------------------------------------- mailboxes


@pytest.mark.postern
def test_default_mailboxes_special_use(imap):
    boxes = list_names(imap)
    expected = {"Sent": "\\sent", "Drafts": "\\drafts", "Trash": "\\trash", "Junk": "\\junk",
                "Archive": "\\archive"}
    assert "INBOX" in boxes, boxes
    for name, attr in expected.items():
        assert name in boxes, f"{name} missing from {sorted(boxes)}"
        assert attr in boxes[name][0], f"{name} lacks {attr}: {boxes[name]}"
    assert all(d == "/" for _, d in boxes.values())


def test_list_separator_and_inbox(imap):
    typ, dat = imap.list('""', '""')
    assert typ == "OK"
    assert b'"/"' in dat[0], dat
    boxes = list_names(imap, '""', "INBOX")
    assert list(boxes) == ["INBOX"], boxes


def test_create_list_delete(imap, mbox):
    ok(imap.create(mbox))
    ok(imap.create(f"{mbox}/child/grandchild"))
    boxes = list_names(imap, '""', f'"{mbox}*"')
    assert {mbox, f"{mbox}/child", f"{mbox}/child/grandchild"} <= set(boxes), boxes
    assert set(list_names(imap, '""', f'"{mbox}/%"')) == {f"{mbox}/child"}
    ok(imap.delete(f"{mbox}/child/grandchild"))
    assert f"{mbox}/child/grandchild" not in list_names(imap, '""', f'"{mbox}*"')


def test_create_existing_alreadyexists(raw, mbox):
    assert raw.command(f"c1 CREATE {mbox}").status == "OK"
    r = raw.command(f"c2 CREATE {mbox}")
    assert r.status == "NO" and r.code == "ALREADYEXISTS", r


def test_create_inbox_refused(raw):
    r = raw.command("c1 CREATE INBOX")
    assert r.status == "NO", r
    r = raw.command("c2 CREATE inbox")
    assert r.status == "NO", "INBOX is case-insensitive"


def test_delete_nonexistent_and_inbox(raw, mbox):
    r = raw.command(f"d1 DELETE {mbox}-nope")
    assert r.status == "NO" and r.code == "NONEXISTENT", r
    r = raw.command("d2 DELETE INBOX")
    assert r.status == "NO", r


def test_delete_removes_messages(imap, mbox):
    ok(imap.create(mbox))
    append(imap, mbox, make_message("to be deleted"))
    ok(imap.delete(mbox))
    ok(imap.create(mbox))
    assert status(imap, mbox)["MESSAGES"] == 0


def test_rename_with_children_keeps_messages(imap, mbox):
    ok(imap.create(mbox))
    ok(imap.create(f"{mbox}/kid"))
    append(imap, mbox, make_message("renamed msg"))
    append(imap, f"{mbox}/kid", make_message("kid msg"))
    ok(imap.rename(mbox, f"{mbox}-new"))
    boxes = set(list_names(imap, '""', f'"{mbox}*"'))
    assert f"{mbox}-new" in boxes and f"{mbox}-new/kid" in boxes, boxes
    assert mbox not in boxes and f"{mbox}/kid" not in boxes, boxes
    assert status(imap, f"{mbox}-new")["MESSAGES"] == 1
    assert status(imap, f"{mbox}-new/kid")["MESSAGES"] == 1
    r = imap.select(mbox)
    assert r[0] == "NO"


def test_rename_errors(raw, mbox):
    assert raw.command(f"r1 CREATE {mbox}-a").status == "OK"
    assert raw.command(f"r2 CREATE {mbox}-b").status == "OK"
    r = raw.command(f"r3 RENAME {mbox}-a {mbox}-b")
    assert r.status == "NO" and r.code == "ALREADYEXISTS", r
    r = raw.command(f"r4 RENAME {mbox}-missing {mbox}-c")
    assert r.status == "NO" and r.code == "NONEXISTENT", r


def test_rename_inbox(server, mbox):
    """RFC 3501 6.3.5: renaming INBOX moves its messages and leaves INBOX empty.
    A server may refuse (Dovecot: NO [CANNOT]); then INBOX must be untouched."""
    m = server.imaps(server.user2, server.password2)
    try:
        append(m, "INBOX", make_message("inbox rename probe"))
        n_before = status(m, "INBOX")["MESSAGES"]
        typ, dat = m.rename("INBOX", mbox)
        if typ == "OK":
            assert status(m, mbox)["MESSAGES"] == n_before
            assert status(m, "INBOX")["MESSAGES"] == 0
            select(m, mbox)
            ok(m.copy("1:*", "INBOX"))
        else:
            assert typ == "NO", (typ, dat)
            assert status(m, "INBOX")["MESSAGES"] == n_before
    finally:
        m.logout()


def test_subscribe_lsub_unsubscribe(imap, mbox):
    ok(imap.create(mbox))
    ok(imap.subscribe(mbox))
    typ, dat = imap.lsub('""', f'"{mbox}*"')
    assert typ == "OK"
    assert any(mbox.encode() in d for d in dat if d), dat
    ok(imap.unsubscribe(mbox))
    typ, dat = imap.lsub('""', f'"{mbox}*"')
    assert not any(d and mbox.encode() in d for d in dat), dat


def test_status_counts(imap, mbox):
    ok(imap.create(mbox))
    st0 = status(imap, mbox)
    assert st0["MESSAGES"] == 0 and st0["UNSEEN"] == 0
    assert st0["UIDVALIDITY"] > 0 and st0["UIDNEXT"] >= 1
    append(imap, mbox, make_message("one"))
    append(imap, mbox, make_message("two"), flags="(\\Seen)")
    append(imap, mbox, make_message("three"))
    st = status(imap, mbox)
    assert st["MESSAGES"] == 3
    assert st["UNSEEN"] == 2
    assert st["UIDNEXT"] >= st0["UIDNEXT"] + 3
    assert st["UIDVALIDITY"] == st0["UIDVALIDITY"]
    assert 0 <= st["RECENT"] <= 3


def test_status_nonexistent(raw, mbox):
    r = raw.command(f"s1 STATUS {mbox} (MESSAGES)")
    assert r.status == "NO", r
    assert r.code in (None, "NONEXISTENT"), r


def test_mailbox_name_utf7_and_spaces(imap, mbox):
    name = f"{mbox} Entw&APw-rfe"
    ok(imap.create(quote(name)))
    boxes = list_names(imap, '""', f'"{mbox}*"')
    assert name in boxes, boxes
    ok(imap.select(quote(name)))


# ----------------------------------------------------------------- append / select


def test_append_flags_and_internaldate(imap, mbox):
    ok(imap.create(mbox))
    msg = make_message("dated")
    append(imap, mbox, msg, flags="(\\Flagged $Forwarded)", date=DATE1)
    select(imap, mbox)
    r = fetch(imap, "1", "(FLAGS INTERNALDATE RFC822.SIZE)")[1]
    flags = {f.decode() for f in r[b"FLAGS"]}
    assert {"\\Flagged", "$Forwarded"} <= flags, flags
    assert "\\Seen" not in flags
    assert internaldate(r) == datetime(2020, 2, 1, 10, 11, 12, tzinfo=timezone.utc), r
    assert r[b"RFC822.SIZE"] == len(msg)


def test_append_nonexistent_trycreate(raw, mbox):
    r = raw.command_with_literal("a1", f"APPEND {mbox}-missing", make_message("x"))
    assert r.status == "NO" and r.code == "TRYCREATE", r


def test_append_uid_increases(imap, mbox):
    ok(imap.create(mbox))
    for i in range(3):
        append(imap, mbox, make_message(f"m{i}"))
    select(imap, mbox)
    uids = sorted(fetch(imap, "1:*", "(UID)", uid=False)[k][b"UID"] for k in (1, 2, 3))
    assert uids[0] < uids[1] < uids[2]


def test_select_response(raw, mbox):
    assert raw.command(f"s0 CREATE {mbox}").status == "OK"
    r = raw.command(f"s1 SELECT {mbox}")
    assert r.status == "OK" and r.code == "READ-WRITE", r
    texts = [l.text.upper() for l in r.untagged]
    assert "* 0 EXISTS" in texts, texts
    assert any(t.startswith("* FLAGS (") for t in texts), texts
    codes = " ".join(texts)
    for code in ("[UIDVALIDITY ", "[UIDNEXT ", "[PERMANENTFLAGS ("):
        assert code in codes, (code, texts)


def test_select_nonexistent(raw, mbox, server):
    r = raw.command(f"s1 SELECT {mbox}-missing")
    assert r.status == "NO", r
    if not server.external:  # Dovecot 2.3 sends no response code here; the contract wants NONEXISTENT
        assert r.code == "NONEXISTENT", r
    # a failed SELECT leaves no mailbox selected
    assert raw.command("s2 FETCH 1 FLAGS").status == "BAD"


def test_examine_is_read_only(imap, mbox, server):
    ok(imap.create(mbox))
    append(imap, mbox, make_message("ro"))
    typ, dat = imap.select(mbox, readonly=True)
    assert typ == "OK"
    body = fetch(imap, "1", "(BODY[])")[1]
    assert b"ro" in body[b"BODY[]"]
    assert "\\Seen" not in flags_of(imap, "1"), "EXAMINE must not set \\Seen"
    typ, dat = imap.store("1", "+FLAGS", "(\\Flagged)")
    if not server.external:  # Dovecot answers OK and silently ignores the STORE
        assert typ == "NO" or typ == "BAD", (typ, dat)
    ok(imap.select(mbox))
    assert "\\Flagged" not in flags_of(imap, "1")


def test_examine_response_code(raw, mbox):
    assert raw.command(f"e0 CREATE {mbox}").status == "OK"
    r = raw.command(f"e1 EXAMINE {mbox}")
    assert r.status == "OK" and r.code == "READ-ONLY", r


# ----------------------------------------------------------------- fetch

def internaldate(r):
    v = r[b"INTERNALDATE"]
    if isinstance(v, bytes):
        return datetime.strptime(v.decode(), "%d-%b-%Y %H:%M:%S %z")
    return v


BODY = "Line one of the body.\r\nLine two, with a Needle-Token.\r\n"


@pytest.fixture
def onemsg(imap, mbox):
    ok(imap.create(mbox))
    msg = make_message("Fetch me", body=BODY, extra_headers={"X-E2E": "header-value"})
    append(imap, mbox, msg, date=DATE1)
    select(imap, mbox)
    return msg


def test_fetch_basic_items(imap, onemsg):
    r = fetch(imap, "1", "(FLAGS UID INTERNALDATE RFC822.SIZE)")[1]
    assert r[b"FLAGS"] == () or "\\Seen" not in {f.decode() for f in r[b"FLAGS"]}
    assert isinstance(r[b"UID"], int) and r[b"UID"] > 0
    assert r[b"RFC822.SIZE"] == len(onemsg)
    assert internaldate(r) == datetime(2020, 2, 1, 10, 11, 12, tzinfo=timezone.utc), r


def test_fetch_fast_macro(imap, onemsg):
    r = fetch(imap, "1", "FAST")[1]
    assert {b"FLAGS", b"INTERNALDATE", b"RFC822.SIZE"} <= set(r), r


def test_fetch_rfc822_header_text(imap, onemsg):
    header, text = split_message(onemsg)
    r = fetch(imap, "1", "(RFC822.HEADER)")[1]
    assert r[b"RFC822.HEADER"] == header
    assert "\\Seen" not in flags_of(imap, "1"), "RFC822.HEADER must not set \\Seen"
    r = fetch(imap, "1", "(RFC822.TEXT)")[1]
    assert r[b"RFC822.TEXT"] == text
    assert "\\Seen" in flags_of(imap, "1"), "RFC822.TEXT sets \\Seen"


def test_fetch_rfc822_sets_seen(imap, onemsg):
    r = fetch(imap, "1", "(RFC822)")[1]
    assert r[b"RFC822"] == onemsg
    assert "\\Seen" in flags_of(imap, "1")


def test_fetch_body_peek_sections(imap, onemsg):
    header, text = split_message(onemsg)
    r = fetch(imap, "1", "(BODY.PEEK[] BODY.PEEK[HEADER] BODY.PEEK[TEXT])")[1]
    assert r[b"BODY[]"] == onemsg
    assert r[b"BODY[HEADER]"] == header
    assert r[b"BODY[TEXT]"] == text
    assert "\\Seen" not in flags_of(imap, "1"), "PEEK must not set \\Seen"


def test_fetch_body_sets_seen(imap, onemsg):
    assert "\\Seen" not in flags_of(imap, "1")
    typ, dat = imap.fetch("1", "(BODY[])")
    assert typ == "OK"
    assert "\\Seen" in flags_of(imap, "1")


def test_fetch_body_text_sets_seen(imap, onemsg):
    fetch(imap, "1", "(BODY[TEXT])")
    assert "\\Seen" in flags_of(imap, "1")


def _field_key(r: dict, prefix: bytes):
    keys = [k for k in r if isinstance(k, bytes) and k.startswith(prefix)]
    assert len(keys) == 1, (prefix, list(r))
    return r[keys[0]]


def test_fetch_header_fields(imap, onemsg):
    r = fetch(imap, "1", "(BODY.PEEK[HEADER.FIELDS (Subject X-E2E)])")[1]
    v = _field_key(r, b"BODY[HEADER.FIELDS")
    assert v == b"Subject: Fetch me\r\nX-E2E: header-value\r\n\r\n", v
    r = fetch(imap, "1", "(BODY.PEEK[HEADER.FIELDS (subject)])")[1]
    assert _field_key(r, b"BODY[HEADER.FIELDS") == b"Subject: Fetch me\r\n\r\n", "field names are case-insensitive"
    r = fetch(imap, "1", "(BODY.PEEK[HEADER.FIELDS (X-Not-There)])")[1]
    assert _field_key(r, b"BODY[HEADER.FIELDS") == b"\r\n"


def test_fetch_header_fields_not(imap, onemsg):
    header, _ = split_message(onemsg)
    r = fetch(imap, "1", "(BODY.PEEK[HEADER.FIELDS.NOT (Subject X-E2E Message-ID)])")[1]
    v = _field_key(r, b"BODY[HEADER.FIELDS.NOT")
    assert b"Subject:" not in v and b"X-E2E" not in v and b"Message-ID" not in v
    assert b"From: Carol" in v and b"Date:" in v and v.endswith(b"\r\n\r\n")
    expected = b"".join(l + b"\r\n" for l in header.split(b"\r\n")[:-2]
                        if not l.lower().startswith((b"subject:", b"x-e2e:", b"message-id:"))) + b"\r\n"
    assert v == expected


def test_fetch_partial(imap, onemsg):
    r = fetch(imap, "1", "(BODY.PEEK[]<0.10>)")[1]
    assert r[b"BODY[]<0>"] == onemsg[:10]
    r = fetch(imap, "1", "(BODY.PEEK[]<5.20>)")[1]
    assert r[b"BODY[]<5>"] == onemsg[5:25]
    r = fetch(imap, "1", "(BODY.PEEK[TEXT]<4.8>)")[1]
    assert r[b"BODY[TEXT]<4>"] == split_message(onemsg)[1][4:12]
    r = fetch(imap, "1", f"(BODY.PEEK[]<{len(onemsg) - 3}.100>)")[1]
    assert r[b"BODY[]<%d>" % (len(onemsg) - 3)] == onemsg[-3:]
    r = fetch(imap, "1", f"(BODY.PEEK[]<{len(onemsg) + 10}.5>)")[1]
    assert r[b"BODY[]<%d>" % (len(onemsg) + 10)] in (b"", None)
    assert "\\Seen" not in flags_of(imap, "1")


def test_fetch_uid_fetch_includes_uid(imap, onemsg):
    uid = fetch(imap, "1", "(UID)")[1][b"UID"]
    r = fetch(imap, str(uid), "(FLAGS)", uid=True)
    assert list(r) == [uid], r


def test_fetch_bad_item(raw, mbox):
    raw.command(f"f0 CREATE {mbox}")
    raw.command_with_literal("f1", f"APPEND {mbox}", make_message("x"))
    assert raw.command(f"f2 SELECT {mbox}").status == "OK"
    r = raw.command("f3 FETCH 1 (NOSUCHITEM)")
    assert r.status == "BAD", r
    r = raw.command("f4 FETCH 1 (BODY.PEEK[HEADER.FIELDS])")
    assert r.status == "BAD", r
    assert raw.command("f5 NOOP").status == "OK"


@pytest.mark.parametrize("item", ["ENVELOPE", "BODYSTRUCTURE", "BODY", "BODY[1]", "BODY.PEEK[1]",
                                  "BODY.PEEK[1.MIME]", "ALL", "FULL"])
def test_message_model_fetch_items(raw, mbox, item):
    """The message-model items answer with data (RFC 9051 §6.4.5), never an error, for a plain message."""
    raw.command(f"f0 CREATE {mbox}")
    raw.command_with_literal("f1", f"APPEND {mbox}", make_message("x"))
    assert raw.command(f"f2 SELECT {mbox}").status == "OK"
    r = raw.command(f"f3 FETCH 1 ({item})" if item not in ("ALL", "FULL") else f"f3 FETCH 1 {item}")
    assert r.status == "OK", f"{item}: {r}"
    fetches = r.untagged_of("FETCH")
    assert len(fetches) == 1, r
    name = {"ALL": "ENVELOPE", "FULL": "BODY", "BODY.PEEK[1]": "BODY[1]", "BODY.PEEK[1.MIME]": "BODY[1.MIME]"}.get(item, item)
    assert name in fetches[0].text, f"{name} missing in {fetches[0].text}"


# ----------------------------------------------------------------- store


@pytest.fixture
def threemsgs(imap, mbox):
    ok(imap.create(mbox))
    for i in range(3):
        append(imap, mbox, make_message(f"store {i}"))
    select(imap, mbox)
    return mbox


def test_store_modes(imap, threemsgs):
    typ, dat = imap.store("1", "FLAGS", "(\\Flagged \\Answered)")
    assert typ == "OK"
    assert b"FLAGS" in dat[0], "non-silent STORE returns the new flags"
    assert flags_of(imap, "1") >= {"\\Flagged", "\\Answered"}
    ok(imap.store("1", "+FLAGS", "(\\Draft)"))
    assert flags_of(imap, "1") >= {"\\Flagged", "\\Answered", "\\Draft"}
    ok(imap.store("1", "-FLAGS", "(\\Answered)"))
    f = flags_of(imap, "1")
    assert "\\Answered" not in f and {"\\Flagged", "\\Draft"} <= f
    ok(imap.store("1", "FLAGS", "(\\Seen)"))
    assert flags_of(imap, "1") - {"\\Recent"} == {"\\Seen"}
    ok(imap.store("1", "FLAGS", "()"))
    assert flags_of(imap, "1") - {"\\Recent"} == set()


def test_store_silent(raw, mbox):
    raw.command(f"s0 CREATE {mbox}")
    raw.command_with_literal("s1", f"APPEND {mbox}", make_message("x"))
    assert raw.command(f"s2 SELECT {mbox}").status == "OK"
    r = raw.command("s3 STORE 1 +FLAGS.SILENT (\\Flagged)")
    assert r.status == "OK" and not r.untagged_of("FETCH"), r
    r = raw.command("s4 STORE 1 -FLAGS.SILENT (\\Flagged)")
    assert r.status == "OK" and not r.untagged_of("FETCH"), r
    r = raw.command("s5 STORE 1 FLAGS.SILENT (\\Seen)")
    assert r.status == "OK" and not r.untagged_of("FETCH"), r
    r = raw.command("s6 FETCH 1 (FLAGS)")
    assert "\\SEEN" in r.untagged_of("FETCH")[0].text.upper()
    r = raw.command("s7 STORE 1 +FLAGS (\\Answered)")
    assert r.untagged_of("FETCH"), r


def test_store_keywords(imap, threemsgs):
    ok(imap.store("2", "+FLAGS", "(Project1 $Label1)"))
    assert {"Project1", "$Label1"} <= flags_of(imap, "2")
    ok(imap.store("2", "-FLAGS", "(Project1)"))
    f = flags_of(imap, "2")
    assert "Project1" not in f and "$Label1" in f
    # keywords show up in FLAGS / PERMANENTFLAGS of a new SELECT
    typ, _ = imap.select(threemsgs)
    flags = imap.untagged_responses.get("FLAGS", [b""])[-1]
    assert b"$Label1" in flags, flags


def test_store_ranges_and_star(imap, threemsgs):
    ok(imap.store("2:*", "+FLAGS", "(\\Flagged)"))
    assert "\\Flagged" not in flags_of(imap, "1")
    assert "\\Flagged" in flags_of(imap, "2") and "\\Flagged" in flags_of(imap, "3")
    uid3 = fetch(imap, "3", "(UID)")[3][b"UID"]
    typ, _ = imap.uid("STORE", str(uid3), "-FLAGS", "(\\Flagged)")
    assert typ == "OK"
    assert "\\Flagged" not in flags_of(imap, "3")


def test_store_invalid_flag_bad(raw, mbox):
    raw.command(f"s0 CREATE {mbox}")
    raw.command_with_literal("s1", f"APPEND {mbox}", make_message("x"))
    raw.command(f"s2 SELECT {mbox}")
    r = raw.command("s3 STORE 1 +FLAGS (\\NoSuchSystemFlag)")
    assert r.status in ("BAD", "NO"), r
    r = raw.command("s4 STORE 1 FROBFLAGS (\\Seen)")
    assert r.status == "BAD", r
    assert raw.command("s7 NOOP").status == "OK"


# ----------------------------------------------------------------- search


@pytest.fixture
def corpus(imap, mbox):
    """Five messages with different dates, sizes, headers and flags."""
    ok(imap.create(mbox))
    msgs = [
        (make_message("Quarterly report", body="Numbers inside.\r\n", frm="Erin <erin@corp.example>",
                      date="Wed, 01 Jan 2020 09:00:00 +0000", extra_headers={"Cc": "frank@example.org"}),
         "(\\Seen)", "01-Jan-2020 09:00:00 +0000"),
        (make_message("Lunch?", body="Pizza or sushi? Zebra.\r\n", frm="Grace <grace@example.org>",
                      date="Sat, 15 Feb 2020 12:00:00 +0000", extra_headers={"X-Priority": "1"}),
         "(\\Flagged)", "15-Feb-2020 12:00:00 +0000"),
        (make_message("Big attachment", body=("x" * 70 + "\r\n") * 100, frm="Erin <erin@corp.example>",
                      date="Sun, 01 Mar 2020 08:00:00 +0000"),
         "(\\Seen \\Answered)", "01-Mar-2020 08:00:00 +0000"),
        (make_message("Re: Lunch?", body="Sushi.\r\n", frm="Heidi <heidi@example.org>",
                      date="Wed, 01 Apr 2020 18:30:00 +0000", extra_headers={"Bcc": "ivan@example.org"}),
         "(\\Deleted $Work)", "01-Apr-2020 18:30:00 +0000"),
        (make_message("Draft note", body="unfinished zebra\r\n", frm="Alice <alice@example.org>",
                      date="Fri, 01 May 2020 07:00:00 +0000"),
         "(\\Draft)", "01-May-2020 07:00:00 +0000"),
    ]
    for msg, flags, date in msgs:
        append(imap, mbox, msg, flags=flags, date=date)
    select(imap, mbox)
    uids = [fetch(imap, str(i), "(UID)")[i][b"UID"] for i in range(1, 6)]
    return {"mbox": mbox, "msgs": [m for m, _, _ in msgs], "uids": uids}


@pytest.mark.parametrize("criteria,expected", [
    (("ALL",), [1, 2, 3, 4, 5]),
    (("SEEN",), [1, 3]),
    (("UNSEEN",), [2, 4, 5]),
    (("FLAGGED",), [2]),
    (("UNFLAGGED",), [1, 3, 4, 5]),
    (("ANSWERED",), [3]),
    (("UNANSWERED",), [1, 2, 4, 5]),
    (("DELETED",), [4]),
    (("UNDELETED",), [1, 2, 3, 5]),
    (("DRAFT",), [5]),
    (("UNDRAFT",), [1, 2, 3, 4]),
    (("KEYWORD", "$Work"), [4]),
    (("UNKEYWORD", "$Work"), [1, 2, 3, 5]),
    (("BEFORE", "15-Feb-2020"), [1]),
    (("ON", "15-Feb-2020"), [2]),
    (("SINCE", "01-Mar-2020"), [3, 4, 5]),
    (("SENTBEFORE", "15-Feb-2020"), [1]),
    (("SENTON", "01-Apr-2020"), [4]),
    (("SENTSINCE", "01-Apr-2020"), [4, 5]),
    (("LARGER", "2000"), [3]),
    (("SMALLER", "2000"), [1, 2, 4, 5]),
    (("SUBJECT", "lunch"), [2, 4]),
    (("SUBJECT", '"Re: Lunch"'), [4]),
    (("FROM", "erin@corp"), [1, 3]),
    (("TO", "dave"), [1, 2, 3, 4, 5]),
    (("CC", "frank"), [1]),
    (("BCC", "ivan"), [4]),
    (("HEADER", "X-Priority", "1"), [2]),
    (("HEADER", "X-Priority", '""'), [2]),
    (("BODY", "zebra"), [2, 5]),
    (("TEXT", "zebra"), [2, 5]),
    (("TEXT", "Grace"), [2]),
    (("BODY", "Grace"), []),
    (("OR", "FLAGGED", "DRAFT"), [2, 5]),
    (("NOT", "SEEN"), [2, 4, 5]),
    (("NOT", "OR", "SEEN", "FLAGGED"), [4, 5]),
    (("SEEN", "FROM", "erin"), [1, 3]),
    (("(OR SEEN FLAGGED)", "SMALLER", "2000"), [1, 2]),
    (("2:4",), [2, 3, 4]),
    (("*",), [5]),
    (("4:*",), [4, 5]),
    (("*:4",), [4, 5]),
    (("1,3,5",), [1, 3, 5]),
    (("1:*", "UNSEEN"), [2, 4, 5]),
    # The corpus's SELECT was the mailbox's first: every message is \Recent in this session.
    (("NEW",), [2, 4, 5]),
    (("OLD",), []),
    (("RECENT",), [1, 2, 3, 4, 5]),
])
def test_search_keys(imap, corpus, criteria, expected):
    assert search(imap, *criteria) == expected, f"SEARCH {' '.join(criteria)}"


def test_search_uid_ranges(imap, corpus):
    u = corpus["uids"]
    assert search(imap, "UID", f"{u[1]}:{u[3]}") == [2, 3, 4]
    assert search(imap, "UID", f"{u[4]}:*") == [5]
    assert search(imap, "UID", f"{u[4] + 100}:*") == [5], "n:* always includes the last message"
    assert search(imap, "UID", f"{u[0]},{u[2]}", uid=True) == [u[0], u[2]]
    assert search(imap, "FLAGGED", uid=True) == [u[1]]
    assert search(imap, "UID", f"{u[4] + 50}:{u[4] + 60}") == []


def test_search_charset(imap, corpus):
    assert search(imap, "CHARSET", "UTF-8", "SUBJECT", "report") == [1]
    typ, dat = imap.search("X-NO-SUCH-CHARSET", "SUBJECT", "report")
    assert typ == "NO", (typ, dat)


def test_search_badcharset_code(raw, mbox):
    raw.command(f"s0 CREATE {mbox}")
    raw.command(f"s1 SELECT {mbox}")
    r = raw.command("s2 SEARCH CHARSET X-NO-SUCH-CHARSET SUBJECT x")
    assert r.status == "NO" and (r.code or "").startswith("BADCHARSET"), r


def test_search_bad_syntax(raw, mbox):
    raw.command(f"s0 CREATE {mbox}")
    raw.command(f"s1 SELECT {mbox}")
    r = raw.command("s2 SEARCH FROBNICATE")
    assert r.status == "BAD", r
    r = raw.command("s3 SEARCH BEFORE notadate")
    assert r.status == "BAD", r
    r = raw.command("s4 SEARCH ALL")
    assert r.status == "OK" and r.untagged_of("SEARCH")[0].text.strip() == "* SEARCH", r


# ----------------------------------------------------------------- copy / expunge / close


def test_copy_preserves_flags(imap, threemsgs, mbox):
    dest = f"{mbox}-dest"
    ok(imap.create(dest))
    ok(imap.store("2", "+FLAGS", "(\\Flagged kw1)"))
    ok(imap.copy("2:3", dest))
    st = status(imap, dest)
    assert st["MESSAGES"] == 2
    m2 = imap
    select(m2, dest)
    assert {"\\Flagged", "kw1"} <= flags_of(m2, "1")
    r = fetch(m2, "1:2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    subjects = [_field_key(v, b"BODY[HEADER.FIELDS") for _, v in sorted(r.items())]
    assert subjects == [b"Subject: store 1\r\n\r\n", b"Subject: store 2\r\n\r\n"]


def test_uid_copy(imap, threemsgs, mbox):
    dest = f"{mbox}-ucopy"
    ok(imap.create(dest))
    uid1 = fetch(imap, "1", "(UID)")[1][b"UID"]
    typ, dat = imap.uid("COPY", str(uid1), dest)
    assert typ == "OK", dat
    assert status(imap, dest)["MESSAGES"] == 1


def test_copy_nonexistent_trycreate(raw, mbox):
    raw.command(f"c0 CREATE {mbox}")
    raw.command_with_literal("c1", f"APPEND {mbox}", make_message("x"))
    raw.command(f"c2 SELECT {mbox}")
    r = raw.command(f"c3 COPY 1 {mbox}-missing")
    assert r.status == "NO" and r.code == "TRYCREATE", r


def test_expunge(raw, imap, threemsgs):
    ok(imap.store("1,3", "+FLAGS", "(\\Deleted)"))
    r = raw.command(f"x1 SELECT {threemsgs}")
    assert r.status == "OK"
    r = raw.command("x2 EXPUNGE")
    assert r.status == "OK"
    exp = [l.text for l in r.untagged_of("EXPUNGE")]
    assert exp in (["* 3 EXPUNGE", "* 1 EXPUNGE"], ["* 1 EXPUNGE", "* 2 EXPUNGE"]), exp
    r = raw.command("x3 FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert len(r.untagged_of("FETCH")) == 1 and "store 1" in r.untagged_of("FETCH")[0].text


def test_uid_expunge_only_given_uids(imap, threemsgs):
    uids = [fetch(imap, str(i), "(UID)")[i][b"UID"] for i in (1, 2, 3)]
    ok(imap.store("1:3", "+FLAGS", "(\\Deleted)"))
    typ, dat = imap.uid("EXPUNGE", str(uids[1]))
    assert typ == "OK", dat
    remaining = sorted(v[b"UID"] for v in fetch(imap, "1:*", "(UID)").values())
    assert remaining == [uids[0], uids[2]]


def fresh_status(server, mailbox):
    m = server.imaps()
    try:
        return status(m, mailbox)
    finally:
        m.logout()


def test_close_expunges_silently(raw, imap, threemsgs, server):
    ok(imap.store("2", "+FLAGS", "(\\Deleted)"))
    assert raw.command(f"c1 SELECT {threemsgs}").status == "OK"
    r = raw.command("c2 CLOSE")
    assert r.status == "OK" and not r.untagged_of("EXPUNGE"), r
    assert fresh_status(server, threemsgs)["MESSAGES"] == 2
    assert raw.command("c3 FETCH 1 FLAGS").status == "BAD", "no mailbox selected after CLOSE"


def test_unselect_does_not_expunge(raw, imap, threemsgs, server):
    ok(imap.store("2", "+FLAGS", "(\\Deleted)"))
    assert raw.command(f"u1 SELECT {threemsgs}").status == "OK"
    r = raw.command("u2 UNSELECT")
    assert r.status == "OK", r
    assert fresh_status(server, threemsgs)["MESSAGES"] == 3
    assert raw.command("u3 FETCH 1 FLAGS").status == "BAD"


def test_close_on_examined_mailbox_does_not_expunge(raw, imap, threemsgs, server):
    ok(imap.store("2", "+FLAGS", "(\\Deleted)"))
    assert raw.command(f"e1 EXAMINE {threemsgs}").status == "OK"
    assert raw.command("e2 CLOSE").status == "OK"
    assert fresh_status(server, threemsgs)["MESSAGES"] == 3


def test_expunge_in_examine_refused_or_noop(raw, imap, threemsgs, server):
    ok(imap.store("1", "+FLAGS", "(\\Deleted)"))
    assert raw.command(f"e1 EXAMINE {threemsgs}").status == "OK"
    r = raw.command("e2 EXPUNGE")
    assert r.status in ("NO", "BAD") or not r.untagged_of("EXPUNGE"), r
    assert fresh_status(server, threemsgs)["MESSAGES"] == 3


def test_internaldate_keeps_the_zone_append_gave(imap, mbox):
    """RFC 9051 2.3.3 / 6.3.12: the internal date is the date-time APPEND gave, zone included; SEARCH
    ON/SINCE/BEFORE look at its date in that zone."""
    ok(imap.create(mbox))
    msg = make_message("zoned")
    # 23:30 on 1 Feb in UTC-8 is already 2 Feb in UTC.
    typ, data = imap.append(mbox, None, '"01-Feb-2020 23:30:00 -0800"', msg)
    assert typ == "OK", data
    typ, data = imap.append(mbox, None, '"02-Feb-2020 08:15:00 +0530"', msg)
    assert typ == "OK", data
    select(imap, mbox)
    typ, data = imap.fetch("1:2", "(INTERNALDATE)")
    assert typ == "OK", data
    text = b" ".join(d if isinstance(d, bytes) else d[0] for d in data).decode()
    assert '"01-Feb-2020 23:30:00 -0800"' in text and '"02-Feb-2020 08:15:00 +0530"' in text, text
    typ, data = imap.search(None, "ON", "1-Feb-2020")
    assert typ == "OK" and data[0].split() == [b"1"], data
    typ, data = imap.search(None, "ON", "2-Feb-2020")
    assert typ == "OK" and data[0].split() == [b"2"], data
    typ, data = imap.search(None, "BEFORE", "2-Feb-2020")
    assert typ == "OK" and data[0].split() == [b"1"], data
