"""`postern sieve check` and `postern sieve test` (Postern only): exit statuses, error lines, both outputs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli

pytestmark = pytest.mark.postern

MESSAGE = (
    "From: Bob <bob@example.com>\r\n"
    "To: alice@example.org\r\n"
    "Subject: Weekly report\r\n"
    "X-Spam-Score: 8.0\r\n"
    "\r\n"
    "Hello.\r\n"
)


def _write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text)
    return str(path)


def test_check_valid(tmp_path):
    script = _write(tmp_path, "ok.sieve", 'require "fileinto";\nfileinto "Work";\n')
    r = run_cli("sieve", "check", script)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"{script}: valid"


def test_check_invalid_gives_line_and_column(tmp_path):
    script = _write(tmp_path, "bad.sieve", 'require "fileinto";\n\nif heder "x" "y" { keep; }\n')
    r = run_cli("sieve", "check", script)
    assert r.returncode == 1
    assert r.stdout.strip() == f"{script}:3:4: unknown test 'heder'"


def test_check_reports_every_command_in_error(tmp_path):
    script = _write(tmp_path, "bad.sieve", 'frob;\nkeep :x;\nkeep;\n')
    r = run_cli("sieve", "check", script)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [f"{script}:1:1: unknown command 'frob'",
                                     f"{script}:2:6: unknown tag ':x' for command 'keep'"]


def test_check_missing_file(tmp_path):
    r = run_cli("sieve", "check", str(tmp_path / "none.sieve"))
    assert r.returncode == 66
    assert r.stderr.strip() == f"postern: cannot read script {tmp_path / 'none.sieve'}"


def test_test_json(tmp_path):
    script = _write(
        tmp_path, "s.sieve",
        'require ["fileinto", "imap4flags", "vacation"];\n'
        'if header :contains "subject" "report" { fileinto :flags "\\\\Seen" "Reports"; }\n'
        'vacation :days 2 :subject "Away" "I am away.";\n'
        'redirect "carol@example.net";\n')
    message = _write(tmp_path, "m.eml", MESSAGE)
    r = run_cli("sieve", "test", script, message, "--json", "--envelope-from", "bob@example.com",
                "--envelope-to", "alice@example.org")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "compile": "ok",
        "runtime_error": False,
        "actions": [
            {"type": "store", "mailbox": "Reports", "flags": ["\\seen"]},
            {"type": "vacation", "seconds": 172800, "subject": "Away", "from": None, "reason": "I am away.",
             "mime": False, "sent": True},
            {"type": "redirect", "address": "carol@example.net"},
        ],
        "implicit_keep": None,
    }


def test_test_json_compile_error_and_runtime_error(tmp_path):
    message = _write(tmp_path, "m.eml", MESSAGE)
    bad = _write(tmp_path, "bad.sieve", "frobnicate;\n")
    r = run_cli("sieve", "test", bad, message, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"compile": "error", "runtime_error": False, "actions": [],
                                    "implicit_keep": None}
    failing = _write(tmp_path, "fail.sieve", 'require "reject";\nkeep;\nreject "no";\n')
    r = run_cli("sieve", "test", failing, message, "--json")
    assert json.loads(r.stdout) == {"compile": "ok", "runtime_error": True, "actions": [],
                                    "implicit_keep": {"flags": []}}


def test_test_human_output(tmp_path):
    script = _write(tmp_path, "s.sieve", 'require "fileinto";\nfileinto "Work";\n')
    message = _write(tmp_path, "m.eml", MESSAGE)
    r = run_cli("sieve", "test", script, message)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("\nPerformed actions:\n\n * store message in folder: Work\n\n"
                        "Implicit keep:\n\n  (none)\n\n")


def test_test_human_runtime_error(tmp_path):
    script = _write(tmp_path, "s.sieve", 'require "reject";\nkeep;\nreject "no";\n')
    message = _write(tmp_path, "m.eml", MESSAGE)
    r = run_cli("sieve", "test", script, message)
    assert r.returncode == 1
    assert r.stdout.startswith("runtime error: line 3: "), r.stdout
    assert "resolved with successful implicit keep" in r.stdout


def test_test_spamtest_from_config_and_mailboxes(tmp_path):
    config = _write(tmp_path, "postern.toml",
                    '[sieve]\nspamtest_header = "X-Spam-Score"\nspamtest_type = "score"\nspamtest_max = 10\n')
    script = _write(
        tmp_path, "s.sieve",
        'require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto", "mailbox"];\n'
        'if spamtest :value "ge" :comparator "i;ascii-numeric" "8" { fileinto "Junk"; }\n'
        'if mailboxexists "Lists" { fileinto "Lists"; }\n')
    message = _write(tmp_path, "m.eml", MESSAGE)
    r = run_cli("sieve", "test", script, message, "--json", "--config", config, "--mailbox", "Lists")
    assert r.returncode == 0, r.stderr
    assert [a["mailbox"] for a in json.loads(r.stdout)["actions"]] == ["Junk", "Lists"]
    r = run_cli("sieve", "test", script, message, "--json")
    assert json.loads(r.stdout)["actions"] == []


def test_test_bad_files_and_config(tmp_path):
    script = _write(tmp_path, "s.sieve", "keep;\n")
    r = run_cli("sieve", "test", script, str(tmp_path / "none.eml"))
    assert r.returncode == 66
    assert r.stderr.strip() == f"postern: cannot read message {tmp_path / 'none.eml'}"
    config = _write(tmp_path, "bad.toml", '[sieve]\nspamtest_header = "X-Spam"\nspamtest_type = "colour"\n')
    message = _write(tmp_path, "m.eml", MESSAGE)
    r = run_cli("sieve", "test", script, message, "--config", config)
    assert r.returncode == 64
    assert r.stderr.strip() == 'postern: config sieve.spamtest_type: expected "score", "strlen" or "text"'
