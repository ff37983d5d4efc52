"""Real clients on the message model: IMAPClient parses our BODYSTRUCTURE into a BodyData tree,
walks it and fetches every leaf with BODY.PEEK[path] and BINARY.PEEK[path]; mbsync copies the
mailbox to a Maildir that Python's `email` package (a mail reader's MIME parser) reads back.
Attachments are random bytes and must come back byte-exact."""
from __future__ import annotations

import base64
import email
import email.policy
import quopri
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from imapclient import IMAPClient
from imapclient.response_types import BodyData

import mimecorpus as mc
from helpers import write_mbsync_config
from mimehelpers import append_msg


def _client(server) -> IMAPClient:
    c = IMAPClient(server.host, port=server.imaps_port, ssl=True, ssl_context=server.ssl_context(), timeout=30)
    c.login(server.user, server.password)
    return c


def _walk(bs, path=()):
    """(path, leaf BodyData) for every leaf of an imapclient BodyData tree."""
    if bs.is_multipart:
        for i, child in enumerate(bs[0], 1):
            yield from _walk(child, path + (i,))
        return
    t, s = bs[0].lower(), bs[1].lower()
    if t == b"message" and s == b"rfc822":
        inner = bs[8]
        if not isinstance(inner, BodyData):      # imapclient leaves the encapsulated body a plain tuple
            inner = BodyData.create(inner)
        if inner.is_multipart:
            yield from _walk(inner, path)
        else:
            yield from _walk(inner, path + (1,))
        return
    yield (path or (1,)), bs


def _binary_peek(c: IMAPClient, uid: int, num: str) -> bytes:
    """BINARY.PEEK[num] through IMAPClient. IMAPClient's response parser does not know literal8
    (it returns the token '~{n}' instead of the data), so when the server answers with a literal8
    (decoded data with NUL, RFC 3516 4.2) read the value from the underlying imaplib response."""
    res = c.fetch([uid], [f"BINARY.PEEK[{num}]"])[uid][f"BINARY[{num}]".encode()]
    if isinstance(res, bytes) and re.fullmatch(rb"~\{\d+\}", res):
        typ, dat = c._imap.uid("FETCH", str(uid), f"(BINARY.PEEK[{num}])")
        assert typ == "OK", dat
        (head, data) = [d for d in dat if isinstance(d, tuple)][0]
        assert head.endswith(b"~{%d}" % len(data)), head
        return data
    return res


def _decode(data: bytes, cte: bytes | None) -> bytes:
    cte = (cte or b"7bit").lower()
    if cte == b"base64":
        return base64.b64decode(data)
    if cte == b"quoted-printable":
        return quopri.decodestring(data)
    return data


@pytest.mark.parametrize("name", ["mixed", "nested", "alternative", "plain", "noct"])
def test_imapclient_walks_bodystructure_and_fetches_leaves(server, mbox, name):
    msg = mc.corpus()[name]
    expected = {n: p for n, p in mc.leaves(msg).items() if isinstance(p, mc.Leaf)}
    c = _client(server)
    try:
        c.create_folder(mbox)
        c.append(mbox, msg.bytes())
        c.select_folder(mbox)
        (uid,) = c.search(["ALL"])
        bs = c.fetch([uid], ["BODYSTRUCTURE"])[uid][b"BODYSTRUCTURE"]
        leaves = list(_walk(bs))
        got_paths = {".".join(map(str, p)) for p, _ in leaves}
        assert got_paths == set(expected), f"{name}: leaf part numbers {sorted(got_paths)} != {sorted(expected)}"
        for path, leaf in leaves:
            num = ".".join(map(str, path))
            part = expected[num]
            size = leaf[6]
            cte = leaf[5]
            res = c.fetch([uid], [f"BODY.PEEK[{num}]", f"BINARY.SIZE[{num}]"])[uid]
            body = res[f"BODY[{num}]".encode()]
            assert body == part.body and len(body) == size, f"{name} BODY[{num}]"
            assert _decode(body, cte) == part.decoded, f"{name} BODY[{num}] decoded per BODYSTRUCTURE's CTE"
            assert _binary_peek(c, uid, num) == part.decoded, f"{name} BINARY[{num}]"
            assert res[f"BINARY.SIZE[{num}]".encode()] == len(part.decoded)
        flags = c.get_flags([uid])[uid]
        assert b"\\Seen" not in flags, flags
        c.delete_folder(mbox)
    finally:
        try:
            c.logout()
        except Exception:
            pass


