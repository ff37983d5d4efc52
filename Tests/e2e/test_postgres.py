"""Several `postern serve` nodes on one PostgreSQL database (`--store postgresql://...`).

Needs POSTERN_TEST_POSTGRES_URL (scripts/test.sh starts a throwaway cluster with scripts/pg-cluster.sh).
Without it these tests are skipped, with the reason; under CI (CI=true) they fail instead. Each test
keeps its tables in a schema of its own.
"""
from __future__ import annotations

import imaplib
import re
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from exthelpers import read_until
from pghelpers import PG_URL, Node, first_start_password, require_database as _require_database

pytestmark = pytest.mark.postern


@pytest.fixture
def cluster():
    """Two nodes on one fresh schema; yields (node A, node B, postmaster password)."""
    base = _require_database()
    schema = "e2e_" + uuid.uuid4().hex[:16]
    store = base + ("&" if "?" in base else "?") + "schema=" + schema
    with tempfile.TemporaryDirectory(prefix="postern-pg-e2e-") as tmp:
        root = Path(tmp)
        nodes: list[Node] = []
        try:
            # Node A makes the first account; node B, started after it, finds it there.
            nodes.append(Node(root, "a", store))
            out = "\n".join(nodes[0].process.stdout)
            found = re.search(r"^\s+password:\s+(\S+)\s*$", out, re.M)
            assert found, "node A printed no first-start password:\n" + nodes[0].process.output()
            nodes.append(Node(root, "b", store))
            assert "Accounts already exist" in "\n".join(nodes[1].process.stdout), nodes[1].process.output()
            yield nodes[0], nodes[1], found.group(1)
        finally:
            for node in nodes:
                node.process.stop()


def test_append_on_one_node_is_read_on_the_other(cluster):
    a, b, password = cluster
    text = (b"From: alice@example.org\r\nTo: postmaster@example.org\r\nSubject: across nodes\r\n\r\n"
            + b"Written through node A, read through node B.\r\n")
    client_a = a.imaps("postmaster", password)
    client_b = b.imaps("postmaster", password)
    try:
        typ, data = client_a.append("INBOX", "(\\Flagged)", None, text)
        assert typ == "OK", data
        uid = int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1))
        typ, data = client_b.select("INBOX")
        assert typ == "OK", data
        typ, data = client_b.uid("FETCH", str(uid), "(FLAGS BODY.PEEK[])")
        assert typ == "OK", data
        assert data[0][1] == text
        assert b"\\Flagged" in data[0][0]
        # A flag set through B is seen through A.
        typ, data = client_b.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
        assert typ == "OK", data
        client_a.select("INBOX")
        typ, data = client_a.uid("FETCH", str(uid), "(FLAGS)")
        assert typ == "OK" and b"\\Seen" in data[0], data
    finally:
        client_a.logout()
        client_b.logout()


def test_appends_alternating_between_nodes_take_ascending_uids(cluster):
    a, b, password = cluster
    clients = [a.imaps("postmaster", password), b.imaps("postmaster", password)]
    try:
        uids = []
        for i in range(10):
            client = clients[i % 2]
            typ, data = client.append("Archive", None, None, f"Subject: {i}\r\n\r\nmessage {i}\r\n".encode())
            assert typ == "OK", data
            uids.append(int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1)))
        assert uids == sorted(uids) and len(set(uids)) == 10, uids
        for client in clients:
            typ, data = client.select("Archive", readonly=True)
            assert typ == "OK" and int(data[0]) == 10, data
    finally:
        for client in clients:
            client.logout()


