"""LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE / CREATE-SPECIAL-USE (RFC 6154)."""
from __future__ import annotations

import re

import pytest

from exthelpers import append_n, fetch_map, quote, raw_append, raw_session, require_caps, make_message

LIST_RE = re.compile(r'^\* LIST \(([^)]*)\) (NIL|"(?:[^"\\]|\\.)*") ("(?:[^"\\]|\\.)*"|[^ ]+)(?: (.*))?$')


@pytest.fixture(autouse=True)
def _caps(server):
    require_caps(server, "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "CREATE-SPECIAL-USE")


def parse_lists(r) -> dict[str, tuple[set[str], str | None]]:
    """{name: ({attributes lower-case}, extended-data text or None)}"""
    out = {}
    for l in r.untagged_of("LIST"):
        m = LIST_RE.match(l.text)
        assert m, f"unparseable LIST line {l.text!r}"
        name = m.group(3)
        if name.startswith('"'):
            name = re.sub(r'\\(.)', r'\1', name[1:-1])
        assert name not in out, f"mailbox listed twice: {r}"
        out[name] = ({a.lower() for a in m.group(1).split()}, m.group(4))
    return out


@pytest.fixture
def tree(server, mbox):
    """mbox, mbox/a, mbox/b, mbox/b/c, mbox/d (empty leaf); subscribed: mbox/a, mbox/b/c."""
    c = raw_session(server)
    for n in (mbox, f"{mbox}/a", f"{mbox}/b", f"{mbox}/b/c", f"{mbox}/d"):
        assert c.command(f"c0 CREATE {quote(n)}").status == "OK"
    for n in (f"{mbox}/a", f"{mbox}/b/c"):
        assert c.command(f"c1 SUBSCRIBE {quote(n)}").status == "OK"
    yield mbox, c
    for n in (f"{mbox}/a", f"{mbox}/b/c"):
        c.command(f"c9 UNSUBSCRIBE {quote(n)}")
    c.close()


def test_list_subscribed_selection(server, tree):
    mbox, c = tree
    r = c.command(f'l1 LIST (SUBSCRIBED) "" {quote(mbox + "*")}')
    assert r.status == "OK", r
    got = parse_lists(r)
    assert set(got) == {f"{mbox}/a", f"{mbox}/b/c"}, r
    for name, (attrs, _) in got.items():
        assert "\\subscribed" in attrs, r


def test_list_return_subscribed_children(server, tree):
    mbox, c = tree
    r = c.command(f'l1 LIST "" {quote(mbox + "*")} RETURN (SUBSCRIBED CHILDREN)')
    assert r.status == "OK", r
    got = parse_lists(r)
    assert set(got) == {mbox, f"{mbox}/a", f"{mbox}/b", f"{mbox}/b/c", f"{mbox}/d"}, r
    sub = {n for n, (a, _) in got.items() if "\\subscribed" in a}
    assert sub == {f"{mbox}/a", f"{mbox}/b/c"}, r
    for n in (mbox, f"{mbox}/b"):
        assert "\\haschildren" in got[n][0], r
    for n in (f"{mbox}/a", f"{mbox}/b/c", f"{mbox}/d"):
        assert "\\hasnochildren" in got[n][0], r


def test_list_recursivematch_childinfo(server, tree):
    mbox, c = tree
    r = c.command(f'l1 LIST (SUBSCRIBED RECURSIVEMATCH) "" {quote(mbox + "/%")}')
    assert r.status == "OK", r
    got = parse_lists(r)
    # RFC 5258 3.5: mbox/a is subscribed; mbox/b is not, but has a subscribed child -> CHILDINFO
    assert set(got) == {f"{mbox}/a", f"{mbox}/b"}, r
    assert "\\subscribed" in got[f"{mbox}/a"][0], r
    assert "\\subscribed" not in got[f"{mbox}/b"][0], r
    ext = got[f"{mbox}/b"][1] or ""
    assert re.fullmatch(r'\("CHILDINFO" \("SUBSCRIBED"\)\)', ext, re.I), f"expected (\"CHILDINFO\" (\"SUBSCRIBED\")): {r}"
    assert not (got[f"{mbox}/a"][1] or "").upper().count("CHILDINFO"), r


def test_recursivematch_alone_is_bad(server, tree):
    mbox, c = tree
    r = c.command(f'l1 LIST (RECURSIVEMATCH) "" {quote(mbox + "*")}')
    assert r.status == "BAD", f"RECURSIVEMATCH alone must be BAD (RFC 5258 3): {r}"


def test_unknown_selection_option_is_bad(server, tree):
    mbox, c = tree
    r = c.command(f'l1 LIST (FROBNICATE) "" {quote(mbox + "*")}')
    assert r.status == "BAD", r


def test_list_remote_and_empty_return_are_plain_list(server, tree):
    mbox, c = tree
    plain = parse_lists(c.command(f'l0 LIST "" {quote(mbox + "*")}'))
    for cmd in (f'l1 LIST (REMOTE) "" {quote(mbox + "*")}', f'l2 LIST "" {quote(mbox + "*")} RETURN ()',
                f'l3 LIST () "" {quote(mbox + "*")}'):
        r = c.command(cmd)
        assert r.status == "OK", r
        assert set(parse_lists(r)) == set(plain), (cmd, r)


def test_list_multiple_patterns(server, tree):
    mbox, c = tree
    r = c.command(f'l1 LIST "" ({quote(mbox + "/a")} {quote(mbox + "/b/%")})')
    assert r.status == "OK", r
    assert set(parse_lists(r)) == {f"{mbox}/a", f"{mbox}/b/c"}, r


@pytest.mark.postern   # relies on Postern's default special-use mailboxes of a new account
def test_list_special_use(server, tree):
    mbox, c = tree
    r = c.command('l1 LIST (SPECIAL-USE) "" "*"')
    assert r.status == "OK", r
    got = parse_lists(r)
    uses = {"\\all", "\\archive", "\\drafts", "\\flagged", "\\junk", "\\sent", "\\trash"}
    assert got, r
    for n, (attrs, _) in got.items():
        assert attrs & uses, f"LIST (SPECIAL-USE) must return only special-use mailboxes: {r}"
    assert "INBOX" not in got and mbox not in got, r
    found = set().union(*(a & uses for a, _ in got.values()))
    assert {"\\sent", "\\drafts", "\\trash", "\\junk", "\\archive"} <= found, r
    r = c.command('l2 LIST "" "%" RETURN (SPECIAL-USE)')
    got2 = parse_lists(r)
    assert "\\sent" in got2["Sent"][0], r


def test_list_return_status(server, tree):
    mbox, c = tree
    assert raw_append(c, f"{mbox}/a", make_message("seen one"), "\\Seen").status == "OK"
    raw_append(c, f"{mbox}/a", make_message("unseen one"))
    raw_append(c, f"{mbox}/a", make_message("unseen two", body="x" * 300 + "\r\n"))
    # sizes via FETCH
    assert c.command(f"e1 EXAMINE {quote(mbox + '/a')}").status == "OK"
    sizes = [v["RFC822.SIZE"] for v in fetch_map(c.command("f1 FETCH 1:* (RFC822.SIZE)"), "SEQ").values()]
    assert c.command("u1 UNSELECT").status == "OK"
    r = c.command(f'l1 LIST "" {quote(mbox + "/%")} RETURN (STATUS (MESSAGES UNSEEN SIZE))')
    assert r.status == "OK", r
    lists = parse_lists(r)
    sts = {}
    for l in r.untagged_of("STATUS"):
        m = re.match(r'^\* STATUS ("(?:[^"\\]|\\.)*"|\S+) \((.*)\)$', l.text)
        assert m, l.text
        name = m.group(1).strip('"')
        toks = m.group(2).split()
        sts[name] = {toks[i].upper(): int(toks[i + 1]) for i in range(0, len(toks), 2)}
    assert set(sts) == set(lists) == {f"{mbox}/a", f"{mbox}/b", f"{mbox}/d"}, r
    assert sts[f"{mbox}/a"] == {"MESSAGES": 3, "UNSEEN": 2, "SIZE": sum(sizes)}, (sts, sizes)
    assert sts[f"{mbox}/d"] == {"MESSAGES": 0, "UNSEEN": 0, "SIZE": 0}, sts
    # RFC 5819: each STATUS follows its LIST line
    order = [l.text.split()[1] for l in r.untagged]
    for i, kind in enumerate(order):
        if kind == "STATUS":
            assert i > 0 and order[i - 1] == "LIST", [l.text for l in r.untagged]


def test_subscribed_but_deleted_is_nonexistent(server, tree):
    mbox, c = tree
    assert c.command(f"d1 DELETE {quote(mbox + '/a')}").status == "OK"
    r = c.command(f'l1 LIST (SUBSCRIBED) "" {quote(mbox + "*")}')
    got = parse_lists(r)
    assert f"{mbox}/a" in got, f"DELETE does not unsubscribe (RFC 9051 6.3.9): {r}"
    assert {"\\subscribed", "\\nonexistent"} <= got[f"{mbox}/a"][0], r
    r = c.command(f'l2 LIST "" {quote(mbox + "*")}')
    assert f"{mbox}/a" not in parse_lists(r), r


def test_create_special_use(server, mbox):
    c = raw_session(server)
    try:
        r = c.command(f"c1 CREATE {quote(mbox)} (USE (\\Archive))")
        assert r.status == "OK", r
        r = c.command(f'l1 LIST "" {quote(mbox)}')
        got = parse_lists(r)
        assert "\\archive" in got[mbox][0], r
        r = c.command('l2 LIST (SPECIAL-USE) "" "*"')
        assert mbox in parse_lists(r), r
        r = c.command(f"c2 CREATE {quote(mbox + '-bad')} (USE (\\NoSuchUse))")
        assert r.status == "NO", f"unsupported use attribute -> NO [USEATTR] (RFC 6154 5.2): {r}"
        r = c.command(f'l3 LIST "" {quote(mbox + "-bad")}')
        assert not parse_lists(r), f"the mailbox must not have been created: {r}"
    finally:
        c.close()
