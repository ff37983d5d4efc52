"""CONDSTORE (RFC 7162 section 3.1): HIGHESTMODSEQ, FETCH MODSEQ, CHANGEDSINCE, UNCHANGEDSINCE
conflicts ([MODIFIED]), STATUS HIGHESTMODSEQ, SEARCH MODSEQ, monotonic mod-sequences, imapclient."""
from __future__ import annotations

import re

import pytest

from exthelpers import (append_n, code_args, fetch_map, highestmodseq, make_message, quote, raw_append,
                        raw_session, require_caps, uid_set)


@pytest.fixture(autouse=True)
def _caps(server):
    require_caps(server, "CONDSTORE")


@pytest.fixture
def box(server, mbox):
    """mbox with 4 messages; yields (name, uids)."""
    c = raw_session(server)
    assert c.command(f"c0 CREATE {quote(mbox)}").status == "OK"
    uids = append_n(c, mbox, 4, "condstore")
    c.close()
    return mbox, uids


def status_hms(c, mbox) -> int:
    r = c.command(f"st STATUS {quote(mbox)} (HIGHESTMODSEQ)")
    assert r.status == "OK", r
    m = re.search(r"HIGHESTMODSEQ (\d+)", r.untagged_of("STATUS")[0].text)
    assert m, r
    return int(m.group(1))


def test_select_condstore_highestmodseq(server, box):
    mbox, uids = box
    c = raw_session(server)
    try:
        r = c.command(f"s1 SELECT {quote(mbox)} (CONDSTORE)")
        assert r.status == "OK", r
        hms = highestmodseq(r)
        assert hms is not None and hms > 0, f"SELECT (CONDSTORE) must give OK [HIGHESTMODSEQ n]: {r}"
        r = c.command(f"s2 EXAMINE {quote(mbox)} (CONDSTORE)")
        assert r.status == "OK" and highestmodseq(r) == hms, r
        # RFC 7162 3.1.2.1: a server with persistent mod-sequences sends HIGHESTMODSEQ on every SELECT
        r = c.command(f"s3 SELECT {quote(mbox)}")
        assert r.status == "OK" and highestmodseq(r) == hms, r
        assert status_hms(c, mbox) == hms
    finally:
        c.close()


def test_fetch_modseq_and_bounds(server, box):
    mbox, uids = box
    c = raw_session(server)
    try:
        r = c.command(f"s1 SELECT {quote(mbox)} (CONDSTORE)")
        hms = highestmodseq(r)
        r = c.command("f1 FETCH 1:* (UID MODSEQ)")
        fm = fetch_map(r)
        assert sorted(fm) == uids, r
        mods = [fm[u]["MODSEQ"] for u in uids]
        assert all(0 < m <= hms for m in mods), (mods, hms)
        assert max(mods) == hms, (mods, hms)
        # messages appended later have larger mod-sequences
        assert mods == sorted(mods) and len(set(mods)) == len(mods), mods
    finally:
        c.close()


def test_modseq_strictly_increases(server, box):
    mbox, uids = box
    c = raw_session(server, mbox)
    try:
        r = c.command("f0 FETCH 1:* (MODSEQ)")
        last = max(v["MODSEQ"] for v in fetch_map(r, "SEQ").values())
        for i in range(5):
            r = c.command(f"st{i} STORE 2 +FLAGS (kw{i})")
            assert r.status == "OK", r
            fetches = r.untagged_of("FETCH")
            assert fetches, r
            fm = fetch_map(r, "SEQ")
            assert "MODSEQ" in fm[2], f"with CONDSTORE enabled, FETCH after STORE must carry MODSEQ: {r}"
            assert fm[2].get("UID") == uids[1], f"... and UID (RFC 7162 3.1): {r}"
            assert fm[2]["MODSEQ"] > last, (fm, last)
            last = fm[2]["MODSEQ"]
            assert status_hms(c, mbox) == last
        # APPEND and EXPUNGE also raise HIGHESTMODSEQ
        raw_append(c, mbox, make_message("later"))
        h2 = status_hms(c, mbox)
        assert h2 > last
        assert c.command("d1 STORE 1 +FLAGS.SILENT (\\Deleted)").status == "OK"
        h3 = status_hms(c, mbox)
        assert h3 > h2
        assert c.command("x1 EXPUNGE").status == "OK"
        h4 = status_hms(c, mbox)
        assert h4 > h3, "an expunge must increase HIGHESTMODSEQ (needed for QRESYNC)"
    finally:
        c.close()