def test_database_outage_answers_unavailable_then_recovers(tmp_path):
    """A stopped database makes commands fail with NO [UNAVAILABLE] within seconds (never a hang nor a
    SERVERBUG); once it is back, the same session goes on without a restart of Postern."""
    if not PG_URL:
        _require_database()
    # Not under tmp_path: the cluster belongs to the postgres user, who must reach it.
    cluster = Path(tempfile.gettempdir()) / f"postern-pg-{uuid.uuid4().hex[:12]}"
    script = Path(__file__).resolve().parents[2] / "scripts" / "pg-cluster.sh"
    started = subprocess.run(["bash", str(script), "start", str(cluster)], capture_output=True, text=True,
                             timeout=120)
    assert started.returncode == 0, started.stderr
    try:
        node = Node(tmp_path, "a", started.stdout.strip())
        try:
            out = "\n".join(node.process.stdout)
            password = re.search(r"^\s+password:\s+(\S+)\s*$", out, re.M).group(1)
            client = node.imaps("postmaster", password)
            assert client.select("INBOX")[0] == "OK"
            subprocess.run(["bash", str(script), "halt", str(cluster)], check=True, timeout=60)
            began = time.monotonic()
            typ, data = client.status("INBOX", "(MESSAGES)")
            assert typ == "NO" and data[0].startswith(b"[UNAVAILABLE]"), (typ, data)
            assert time.monotonic() - began < 30
            assert client.noop()[0] == "OK"
            subprocess.run(["bash", str(script), "resume", str(cluster)], check=True, timeout=60)
            deadline = time.monotonic() + 30
            while True:
                typ, data = client.status("INBOX", "(MESSAGES)")
                if typ == "OK" or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert typ == "OK", data
            assert client.append("INBOX", None, None, b"Subject: after\r\n\r\nback\r\n")[0] == "OK"
            client.logout()
        finally:
            node.process.stop()
    finally:
        subprocess.run(["bash", str(script), "stop", str(cluster)], timeout=60)


def test_idle_on_one_node_sees_changes_made_through_another(cluster):
    """Push across nodes (LISTEN/NOTIFY): a session idling on node B is told of an APPEND, a flag change
    and an EXPUNGE made through node A, without polling."""
    a, b, password = cluster
    writer = a.imaps("postmaster", password)
    idler = b.raw("postmaster", password)
    try:
        r = idler.command("s1 SELECT INBOX")
        assert r.status == "OK", r
        exists = int(next(l.text.split()[1] for l in r.untagged_of("EXISTS")))
        idler.sendline("i1 IDLE")
        assert idler.read_until_tagged("i1", stop_at_continuation=True, timeout=10).continuation is not None
        typ, data = writer.append("INBOX", None, None, b"Subject: pushed\r\n\r\nacross nodes\r\n")
        assert typ == "OK", data
        read_until(idler, lambda l: l.text == f"* {exists + 1} EXISTS", timeout=5)
        writer.select("INBOX")
        assert writer.store(str(exists + 1), "+FLAGS", "(\\Flagged \\Deleted)")[0] == "OK"
        read_until(idler, lambda l: l.text.startswith(f"* {exists + 1} FETCH") and "\\Flagged" in l.text,
                   timeout=5)
        assert writer.expunge()[0] == "OK"
        read_until(idler, lambda l: l.text == f"* {exists + 1} EXPUNGE", timeout=5)
        idler.sendline("DONE")
        assert idler.read_until_tagged("i1", timeout=10).status == "OK"
    finally:
        writer.logout()
        idler.close()


def test_statement_past_the_timeout_answers_unavailable(tmp_path):
    """A statement stuck behind a lock held longer than the engine's statement timeout (30 s) fails the
    command with NO [UNAVAILABLE] instead of holding the session; once the lock is gone it succeeds."""
    base = _require_database()
    schema = "e2e_" + uuid.uuid4().hex[:16]
    node = Node(tmp_path, "a", base + ("&" if "?" in base else "?") + "schema=" + schema)
    holder = None
    try:
        password = first_start_password(node.process)
        client = imaplib.IMAP4_SSL("127.0.0.1", node.ports["imaps"], ssl_context=node.context(), timeout=120)
        client.login("postmaster", password)
        # Another session holds INBOX's row lock for 36 s (psql speaks to the database directly).
        holder = subprocess.Popen(
            ["psql", base, "-v", "ON_ERROR_STOP=1", "-c",
             f"BEGIN; SELECT 1 FROM {schema}.mailboxes WHERE name = 'INBOX' FOR UPDATE; SELECT pg_sleep(36); COMMIT;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(2)
        assert holder.poll() is None, holder.stderr.read()
        began = time.monotonic()
        typ, data = client.append("INBOX", None, None, b"Subject: stuck\r\n\r\nwaits for the lock\r\n")
        waited = time.monotonic() - began
        assert typ == "NO" and data[0].startswith(b"[UNAVAILABLE]"), (typ, data)
        assert 25 < waited < 34, waited
        assert client.noop()[0] == "OK"
        assert holder.wait(30) == 0
        typ, data = client.append("INBOX", None, None, b"Subject: later\r\n\r\nthe lock is gone\r\n")
        assert typ == "OK", data
        client.logout()
    finally:
        if holder and holder.poll() is None:
            holder.kill()
            holder.wait()
        node.process.stop()
