"""MOVE (RFC 6851) and UIDPLUS (RFC 4315): COPYUID/APPENDUID values, expunge reporting,
TRYCREATE, read-only refusal, observers, UID EXPUNGE, and imapclient's move()."""
from __future__ import annotations

import re
import time

import pytest

from exthelpers import (append_n, code_args, fetch_map, find_code, make_message, quote, raw_append,
                        raw_session, require_caps, uid_set, uidvalidity)


@pytest.fixture(autouse=True)
def _caps(server):
    require_caps(server, "MOVE", "UIDPLUS")


@pytest.fixture
def src(server, mbox):
    """mbox with 5 messages; message k has keyword kw<k>, #2 is \\Flagged, #4 \\Seen.
    Yields (src name, dst name, uids, connection with src selected)."""
    c = raw_session(server)
    dst = f"{mbox}-dst"
    for name in (mbox, dst):
        r = c.command(f"m0 CREATE {quote(name)}")
        assert r.status == "OK", r
    uids = []
    for k in range(1, 6):
        flags = f"kw{k}" + (" \\Flagged" if k == 2 else "") + (" \\Seen" if k == 4 else "")
        r = raw_append(c, mbox, make_message(f"move {k}", body=f"body of {k}\r\n"), flags)
        assert r.status == "OK", r
        uids += sorted(uid_set(code_args(r.tagged, "APPENDUID")[1]))
    r = c.command(f"m1 SELECT {quote(mbox)}")
    assert r.status == "OK", r
    c.last_select = r
    yield mbox, dst, uids, c
    c.close()


def apply_expunges(seq_uids: list[int], r) -> list[int]:
    """Apply the untagged '* n EXPUNGE' lines of r, in order, to a list of UIDs by sequence number."""
    out = list(seq_uids)
    for l in r.untagged:
        m = re.match(r"^\* (\d+) EXPUNGE$", l.text)
        if m:
            n = int(m.group(1))
            assert 1 <= n <= len(out), f"EXPUNGE {n} out of range {len(out)}: {r}"
            del out[n - 1]
    return out


def dst_state(c, dst):
    r = c.command(f"d1 EXAMINE {quote(dst)}")
    assert r.status == "OK", r
    v = uidvalidity(r)
    r = c.command("d2 UID FETCH 1:* (UID FLAGS RFC822.SIZE)")
    assert r.status == "OK", r
    return v, fetch_map(r)


def test_uid_move_copyuid_and_expunges(server, src):
    mbox, dst, uids, c = src
    before = fetch_map(c.command("f0 UID FETCH 1:* (FLAGS RFC822.SIZE)"))
    moving = [uids[1], uids[3]]
    r = c.command(f"mv1 UID MOVE {uids[1]},{uids[3]} {quote(dst)}")
    assert r.status == "OK", r
    # RFC 6851 4.3: COPYUID in an untagged OK, sent before the expunges
    idx_copyuid = [i for i, l in enumerate(r.untagged) if l.text.startswith("* OK [COPYUID ")]
    assert len(idx_copyuid) == 1, f"expected one untagged OK [COPYUID ...]: {r}"
    idx_exp = [i for i, l in enumerate(r.untagged) if l.text.endswith(" EXPUNGE")]
    assert len(idx_exp) == 2 and idx_copyuid[0] < min(idx_exp), r
    v, s_set, d_set = code_args(r.untagged[idx_copyuid[0]], "COPYUID")
    assert uid_set(s_set) == set(moving), r
    remaining = apply_expunges(uids, r)
    assert remaining == [uids[0], uids[2], uids[4]], r
    r2 = c.command("f1 UID FETCH 1:* (UID)")
    assert sorted(fetch_map(r2)) == remaining, r2
    # destination: the UIDs in COPYUID exist, UIDVALIDITY matches, flags and sizes came along
    vdst, dmap = dst_state(c, dst)
    assert int(v) == vdst, (v, vdst)
    dlist = sorted(uid_set(d_set))
    assert sorted(dmap) == dlist, (dmap, d_set)
    for su, du in zip(sorted(moving), dlist):
        want = {f for f in before[su]["FLAGS"] if f.lower() != "\\recent"}
        got = {f for f in dmap[du]["FLAGS"] if f.lower() != "\\recent"}
        assert got == want, (su, du, want, got)
        assert dmap[du]["RFC822.SIZE"] == before[su]["RFC822.SIZE"]


