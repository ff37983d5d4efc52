"""The command-line tools on the PostgreSQL store: accounts, app passwords, quota, Sieve scripts,
deliver, import and export through `--store postgresql://...` (or a config file's `store`), and a node
serving what they made. Needs POSTERN_TEST_POSTGRES_URL (see pghelpers)."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from conftest import run_cli
from pghelpers import Node, fresh_store, require_database

pytestmark = pytest.mark.postern

MESSAGE = "From: carol@example.org\nTo: alice@example.org\nSubject: delivered on PG\nMessage-ID: <d1@example.org>\n\nhello\n"


def cli(store: str, data_dir: Path, *args: str, input: str | None = None):
    return run_cli(*args, "--store", store, "--data-dir", str(data_dir), input=input)


def test_account_tools_work_on_postgres_and_a_node_serves_the_result(tmp_path):
    store = fresh_store()
    data = tmp_path / "cli"
    r = cli(store, data, "user", "add", "alice", "--password-stdin", input="Alice-pw 1!x\n")
    assert r.returncode == 0 and "created account alice" in r.stdout, r.stderr
    r = cli(store, data, "user", "add", "bob")
    assert r.returncode == 0, r.stderr
    r = cli(store, data, "user", "add", "Alice", "--password-stdin", input="x-Other-pw 2\n")
    assert r.returncode == 2 and r.stderr.strip() == "postern: account 'Alice' already exists", r.stderr
    r = cli(store, data, "user", "list")
    assert r.returncode == 0 and r.stdout.split() == ["alice", "bob"], (r.stdout, r.stderr)
    r = cli(store, data, "user", "app-password", "add", "alice", "phone")
    assert r.returncode == 0, r.stderr
    app = re.search(r"^password: (\S+)$", r.stdout, re.M).group(1)
    r = cli(store, data, "user", "app-password", "list", "alice")
    assert r.returncode == 0 and r.stdout.startswith("phone\t"), r.stdout
    r = cli(store, data, "user", "quota", "alice", "--storage", "10M", "--messages", "100")
    assert r.returncode == 0 and "limit 10485760 bytes" in r.stdout and "limit 100" in r.stdout, r.stdout
    script = tmp_path / "flag.sieve"
    script.write_text('require ["imap4flags"];\nif header :contains "subject" "PG" { addflag "\\\\Flagged"; }\n')
    r = cli(store, data, "sieve", "put", "alice", "flagger", str(script), "--activate")
    assert r.returncode == 0, r.stderr
    r = cli(store, data, "sieve", "list", "alice")
    assert r.returncode == 0 and r.stdout == "flagger\tactive\n", r.stdout
    r = cli(store, data, "deliver", "-r", "alice", input=MESSAGE)
    assert r.returncode == 0, r.stderr
    r = cli(store, data, "deliver", "-r", "nobody", input=MESSAGE)
    assert r.returncode == 67, r.stderr
    # An mbox imported, then everything exported again.
    mbox = tmp_path / "in.mbox"
    mbox.write_text("From a@b Sat Jan  3 01:05:34 1996\nSubject: imported\n\nfrom an mbox\n")
    r = cli(store, data, "import", "alice", "--mbox", str(mbox), "--folder", "Old")
    assert r.returncode == 0 and "imported 1," in r.stdout, (r.stdout, r.stderr)
    out = tmp_path / "export"
    r = cli(store, data, "export", "alice", "--to", "maildir", str(out))
    assert r.returncode == 0, r.stderr
    assert len(list((out / "cur").iterdir())) == 1 and len(list((out / ".Old" / "cur").iterdir())) == 1

    root = tmp_path / "nodes"
    root.mkdir()
    node = Node(root, "a", store)
    try:
        assert "Accounts already exist" in "\n".join(node.process.stdout), node.process.output()
        for password in ["Alice-pw 1!x", app]:
            client = node.imaps("alice", password)
            typ, data_ = client.select("INBOX")
            assert typ == "OK" and data_[0] == b"1", data_
            typ, data_ = client.fetch("1", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            assert typ == "OK" and b"\\Flagged" in data_[0][0] and b"delivered on PG" in data_[0][1], data_
            typ, data_ = client.getquotaroot("INBOX")
            assert typ == "OK" and b"STORAGE" in data_[1][0] and b"10240" in data_[1][0], data_
            client.logout()
        # A password changed with the CLI is the one a node takes.
        r = cli(store, data, "user", "passwd", "alice", "--password-stdin", input="New-pw 3!y\n")
        assert r.returncode == 0, r.stderr
        node.imaps("alice", "New-pw 3!y").logout()
        r = cli(store, data, "user", "delete", "bob")
        assert r.returncode == 0, r.stderr
        assert cli(store, data, "user", "list").stdout.split() == ["alice"]
    finally:
        node.process.stop()


def test_config_file_names_the_store(tmp_path):
    store = fresh_store()
    password = tmp_path / "pg-password"
    password.write_text("unused-with-trust-auth\n")
    config = tmp_path / "postern.toml"
    config.write_text(f'store = "{store}"\nstore_password_file = "{password}"\n')
    r = run_cli("user", "add", "carol", "--config", str(config), "--data-dir", str(tmp_path / "d"))
    assert r.returncode == 0, r.stderr
    r = run_cli("user", "list", "--store", store, "--data-dir", str(tmp_path / "d"))
    assert r.stdout.split() == ["carol"], r.stderr


@pytest.mark.parametrize("url, status, message", [
    ("postgresql://postgres@127.0.0.1:1/postern_test?sslmode=disable", 1,
     "postern: cannot reach the database of the mail store (postgresql://postgres@127.0.0.1:1/postern_test)"),
    ("postgresql://127.0.0.1/db", 2, "postern: store: the URL names no user"),
    ("postgresql://u:secret@127.0.0.1/db", 2,
     "postern: store: no password in the URL: use POSTERN_STORE_PASSWORD or store_password_file"),
])
def test_bad_or_unreachable_store_is_one_line(tmp_path, url, status, message):
    require_database()
    r = run_cli("user", "list", "--store", url, "--data-dir", str(tmp_path))
    assert r.returncode == status and r.stderr.strip() == message, (r.returncode, r.stderr)
    assert "secret" not in r.stderr


def test_unreadable_password_file_is_one_line(tmp_path):
    store = fresh_store()
    config = tmp_path / "postern.toml"
    config.write_text(f'store = "{store}"\nstore_password_file = "{tmp_path / "missing"}"\n')
    r = run_cli("user", "list", "--config", str(config))
    assert r.returncode == 2 and r.stderr.strip().startswith("postern: ") and "missing" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_deliver_to_an_unreachable_store_is_a_temporary_failure():
    require_database()
    with tempfile.TemporaryDirectory() as tmp:
        r = run_cli("deliver", "-r", "alice", "--store", "postgresql://postgres@127.0.0.1:1/x?sslmode=disable",
                    "--data-dir", tmp, input=MESSAGE)
    assert r.returncode == 75 and r.stderr.startswith("postern: cannot reach the database"), r.stderr
