#!/usr/bin/env python3
"""Power-cut test for Postern: acknowledged IMAP changes must survive a simulated power failure.

The data folder lives on LazyFS (github.com/dsrhaslab/lazyfs), a FUSE file system that keeps every write
in memory until it is fsynced and, when `lazyfs::clear-cache` is written to its FIFO, drops everything not
yet synced: what a power cut does to a page cache. kill -9 alone cannot show a missing fsync.

One run:

  setup    mount LazyFS over a fresh backing folder, start `postern serve` on MOUNT/data (first start: the
           postmaster password is read from its output), CREATE one mailbox per client, stop the server
           cleanly and fsync every file and folder of the data folder (the starting state is on disk);
           with --cut-first-start, cut the power instead and check that the account, the mailboxes and
           their UIDVALIDITY survived and that the server does not make its data folder again.
  a cut    start the server; 16 clients (IMAPS, one mailbox each, so every expectation is exact) loop over
             APPEND            (records APPENDUID uidvalidity/uid, a unique Message-ID and a digest),
             UID STORE +FLAGS  (records which flag on which UID was acknowledged),
             UID STORE +FLAGS (\\Deleted) then UID EXPUNGE of one of its own messages
                               (records acknowledged expunges);
           after a random few seconds: SIGSTOP the server (nothing more can be acknowledged),
           `lazyfs::clear-cache` (wait until LazyFS reports it done), SIGKILL the server, unmount LazyFS
           (drops the kernel's caches too), mount it again, restart the server on the same data folder and,
           per mailbox, check:
             - UIDVALIDITY is unchanged;
             - every acknowledged APPEND is present under its UID with the same Message-ID and content;
             - every acknowledged flag is set on its message;
             - every acknowledged expunge stays expunged;
             - no UID handed out in an APPENDUID carries another message, none is handed out twice, and
               UIDNEXT is above every UID handed out or present;
             - `FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[])` answers OK for every message (no
               NO [SERVERBUG]) and RFC822.SIZE is the size of the body (message by message when 1:* fails).
           The one operation per client that was sent but not answered when the server was stopped may
           have happened or not; the check takes what the server shows for it. The state seen after the
           restart is the expected state of the next cut (a loss is counted once), and the same restarted
           server carries on with the next cut.

Each cut prints one line, the run a total. Exit status: 0 when nothing was lost; 1 when something was (a
server that does not come back after a cut counts); 2 when the harness could not finish (LazyFS would not
mount or died, the first start failed, ...). Only 127.0.0.1 is bound. Every exit path (end, error,
SIGINT/SIGTERM/SIGHUP, the --timeout watchdog) kills the server, unmounts LazyFS and stops it; the work folder
(backing files, logs, logs/cut-N.txt with every finding) is removed unless --keep is given, a problem was
found or the harness failed.

LazyFS loses only unsynced file data: creates, renames and unlinks reach the backing folder at once, so a
missing fsync of a directory is not seen.

Python 3.11 standard library only. Needs /dev/fuse and `fusermount3` (root, or a user allowed to mount FUSE).
"""

from __future__ import annotations

import argparse
import hashlib
import imaplib
import os
import random
import re
import select
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import traceback
from dataclasses import dataclass, field

HOST = "127.0.0.1"
CLIENT_FLAGS = ["\\Seen", "\\Flagged", "\\Answered", "\\Draft", "$PowerCut1", "$PowerCut2"]
APPEND_FLAGS = [None, None, None, "(\\Seen)", "(\\Flagged $PowerCut1)"]
COUNTERS = ["lost_appends", "lost_flags", "resurrected", "uid_problems", "fetch_errors", "bad_content",
            "unexpected"]
LABELS = {"lost_appends": "lost appends", "lost_flags": "lost flags", "resurrected": "resurrected expunges",
          "uid_problems": "UID problems", "fetch_errors": "fetch errors", "bad_content": "bad content",
          "unexpected": "unexpected messages"}


class HarnessError(Exception):
    """The harness could not do its job (as opposed to a durability problem it found)."""


class Interrupted(BaseException):
    """SIGINT, SIGTERM, SIGHUP or the watchdog."""


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------- LazyFS


