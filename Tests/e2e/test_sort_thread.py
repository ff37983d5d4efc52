"""SORT, THREAD, ESORT and PARTIAL (RFC 5256, 5267, 5957, 9394) through Python's imapclient and the raw
protocol, against the live server."""
from __future__ import annotations

import pytest
from imapclient import IMAPClient


def message(n: int, subject: str, frm: str, date: str, reply_to: int | None = None) -> bytes:
    headers = [f"From: {frm}", "To: Zoe <zoe@example.org>", f"Subject: {subject}", f"Date: {date}",
               f"Message-ID: <sort-{n}@e2e.example>"]
    if reply_to is not None:
        headers.append(f"References: <sort-{reply_to}@e2e.example>")
    return ("\r\n".join(headers) + "\r\n\r\n" + "x" * (n * 200) + "\r\n").encode()


MESSAGES = [
    message(1, "charlie", "Alice <alice@example.org>", "Sun, 05 Jan 2020 10:00:00 +0000"),
    message(2, "Re: charlie", "bob@example.org", "Thu, 02 Jan 2020 10:00:00 +0000", reply_to=1),
    message(3, "Re: bravo", "Carol <carol@example.org>", "Sat, 04 Jan 2020 10:00:00 +0000", reply_to=4),
    message(4, "[list] bravo", "dave@example.org", "Fri, 03 Jan 2020 10:00:00 +0000"),
    message(5, "alpha (fwd)", "Erin <erin@example.org>", "Wed, 01 Jan 2020 10:00:00 +0000"),
]


@pytest.fixture
def client(server, mbox):
    c = IMAPClient(server.host, port=server.imaps_port, ssl=True, ssl_context=server.ssl_context(), timeout=30)
    c.login(server.user, server.password)
    c.create_folder(mbox)
    for text in MESSAGES:
        c.append(mbox, text)
    c.select_folder(mbox)
    yield c
    try:
        c.logout()
    except Exception:
        pass


def test_capabilities_advertised(client):
    for cap in ("SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "ESORT", "PARTIAL"):
        assert client.has_capability(cap), cap


def test_imapclient_sort(client):
    uids = client.search("ALL")
    assert len(uids) == 5
    by_uid = {n + 1: uid for n, uid in enumerate(sorted(uids))}
    # Base subjects: alpha (5), bravo (3, 4), charlie (1, 2); ties in mailbox order.
    assert client.sort(["SUBJECT"]) == [by_uid[n] for n in (5, 3, 4, 1, 2)]
    assert client.sort(["SUBJECT", "REVERSE DATE"]) == [by_uid[n] for n in (5, 3, 4, 1, 2)]
    assert client.sort(["DATE"]) == [by_uid[n] for n in (5, 2, 4, 3, 1)]
    assert client.sort(["REVERSE SIZE"]) == [by_uid[n] for n in (5, 4, 3, 2, 1)]
    assert client.sort(["FROM"]) == [by_uid[n] for n in (1, 2, 3, 4, 5)]
    assert client.sort(["DISPLAYFROM"]) == [by_uid[n] for n in (1, 2, 3, 4, 5)]
    assert client.sort(["ARRIVAL"], "NOT SUBJECT bravo") == [by_uid[n] for n in (1, 2, 5)]
    assert client.sort(["DATE"], ["SUBJECT", "nothing-like-this"]) == []


def test_imapclient_thread(client):
    uids = sorted(client.search("ALL"))
    u = {n + 1: uid for n, uid in enumerate(uids)}
    # 2 answers 1 and 3 answers 4: threads ordered by their top message's date (REFERENCES) or by
    # their earliest message's (ORDEREDSUBJECT).
    assert client.thread("REFERENCES") == ((u[5],), (u[4], u[3]), (u[1], u[2]))
    assert client.thread("ORDEREDSUBJECT") == ((u[5],), (u[2], u[1]), (u[4], u[3]))


def test_esort_and_partial(client):
    typ, data = client._imap._simple_command("SORT", "RETURN", "(MIN MAX COUNT ALL)", "(DATE)", "UTF-8", "ALL")
    assert typ == "OK"
    lines = [line for line in client._imap.untagged_responses.pop("ESEARCH", [])]
    assert any(b"MIN 5 MAX 1 COUNT 5 ALL 5,2,4,3,1" in line for line in lines), lines
    typ, _ = client._imap._simple_command("SEARCH", "RETURN", "(PARTIAL", "-1:-2)", "ALL")
    assert typ == "OK"
    lines = client._imap.untagged_responses.pop("ESEARCH", [])
    assert any(b"PARTIAL (-1:-2 4:5)" in line for line in lines), lines
