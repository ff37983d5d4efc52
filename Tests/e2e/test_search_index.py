"""The full-text search index on a real `postern serve` (Postern only): messages are indexed in the background
after APPEND, SEARCH answers stay exact (substrings inside words, strings in a base64 part, short strings, non-ASCII
strings), expunged messages leave the index, and `postern index status|rebuild` beside the running server."""
from __future__ import annotations

import base64
import imaplib
import re

import pytest

from conftest import ALICE, ALICE_PW, run_cli
from helpers import own_server, wait_for
from rawimap import make_context

pytestmark = pytest.mark.postern

WORDS = ["marmalade", "quokka", "zeppelin", "tangerine", "harpsichord"]


def message(i: int) -> bytes:
    """Message i: a plain one with WORDS[i % 5] in its body, every third one with its text in a base64 part."""
    word = WORDS[i % len(WORDS)]
    if i % 3 == 0:
        text = base64.b64encode(f"Secret {word} number {i} in base64, Grüße.\r\n".encode()).decode()
        return (f"From: Sender {i} <s{i}@example.org>\r\nSubject: note {i}\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                f"{text}\r\n").encode()
    return (f"From: Sender {i} <s{i}@example.org>\r\nSubject: note {i} {word.upper()}\r\n\r\n"
            f"Plain {word} number {i}.\r\n").encode()


def index_status(data) -> tuple[int, int]:
    r = run_cli("index", "status", ALICE, "--data-dir", str(data))
    assert r.returncode == 0, r.stderr
    m = re.search(r"(\d+) messages indexed, (\d+) pending", r.stdout)
    assert m, r.stdout
    return int(m.group(1)), int(m.group(2))


def uid_search(c: imaplib.IMAP4_SSL, *criteria: str) -> list[int]:
    typ, data = c.uid("SEARCH", "CHARSET", "UTF-8", *criteria)
    assert typ == "OK", data
    return [int(x) for x in data[0].split()]


def expected(predicate) -> list[int]:
    return [i + 1 for i in range(30) if predicate(i)]


def test_search_index_background_exact_and_cli(tmp_path):
    with own_server(tmp_path, {ALICE: ALICE_PW}, "search_index = true\n") as (p, port, _, cafile):
        data = p.data_dir
        c = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=make_context(cafile), timeout=30)
        try:
            c.login(ALICE, ALICE_PW)
            for i in range(30):
                typ, resp = c.append("INBOX", None, None, message(i))
                assert typ == "OK", resp
            c.select("INBOX")
            # The server's indexer catches up by itself.
            assert wait_for(lambda: index_status(data) == (30, 0), timeout=20), index_status(data)
            assert uid_search(c, "TEXT", "quokka") == expected(lambda i: i % 5 == 1)
            assert uid_search(c, "BODY", "ppeli") == expected(lambda i: i % 5 == 2)
            assert uid_search(c, "SUBJECT", "TANGERINE") == expected(lambda i: i % 5 == 3 and i % 3 != 0)
            assert uid_search(c, "BODY", "\"secret harpsichord\"") == expected(lambda i: i % 5 == 4 and i % 3 == 0)
            assert uid_search(c, "FROM", "\"sender 2\"") == expected(lambda i: str(i).startswith("2"))
            assert uid_search(c, "BODY", "1.") == expected(lambda i: str(i).endswith("1") and i % 3 != 0)
            c.literal = "grüsse".encode()
            assert uid_search(c, "BODY") == expected(lambda i: i % 3 == 0)
            assert uid_search(c, "TEXT", "nowhere-at-all") == []
            # Expunged messages leave the index.
            c.uid("STORE", "1:10", "+FLAGS", "(\\Deleted)")
            c.expunge()
            assert index_status(data) == (20, 0)
            assert uid_search(c, "TEXT", "quokka") == expected(lambda i: i % 5 == 1 and i >= 10)

            r = run_cli("index", "rebuild", ALICE, "--data-dir", str(data))
            assert r.returncode == 0, r.stderr
            assert f"{ALICE}: indexing" in r.stdout and "messages indexed" in r.stdout, r.stdout
            assert wait_for(lambda: index_status(data) == (20, 0), timeout=20), index_status(data)
            assert uid_search(c, "TEXT", "quokka") == expected(lambda i: i % 5 == 1 and i >= 10)
        finally:
            c.logout()

        for args in (["index", "status", "nobody"], ["index", "rebuild", "nobody"]):
            r = run_cli(*args, "--data-dir", str(data))
            assert r.returncode != 0
            assert r.stderr.strip() == "postern: no account named 'nobody'", r.stderr