class LazyFS:
    """A LazyFS mount of `root` on `mountpoint`, run in the foreground as our child."""

    def __init__(self, binary: str, fusermount: str, workdir: str, config: str | None, cache_size: str,
                 single_thread: bool):
        self.binary = binary
        self.single_thread = single_thread
        self.fusermount = fusermount
        self.root = os.path.join(workdir, "backing")
        self.mountpoint = os.path.join(workdir, "mnt")
        self.logdir = os.path.join(workdir, "logs")
        os.makedirs(self.root, exist_ok=True)
        os.makedirs(self.mountpoint, exist_ok=True)
        if config is None:
            config = os.path.join(workdir, "lazyfs.toml")
            with open(config, "w") as f:
                f.write("[faults]\n"
                        f'fifo_path="{os.path.join(workdir, "faults.fifo")}"\n'
                        f'fifo_path_completed="{os.path.join(workdir, "faults-done.fifo")}"\n'
                        "[cache]\napply_eviction=false\n"
                        f'[cache.simple]\ncustom_size="{cache_size}"\nblocks_per_page=1\n'
                        '[filesystem]\nlog_all_operations=false\nlogfile=""\n')
        with open(config, "rb") as f:
            faults = tomllib.load(f).get("faults", {})
        self.fifo = faults.get("fifo_path")
        self.fifo_done = faults.get("fifo_path_completed")
        if not self.fifo or not self.fifo_done:
            raise HarnessError(f"{config}: [faults] needs fifo_path and fifo_path_completed")
        # LazyFS takes an argument containing "-o" (any case) after --config-path for a FUSE option, and
        # FUSE splits -o values at commas.
        for p in (config, self.root):
            if "-o" in p.lower() or "," in p:
                raise HarnessError(f"path {p!r} must not contain '-o' or ','; choose another --workdir")
        self.config = config
        self.proc: subprocess.Popen | None = None
        self.done_fd: int | None = None
        self.mounts = 0

    def mount(self, timeout: float = 60) -> None:
        self.mounts += 1
        out = open(os.path.join(self.logdir, f"lazyfs-{self.mounts}.log"), "wb")
        self.proc = subprocess.Popen(
            [self.binary, self.mountpoint, "--config-path", self.config,
             "-o", f"modules=subdir,subdir={self.root}", "-f"] + (["-s"] if self.single_thread else []),
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        deadline = time.monotonic() + timeout
        while not self.mounted():
            if self.proc.poll() is not None:
                raise HarnessError(f"lazyfs exited with {self.proc.returncode} (see logs/lazyfs-{self.mounts}.log)")
            if time.monotonic() > deadline:
                raise HarnessError(f"lazyfs did not mount within {timeout:.0f} s")
            time.sleep(0.1)
        # LazyFS's fault thread opens the "completed" FIFO for writing and blocks until a reader exists.
        while not os.path.exists(self.fifo_done):
            if time.monotonic() > deadline:
                raise HarnessError(f"lazyfs did not create {self.fifo_done}")
            time.sleep(0.1)
        self.done_fd = os.open(self.fifo_done, os.O_RDONLY | os.O_NONBLOCK)

    def mounted(self) -> bool:
        """Whether the mount point is in the mount table (os.path.ismount says no for a dead FUSE mount)."""
        with open("/proc/self/mountinfo") as f:
            return any(line.split()[4] == self.mountpoint for line in f)

    def check_alive(self, when: str) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            code = self.proc.returncode
            how = signal.Signals(-code).name if code < 0 else f"status {code}"
            raise HarnessError(f"LazyFS itself died ({how}) {when}: a LazyFS failure, not a server result "
                               f"(logs/lazyfs-{self.mounts}.log; try --fuse-single-thread)")

    def clear_cache(self, timeout: float = 60) -> None:
        """Drops every write not yet fsynced; returns once LazyFS says it is done."""
        assert self.done_fd is not None
        self.check_alive("before the cut")
        try:
            while os.read(self.done_fd, 4096):  # stale notifications
                pass
        except BlockingIOError:
            pass
        fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        try:
            os.write(fd, b"lazyfs::clear-cache\n")
        finally:
            os.close(fd)
        got = b""
        deadline = time.monotonic() + timeout
        while b"finished::clear-cache" not in got:
            left = deadline - time.monotonic()
            if left <= 0:
                raise HarnessError("lazyfs did not confirm clear-cache")
            select.select([self.done_fd], [], [], min(left, 0.5))
            try:
                got += os.read(self.done_fd, 4096)
            except BlockingIOError:
                pass

    def unmount(self) -> None:
        if self.done_fd is not None:
            os.close(self.done_fd)
            self.done_fd = None
        if self.mounted():
            r = subprocess.run([self.fusermount, "-u", self.mountpoint], capture_output=True, text=True)
            if r.returncode != 0:
                log(f"  fusermount -u: {r.stderr.strip()}; unmounting lazily")
                subprocess.run([self.fusermount, "-u", "-z", self.mountpoint], capture_output=True)
        if self.proc is not None:
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None


def fsync_tree(top: str) -> None:
    """fsync every file and folder under `top` (LazyFS then writes them to the backing folder)."""
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(dirpath, os.O_RDONLY)
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


# --------------------------------------------------------------------------- Postern


class Postern:
    """One `postern serve` process; stdout is parsed for the password, `listening:` lines and `ready`."""

    LEVEL = re.compile(r"^\S+ (error|critical) ")

    def __init__(self, binary: str, data_dir: str, logfile: str, imap_port: int, timeout: float):
        self.logfile = logfile
        self.ports: dict[str, int] = {}
        self.password: str | None = None
        self.errors_reported = 0
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._log = open(logfile, "w", encoding="utf-8", errors="replace")
        self.timeout = timeout
        self.startup = 0.0
        self._t0 = time.monotonic()
        self.proc = subprocess.Popen(
            [binary, "serve", "--data-dir", data_dir, "--imaps", f"{HOST}:0", "--imap", f"{HOST}:{imap_port}",
             "--log-level", "info"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        self._pumps = [threading.Thread(target=self._pump, args=(s, p), daemon=True)
                       for s, p in ((self.proc.stdout, "out"), (self.proc.stderr, "err"))]
        for t in self._pumps:
            t.start()

    def wait_ready(self) -> None:
        deadline = self._t0 + self.timeout
        with self._cond:
            while "ready" not in self.lines:
                if self.proc.poll() is not None:
                    self._cond.wait(0.5)
                    raise HarnessError(f"postern exited with {self.proc.returncode} before 'ready'; "
                                       f"log {self.logfile}:\n" + self.tail())
                left = deadline - time.monotonic()
                if left <= 0:
                    raise HarnessError(f"postern did not print 'ready' within {self.timeout:.0f} s; "
                                       f"log {self.logfile}:\n" + self.tail())
                self._cond.wait(min(left, 0.5))
            for line in self.lines:
                m = re.match(r"listening: (\w+) \S+:(\d+)$", line)
                if m:
                    self.ports[m.group(1)] = int(m.group(2))
                m = re.match(r"password:\s*(\S+)$", line)
                if m:
                    self.password = m.group(1)
        self.startup = time.monotonic() - self._t0
        if "imaps" not in self.ports:
            raise HarnessError(f"postern printed no 'listening: imaps' line; log {self.logfile}")

    def _pump(self, stream, prefix: str) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self._cond:
                if prefix == "out":
                    self.lines.append(line.strip())
                if not self._log.closed:
                    self._log.write(f"{prefix}: {line}\n")
                    self._log.flush()
                self._cond.notify_all()

    def tail(self, n: int = 30) -> str:
        with open(self.logfile, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])

    def error_lines(self) -> list[str]:
        """error and critical lines logged since the last call."""
        with open(self.logfile, encoding="utf-8", errors="replace") as f:
            lines = [l.rstrip("\n")[5:] for l in f if l.startswith("err: ") and self.LEVEL.match(l[5:])]
        new, self.errors_reported = lines[self.errors_reported:], len(lines)
        return new

    def freeze(self) -> None:
        self.proc.send_signal(signal.SIGSTOP)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self._finish()

    def stop(self, timeout: float = 30) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log("  postern did not stop on SIGTERM; killing it")
        self.kill()

    def _finish(self) -> None:
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            pass
        for t in self._pumps:
            t.join(5)
        with self._cond:
            self._log.close()


def imaps(port: int, password: str, timeout: float) -> imaplib.IMAP4_SSL:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the server's self-signed certificate
    conn = imaplib.IMAP4_SSL(HOST, port, ssl_context=ctx, timeout=timeout)
    conn.login("postmaster", password)
    return conn


def ok(typ: str, data, what: str) -> None:
    if typ != "OK":
        raise HarnessError(f"{what}: {typ} {data!r}")


# --------------------------------------------------------------------------- the model


@dataclass
class Msg:
    msgid: str
    digest: str
    size: int
    flags: set[str] = field(default_factory=set)  # lower-case; acknowledged, or seen after a restart


@dataclass
class Mailbox:
    index: int
    name: str
    uidvalidity: int = 0
    messages: dict[int, Msg] = field(default_factory=dict)  # what must be there
    expunged: set[int] = field(default_factory=set)  # acknowledged UID EXPUNGEs, for good
    handed_out: dict[int, str] = field(default_factory=dict)  # every APPENDUID uid -> its Message-ID
    sent: dict[str, tuple[str, int]] = field(default_factory=dict)  # Message-ID -> (digest, size) of each APPEND
    pending: tuple | None = None  # the operation in flight at the cut
    unreadable: set[int] = field(default_factory=set)  # UIDs whose BODY[] could not be fetched (counted once)
    seq: int = 0
    # this cut
    acked: dict[str, int] = field(default_factory=lambda: {"append": 0, "store": 0, "expunge": 0})
    problems: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    notes: list[str] = field(default_factory=list)
    op_errors: list[str] = field(default_factory=list)

    def new_cut(self) -> None:
        self.acked = {"append": 0, "store": 0, "expunge": 0}
        self.problems = dict.fromkeys(COUNTERS, 0)
        self.notes = []
        self.op_errors = []
        self.pending = None

    def problem(self, kind: str, note: str) -> None:
        self.problems[kind] += 1
        self.notes.append(f"{self.name}: {note}")


def make_message(run_id: str, mb: Mailbox, rng: random.Random) -> tuple[str, bytes]:
    mb.seq += 1
    msgid = f"powercut-{run_id}-{mb.index:02d}-{mb.seq:06d}@powercut.invalid"
    size = rng.randint(20_000, 200_000) if rng.random() < 0.05 else rng.randint(100, 8_000)
    head = (f"From: Power Cut <powercut@example.invalid>\r\n"
            f"To: postmaster@localhost\r\n"
            f"Subject: power cut test, client {mb.index}, message {mb.seq}\r\n"
            f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n"
            f"Message-ID: <{msgid}>\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
    words = []
    n = 0
    while n < size:
        w = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 10)))
        words.append(w)
        n += len(w) + 1
    lines = [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
    return msgid, (head + "\r\n".join(lines) + "\r\n").encode("ascii")


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


# --------------------------------------------------------------------------- clients


class Client(threading.Thread):
    """Works on its own mailbox until `stop` is set or the connection breaks."""

    APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]", re.I)

    def __init__(self, mb: Mailbox, port: int, password: str, run_id: str, seed: int, stop: threading.Event,
                 timeout: float):
        super().__init__(daemon=True, name=f"client-{mb.index}")
        self.mb, self.port, self.password, self.run_id = mb, port, password, run_id
        self.rng = random.Random(seed)
        self.stop, self.timeout = stop, timeout

    def run(self) -> None:
        mb = self.mb
        try:
            conn = imaps(self.port, self.password, self.timeout)
            ok(*conn.select(mb.name), f"SELECT {mb.name}")
            while not self.stop.is_set():
                live = list(mb.messages)
                r = self.rng.random()
                if not live or r < 0.55:
                    self.append(conn)
                elif r < 0.85:
                    self.store(conn, self.rng.choice(live))
                else:
                    self.expunge(conn, self.rng.choice(live))
            conn.logout()
        except Exception as e:  # noqa: BLE001 - the cut breaks connections; anything else is reported
            if not self.stop.is_set():
                mb.op_errors.append(f"{mb.name}: client stopped before the cut: {type(e).__name__}: {e}")

    def append(self, conn: imaplib.IMAP4_SSL) -> None:
        mb = self.mb
        msgid, body = make_message(self.run_id, mb, self.rng)
        flags = self.rng.choice(APPEND_FLAGS)
        mb.sent[msgid] = (digest(body), len(body))
        mb.pending = ("append", msgid)
        typ, data = conn.append(mb.name, flags, None, body)
        if typ != "OK":
            mb.op_errors.append(f"{mb.name}: APPEND {msgid}: {typ} {data!r}")
            return
        m = self.APPENDUID.search(data[0] or b"")
        if not m:
            mb.op_errors.append(f"{mb.name}: APPEND without APPENDUID: {data!r}")
            return
        uidvalidity, uid = int(m.group(1)), int(m.group(2))
        if uidvalidity != mb.uidvalidity:
            mb.problem("uid_problems", f"APPENDUID uidvalidity {uidvalidity}, mailbox has {mb.uidvalidity}")
        if uid in mb.handed_out:
            mb.problem("uid_problems", f"UID {uid} handed out again (it was <{mb.handed_out[uid]}>, now <{msgid}>)")
        mb.handed_out[uid] = msgid
        mb.messages[uid] = Msg(msgid, *mb.sent[msgid],
                               flags=set(flags.strip("()").lower().split()) if flags else set())
        mb.pending = None
        mb.acked["append"] += 1

    def store(self, conn: imaplib.IMAP4_SSL, uid: int) -> None:
        mb = self.mb
        flag = self.rng.choice(CLIENT_FLAGS)
        mb.pending = ("store", uid)
        typ, data = conn.uid("STORE", str(uid), "+FLAGS.SILENT", f"({flag})")
        if typ != "OK":
            mb.op_errors.append(f"{mb.name}: UID STORE {uid} +FLAGS ({flag}): {typ} {data!r}")
            return
        mb.messages[uid].flags.add(flag.lower())
        mb.pending = None
        mb.acked["store"] += 1

    def expunge(self, conn: imaplib.IMAP4_SSL, uid: int) -> None:
        mb = self.mb
        mb.pending = ("store", uid)
        typ, data = conn.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)")
        if typ != "OK":
            mb.op_errors.append(f"{mb.name}: UID STORE {uid} +FLAGS (\\Deleted): {typ} {data!r}")
            return
        mb.messages[uid].flags.add("\\deleted")
        mb.acked["store"] += 1
        mb.pending = ("expunge", uid)
        typ, data = conn.uid("EXPUNGE", str(uid))
        if typ != "OK":
            mb.op_errors.append(f"{mb.name}: UID EXPUNGE {uid}: {typ} {data!r}")
            return
        del mb.messages[uid]
        mb.expunged.add(uid)
        mb.pending = None
        mb.acked["expunge"] += 1


