#!/usr/bin/env python3
"""Records what a private reference Dovecot answers about every corpus message into expected/NNN-name.json.

    python3 Tests/mime-diff/record.py              # record every message
    python3 Tests/mime-diff/record.py --only 301-gen-rep-two-to-lines
    python3 Tests/mime-diff/record.py --check      # record into memory, diff against expected/, exit 1 on change

The Dovecot is started the way the migration tests start one (Tests/e2e/dovecot_source.py): its own config,
users and mail in a temp folder, loopback ports, stopped by PID. Every message is APPENDed to INBOX, then
observed with observe.py. The search keys of a message already recorded are reused, so re-recording only
changes what Dovecot answers.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "e2e"))

import dovecot_source  # noqa: E402
import observe  # noqa: E402

USER, PASSWORD = "fidelity", "fidelity-pass"


def messages(only: list[str] | None) -> list[Path]:
    found = sorted((HERE / "messages").glob("*.eml"))
    if only:
        found = [p for p in found if p.stem in only]
    return found


def stored_keys(name: str, data: bytes) -> list[list[str]]:
    path = HERE / "expected" / f"{name}.json"
    if path.exists():
        return [s["key"] for s in json.loads(path.read_text())["search"]]
    return observe.search_keys(data)


def render(result: dict) -> str:
    return json.dumps(result, indent=1, ensure_ascii=False) + "\n"


def record(paths: list[Path]) -> dict[str, dict]:
    server = dovecot_source.start({USER: PASSWORD})
    try:
        client = observe.Client("127.0.0.1", server.imaps_port, tls=True)
        client.ok(b'LOGIN "%s" "%s"' % (USER.encode(), PASSWORD.encode()))
        uids = {}
        for path in paths:
            uids[path.stem] = observe.append(client, "INBOX", path.read_bytes())
        client.ok(b"SELECT INBOX")
        # Dovecot ends the session when BINARY meets corrupt base64: observe.py records that and reconnects.
        client.reopen = lambda c: (c.ok(b'LOGIN "%s" "%s"' % (USER.encode(), PASSWORD.encode())),
                                   c.ok(b"SELECT INBOX"))
        out = {}
        for path in paths:
            keys = stored_keys(path.stem, path.read_bytes())
            out[path.stem] = observe.observe(client, uids[path.stem], keys)
        client.close()
        return out
    finally:
        dovecot_source.stop(server)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="diff against expected/ instead of writing")
    ap.add_argument("--only", action="append", help="a message name (repeatable)")
    args = ap.parse_args()
    paths = messages(args.only)
    results = record(paths)
    version = subprocess.run(["dovecot", "--version"], capture_output=True, text=True).stdout.strip()
    if args.check:
        changed = [name for name, result in results.items()
                   if (HERE / "expected" / f"{name}.json").read_text() != render(result)]
        for name in changed:
            print(f"differs: {name}")
        print(f"{len(results) - len(changed)} of {len(results)} recordings current (Dovecot {version})")
        return 1 if changed else 0
    (HERE / "expected").mkdir(exist_ok=True)
    for name, result in results.items():
        (HERE / "expected" / f"{name}.json").write_text(render(result))
    print(f"recorded {len(results)} messages (Dovecot {version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
