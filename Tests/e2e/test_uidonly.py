"""UIDONLY (RFC 9586) against the live server with a second session making changes: what reaches the
UIDONLY session unsolicited is numbered by UID too (flag changes as UIDFETCH, expunges as VANISHED),
while a session without it still gets FETCH and EXPUNGE with sequence numbers."""
from __future__ import annotations

from exthelpers import append_n, quote, raw_session


def test_updates_from_another_session_come_by_uid(server, mbox):
    other = raw_session(server)
    try:
        assert other.command(f"c1 CREATE {quote(mbox)}").status == "OK"
        uids = append_n(other, mbox, 4)
        assert uids == [1, 2, 3, 4]
        watcher = raw_session(server, enable="UIDONLY")
        plain = raw_session(server, mailbox=mbox)
        try:
            assert watcher.command(f"s1 SELECT {quote(mbox)}").status == "OK"
            assert other.command(f"s2 SELECT {quote(mbox)}").status == "OK"
            assert other.command("u1 UID STORE 1 +FLAGS.SILENT (\\Deleted)").status == "OK"
            assert other.command("u2 EXPUNGE").status == "OK"
            assert other.command("u3 UID STORE 3 +FLAGS.SILENT (\\Flagged)").status == "OK"

            texts = watcher.command("n1 NOOP").texts()
            assert "* VANISHED 1" in texts, texts
            assert any(t.startswith("* 3 UIDFETCH (UID 3 FLAGS (") and "\\Flagged" in t for t in texts), texts
            assert not any(" EXPUNGE" in t or " FETCH " in t for t in texts), texts

            texts = plain.command("n2 NOOP").texts()
            assert "* 1 EXPUNGE" in texts, texts
            assert any(t.startswith("* 2 FETCH (") and "\\Flagged" in t for t in texts), texts

            r = watcher.command("f1 FETCH 1 (FLAGS)")
            assert r.status == "BAD" and r.code == "UIDREQUIRED", r
            r = watcher.command("f2 UID FETCH 3:4 (FLAGS)")
            assert [t.split(" (")[0] for t in r.texts()[:-1]] == ["* 3 UIDFETCH", "* 4 UIDFETCH"], r
        finally:
            watcher.close()
            plain.close()
    finally:
        other.close()