def test_fetch_changedsince(server, box):
    mbox, uids = box
    a = raw_session(server)
    b = raw_session(server, mbox)
    try:
        r = a.command(f"s1 SELECT {quote(mbox)} (CONDSTORE)")
        hms = highestmodseq(r)
        assert b.command("b1 STORE 2,4 +FLAGS (\\Flagged)").status == "OK"
        r = a.command(f"f1 FETCH 1:* (FLAGS) (CHANGEDSINCE {hms})")
        assert r.status == "OK", r
        fm = fetch_map(r, "SEQ")
        assert sorted(fm) == [2, 4], f"only messages changed since {hms}: {r}"
        for s in (2, 4):
            assert "\\Flagged" in fm[s]["FLAGS"], r
            assert fm[s].get("MODSEQ", 0) > hms, f"CHANGEDSINCE responses must include MODSEQ: {r}"
        r = a.command(f"f2 UID FETCH 1:* (FLAGS) (CHANGEDSINCE {hms})")
        fm = fetch_map(r)
        assert sorted(fm) == [uids[1], uids[3]], r
        newest = max(v["MODSEQ"] for v in fm.values())
        r = a.command(f"f3 FETCH 1:* (FLAGS) (CHANGEDSINCE {newest})")
        assert r.status == "OK" and not r.untagged_of("FETCH"), r
    finally:
        a.close()
        b.close()


def test_store_unchangedsince_conflict(server, box):
    mbox, uids = box
    a = raw_session(server)
    b = raw_session(server, mbox)
    try:
        r = a.command(f"s1 SELECT {quote(mbox)} (CONDSTORE)")
        fm = fetch_map(a.command("f0 FETCH 1:* (UID MODSEQ FLAGS)"))
        m3 = fm[uids[2]]["MODSEQ"]
        # B changes message 3 behind A's back
        assert b.command("b1 STORE 3 +FLAGS (\\Answered)").status == "OK"
        # A: conditional store on 1 and 3, based on 3's old modseq -> 3 conflicts, 1 succeeds
        r = a.command(f"st1 STORE 1,3 (UNCHANGEDSINCE {m3}) +FLAGS (\\Seen)")
        assert r.status == "OK", r
        mod = code_args(r.tagged, "MODIFIED")
        assert mod is not None and uid_set(mod[0]) == {3}, f"expected OK [MODIFIED 3]: {r}"
        got = fetch_map(a.command("f1 FETCH 1:* (UID FLAGS MODSEQ)"))
        assert "\\Seen" in got[uids[0]]["FLAGS"], got
        assert "\\Seen" not in got[uids[2]]["FLAGS"], f"conflicting message must be left unchanged: {got}"
        assert "\\Answered" in got[uids[2]]["FLAGS"], got
        # UID STORE reports UIDs in MODIFIED
        m3b = got[uids[2]]["MODSEQ"]
        assert b.command("b2 STORE 3 +FLAGS (\\Draft)").status == "OK"
        r = a.command(f"st2 UID STORE {uids[2]} (UNCHANGEDSINCE {m3b}) FLAGS (\\Deleted)")
        mod = code_args(r.tagged, "MODIFIED")
        assert r.status == "OK" and mod is not None and uid_set(mod[0]) == {uids[2]}, r
        got = fetch_map(a.command("f2 FETCH 3 (UID FLAGS)"))
        assert "\\Deleted" not in got[uids[2]]["FLAGS"], got
        # UNCHANGEDSINCE with the current modseq succeeds
        m_now = fetch_map(a.command("f3 FETCH 3 (UID MODSEQ)"))[uids[2]]["MODSEQ"]
        r = a.command(f"st3 STORE 3 (UNCHANGEDSINCE {m_now}) +FLAGS (kwOk)")
        assert r.status == "OK" and code_args(r.tagged, "MODIFIED") is None, r
        fm = fetch_map(r, "SEQ")
        assert fm[3]["MODSEQ"] > m_now and "kwOk" in fm[3]["FLAGS"], r
        # UNCHANGEDSINCE 0 always fails (every message has modseq >= 1): RFC 7162 3.1.3
        r = a.command("st4 STORE 1:2 (UNCHANGEDSINCE 0) +FLAGS (kwZero)")
        mod = code_args(r.tagged, "MODIFIED")
        assert r.status == "OK" and mod is not None and uid_set(mod[0]) == {1, 2}, r
        assert not any("kwZero" in l.text for l in r.untagged), r
    finally:
        a.close()
        b.close()


