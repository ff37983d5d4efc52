"""Golden-transcript runner: replays Tests/golden/*.txt against the live server over TLS.

Transcript format (one directive per line):

  # comment                 ignored, as are blank lines
  @login                    (header) log in as {{user}} before the first C: line
  @login user2              (header) log in as {{user2}}
  @postern                  (header) Postern-specific; deselected under E2E_EXTERNAL
  C: a1 SELECT INBOX        a command line sent to the server (CRLF appended)
  C: a2 APPEND {{mbox}} {{literal}}
  L: Subject: hi            lines of the literal announced by {{literal}} (joined by CRLF,
  L:                        plus a final CRLF); the runner sends "{N}", waits for "+",
  L: body                   then the literal and the rest of the C: line after {{literal}}
  C: a3 LOGIN {{literal:{{user}}}} x    inline literal with the given text (no CRLF)
  S: * 1 EXISTS             an expected response line

Substitutions in C:, L: and S: lines: {{user}} {{password}} {{user2}} {{password2}}
{{mbox}} (a mailbox-name prefix unique to this run) {{plain}} / {{plain2}} (base64 SASL PLAIN
initial responses for user / user2).  In S: lines, {{*}} matches any run of characters and
{{A|B|C}} matches one of the alternatives literally.  Literals in responses are rendered
as "{N}" directly followed by their bytes with CR/LF shown as \\r / \\n.

Matching: after each C: line the runner reads until that command's tagged response (or a
"+" continuation, or BYE + close).  The S: lines following the C: line must match those
responses one-to-one; untagged lines may come in any order (RFC 3501 section 7), tagged
and continuation lines must be last.  Lines starting "S: " may be omitted only if the
server really sends nothing.

POSTERN_GOLDEN_RECORD=1 rewrites the S: lines of each transcript from the live server's
answers (keeping existing patterns that still match, re-substituting variables), so the
diff can be reviewed with git.
"""
from __future__ import annotations

import base64
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import cleanup_mailboxes
from rawimap import ConnectionClosed, RawIMAP

GOLDEN_DIR = Path(os.environ.get("POSTERN_GOLDEN_DIR") or Path(__file__).resolve().parents[1] / "golden")
RECORD = os.environ.get("POSTERN_GOLDEN_RECORD") == "1"
EXTERNAL = bool(os.environ.get("E2E_EXTERNAL", "").strip())


@dataclass
class Step:
    command: str                      # C: text (unsubstituted)
    literal_lines: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)   # S: texts (unsubstituted)
    cline: int = 0                    # line number of the C: line


@dataclass
class Transcript:
    path: Path
    header: list[str]
    steps: list[Step]
    login: str | None
    postern_only: bool
    lines: list[str]                  # original file lines (for record mode)


def parse(path: Path) -> Transcript:
    lines = path.read_text().split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    steps: list[Step] = []
    header: list[str] = []
    login = None
    postern_only = False
    for i, line in enumerate(lines, 1):
        s = line.rstrip("\r")
        if not s.strip() or s.lstrip().startswith("#"):
            continue
        if s.startswith("@"):
            words = s[1:].split()
            if steps:
                raise ValueError(f"{path.name}:{i}: directives belong before the first C: line")
            if words[0] == "login":
                login = words[1] if len(words) > 1 else "user"
            elif words[0] == "postern":
                postern_only = True
            else:
                raise ValueError(f"{path.name}:{i}: unknown directive {s!r}")
            header.append(s)
            continue
        if s.startswith("C: ") or s == "C:":
            steps.append(Step(command=s[3:], cline=i))
        elif s.startswith("L: ") or s == "L:":
            if not steps or "{{literal}}" not in steps[-1].command:
                raise ValueError(f"{path.name}:{i}: L: line without a {{{{literal}}}} command")
            steps[-1].literal_lines.append(s[3:])
        elif s.startswith("S: ") or s == "S:":
            if not steps:
                raise ValueError(f"{path.name}:{i}: S: line before any C: line")
            steps[-1].expected.append(s[3:])
        else:
            raise ValueError(f"{path.name}:{i}: cannot parse {s!r}")
    return Transcript(path, header, steps, login, postern_only, lines)


def golden_files():
    return sorted(GOLDEN_DIR.glob("*.txt"))


def _params():
    out = []
    for p in golden_files():
        try:
            postern_only = parse(p).postern_only
        except Exception:
            postern_only = False
        marks = [pytest.mark.postern] if postern_only else []
        out.append(pytest.param(p, id=p.stem, marks=marks))
    return out


