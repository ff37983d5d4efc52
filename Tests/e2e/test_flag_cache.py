"""The selected mailbox's flag cache: FETCH of UID/FLAGS/MODSEQ and searches of flag keys are
answered from memory once loaded. Its answers must be the bytes the store path gives (compared here by
asking the same FETCH with one more item, which takes the store path), and it must follow what other
sessions commit: flag changes, new messages, expunges (RFC 9051 §7.5.2, RFC 7162 §3.1.4.1)."""
from __future__ import annotations

import re

from helpers import make_message, wait_for

FLAG_SETS = ["", "\\Seen", "\\Seen \\Flagged", "\\Answered", "\\Deleted", "\\Draft $Label", "\\Seen $Label Work"]


def _fill(c, mbox, n):
    for i in range(n):
        flags = FLAG_SETS[i % len(FLAG_SETS)]
        opt = f" ({flags})" if flags else ""
        r = c.command_with_literal(f"ap{i}", f"APPEND {mbox}{opt}", make_message(f"m{i}"))
        assert r.status == "OK", r


def _strip(lines, item_re):
    """FETCH lines with one item (and its leading space) removed."""
    return [re.sub(item_re, "", l.text) for l in lines]


def _same_as_store_path(c, command_set, items, tag):
    """FETCH `items` (flag cache) and `items` + RFC822.SIZE (store path) give the same lines otherwise."""
    cached = c.command(f"{tag}a {command_set} ({items})")
    stored = c.command(f"{tag}b {command_set} ({items} RFC822.SIZE)")
    assert cached.status == "OK" and stored.status == "OK", (cached, stored)
    lines = [l.text for l in cached.untagged_of("FETCH")]
    assert lines, cached
    assert lines == _strip(stored.untagged_of("FETCH"), r" RFC822\.SIZE \d+"), (cached, stored)
    return lines


def test_cached_flags_are_the_store_paths_bytes(server, mbox):
    c = server.raw(login=True)
    try:
        assert c.command(f"c1 CREATE {mbox}").status == "OK"
        _fill(c, mbox, 30)
        assert c.command(f"s1 SELECT {mbox}").status == "OK"
        lines = _same_as_store_path(c, "FETCH 1:*", "FLAGS", "f1")
        assert len(lines) == 30
        assert any("$Label Work" in l or "Work $Label" in l for l in lines), lines
        _same_as_store_path(c, "UID FETCH 1:*", "FLAGS", "f2")
        _same_as_store_path(c, "FETCH 2:5,9", "UID FLAGS", "f3")
        _same_as_store_path(c, "FETCH 1:*", "FLAGS UID MODSEQ", "f4")
        _same_as_store_path(c, "UID FETCH 1:*", "MODSEQ", "f5")
    finally:
        c.close()


def test_cache_follows_other_sessions(server, mbox):
    a = server.raw(login=True)
    b = server.raw(login=True)
    try:
        assert a.command(f"c1 CREATE {mbox}").status == "OK"
        _fill(a, mbox, 6)
        assert a.command(f"s1 SELECT {mbox}").status == "OK"
        assert b.command(f"s1 SELECT {mbox}").status == "OK"
        # Loads the cache.
        assert len(a.command("f1 FETCH 1:* (FLAGS)").untagged_of("FETCH")) == 6
        # B: a flag change, a new message with a keyword, an expunge.
        assert b.command("b1 STORE 2 FLAGS (\\Flagged)").status == "OK"
        assert b.command_with_literal("b2", f"APPEND {mbox} (NewWord)", make_message("new")).status == "OK"
        assert b.command("b3 STORE 3 +FLAGS.SILENT (\\Deleted)").status == "OK"
        assert b.command("b4 EXPUNGE").status == "OK"
        # A still shows message 3 (its expunge is not reported during FETCH): it is answered from what the
        # store kept for A (RFC 2180 §4.1.1), the others with their current flags.
        r = a.command("f2 FETCH 1:* (UID FLAGS)")
        assert r.status == "OK", r
        texts = [l.text for l in r.untagged_of("FETCH") if "UID" in l.text]
        by_seq = {int(t.split()[1]): t for t in texts}
        assert "\\Deleted" in by_seq[3], texts
        assert "\\Flagged" in by_seq[2] and "\\Seen" not in by_seq[2], texts
        # NOOP reports the expunge and the new message; then everything is there again.
        r = a.command("n1 NOOP")
        assert r.status == "OK" and r.untagged_of("EXPUNGE"), r
        lines = _same_as_store_path(a, "FETCH 1:*", "UID FLAGS", "f3")
        # Messages 3 and 5 (which had \\Deleted from the start) are gone, the new one is there.
        assert len(lines) == 5 and "NewWord" in lines[-1], lines
        # A's own STORE is seen by the cache too.
        assert a.command("s2 STORE 1 +FLAGS.SILENT (\\Answered)").status == "OK"
        r = a.command("f4 FETCH 1 (FLAGS)")
        assert "\\Answered" in r.untagged_of("FETCH")[0].text, r
    finally:
        a.close()
        b.close()


