"""Shared pieces of the PostgreSQL end-to-end tests: the database URL, a schema per test, nodes.

Needs POSTERN_TEST_POSTGRES_URL (scripts/test.sh starts a throwaway cluster with scripts/pg-cluster.sh).
Without it these tests are skipped, with the reason; under CI (CI=true) they fail instead.
"""
from __future__ import annotations

import imaplib
import os
import re
import ssl
import uuid
from pathlib import Path

import pytest

from conftest import PosternProcess
from rawimap import RawIMAP

PG_URL = os.environ.get("POSTERN_TEST_POSTGRES_URL", "").strip()
IN_CI = os.environ.get("CI") == "true"


def require_database() -> str:
    if PG_URL:
        return PG_URL
    if IN_CI:
        pytest.fail("CI=true but POSTERN_TEST_POSTGRES_URL is not set: the PostgreSQL nodes were not tested")
    pytest.skip("POSTERN_TEST_POSTGRES_URL is not set (scripts/pg-cluster.sh starts a throwaway cluster)")


def fresh_store() -> str:
    """The test database's URL with a schema of its own (created by the first node or tool)."""
    base = require_database()
    return base + ("&" if "?" in base else "?") + "schema=e2e_" + uuid.uuid4().hex[:16]


def first_start_password(process: PosternProcess) -> str | None:
    found = re.search(r"^\s+password:\s+(\S+)\s*$", "\n".join(process.stdout), re.M)
    return found.group(1) if found else None


class Node:
    """One `postern serve` on the shared database, with its own data folder (reused by `restart`)."""

    def __init__(self, root: Path, name: str, store: str, wait: bool = True):
        self.data_dir = root / name
        self.data_dir.mkdir(exist_ok=True)
        self.config = root / f"{name}.toml"
        self.config.write_text('trusted_networks = ["127.0.0.0/8", "::1"]\n')
        self.store = store
        self.process = PosternProcess(self.data_dir, ["--store", store, "--config", str(self.config)])
        self.ports: dict[str, int] = {}
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        self.ports = self.process.wait_ready()

    def restart(self) -> None:
        self.process.stop()
        self.process = PosternProcess(self.data_dir, ["--store", self.store, "--config", str(self.config)])
        self.wait_ready()

    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.data_dir / "tls" / "cert.pem"))
        context.check_hostname = False
        return context

    def imaps(self, user: str, password: str) -> imaplib.IMAP4_SSL:
        client = imaplib.IMAP4_SSL("127.0.0.1", self.ports["imaps"], ssl_context=self.context(), timeout=30)
        client.login(user, password)
        return client

    def raw(self, user: str, password: str) -> RawIMAP:
        client = RawIMAP.connect_tls("127.0.0.1", self.ports["imaps"], context=self.context())
        assert client.login(user, password).status == "OK"
        return client