class Vars:
    def __init__(self, server, name: str):
        self.values = {
            "user": server.user, "password": server.password,
            "user2": server.user2, "password2": server.password2,
            "mbox": f"g-{re.sub('[^A-Za-z0-9]', '', name)[:20]}-{uuid.uuid4().hex[:6]}",
            "plain": base64.b64encode(f"\0{server.user}\0{server.password}".encode()).decode(),
            "plain2": base64.b64encode(f"\0{server.user2}\0{server.password2}".encode()).decode(),
        }

    def sub(self, text: str) -> str:
        return re.sub(r"\{\{(user2?|password2?|mbox|plain2?)\}\}", lambda m: self.values[m.group(1)], text)

    def unsub(self, text: str) -> str:
        """Turn live text back into a pattern (for record mode)."""
        text = text.replace("{{", "{ {")
        # longest values first so 'user2' wins over 'user' prefixes
        for k, v in sorted(self.values.items(), key=lambda kv: -len(kv[1])):
            if k in ("plain", "plain2", "password", "password2") or len(v) < 3:
                continue
            text = text.replace(v, "{{%s}}" % k)
        # human-readable texts of status responses differ between servers: keep status + code
        m = re.match(r"^(\S+ (?:OK|NO|BAD|BYE|PREAUTH)(?: \[[^\]]*\])?) .*$", text)
        if m:
            text = m.group(1) + " {{*}}"
        return text


def pattern_to_regex(pattern: str, vars: Vars) -> re.Pattern:
    out = []
    pos = 0
    for m in re.finditer(r"\{\{(.*?)\}\}", pattern):
        out.append(re.escape(pattern[pos:m.start()]))
        inner = m.group(1)
        if inner == "*":
            out.append(".*")
        elif "|" in inner:
            out.append("(?:" + "|".join(re.escape(a) for a in inner.split("|")) + ")")
        else:
            out.append(re.escape(vars.sub(m.group(0))))
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("".join(out), re.S)


def canon(line: str) -> str:
    """Flag lists are sets: sort them, and drop the session-dependent \\Recent."""
    def fix(m):
        inner = m.group(2)
        if "{{" in inner:
            return m.group(0)
        toks = [t for t in inner.split() if t.lower() != "\\recent"]
        return m.group(1) + " ".join(sorted(toks, key=lambda t: (t == "\\*", t.lower()))) + m.group(3)
    return re.sub(r"((?<![A-Za-z.])(?:PERMANENT)?FLAGS \()([^()]*)(\))", fix, line)


def match_step(expected: list[str], actual: list[str], vars: Vars) -> bool:
    """Untagged lines in any order; the final (tagged or '+') line must match the last pattern.
    Flag lists compare as sets (see canon)."""
    if len(expected) != len(actual):
        return False
    if not actual:
        return True
    expected = [canon(e) for e in expected]
    actual = [canon(a) for a in actual]
    regs = [pattern_to_regex(e, vars) for e in expected]
    if not regs[-1].fullmatch(actual[-1]):
        return False
    regs, actual = regs[:-1], actual[:-1]
    # bipartite matching by backtracking (small sets)
    used = [False] * len(actual)

    def bt(i):
        if i == len(regs):
            return True
        for j, a in enumerate(actual):
            if not used[j] and regs[i].fullmatch(a):
                used[j] = True
                if bt(i + 1):
                    return True
                used[j] = False
        return False

    return bt(0)


def record_lines(expected: list[str], actual: list[str], vars: Vars) -> list[str]:
    """Keep expected patterns that still match an actual line (in actual order), else the literal text."""
    regs = [(e, pattern_to_regex(canon(e), vars)) for e in expected]
    used = set()
    out = []
    for a in actual:
        for k, (e, rg) in enumerate(regs):
            if k not in used and rg.fullmatch(canon(a)):
                used.add(k)
                out.append(e)
                break
        else:
            out.append(vars.unsub(a))
    return out


