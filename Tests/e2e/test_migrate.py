"""`postern migrate`: copying an account from a real Dovecot (started privately by the test) into Postern, checked
through a Postern server; a second run copies only what changed; refusals are one-line errors."""
from __future__ import annotations

import base64
import imaplib
import itertools
import os
import re
import ssl
from pathlib import Path

import pytest

import dovecot_source
from conftest import PosternProcess, add_user
from helpers import make_message, quote

pytestmark = pytest.mark.postern

SOURCE_USER, SOURCE_PW = "olduser", "old-Pa55 w0rd!"
ALICE_PW = "alice-Migrate-1"


def mutf7(name: str) -> str:
    """A mailbox name in modified UTF-7 (RFC 3501 §5.1.3), as a client without UTF8=ACCEPT sends it."""
    out = []
    for printable, group in itertools.groupby(name, lambda c: 0x20 <= ord(c) <= 0x7E):
        text = "".join(group)
        if printable:
            out.append(text.replace("&", "&-"))
        else:
            encoded = base64.b64encode(text.encode("utf-16-be")).decode().rstrip("=").replace("/", ",")
            out.append(f"&{encoded}-")
    return "".join(out)


FOLDERS = ["INBOX", "Work", "Work/Projects", "Ünïcödé & Sachen", "Sent Items"]
SUBSCRIBED = ["INBOX", "Work/Projects", "Ünïcödé & Sachen"]
# Where each source folder lands in Postern ("Sent Items" has the \Sent role: it goes to the account's Sent).
DESTINATION = {name: name for name in FOLDERS} | {"Sent Items": "Sent"}


@pytest.fixture(scope="module")
def source():
    server = dovecot_source.start({SOURCE_USER: SOURCE_PW, "other": "other-pw", "third": "third-pw", "big": "big-pw"})
    try:
        fill(server)
        yield server
    finally:
        dovecot_source.stop(server)
    assert server.process.poll() is not None


def connect_source(server) -> imaplib.IMAP4_SSL:
    m = imaplib.IMAP4_SSL("127.0.0.1", server.imaps_port, ssl_context=ssl.create_default_context(cafile=server.cafile))
    m.login(SOURCE_USER, SOURCE_PW)
    return m


def fill(server) -> None:
    m = connect_source(server)
    try:
        for name in FOLDERS[1:]:
            assert m.create(quote(mutf7(name)))[0] == "OK"
        for name in SUBSCRIBED:
            assert m.subscribe(quote(mutf7(name)))[0] == "OK"
        big = make_message("Big", "".join(f"line {i} of a long message\r\n" for i in range(8000)))
        plan = {
            "INBOX": [(r"(\Seen)", "01-Feb-2020 10:11:12 +0530"), (r"(\Flagged $Label1)", "29-Feb-2024 23:59:59 -0800"),
                      ("()", "05-Jul-2019 00:00:01 +0000")],
            "Work/Projects": [(r"(\Answered \Draft Project_X)", "12-Mar-2021 08:00:00 +0100")],
            "Ünïcödé & Sachen": [(r"(\Deleted \Seen)", "24-Dec-2022 18:30:00 +0200")],
            "Sent Items": [(r"(\Seen)", "02-Jan-2023 09:00:00 +0000")],
        }
        for name, messages in plan.items():
            for i, (flags, date) in enumerate(messages):
                msg = make_message(f"{name} {i}", f"Message {i} in {name}.\r\n")
                assert m.append(quote(mutf7(name)), flags, f'"{date}"', msg)[0] == "OK"
        assert m.append("Work/Projects", r"(\Seen)", '"03-Mar-2023 03:03:03 +0300"', big)[0] == "OK"
    finally:
        m.logout()


def contents(m: imaplib.IMAP4, wire_name: str) -> list[tuple[bytes, frozenset[str], str]]:
    """(message, flags without \\Recent, internal date) of every message of a folder, sorted."""
    typ, _ = m.select(quote(wire_name), readonly=True)
    assert typ == "OK", wire_name
    typ, data = m.uid("FETCH", "1:*", "(FLAGS INTERNALDATE BODY.PEEK[])")
    assert typ == "OK"
    out = []
    for item in data:
        if not isinstance(item, tuple):
            continue
        head = item[0].decode()
        flags = frozenset(f for f in re.search(r"FLAGS \(([^)]*)\)", head).group(1).split() if f != "\\Recent")
        date = re.search(r'INTERNALDATE "([^"]+)"', head).group(1)
        out.append((item[1], flags, date))
    return sorted(out)


