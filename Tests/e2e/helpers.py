"""Shared helpers for the e2e tests (message building, response parsing)."""
from __future__ import annotations

import imaplib
import re
import socket
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from imapclient.response_parser import parse_fetch_response

from rawimap import RawIMAP, make_context


def make_message(subject: str = "Hello", body: str = "Hello world.\r\n", frm: str = "Carol <carol@example.org>",
                 to: str = "Dave <dave@example.org>", date: str = "Mon, 06 Jan 2020 10:00:00 +0000",
                 extra_headers: dict | None = None) -> bytes:
    hdrs = [f"From: {frm}", f"To: {to}", f"Subject: {subject}", f"Date: {date}",
            f"Message-ID: <{uuid.uuid4().hex}@e2e.example>"]
    for k, v in (extra_headers or {}).items():
        hdrs.append(f"{k}: {v}")
    hdrs += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii"]
    return ("\r\n".join(hdrs) + "\r\n\r\n" + body).encode()


def split_message(msg: bytes) -> tuple[bytes, bytes]:
    i = msg.index(b"\r\n\r\n") + 4
    return msg[:i], msg[i:]


def ok(result, what: str = ""):
    typ, dat = result
    assert typ == "OK", f"{what} failed: {typ} {dat}"
    return dat


def fetch(m: imaplib.IMAP4, msgset: str, items: str, uid: bool = False) -> dict:
    """FETCH via imaplib, parsed with imapclient's response parser.
    Returns {seq_or_uid: {KEY(bytes, upper-case): value}}."""
    if uid:
        typ, dat = m.uid("FETCH", msgset, items)
    else:
        typ, dat = m.fetch(msgset, items)
    assert typ == "OK", f"FETCH {msgset} {items}: {typ} {dat}"
    dat = [d for d in dat if d is not None]
    parsed = parse_fetch_response(dat, normalise_times=False, uid_is_key=uid)
    out = {}
    for k, v in parsed.items():
        out[k] = {key.upper() if isinstance(key, bytes) else key: val for key, val in v.items()}
    return out


def search(m: imaplib.IMAP4, *criteria: str, uid: bool = False) -> list[int]:
    if uid:
        typ, dat = m.uid("SEARCH", *criteria)
    else:
        typ, dat = m.search(None, *criteria)
    assert typ == "OK", f"SEARCH {criteria}: {typ} {dat}"
    return sorted(int(x) for x in b" ".join(d for d in dat if d).split())


def append(m: imaplib.IMAP4, mailbox: str, msg: bytes, flags: str | None = None,
           date: str | None = None) -> None:
    """APPEND; `date` is an IMAP date-time string like '01-Feb-2020 10:11:12 +0000'."""
    d = f'"{date}"' if date else None
    typ, dat = m.append(mailbox, flags, d, msg)
    assert typ == "OK", f"APPEND {mailbox}: {typ} {dat}"


def select(m: imaplib.IMAP4, mailbox: str, readonly: bool = False) -> int:
    typ, dat = m.select(quote(mailbox), readonly=readonly)
    assert typ == "OK", f"SELECT {mailbox}: {typ} {dat}"
    return int(dat[0])


def quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flags_of(m: imaplib.IMAP4, seq: str) -> set[str]:
    r = fetch(m, seq, "(FLAGS)")
    (v,) = r.values()
    return {f.decode() if isinstance(f, bytes) else f for f in v[b"FLAGS"]}


def status(m: imaplib.IMAP4, mailbox: str, items: str = "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)") -> dict:
    typ, dat = m.status(quote(mailbox), items)
    assert typ == "OK", f"STATUS {mailbox}: {typ} {dat}"
    inner = re.search(rb"\((.*)\)\s*$", dat[0]).group(1).split()
    return {inner[i].decode().upper(): int(inner[i + 1]) for i in range(0, len(inner), 2)}


def list_names(m: imaplib.IMAP4, ref: str = '""', pattern: str = '"*"') -> dict[str, tuple[set[str], str]]:
    """LIST -> {name: (attributes, delimiter)}."""
    typ, dat = m.list(ref, pattern)
    assert typ == "OK", f"LIST {ref} {pattern}: {typ} {dat}"
    return parse_list(dat)