def test_status_highestmodseq_tracks_changes(server, box):
    mbox, uids = box
    c = raw_session(server)
    b = raw_session(server, mbox)
    try:
        h1 = status_hms(c, mbox)
        assert b.command("b1 STORE 1 +FLAGS (\\Seen)").status == "OK"
        h2 = status_hms(c, mbox)
        assert h2 > h1
        r = c.command(f"s1 EXAMINE {quote(mbox)} (CONDSTORE)")
        assert highestmodseq(r) == h2, r
    finally:
        c.close()
        b.close()


def test_search_modseq(server, box):
    mbox, uids = box
    c = raw_session(server)
    try:
        r = c.command(f"s1 SELECT {quote(mbox)} (CONDSTORE)")
        hms = highestmodseq(r)
        assert c.command("st1 STORE 2 +FLAGS (\\Flagged)").status == "OK"
        assert c.command("st2 STORE 3 +FLAGS (\\Seen)").status == "OK"
        fm = fetch_map(c.command("f1 FETCH 2:3 (UID MODSEQ)"), "SEQ")
        r = c.command(f"q1 SEARCH MODSEQ {hms + 1}")
        assert r.status == "OK", r
        line = r.untagged_of("SEARCH")[0].text
        m = re.match(r"^\* SEARCH ((?:\d+ ?)+) \(MODSEQ (\d+)\)$", line)
        assert m, f"SEARCH MODSEQ must answer '* SEARCH n... (MODSEQ m)' (RFC 7162 3.1.5): {line!r}"
        assert sorted(int(x) for x in m.group(1).split()) == [2, 3], line
        assert int(m.group(2)) == max(fm[2]["MODSEQ"], fm[3]["MODSEQ"]), (line, fm)
        r = c.command(f"q2 UID SEARCH MODSEQ {hms + 1} FLAGGED")
        line = r.untagged_of("SEARCH")[0].text
        m = re.match(r"^\* SEARCH (\d+) \(MODSEQ (\d+)\)$", line)
        assert m and int(m.group(1)) == uids[1] and int(m.group(2)) == fm[2]["MODSEQ"], line
        # no match: plain empty SEARCH, no MODSEQ part
        r = c.command(f"q3 SEARCH MODSEQ {max(fm[2]['MODSEQ'], fm[3]['MODSEQ']) + 1}")
        assert r.status == "OK" and r.untagged_of("SEARCH")[0].text.rstrip() == "* SEARCH", r
    finally:
        c.close()


def test_fetch_modseq_enables_condstore_for_unsolicited_fetch(server, box):
    """RFC 7162 3.1: after a CONDSTORE-enabling command every FETCH response carries MODSEQ,
    also unsolicited ones caused by another session's STORE."""
    mbox, uids = box
    a = raw_session(server, mbox)
    b = raw_session(server, mbox)
    try:
        assert a.command("f1 FETCH 1 (MODSEQ)").status == "OK"
        assert b.command("b1 STORE 4 +FLAGS (\\Flagged)").status == "OK"
        seen = []
        for i in range(10):
            r = a.command(f"n{i} NOOP")
            seen += r.untagged_of("FETCH")
            if seen:
                break
            import time
            time.sleep(0.2)
        assert seen, "no FETCH for another session's STORE"
        # RFC 7162 3.1: "both UID and mod-sequence data in all subsequent untagged FETCH responses"
        # caused by STORE or by an external agent
        assert all("MODSEQ (" in l.text and "UID " in l.text for l in seen), [l.text for l in seen]
    finally:
        a.close()
        b.close()