def test_move_by_sequence_numbers(server, src):
    mbox, dst, uids, c = src
    r = c.command(f"mv1 MOVE 1:2 {quote(dst)}")
    assert r.status == "OK", r
    assert apply_expunges(uids, r) == uids[2:], r
    assert len(find_code(r, "COPYUID", untagged_only=True)) == 1, r
    r = c.command(f"s1 STATUS {quote(dst)} (MESSAGES)")
    assert "MESSAGES 2" in r.untagged[0].text, r


def test_move_with_qresync_reports_vanished(server, src):
    mbox, dst, uids, c = src
    c2 = raw_session(server, enable="QRESYNC")
    try:
        r = c2.command(f"q1 SELECT {quote(mbox)}")
        assert r.status == "OK", r
        r = c2.command(f"mv1 UID MOVE {uids[0]},{uids[2]}:{uids[3]} {quote(dst)}")
        assert r.status == "OK", r
        assert not r.untagged_of("EXPUNGE"), f"with QRESYNC enabled, MOVE must report VANISHED: {r}"
        van = [l.text for l in r.untagged if l.text.startswith("* VANISHED ")]
        assert len(van) >= 1, r
        gone = set()
        for t in van:
            assert "(EARLIER)" not in t, r
            gone |= uid_set(t.split()[-1])
        assert gone == {uids[0], uids[2], uids[3]}, r
        assert len(find_code(r, "COPYUID", untagged_only=True)) == 1, r
    finally:
        c2.close()


def test_move_missing_destination_trycreate(server, src):
    mbox, dst, uids, c = src
    r = c.command(f"mv1 UID MOVE {uids[0]} {quote(mbox + '-nosuch')}")
    assert r.status == "NO" and r.code == "TRYCREATE", r
    assert not r.untagged_of("EXPUNGE"), r
    r = c.command("f1 UID FETCH 1:* (UID)")
    assert sorted(fetch_map(r)) == uids, r


def test_move_in_read_only_mailbox_is_refused(server, src):
    mbox, dst, uids, c = src
    r = c.command(f"e1 EXAMINE {quote(mbox)}")
    assert r.status == "OK" and r.code == "READ-ONLY", r
    r = c.command(f"mv1 UID MOVE {uids[0]} {quote(dst)}")
    assert r.status == "NO", f"MOVE from a read-only mailbox must fail (RFC 6851 3.3): {r}"
    assert not r.untagged_of("EXPUNGE"), r
    r = c.command(f"mv2 MOVE 1 {quote(dst)}")
    assert r.status == "NO", r
    r = c.command(f"s1 STATUS {quote(dst)} (MESSAGES)")
    assert "MESSAGES 0" in r.untagged[0].text, f"nothing may have been copied: {r}"
    r = c.command(f"s2 STATUS {quote(mbox)} (MESSAGES)")
    assert "MESSAGES 5" in r.untagged[0].text, r


def test_move_observers_see_expunge_and_exists(server, src):
    mbox, dst, uids, c = src
    obs_src = raw_session(server, mbox)
    obs_dst = raw_session(server, dst)
    try:
        r = c.command(f"mv1 UID MOVE {uids[1]} {quote(dst)}")
        assert r.status == "OK", r
        seen = []
        for i in range(10):
            rr = obs_src.command(f"n{i} NOOP")
            seen += [l.text for l in rr.untagged]
            if "* 2 EXPUNGE" in seen:
                break
            time.sleep(0.2)
        assert "* 2 EXPUNGE" in seen, seen
        seen = []
        for i in range(10):
            rr = obs_dst.command(f"n{i} NOOP")
            seen += [l.text for l in rr.untagged]
            if "* 1 EXISTS" in seen:
                break
            time.sleep(0.2)
        assert "* 1 EXISTS" in seen, seen
    finally:
        obs_src.close()
        obs_dst.close()


