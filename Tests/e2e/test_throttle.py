"""The login throttle of a real `postern serve` (Postern only), with its default policy: failures from one
address are counted across its connections and slow its later attempts, while other addresses (loopback
has 127.0.0.0/8 to pick from) log in at once, and the attacked account's owner within seconds. Each
failure is one structured log line."""
from __future__ import annotations

import time

import pytest

from helpers import connect_from, own_server, timed_login

pytestmark = pytest.mark.postern

VICTIM, VICTIM_PW = "victim", "victim-pw 1"
OTHER, OTHER_PW = "other", "other-pw 2"


@pytest.fixture
def throttled(tmp_path):
    with own_server(tmp_path, {VICTIM: VICTIM_PW, OTHER: OTHER_PW}) as (p, port, _, cafile):
        yield p, port, cafile


def test_failures_slow_the_address_across_connections_only(throttled):
    p, port, cafile = throttled
    waits = []
    # Six failures, on two connections from one address (the server closes a connection after five).
    for round_, (conn, count) in enumerate([(connect_from("127.0.0.1", port, cafile), 3),
                                            (connect_from("127.0.0.1", port, cafile), 3)]):
        with conn:
            for i in range(count):
                took, answer = timed_login(conn, f"r{round_}a{i}", VICTIM, f"wrong-{round_}-{i}")
                assert "NO [AUTHENTICATIONFAILED]" in answer, answer
                waits.append(took)
    # Free tries first (each answered after the fixed 0.5 s failure delay), then the attempts of the
    # address start 1 s, 2 s, 4 s apart.
    assert all(w < 0.95 for w in waits[:4]), waits
    assert waits[4] >= 0.9 and waits[5] >= 1.9, waits
    # A third connection from the same address waits its turn: 4 s after the last attempt began.
    with connect_from("127.0.0.1", port, cafile) as conn:
        took, answer = timed_login(conn, "c1", OTHER, OTHER_PW)
        assert answer.startswith("c1 OK"), answer
        assert took >= 1.8, took
    # Another address logs in to another account at once; the victim's owner from a third address
    # waits only the account's small delay.
    with connect_from("127.0.0.2", port, cafile) as conn:
        took, answer = timed_login(conn, "d1", OTHER, OTHER_PW)
        assert answer.startswith("d1 OK") and took < 1.0, (took, answer)
    with connect_from("127.0.0.3", port, cafile) as conn:
        took, answer = timed_login(conn, "e1", VICTIM, VICTIM_PW)
        assert answer.startswith("e1 OK") and took < 5.0, (took, answer)
    # One line per failure, with address, account, mechanism and reason; never the password.
    lines = [line for line in p.output().splitlines() if "authentication failed" in line]
    assert len(lines) == 6, lines
    for line in lines:
        for part in ("address=127.0.0.1", f"account={VICTIM}", "mechanism=LOGIN", "reason=invalid credentials"):
            assert part in line, line
    assert "wrong-" not in p.output()
