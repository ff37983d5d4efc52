#!/usr/bin/env python3
"""Where an idle session's memory goes: the server's memory per session after each step a client takes.

Opens N more sessions to a running server at each stage, keeping every earlier stage's open (memory freed
by closed sessions would be reused by the next stage and hide its cost): a cleartext connection that got its
greeting; an IMAPS connection that got its greeting (the TLS session); the same after LOGIN; after SELECT
INBOX; in IDLE. For each stage it reads the server's memory (RSS and PSS from /proc/PID/smaps_rollup, summed
over the process tree) before opening and after holding the new sessions `--hold` seconds and prints the
difference per session. The differences between stages are what each step adds.

    idle-breakdown.py --pid PID --imaps 12993 --imap 12143 --user user%d --users 100 --password pass -n 1000

Users are taken round robin (user1..userN). Loopback only; no certificate check (a benchmark, not a client).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import ssl
import sys
import time


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return pids


def memory_kb(pid: int) -> tuple[int, int]:
    rss = pss = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss, pss


class Session:
    def __init__(self, port: int, tls: bool):
        raw = socket.create_connection(("127.0.0.1", port), timeout=30)
        if tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            raw = context.wrap_socket(raw)
        self.sock = raw
        self.buffer = b""
        self.tag = 0
        line = self.line()
        assert line.startswith(b"* OK"), line

    def line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def command(self, text: str) -> bytes:
        self.tag += 1
        tag = f"a{self.tag}".encode()
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        while True:
            line = self.line()
            if line.startswith(tag + b" "):
                assert line.startswith(tag + b" OK"), line
                return line

    def idle(self) -> None:
        self.tag += 1
        self.sock.sendall(f"a{self.tag} IDLE\r\n".encode())
        while not self.line().startswith(b"+"):
            pass

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


STAGES = ["cleartext greeting", "TLS greeting", "TLS + LOGIN", "+ SELECT INBOX", "+ IDLE"]


def open_stage(stage: int, args, n: int) -> list[Session]:
    sessions = []
    for i in range(n):
        s = Session(args.imap if stage == 0 else args.imaps, tls=stage > 0)
        if stage >= 2:
            s.command(f'LOGIN {args.user % (i % args.users + 1)} "{args.password}"')
        if stage >= 3:
            s.command("SELECT INBOX")
        if stage >= 4:
            s.idle()
        sessions.append(s)
    return sessions


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--imaps", type=int, required=True)
    parser.add_argument("--imap", type=int, required=True)
    parser.add_argument("--user", default="user%d")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--password", default="pass")
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--hold", type=float, default=5)
    parser.add_argument("--settle", type=float, default=3)
    parser.add_argument("--warmup", type=int, default=200,
                        help="sessions taken through each stage and closed before anything is measured, so that "
                             "one-time costs (thread arenas, caches, the first login) are not counted per session")
    parser.add_argument("--stage", type=int, choices=range(len(STAGES)),
                        help="only this stage (0-4), on a server started fresh for it: nothing of another stage's "
                             "sessions left in its heap")
    parser.add_argument("--json")
    args = parser.parse_args()
    results, held = [], []
    for stage in range(len(STAGES)):
        if args.stage is None or stage == args.stage:
            for s in open_stage(stage, args, args.warmup):
                s.close()
    time.sleep(args.settle)
    for stage, name in enumerate(STAGES):
        if args.stage is not None and stage != args.stage:
            continue
        before = memory_kb(args.pid)
        sessions = open_stage(stage, args, args.n)
        held += sessions
        time.sleep(args.hold)
        after = memory_kb(args.pid)
        row = {"stage": name, "rss_kb_per_session": (after[0] - before[0]) / args.n,
               "pss_kb_per_session": (after[1] - before[1]) / args.n}
        results.append(row)
        print(f"{name:20s} RSS {row['rss_kb_per_session']:6.1f} kB  PSS {row['pss_kb_per_session']:6.1f} kB"
              " per session", flush=True)
    for s in held:
        s.close()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
