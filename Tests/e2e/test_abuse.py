"""A real `postern serve` under attack (Postern only): password guessing over parallel connections, connection
floods, slow clients, oversized literals, deeply nested SEARCH and 100,000 pipelined commands. Each test runs a
canary beside the attack, a logged-in session from an address of its own that keeps sending NOOP, SELECT and
FETCH: it must keep getting prompt answers. Every test starts a server of its own that does not trust
loopback, so the defences are on; attackers and bystanders pick distinct addresses from 127.0.0.0/8."""
from __future__ import annotations

import select
import socket
import ssl
import threading
import time

import pytest

from helpers import connect_from, own_server, timed_login
from rawimap import ConnectionClosed, RawIMAP, make_context

pytestmark = pytest.mark.postern

VICTIM, VICTIM_PW = "victim", "victim-pw 1"
OTHER, OTHER_PW = "other", "other-pw 2"
CANARY, CANARY_PW = "canary", "canary-pw 3"
USERS = {VICTIM: VICTIM_PW, OTHER: OTHER_PW, CANARY: CANARY_PW}
CANARY_ADDRESS = "127.0.9.9"

# The canary's bound. Its commands take milliseconds on an idle server; the margin is for a loaded 2-core
# machine (the attack, the server and other builds share it).
CANARY_MAX_LATENCY = 2.0


class Canary:
    """A logged-in session from CANARY_ADDRESS sending NOOP, SELECT INBOX and FETCH 1:* in a loop (a short pause
    after each), timing every answer. Use as a context manager around the attack, then `check()`."""

    COMMANDS = ("NOOP", "SELECT INBOX", "FETCH 1:* (FLAGS UID RFC822.SIZE)")

    def __init__(self, port: int, cafile: str, pause: float = 0.05):
        self.pause = pause
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self.conn = connect_from(CANARY_ADDRESS, port, cafile)
        self.conn.login(CANARY, CANARY_PW)
        for i in range(2):
            r = self.conn.command_with_literal(f"p{i}", "APPEND INBOX", b"Subject: canary\r\n\r\nstill here\r\n")
            assert r.status == "OK", r
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            command = self.COMMANDS[n % len(self.COMMANDS)]
            n += 1
            start = time.monotonic()
            try:
                r = self.conn.command(f"k{n} {command}", timeout=30)
            except (ConnectionClosed, TimeoutError, OSError) as e:
                self.errors.append(f"{command}: {e!r}"[:300])
                return
            self.latencies.append(time.monotonic() - start)
            if r.status != "OK":
                self.errors.append(f"{command}: {r}"[:300])
            self._stop.wait(self.pause)

    def __enter__(self) -> "Canary":
        self.started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(40)
        self.seconds = time.monotonic() - self.started
        self.conn.close()

    def check(self) -> None:
        """No error, answers all along (at least 2 a second: a command answered within the bound every time
        would give 15), none slower than CANARY_MAX_LATENCY."""
        assert not self.errors, self.errors
        assert len(self.latencies) >= 2 * self.seconds, (len(self.latencies), self.seconds)
        assert max(self.latencies) < CANARY_MAX_LATENCY, sorted(self.latencies)[-5:]