# --------------------------------------------------------------------------- verification


FETCH_UID = re.compile(rb"\bUID (\d+)", re.I)
FETCH_FLAGS = re.compile(rb"\bFLAGS \(([^)]*)\)", re.I)
FETCH_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)", re.I)
MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^>\r\n]+)>", re.I | re.M)


@dataclass
class Seen:
    msgid: str  # "" when the server would not say
    digest: str  # "" when BODY[] could not be fetched
    size: int
    flags: set[str]


FULL_FETCH = "(UID FLAGS RFC822.SIZE BODY.PEEK[])"
OUR_MSGID = re.compile(rb"<(powercut-[^<>\s]+@powercut\.invalid)>", re.I)


def flatten(data: list) -> bytes:
    return b" ".join(p for d in data for p in (d if isinstance(d, tuple) else (d,)) if isinstance(p, bytes))


def parse_fetch(data: list) -> tuple[dict[int, Seen], list[str]]:
    """Messages of an imaplib FETCH answer for FULL_FETCH, and what was wrong with them."""
    seen: dict[int, Seen] = {}
    errors: list[str] = []
    i = 0
    while i < len(data):
        item = data[i]
        i += 1
        if not isinstance(item, tuple):
            continue
        meta, body = item[0], item[1]
        if i < len(data) and isinstance(data[i], bytes):  # attributes after the literal
            meta += b" " + data[i]
            i += 1
        u, s, f = FETCH_UID.search(meta), FETCH_SIZE.search(meta), FETCH_FLAGS.search(meta)
        if not u:
            errors.append(f"FETCH item without UID: {meta[:200]!r}")
            continue
        uid = int(u.group(1))
        if not s or body is None or not f:
            errors.append(f"UID {uid}: incomplete FETCH item {meta[:200]!r}")
            continue
        if int(s.group(1)) != len(body):
            errors.append(f"UID {uid}: RFC822.SIZE {s.group(1).decode()} but BODY[] has {len(body)} bytes")
        mid = MESSAGE_ID.search(body.split(b"\r\n\r\n", 1)[0])
        flags = {x.lower() for x in f.group(1).decode("utf-8", "replace").split()} - {"\\recent"}
        seen[uid] = Seen(mid.group(1).decode("ascii", "replace") if mid else "", digest(body), len(body), flags)
    return seen, errors