def test_flag_search_from_cache_follows_changes(server, mbox):
    a = server.raw(login=True)
    b = server.raw(login=True)
    try:
        assert a.command(f"c1 CREATE {mbox}").status == "OK"
        _fill(a, mbox, 14)
        assert a.command(f"s1 SELECT {mbox}").status == "OK"
        assert b.command(f"s1 SELECT {mbox}").status == "OK"
        assert a.command("f1 UID FETCH 1:* (FLAGS)").status == "OK"

        def both(tag, key):
            # A flag key alone takes the cache; with LARGER 0 the store path.
            cached = a.command(f"{tag}a UID SEARCH {key}")
            stored = a.command(f"{tag}b UID SEARCH {key} LARGER 0")
            assert cached.status == "OK" and stored.status == "OK", (cached, stored)
            hits = cached.untagged_of("SEARCH")[0].text
            assert hits == stored.untagged_of("SEARCH")[0].text, (cached, stored)
            return [int(x) for x in hits.split()[2:]]

        unseen = both("u1", "UNSEEN")
        assert b.command("b1 STORE 1:* +FLAGS.SILENT (\\Seen)").status == "OK"
        assert both("u2", "UNSEEN") == [], unseen
        assert b.command("b2 STORE 4 -FLAGS.SILENT (\\Seen)").status == "OK"
        assert len(both("u3", "UNSEEN UNDELETED")) == 1
        assert both("u4", "SEEN UNSEEN") == []
        assert len(both("u5", "ALL")) == 14
        assert len(both("u6", "FLAGGED")) == 2
    finally:
        a.close()
        b.close()


def test_changedsince_from_cache(server, mbox):
    a = server.raw(login=True)
    b = server.raw(login=True)
    try:
        assert a.command(f"c1 CREATE {mbox}").status == "OK"
        _fill(a, mbox, 5)
        assert a.command("e1 ENABLE CONDSTORE").status == "OK"
        r = a.command(f"s1 SELECT {mbox}")
        highest = int(re.search(r"HIGHESTMODSEQ (\d+)", " ".join(r.texts())).group(1))
        assert a.command("f1 FETCH 1:* (FLAGS)").status == "OK"
        assert b.command(f"s1 SELECT {mbox}").status == "OK"
        assert b.command("b1 STORE 4 +FLAGS.SILENT (\\Flagged)").status == "OK"
        # B's change is reported to A first, so that the FETCH below answers only what it was asked.
        assert a.command("n1 NOOP").untagged_of("FETCH"), "no flag update"
        r = a.command(f"f2 FETCH 1:* (FLAGS) (CHANGEDSINCE {highest})")
        assert r.status == "OK", r
        lines = [l.text for l in r.untagged_of("FETCH")]
        assert len(lines) == 1 and lines[0].startswith("* 4 FETCH") and "MODSEQ" in lines[0], lines
        stored = a.command(f"f3 FETCH 1:* (FLAGS RFC822.SIZE) (CHANGEDSINCE {highest})")
        assert lines == _strip(stored.untagged_of("FETCH"), r" RFC822\.SIZE \d+"), stored
    finally:
        a.close()
        b.close()


