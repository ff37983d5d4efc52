"""IDLE (RFC 2177, RFC 9051 section 6.3.13): changes made by other sessions are pushed to an
idling client without it polling; DONE ends IDLE; pipelining after DONE; push latency."""
from __future__ import annotations

import json
import os
import re
import statistics
import threading
import time

import pytest

from exthelpers import fetch_map, make_message, quote, raw_append, raw_session, read_until, require_caps

LATENCY_FILE = os.environ.get("E2E_IDLE_LATENCY_FILE", "/tmp/postern-e2e-idle-latency.json")


@pytest.fixture(autouse=True)
def _caps(server):
    require_caps(server, "IDLE")


@pytest.fixture
def box(server, mbox):
    """mbox with 3 messages; yields (name, writer connection B)."""
    b = raw_session(server)
    r = b.command(f"b0 CREATE {quote(mbox)}")
    assert r.status == "OK", r
    for i in range(3):
        assert raw_append(b, mbox, make_message(f"idle {i}")).status == "OK"
    yield mbox, b
    b.close()


def start_idle(c, tag="i1"):
    c.sendline(f"{tag} IDLE")
    r = c.read_until_tagged(tag, stop_at_continuation=True, timeout=10)
    assert r.continuation is not None, f"IDLE not accepted with '+': {r}"
    return r


def done(c, tag="i1"):
    c.sendline("DONE")
    r = c.read_until_tagged(tag, timeout=10)
    assert r.status == "OK", f"DONE must end IDLE with tagged OK: {r}"
    return r


def test_idle_pushes_exists_flags_expunge(server, box):
    mbox, b = box
    a = raw_session(server, mbox)
    try:
        start_idle(a)
        # B appends: A sees "* 4 EXISTS" without sending anything
        assert raw_append(b, mbox, make_message("pushed")).status == "OK"
        read_until(a, lambda l: l.text == "* 4 EXISTS", timeout=5)
        # B sets a flag: A sees "* 2 FETCH (... FLAGS (... \Flagged ...))"
        assert b.command(f"b1 SELECT {quote(mbox)}").status == "OK"
        assert b.command("b2 STORE 2 +FLAGS (\\Flagged)").status == "OK"
        got = read_until(a, lambda l: re.match(r"^\* 2 FETCH \(.*FLAGS \([^)]*\\Flagged", l.text) is not None,
                         timeout=5)
        assert got
        # B expunges message 3: A sees "* 3 EXPUNGE"
        assert b.command("b3 STORE 3 +FLAGS.SILENT (\\Deleted)").status == "OK"
        r = b.command("b4 EXPUNGE")
        assert r.status == "OK" and "* 3 EXPUNGE" in r.texts(), r
        read_until(a, lambda l: l.text == "* 3 EXPUNGE", timeout=5)
        done(a)
        # what was pushed is not reported a second time
        r = a.command("n1 NOOP")
        assert r.status == "OK" and not (r.untagged_of("EXISTS") or r.untagged_of("EXPUNGE")), r
        # the view A has after the pushes is the server's: 3 messages, #2 flagged
        r = a.command("f1 FETCH 1:* (FLAGS)")
        assert r.status == "OK" and len(r.untagged_of("FETCH")) == 3, r
        assert "\\Flagged" in r.untagged_of("FETCH")[1].text, r
    finally:
        a.close()


def test_idle_pushes_to_two_idlers(server, box):
    mbox, b = box
    a1 = raw_session(server, mbox)
    a2 = raw_session(server, mbox, examine=True)
    try:
        start_idle(a1)
        start_idle(a2, "j1")
        assert raw_append(b, mbox, make_message("for both")).status == "OK"
        read_until(a1, lambda l: l.text == "* 4 EXISTS", timeout=5)
        read_until(a2, lambda l: l.text == "* 4 EXISTS", timeout=5)
        assert b.command(f"b1 SELECT {quote(mbox)}").status == "OK"
        assert b.command("b2 STORE 1 +FLAGS (\\Answered)").status == "OK"
        for c in (a1, a2):
            read_until(c, lambda l: re.match(r"^\* 1 FETCH \(.*\\Answered", l.text) is not None, timeout=5)
        done(a1)
        done(a2, "j1")
    finally:
        a1.close()
        a2.close()


def test_done_then_pipelined_commands_all_run(server, box):
    mbox, b = box
    a = raw_session(server, mbox)
    try:
        start_idle(a)
        a.send(b"DONE\r\nx1 NOOP\r\nx2 FETCH 1 (FLAGS)\r\n")
        r0 = a.read_until_tagged("i1", timeout=10)
        assert r0.status == "OK", r0
        r1 = a.read_until_tagged("x1", timeout=10)
        assert r1.status == "OK", r1
        r2 = a.read_until_tagged("x2", timeout=10)
        assert r2.status == "OK" and len(r2.untagged_of("FETCH")) == 1, r2
        assert r2.untagged_of("FETCH")[0].text.startswith("* 1 FETCH (FLAGS ("), r2
    finally:
        a.close()


