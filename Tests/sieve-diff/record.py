#!/usr/bin/env python3
"""Record the Sieve differential corpus from Dovecot Pigeonhole's `sieve-test`.

For every case of cases.json this runs `sieve-test` (as user `nobody` when started as root, because sieve-test
refuses root) with a private Dovecot configuration, transcribes its text output into the canonical JSON result
described in README.md and writes expected/<id>.json.

    record.py                 re-record every case into expected/
    record.py --only ID ...   re-record some cases
    record.py --check         record into a temporary directory and compare with expected/ (exit 1 on any
                              difference, missing or extra file)
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT = 60

# The settings the Postern side reads from postern.toml; both sides must agree.
SPAMTEST_HEADER, SPAMTEST_TYPE, SPAMTEST_MAX = "X-Spam-Score", "score", "10"
VIRUSTEST_HEADER, VIRUSTEST_TYPE, VIRUSTEST_MAX = "X-Virus-Level", "strlen", "5"
EXTRA_EXTENSIONS = "+vacation-seconds +spamtest +spamtestplus +virustest +mboxmetadata +servermetadata"

CONFIG = """\
protocols =
mail_attribute_dict = file:{root}/case/attributes
base_dir = {root}/run
state_dir = {root}/state
log_path = /dev/stderr
info_log_path = /dev/stderr
plugin {{
  sieve = file:{root}/personal
  sieve_extensions = {extensions}
  sieve_global = {root}/global
  sieve_spamtest_status_type = {spam_type}
  sieve_spamtest_status_header = {spam_header}
  sieve_spamtest_max_value = {spam_max}
  sieve_virustest_status_type = {virus_type}
  sieve_virustest_status_header = {virus_header}
  sieve_virustest_max_value = {virus_max}
}}
"""


class RecordError(Exception):
    """sieve-test printed something this recorder cannot transcribe."""


def sieve_test_binary() -> str | None:
    return shutil.which("sieve-test") or (
        "/usr/bin/sieve-test" if os.path.exists("/usr/bin/sieve-test") else None)


class Recorder:
    def __init__(self, root: Path, binary: str):
        self.root = root
        self.binary = binary
        self.as_nobody = os.getuid() == 0
        root.chmod(0o755)
        shutil.copytree(HERE / "global", root / "global")
        shutil.copytree(HERE / "personal", root / "personal")
        (root / "case").mkdir(mode=0o777)
        (root / "case").chmod(0o777)
        (root / "dovecot.conf").write_text(CONFIG.format(
            root=root, extensions=EXTRA_EXTENSIONS, spam_type=SPAMTEST_TYPE, spam_header=SPAMTEST_HEADER,
            spam_max=SPAMTEST_MAX, virus_type=VIRUSTEST_TYPE, virus_header=VIRUSTEST_HEADER,
            virus_max=VIRUSTEST_MAX))
        for path in root.rglob("*"):
            path.chmod(0o777 if path.is_dir() else 0o644)

    def _maildir(self, name: str, mailboxes: list[str]) -> Path:
        """A fresh Maildir++ store holding INBOX and the case's existing mailboxes."""
        base = self.root / "case" / name
        for box in [""] + ["." + m for m in mailboxes]:
            for sub in ("cur", "new", "tmp"):
                (base / box / sub).mkdir(parents=True, exist_ok=True)
        for path in [base, *base.rglob("*")]:
            path.chmod(0o777)
        return base

    def run(self, case: dict, execute: bool, mailboxes: list[str] | None = None) -> subprocess.CompletedProcess:
        cid = case["id"]
        tag = cid + ("-exec" if execute else "")
        script = self.root / "case" / f"{tag}.sieve"
        shutil.copyfile(HERE / case["script"], script)
        message = self.root / "case" / f"{tag}.eml"
        shutil.copyfile(HERE / case["message"], message)
        script.chmod(0o644)
        message.chmod(0o644)
        maildir = self._maildir(f"{tag}-mail", case["mailboxes"] + (mailboxes or []))
        args = [self.binary, "-C", "-c", str(self.root / "dovecot.conf"), "-l", f"maildir:{maildir}",
                "-f", case["envelope_from"], "-a", case["envelope_to"], "-r", case["envelope_to"]]
        if execute:
            args.append("-e")
        args += [str(script), str(message)]
        if self.as_nobody:
            args = ["runuser", "-u", "nobody", "--"] + args
        env = {**os.environ, "TZ": "UTC"}  # date tests without :zone use the local zone
        return subprocess.run(args, capture_output=True, timeout=TIMEOUT, cwd=self.root / "case", env=env)

    def record(self, case: dict) -> dict:
        proc = self.run(case, execute=False)
        out = proc.stdout.decode("utf-8", "replace")
        err = proc.stderr.decode("utf-8", "replace")
        if "failed to compile sieve script" in err:
            return {"compile": "error", "runtime_error": False, "actions": [], "implicit_keep": None}
        if "final result: success" in err:
            result = parse_result(out)
            # The executed run stores for real: every mailbox the result files into must exist there.
            boxes = sorted({a["mailbox"] for a in result["actions"] if a["type"] == "store"} - {"INBOX"})
            for action in result["actions"]:
                if action["type"] == "vacation":
                    vacation_outcome(action, self.run(case, execute=True, mailboxes=boxes))
            return {"compile": "ok", "runtime_error": False, **result}
        if re.search(r"final result: (failed|temporary failure|utter failure)", err):
            # Pigeonhole prints no action list for a failed run; the message goes to the implicit keep.
            keep = None if "utter failure" in err else {"flags": []}
            return {"compile": "ok", "runtime_error": True, "actions": [], "implicit_keep": keep}
        raise RecordError(f"no final result (exit {proc.returncode}):\n{err}")


