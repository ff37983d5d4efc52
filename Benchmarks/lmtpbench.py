#!/usr/bin/env python3
"""LMTP delivery load: CLIENTS processes, each its own connection to an LMTP Unix socket, each delivering
messages of SIZE bytes to its own user (user1..userN) back to back for DURATION seconds. A delivery counts once
its 250 arrived (the server's word that it is durable). Prints one JSON object: deliveries, deliveries/s, MB/s,
latency percentiles, refusals, and the server's CPU seconds (process tree of --pid) over the run."""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import socket
import time


def message(n: int, worker: int, size: int) -> bytes:
    head = (f"From: Sender {worker} <sender{worker}@remote.test>\r\nTo: user{worker + 1}@example.test\r\n"
            f"Subject: delivery {worker}-{n}\r\nMessage-ID: <{worker}.{n}.{time.time_ns()}@bench>\r\n"
            f"Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n").encode()
    line = b"The quick brown fox jumps over the lazy dog, and the mail server keeps every byte.\r\n"
    body = line * ((size - len(head)) // len(line) + 1)
    return head + body[: size - len(head)]


def reply(sock: socket.socket, buffer: bytearray) -> int:
    while True:
        end = buffer.find(b"\r\n")
        while end >= 0:
            line = bytes(buffer[:end])
            del buffer[: end + 2]
            if len(line) >= 4 and line[3:4] == b" ":
                return int(line[:3])
            end = buffer.find(b"\r\n")
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("server closed the connection")
        buffer += chunk


def worker(index: int, path: str, size: int, duration: float, start_at: float, out: mp.Queue) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    buffer = bytearray()
    reply(sock, buffer)
    sock.sendall(b"LHLO bench\r\n")
    reply(sock, buffer)
    latencies, refused, n = [], 0, 0
    while time.time() < start_at:
        time.sleep(0.001)
    end = start_at + duration
    while time.time() < end:
        data = message(n, index, size).replace(b"\r\n.", b"\r\n..") + b"\r\n.\r\n"
        began = time.perf_counter()
        sock.sendall(f"MAIL FROM:<sender{index}@remote.test>\r\nRCPT TO:<user{index + 1}@example.test>\r\nDATA\r\n"
                     .encode())
        codes = [reply(sock, buffer) for _ in range(3)]
        if codes != [250, 250, 354]:
            refused += 1
            sock.sendall(b"RSET\r\n")
            reply(sock, buffer)
            continue
        sock.sendall(data)
        code = reply(sock, buffer)
        latencies.append(time.perf_counter() - began)
        if code != 250:
            refused += 1
        n += 1
    sock.sendall(b"QUIT\r\n")
    sock.close()
    out.put((latencies, refused))


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of pid and its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent = int(fields[1])
        children.setdefault(parent, []).append(int(entry))
        stats[int(entry)] = (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / ticks
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += stats.get(p, 0.0)
        todo += children.get(p, [])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--size", type=int, default=20 * 1024)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--pid", type=int, required=True, help="the server's (master) process")
    parser.add_argument("--label", default="server")
    args = parser.parse_args()
    out: mp.Queue = mp.Queue()
    start_at = time.time() + 1.0
    procs = [mp.Process(target=worker, args=(i, args.socket, args.size, args.duration, start_at, out))
             for i in range(args.clients)]
    for p in procs:
        p.start()
    while time.time() < start_at:
        time.sleep(0.01)
    cpu0 = tree_cpu(args.pid)
    results = [out.get(timeout=args.duration + 120) for _ in procs]
    cpu1 = tree_cpu(args.pid)
    for p in procs:
        p.join()
    latencies = sorted(l for r in results for l in r[0])
    refused = sum(r[1] for r in results)
    delivered = len(latencies) - refused

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2) if latencies else 0.0

    print(json.dumps({
        "label": args.label, "clients": args.clients, "size": args.size, "duration": args.duration,
        "delivered": delivered, "refused": refused, "per_second": round(delivered / args.duration, 1),
        "mb_per_second": round(delivered * args.size / args.duration / 1e6, 2),
        "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99),
        "server_cpu_s": round(cpu1 - cpu0, 2),
        "cpu_ms_per_delivery": round((cpu1 - cpu0) * 1000 / delivered, 3) if delivered else None,
    }))


if __name__ == "__main__":
    main()