def test_done_is_case_insensitive(server, box):
    mbox, b = box
    a = raw_session(server, mbox)
    try:
        start_idle(a)
        a.sendline("done")
        assert a.read_until_tagged("i1", timeout=10).status == "OK"
    finally:
        a.close()


def test_idle_in_authenticated_state(server, box):
    mbox, b = box
    a = raw_session(server)
    try:
        start_idle(a)
        # a change to some mailbox must not confuse a non-selected idler
        assert raw_append(b, mbox, make_message("while auth idle")).status == "OK"
        done(a)
        r = a.command("x1 NOOP")
        assert r.status == "OK", r
        assert not r.untagged_of("EXISTS"), r
    finally:
        a.close()


def test_non_done_line_ends_idle_with_bad(server, box):
    mbox, b = box
    a = raw_session(server, mbox)
    try:
        start_idle(a)
        a.sendline("x1 NOOP")
        r = a.read_until_tagged("i1", timeout=10)
        assert r.status == "BAD", f"a line other than DONE must end IDLE with BAD: {r}"
    finally:
        a.close()


def test_idle_reports_pending_changes_at_start(server, box):
    """Changes made before IDLE that A has not seen yet are reported during IDLE (RFC 2177)."""
    mbox, b = box
    a = raw_session(server, mbox)
    try:
        assert raw_append(b, mbox, make_message("before idle")).status == "OK"
        time.sleep(0.3)
        a.sendline("i1 IDLE")
        lines = read_until(a, lambda l: l.text == "* 4 EXISTS", timeout=5)
        # the "+" may come before or after the EXISTS
        if not any(l.raw.startswith(b"+") for l in lines):
            read_until(a, lambda l: l.raw.startswith(b"+"), timeout=5)
        done(a)
    finally:
        a.close()


def test_idle_push_latency(server, box, record_property):
    """~20 samples of "B's tagged OK -> A's untagged line" for APPEND, STORE and EXPUNGE."""
    mbox, b = box
    a = raw_session(server, mbox)
    arrivals: list[tuple[float, str]] = []
    lock = threading.Condition()
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            try:
                line = a.read_line(timeout=0.5)
            except TimeoutError:
                continue
            except Exception:
                return
            with lock:
                arrivals.append((time.monotonic(), line.text))
                lock.notify_all()

    def wait_line(pred, since_index, timeout=5.0):
        deadline = time.monotonic() + timeout
        with lock:
            while True:
                for t, text in arrivals[since_index:]:
                    if pred(text):
                        return t
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                lock.wait(left)

    start_idle(a)
    assert b.command(f"b0 SELECT {quote(mbox)}").status == "OK"
    th = threading.Thread(target=reader, daemon=True)
    th.start()
    samples: dict[str, list[float]] = {"append": [], "store": [], "expunge": []}
    since_send: list[float] = []   # B's command written -> A's line (includes B's own round trip)
    missing = []
    exists = 3
    try:
        for i in range(8):
            with lock:
                idx = len(arrivals)
            t_send = time.monotonic()
            r = raw_append(b, mbox, make_message(f"latency {i}"))
            t_ok = time.monotonic()
            assert r.status == "OK", r
            exists += 1
            want = f"* {exists} EXISTS"
            t = wait_line(lambda s: s == want, idx)
            (samples["append"].append(t - t_ok) if t is not None else missing.append(("append", i)))
            if t is not None:
                since_send.append(t - t_send)
        for i in range(6):
            with lock:
                idx = len(arrivals)
            kw = f"lat{i}"
            t_send = time.monotonic()
            r = b.command(f"s{i} STORE {i + 1} +FLAGS ({kw})")
            t_ok = time.monotonic()
            assert r.status == "OK", r
            t = wait_line(lambda s, kw=kw, n=i + 1: s.startswith(f"* {n} FETCH") and kw in s, idx)
            (samples["store"].append(t - t_ok) if t is not None else missing.append(("store", i)))
            if t is not None:
                since_send.append(t - t_send)
        for i in range(6):
            with lock:
                idx = len(arrivals)
            assert b.command(f"d{i} STORE {exists} +FLAGS.SILENT (\\Deleted)").status == "OK"
            t_send = time.monotonic()
            r = b.command(f"e{i} EXPUNGE")
            t_ok = time.monotonic()
            assert r.status == "OK", r
            want = f"* {exists} EXPUNGE"
            t = wait_line(lambda s, w=want: s == w, idx)
            exists -= 1
            (samples["expunge"].append(t - t_ok) if t is not None else missing.append(("expunge", i)))
            if t is not None:
                since_send.append(t - t_send)
    finally:
        stop.set()
        th.join(3)
    done(a)
    a.close()
    allv = [v for vs in samples.values() for v in vs]
    ms = sorted(v * 1000 for v in allv)

    def pct(p):
        return ms[min(len(ms) - 1, int(round(p / 100 * (len(ms) - 1))))] if ms else float("nan")

    summary = {
        "samples": len(ms), "missing": missing,
        "median_ms": round(statistics.median(ms), 2) if ms else None,
        "p95_ms": round(pct(95), 2), "max_ms": round(max(ms), 2) if ms else None,
        "min_ms": round(min(ms), 2) if ms else None,
        "by_kind_median_ms": {k: round(statistics.median(v) * 1000, 2) for k, v in samples.items() if v},
        "since_send_median_ms": round(statistics.median(since_send) * 1000, 2) if since_send else None,
        "since_send_max_ms": round(max(since_send) * 1000, 2) if since_send else None,
        "note": "negative = A's push arrived before B had read its own tagged OK",
    }
    record_property("idle_latency", json.dumps(summary))
    try:
        with open(LATENCY_FILE, "w") as f:
            json.dump(summary, f, indent=1)
    except OSError:
        pass
    print(f"\nIDLE push latency (B tagged OK -> A untagged line): {summary}")
    assert not missing, f"pushes not received within 5 s: {missing}; {summary}"
    assert all(v < 2.0 for v in allv), f"a push took >= 2 s: {summary}"


