"""End-to-end fixtures: start a real `postern serve` (or use an external server).

Environment:
  POSTERN_BIN    path of the postern binary (default <repo>/.build/debug/postern)
  E2E_EXTERNAL   host:imaps_port:imap_port:user:pass:user2:pass2:cafile
                 run the client tests against an already running server
                 (e.g. the reference Dovecot); tests marked `postern` (CLI,
                 first-start output, Postern-specific contract) are deselected.
  E2E_STARTUP_TIMEOUT  seconds to wait for `ready` (default 60)
"""
from __future__ import annotations

import imaplib
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rawimap import RawIMAP  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
POSTERN_BIN = os.environ.get("POSTERN_BIN", str(REPO / ".build" / "debug" / "postern"))
STARTUP_TIMEOUT = float(os.environ.get("E2E_STARTUP_TIMEOUT", "60"))
EXTERNAL = os.environ.get("E2E_EXTERNAL", "").strip()

ALICE, ALICE_PW = "alice", "Alice-pw 1!x"
BOB, BOB_PW = "bob", "b0b-Secret_pw"


def pytest_collection_modifyitems(config, items):
    if not EXTERNAL:
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker("postern") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# --------------------------------------------------------------------------- process


class PosternProcess:
    """A running `postern serve`, its output captured line by line."""

    def __init__(self, data_dir: Path, extra_args: list[str] | None = None,
                 imaps: str = "127.0.0.1:0", imap: str = "127.0.0.1:0", managesieve: str = "127.0.0.1:0"):
        require_binary()
        self.data_dir = Path(data_dir)
        # ManageSieve listens on 127.0.0.1:4190 unless told otherwise: each test server takes a free port.
        self.args = [POSTERN_BIN, "serve", "--data-dir", str(data_dir), "--imaps", imaps,
                     "--imap", imap, "--managesieve", managesieve, "--log-level", "debug"] + (extra_args or [])
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._cond = threading.Condition()
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        self._threads = [threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout), daemon=True),
                         threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr), daemon=True)]
        for t in self._threads:
            t.start()
        self.ports: dict[str, int] = {}
        self.lmtp_socket: str | None = None

    def _pump(self, stream, sink: list[str]) -> None:
        for raw in iter(stream.readline, b""):
            with self._cond:
                sink.append(raw.decode("utf-8", "replace").rstrip("\r\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def output(self) -> str:
        with self._cond:
            return ("--- stdout ---\n" + "\n".join(self.stdout) +
                    "\n--- stderr (last 200 lines) ---\n" + "\n".join(self.stderr[-200:]))

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if any(l.strip() == "ready" for l in self.stdout):
                    break
                if self.proc.poll() is not None:
                    # let the pumps drain
                    self._cond.wait(0.2)
                    raise RuntimeError(f"postern exited with {self.proc.returncode} before 'ready'\n"
                                       f"{' '.join(self.args)}\n" + self._output_unlocked())
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(f"postern did not print 'ready' within {timeout}s\n" + self._output_unlocked())
                self._cond.wait(min(left, 0.5))
            for l in self.stdout:
                l = l.strip()
                if l.startswith("lmtp-socket: "):
                    self.lmtp_socket = l.split(" ", 1)[1]
                if l.startswith("listening:"):
                    # listening: imaps 127.0.0.1:PORT
                    parts = l.split()
                    if len(parts) != 3 or ":" not in parts[2]:
                        raise RuntimeError(f"malformed listening line {l!r}\n" + self._output_unlocked())
                    self.ports[parts[1]] = int(parts[2].rsplit(":", 1)[1])
        return self.ports

    def _output_unlocked(self) -> str:
        return ("--- stdout ---\n" + "\n".join(self.stdout) +
                "\n--- stderr (last 200 lines) ---\n" + "\n".join(self.stderr[-200:]))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int | None:
        """Stop the server (if it still runs) and collect the rest of its output; returns its exit
        status (None if it had to be killed)."""
        try:
            if self.proc.poll() is not None:
                return self.proc.returncode
            self.proc.send_signal(sig)
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            return None
        finally:
            for t in self._threads:
                t.join(2)


def require_binary() -> None:
    if not os.path.isfile(POSTERN_BIN) or not os.access(POSTERN_BIN, os.X_OK):
        pytest.fail(f"postern binary not found or not executable at {POSTERN_BIN} "
                    "(build it, or set POSTERN_BIN, or E2E_EXTERNAL to test another server)")


def run_cli(*args: str, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    require_binary()
    return subprocess.run([POSTERN_BIN, *args], input=input, capture_output=True, text=True, timeout=timeout)


def add_user(data_dir: Path, name: str, password: str) -> None:
    r = run_cli("user", "add", name, "--password-stdin", "--data-dir", str(data_dir), input=password + "\n")
    if r.returncode != 0:
        raise RuntimeError(f"user add {name} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")


# --------------------------------------------------------------------------- server object


@dataclass
class Server:
    host: str
    imaps_port: int
    imap_port: int | None
    cafile: str
    user: str
    password: str
    user2: str
    password2: str
    external: bool
    data_dir: Path | None = None
    process: PosternProcess | None = None
    extra: dict = field(default_factory=dict)

    def ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.cafile)
        return ctx

    def imaps(self, user: str | None = None, password: str | None = None, login: bool = True,
              timeout: float = 20) -> imaplib.IMAP4_SSL:
        m = imaplib.IMAP4_SSL(self.host, self.imaps_port, ssl_context=self.ssl_context(), timeout=timeout)
        if login:
            m.login(user or self.user, password if password is not None else self.password)
        return m

    def imaps2(self) -> imaplib.IMAP4_SSL:
        return self.imaps(self.user2, self.password2)

    def raw(self, tls: bool = True, login: bool = False, user: str | None = None,
            password: str | None = None, timeout: float = 20) -> RawIMAP:
        if tls:
            c = RawIMAP.connect_tls(self.host, self.imaps_port, cafile=self.cafile, timeout=timeout)
        else:
            assert self.imap_port, "cleartext listener not available"
            c = RawIMAP.connect_plain(self.host, self.imap_port, timeout=timeout)
        if login:
            c.login(user or self.user, password if password is not None else self.password)
        return c

    def diagnostics(self) -> str:
        return self.process.output() if self.process else "(external server)"


def _parse_external(spec: str) -> Server:
    parts = spec.split(":")
    if len(parts) < 8:
        raise pytest.UsageError("E2E_EXTERNAL must be host:imaps_port:imap_port:user:pass:user2:pass2:cafile")
    host, imaps_port, imap_port, user, pw, user2, pw2 = parts[:7]
    cafile = ":".join(parts[7:])
    return Server(host=host, imaps_port=int(imaps_port), imap_port=int(imap_port) if imap_port else None,
                  cafile=cafile, user=user, password=pw, user2=user2, password2=pw2, external=True)


@pytest.fixture(scope="session")
def server():
    if EXTERNAL:
        yield _parse_external(EXTERNAL)
        return
    tmp = tempfile.TemporaryDirectory(prefix="postern-e2e-")
    data_dir = Path(tmp.name) / "data"
    data_dir.mkdir()
    add_user(data_dir, ALICE, ALICE_PW)
    add_user(data_dir, BOB, BOB_PW)
    # The tests share one server and all connect from loopback; many try wrong passwords on purpose. The
    # login throttle would lock loopback out after ten of them, so this server trusts it (the throttle's
    # and the limits' own tests, test_throttle.py and test_limits.py, start servers that do not).
    config = Path(tmp.name) / "postern.toml"
    config.write_text('trusted_networks = ["127.0.0.0/8", "::1"]\n')
    proc = PosternProcess(data_dir, ["--config", str(config)])
    try:
        ports = proc.wait_ready()
        if "imaps" not in ports or "imap" not in ports:
            raise RuntimeError(f"expected imaps and imap listening lines, got {ports}\n" + proc.output())
        cafile = data_dir / "tls" / "cert.pem"
        if not cafile.is_file():
            raise RuntimeError(f"{cafile} missing after startup\n" + proc.output())
        srv = Server(host="127.0.0.1", imaps_port=ports["imaps"], imap_port=ports["imap"], cafile=str(cafile),
                     user=ALICE, password=ALICE_PW, user2=BOB, password2=BOB_PW, external=False,
                     data_dir=data_dir, process=proc)
        yield srv
    except Exception as e:
        proc.stop()
        tmp.cleanup()
        pytest.fail(f"could not start postern: {e}", pytrace=False)
    else:
        rc = proc.stop()
        tmp.cleanup()
        if proc.proc.poll() is None:  # pragma: no cover - paranoia
            proc.proc.kill()


@pytest.fixture
def mbox(request, server):
    """A mailbox name unique to this test (tests never share mailbox state).
    Mailboxes starting with it are deleted afterwards (best effort)."""
    base = "".join(ch for ch in request.node.name if ch.isalnum())[:24]
    name = f"e2e-{base}-{uuid.uuid4().hex[:8]}"
    yield name
    cleanup_mailboxes(server, name)


def cleanup_mailboxes(server, prefix: str) -> None:
    from helpers import list_names, quote
    try:
        m = server.imaps(timeout=10)
    except Exception:
        return
    try:
        names = list_names(m, '""', quote(prefix + "*"))
        for n in sorted(names, key=lambda x: -x.count("/")):
            m.delete(quote(n))
    except Exception:
        pass
    finally:
        try:
            m.logout()
        except Exception:
            pass


@pytest.fixture
def imap(server):
    m = server.imaps()
    yield m
    try:
        m.logout()
    except Exception:
        pass


@pytest.fixture
def raw(server):
    c = server.raw(login=True)
    yield c
    c.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the tail of the server's output to the report."""
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and "server" in getattr(item, "fixturenames", ()):
        try:
            srv = item.funcargs.get("server")
            if srv is not None and srv.process is not None:
                rep.sections.append(("postern output", srv.process.output()[-8000:]))
        except Exception:
            pass
