"""The admin listener (Postern only): /metrics during a mixed load shows every metric family with the
counts that load implies, /health/live and /health/ready (ready, and not ready with the failed check
named), the allow-list rule for a non-loopback admin address, and the listener staying off unless
configured."""
from __future__ import annotations

import base64
import http.client
import json
import re
import tempfile
import threading
from pathlib import Path

import pytest

from conftest import PosternProcess, add_user, run_cli
from lmtphelpers import greeted, session
from rawimap import RawIMAP
from sievehelpers import RawSieve
from tlshelpers import make_server_pair

pytestmark = pytest.mark.postern

USER = "metrics"
PASSWORD = "metrics-password-1"

# Every family the server exports (Telemetry.Name.all).
FAMILIES = [
    "postern_connections_total", "postern_connections_open", "postern_tls_handshakes_total",
    "postern_imap_commands_total", "postern_imap_command_duration_seconds", "postern_auth_attempts_total",
    "postern_auth_throttled_total", "postern_imap_idle_sessions", "postern_lmtp_deliveries_total",
    "postern_store_commit_duration_seconds", "postern_store_commit_batch_size",
    "postern_store_message_bytes_total", "postern_event_loop_lag_seconds", "postern_tls_certificate_days_left",
]


def get(port: int, path: str) -> tuple[int, str, str]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.getheader("Content-Type") or "", r.read().decode()
    finally:
        c.close()