def postern_view(data_dir: Path, user: str, password: str, names=None) -> tuple[dict, set[str], dict]:
    """Starts a Postern server on the data folder: folder contents, subscriptions and LIST attributes."""
    proc = PosternProcess(data_dir)
    try:
        ports = proc.wait_ready()
        ctx = ssl.create_default_context(cafile=str(data_dir / "tls" / "cert.pem"))
        m = imaplib.IMAP4_SSL("127.0.0.1", ports["imaps"], ssl_context=ctx)
        m.login(user, password)
        _, listed = m.list('""', '"*"')
        attributes = {}
        for line in listed:
            match = re.match(rb'\(([^)]*)\) "/" (.*)$', line)
            attributes[match.group(2).decode().strip('"')] = match.group(1).decode().split()
        _, lsub = m.lsub('""', '"*"')
        subscribed = {re.match(rb'\([^)]*\) "/" (.*)$', line).group(1).decode().strip('"') for line in lsub if line}
        folders = {name: contents(m, mutf7(name)) for name in (names or set(DESTINATION.values()))}
        m.logout()
        return folders, subscribed, attributes
    finally:
        proc.stop()


def migrate(data_dir: Path, *args: str, password: str | None = SOURCE_PW, user: str = "alice"):
    env = dict(os.environ)
    env.pop("POSTERN_MIGRATE_PASSWORD", None)
    if password is not None:
        env["POSTERN_MIGRATE_PASSWORD"] = password
    import subprocess
    from conftest import POSTERN_BIN
    return subprocess.run([POSTERN_BIN, "migrate", user, "--data-dir", str(data_dir), *args], env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          start_new_session=True)


def source_view(server) -> dict:
    m = connect_source(server)
    try:
        return {name: contents(m, mutf7(name)) for name in FOLDERS}
    finally:
        m.logout()


def expected_view(src: dict) -> dict:
    out = {}
    for name, messages in src.items():
        out.setdefault(DESTINATION[name], []).extend(messages)
    return {k: sorted(v) for k, v in out.items()}


def summary_numbers(stdout: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"(messages copied|flag updates|subscriptions|skipped): (\d+)", stdout)}


def test_migrate_copies_everything_then_only_changes(source, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, "alice", ALICE_PW)
    url = f"imaps://{SOURCE_USER}@127.0.0.1:{source.imaps_port}"

    first = migrate(data, "--from", url, "--ca-file", source.cafile)
    assert first.returncode == 0, first.stderr + first.stdout
    assert summary_numbers(first.stdout)["messages copied"] == 7, first.stdout
    assert "verified" in first.stdout
    assert SOURCE_PW not in first.stdout + first.stderr

    src = source_view(source)
    folders, subscribed, attributes = postern_view(data, "alice", ALICE_PW)
    assert folders == expected_view(src)
    assert {mutf7(name) for name in SUBSCRIBED} <= subscribed
    assert "Work" not in subscribed
    assert "\\Sent" in attributes["Sent"]
    assert "Sent Items" not in attributes

    # Changes at the source: two new messages, flags changed on two old ones.
    m = connect_source(source)
    try:
        m.append("INBOX", r"(\Seen NewKeyword)", '"06-Jun-2024 06:06:06 +0600"', make_message("new 1"))
        m.append(quote(mutf7("Ünïcödé & Sachen")), "()", '"07-Jun-2024 07:07:07 -0700"', make_message("new 2"))
        m.select("INBOX")
        m.uid("STORE", "1", "+FLAGS", r"(\Answered Later)")
        m.uid("STORE", "2", "-FLAGS", r"(\Flagged)")
    finally:
        m.logout()

    second = migrate(data, "--from", url, "--ca-file", source.cafile)
    assert second.returncode == 0, second.stderr + second.stdout
    numbers = summary_numbers(second.stdout)
    assert numbers["messages copied"] == 2, second.stdout
    assert numbers["flag updates"] == 2, second.stdout
    folders, _, _ = postern_view(data, "alice", ALICE_PW)
    assert folders == expected_view(source_view(source))

    third = migrate(data, "--from", url, "--ca-file", source.cafile)
    assert third.returncode == 0, third.stderr
    assert summary_numbers(third.stdout)["messages copied"] == 0
    assert summary_numbers(third.stdout)["flag updates"] == 0