def test_imapclient_attachment_filenames(server, mbox):
    """The file names a client shows come from BODYSTRUCTURE's disposition / type parameters,
    including the RFC 2231 continued, UTF-8 encoded one."""
    msg = mc.mixed_message()
    c = _client(server)
    try:
        c.create_folder(mbox)
        c.append(mbox, msg.bytes())
        c.select_folder(mbox, readonly=True)
        (uid,) = c.search(["ALL"])
        bs = c.fetch([uid], ["BODYSTRUCTURE"])[uid][b"BODYSTRUCTURE"]
        names = {}
        for path, leaf in _walk(bs):
            disp = leaf[8]
            if disp:
                params = list(disp[1] or ())
                pairs = [(params[i], params[i + 1]) for i in range(0, len(params), 2)]
                canon = dict(mc.canon_params(pairs) or [])
                names[".".join(map(str, path))] = canon.get("filename")
        assert names == {"2": "data.bin", "3": "random.qp", "4": mc.FNAME_2231}, names
    finally:
        c.logout()


# ----------------------------------------------------------------------------- mbsync + email


def _mbsync(server, tmp_path: Path, mbox: str):
    exe = shutil.which("mbsync")
    if not exe:
        pytest.fail("mbsync is not installed (Debian package: isync)")
    cfg, local, _ = write_mbsync_config(server, tmp_path, mbox, sync="Pull", expunge=False)
    r = subprocess.run([exe, "-c", str(cfg), "e2e"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"mbsync failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    d = local / mbox
    return sorted(p for sub in ("cur", "new") for p in (d / sub).glob("*") if p.is_file())


def test_mbsync_then_email_parser_reads_attachments(server, mbox, tmp_path):
    msgs = [mc.mixed_message(), mc.nested_message(), mc.alternative_message()]
    c = server.raw(login=True)
    try:
        assert c.command(f'c1 CREATE "{mbox}"').status == "OK"
        for m in msgs:
            append_msg(c, mbox, m.bytes())
    finally:
        c.close()
    files = _mbsync(server, tmp_path, mbox)
    assert len(files) == 3, files
    parsed = {}
    for f in files:
        m = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        parsed[str(m["Message-ID"])] = m

    mixed = parsed["<mixed-1@example.org>"]
    atts = {a.get_filename(): a.get_payload(decode=True) for a in mixed.iter_attachments()}
    assert atts == {"data.bin": mc.ATT_BIN, "random.qp": mc.ATT_QP, mc.FNAME_2231: mc.ATT_IMG}, \
        {k: len(v or b"") for k, v in atts.items()}
    assert mixed.get_body(("plain",)).get_content().startswith("Please find three attachments.")

    nested = parsed["<nested-1@example.org>"]
    assert nested.get_body(("plain",)).get_content() == "Voilà le résumé.\n"
    parts = list(nested.walk())
    gif = [p for p in parts if p.get_content_type() == "image/gif"][0]
    assert gif.get_payload(decode=True) == mc.ATT_GIF
    fwd = [p for p in parts if p.get_content_type() == "message/rfc822"][0]
    inner = fwd.get_payload()[0]
    assert str(inner["Subject"]) == "Inner forwarded message"
    (inner_att,) = [a for a in inner.iter_attachments()]
    assert inner_att.get_filename() == "inner.bin" and inner_att.get_payload(decode=True) == mc.ATT_INNER

    alt = parsed["<alt-1@example.de>"]
    assert str(alt["Subject"]) == "Grüße aus Köln"
    assert alt.get_body(("html",)).get_content().startswith("<html><body><p>Grüße aus Köln")
