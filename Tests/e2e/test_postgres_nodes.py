"""Three `postern serve` nodes on one PostgreSQL database: clients spread over the nodes, push across
nodes, a node killed with SIGKILL under load (no acknowledged change lost, none duplicated) and
restarted, and nodes starting together on an empty database. Needs POSTERN_TEST_POSTGRES_URL."""
from __future__ import annotations

import imaplib
import re
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from exthelpers import read_until
from pghelpers import Node, first_start_password, fresh_store

pytestmark = pytest.mark.postern


@pytest.fixture
def three():
    """Three nodes on one fresh schema; yields ([node 1, node 2, node 3], postmaster password)."""
    store = fresh_store()
    with tempfile.TemporaryDirectory(prefix="postern-pg-e2e-") as tmp:
        nodes: list[Node] = []
        try:
            for name in ["n1", "n2", "n3"]:
                nodes.append(Node(Path(tmp), name, store))
            password = first_start_password(nodes[0].process)
            assert password, nodes[0].process.output()
            yield nodes, password
        finally:
            for node in nodes:
                node.process.stop()


def uid_of(data) -> int:
    return int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1))


def test_clients_spread_over_nodes_share_one_mailbox(three):
    nodes, password = three
    clients = [nodes[i % 3].imaps("postmaster", password) for i in range(6)]
    uids: list[int] = []
    lock = threading.Lock()

    def append(client: imaplib.IMAP4_SSL, n: int) -> None:
        for j in range(5):
            typ, data = client.append("Archive", None, None, f"Subject: {n}.{j}\r\n\r\nspread\r\n".encode())
            assert typ == "OK", data
            with lock:
                uids.append(uid_of(data))

    try:
        threads = [threading.Thread(target=append, args=(c, n)) for n, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(uids) == list(range(1, 31)), sorted(uids)
        for client in clients[:3]:
            typ, data = client.select("Archive", readonly=True)
            assert typ == "OK" and data[0] == b"30", data
    finally:
        for client in clients:
            client.logout()


def test_idle_on_node_one_sees_changes_made_through_nodes_two_and_three(three):
    nodes, password = three
    idler = nodes[0].raw("postmaster", password)
    second = nodes[1].imaps("postmaster", password)
    third = nodes[2].imaps("postmaster", password)
    try:
        r = idler.command("s1 SELECT INBOX")
        assert r.status == "OK", r
        exists = int(next(l.text.split()[1] for l in r.untagged_of("EXISTS")))
        idler.sendline("i1 IDLE")
        assert idler.read_until_tagged("i1", stop_at_continuation=True, timeout=10).continuation is not None
        typ, data = second.append("INBOX", None, None, b"Subject: from node 2\r\n\r\npushed\r\n")
        assert typ == "OK", data
        n = exists + 1
        read_until(idler, lambda l: l.text == f"* {n} EXISTS", timeout=5)
        third.select("INBOX")
        assert third.store(str(n), "+FLAGS", "(\\Flagged \\Deleted)")[0] == "OK"
        read_until(idler, lambda l: l.text.startswith(f"* {n} FETCH") and "\\Flagged" in l.text, timeout=5)
        second.select("INBOX")
        assert second.expunge()[0] == "OK"
        read_until(idler, lambda l: l.text == f"* {n} EXPUNGE", timeout=5)
        idler.sendline("DONE")
        assert idler.read_until_tagged("i1", timeout=10).status == "OK"
    finally:
        idler.close()
        second.logout()
        third.logout()


class Load:
    """APPEND, STORE and EXPUNGE workers on one node; records what the server acknowledged."""

    def __init__(self, node: Node, password: str, name: str, stop: threading.Event):
        self.node, self.password, self.name, self.stop = node, password, name, stop
        self.appended: dict[str, int] = {}      # Message-ID -> UID, acknowledged
        self.flagged: list[int] = []            # UIDs in Load whose STORE of this worker's keyword was acknowledged
        self.expunged: list[str] = []           # Message-IDs in Churn whose EXPUNGE was acknowledged
        self.failures = 0
        self.errors: list[str] = []             # anything but a lost connection
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._guard, args=(f,), daemon=True)
                        for f in (self._append, self._store, self._expunge)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def join(self) -> None:
        for t in self.threads:
            t.join(60)

    def _guard(self, work) -> None:
        try:
            client = self.node.imaps("postmaster", self.password)
        except (OSError, imaplib.IMAP4.error):
            self.failures += 1
            return
        try:
            work(client)
        except (OSError, imaplib.IMAP4.error, EOFError):
            # The node was killed: whatever was in flight is in doubt, not acknowledged.
            self.failures += 1
        except Exception as error:  # noqa: BLE001 - reported by the test
            self.errors.append(repr(error))

    def _append(self, client) -> None:
        seq = 0
        while not self.stop.is_set():
            mid = f"<{self.name}-{seq}@load.example>"
            typ, data = client.append("Load", None, None,
                                      f"Message-ID: {mid}\r\nSubject: load\r\n\r\n{'x' * 300}\r\n".encode())
            assert typ == "OK", data
            with self.lock:
                self.appended[mid] = uid_of(data)
            seq += 1

    def _store(self, client) -> None:
        client.select("Load")
        keyword = f"k{self.name}"
        while not self.stop.is_set():
            with self.lock:
                uids = list(self.appended.values())[-3:]
            if not uids:
                time.sleep(0.05)
                continue
            for uid in uids:
                typ, data = client.uid("STORE", str(uid), "+FLAGS.SILENT", f"({keyword})")
                assert typ == "OK", data
                self.flagged.append(uid)

    def _expunge(self, client) -> None:
        client.select("Churn")
        seq = 0
        while not self.stop.is_set():
            mid = f"<{self.name}-churn-{seq}@load.example>"
            typ, data = client.append("Churn", "(\\Deleted)", None, f"Message-ID: {mid}\r\n\r\nchurn\r\n".encode())
            assert typ == "OK", data
            typ, data = client.uid("EXPUNGE", str(uid_of(data)))
            assert typ == "OK", data
            self.expunged.append(mid)
            seq += 1


