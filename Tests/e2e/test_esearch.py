"""ESEARCH (RFC 4731) and SEARCHRES (RFC 5182)."""
from __future__ import annotations

import time

import pytest

from exthelpers import append_n, esearch, fetch_map, quote, raw_session, require_caps, uid_set


@pytest.fixture(autouse=True)
def _caps(server):
    require_caps(server, "ESEARCH", "SEARCHRES")


@pytest.fixture
def box(server, mbox):
    """mbox with 6 messages, #2 #4 #5 \\Flagged, #6 \\Seen; yields (name, uids, selected connection)."""
    c = raw_session(server)
    assert c.command(f"c0 CREATE {quote(mbox)}").status == "OK"
    uids = append_n(c, mbox, 6, "esearch")
    assert c.command(f"c1 SELECT {quote(mbox)}").status == "OK"
    assert c.command("c2 STORE 2,4:5 +FLAGS.SILENT (\\Flagged)").status == "OK"
    assert c.command("c3 STORE 6 +FLAGS.SILENT (\\Seen)").status == "OK"
    yield mbox, uids, c
    c.close()


def one_esearch(r, tag):
    assert r.status == "OK", r
    assert not r.untagged_of("SEARCH"), f"RETURN (...) must answer ESEARCH, not SEARCH: {r}"
    es = esearch(r)
    assert len(es) == 1, r
    assert es[0].get("TAG") == tag, f"ESEARCH must carry (TAG \"{tag}\"): {r}"
    return es[0]


def test_uid_search_return_min_max_count_all(server, box):
    mbox, uids, c = box
    r = c.command("es1 UID SEARCH RETURN (MIN MAX COUNT ALL) FLAGGED")
    e = one_esearch(r, "es1")
    assert e["UID"] is True, f"UID SEARCH results must be marked UID: {r}"
    assert int(e["MIN"]) == uids[1] and int(e["MAX"]) == uids[4], r
    assert int(e["COUNT"]) == 3, r
    assert uid_set(e["ALL"]) == {uids[1], uids[3], uids[4]}, r


def test_search_return_empty_means_all(server, box):
    mbox, uids, c = box
    r = c.command("es1 SEARCH RETURN () FLAGGED")
    e = one_esearch(r, "es1")
    assert e["UID"] is False, r
    assert set(e) == {"TAG", "UID", "ALL"}, f"RETURN () is RETURN (ALL): {r}"
    assert uid_set(e["ALL"]) == {2, 4, 5}, r


def test_search_return_count_only_and_no_match(server, box):
    mbox, uids, c = box
    e = one_esearch(c.command("es1 SEARCH RETURN (COUNT) ALL"), "es1")
    assert set(e) == {"TAG", "UID", "COUNT"} and int(e["COUNT"]) == 6, e
    e = one_esearch(c.command("es2 SEARCH RETURN (MIN MAX COUNT ALL) KEYWORD nosuchkw"), "es2")
    # RFC 4731 3.1: MIN/MAX/ALL are omitted when nothing matched; COUNT 0 is sent
    assert "MIN" not in e and "MAX" not in e and "ALL" not in e, e
    assert int(e["COUNT"]) == 0, e
    e = one_esearch(c.command("es3 SEARCH RETURN (MIN) UNSEEN"), "es3")
    assert set(e) == {"TAG", "UID", "MIN"} and int(e["MIN"]) == 1, e
    e = one_esearch(c.command("es4 SEARCH RETURN (MAX) UNSEEN"), "es4")
    assert int(e["MAX"]) == 5, e


def test_search_return_unknown_option_is_bad(server, box):
    mbox, uids, c = box
    r = c.command("es1 SEARCH RETURN (FROBNICATE) ALL")
    assert r.status == "BAD", r


def test_searchres_save_and_use(server, box):
    mbox, uids, c = box
    r = c.command("sv1 UID SEARCH RETURN (SAVE) FLAGGED")
    assert r.status == "OK", r
    assert not r.untagged_of("ESEARCH") and not r.untagged_of("SEARCH"), \
        f"RETURN (SAVE) alone prints no result (RFC 5182 2.1): {r}"
    r = c.command("f1 UID FETCH $ (FLAGS)")
    assert r.status == "OK", r
    fm = fetch_map(r)
    assert sorted(fm) == [uids[1], uids[3], uids[4]], r
    r = c.command("q1 SEARCH UID $")
    assert r.status == "OK" and r.untagged_of("SEARCH")[0].text.split()[2:] == ["2", "4", "5"], r
    r = c.command("q2 SEARCH $ UNFLAGGED")
    assert r.untagged_of("SEARCH")[0].text.rstrip() == "* SEARCH", r
    r = c.command("f2 FETCH $ (UID)")
    assert sorted(fetch_map(r)) == [uids[1], uids[3], uids[4]], r
    # $ in STORE and COPY
    r = c.command("st1 UID STORE $ +FLAGS (kwSaved)")
    assert r.status == "OK" and len(r.untagged_of("FETCH")) == 3, r
    r = c.command(f"cp1 UID COPY $ {quote(mbox)}")
    assert r.status == "OK", r


