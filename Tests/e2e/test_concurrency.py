"""Two sessions at once: session A (raw client) watches what session B does."""
from __future__ import annotations

import pytest

from helpers import append, make_message, ok, select


@pytest.fixture
def two(server, mbox):
    b = server.imaps()
    ok(b.create(mbox))
    for i in range(3):
        append(b, mbox, make_message(f"concurrent {i}"))
    a = server.raw(login=True)
    r = a.command(f"a1 SELECT {mbox}")
    assert r.status == "OK" and "* 3 EXISTS" in r.texts(), r
    select(b, mbox)
    yield a, b
    a.close()
    try:
        b.logout()
    except Exception:
        pass


def _noop_until(a, pred, tries=10):
    """NOOP until the untagged responses satisfy pred (other sessions' changes may take a moment)."""
    seen = []
    for i in range(tries):
        r = a.command(f"n{i} NOOP")
        assert r.status == "OK", r
        seen += r.untagged
        if pred(seen):
            return seen
        import time
        time.sleep(0.2)
    return seen


def test_noop_reports_exists(two, mbox):
    a, b = two
    append(b, mbox, make_message("new arrival"))
    seen = _noop_until(a, lambda s: any(l.text == "* 4 EXISTS" for l in s))
    assert any(l.text == "* 4 EXISTS" for l in seen), [l.text for l in seen]


def test_noop_reports_flag_change(two):
    a, b = two
    ok(b.store("2", "+FLAGS", "(\\Flagged)"))
    seen = _noop_until(a, lambda s: any(l.text.startswith("* 2 FETCH") for l in s))
    fetches = [l.text for l in seen if l.text.startswith("* 2 FETCH")]
    assert fetches and "\\Flagged" in fetches[-1], [l.text for l in seen]


def test_noop_reports_expunge(two):
    a, b = two
    ok(b.store("2", "+FLAGS", "(\\Deleted)"))
    ok(b.expunge())
    seen = _noop_until(a, lambda s: any(l.text == "* 2 EXPUNGE" for l in s))
    assert any(l.text == "* 2 EXPUNGE" for l in seen), [l.text for l in seen]
    r = a.command("f1 FETCH 1:* (FLAGS)")
    assert r.status == "OK" and len(r.untagged_of("FETCH")) == 2, r


@pytest.mark.parametrize("cmd", ["FETCH 1 (FLAGS)", "FETCH 1:* (FLAGS)", "STORE 1 +FLAGS (\\Answered)",
                                 "SEARCH ALL", "STORE 3 FLAGS.SILENT (\\Seen)"])
def test_no_expunge_during_fetch_store_search(two, cmd):
    """RFC 3501 7.4.1: EXPUNGE must not be sent while responding to FETCH, STORE or SEARCH."""
    a, b = two
    ok(b.store("2", "+FLAGS", "(\\Deleted)"))
    ok(b.expunge())
    ok(b.noop())
    import time
    time.sleep(0.5)
    for i in range(3):
        r = a.command(f"x{i} {cmd}")
        assert not r.untagged_of("EXPUNGE"), f"EXPUNGE during {cmd}: {r}"
        # the expunged message may make the server answer NO for FETCH of it, but never BAD
        assert r.status in ("OK", "NO"), r
    if cmd.startswith("SEARCH"):
        nums = r.untagged_of("SEARCH")[0].text.split()[2:]
        assert len(nums) in (2, 3), nums  # old view (3) or expunged-aware (2) but sequence numbers unchanged
    r = a.command("z1 NOOP")
    assert any(l.text == "* 2 EXPUNGE" for l in r.untagged), r
    r = a.command("z2 FETCH 1:* (UID)")
    assert len(r.untagged_of("FETCH")) == 2, r


def test_uid_commands_after_other_expunge(two):
    """After another session expunged, UID FETCH in A still works (EXPUNGE allowed here)."""
    a, b = two
    ok(b.store("1", "+FLAGS", "(\\Deleted)"))
    ok(b.expunge())
    r = a.command("u1 UID FETCH 1:* (FLAGS)")
    assert r.status == "OK", r
    r = a.command("u2 NOOP")
    r = a.command("u3 FETCH 1:* (UID)")
    assert len(r.untagged_of("FETCH")) == 2, r


def test_both_sessions_store_same_message(two):
    a, b = two
    ok(b.store("1", "+FLAGS", "(kwB)"))
    r = a.command("s1 STORE 1 +FLAGS (kwA)")
    assert r.status == "OK"
    seen = _noop_until(a, lambda s: any("kwB" in l.text and "kwA" in l.text for l in s)) + r.untagged
    r2 = a.command("s2 FETCH 1 (FLAGS)")
    text = r2.untagged_of("FETCH")[0].text
    assert "kwA" in text and "kwB" in text, text