def fetch_all(conn: imaplib.IMAP4_SSL, mb: Mailbox, exists: int) -> tuple[dict[int, Seen], dict[int, str]]:
    """Every message of the selected mailbox, and the UIDs whose FETCH of BODY[] failed (with why).

    FETCH 1:* first; when that fails, message by message, and for a message whose body cannot be fetched,
    its flags and Message-ID from (FLAGS ENVELOPE), so that it still counts as present.
    """
    typ, data = conn.fetch("1:*", FULL_FETCH)
    if typ == "OK":
        seen, errors = parse_fetch(data)
        if not errors and len(seen) == exists:
            return seen, {}
        mb.notes.append(f"{mb.name}: FETCH 1:* gave {len(seen)} of {exists} messages, {errors[:3]}")
    else:
        mb.notes.append(f"{mb.name}: FETCH 1:* {FULL_FETCH} answered {typ} {data!r}; fetching one by one")
    typ, data = conn.uid("SEARCH", "ALL")
    ok(typ, data, "UID SEARCH ALL")
    seen, failed = {}, {}
    for uid in (int(x) for x in data[0].split()):
        typ, data = conn.uid("FETCH", str(uid), FULL_FETCH)
        if typ == "OK":
            one, errors = parse_fetch(data)
            if uid in one and not errors:
                seen[uid] = one[uid]
                continue
        failed[uid] = f"{typ} {data!r}"[:300]
        typ, data = conn.uid("FETCH", str(uid), "(UID FLAGS ENVELOPE)")
        text = flatten(data) if typ == "OK" else b""
        mid, f = OUR_MSGID.search(text), FETCH_FLAGS.search(text)
        flags = {x.lower() for x in f.group(1).decode("utf-8", "replace").split()} - {"\\recent"} if f else set()
        seen[uid] = Seen(mid.group(1).decode("ascii") if mid else "", "", -1, flags)
    return seen, failed


