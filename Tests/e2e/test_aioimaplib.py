"""aioimaplib (an independent asyncio IMAP client): TLS login, SELECT, IDLE push, DONE."""
from __future__ import annotations

import asyncio

import aioimaplib

from exthelpers import make_message, quote, raw_append, raw_session, require_caps


async def _client(server):
    c = aioimaplib.IMAP4_SSL(host=server.host, port=server.imaps_port, ssl_context=server.ssl_context(),
                             timeout=10)
    await asyncio.wait_for(c.wait_hello_from_server(), 10)
    r = await c.login(server.user, server.password)
    assert r.result == "OK", r
    if not c.has_capability("IDLE"):
        # RFC 9051 7.2.2: capabilities may change after login; ask again like a careful client.
        await asyncio.wait_for(c.protocol.capability(), 10)
    return c


def test_aioimaplib_idle_push(server, mbox):
    require_caps(server, "IDLE")
    b = raw_session(server)
    assert b.command(f"b0 CREATE {quote(mbox)}").status == "OK"
    assert raw_append(b, mbox, make_message("aio 0")).status == "OK"

    async def scenario():
        c = await _client(server)
        try:
            assert c.has_capability("IDLE"), c.protocol.capabilities
            r = await c.select(mbox)
            assert r.result == "OK", r
            assert any(l.endswith(b" EXISTS") and l.startswith(b"1") for l in r.lines), r.lines
            idle = await c.idle_start(timeout=20)
            # another connection appends (in a thread: the raw client is blocking)
            r2 = await asyncio.get_running_loop().run_in_executor(
                None, lambda: raw_append(b, mbox, make_message("aio pushed")))
            assert r2.status == "OK", r2
            pushed = []
            for _ in range(5):
                msg = await c.wait_server_push(timeout=5)
                pushed += msg if isinstance(msg, list) else [msg]
                if any(isinstance(x, bytes) and x.strip().lstrip(b"* ") == b"2 EXISTS" for x in pushed):
                    break
            assert any(isinstance(x, bytes) and x.strip().lstrip(b"* ") == b"2 EXISTS" for x in pushed), pushed
            c.idle_done()
            r3 = await asyncio.wait_for(idle, 10)
            assert r3.result == "OK", r3
            r4 = await c.noop()
            assert r4.result == "OK", r4
        finally:
            try:
                await asyncio.wait_for(c.logout(), 5)
            except Exception:
                pass

    try:
        asyncio.run(asyncio.wait_for(scenario(), 60))
    finally:
        b.close()