def samples(text: str) -> dict[str, float]:
    """`name{labels}` -> value for every sample line of an exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, value = line.rsplit(" ", 1)
        out[key] = float(value)
    return out


def value(metrics: dict[str, float], name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for key, v in metrics.items():
        m = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})?", key)
        if not m or m.group(1) != name:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if all(have.get(k) == want for k, want in labels.items()):
            total += v
    return total


@pytest.fixture(scope="module")
def admin_server():
    tmp = tempfile.TemporaryDirectory(prefix="postern-admin-")
    data = Path(tmp.name) / "data"
    data.mkdir()
    add_user(data, USER, PASSWORD)
    p = PosternProcess(data, ["--admin", "127.0.0.1:0"])
    try:
        p.wait_ready()
        yield p
    finally:
        p.stop()
        tmp.cleanup()


def mixed_load(p: PosternProcess) -> None:
    """Logins (good and bad), APPEND, SELECT, FETCH, SEARCH, STORE, an unknown command, IDLE, an LMTP
    delivery and a ManageSieve login, from several threads at once."""
    cafile = str(p.data_dir / "tls" / "cert.pem")

    def imap_client(n: int) -> None:
        with RawIMAP.connect_tls("127.0.0.1", p.ports["imaps"], cafile=cafile) as c:
            assert c.command(f"b{n} LOGIN {USER} wrong-password").status == "NO"
            c.login(USER, PASSWORD)
            body = f"Subject: load {n}\r\n\r\nbody {n}\r\n".encode()
            assert c.command_with_literal(f"a{n}", "APPEND INBOX", body).status == "OK"
            assert c.command(f"s{n} SELECT INBOX").status == "OK"
            assert c.command(f"f{n} FETCH 1:* (FLAGS RFC822.SIZE)").status == "OK"
            assert c.command(f"u{n} UID SEARCH ALL").status == "OK"
            assert c.command(f"t{n} STORE 1 +FLAGS (\\Seen)").status == "OK"
            assert c.command(f"x{n} FROBNICATE").status == "BAD"
            c.sendline(f"i{n} IDLE")
            assert c.read_line().text.startswith("+")
            c.sendline("DONE")
            assert c.read_until_tagged(f"i{n}").status == "OK"
            assert c.command(f"o{n} LOGOUT").status == "OK"

    failures = []

    def client(n: int) -> None:
        try:
            imap_client(n)
        except BaseException as e:  # re-raised below
            failures.append(e)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    if failures:
        raise failures[0]
    with RawIMAP.connect_plain("127.0.0.1", p.ports["imap"]) as c:
        c.starttls(cafile=cafile)
        assert c.command("z1 LOGOUT").status == "OK"
    with greeted(p.lmtp_socket) as c:
        replies = session(c, "sender@example.org", [f"{USER}@example.test"], b"Subject: via lmtp\r\n\r\nhello\r\n")
        assert replies[-1][0] == 250, replies
    s = RawSieve.connect(p.ports["managesieve"])
    try:
        s.starttls(cafile)
        assert s.login(USER, PASSWORD).status == "OK"
    finally:
        s.close()


def test_metrics_during_load_show_every_family(admin_server):
    p = admin_server
    port = p.ports["admin"]
    failures = []

    def run() -> None:
        try:
            mixed_load(p)
        except BaseException as e:  # reported by the test below
            failures.append(e)

    load = threading.Thread(target=run)
    load.start()
    # Scraped while the load runs, and once more after it.
    status, content_type, during = get(port, "/metrics")
    load.join(120)
    assert not load.is_alive()
    assert not failures, failures
    assert status == 200 and content_type.startswith("text/plain")
    for family in FAMILIES:
        assert f"# TYPE {family} " in during, family
    status, _, after = get(port, "/metrics")
    assert status == 200
    m = samples(after)
    for family in FAMILIES:
        assert f"# TYPE {family} " in after, family
    assert value(m, "postern_imap_commands_total", command="LOGIN", outcome="OK") >= 4
    assert value(m, "postern_imap_commands_total", command="LOGIN", outcome="NO") >= 4
    assert value(m, "postern_imap_commands_total", command="APPEND", outcome="OK") >= 4
    assert value(m, "postern_imap_commands_total", command="UID SEARCH", outcome="OK") >= 4
    assert value(m, "postern_imap_commands_total", command="other", outcome="BAD") >= 4
    assert value(m, "postern_imap_commands_total", command="IDLE", outcome="OK") >= 4
    assert value(m, "postern_imap_command_duration_seconds_count", command="FETCH") >= 4
    assert value(m, "postern_auth_attempts_total", mechanism="LOGIN", result="success") >= 4
    assert value(m, "postern_auth_attempts_total", mechanism="LOGIN", result="failed") >= 4
    assert value(m, "postern_auth_attempts_total", mechanism="PLAIN", result="success") >= 1
    assert value(m, "postern_connections_total", listener="imaps", state="accepted") >= 4
    assert value(m, "postern_connections_total", listener="lmtp", state="accepted") >= 1
    assert value(m, "postern_connections_total", listener="imap", state="accepted") >= 1
    assert value(m, "postern_imap_commands_total", command="STARTTLS", outcome="OK") >= 1
    assert value(m, "postern_connections_total", listener="managesieve", state="accepted") >= 1
    assert value(m, "postern_tls_handshakes_total", result="ok") >= 5
    assert value(m, "postern_lmtp_deliveries_total", result="delivered") >= 1
    assert value(m, "postern_store_message_bytes_total") > 0
    assert value(m, "postern_store_commit_batch_size_count") >= 5
    assert value(m, "postern_store_commit_duration_seconds_count") >= 5
    assert value(m, "postern_event_loop_lag_seconds_count") >= 1
    assert value(m, "postern_imap_idle_sessions") == 0
    # The self-signed certificate is valid for ten years.
    assert value(m, "postern_tls_certificate_days_left", key="ecdsa") > 3000
    # Bounded labels: no user name or address anywhere in the exposition.
    assert USER not in after and "127.0.0.1" not in after


def test_health_live_and_ready(admin_server):
    port = admin_server.ports["admin"]
    status, content_type, body = get(port, "/health/live")
    assert status == 200 and content_type == "application/json"
    assert json.loads(body)["status"] == "live"
    status, _, body = get(port, "/health/ready")
    assert status == 200, body
    report = json.loads(body)
    assert report["status"] == "ready" and report["failed"] == []
    assert {c["name"]: c["ok"] for c in report["checks"]} == {"listeners": True, "store": True, "certificate": True}
    status, _, _ = get(port, "/nothing-here")
    assert status == 404


def test_ready_fails_on_a_certificate_expiring_too_soon(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    config = tmp_path / "postern.toml"
    # A certificate valid for two days, against the default minimum of 14 days left.
    cert, key = make_server_pair(tmp_path, "short")
    config.write_text(f'admin = "127.0.0.1:0"\ntls_cert = "{cert}"\ntls_key = "{key}"\n')
    p = PosternProcess(data, ["--config", str(config)])
    try:
        p.wait_ready()
        status, content_type, body = get(p.ports["admin"], "/health/ready")
        assert status == 503 and content_type == "application/json"
        report = json.loads(body)
        assert report["status"] == "not ready" and report["failed"] == ["certificate"]
        check = next(c for c in report["checks"] if c["name"] == "certificate")
        assert "expires in 1 days (minimum 14)" in check["detail"]
        assert get(p.ports["admin"], "/health/live")[0] == 200
    finally:
        p.stop()


def test_admin_is_off_unless_configured(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    p = PosternProcess(data)
    try:
        ports = p.wait_ready()
        assert "admin" not in ports
    finally:
        p.stop()


def test_non_loopback_admin_needs_an_allow_list(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    r = run_cli("serve", "--data-dir", str(data), "--imaps", "127.0.0.1:0", "--imap", "off",
                "--managesieve", "off", "--admin", "0.0.0.0:0")
    assert r.returncode != 0
    assert r.stderr.startswith("postern: admin listener 0.0.0.0:0 is not on loopback: set admin_allow")
    config = tmp_path / "postern.toml"
    config.write_text('admin_allow = ["not-a-network"]\n')
    r = run_cli("serve", "--data-dir", str(data), "--config", str(config), "--imaps", "127.0.0.1:0")
    assert r.returncode != 0 and "admin_allow: 'not-a-network' is not a network" in r.stderr
    config.write_text('health_certificate_days = -1\n')
    r = run_cli("serve", "--data-dir", str(data), "--config", str(config), "--imaps", "127.0.0.1:0")
    assert r.returncode != 0 and "health_certificate_days" in r.stderr


def test_grafana_dashboard_charts_every_family():
    dashboard = json.loads((Path(__file__).resolve().parents[2] / "contrib" / "grafana-dashboard.json").read_text())
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    for family in FAMILIES:
        assert family in exprs, family