def test_searchres_pipelined(server, box):
    """The point of SEARCHRES: the client pipelines SEARCH (SAVE) and FETCH $ in one write."""
    mbox, uids, c = box
    c.send(b"p1 UID SEARCH RETURN (SAVE) SEEN\r\np2 UID FETCH $ (FLAGS)\r\n")
    r1 = c.read_until_tagged("p1")
    assert r1.status == "OK", r1
    r2 = c.read_until_tagged("p2")
    assert r2.status == "OK" and sorted(fetch_map(r2)) == [uids[5]], r2


def test_searchres_save_with_min_saves_only_min(server, box):
    mbox, uids, c = box
    r = c.command("sv1 UID SEARCH RETURN (SAVE MIN) FLAGGED")
    assert r.status == "OK", r
    e = one_esearch(r, "sv1")
    assert int(e["MIN"]) == uids[1] and "ALL" not in e, r
    r = c.command("f1 UID FETCH $ (UID)")
    assert sorted(fetch_map(r)) == [uids[1]], f"SAVE with MIN saves only the minimum (RFC 5182 2.1): {r}"
    r = c.command("sv2 SEARCH RETURN (SAVE MIN MAX) FLAGGED")
    e = one_esearch(r, "sv2")
    assert int(e["MIN"]) == 2 and int(e["MAX"]) == 5, r
    r = c.command("f2 UID FETCH $ (UID)")
    assert sorted(fetch_map(r)) == [uids[1], uids[4]], r


def test_searchres_reset_by_select(server, box):
    mbox, uids, c = box
    assert c.command("sv1 SEARCH RETURN (SAVE) ALL").status == "OK"
    r = c.command("f1 FETCH $ (UID)")
    assert len(r.untagged_of("FETCH")) == 6, r
    assert c.command(f"s1 SELECT {quote(mbox)}").status == "OK"
    r = c.command("f2 UID FETCH $ (UID)")
    assert r.status == "OK" and not r.untagged_of("FETCH"), f"$ must be empty after SELECT (RFC 5182 2.1): {r}"
    r = c.command("f3 SEARCH $")
    assert r.status == "OK" and r.untagged_of("SEARCH")[0].text.rstrip() == "* SEARCH", r


def test_searchres_emptied_by_a_failed_save(server, box):
    """RFC 5182 2.1: a SEARCH with RETURN (SAVE) that answers NO sets $ to the empty sequence."""
    mbox, uids, c = box
    assert c.command("sv1 SEARCH RETURN (SAVE) ALL").status == "OK"
    assert len(c.command("f1 FETCH $ (UID)").untagged_of("FETCH")) == 6
    r = c.command("sv2 SEARCH RETURN (SAVE) CHARSET KOI8-R ALL")
    assert r.status == "NO" and (r.code or "").startswith("BADCHARSET"), r
    r = c.command("f2 UID FETCH $ (UID)")
    assert r.status == "OK" and not r.untagged_of("FETCH"), f"$ must be empty after a failed SAVE: {r}"


def test_searchres_drops_expunged(server, box):
    mbox, uids, c = box
    b = raw_session(server, mbox)
    try:
        assert c.command("sv1 UID SEARCH RETURN (SAVE) FLAGGED").status == "OK"
        assert b.command("b1 STORE 4 +FLAGS.SILENT (\\Deleted)").status == "OK"
        assert b.command("b2 EXPUNGE").status == "OK"
        for i in range(10):
            r = c.command(f"n{i} NOOP")
            if r.untagged_of("EXPUNGE"):
                break
            time.sleep(0.2)
        r = c.command("f1 UID FETCH $ (UID)")
        assert sorted(fetch_map(r)) == [uids[1], uids[4]], r
    finally:
        b.close()


def test_dollar_without_searchres_context_is_not_bad(server, box):
    """$ before any SAVE is just empty (RFC 5182 2.1), not an error."""
    mbox, uids, c = box
    r = c.command("f1 FETCH $ (FLAGS)")
    assert r.status == "OK" and not r.untagged_of("FETCH"), r