def test_move_nonexistent_uid_is_ok_and_silent(server, src):
    """RFC 9051 6.4.9 / RFC 6851: a UID set naming no existing message is not an error."""
    mbox, dst, uids, c = src
    r = c.command(f"mv1 UID MOVE {uids[-1] + 100} {quote(dst)}")
    assert r.status == "OK", r
    assert not r.untagged_of("EXPUNGE"), r
    # Nothing moved: the source keeps its five messages and the destination stays empty.
    assert sorted(fetch_map(c.command("f1 UID FETCH 1:* (UID)"))) == uids
    r = c.command(f"s1 STATUS {quote(dst)} (MESSAGES)")
    assert "MESSAGES 0" in r.untagged[0].text, r


def test_imapclient_move(server, src):
    from imapclient import IMAPClient
    mbox, dst, uids, c = src
    cl = IMAPClient(server.host, port=server.imaps_port, ssl=True, ssl_context=server.ssl_context(), timeout=20)
    try:
        cl.login(server.user, server.password)
        assert b"MOVE" in cl.capabilities()
        cl.select_folder(mbox)
        cl.move([uids[0], uids[4]], dst)
        assert sorted(cl.search("ALL")) == [uids[1], uids[2], uids[3]]
        cl.select_folder(dst, readonly=True)
        got = cl.fetch(cl.search("ALL"), ["FLAGS"])
        assert len(got) == 2
        kws = sorted(b for v in got.values() for b in v[b"FLAGS"] if b.startswith(b"kw"))
        assert kws == [b"kw1", b"kw5"], got
    finally:
        try:
            cl.logout()
        except Exception:
            pass


# ------------------------------------------------------------------------- UIDPLUS


def test_appenduid_is_real(server, mbox):
    c = raw_session(server)
    try:
        assert c.command(f"a0 CREATE {quote(mbox)}").status == "OK"
        st = c.command(f"a1 STATUS {quote(mbox)} (UIDNEXT UIDVALIDITY)")
        m = re.search(r"UIDNEXT (\d+)", st.untagged[0].text)
        v = re.search(r"UIDVALIDITY (\d+)", st.untagged[0].text)
        r = raw_append(c, mbox, make_message("appenduid", body="unique-appenduid-body\r\n"), "\\Draft")
        assert r.status == "OK", r
        args = code_args(r.tagged, "APPENDUID")
        assert args is not None and len(args) == 2, f"APPEND must answer OK [APPENDUID v uid]: {r}"
        assert int(args[0]) == int(v.group(1)), (args, st)
        assert int(args[1]) >= int(m.group(1)), (args, st)
        assert c.command(f"a2 SELECT {quote(mbox)}").status == "OK"
        r = c.command(f"a3 UID FETCH {args[1]} (FLAGS BODY.PEEK[TEXT])")
        assert r.status == "OK" and len(r.untagged_of("FETCH")) == 1, r
        assert "unique-appenduid-body" in r.untagged_of("FETCH")[0].text and "\\Draft" in r.untagged_of("FETCH")[0].text
    finally:
        c.close()


def test_copyuid_is_real(server, src):
    mbox, dst, uids, c = src
    r = c.command(f"cp1 COPY 2:4 {quote(dst)}")
    assert r.status == "OK", r
    args = code_args(r.tagged, "COPYUID")
    assert args and len(args) == 3, f"COPY must answer OK [COPYUID v src dst]: {r}"
    assert uid_set(args[1]) == set(uids[1:4]), r
    assert not r.untagged_of("EXPUNGE"), r
    vdst, dmap = dst_state(c, dst)
    assert int(args[0]) == vdst
    dl = sorted(uid_set(args[2]))
    assert sorted(dmap) == dl, (dmap, args)
    # the k-th source UID maps to the k-th destination UID: keywords kw2..kw4 follow
    for k, du in zip((2, 3, 4), dl):
        assert f"kw{k}" in dmap[du]["FLAGS"], (k, du, dmap)
    # source untouched
    assert c.command(f"s1 SELECT {quote(mbox)}").status == "OK"
    assert sorted(fetch_map(c.command("f1 UID FETCH 1:* (UID)"))) == uids