def test_idle_with_qresync_pushes_vanished_and_modseq(server, box):
    """With QRESYNC enabled, expunges are pushed as VANISHED (RFC 7162 3.2.10) and flag
    changes carry MODSEQ (RFC 7162 3.1.4), also while idling."""
    require_caps(server, "QRESYNC")
    mbox, b = box
    a = raw_session(server, mbox, enable="QRESYNC")
    try:
        uids = sorted(fetch_map(a.command("f0 FETCH 1:* (UID)")))
        start_idle(a)
        assert b.command(f"b1 SELECT {quote(mbox)}").status == "OK"
        assert b.command("b2 STORE 2 +FLAGS (\\Flagged)").status == "OK"
        got = read_until(a, lambda l: l.text.startswith("* 2 FETCH"), timeout=5)
        assert "MODSEQ (" in got[-1].text and "\\Flagged" in got[-1].text, got[-1].text
        assert b.command("b3 STORE 1,3 +FLAGS.SILENT (\\Deleted)").status == "OK"
        assert b.command("b4 EXPUNGE").status == "OK"
        got = read_until(a, lambda l: l.text.startswith("* VANISHED"), timeout=5)
        assert not any(l.text.endswith(" EXPUNGE") for l in got), [l.text for l in got]
        gone = set()
        txt = got[-1].text
        assert "(EARLIER)" not in txt, txt
        for part in txt.split()[-1].split(","):
            lo, _, hi = part.partition(":")
            gone |= set(range(int(lo), int(hi or lo) + 1))
        if gone != {uids[0], uids[2]}:
            more = read_until(a, lambda l: l.text.startswith("* VANISHED"), timeout=3)
            for part in more[-1].text.split()[-1].split(","):
                lo, _, hi = part.partition(":")
                gone |= set(range(int(lo), int(hi or lo) + 1))
        assert gone == {uids[0], uids[2]}, gone
        done(a)
    finally:
        a.close()


def test_done_split_across_writes(server, box):
    mbox, b = box
    a = raw_session(server, mbox)
    try:
        start_idle(a)
        a.send(b"DO")
        time.sleep(0.3)
        a.send(b"NE\r\n")
        assert a.read_until_tagged("i1", timeout=10).status == "OK"
    finally:
        a.close()


def test_idle_sees_move_out_and_in(server, box):
    """A MOVE by another session is an expunge in the source and an EXISTS in the target."""
    require_caps(server, "MOVE")
    mbox, b = box
    assert b.command(f"b0 CREATE {quote(mbox + '-target')}").status == "OK"
    src = raw_session(server, mbox)
    dst = raw_session(server, mbox + "-target")
    try:
        start_idle(src)
        start_idle(dst, "j1")
        assert b.command(f"b1 SELECT {quote(mbox)}").status == "OK"
        assert b.command(f"b2 MOVE 2 {quote(mbox + '-target')}").status == "OK"
        read_until(src, lambda l: l.text == "* 2 EXPUNGE", timeout=5)
        read_until(dst, lambda l: l.text == "* 1 EXISTS", timeout=5)
        done(src)
        done(dst, "j1")
    finally:
        src.close()
        dst.close()
