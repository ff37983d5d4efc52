"""Many sessions on shared mailboxes doing FETCH, STORE, EXPUNGE and APPEND at once: every command
succeeds. A FETCH that names a message another session just expunged (not yet reported to this one) is
answered from what the store kept (RFC 2180 §4.1.1), and every keyword a FETCH shows was announced in an
untagged FLAGS response first (RFC 9051 §7.3.5). Counts only, no timing assertions."""
from __future__ import annotations

import random
import re
import threading

from helpers import connect_from, make_message, own_server

USER, PASSWORD = "stress", "Stress-pw 1!x"
SESSIONS = 24
ROUNDS = 25
MAILBOXES = ("Shared-A", "Shared-B")
BASE_MESSAGES = 12
KEYWORDS = [f"kw{i}" for i in range(6)]
CONFIG = "max_connections = 64\nmax_connections_per_address = 64\nmax_sessions_per_account_address = 64\n"

_FLAGS_RE = re.compile(r"^\* FLAGS \(([^)]*)\)")
_FETCH_FLAGS_RE = re.compile(r"^\* \d+ FETCH \(.*?FLAGS \(([^)]*)\)")
_APPENDUID_RE = re.compile(r"\[APPENDUID \d+ (\d+)\]")


class Worker:
    def __init__(self, port: int, cafile: str, mailbox: str, seed: int):
        self.c = connect_from("127.0.0.1", port, cafile)
        self.c.login(USER, PASSWORD)
        self.mailbox = mailbox
        self.random = random.Random(seed)
        self.announced: set[str] = set()
        self.own: list[int] = []
        self.failures: list[str] = []
        self.unannounced: list[str] = []
        self.count = 0

    def run_command(self, line: str, literal: bytes | None = None):
        self.count += 1
        tag = f"t{self.count}"
        if literal is None:
            r = self.c.command(f"{tag} {line}", timeout=120)
        else:
            r = self.c.command_with_literal(tag, line, literal, timeout=120)
        for untagged in r.untagged:
            text = untagged.text
            m = _FLAGS_RE.match(text)
            if m:
                self.announced |= set(m.group(1).split())
            m = _FETCH_FLAGS_RE.match(text)
            if m:
                for flag in m.group(1).split():
                    if not flag.startswith("\\") and flag not in self.announced:
                        self.unannounced.append(f"{line}: {text[:200]}")
        if r.status != "OK":
            self.failures.append(f"{line} -> {r.tagged.text if r.tagged else r}")
        return r

    def round(self, n: int):
        step = self.random.choice(["append", "delete", "keyword", "fetch", "fetchbody", "expunge", "noop"])
        if step == "append" or not self.own:
            r = self.run_command(f"APPEND {self.mailbox}", make_message(f"stress {n}", body="x" * 300 + "\r\n"))
            m = _APPENDUID_RE.search(r.tagged.text if r.tagged else "")
            if m:
                self.own.append(int(m.group(1)))
        elif step == "delete":
            uid = self.own.pop(self.random.randrange(len(self.own)))
            self.run_command(f"UID STORE {uid} +FLAGS.SILENT (\\Deleted)")
        elif step == "keyword":
            keyword = self.random.choice(KEYWORDS)
            self.run_command(f"STORE {self.random.randint(1, BASE_MESSAGES)} +FLAGS ({keyword})")
        elif step == "fetch":
            self.run_command("FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        elif step == "fetchbody":
            self.run_command("FETCH 1:* (FLAGS BODY.PEEK[])")
        elif step == "expunge":
            self.run_command("EXPUNGE")
        else:
            self.run_command("NOOP")
        # Reading right after others changed the mailbox is the case under test.
        self.run_command("FETCH 1:* (FLAGS ENVELOPE)")


def test_many_sessions_on_shared_mailboxes(tmp_path):
    with own_server(tmp_path, {USER: PASSWORD}, CONFIG) as (_, port, _, cafile):
        setup = connect_from("127.0.0.1", port, cafile)
        setup.login(USER, PASSWORD)
        for mailbox in MAILBOXES:
            assert setup.command(f"c CREATE {mailbox}").status == "OK"
            for i in range(BASE_MESSAGES):
                r = setup.command_with_literal(f"a{i}", f"APPEND {mailbox}", make_message(f"base {i}"))
                assert r.status == "OK", r
        setup.close()

        workers = [Worker(port, cafile, MAILBOXES[i % len(MAILBOXES)], seed=i) for i in range(SESSIONS)]
        for w in workers:
            r = w.run_command(f"SELECT {w.mailbox}")
            assert r.status == "OK", r
        errors: list[str] = []

        def work(w: Worker):
            try:
                for n in range(ROUNDS):
                    w.round(n)
                w.run_command("NOOP")
            except Exception as e:  # a hang or a dropped connection is a failure too
                errors.append(f"{w.mailbox}: {e!r}")

        threads = [threading.Thread(target=work, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        failures = [f for w in workers for f in w.failures]
        unannounced = [u for w in workers for u in w.unannounced]
        commands = sum(w.count for w in workers)
        for w in workers:
            w.c.close()
        assert not errors, errors
        assert commands >= SESSIONS * ROUNDS * 2
        assert failures == [], f"{len(failures)} of {commands} commands failed: {failures[:10]}"
        assert unannounced == [], unannounced[:10]