def flags_of(text: str) -> list[str]:
    return sorted({f.lower() for f in text.split()})


def parse_actions(lines: list[str]) -> list[dict]:
    """Transcribe the ` * action` lines (each followed by `   + modifier` / `   => field : value` lines)."""
    actions: list[dict] = []
    for line in lines:
        if not line.strip() or line.strip() == "(none)":
            continue
        if line.startswith(" * "):
            head = line[3:]
            if head.startswith("store message in folder: "):
                actions.append({"type": "store", "mailbox": head[len("store message in folder: "):],
                                "flags": []})
            elif head.startswith("redirect message to: "):
                actions.append({"type": "redirect",
                                "address": head[len("redirect message to: "):].strip().strip("<>")})
            elif head.startswith("reject message with reason: "):
                actions.append({"type": "reject", "reason": head[len("reject message with reason: "):]})
            elif head == "discard":
                actions.append({"type": "discard"})
            elif head == "track duplicate" or head.startswith("track duplicate with handle: "):
                handle = head[len("track duplicate with handle: "):] if head != "track duplicate" else None
                actions.append({"type": "duplicate", "handle": handle})
            elif head == "send vacation message:":
                actions.append({"type": "vacation", "seconds": None, "subject": None, "from": None,
                                "reason": None, "mime": None, "sent": None, "_handle": None})
            else:
                raise RecordError(f"unknown action line: {line!r}")
            continue
        body = line.strip()
        if not actions:
            raise RecordError(f"modifier without action: {line!r}")
        last = actions[-1]
        if last["type"] == "vacation" and last["_handle"] is not None and not line.startswith("    => "):
            last["_handle"] += "\n" + line  # a multi-line reason continues the default handle
            continue
        if body.startswith("+ add IMAP flags: ") and last["type"] == "store":
            last["flags"] = flags_of(body[len("+ add IMAP flags: "):])
        elif body in ("+ preserve implicit keep", "+ create mailbox if it does not exist"):
            pass  # :copy and :create; the implicit keep is listed on its own
        elif body.startswith("=> ") and last["type"] == "vacation":
            key, _, value = body[3:].partition(":")
            key, value = key.strip(), value[1:] if value.startswith(" ") else value
            if key == "seconds":
                last["seconds"] = int(value)
            elif key == "subject":
                last["subject"] = value
            elif key == "from":
                last["from"] = value
            elif key == "handle":
                last["_handle"] = value
            else:
                raise RecordError(f"unknown vacation field: {line!r}")
        else:
            raise RecordError(f"unknown modifier line: {line!r}")
    return actions