def test_migrate_with_starttls_and_password_file(source, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, "bob", "bob-Migrate-2")
    secret = tmp_path / "pw"
    secret.write_text(SOURCE_PW + "\n")
    r = migrate(data, "--from", f"imap://{SOURCE_USER}@127.0.0.1:{source.imap_port}", "--ca-file", source.cafile,
                "--password-file", str(secret), password=None, user="bob")
    assert r.returncode == 0, r.stderr + r.stdout
    folders, _, _ = postern_view(data, "bob", "bob-Migrate-2")
    assert folders == expected_view(source_view(source))


def test_migrate_killed_midway_then_rerun_copies_each_message_once(source, tmp_path):
    import signal
    import subprocess
    import time
    from conftest import POSTERN_BIN
    m = imaplib.IMAP4_SSL("127.0.0.1", source.imaps_port, ssl_context=ssl.create_default_context(cafile=source.cafile))
    m.login("other", "other-pw")
    for i in range(600):
        m.append("INBOX", r"(\Seen)" if i % 2 else "()", None, make_message(f"bulk {i}", "x" * 2000 + "\r\n"))
    m.logout()
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, "carol", "carol-Migrate-3")
    args = [POSTERN_BIN, "migrate", "carol", "--data-dir", str(data), "--ca-file", source.cafile,
            "--from", f"imaps://other@127.0.0.1:{source.imaps_port}"]
    env = dict(os.environ, POSTERN_MIGRATE_PASSWORD="other-pw")
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    state = data / "migrations" / "carol"
    deadline = time.monotonic() + 60
    # Kill it as soon as its first batch is recorded: the store holds some messages, not all.
    while time.monotonic() < deadline and proc.poll() is None:
        if state.exists() and any('"copies"' in p.read_text() for p in state.iterdir()):
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait(30)
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be interrupted"
    r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr + r.stdout
    copied = summary_numbers(r.stdout)["messages copied"]
    assert 0 < copied < 600, r.stdout
    proc = PosternProcess(data)
    try:
        ports = proc.wait_ready()
        c = imaplib.IMAP4_SSL("127.0.0.1", ports["imaps"],
                              ssl_context=ssl.create_default_context(cafile=str(data / "tls" / "cert.pem")))
        c.login("carol", "carol-Migrate-3")
        c.select("INBOX", readonly=True)
        _, found = c.search(None, "ALL")
        _, seen = c.search(None, "SEEN")
        _, subjects = c.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        c.logout()
    finally:
        proc.stop()
    assert len(found[0].split()) == 600 and len(seen[0].split()) == 300
    titles = [item[1].strip() for item in subjects if isinstance(item, tuple)]
    assert len(set(titles)) == 600


def test_migrate_asks_for_the_password_on_a_terminal_without_echo(source, tmp_path):
    import pty
    import select
    import signal
    import time
    from conftest import POSTERN_BIN
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, "alice", ALICE_PW)
    env = {k: v for k, v in os.environ.items() if k != "POSTERN_MIGRATE_PASSWORD"}
    args = [POSTERN_BIN, "migrate", "alice", "--data-dir", str(data), "--ca-file", source.cafile,
            "--from", f"imaps://{SOURCE_USER}@127.0.0.1:{source.imaps_port}"]
    pid, fd = pty.fork()
    if pid == 0:  # the child: its controlling terminal is the pty
        os.execve(POSTERN_BIN, args, env)
    output = b""

    def read_until(predicate, timeout=60):
        nonlocal output
        deadline = time.monotonic() + timeout
        while not predicate(output) and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    return
                if not chunk:
                    return
                output += chunk

    read_until(lambda out: b"Password for" in out)
    assert b"Password for imaps://olduser@127.0.0.1" in output, output
    os.write(fd, SOURCE_PW.encode() + b"\n")
    read_until(lambda out: b"verified" in out or b"postern:" in out)
    read_until(lambda out: False, timeout=2)
    deadline = time.monotonic() + 30
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    if done[0] == 0:  # stuck: never leave it behind
        os.kill(pid, signal.SIGKILL)
        done = os.waitpid(pid, 0)
    status = done[1]
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, output
    assert b"verified" in output and SOURCE_PW.encode() not in output, output


