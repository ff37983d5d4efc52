"""PREVIEW (RFC 8970) on real messages (Tests/mime-diff corpus) against the live server: the preview of
each is at most 200 characters of one line, the German quoted-printable message decodes, PREVIEW does
not set \\Seen, and a second FETCH gives the same texts (kept, not recomputed differently)."""
from __future__ import annotations

import re
from pathlib import Path

from exthelpers import quote, raw_session

CORPUS = Path(__file__).resolve().parent.parent / "mime-diff" / "messages"


def previews(resp) -> dict[int, str | None]:
    out = {}
    for line in resp.untagged_of("FETCH"):
        seq = int(line.raw.split(b" ", 2)[1])
        raw = line.raw
        i = raw.index(b"PREVIEW ") + len(b"PREVIEW ")
        if raw[i:i + 3] == b"NIL":
            out[seq] = None
        elif raw[i:i + 1] == b'"':
            m = re.match(rb'"((?:[^"\\]|\\.)*)"', raw[i:])
            out[seq] = re.sub(rb"\\(.)", rb"\1", m.group(1)).decode()
        else:
            out[seq] = line.literals[0].decode()
    return out


def test_previews_of_the_corpus(server, mbox):
    names = ["063-mimetools-german-qp.eml"] + sorted(p.name for p in CORPUS.glob("*.eml"))[:60]
    c = raw_session(server)
    try:
        assert c.command(f"c1 CREATE {quote(mbox)}").status == "OK"
        for i, name in enumerate(names):
            msg = (CORPUS / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            c.send(f"a{i} APPEND {quote(mbox)} {{{len(msg)}+}}\r\n".encode() + msg + b"\r\n")
            assert c.read_until_tagged(f"a{i}").status == "OK"
        assert c.command(f"s1 SELECT {quote(mbox)}").status == "OK"
        first = c.command("f1 FETCH 1:* (PREVIEW)")
        assert first.status == "OK", first
        got = previews(first)
        assert len(got) == len(names)
        assert got[1].startswith("Hallo, das ist eine Testnachricht mit 8 Bit Sönderzäichen"), got[1]
        for seq, text in got.items():
            assert text is not None and len(text) <= 200 and "\n" not in text and "\r" not in text, (seq, text)
        assert sum(1 for t in got.values() if t) >= len(names) * 3 // 4
        again = c.command("f2 FETCH 1:* (PREVIEW (LAZY))")
        assert previews(again) == got
        flags = c.command("f3 FETCH 1:* (FLAGS)")
        assert not any("\\Seen" in l.text for l in flags.untagged_of("FETCH"))
    finally:
        c.close()