def parse_result(out: str) -> dict:
    """Split sieve-test's report into the action list, the vacation texts and the implicit keep.

    The report (stdout of a successful run without -e):

        <empty line>
        Performed actions:
        <empty line>
         * store message in folder: Work
                + add IMAP flags: \\seen foo
         * send vacation message:
            => seconds : 259200
            => subject : away
            => handle  : I am awayaway<default-from><NO-MIME>
        <empty line>
        START MESSAGE
        I am away
        END MESSAGE
        <empty line>
        Implicit keep:
        <empty line>
          (none)                      or   * store message in folder: INBOX [+ add IMAP flags: ...]
    """
    m = re.match(r"\A\nPerformed actions:\n\n(.*?)\nImplicit keep:\n\n(.*?)\n?\Z", out, re.S)
    if not m:
        raise RecordError(f"unexpected output:\n{out}")
    performed, keep = m.group(1), m.group(2)
    messages: list[str] = []

    def take(mo: re.Match) -> str:
        messages.append(mo.group(1))
        return ""

    performed = re.sub(r"\nSTART MESSAGE\n(.*?)\nEND MESSAGE\n", take, performed, flags=re.S)
    actions = parse_actions(performed.split("\n"))
    vacations = [a for a in actions if a["type"] == "vacation"]
    if len(vacations) != len(messages):
        raise RecordError(f"vacation texts do not match vacation actions:\n{out}")
    for action, reason in zip(vacations, messages):
        action["reason"] = reason
        handle = action["_handle"]
        if handle is not None and handle.endswith("<MIME>"):
            action["mime"] = True
        elif handle is not None and handle.endswith("<NO-MIME>"):
            action["mime"] = False
    kept = parse_actions(keep.split("\n"))
    if not kept:
        implicit = None
    elif len(kept) == 1 and kept[0]["type"] == "store":
        implicit = {"flags": kept[0]["flags"]}
    else:
        raise RecordError(f"unexpected implicit keep:\n{keep}")
    return {"actions": actions, "implicit_keep": implicit}


def vacation_outcome(action: dict, proc: subprocess.CompletedProcess) -> None:
    """Whether Pigeonhole actually sends the reply (its checks run only when the result is executed, -e)."""
    err = proc.stderr.decode("utf-8", "replace")
    out = proc.stdout.decode("utf-8", "replace")
    if "vacation action: sent vacation response" in err:
        action["sent"] = True
        if action["mime"] is None:
            # An explicit :handle hides the MIME marker: a plain reply carries the reason as its body.
            body = out.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in out else ""
            action["mime"] = not body.startswith(action["reason"].replace("\r\n", "\n").replace("\n", "\r\n"))
    elif re.search(r"vacation action: (discard|not sending|skip)", err):
        action["sent"] = False
    else:
        raise RecordError(f"vacation outcome not found in the executed run:\n{err}")
    if action["mime"] is None:
        raise RecordError("vacation :mime unknown (explicit :handle and no reply sent); change the case")
    del action["_handle"]


def render(result: dict) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def load_cases() -> list[dict]:
    return json.loads((HERE / "cases.json").read_text())


def record_all(cases: list[dict], out_dir: Path, binary: str) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="sieve-diff-") as tmp:
        recorder = Recorder(Path(tmp), binary)
        for case in cases:
            try:
                result = recorder.record(case)
            except (RecordError, subprocess.TimeoutExpired) as e:
                print(f"{case['id']}: {e}", file=sys.stderr)
                failures += 1
                continue
            (out_dir / f"{case['id']}.json").write_text(render(result))
    return failures


def check(cases: list[dict], binary: str, whole_corpus: bool) -> int:
    expected_dir = HERE / "expected"
    with tempfile.TemporaryDirectory(prefix="sieve-diff-check-") as tmp:
        fresh = Path(tmp) / "expected"
        failures = record_all(cases, fresh, binary)
        want = {p.name for p in fresh.glob("*.json")}
        have = {p.name for p in expected_dir.glob("*.json")} if whole_corpus else set()
        for name in sorted(have - want):
            print(f"{name}: committed but not recorded (stale file or recording failed)")
            failures += 1
        for name in sorted(want):
            new = (fresh / name).read_text()
            old = (expected_dir / name).read_text() if (expected_dir / name).exists() else ""
            if new != old:
                failures += 1
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(True), new.splitlines(True), f"committed/{name}", f"recorded/{name}"))
    print("recordings current" if failures == 0 else f"{failures} difference(s)")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare a fresh recording with expected/")
    parser.add_argument("--only", nargs="+", metavar="ID", help="record only these case ids")
    parser.add_argument("--sieve-test", default=sieve_test_binary(), help="path of Pigeonhole's sieve-test")
    args = parser.parse_args()
    if not args.sieve_test:
        print("record.py: sieve-test not found (Debian package dovecot-sieve)", file=sys.stderr)
        return 2
    cases = load_cases()
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        print("record.py: duplicate case ids in cases.json", file=sys.stderr)
        return 2
    if args.only:
        unknown = set(args.only) - set(ids)
        if unknown:
            print(f"record.py: unknown case ids: {sorted(unknown)}", file=sys.stderr)
            return 2
        cases = [c for c in cases if c["id"] in args.only]
    if args.check:
        return check(cases, args.sieve_test, whole_corpus=not args.only)
    failures = record_all(cases, HERE / "expected", args.sieve_test)
    print(f"recorded {len(cases) - failures} case(s), {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
