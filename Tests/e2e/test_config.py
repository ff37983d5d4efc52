"""The configuration layer of a real `postern`: `config keys` lists every key, `config check` reports every
problem with its file line (exit 1) or says the file is valid (exit 0), `config show` gives each effective value
and where it came from (flag > environment > file > default) with secrets masked, and SIGHUP applies a changed
log level or connection limit to a running server, keeps the configuration in use when the file is invalid, and
says which changes need a restart."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import POSTERN_BIN, require_binary
from helpers import connect_from, own_server

pytestmark = pytest.mark.postern


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    require_binary()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("POSTERN_") or k == "POSTERN_BIN"}
    environment.update(env or {})
    return subprocess.run([POSTERN_BIN, *args], capture_output=True, text=True, timeout=60, env=environment)


def shown(stdout: str) -> dict[str, tuple[str, str]]:
    """`config show`'s rows: key -> (value, origin), cut at the header's columns."""
    lines = stdout.splitlines()
    value_at, from_at = lines[0].index("VALUE"), lines[0].index("FROM")
    return {line[:value_at].strip(): (line[value_at:from_at].strip(), line[from_at:].strip()) for line in lines[1:]}


def test_keys_lists_every_key_with_type_default_and_reload():
    r = cli("config", "keys")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["KEY", "TYPE", "DEFAULT", "SIGHUP", "DESCRIPTION"]
    names = [line.split()[0] for line in lines[1:]]
    for key in ["data_dir", "imaps", "imap", "log_level", "log.levels.imap", "max_connections", "trusted_networks",
                "tls_cert", "sieve.relay", "aliases", "admin", "default_quota_storage", "health_certificate_days"]:
        assert key in names, key
    assert len(names) == len(set(names))
    row = {line.split()[0]: line for line in lines[1:]}
    assert "integer 1-1000000" in row["max_connections"] and "20000" in row["max_connections"]
    assert " reload " in row["max_connections"] and " reload " in row["log.levels.imap"]
    assert " restart " in row["imaps"] and "0.0.0.0:993" in row["imaps"]


def test_check_valid_file(tmp_path):
    config = tmp_path / "ok.toml"
    config.write_text('max_connections = 50\ntrusted_networks = ["127.0.0.0/8"]\n[log.levels]\nimap = "debug"\n'
                      '[sieve]\nspamtest_header = "X-Spam-Score"\n[aliases]\nsales = ["alice", "bob"]\n')
    r = cli("config", "check", str(config))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{config}: valid"


def test_check_lists_every_problem_with_its_line(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('# a comment\nmax_connections = 0\nimap_port = 143\nsearch_index = "yes"\n'
                      '[log]\ncolour = true\n[log.levels]\nimap = "loud"\n')
    r = cli("config", "check", str(config))
    assert r.returncode == 1, (r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert f"postern: {config}:2: max_connections: expected an integer 1-1000000" in lines, lines
    assert f"postern: {config}:3: unknown key 'imap_port'" in lines, lines
    assert f"postern: {config}:4: search_index: expected true or false" in lines, lines
    assert f"postern: {config}:6: unknown key 'colour' in [log]" in lines, lines
    assert any(line.startswith(f"postern: {config}:8: ") and "unknown log level 'loud'" in line for line in lines)
    assert lines[-1] == f"postern: {config}: 5 problems"


def test_check_reports_a_syntax_error_and_a_missing_file(tmp_path):
    config = tmp_path / "broken.toml"
    config.write_text('max_connections = 5\nimaps = [\n')
    r = cli("config", "check", str(config))
    assert r.returncode == 1
    assert r.stderr.startswith(f"postern: {config}:") and "not valid TOML" in r.stderr, r.stderr
    r = cli("config", "check", str(tmp_path / "none.toml"))
    assert r.returncode == 1 and "cannot read the config file" in r.stderr, r.stderr
    r = cli("config", "check")
    assert r.returncode == 2 and "POSTERN_CONFIG" in r.stderr, r.stderr


def test_check_reads_the_environment_too(tmp_path):
    config = tmp_path / "ok.toml"
    config.write_text("max_connections = 5\n")
    r = cli("config", "check", env={"POSTERN_CONFIG": str(config), "POSTERN_MAX_CONNECTIONS": "many"})
    assert r.returncode == 1
    assert "postern: POSTERN_MAX_CONNECTIONS: max_connections: expected an integer 1-1000000" in r.stderr, r.stderr


def test_show_gives_values_and_origins_by_precedence(tmp_path):
    config = tmp_path / "postern.toml"
    config.write_text('max_connections = 5\nmax_connections_per_address = 4\nlog_level = "warning"\n'
                      'store = "postgresql://postern:hunter2@127.0.0.1/mail"\n[log.levels]\nstore = "error"\n')
    r = cli("config", "show", "--config", str(config), "--log-level", "debug",
            env={"POSTERN_MAX_CONNECTIONS": "7", "POSTERN_LOG_LEVEL": "info", "POSTERN_DATA_DIR": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert "hunter2" not in r.stdout and "hunter2" not in r.stderr
    rows = shown(r.stdout)
    assert rows["log_level"] == ('"debug"', "flag --log-level"), rows["log_level"]
    assert rows["max_connections"] == ("7", "env POSTERN_MAX_CONNECTIONS")
    assert rows["max_connections_per_address"] == ("4", f"{config}:2")
    assert rows["log.levels.store"] == ('"error"', f"{config}:6")
    assert rows["max_sessions_per_account_address"] == ("10", "default")
    assert rows["data_dir"] == (f'"{tmp_path}"', "env POSTERN_DATA_DIR")
    assert rows["store"] == ('"postgresql://postern:********@127.0.0.1/mail"', f"{config}:4")


def test_serve_refuses_a_bad_environment_value_on_one_line(tmp_path):
    r = cli("serve", "--data-dir", str(tmp_path / "d"), "--imaps", "127.0.0.1:0", "--imap", "off",
            env={"POSTERN_IDLE_KEEPALIVE": "0"})
    assert r.returncode == 2
    assert r.stderr.strip() == "postern: POSTERN_IDLE_KEEPALIVE: idle_keepalive: expected an integer >= 1", r.stderr


def wait_for_line(p, predicate, timeout: float = 15) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        with p._cond:
            lines = list(p.stderr)
        if any(predicate(line) for line in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def test_sighup_applies_limits_and_levels_keeps_a_bad_file_and_names_restarts(tmp_path):
    before = ('max_connections = 50\nmax_connections_per_address = 50\n[log.levels]\nimap = "warning"\n')
    with own_server(tmp_path, {"cfg": "cfg-pw 1"}, before) as (p, port, _, cafile):
        config = tmp_path / "postern.toml"
        held = [connect_from("127.0.0.1", port, cafile) for _ in range(2)]
        try:
            assert all(c.greeting.raw.startswith(b"* OK") for c in held)
            assert c_noop(held[0]) == "OK"
            # The imap subsystem is at warning: no debug line of the NOOP.
            assert not any("command=NOOP" in line for line in p.stderr), p.output()

            config.write_text('max_connections = 50\nmax_connections_per_address = 2\nhost_name = "other"\n'
                              '[log.levels]\nimap = "debug"\n')
            p.proc.send_signal(signal.SIGHUP)
            lines = wait_for_line(p, lambda l: "configuration reloaded: max_connections_per_address = 2" in l)
            assert any("configuration reloaded: max_connections_per_address = 2" in l for l in lines), p.output()
            assert any("configuration reloaded: log.levels.imap = \"debug\"" in l for l in lines), p.output()
            assert any("host_name = \"other\" needs a restart" in l for l in lines), p.output()
            # The open connections stay; a third from the same address is refused.
            with connect_from("127.0.0.1", port, cafile) as extra:
                assert extra.greeting.raw.startswith(b"* BYE Too many connections from your address (2)"), \
                    extra.greeting
            assert c_noop(held[1]) == "OK"
            lines = wait_for_line(p, lambda l: "command=NOOP" in l)
            assert any("command=NOOP" in l for l in lines), p.output()

            # An invalid file: logged, and the limits in use stay.
            config.write_text("max_connections_per_address = 0\n")
            p.proc.send_signal(signal.SIGHUP)
            lines = wait_for_line(p, lambda l: "configuration not reloaded" in l)
            assert any("configuration not reloaded" in l and f"{config}:1" in l for l in lines), p.output()
            with connect_from("127.0.0.1", port, cafile) as extra:
                assert extra.greeting.raw.startswith(b"* BYE Too many connections from your address (2)")
            assert p.proc.poll() is None
        finally:
            for c in held:
                c.close()


def c_noop(c) -> str:
    return c.command("n1 NOOP").status