def test_recent_from_cache_in_imap4rev1(server, mbox):
    a = server.raw(login=True)
    b = server.raw(login=True)
    try:
        assert a.command(f"c1 CREATE {mbox}").status == "OK"
        _fill(a, mbox, 2)
        assert a.command(f"s1 SELECT {mbox}").status == "OK"
        assert a.command("f1 FETCH 1:* (FLAGS)").status == "OK"
        assert b.command_with_literal("b1", f"APPEND {mbox}", make_message("late")).status == "OK"
        r = a.command("n1 NOOP")
        # The SELECT claimed the first two as recent, the NOOP the new one.
        assert any(l.text == "* 3 RECENT" for l in r.untagged), r
        lines = _same_as_store_path(a, "FETCH 1:*", "FLAGS", "f2")
        assert all("\\Recent" in l for l in lines), lines
        # An EXAMINE session is told of no recent message.
        assert b.command(f"s1 EXAMINE {mbox}").status == "OK"
        lines = _same_as_store_path(b, "FETCH 1:*", "FLAGS", "f3")
        assert all("\\Recent" not in l for l in lines), lines
    finally:
        a.close()
        b.close()


def _select_lines(c, tag, command):
    r = c.command(f"{tag} {command}")
    assert r.status == "OK", r
    return [l.text for l in r.untagged], r.tagged.text.split(" ", 1)[1]


def test_select_from_cache_is_the_stores_answer(server, mbox):
    a = server.raw(login=True)
    b = server.raw(login=True)
    c = server.raw(login=True)
    try:
        assert a.command(f"c1 CREATE {mbox}").status == "OK"
        _fill(a, mbox, 9)
        # The first SELECT claims the recent messages; the second is the store's plain answer.
        _select_lines(a, "s1", f"SELECT {mbox}")
        stored, _ = _select_lines(a, "s2", f"SELECT {mbox}")
        stored_examine, _ = _select_lines(a, "s3", f"EXAMINE {mbox}")
        assert a.command("f1 FETCH 1:* (FLAGS)").status == "OK"
        # The flags are cached and current now: SELECT and EXAMINE answer from them, the same.
        before = server.diagnostics().count("mailbox view from the flag cache")
        cached, _ = _select_lines(a, "s4", f"SELECT {mbox}")
        assert cached == stored
        if not server.external:
            assert wait_for(lambda: server.diagnostics().count("mailbox view from the flag cache") > before)
        cached_examine, _ = _select_lines(a, "s5", f"EXAMINE {mbox}")
        assert cached_examine == stored_examine
        assert any("[UNSEEN 1]" in l for l in cached) and any("$Label" in l and "Work" in l for l in cached), cached

        # A message nobody has seen as recent yet, and flags current in the cache (C examines, so
        # claims nothing): A's SELECT from the cache claims it.
        assert a.command("u1 UNSELECT").status == "OK"
        assert b.command_with_literal("b1", f"APPEND {mbox} (\\Seen)", make_message("late")).status == "OK"
        assert c.command(f"x1 EXAMINE {mbox}").status == "OK"
        assert c.command("x2 FETCH 1:* (FLAGS)").status == "OK"
        lines, _ = _select_lines(a, "s6", f"SELECT {mbox}")
        # Recent for A: the nine it claimed before (RFC 3501 §2.3.2: this session saw them first) and the new one.
        assert "* 10 EXISTS" in lines and "* 10 RECENT" in lines, lines
        assert any(re.match(r"\* OK \[UIDNEXT 11\]", l) for l in lines), lines
        r = a.command("f2 FETCH 10 (FLAGS)")
        assert "\\Recent" in r.untagged_of("FETCH")[0].text, r
        lines, _ = _select_lines(b, "s7", f"SELECT {mbox}")
        assert "* 0 RECENT" in lines, lines
        # CONDSTORE: the cached HIGHESTMODSEQ is the store's.
        assert a.command("e1 ENABLE CONDSTORE").status == "OK"
        modseqs = {tuple(l for l in _select_lines(s, f"m{i}", f"EXAMINE {mbox}")[0] if "HIGHESTMODSEQ" in l)
                   for i, s in enumerate([a, c])}
        assert len(modseqs) == 1, modseqs
    finally:
        a.close()
        b.close()
        c.close()