def test_migrate_from_a_server_with_an_inbox_prefix_and_dot_separator(tmp_path):
    """Courier-like layout: every folder under "INBOX." with "." between levels; Postern names them without the
    prefix, levels joined with "/"."""
    server = dovecot_source.start({"dot": "dot-pw-4"}, separator=".", prefix="INBOX.")
    try:
        m = imaplib.IMAP4_SSL("127.0.0.1", server.imaps_port,
                              ssl_context=ssl.create_default_context(cafile=server.cafile))
        m.login("dot", "dot-pw-4")
        source_names = {"INBOX": "INBOX", "INBOX.Work": "Work", "INBOX.Work.Projects": "Work/Projects",
                        "INBOX." + mutf7("Entwürfe"): "Entwürfe"}
        for wire in source_names:
            if wire != "INBOX":
                assert m.create(quote(wire))[0] == "OK", wire
            for i in range(2):
                assert m.append(quote(wire), r"(\Seen $Done)" if i else "()", '"10-Oct-2020 10:10:10 +1000"',
                                make_message(f"{wire} {i}"))[0] == "OK"
        assert m.subscribe("INBOX.Work.Projects")[0] == "OK"
        expected = {dest: contents(m, wire) for wire, dest in source_names.items()}
        m.logout()
        data = tmp_path / "data"
        data.mkdir()
        add_user(data, "dave", "dave-Migrate-5")
        r = migrate(data, "--from", f"imaps://dot@127.0.0.1:{server.imaps_port}", "--ca-file", server.cafile,
                    password="dot-pw-4", user="dave")
        assert r.returncode == 0, r.stderr + r.stdout
        folders, subscribed, attributes = postern_view(data, "dave", "dave-Migrate-5", names=list(expected))
        assert folders == expected
        assert "Work/Projects" in subscribed
        assert not any(name.startswith("INBOX/") for name in attributes), attributes
    finally:
        dovecot_source.stop(server)


def test_migrate_copies_a_folder_afresh_when_its_uidvalidity_changes(source, tmp_path):
    ctx = ssl.create_default_context(cafile=source.cafile)
    m = imaplib.IMAP4_SSL("127.0.0.1", source.imaps_port, ssl_context=ctx)
    m.login("third", "third-pw")
    assert m.create("Projects")[0] == "OK"
    for i in range(2):
        m.append("Projects", r"(\Seen)", None, make_message(f"first {i}"))
    data = tmp_path / "data"
    data.mkdir()
    add_user(data, "erin", "erin-Migrate-6")
    args = ["--from", f"imaps://third@127.0.0.1:{source.imaps_port}", "--ca-file", source.cafile]
    first = migrate(data, *args, password="third-pw", user="erin")
    assert first.returncode == 0 and summary_numbers(first.stdout)["messages copied"] == 2, first.stdout + first.stderr
    # The folder made anew at the source: a new UIDVALIDITY, its UIDs start again at 1.
    assert m.delete("Projects")[0] == "OK"
    assert m.create("Projects")[0] == "OK"
    m.append("Projects", None, None, make_message("second 0"))
    m.logout()
    second = migrate(data, *args, password="third-pw", user="erin")
    assert second.returncode == 0, second.stdout + second.stderr
    assert summary_numbers(second.stdout)["messages copied"] == 1, second.stdout
    assert "UIDVALIDITY changed" in second.stderr and "copying it afresh" in second.stderr
    folders, _, _ = postern_view(data, "erin", "erin-Migrate-6", names=["Projects"])
    subjects = sorted(re.search(rb"Subject: (.*?)\r\n", body).group(1) for body, _, _ in folders["Projects"])
    # The copies of the old incarnation stay; the new message is copied once.
    assert subjects == [b"first 0", b"first 1", b"second 0"]