def verify(conn: imaplib.IMAP4_SSL, mb: Mailbox) -> None:
    """Compares what the restarted server shows with what was acknowledged; makes that the new expectation."""
    typ, data = conn.status(mb.name, "(UIDVALIDITY UIDNEXT MESSAGES)")
    if typ != "OK":
        for uid in mb.messages:
            mb.problem("lost_appends", f"mailbox gone ({typ} {data!r}): UID {uid} lost")
        mb.messages = {}
        return
    text = flatten(data)
    uidvalidity = int(re.search(rb"UIDVALIDITY (\d+)", text).group(1))
    uidnext = int(re.search(rb"UIDNEXT (\d+)", text).group(1))
    if uidvalidity != mb.uidvalidity:
        mb.problem("uid_problems", f"UIDVALIDITY {mb.uidvalidity} became {uidvalidity}")
    typ, data = conn.select(mb.name, readonly=True)
    ok(typ, data, f"EXAMINE {mb.name}")
    exists = int(data[0])
    seen, failed = fetch_all(conn, mb, exists) if exists else ({}, {})
    conn.close()

    for uid, why in sorted(failed.items()):
        if uid in mb.unreadable:
            mb.notes.append(f"{mb.name}: UID {uid} <{seen[uid].msgid}>: still cannot be fetched")
        else:
            mb.problem("fetch_errors", f"UID {uid} <{seen[uid].msgid}>: UID FETCH BODY.PEEK[]: {why}")
    mb.unreadable = set(failed)

    pending = mb.pending or (None, None)
    where = {s.msgid: uid for uid, s in seen.items() if s.msgid}
    for uid, m in mb.messages.items():
        s = seen.get(uid)
        if s is None:
            if pending == ("expunge", uid):
                continue  # the UID EXPUNGE in flight happened
            mb.problem("lost_appends", f"UID {uid} <{m.msgid}> is gone")
            if m.msgid in where:
                mb.problem("uid_problems", f"<{m.msgid}> acknowledged as UID {uid}, now UID {where[m.msgid]}")
        elif s.msgid not in (m.msgid, ""):
            mb.problem("lost_appends", f"UID {uid} <{m.msgid}> is gone")
            mb.problem("uid_problems", f"UID {uid} acknowledged for <{m.msgid}> now holds <{s.msgid}>")
        else:
            if s.digest and m.digest and (s.digest, s.size) != (m.digest, m.size):
                mb.problem("bad_content", f"UID {uid} <{m.msgid}>: {s.size} bytes, not the {m.size} appended")
            for flag in sorted(m.flags - s.flags):  # only acknowledged flags are in m.flags
                mb.problem("lost_flags", f"UID {uid}: acknowledged flag {flag} is not set")
    back = set()
    for uid in sorted(mb.expunged & seen.keys()):
        if seen[uid].msgid in (mb.handed_out.get(uid), ""):
            mb.problem("resurrected", f"UID {uid} <{seen[uid].msgid}> is back after its UID EXPUNGE was acknowledged")
            back.add(uid)
    for uid, s in sorted(seen.items()):
        if uid in mb.messages:
            continue
        if pending == ("append", s.msgid) and uid not in mb.handed_out:
            continue  # the APPEND in flight happened
        if uid in mb.handed_out and s.msgid not in (mb.handed_out[uid], ""):
            mb.problem("uid_problems", f"UID {uid} (APPENDUID for <{mb.handed_out[uid]}>) holds <{s.msgid}>")
        elif uid not in mb.expunged:
            mb.problem("unexpected", f"UID {uid} <{s.msgid}> was never acknowledged")
        if s.digest and s.msgid in mb.sent and (s.digest, s.size) != mb.sent[s.msgid]:
            mb.problem("bad_content", f"UID {uid} <{s.msgid}>: {s.size} bytes, not the {mb.sent[s.msgid][1]} appended")
    top = max([*mb.handed_out, *seen, 0])
    if uidnext <= top:
        mb.problem("uid_problems", f"UIDNEXT {uidnext} is not above UID {top}")

    # What the server shows now is what the next cut must keep.
    if pending[0] == "expunge" and pending[1] not in seen:
        mb.expunged.add(pending[1])
    mb.expunged -= back  # present again: counted once, expected from now on
    for uid, s in seen.items():
        mb.handed_out.setdefault(uid, s.msgid)
    mb.messages = {}
    for uid, s in seen.items():
        d, size = (s.digest, s.size) if s.digest else mb.sent.get(s.msgid, ("", -1))
        mb.messages[uid] = Msg(s.msgid or mb.handed_out[uid], d, size, set(s.flags))
    mb.uidvalidity = uidvalidity