def test_contradictory_flag_keys_match_nothing(server, mbox):
    """SEEN UNSEEN is made of flag keys only; before and after the flags are cached it matches nothing,
    while flag keys that some messages satisfy find exactly those."""
    c = server.raw(login=True)
    try:
        assert c.command(f"c1 CREATE {mbox}").status == "OK"
        _fill(c, mbox, 7)
        assert c.command(f"s1 SELECT {mbox}").status == "OK"
        for tag in ("q1", "q2"):
            r = c.command(f"{tag} UID SEARCH SEEN UNSEEN")
            assert r.status == "OK" and r.untagged_of("SEARCH")[0].text == "* SEARCH", r
            # FLAG_SETS: messages 2 and 7 are \Seen without \Flagged, 3 is both.
            r = c.command(f"{tag}x UID SEARCH SEEN NOT FLAGGED UNDELETED")
            assert r.status == "OK" and r.untagged_of("SEARCH")[0].text == "* SEARCH 2 7", r
            # Loads the flag cache for the second round.
            assert c.command(f"{tag}f FETCH 1:* (FLAGS)").status == "OK"
    finally:
        c.close()


def test_message_bodies_with_flags_from_cache(server, mbox):
    """With the flags cached, `UID FETCH n (FLAGS BODY.PEEK[])` takes its metadata from the cache and the size
    from the opened file; adding RFC822.SIZE takes the store path. Same bytes otherwise, also for a streamed
    (> 1 MB) message, a partial fetch, an implicit \\Seen, and a message another session expunged."""
    a = server.raw(login=True)
    b = server.raw(login=True)
    try:
        assert a.command(f"c1 CREATE {mbox}").status == "OK"
        _fill(a, mbox, 4)
        big = make_message("big", body=("x" * 998 + "\r\n") * 1200)
        assert a.command_with_literal("ap", f"APPEND {mbox} (\\Flagged)", big).status == "OK"
        assert a.command(f"s1 SELECT {mbox}").status == "OK"
        assert a.command("f0 FETCH 1:* (FLAGS)").status == "OK"
        for n, (which, items) in enumerate([("1:*", "UID FLAGS BODY.PEEK[]"), ("5", "BODY.PEEK[] FLAGS"),
                                            ("2:5", "BODY.PEEK[]<10.2000> UID"), ("3", "RFC822 MODSEQ")]):
            cached = a.command(f"m{n} UID FETCH {which} ({items})")
            stored = a.command(f"g{n} UID FETCH {which} ({items} RFC822.SIZE)")
            assert cached.status == "OK" and stored.status == "OK", (cached, stored)
            x = [l.raw for l in cached.untagged_of("FETCH")]
            y = [re.sub(rb" RFC822\.SIZE \d+", b"", l.raw) for l in stored.untagged_of("FETCH")]
            assert x and x == y, items
        # BODY[] (not PEEK) of an unseen message sets \Seen and says so in the same response.
        r = a.command("f1 UID FETCH 4 (UID BODY[])")
        assert r.status == "OK" and "\\Seen" in r.untagged_of("FETCH")[0].text, r
        assert "\\Seen" in a.command("f1b UID FETCH 4 (FLAGS)").untagged_of("FETCH")[0].text
        assert b.command(f"s1 SELECT {mbox}").status == "OK"
        assert b.command("b1 STORE 2 +FLAGS.SILENT (\\Deleted)").status == "OK"
        assert b.command("b2 EXPUNGE").status == "OK"
        r = a.command("f2 FETCH 2 (FLAGS BODY.PEEK[])")
        assert r.status == "OK" and "\\Deleted" in r.untagged_of("FETCH")[0].text, r
        assert r.untagged_of("FETCH")[0].literals, r
    finally:
        a.close()
        b.close()