def test_uid_expunge_removes_only_given_uids(server, src):
    mbox, dst, uids, c = src
    r = c.command(f"st1 UID STORE {uids[0]}:{uids[2]} +FLAGS.SILENT (\\Deleted)")
    assert r.status == "OK", r
    r = c.command(f"x1 UID EXPUNGE {uids[1]},{uids[3]}")   # uids[3] is not \Deleted: stays
    assert r.status == "OK", r
    assert [l.text for l in r.untagged_of("EXPUNGE")] == ["* 2 EXPUNGE"], r
    r = c.command("f1 UID FETCH 1:* (FLAGS)")
    fm = fetch_map(r)
    assert sorted(fm) == [uids[0], uids[2], uids[3], uids[4]], r
    assert "\\Deleted" in fm[uids[0]]["FLAGS"] and "\\Deleted" in fm[uids[2]]["FLAGS"]
    r = c.command(f"x2 UID EXPUNGE {uids[4] + 50}:{uids[4] + 60}")
    assert r.status == "OK" and not r.untagged_of("EXPUNGE"), r


def test_uid_expunge_read_only_refused(server, src):
    mbox, dst, uids, c = src
    assert c.command(f"st1 UID STORE {uids[0]} +FLAGS.SILENT (\\Deleted)").status == "OK"
    assert c.command(f"e1 EXAMINE {quote(mbox)}").status == "OK"
    r = c.command(f"x1 UID EXPUNGE {uids[0]}")
    assert r.status == "NO", r
    assert not r.untagged_of("EXPUNGE"), r
    r = c.command(f"s1 STATUS {quote(mbox)} (MESSAGES)")
    assert "MESSAGES 5" in r.untagged[0].text, r


def test_uid_expunge_needs_uid_set(server, src):
    mbox, dst, uids, c = src
    r = c.command("x1 UID EXPUNGE")
    assert r.status == "BAD", r


# ---------------------------------------------- expunge numbering with pending foreign expunges


@pytest.mark.parametrize("how", ["UID MOVE", "UID EXPUNGE", "EXPUNGE", "MOVE"])
def test_expunge_numbering_with_pending_foreign_expunge(server, src, how):
    """A has not yet been told that B expunged messages; A's own MOVE/EXPUNGE response then
    reports both, and applying the EXPUNGE lines in order to A's view must give the real state
    (RFC 9051 7.5.1: each EXPUNGE decrements the following sequence numbers immediately)."""
    mbox, dst, uids, a = src
    b = raw_session(server, mbox)
    try:
        assert b.command(f"b1 UID STORE {uids[0]},{uids[3]} +FLAGS.SILENT (\\Deleted)").status == "OK"
        assert b.command(f"b2 UID EXPUNGE {uids[0]},{uids[3]}").status == "OK"
        time.sleep(0.2)
        view = list(uids)
        if how == "UID MOVE":
            r = a.command(f"x1 UID MOVE {uids[2]},{uids[4]} {quote(dst)}")
        elif how == "MOVE":
            # sequence numbers in A's (stale) view: uids[2] is #3, uids[4] is #5
            r = a.command(f"x1 MOVE 3,5 {quote(dst)}")
        else:
            r0 = a.command(f"x0 UID STORE {uids[2]},{uids[4]} +FLAGS.SILENT (\\Deleted)")
            assert r0.status == "OK", r0
            view = apply_expunges(view, r0)   # UID STORE may already report B's expunges
            r = a.command(f"x1 UID EXPUNGE {uids[2]},{uids[4]}" if how == "UID EXPUNGE" else "x1 EXPUNGE")
        assert r.status == "OK", r
        view = apply_expunges(view, r)
        # whatever was not reported yet comes at the next NOOP
        r2 = a.command("n1 NOOP")
        view = apply_expunges(view, r2)
        assert view == [uids[1]], (view, r, r2)
        r3 = a.command("f1 FETCH 1:* (UID)")
        assert [v["UID"] for _, v in sorted(fetch_map(r3, "SEQ").items())] == [uids[1]], r3
    finally:
        b.close()