# --------------------------------------------------------------------------- the run


class Run:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.rng = random.Random(args.seed)
        self.run_id = f"{args.seed:x}"
        self.workdir = tempfile.mkdtemp(prefix="powercut_", dir=args.workdir)
        os.makedirs(os.path.join(self.workdir, "logs"))
        try:
            self.fs = LazyFS(args.lazyfs, args.fusermount, self.workdir, args.lazyfs_config, args.cache_size,
                             args.fuse_single_thread)
        except HarnessError:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        self.data_dir = os.path.join(self.fs.mountpoint, "data")
        self.server: Postern | None = None
        self.starts = 0
        self.password = ""
        self.mailboxes = [Mailbox(i, f"powercut-{i:02d}") for i in range(args.clients)]
        self.totals = dict.fromkeys(COUNTERS, 0)
        self.acked = {"append": 0, "store": 0, "expunge": 0}
        self.found_problem = False
        self.failed = False  # the harness could not finish

    def start_server(self) -> Postern:
        self.starts += 1
        self.server = Postern(self.args.postern, self.data_dir,
                              os.path.join(self.workdir, "logs", f"postern-{self.starts}.log"),
                              self.args.imap_port, self.args.startup_timeout)
        self.server.wait_ready()
        return self.server

    def setup(self) -> None:
        log(f"work folder {self.workdir}, seed {self.args.seed}")
        self.fs.mount()
        server = self.start_server()
        if not server.password:
            raise HarnessError("first start printed no postmaster password")
        self.password = server.password
        self.first_startup = server.startup
        conn = imaps(server.ports["imaps"], self.password, self.args.io_timeout)
        for mb in self.mailboxes:
            ok(*conn.create(mb.name), f"CREATE {mb.name}")
            typ, data = conn.status(mb.name, "(UIDVALIDITY)")
            ok(typ, data, f"STATUS {mb.name}")
            mb.uidvalidity = int(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1))
        conn.logout()
        if not self.args.cut_first_start:
            server.stop()
            self.server = None
            fsync_tree(self.data_dir)
            log(f"setup: first start {server.startup:.1f} s, {len(self.mailboxes)} mailboxes, starting state fsynced")
            self.start_server()
            return
        server.freeze()
        self.fs.clear_cache()
        server.kill()
        server = self.remount_and_restart("cut after the first start")
        problems = []
        if server.password:
            problems.append("the server made its data folder again (it printed a new postmaster password)")
            self.password = server.password
        try:
            conn = imaps(server.ports["imaps"], self.password, self.args.io_timeout)
        except imaplib.IMAP4.error as e:
            self.found_problem = True
            raise HarnessError(f"cut after the first start: LOGIN fails: {e}; {problems}") from None
        for mb in self.mailboxes:
            typ, data = conn.status(mb.name, "(UIDVALIDITY)")
            m = re.search(rb"UIDVALIDITY (\d+)", flatten(data)) if typ == "OK" else None
            if not m:
                problems.append(f"{mb.name}: acknowledged CREATE lost ({typ} {data!r})")
                ok(*conn.create(mb.name), f"CREATE {mb.name}")
                typ, data = conn.status(mb.name, "(UIDVALIDITY)")
                m = re.search(rb"UIDVALIDITY (\d+)", flatten(data))
            elif int(m.group(1)) != mb.uidvalidity:
                problems.append(f"{mb.name}: UIDVALIDITY {mb.uidvalidity} became {m.group(1).decode()}")
            mb.uidvalidity = int(m.group(1))
        conn.logout()
        self.found_problem |= bool(problems)
        log(f"setup: first start {self.first_startup:.1f} s, {len(self.mailboxes)} mailboxes created, cut, "
            f"restart {server.startup:.1f} s: {len(problems)} problems")
        for line in problems[:self.args.show]:
            log(f"    {line}")

    def remount_and_restart(self, what: str) -> Postern:
        """After a cut: LazyFS mounted again (the kernel's caches dropped too), the server started on it."""
        self.fs.unmount()
        self.fs.mount()
        try:
            return self.start_server()
        except HarnessError as e:
            self.found_problem = True
            raise HarnessError(f"{what}: the server did not come back: {e}") from None

    def cut(self, n: int) -> None:
        args = self.args
        server = self.server
        assert server is not None
        for mb in self.mailboxes:
            mb.new_cut()
        stop = threading.Event()
        clients = [Client(mb, server.ports["imaps"], self.password, self.run_id, self.rng.getrandbits(64), stop,
                          args.io_timeout) for mb in self.mailboxes]
        for c in clients:
            c.start()
        run_for = self.rng.uniform(args.min_run, args.max_run)
        time.sleep(run_for)

        server.freeze()  # nothing more is acknowledged from here on
        stop.set()
        self.fs.clear_cache()  # the power cut
        time.sleep(0.5)  # let clients read answers that were already on the wire
        server.kill()
        errors = server.error_lines()
        for c in clients:
            c.join(args.io_timeout + 10)
        stuck = [c.name for c in clients if c.is_alive()]
        if stuck:
            raise HarnessError(f"clients did not stop: {stuck}")
        server = self.remount_and_restart(f"cut {n}")
        conn = imaps(server.ports["imaps"], self.password, args.io_timeout)
        for mb in self.mailboxes:
            verify(conn, mb)
        conn.logout()
        self.fs.check_alive(f"during the checks of cut {n}")
        errors += server.error_lines()  # the restart and the checks; the next cut reports the rest

        acked = {k: sum(mb.acked[k] for mb in self.mailboxes) for k in ("append", "store", "expunge")}
        in_flight = sum(1 for mb in self.mailboxes if mb.pending)
        found = {k: sum(mb.problems[k] for mb in self.mailboxes) for k in COUNTERS}
        for k in COUNTERS:
            self.totals[k] += found[k]
        for k in acked:
            self.acked[k] += acked[k]
        op_errors = [e for mb in self.mailboxes for e in mb.op_errors]
        log(f"cut {n:2}/{args.cuts}: {run_for:4.1f} s, acked {acked['append']} appends, {acked['store']} stores, "
            f"{acked['expunge']} expunges, {in_flight} in flight | "
            + ", ".join(f"{LABELS[k]} {found[k]}" for k in COUNTERS)
            + f" | restart {server.startup:.1f} s, {len(errors)} error lines in log, {len(op_errors)} op errors")
        notes = [note for mb in self.mailboxes for note in mb.notes]
        if any(found.values()):
            self.found_problem = True
        details = os.path.join(self.workdir, "logs", f"cut-{n}.txt")
        with open(details, "w") as f:
            f.write("".join(f"{line}\n" for line in notes + op_errors + errors))
        for group in (notes, op_errors, errors):
            for line in group[:args.show]:
                log(f"    {line}")
            if len(group) > args.show:
                log(f"    ... {len(group) - args.show} more (logs/cut-{n}.txt)")

    def execute(self) -> int:
        signal.alarm(self.args.timeout)
        self.setup()
        for n in range(1, self.args.cuts + 1):
            signal.alarm(self.args.timeout)
            self.cut(n)
            signal.alarm(0)
        log(f"total over {self.args.cuts} cuts: acked {self.acked['append']} appends, {self.acked['store']} stores, "
            f"{self.acked['expunge']} expunges | " + ", ".join(f"{LABELS[k]} {self.totals[k]}" for k in COUNTERS))
        return 1 if self.found_problem else 0

    def cleanup(self) -> None:
        signal.alarm(0)
        if self.server is not None:
            try:
                self.server.stop()
            except Exception as e:  # noqa: BLE001
                log(f"cleanup: stopping postern: {e}")
            self.server = None
        try:
            self.fs.unmount()
        except Exception as e:  # noqa: BLE001
            log(f"cleanup: unmounting: {e}")
        if self.fs.mounted():
            log(f"cleanup: {self.fs.mountpoint} is still mounted; keeping {self.workdir}")
        elif self.args.keep or self.found_problem or self.failed:
            log(f"kept {self.workdir} (backing files in backing/, logs in logs/)")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--postern", default=os.environ.get("POSTERN_BIN"),
                   help="the postern binary (default: $POSTERN_BIN)")
    p.add_argument("--lazyfs", default=os.environ.get("LAZYFS_BIN"), help="the lazyfs binary (default: $LAZYFS_BIN)")
    p.add_argument("--lazyfs-config", default=os.environ.get("LAZYFS_CONFIG"),
                   help="a LazyFS TOML config whose [faults] sets fifo_path and fifo_path_completed "
                        "(default: $LAZYFS_CONFIG, else one written into the work folder)")
    p.add_argument("--cache-size", default="1gb", help="LazyFS cache of the written config (default: 1gb)")
    p.add_argument("--fusermount", default=os.environ.get("FUSERMOUNT", "fusermount3"),
                   help="(default: $FUSERMOUNT, else fusermount3)")
    p.add_argument("--fuse-single-thread", action="store_true",
                   help="run LazyFS with FUSE's -s, one request at a time (avoids races inside LazyFS)")
    p.add_argument("--cuts", type=int, default=10, help="power cuts (default: 10)")
    p.add_argument("--clients", type=int, default=16, help="concurrent clients, one mailbox each (default: 16)")
    p.add_argument("--min-run", type=float, default=3.0, help="seconds of load before a cut, at least (default: 3)")
    p.add_argument("--max-run", type=float, default=8.0, help="seconds of load before a cut, at most (default: 8)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock; printed)")
    p.add_argument("--imap-port", type=int, default=0,
                   help="port of the STARTTLS listener, which the test does not use (default: 0, any)")
    p.add_argument("--startup-timeout", type=float, default=120.0,
                   help="seconds to wait for 'ready' (default: 120)")
    p.add_argument("--io-timeout", type=float, default=60.0, help="socket timeout of the clients (default: 60)")
    p.add_argument("--timeout", type=int, default=900, help="watchdog: seconds the setup or one cut may take "
                                                            "(default: 900)")
    p.add_argument("--workdir", default=os.environ.get("POWERCUT_WORKDIR"),
                   help="where the work folder is made (default: $POWERCUT_WORKDIR, else the temp folder)")
    p.add_argument("--cut-first-start", action="store_true",
                   help="instead of fsyncing the starting state, cut the power right after the first start and "
                        "the CREATEs, and check that the account and the mailboxes survived")
    p.add_argument("--keep", action="store_true",
                   help="keep the work folder (kept anyway when a problem was found or the harness failed)")
    p.add_argument("--show", type=int, default=5, help="findings printed per cut and kind (default: 5)")
    args = p.parse_args()
    for name in ("postern", "lazyfs"):
        path = getattr(args, name)
        if not path or not os.access(path, os.X_OK):
            p.error(f"--{name}: {path!r} is not an executable (give --{name} or set the environment variable)")
    if args.seed is None:
        args.seed = int(time.time() * 1000) % 1_000_000_007
    if not 0 < args.min_run <= args.max_run:
        p.error("need 0 < --min-run <= --max-run")
    if args.cuts < 1 or args.clients < 1:
        p.error("need at least one cut and one client")

    def interrupt(signum, _frame):
        raise Interrupted(signal.Signals(signum).name)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM):
        signal.signal(s, interrupt)
    run = None
    try:
        run = Run(args)
        return run.execute()
    except (HarnessError, Interrupted, Exception) as e:  # noqa: BLE001 - every exit path cleans up
        if isinstance(e, HarnessError):
            log(f"error: {e}")
        elif isinstance(e, Interrupted):
            log(f"stopped by {e} (SIGALRM: a cut took longer than --timeout)")
        else:
            log("error: " + "".join(traceback.format_exception(e)))
        if run is None:
            return 2
        run.failed = True
        return 1 if run.found_problem else 2
    finally:
        if run is not None:
            for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(s, signal.SIG_IGN)
            run.cleanup()


if __name__ == "__main__":
    sys.exit(main())