def parse_list(dat) -> dict[str, tuple[set[str], str]]:
    out = {}
    for item in dat:
        if item is None:
            continue
        if isinstance(item, tuple):  # name sent as a literal
            head, lit = item
            m = re.match(rb'\((.*?)\) (NIL|"(?:[^"\\]|\\.)*") ', head)
            name = lit.decode("utf-8", "replace")
        else:
            m = re.match(rb'\((.*?)\) (NIL|"(?:[^"\\]|\\.)*") (.*)$', item)
            assert m, f"unparseable LIST line {item!r}"
            name = m.group(3).decode("utf-8", "replace")
            if name.startswith('"'):
                name = re.sub(r'\\(.)', r'\1', name[1:-1])
        attrs = {a.decode().lower() for a in m.group(1).split()}
        delim = m.group(2).decode().strip('"')
        out[name] = (attrs, delim)
    return out


def wait_for(pred, timeout=5.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    return pred()


def write_mbsync_config(server, tmp_path, mbox: str, sync: str = "All", expunge: bool = True):
    """An mbsync configuration syncing `mbox` with a local Maildir; returns (config, maildir root, state dir).
    mbsync 1.4 checks only DNS names (not IP SANs): it connects to "localhost"."""
    local = tmp_path / "mail"
    local.mkdir()
    state = tmp_path / "state"
    state.mkdir()
    pw = server.password.replace("\\", "\\\\").replace('"', '\\"')
    cfg = tmp_path / "mbsyncrc"
    cfg.write_text(f"""
IMAPAccount e2e
Host localhost
Port {server.imaps_port}
User {server.user}
Pass "{pw}"
SSLType IMAPS
CertificateFile {server.cafile}
Timeout 30

IMAPStore e2e-remote
Account e2e

MaildirStore e2e-local
Path {local}/
Inbox {local}/INBOX
SubFolders Verbatim

Channel e2e
Far :e2e-remote:{mbox}
Near :e2e-local:{mbox}
Create Near
Sync {sync}
SyncState {state}/
""" + ("Expunge Both\n" if expunge else ""))
    return cfg, local, state


# --------------------------------------------------------------------------- servers of a test's own


@contextmanager
def own_server(tmp_path: Path, users: dict[str, str], config: str = ""):
    """A `postern serve` for one test (the shared fixture trusts loopback, so tests that play attacker start
    their own): a fresh data folder with `users` (name -> password) and `config` as its TOML. Yields
    (process, imaps port, imap port, cafile); the server is stopped afterwards."""
    from conftest import PosternProcess, add_user
    data = tmp_path / "data"
    data.mkdir()
    for name, password in users.items():
        add_user(data, name, password)
    args = []
    if config:
        path = tmp_path / "postern.toml"
        path.write_text(config)
        args = ["--config", str(path)]
    p = PosternProcess(data, args)
    try:
        ports = p.wait_ready()
        yield p, ports["imaps"], ports["imap"], str(data / "tls" / "cert.pem")
    finally:
        p.stop()


def connect_from(source: str, port: int, cafile: str, timeout: float = 30) -> RawIMAP:
    """An IMAPS connection to 127.0.0.1:`port` from the loopback address `source`, greeting read. Loopback has
    all of 127.0.0.0/8, so one machine plays several client addresses."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
    try:
        c = RawIMAP(make_context(cafile).wrap_socket(raw, server_hostname="127.0.0.1"), timeout=timeout)
    except Exception:
        raw.close()
        raise
    c.greeting = c.read_line()
    return c


def timed_login(c: RawIMAP, tag: str, user: str, password: str) -> tuple[float, str]:
    """LOGIN on `c`: the seconds its answer took and the tagged answer ("(closed)" if the server closed)."""
    start = time.monotonic()
    resp = c.command(f'{tag} LOGIN "{user}" "{password}"')
    return time.monotonic() - start, resp.tagged.raw.decode(errors="replace") if resp.tagged else "(closed)"


def bodies(port: int, cafile: str, user: str, password: str, folder: str = "INBOX") -> list[bytes]:
    """Every message of `folder` (BODY.PEEK[], in UID order), read with imapclient over IMAPS."""
    import imapclient
    c = imapclient.IMAPClient("127.0.0.1", port, ssl=True, ssl_context=make_context(cafile), timeout=30)
    try:
        c.login(user, password)
        c.select_folder(folder, readonly=True)
        uids = c.search("ALL")
        return [d[b"BODY[]"] for _, d in sorted(c.fetch(uids, ["BODY.PEEK[]"]).items())] if uids else []
    finally:
        c.logout()