def test_imapclient_condstore(server, box):
    from imapclient import IMAPClient
    mbox, uids = box
    b = raw_session(server, mbox)
    cl = IMAPClient(server.host, port=server.imaps_port, ssl=True, ssl_context=server.ssl_context(), timeout=20)
    try:
        cl.login(server.user, server.password)
        assert b"CONDSTORE" in cl.capabilities()
        cl.enable("CONDSTORE")
        info = cl.select_folder(mbox, readonly=True)
        hms = info.get(b"HIGHESTMODSEQ")
        assert hms, info
        assert b.command("b1 STORE 1 +FLAGS (\\Seen)").status == "OK"
        cl.noop()
        got = cl.fetch(uids, ["FLAGS"], modifiers=[f"CHANGEDSINCE {hms}"])
        assert list(got) == [uids[0]], got
        assert b"\\Seen" in got[uids[0]][b"FLAGS"] and got[uids[0]][b"MODSEQ"][0] > hms, got
    finally:
        b.close()
        try:
            cl.logout()
        except Exception:
            pass


def test_conditional_store_silent_still_reports_modseq(server, box):
    """RFC 7162 3.1.3: for a successful conditional STORE an untagged FETCH with MODSEQ MUST be
    sent, even if the .SILENT suffix is specified (the client needs the new mod-sequence)."""
    mbox, uids = box
    c = raw_session(server)
    try:
        r = c.command(f"s1 SELECT {quote(mbox)} (CONDSTORE)")
        hms = highestmodseq(r)
        r = c.command(f"st1 STORE 1 (UNCHANGEDSINCE {hms}) +FLAGS.SILENT (\\Seen)")
        assert r.status == "OK" and code_args(r.tagged, "MODIFIED") is None, r
        fm = fetch_map(r, "SEQ")
        assert 1 in fm and fm[1].get("MODSEQ", 0) > hms, \
            f"conditional STORE .SILENT must still send '* 1 FETCH (MODSEQ (n))': {r}"
        r = c.command(f"st2 UID STORE {uids[1]} (UNCHANGEDSINCE {hms}) FLAGS.SILENT (\\Answered)")
        fm = fetch_map(r, "SEQ")
        assert 2 in fm and fm[2].get("MODSEQ", 0) > hms and fm[2].get("UID") == uids[1], \
            f"UID STORE (UNCHANGEDSINCE) .SILENT: FETCH with UID and MODSEQ expected: {r}"
    finally:
        c.close()


def test_search_modseq_with_entry_name(server, box):
    """RFC 7162 3.1.5 / grammar: search-modsequence = "MODSEQ" [SP entry-name SP entry-type-req]
    SP mod-sequence-valzer, e.g. SEARCH MODSEQ "/flags/\\\\draft" all 620162338."""
    mbox, uids = box
    c = raw_session(server)
    try:
        r = c.command(f"s1 SELECT {quote(mbox)} (CONDSTORE)")
        hms = highestmodseq(r)
        assert c.command("st1 STORE 3 +FLAGS (\\Draft)").status == "OK"
        for et in ("all", "priv", "shared"):
            r = c.command(f'q1 SEARCH MODSEQ "/flags/\\\\draft" {et} {hms + 1}')
            assert r.status == "OK", f"SEARCH MODSEQ with entry-name/entry-type must be accepted: {r}"
            line = r.untagged_of("SEARCH")[0].text
            assert re.match(r"^\* SEARCH 3 \(MODSEQ \d+\)$", line), line
        r = c.command(f'q2 UID SEARCH MODSEQ "/flags/kwx" all 1 UNDRAFT')
        assert r.status == "OK", r
    finally:
        c.close()


def test_esearch_with_modseq(server, box):
    """RFC 7162 3.1.5 with RFC 4731: an ESEARCH answer to a MODSEQ search carries MODSEQ."""
    require_caps(server, "ESEARCH")
    mbox, uids = box
    c = raw_session(server)
    try:
        r = c.command(f"s1 SELECT {quote(mbox)} (CONDSTORE)")
        hms = highestmodseq(r)
        assert c.command("st1 STORE 2 +FLAGS (\\Flagged)").status == "OK"
        m2 = fetch_map(c.command("f1 FETCH 2 (MODSEQ)"), "SEQ")[2]["MODSEQ"]
        r = c.command(f"q1 SEARCH RETURN (ALL COUNT) MODSEQ {hms + 1}")
        line = r.untagged_of("ESEARCH")[0].text
        assert re.search(r"\bALL 2\b", line) and re.search(r"\bCOUNT 1\b", line), line
        assert re.search(rf"\bMODSEQ {m2}\b", line), f"ESEARCH must include MODSEQ {m2}: {line}"
    finally:
        c.close()
