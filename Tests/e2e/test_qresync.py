"""QRESYNC (RFC 7162 section 3.2): quick resynchronisation after a disconnect, VANISHED,
UID FETCH (CHANGEDSINCE n VANISHED), [CLOSED], and the ENABLE requirement."""
from __future__ import annotations

import re
import time

import pytest

from exthelpers import (append_n, fetch_map, highestmodseq, make_message, quote, raw_append, raw_session,
                        require_caps, uid_set, uid_set_str, uidvalidity)


@pytest.fixture(autouse=True)
def _caps(server):
    require_caps(server, "QRESYNC", "CONDSTORE")


@pytest.fixture
def box(server, mbox):
    """mbox with 8 messages; yields (name, uids)."""
    c = raw_session(server)
    assert c.command(f"c0 CREATE {quote(mbox)}").status == "OK"
    uids = append_n(c, mbox, 8, "qresync")
    c.close()
    return mbox, uids


def current_state(server, mbox) -> dict[int, frozenset]:
    c = raw_session(server, mbox, examine=True)
    try:
        r = c.command("f1 UID FETCH 1:* (FLAGS)")
        assert r.status == "OK", r
        return {u: frozenset(f for f in v["FLAGS"] if f.lower() != "\\recent") for u, v in fetch_map(r).items()}
    finally:
        c.close()


def vanished_uids(r, earlier: bool | None = None) -> set[int]:
    out = set()
    for l in r.untagged:
        m = re.match(r"^\* VANISHED (\(EARLIER\) )?(\S+)$", l.text, re.I)
        if m:
            if earlier is not None:
                assert bool(m.group(1)) == earlier, f"VANISHED {'with' if earlier else 'without'} (EARLIER) expected: {l.text}"
            out |= uid_set(m.group(2))
    return out


def test_full_qresync_resync(server, box):
    mbox, uids = box
    # 1. the client syncs and records its state, then disconnects
    a = raw_session(server, enable="QRESYNC")
    r = a.command(f"s1 SELECT {quote(mbox)}")
    assert r.status == "OK", r
    v = uidvalidity(r)
    hms = highestmodseq(r)
    assert hms, f"SELECT with QRESYNC enabled must give HIGHESTMODSEQ: {r}"
    saved = {u: frozenset(f for f in d["FLAGS"] if f.lower() != "\\recent")
             for u, d in fetch_map(a.command("f1 UID FETCH 1:* (FLAGS)")).items()}
    assert sorted(saved) == uids
    assert a.command("z1 LOGOUT").bye()
    a.close()

    # 2. other sessions change the mailbox: append, flag, expunge (old and new messages)
    b = raw_session(server, mbox)
    c = raw_session(server, mbox)
    try:
        new = append_n(b, mbox, 3, "arrived later")
        assert b.command(f"b1 UID STORE {uids[0]},{uids[5]} +FLAGS (\\Flagged)").status == "OK"
        assert c.command(f"c1 UID STORE {uids[6]} FLAGS (\\Seen kwQ)").status == "OK"
        assert c.command(f"c2 UID STORE {uids[1]},{uids[3]},{new[1]} +FLAGS.SILENT (\\Deleted)").status == "OK"
        assert c.command(f"c3 UID EXPUNGE {uids[1]},{uids[3]},{new[1]}").status == "OK"
        assert b.command(f"b2 UID STORE {uids[2]} +FLAGS (\\Answered)").status == "OK"
    finally:
        b.close()
        c.close()

    # 3. reconnect and resynchronise in one round trip
    a = raw_session(server, enable="QRESYNC")
    try:
        known = uid_set_str(saved)
        r = a.command(f"s2 SELECT {quote(mbox)} (QRESYNC ({v} {hms} {known}))")
        assert r.status == "OK", r
        new_hms = highestmodseq(r)
        assert new_hms and new_hms > hms, r
        gone = vanished_uids(r, earlier=True)
        assert {uids[1], uids[3]} <= gone, f"expunged known UIDs must be reported: {r}"
        assert not (gone & (set(saved) - {uids[1], uids[3]}) - {new[1]}), f"VANISHED names live messages: {r}"
        fm = fetch_map(r)
        for u, d in fm.items():
            assert "MODSEQ" in d and hms < d["MODSEQ"] <= new_hms, f"QRESYNC FETCH needs UID, FLAGS, MODSEQ > {hms}: {r}"
        changed_expected = {uids[0], uids[5], uids[6], uids[2], new[0], new[2]}
        assert changed_expected <= set(fm), f"changed/new messages missing from the resync: {sorted(fm)} {r}"
        # 4. apply to the saved state; it must equal the server's state
        state = {u: f for u, f in saved.items() if u not in gone}
        for u, d in fm.items():
            state[u] = frozenset(f for f in d["FLAGS"] if f.lower() != "\\recent")
        exists = [int(l.text.split()[1]) for l in r.untagged_of("EXISTS")]
        assert exists and exists[-1] == len(state), (exists, state)
        assert state == current_state(server, mbox)
    finally:
        a.close()