def mailbox_contents(client: imaplib.IMAP4_SSL, mailbox: str) -> list[tuple[int, str, str]]:
    """(UID, Message-ID, flags) of every message."""
    typ, data = client.select(mailbox, readonly=True)
    assert typ == "OK", data
    if data[0] == b"0":
        return []
    typ, data = client.fetch("1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    assert typ == "OK", data
    result = []
    for item in data:
        if isinstance(item, tuple):
            uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
            flags = re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode()
            mid = re.search(rb"Message-ID: (\S+)", item[1], re.I).group(1).decode()
            result.append((uid, mid, flags))
    return result


def test_node_killed_under_load_loses_and_duplicates_nothing(three):
    nodes, password = three
    setup = nodes[1].imaps("postmaster", password)
    assert setup.create("Load")[0] == "OK" and setup.create("Churn")[0] == "OK"
    setup.logout()
    stop = threading.Event()
    loads = [Load(node, password, f"n{i + 1}", stop) for i, node in enumerate(nodes)]
    for load in loads:
        load.start()
    time.sleep(3)
    nodes[0].process.proc.kill()
    nodes[0].process.proc.wait(10)
    time.sleep(2)
    stop.set()
    for load in loads:
        load.join()
    assert not [error for load in loads for error in load.errors], [load.errors for load in loads]
    assert loads[0].failures >= 1, "the workers on the killed node saw no failure"
    assert loads[1].failures == loads[2].failures == 0, "workers on the surviving nodes failed"

    checker = nodes[2].imaps("postmaster", password)
    try:
        found = mailbox_contents(checker, "Load")
        counts = Counter(mid for _, mid, _ in found)
        assert not [mid for mid, n in counts.items() if n > 1], "duplicated messages"
        by_mid = {mid: (uid, flags) for uid, mid, flags in found}
        by_uid = {uid: flags for uid, _, flags in found}
        acknowledged = {mid: uid for load in loads for mid, uid in load.appended.items()}
        assert len(acknowledged) > 20, "too little load to mean anything"
        missing = [mid for mid in acknowledged if mid not in by_mid]
        assert not missing, f"{len(missing)} acknowledged APPENDs lost"
        assert all(by_mid[mid][0] == uid for mid, uid in acknowledged.items()), "a message moved to another UID"
        for load in loads:
            lost = [uid for uid in load.flagged if f"k{load.name}" not in by_uid[uid].split()]
            assert not lost, f"acknowledged STOREs of {load.name} not visible: {lost[:5]}"
        churn = {mid for _, mid, _ in mailbox_contents(checker, "Churn")}
        back = [mid for load in loads for mid in load.expunged if mid in churn]
        assert not back, f"acknowledged EXPUNGEs undone: {back[:5]}"
    finally:
        checker.logout()

    # The killed node, started again on its data folder, serves the same mailbox.
    nodes[0].restart()
    again = nodes[0].imaps("postmaster", password)
    try:
        typ, data = again.select("Load", readonly=True)
        assert typ == "OK" and int(data[0]) == len(found), data
    finally:
        again.logout()


def test_nodes_starting_together_on_an_empty_database_migrate_once(tmp_path):
    store = fresh_store()
    nodes = [Node(tmp_path, name, store, wait=False) for name in ["a", "b"]]
    try:
        for node in nodes:
            node.wait_ready()
        logs = "\n".join(line for node in nodes for line in node.process.stderr)
        # Each migration is applied by one node only: every version is logged once in all.
        migrated = [line for line in logs.splitlines() if "schema migrated" in line]
        assert migrated, logs[-4000:]
        assert len(migrated) == len(set(re.findall(r"version=(\d+)", "\n".join(migrated)))), migrated
        outputs = ["\n".join(node.process.stdout) for node in nodes]
        made = [out for out in outputs if "Accounts already exist" not in out]
        assert len(made) == 1, outputs
        password = first_start_password(nodes[outputs.index(made[0])].process)
        for node in nodes:
            node.imaps("postmaster", password).logout()
    finally:
        for node in nodes:
            node.process.stop()
