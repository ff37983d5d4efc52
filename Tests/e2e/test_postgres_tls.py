"""TLS between Postern and PostgreSQL: a private cluster that offers TLS with a self-signed certificate
(scripts/pg-cluster.sh with PG_TLS=1), reached with each `sslmode`, the certificate trusted through
`sslrootcert` or not at all. Needs PostgreSQL's binaries (see pghelpers)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from conftest import run_cli
from pghelpers import Node, first_start_password, require_database

pytestmark = pytest.mark.postern

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pg-cluster.sh"


@pytest.fixture(scope="module")
def tls_cluster():
    """A cluster offering TLS: (base URL without sslmode, root certificate, cluster folder)."""
    require_database()
    # Not under tmp_path: the cluster belongs to the postgres user, who must reach it.
    folder = Path(tempfile.gettempdir()) / f"postern-pgtls-{uuid.uuid4().hex[:12]}"
    started = subprocess.run(["bash", str(SCRIPT), "start", str(folder)], capture_output=True, text=True,
                             timeout=120, env={**os.environ, "PG_TLS": "1"})
    assert started.returncode == 0, started.stderr
    try:
        base = started.stdout.strip().split("?")[0]
        # A copy the test user can read whoever owns the cluster's.
        root = Path(tempfile.gettempdir()) / f"postern-pgtls-root-{uuid.uuid4().hex[:8]}.pem"
        shutil.copyfile(folder / "tls" / "server.crt", root)
        yield base, root, folder
        root.unlink()
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(folder)], timeout=60)


def encrypted_backends(folder: Path) -> tuple[int, int]:
    """(encrypted, unencrypted) client connections over TCP: Postern's (psql itself uses the Unix socket)."""
    port = (folder / "port").read_text().strip()
    sql = ("SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl) FROM pg_stat_ssl s "
           "JOIN pg_stat_activity a USING (pid) WHERE a.client_addr IS NOT NULL AND a.pid <> pg_backend_pid()")
    owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    out = subprocess.run([*owner, "psql", "-h", str(folder), "-p", port, "-U", "postgres", "-d", "postern_test",
                          "-At", "-F", " ", "-c", sql], capture_output=True, text=True, timeout=30, check=True)
    encrypted, plain = out.stdout.split()
    return int(encrypted), int(plain)


@pytest.mark.parametrize("mode", ["require", "verify-full", "verify-ca"])
def test_node_serves_over_a_verified_tls_connection(tmp_path, tls_cluster, mode):
    base, root, folder = tls_cluster
    schema = "tls_" + uuid.uuid4().hex[:12]
    node = Node(tmp_path, "a", f"{base}?sslmode={mode}&sslrootcert={root}&schema={schema}&pool=2")
    try:
        password = first_start_password(node.process)
        assert password, node.process.stdout
        client = node.imaps("postmaster", password)
        assert client.append("INBOX", None, None, b"Subject: over TLS\r\n\r\nhello\r\n")[0] == "OK"
        client.select("INBOX")
        typ, data = client.fetch("*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert typ == "OK" and b"over TLS" in data[0][1], data
        encrypted, plain = encrypted_backends(folder)
        assert encrypted >= 1 and plain == 0, (encrypted, plain)
        client.logout()
    finally:
        node.process.stop()


def test_prefer_encrypts_without_checking_the_certificate(tmp_path, tls_cluster):
    """The default (libpq's `prefer`): TLS when offered, a self-signed certificate accepted."""
    base, _, folder = tls_cluster
    r = run_cli("user", "add", "carol", "--store", f"{base}?schema=p_{uuid.uuid4().hex[:12]}",
                "--data-dir", str(tmp_path / "cli"))
    assert r.returncode == 0 and "created account carol" in r.stdout, r.stderr


def test_untrusted_or_unreadable_root_gives_one_line_errors(tmp_path, tls_cluster):
    base, root, _ = tls_cluster
    data = str(tmp_path / "cli")
    schema = f"&schema=u_{uuid.uuid4().hex[:12]}"
    # The system's roots do not include the cluster's self-signed certificate.
    r = run_cli("user", "list", "--store", f"{base}?sslmode=require{schema}", "--data-dir", data)
    assert r.returncode != 0, r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("postern: "), r.stderr
    assert "Traceback" not in r.stderr and "Fatal error" not in r.stderr
    for bad, says in [(tmp_path / "missing.pem", "not a readable file of PEM certificates"),
                      (Path(__file__), "not a readable file of PEM certificates")]:
        r = run_cli("user", "list", "--store", f"{base}?sslmode=verify-full&sslrootcert={bad}{schema}",
                    "--data-dir", data)
        assert r.returncode == 2 and r.stderr.strip().startswith("postern: ") and says in r.stderr, r.stderr
    r = run_cli("user", "list", "--store", f"{base}?sslmode=prefer&sslrootcert={root}{schema}", "--data-dir", data)
    assert r.returncode == 2 and "sslrootcert needs sslmode=require" in r.stderr, r.stderr