def test_qresync_without_known_uids_and_wrong_uidvalidity(server, box):
    mbox, uids = box
    a = raw_session(server, mbox, enable="QRESYNC")
    v = uidvalidity(a.last_select)
    hms = highestmodseq(a.last_select)
    b = raw_session(server, mbox)
    try:
        assert b.command(f"b1 UID STORE {uids[0]} +FLAGS.SILENT (\\Deleted)").status == "OK"
        assert b.command(f"b2 UID EXPUNGE {uids[0]}").status == "OK"
        r = a.command(f"s2 SELECT {quote(mbox)} (QRESYNC ({v} {hms}))")
        assert r.status == "OK", r
        assert uids[0] in vanished_uids(r, earlier=True), r
        # a stale UIDVALIDITY: plain SELECT answer, no VANISHED and no FETCH (RFC 7162 3.2.5.1)
        r = a.command(f"s3 SELECT {quote(mbox)} (QRESYNC ({v + 1} {hms}))")
        assert r.status == "OK", r
        assert not vanished_uids(r) and not r.untagged_of("FETCH"), r
    finally:
        a.close()
        b.close()


def test_uid_fetch_changedsince_vanished(server, box):
    mbox, uids = box
    a = raw_session(server, mbox, enable="QRESYNC")
    hms = highestmodseq(a.last_select)
    b = raw_session(server, mbox)
    try:
        assert b.command(f"b1 UID STORE {uids[4]} +FLAGS (\\Seen)").status == "OK"
        assert b.command(f"b2 UID STORE {uids[2]}:{uids[3]} +FLAGS.SILENT (\\Deleted)").status == "OK"
        assert b.command(f"b3 UID EXPUNGE {uids[2]}:{uids[3]}").status == "OK"
        r = a.command(f"f1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE {hms} VANISHED)")
        assert r.status == "OK", r
        earlier = [l.text for l in r.untagged if l.text.startswith("* VANISHED (EARLIER)")]
        assert earlier and {uids[2], uids[3]} <= set().union(*(uid_set(t.split()[-1]) for t in earlier)), r
        fm = fetch_map(r)
        assert uids[4] in fm and "\\Seen" in fm[uids[4]]["FLAGS"] and fm[uids[4]]["MODSEQ"] > hms, r
        assert set(fm) <= {uids[4]}, f"only changed messages: {r}"
        # VANISHED without CHANGEDSINCE is a BAD (RFC 7162 3.2.6)
        r = a.command("f2 UID FETCH 1:* (FLAGS) (VANISHED)")
        assert r.status == "BAD", r
        # and VANISHED with non-UID FETCH too
        r = a.command(f"f3 FETCH 1:* (FLAGS) (CHANGEDSINCE {hms} VANISHED)")
        assert r.status == "BAD", r
    finally:
        a.close()
        b.close()


def test_vanished_instead_of_expunge(server, box):
    mbox, uids = box
    a = raw_session(server, mbox, enable="QRESYNC")
    b = raw_session(server, mbox)
    try:
        assert b.command(f"b1 UID STORE {uids[1]},{uids[2]} +FLAGS.SILENT (\\Deleted)").status == "OK"
        assert b.command("b2 EXPUNGE").status == "OK"
        seen = []
        for i in range(10):
            r = a.command(f"n{i} NOOP")
            seen += r.untagged
            if any(l.text.startswith("* VANISHED") for l in seen):
                break
            time.sleep(0.2)
        texts = [l.text for l in seen]
        assert not any(t.endswith(" EXPUNGE") for t in texts), f"QRESYNC enabled: VANISHED, not EXPUNGE: {texts}"
        gone = set()
        for t in texts:
            if t.startswith("* VANISHED"):
                assert "(EARLIER)" not in t, texts
                gone |= uid_set(t.split()[-1])
        assert gone == {uids[1], uids[2]}, texts
        # own EXPUNGE, too
        assert a.command(f"s1 UID STORE {uids[0]} +FLAGS.SILENT (\\Deleted)").status == "OK"
        r = a.command("x1 EXPUNGE")
        assert r.status == "OK" and not r.untagged_of("EXPUNGE"), r
        assert vanished_uids(r, earlier=False) == {uids[0]}, r
        r = a.command("f1 FETCH 1:* (UID)")
        assert sorted(fetch_map(r)) == uids[3:], r
    finally:
        a.close()
        b.close()


