#!/usr/bin/env python3
"""Full and resumed TLS handshakes against an IMAPS server: the `handshake-resumed` workload of run.sh.

imapbench cannot do this one: swift-nio-ssl's client side has no API to keep a session and offer it on the
next connection (no SSL_get1_session / SSL_set_session), so this load generator is Python's ssl module.

Each of --clients processes loops: TCP connect, TLS handshake, greeting, LOGIN, LOGOUT, close. First
--duration/2 seconds with a full handshake every time, then --duration/2 seconds offering the session of the
client's previous connection (TLS 1.3 ticket). Figures per phase: handshakes/s, p50/p99 of connect+TLS+greeting
and of the whole loop, how many handshakes the server really resumed, and the server's CPU per handshake
(utime+stime of its process tree from /proc, as imapbench measures it). Writes imapbench-style JSON for report.py.

    resumebench.py --port 12993 --user 'user%d' --users 1-16 --password pass --clients 8 --duration 20 \\
        --pid SERVER_PID --label Postern --json out.json
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import ssl
import sys
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
# Workers are forked: they inherit the arguments and the context factory as they are.
FORK = multiprocessing.get_context("fork")


def tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu_seconds(root: int) -> float:
    """utime + stime + cutime + cstime of the live process tree (reaped children are in their parents' c*)."""
    total = 0
    for pid in tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])
    return total / TICKS


def rss_kb(root: int) -> tuple[int, int, int]:
    """(RSS of root, PSS sum over the tree, processes)."""
    rss, pss, pids = 0, 0, tree(root)
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:") and pid == root:
                    rss = int(line.split()[1])
        except OSError:
            continue
    return rss, pss, len(pids)


def read_line(sock: ssl.SSLSocket, buffer: bytearray) -> bytes:
    while b"\r\n" not in buffer:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed by the server")
        buffer += chunk
    line, _, rest = bytes(buffer).partition(b"\r\n")
    buffer[:] = rest
    return line


def command(sock: ssl.SSLSocket, buffer: bytearray, tag: str, line: str) -> bytes:
    sock.sendall(f"{tag} {line}\r\n".encode())
    while True:
        answer = read_line(sock, buffer)
        if answer.startswith(tag.encode() + b" "):
            return answer


def client(index: int, args, ctx_factory, phase_end: float, resume: bool, out) -> None:
    ctx = ctx_factory()
    user = args.user.replace("%d", str(args.first_user + index % args.user_count))
    session = None
    tls_ms, all_ms, done, reused, errors, samples = [], [], 0, 0, 0, []
    while time.monotonic() < phase_end:
        t0 = time.monotonic()
        try:
            raw = socket.create_connection((args.host, args.port), timeout=30)
            try:
                sock = ctx.wrap_socket(raw, server_hostname=args.host, session=session if resume else None)
                buffer = bytearray()
                greeting = read_line(sock, buffer)
                if not greeting.startswith(b"* OK"):
                    raise ConnectionError(f"greeting {greeting[:60]!r}")
                t1 = time.monotonic()
                answer = command(sock, buffer, "a1", f'LOGIN "{user}" "{args.password}"')
                if not answer.startswith(b"a1 OK"):
                    raise ConnectionError(f"LOGIN {answer[:60]!r}")
                command(sock, buffer, "a2", "LOGOUT")
                reused += 1 if sock.session_reused else 0
                session = sock.session  # tickets arrive after the handshake: taken once answers were read
                sock.close()
            finally:
                raw.close()
            tls_ms.append((t1 - t0) * 1000)
            all_ms.append((time.monotonic() - t0) * 1000)
            done += 1
        except (OSError, ssl.SSLError, ConnectionError) as error:
            errors += 1
            if len(samples) < 3:
                samples.append(str(error)[:120])
            time.sleep(0.01)
    out.put((tls_ms, all_ms, done, reused, errors, samples))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def op(name: str, values: list[float], seconds: float, errors: int) -> dict:
    return {"name": name, "count": len(values), "perSecond": len(values) / seconds if seconds else 0,
            "p50ms": percentile(values, 0.5), "p90ms": percentile(values, 0.9), "p99ms": percentile(values, 0.99),
            "maxms": max(values) if values else float("nan"), "errors": errors}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", default="user%d")
    ap.add_argument("--users", default="1-1", help="FIRST-LAST")
    ap.add_argument("--password", default="pass")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--duration", type=float, default=20, help="seconds for both phases together")
    ap.add_argument("--pid", type=int, help="the server's pid (CPU and memory of its process tree)")
    ap.add_argument("--label", default="server")
    ap.add_argument("--json")
    args = ap.parse_args()
    first, _, last = args.users.partition("-")
    args.first_user, args.user_count = int(first), int(last or first) - int(first) + 1

    def ctx_factory() -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # both servers use self-signed certificates on loopback
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        return ctx

    result = {"workload": "handshake-resumed", "label": args.label, "target": f"{args.host}:{args.port}",
              "clients": args.clients, "seconds": 0.0, "iterations": 0, "iterationsPerSecond": 0.0, "commands": 0,
              "commandsPerSecond": 0.0, "errors": 0, "errorSamples": [], "ops": [], "serverCPUSeconds": None,
              "loadgenCPUSeconds": 0.0, "extra": {}, "notes": []}
    peak = (0, 0, 0)
    own_start = os.times()
    for phase, resume in (("full", False), ("resumed", True)):
        queue = FORK.Queue()
        cpu0 = cpu_seconds(args.pid) if args.pid else None
        start = time.monotonic()
        end = start + args.duration / 2
        workers = [FORK.Process(target=client, args=(i, args, ctx_factory, end, resume, queue))
                   for i in range(args.clients)]
        for worker in workers:
            worker.start()
        while time.monotonic() < end:
            if args.pid:
                sample = rss_kb(args.pid)
                if sample[0] + sample[1] > peak[0] + peak[1]:
                    peak = sample
            time.sleep(1)
        parts = [queue.get() for _ in workers]
        for worker in workers:
            worker.join()
        seconds = time.monotonic() - start
        cpu = cpu_seconds(args.pid) - cpu0 if args.pid else None
        tls = [x for p in parts for x in p[0]]
        whole = [x for p in parts for x in p[1]]
        done, reused, errors = (sum(p[i] for p in parts) for i in (2, 3, 4))
        result["errorSamples"] += [s for p in parts for s in p[5]][:3]
        result["ops"] += [op(f"connect+TLS+greeting ({phase})", tls, seconds, 0),
                          op(f"handshake (all, {phase})", whole, seconds, errors)]
        result["errors"] += errors
        result["seconds"] += seconds
        result["iterations"] += done
        result["extra"][f"{phase}PerSecond"] = done / seconds
        result["extra"][f"{phase}Reused"] = reused / done if done else 0.0
        if cpu is not None and done:
            result["extra"][f"{phase}CPUms"] = 1000 * cpu / done
        print(f"[{args.label}] {phase}: {done} handshakes in {seconds:.1f} s ({done / seconds:.1f}/s), "
              f"resumed {reused}, errors {errors}, TLS p50 {percentile(tls, 0.5):.2f} ms"
              + (f", server CPU {1000 * cpu / done:.2f} ms per handshake" if cpu is not None and done else ""))
    own = os.times()
    result["loadgenCPUSeconds"] = (own.children_user + own.children_system + own.user + own.system
                                   - own_start.user - own_start.system)
    if args.pid:
        result["serverMemPeak"] = {"rssKB": peak[0], "pssKB": peak[1], "processes": peak[2]}
    result["iterationsPerSecond"] = result["iterations"] / result["seconds"] if result["seconds"] else 0
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
