"""ENVELOPE, BODY and BODYSTRUCTURE are stored rendered at APPEND and copied by FETCH when nothing
else of the message is asked for. The same FETCH with a section added takes the other path (message
read, parse result used); both must give the same bytes for every item, for every corpus message."""
from __future__ import annotations

import re

import mimecorpus as mc
from mimehelpers import fetch_one, setup_mailbox


def _items(raw: bytes) -> dict[str, bytes]:
    """The ENVELOPE / BODY / BODYSTRUCTURE values of one FETCH line, by balanced parentheses and literals."""
    out = {}
    for key in (b"ENVELOPE", b"BODYSTRUCTURE", b"BODY"):
        m = re.search(rb"[ (]" + key + rb" \(", raw)
        assert m, f"{key!r} missing in {raw[:200]!r}"
        i, depth, start = m.end() - 1, 0, m.end() - 1
        while True:
            c = raw[i:i + 1]
            if c == b"{":  # a literal: skip its bytes
                close = raw.index(b"}", i)
                n = int(raw[i + 1:close].rstrip(b"+"))
                i = close + 3 + n
                continue
            if c == b'"':
                j = i + 1
                while raw[j:j + 1] != b'"':
                    j += 2 if raw[j:j + 1] == b"\\" else 1
                i = j + 1
                continue
            if c == b"(":
                depth += 1
            elif c == b")":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        out[key.decode()] = raw[start:i + 1]
    return out


def test_rendered_items_equal_items_from_the_parse_result(raw, mbox):
    messages = list(mc.corpus().values())
    setup_mailbox(raw, mbox, [m.bytes() for m in messages])
    for seq in range(1, len(messages) + 1):
        _, stored = fetch_one(raw, f"r{seq}", seq, "(ENVELOPE BODY BODYSTRUCTURE)")
        _, parsed = fetch_one(raw, f"p{seq}", seq, "(ENVELOPE BODY BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (X)])")
        a, b = _items(stored.raw), _items(parsed.raw)
        assert a == b, f"message {seq}: rendered {a} != parsed {b}"
        assert a["BODYSTRUCTURE"].startswith(b"(") and len(a["BODYSTRUCTURE"]) >= len(a["BODY"])


def test_whole_mailbox_fetch_from_memory_equals_general_path(raw, mbox):
    """FETCH 1:* of structure items with UID/FLAGS/MODSEQ is answered from the flag cache and the stored
    renderings; adding RFC822.SIZE takes the general path. Every line must be the same otherwise."""
    messages = list(mc.corpus().values())
    setup_mailbox(raw, mbox, [m.bytes() for m in messages])
    assert raw.command("st1 STORE 2:4 +FLAGS (\\Flagged $Work)").status == "OK"
    for n, items in enumerate(["ENVELOPE BODYSTRUCTURE", "UID FLAGS BODY ENVELOPE", "BODYSTRUCTURE MODSEQ UID"]):
        fast = raw.command(f"m{n} FETCH 1:* ({items})")
        slow = raw.command(f"g{n} FETCH 1:* ({items} RFC822.SIZE)")
        assert fast.status == "OK" and slow.status == "OK", (fast, slow)
        a = [l.raw for l in fast.untagged_of("FETCH")]
        b = [re.sub(rb" RFC822\.SIZE \d+", b"", l.raw) for l in slow.untagged_of("FETCH")]
        assert len(a) == len(messages) and a == b, items