def test_select_qresync_without_enable_is_bad(server, box):
    mbox, uids = box
    c = raw_session(server)
    try:
        r = c.command(f"s1 STATUS {quote(mbox)} (UIDVALIDITY HIGHESTMODSEQ)")
        m = re.search(r"UIDVALIDITY (\d+) HIGHESTMODSEQ (\d+)|HIGHESTMODSEQ (\d+) UIDVALIDITY (\d+)", r.untagged[0].text)
        v, h = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        r = c.command(f"s2 SELECT {quote(mbox)} (QRESYNC ({v} {h}))")
        assert r.status == "BAD", f"QRESYNC select parameter without ENABLE QRESYNC must be BAD (RFC 7162 3.2.5): {r}"
        r = c.command(f"s3 EXAMINE {quote(mbox)} (QRESYNC ({v} {h}))")
        assert r.status == "BAD", r
        r = c.command(f"s4 SELECT {quote(mbox)}")
        assert r.status == "OK", r
        r = c.command(f"f1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE {h} VANISHED)")
        assert r.status == "BAD", f"VANISHED modifier without ENABLE QRESYNC must be BAD: {r}"
    finally:
        c.close()


def test_closed_when_switching_mailbox(server, box, mbox):
    mbox, uids = box
    c = raw_session(server, enable="QRESYNC")
    try:
        assert c.command(f"c1 CREATE {quote(mbox + '-other')}").status == "OK"
        r = c.command(f"s1 SELECT {quote(mbox)}")
        assert r.status == "OK" and not any(l.code == "CLOSED" for l in r.untagged), \
            f"no [CLOSED] when nothing was selected: {r}"
        r = c.command(f"s2 EXAMINE {quote(mbox + '-other')}")
        assert r.status == "OK", r
        closed = [i for i, l in enumerate(r.untagged) if l.code == "CLOSED"]
        assert closed == [0], f"OK [CLOSED] must come first when another mailbox was selected (RFC 7162 3.2.11): {r}"
        r = c.command(f"s3 SELECT {quote(mbox)}")
        assert [i for i, l in enumerate(r.untagged) if l.code == "CLOSED"] == [0], r
        # failed SELECT: the old mailbox is closed too -> [CLOSED]? RFC 9051 6.3.2 says a failed
        # SELECT leaves no mailbox selected; only the state must be right.
        r = c.command(f"s4 SELECT {quote(mbox + '-nosuch')}")
        assert r.status == "NO", r
        r = c.command("f1 FETCH 1 (FLAGS)")
        assert r.status == "BAD", f"after a failed SELECT no mailbox is selected: {r}"
    finally:
        c.close()


def test_enable_qresync_implies_condstore(server, box):
    mbox, uids = box
    c = raw_session(server, enable="QRESYNC")
    b = raw_session(server, mbox)
    try:
        r = c.command(f"s1 SELECT {quote(mbox)}")
        assert highestmodseq(r), r
        r = c.command("st1 STORE 1 +FLAGS (\\Seen)")
        assert all("MODSEQ (" in l.text for l in r.untagged_of("FETCH")) and r.untagged_of("FETCH"), r
    finally:
        c.close()
        b.close()


def test_vanished_with_pending_foreign_expunge_and_move(server, box):
    """QRESYNC session: another session's expunges and the session's own UID MOVE are all
    reported as VANISHED, with no EXPUNGE and the right UID sets."""
    require_caps(server, "MOVE")
    mbox, uids = box
    a = raw_session(server, enable="QRESYNC")
    b = raw_session(server, mbox)
    try:
        assert a.command(f"c1 CREATE {quote(mbox + '-to')}").status == "OK"
        assert a.command(f"s1 SELECT {quote(mbox)}").status == "OK"
        assert b.command(f"b1 UID STORE {uids[0]} +FLAGS.SILENT (\\Deleted)").status == "OK"
        assert b.command(f"b2 UID EXPUNGE {uids[0]}").status == "OK"
        time.sleep(0.2)
        r = a.command(f"m1 UID MOVE {uids[5]}:{uids[6]} {quote(mbox + '-to')}")
        assert r.status == "OK", r
        assert not r.untagged_of("EXPUNGE"), r
        gone = vanished_uids(r, earlier=False)
        r2 = a.command("n1 NOOP")
        assert not r2.untagged_of("EXPUNGE"), r2
        gone |= vanished_uids(r2, earlier=False)
        assert gone == {uids[0], uids[5], uids[6]}, (r, r2)
        r3 = a.command("f1 UID FETCH 1:* (UID)")
        assert sorted(fetch_map(r3)) == [u for u in uids if u not in gone], r3
        exists = [int(l.text.split()[1]) for l in r3.untagged_of("EXISTS")]
        assert len(fetch_map(r3)) == len(uids) - 3
    finally:
        a.close()
        b.close()