def server_rss_kib(p) -> int:
    with open(f"/proc/{p.proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def shut(sock) -> None:
    """Unblock a thread reading `sock` (an attacker told to stop)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


# --------------------------------------------------------------------------- 1. password guessing


ATTACKER = "127.0.1.1"
ATTACK_CONNECTIONS = 8


class Guesser:
    """ATTACK_CONNECTIONS threads from ATTACKER sending LOGIN VICTIM with wrong passwords, one at a time per
    connection, reconnecting whenever the server closes. All connections are opened before the first guess,
    then guess together (an attacker's best start). Records (time, kind) per answer: "checked" (NO
    [AUTHENTICATIONFAILED]: a password was checked), "refused" (NO [UNAVAILABLE]), or the tagged line."""

    def __init__(self, port: int, cafile: str):
        self.port, self.cafile = port, cafile
        self.answers: list[tuple[float, str]] = []
        self.closed_unanswered = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.barrier = threading.Barrier(ATTACK_CONNECTIONS + 1)
        self.socks: set = set()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(ATTACK_CONNECTIONS)]

    def start(self) -> None:
        for t in self.threads:
            t.start()
        self.barrier.wait(60)
        self.t0 = time.monotonic()

    def _connect(self) -> RawIMAP | None:
        try:
            c = connect_from(ATTACKER, self.port, self.cafile, timeout=120)
        except (OSError, ConnectionClosed, TimeoutError):
            return None
        with self.lock:
            self.socks.add(c.sock)
        return c

    def _run(self, n: int) -> None:
        c = self._connect()
        self.barrier.wait(60)
        i = 0
        while not self.stop.is_set():
            if c is None:
                c = self._connect()
                if c is None:
                    self.stop.wait(0.05)
                    continue
            try:
                while not self.stop.is_set():
                    i += 1
                    r = c.command(f'g{n}x{i} LOGIN "{VICTIM}" "wrong-{n}-{i}"', timeout=120)
                    now = time.monotonic()
                    if r.tagged is not None:
                        line = r.tagged.raw.decode(errors="replace").strip()
                        kind = ("checked" if "[AUTHENTICATIONFAILED]" in line
                                else "refused" if "[UNAVAILABLE]" in line else line)
                        with self.lock:
                            self.answers.append((now - self.t0, kind))
                    if r.tagged is None or r.bye():
                        break
            except (ConnectionClosed, TimeoutError, OSError):
                with self.lock:
                    self.closed_unanswered += 1
            finally:
                with self.lock:
                    self.socks.discard(c.sock)
                c.close()
                c = None

    def finish(self) -> list[tuple[float, str]]:
        self.stop.set()
        with self.lock:
            for s in self.socks:
                shut(s)
        for t in self.threads:
            t.join(30)
        assert not any(t.is_alive() for t in self.threads)
        with self.lock:
            return sorted(self.answers)


def test_password_guessing_over_parallel_connections(tmp_path):
    """ATTACK_CONNECTIONS parallel connections from one address guess a password. Once the address has failed 10
    times it gets at most 6 answers in the next 30 s; meanwhile another account logs in from another address in
    under 1 s, the attacked account's owner from a third address within 5 s, and the canary is served."""
    with own_server(tmp_path, USERS) as (p, port, _, cafile):
        probes: list[tuple[str, float, str]] = []
        with Canary(port, cafile) as canary:
            guesser = Guesser(port, cafile)
            guesser.start()
            # Until 30 s after the address's 10th failure; if it has not failed 10 times 45 s in (a stricter
            # throttle), the run ends there.
            deadline, n = guesser.t0 + 80, 0
            while time.monotonic() < deadline:
                time.sleep(max(0.0, min(7.5, deadline - time.monotonic())))
                n += 1
                for who, source, user, password in (("other", "127.0.1.2", OTHER, OTHER_PW),
                                                    ("owner", "127.0.1.3", VICTIM, VICTIM_PW)):
                    with connect_from(source, port, cafile) as c:
                        took, answer = timed_login(c, f"b{n}", user, password)
                    probes.append((who, round(took, 3), answer[:20]))
                with guesser.lock:
                    checked = [t for t, kind in guesser.answers if kind == "checked"]
                if len(checked) >= 10:
                    deadline = min(deadline, guesser.t0 + sorted(checked)[9] + 30.5)
                elif time.monotonic() - guesser.t0 >= 45:
                    break
            answers = guesser.finish()
            end = time.monotonic() - guesser.t0
        canary.check()
    summary = f"answers {[(round(t, 1), k) for t, k in answers]}, probes {probes}"
    assert all(kind in ("checked", "refused") for _, kind in answers), summary
    checked = [t for t, kind in answers if kind == "checked"]
    # The policy's pace for one address: 3 free tries, then 1, 2, 4, 8, 16 and 30 s apart; every connection's
    # first guess is made before any failure is known, so the run may check up to ATTACK_CONNECTIONS + 3.
    assert len(checked) <= ATTACK_CONNECTIONS + 3, summary
    if len(checked) >= 10:
        t10 = checked[9]
        assert end >= t10 + 30, summary
        after = [t for t, _ in answers if t10 < t <= t10 + 30]
        assert len(after) <= 6, summary
    for who, took, answer in probes:
        assert answer.startswith("b") and " OK " in answer, summary
        assert took < (1.0 if who == "other" else 5.0), summary
    assert len(probes) >= 10, summary


def test_a_burst_of_first_guesses_is_throttled(tmp_path):
    """20 connections from a fresh address send their first guess at the same moment. Attempts still being
    checked count as failures for the address's queue, so the burst is answered like consecutive guesses: 3
    free, the 4th at once too (it sets the next one 1 s later), the 5th after 1 s, the 6th after 3 s: at most
    5 answers within 2 s."""
    with own_server(tmp_path, USERS) as (p, port, _, cafile):
        conns = [connect_from("127.0.1.4", port, cafile, timeout=90) for _ in range(20)]
        try:
            start = time.monotonic()
            for i, c in enumerate(conns):
                c.sendline(f'x{i} LOGIN "{VICTIM}" "wrong-{i}"')
            checked = []

            def read(i: int, c: RawIMAP) -> None:
                try:
                    r = c.read_until_tagged(f"x{i}", timeout=2)
                except (ConnectionClosed, TimeoutError, OSError):
                    return
                if r.code == "AUTHENTICATIONFAILED":
                    checked.append(time.monotonic() - start)

            readers = [threading.Thread(target=read, args=(i, c)) for i, c in enumerate(conns)]
            for t in readers:
                t.start()
            for t in readers:
                t.join(10)
        finally:
            for c in conns:
                c.close()
    assert 4 <= len(checked) <= 5, sorted(checked)


# --------------------------------------------------------------------------- 2. connection flood


FLOOD_CONFIG = ("max_connections = 12\nmax_connections_per_address = 4\nmax_sessions_per_account_address = 2\n")


def flood(sources: list[str], port: int, cafile: str) -> tuple[list[RawIMAP], list[str]]:
    """Connections from each of `sources`, all opened at once (a thread each): those greeted with OK, and the
    greeting of every other one."""
    held, refused, lock = [], [], threading.Lock()
    barrier = threading.Barrier(len(sources))

    def one(source: str) -> None:
        barrier.wait(30)
        c = connect_from(source, port, cafile)
        with lock:
            if c.greeting.raw.startswith(b"* OK"):
                held.append(c)
                return
            refused.append(c.greeting.text)
        c.close()

    threads = [threading.Thread(target=one, args=(s,)) for s in sources]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(held) + len(refused) == len(sources), (len(held), refused)
    return held, refused


def test_connection_flood_is_refused_at_each_limit(tmp_path):
    """Floods past max_connections_per_address (4) and max_connections (12), then more logins than
    max_sessions_per_account_address (2): every refused connection is greeted with `* BYE` and its reason,
    exactly the places the limits leave are taken, and the sessions already open go on undisturbed."""
    with own_server(tmp_path, USERS, FLOOD_CONFIG) as (p, port, _, cafile):
        bystander = connect_from("127.0.2.9", port, cafile)
        held = []
        try:
            assert bystander.login(OTHER, OTHER_PW).status == "OK"
            with Canary(port, cafile) as canary:  # with the bystander: 2 of the 12 places
                # One address opens 20 connections at once: 4 are served.
                got, refused = flood(["127.0.2.1"] * 20, port, cafile)
                held += got
                assert len(got) == 4, refused
                assert all(r.startswith("* BYE Too many connections from your address (4)") for r in refused), refused
                # Three more addresses, 10 connections each at once: the 6 places left are taken.
                got, refused = flood(["127.0.2.2", "127.0.2.3", "127.0.2.4"] * 10, port, cafile)
                held += got
                assert len(got) == 6, refused
                assert all(r.startswith(("* BYE Too many connections to this server (12)",
                                         "* BYE Too many connections from your address (4)")) for r in refused)
                assert any(r.startswith("* BYE Too many connections to this server (12)") for r in refused)
                # Four of the first address's connections log in to one account at once: 2 sessions are allowed.
                first = [c for c in held if c.sock.getsockname()[0] == "127.0.2.1"]
                answers: list[str] = []
                lock = threading.Lock()

                def login(i: int, c: RawIMAP) -> None:
                    r = c.command(f'l{i} LOGIN "{VICTIM}" "{VICTIM_PW}"')
                    with lock:
                        answers.append(f"{r.status} limit={r.code == 'LIMIT'} bye={r.bye()}")

                threads = [threading.Thread(target=login, args=(i, c)) for i, c in enumerate(first)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(30)
                assert sorted(answers) == ["NO limit=True bye=True"] * 2 + ["OK limit=False bye=False"] * 2, answers
                # The sessions already open were not disturbed.
                assert bystander.command("n1 NOOP").status == "OK"
                alive = [c for c in held if c not in first]
                assert all(c.command(f"n{i} NOOP").status == "OK" for i, c in enumerate(alive))
        finally:
            for c in held:
                c.close()
            bystander.close()
        canary.check()
    log = p.output()
    assert log.count("connection refused") == 16 + 24, log[-3000:]


# --------------------------------------------------------------------------- 3. slow clients


PREAUTH_TIMEOUT = 10  # the shortest idle_timeout_preauth the server accepts


def client_hello() -> bytes:
    """The bytes of a real TLS ClientHello (never completed: the server's answer is never read)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = make_context(None).wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = outgoing.read()
    assert hello[:1] == b"\x16", hello[:10]
    return hello


def test_slow_clients_are_closed_at_the_preauth_timeout(tmp_path):
    """Clients that send a command line a byte a second and never end it (over TLS and in cleartext), and
    clients that send their TLS ClientHello a byte a second, are all closed by the pre-login idle timeout:
    bytes that complete nothing do not count as activity. Meanwhile new clients log in at once."""
    config = f"idle_timeout_preauth = {PREAUTH_TIMEOUT}\n"
    with own_server(tmp_path, USERS, config) as (p, port, imap_port, cafile):
        slow: list[tuple[str, object]] = []
        for _ in range(6):
            slow.append(("line over TLS", connect_from("127.0.3.1", port, cafile)))
        for _ in range(6):
            raw = socket.create_connection(("127.0.0.1", imap_port), timeout=30, source_address=("127.0.3.2", 0))
            c = RawIMAP(raw)
            c.greeting = c.read_line()
            assert c.greeting.raw.startswith(b"* OK"), c.greeting
            slow.append(("line in cleartext", c))
        hello = client_hello()
        for _ in range(6):
            slow.append(("TLS handshake", socket.create_connection(("127.0.0.1", port), timeout=30,
                                                                   source_address=("127.0.3.3", 0))))
        start = time.monotonic()
        line = f'a1 LOGIN "{VICTIM}" "{VICTIM_PW}"'.encode()
        closed: dict[int, tuple[float, bytes]] = {}
        received: dict[int, bytes] = {i: b"" for i in range(len(slow))}
        logins: list[float] = []
        with Canary(port, cafile) as canary:
            sent = 0
            while len(closed) < len(slow) and time.monotonic() - start < PREAUTH_TIMEOUT + 15:
                for i, (kind, c) in enumerate(slow):
                    if i in closed:
                        continue
                    data = (hello if kind == "TLS handshake" else line)[sent:sent + 1]
                    try:
                        (c.send(data) if kind != "TLS handshake" else c.sendall(data))
                    except OSError:
                        pass
                sent += 1
                until = time.monotonic() + 1
                while time.monotonic() < until:
                    open_ = {i: (c.sock if isinstance(c, RawIMAP) else c) for i, (_, c) in enumerate(slow)
                             if i not in closed}
                    ready, _, _ = select.select(list(open_.values()), [], [], max(0.0, until - time.monotonic()))
                    for i, s in open_.items():
                        if s not in ready:
                            continue
                        try:
                            s.settimeout(0.5)
                            chunk = s.recv(4096)
                        except ssl.SSLWantReadError:
                            continue
                        except (OSError, ssl.SSLError):
                            chunk = b""
                        if chunk:
                            received[i] += chunk
                        else:
                            closed[i] = (time.monotonic() - start, received[i])
                if sent % 3 == 0:  # a new client every 3 s logs in at once
                    with connect_from("127.0.3.4", port, cafile) as c:
                        took, answer = timed_login(c, "n1", OTHER, OTHER_PW)
                        assert " OK " in answer, answer
                        logins.append(took)
        for _, c in slow:
            c.close()
        canary.check()
    summary = {i: (slow[i][0], closed.get(i)) for i in range(len(slow))}
    assert len(closed) == len(slow), summary
    for i, (kind, _) in enumerate(slow):
        at, got = closed[i]
        # The timeout counts from the greeting (or the start of the handshake), a little before `start`.
        assert PREAUTH_TIMEOUT - 2 <= at <= PREAUTH_TIMEOUT + 4, summary
        if kind == "TLS handshake":
            assert b"OK" not in got, summary
        else:
            assert got.startswith(b"* BYE"), summary
    assert len(logins) >= 3 and max(logins) < 1.0, logins


# --------------------------------------------------------------------------- 4. oversized literals


def test_literals_over_the_limits(tmp_path):
    """Literals just over the limits (8 KB outside APPEND, max_message_size for APPEND) are refused without a
    continuation and the connection stays usable; a refused non-synchronizing literal's bytes are skipped, never
    run as commands; one too large to skip (over 1 MB outside APPEND) ends the connection with BYE."""
    with own_server(tmp_path, USERS, "max_message_size = 1048576\n") as (p, port, _, cafile):
        with Canary(port, cafile) as canary:
            c = connect_from("127.0.4.1", port, cafile)
            # Before login: a password literal over 8 KB.
            r = c.command(f'a1 LOGIN "{VICTIM}" {{8193}}', stop_at_continuation=True)
            assert r.continuation is None and r.status == "BAD", r
            assert c.command("a2 NOOP").status == "OK"
            c.login(VICTIM, VICTIM_PW)
            assert c.command("a3 SELECT INBOX").status == "OK"
            # 8 KB is allowed, one byte more is not.
            r = c.command_with_literal("a4", "SEARCH TEXT", b"x" * 8192)
            assert r.status == "OK", r
            r = c.command("a5 SEARCH TEXT {8193}", stop_at_continuation=True)
            assert r.continuation is None and r.status == "BAD", r
            # A refused non-synchronizing literal made of command lines: skipped, none of them run.
            c.send(b"a6 SEARCH TEXT {9000+}\r\n" + (b"z NOOP\r\n" * 1125) + b"\r\n")
            r = c.read_until_tagged("a6")
            assert r.status == "BAD", r
            r = c.command("a7 NOOP")
            assert r.status == "OK" and not any(b"z " in l.raw for l in r.lines), r
            # APPEND over max_message_size: NO [TOOBIG] without a continuation.
            r = c.command("a8 APPEND INBOX {1048577}", stop_at_continuation=True)
            assert r.continuation is None and r.status == "NO" and r.code == "TOOBIG", r
            assert c.command("a9 NOOP").status == "OK"
            # Too large to skip, outside APPEND (over 1 MB) or as an APPEND message (over max_message_size): the
            # connection ends with BYE.
            c.sendline(b"a10 SEARCH TEXT {2000000+}")
            r = c.read_until_tagged("a10")
            assert r.tagged is None and r.bye(), r
            c.close()
            c = connect_from("127.0.4.1", port, cafile)
            c.login(VICTIM, VICTIM_PW)
            c.sendline(b"a11 APPEND INBOX {1048577+}")
            r = c.read_until_tagged("a11")
            assert r.status == "NO" and r.code == "TOOBIG", r
            r = c.read_until_tagged("a12")
            assert r.tagged is None and r.bye(), r
            c.close()
            with connect_from("127.0.4.1", port, cafile) as c:
                c.login(VICTIM, VICTIM_PW)
                r = c.command("a13 STATUS INBOX (MESSAGES)")
                assert r.status == "OK" and b"MESSAGES 0" in r.untagged[0].raw, r
        canary.check()


# --------------------------------------------------------------------------- 5. nested SEARCH


def test_search_nesting_over_the_limit(tmp_path):
    """SEARCH keys nest (parentheses, NOT, OR) up to 64 levels: 64 are answered, 65 and far more (up to the
    64 KB line) are BAD at once, and the connection goes on."""
    with own_server(tmp_path, USERS) as (p, port, _, cafile):
        with Canary(port, cafile) as canary:
            c = connect_from("127.0.5.1", port, cafile)
            c.login(VICTIM, VICTIM_PW)
            for i in range(3):
                r = c.command_with_literal(f"a{i}", "APPEND INBOX (\\Seen)" if i else "APPEND INBOX",
                                           b"Subject: x\r\n\r\nx\r\n")
                assert r.status == "OK", r
            assert c.command("s1 SELECT INBOX").status == "OK"

            def nested(kind: str, levels: int) -> str:
                """SEARCH keys `levels` deep, matching the seen messages (2 and 3)."""
                if kind == "paren":
                    return "(" * (levels - 1) + "SEEN" + ")" * (levels - 1)
                if kind == "not":
                    return "NOT " * (levels - 1) + ("SEEN" if levels % 2 else "UNSEEN")
                return "OR DELETED " * (levels - 1) + "SEEN"

            # Far over the limit, as deep as a 64 KB line allows.
            for kind, far in (("paren", 30_000), ("not", 15_000), ("or", 5_000)):
                r = c.command(f"k1 SEARCH {nested(kind, 64)}")
                assert r.status == "OK" and r.untagged[0].text == "* SEARCH 2 3", (kind, r)
                for levels in (65, far):
                    start = time.monotonic()
                    r = c.command(f"k2 UID SEARCH {nested(kind, levels)}")
                    assert r.status == "BAD" and "nested too deeply" in r.tagged.text, (kind, levels, r)
                    assert time.monotonic() - start < 2, (kind, levels)
                assert c.command("k3 NOOP").status == "OK"
            # Mixed nesting, with NOT and OR inside parentheses.
            assert c.command("k4 SEARCH " + "(NOT OR SEEN " * 30 + "ALL" + ")" * 30).status == "BAD"
            c.close()
        canary.check()
        assert p.proc.poll() is None


# --------------------------------------------------------------------------- 6. pipelining


PIPELINED = 100_000
PIPELINE_COMMANDS = ("NOOP", "FETCH 1 (FLAGS)", "UID SEARCH SEEN", "CHECK")


def test_100000_pipelined_commands(tmp_path):
    """100,000 cheap commands written as fast as the server takes them, without waiting for answers: every one
    is answered, in order, while the server's resident memory stays bounded and the canary is served."""
    with own_server(tmp_path, USERS) as (p, port, _, cafile):
        c = connect_from("127.0.6.1", port, cafile, timeout=60)
        c.login(VICTIM, VICTIM_PW)
        assert c.command_with_literal("a1", "APPEND INBOX (\\Seen)", b"Subject: x\r\n\r\nx\r\n").status == "OK"
        assert c.command("a2 SELECT INBOX").status == "OK"
        baseline = server_rss_kib(p)
        peak = [baseline]
        out = bytearray(b"".join(f"p{i} {PIPELINE_COMMANDS[i % len(PIPELINE_COMMANDS)]}\r\n".encode()
                                 for i in range(PIPELINED)))

        def sample(stop: threading.Event) -> None:
            while not stop.wait(0.2):
                peak[0] = max(peak[0], server_rss_kib(p))

        with Canary(port, cafile) as canary:
            stop = threading.Event()
            sampler = threading.Thread(target=sample, args=(stop,), daemon=True)
            sampler.start()
            start = time.monotonic()
            # One thread writes and reads (an SSL socket must not be used by two threads at once): it writes
            # whenever the server takes more, without waiting for answers, and reads whatever has come. The
            # answers to these commands have no literals: every tagged line must be the OK of the next
            # command in order.
            answered, pending = 0, c.buf
            c.sock.setblocking(False)
            try:
                while answered < PIPELINED:
                    readable, writable, _ = select.select([c.sock], [c.sock] if out else [], [], 60)
                    assert readable or writable or c.sock.pending(), f"no progress for 60 s after {answered}"
                    if writable and out:
                        try:
                            del out[:c.sock.send(out[:16384])]
                        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                            pass
                    if not (readable or c.sock.pending()):
                        continue
                    try:
                        chunk = c.sock.recv(1 << 16)
                    except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                        continue
                    assert chunk, f"closed after {answered} answers"
                    lines = (pending + chunk).split(b"\r\n")
                    pending = lines.pop()
                    for line in lines:
                        if line.startswith(b"* "):
                            continue
                        assert line.startswith(b"p%d OK " % answered), (answered, line[:200])
                        answered += 1
            finally:
                took = time.monotonic() - start
                stop.set()
                sampler.join(5)
        c.close()
        canary.check()
    assert answered == PIPELINED
    # Unread input is held at 256 KB a connection; the answers go out as the client reads them.
    assert peak[0] - baseline < 64 * 1024, (baseline, peak[0], took)