class Runner:
    def __init__(self, server, t: Transcript):
        self.server = server
        self.t = t
        self.vars = Vars(server, t.path.stem)
        self.c = RawIMAP.connect_tls(server.host, server.imaps_port, cafile=server.cafile, timeout=20)
        if t.login:
            u, p = (server.user2, server.password2) if t.login == "user2" else (server.user, server.password)
            self.c.login(u, p, tag="g0")
        self.pending_tag: str | None = None
        self.closed = False

    def run_step(self, step: Step) -> list[str]:
        if self.closed:
            return ["(connection closed)"]
        cmd = self.vars.sub(step.command)
        tag = self.pending_tag or cmd.split(" ", 1)[0]
        try:
            r = self._send(cmd, step, tag)
        except ConnectionClosed as e:
            self.closed = True
            return [l.text for l in getattr(e, "lines", [])] + ["(connection closed)"]
        if r.continuation is not None:
            self.pending_tag = tag
        else:
            self.pending_tag = None
        if r.tagged is None and r.continuation is None:
            self.closed = True
        return [l.text for l in r.lines]

    def _send(self, cmd: str, step: Step, tag: str):
        # inline literals: {{literal:TEXT}}
        parts = re.split(r"\{\{literal:(.*?)\}\}|\{\{literal\}\}", cmd)
        # re.split with one group gives [text, lit, text, lit, ...]; None where {{literal}} was used
        if len(parts) == 1:
            self.c.sendline(cmd.encode())
            return self.c.read_until_tagged(tag, stop_at_continuation=True)
        early = []
        for i in range(0, len(parts) - 1, 2):
            text, lit = parts[i], parts[i + 1]
            data = (lit.encode() if lit is not None else
                    "".join(self.vars.sub(l) + "\r\n" for l in step.literal_lines).encode())
            self.c.send(text.encode() + b"{%d}\r\n" % len(data))
            r = self.c.read_until_tagged(tag, stop_at_continuation=True)
            if r.continuation is None:  # refused before the literal
                return r
            early += r.untagged
            self.c.send(data)
        self.c.send(parts[-1].encode() + b"\r\n")
        r = self.c.read_until_tagged(tag, stop_at_continuation=True)
        r.untagged[:0] = early
        return r

    def close(self):
        self.c.close()


@pytest.mark.parametrize("path", _params())
def test_golden(server, path):
    t = parse(path)
    assert t.steps, f"{path.name} has no C: lines"
    runner = Runner(server, t)
    failures = []
    recorded: dict[int, list[str]] = {}
    try:
        for step in t.steps:
            actual = runner.run_step(step)
            if RECORD:
                recorded[step.cline] = record_lines(step.expected, actual, runner.vars)
            elif not match_step(step.expected, actual, runner.vars):
                failures.append(f"{path.name}:{step.cline}: C: {step.command}\n  expected:\n" +
                                "".join(f"    S: {e}\n" for e in step.expected) + "  actual:\n" +
                                "".join(f"    S: {a}\n" for a in actual))
                break  # later steps depend on this one
    finally:
        runner.close()
        cleanup_mailboxes(server, runner.vars.values["mbox"])
    if RECORD:
        _rewrite(t, recorded)
        return
    assert not failures, "\n".join(failures)


def _rewrite(t: Transcript, recorded: dict[int, list[str]]):
    out = []
    skip_s = False
    for i, line in enumerate(t.lines, 1):
        if line.startswith("S: ") or line == "S:":
            if skip_s:
                continue
            out.append(line)
            continue
        if line.startswith("C: ") and i in recorded:
            out.append(line)
            # copy following L: lines first
            skip_s = True
            pending = recorded[i]
            j = i
            while j < len(t.lines) and (t.lines[j].startswith("L: ") or t.lines[j] == "L:"):
                out.append(t.lines[j])
                j += 1
            out.extend("S: " + a for a in pending)
            continue
        if line.startswith("L: ") or line == "L:":
            if skip_s:
                continue
        if line.startswith("C: "):
            skip_s = False
        out.append(line)
    t.path.write_text("\n".join(out) + "\n")


def test_golden_files_exist():
    files = golden_files()
    assert len(files) >= 10, f"expected golden transcripts in {GOLDEN_DIR}"
    for p in files:
        t = parse(p)  # every file must parse
        assert t.steps, p
        for s in t.steps:
            if "{{literal}}" in s.command:
                assert s.literal_lines, f"{p.name}:{s.cline}: {{{{literal}}}} without L: lines"


def test_matcher_self_check(server):
    """The matcher itself: wildcards, alternatives, order-free untagged lines."""
    v = Vars(server, "x")
    assert match_step(["* 1 EXISTS", "* FLAGS ({{*}})", "a OK [READ-WRITE] {{*}}"],
                      ["* FLAGS (\\Seen)", "* 1 EXISTS", "a OK [READ-WRITE] done"], v)
    assert not match_step(["* 1 EXISTS", "a OK {{*}}"], ["* 2 EXISTS", "a OK x"], v)
    assert not match_step(["a OK {{*}}"], ["* 1 EXPUNGE", "a OK x"], v)
    assert match_step(["a {{NO|BAD}} {{*}}"], ["a BAD nope"], v)
    assert match_step(["* 1 FETCH (FLAGS (\\Seen $X))", "a OK"], ["* 1 FETCH (FLAGS ($X \\Recent \\Seen))", "a OK"], v)
    assert not match_step(["a {{NO|BAD}} {{*}}"], ["a OK nope"], v)
    assert match_step(["* LIST () \"/\" {{mbox}}", "a OK {{*}}"],
                      [f"* LIST () \"/\" {v.values['mbox']}", "a OK x"], v)
