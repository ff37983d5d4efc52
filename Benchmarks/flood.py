#!/usr/bin/env python3
"""Floods an IMAPS server with connections and logins and counts what each of Postern's limits refused.

    flood.py HOST PORT [--cafile F] [--addresses 5] [--per-address 300] [--user U --password P --logins 30]
             [--pid SERVER_PID]

--addresses loopback addresses (127.0.5.1, 127.0.5.2, ...) each open --per-address TLS connections, all at once (a
thread each), and hold the ones greeted with OK; the greetings of the others are counted by reason (`* BYE Too many
connections from your address`, `... to this server`, anything else). Meanwhile a session opened before the flood,
from an address of its own, sends NOOP every 0.1 s (its slowest answer is printed). Then --logins of the first
address's held connections log in to --user at once: the answers are counted (OK, NO [LIMIT], other). With --pid,
the server's resident memory before and at the end."""
import argparse
import socket
import ssl
import threading
import time
from collections import Counter


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


def connect(args, ctx, source):
    raw = socket.create_connection((args.host, args.port), timeout=60, source_address=(source, 0))
    s = ctx.wrap_socket(raw, server_hostname=args.host)
    f = s.makefile("rb")
    return s, f, f.readline().decode(errors="replace").strip()


def command(s, f, tag, text):
    s.sendall(f"{tag} {text}\r\n".encode())
    lines = []
    while True:
        line = f.readline()
        if not line:
            return lines + ["(closed)"]
        lines.append(line.decode(errors="replace").strip())
        if line.startswith(tag.encode() + b" "):
            return lines


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--cafile")
    p.add_argument("--addresses", type=int, default=5)
    p.add_argument("--per-address", type=int, default=300)
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--logins", type=int, default=30)
    p.add_argument("--pid", type=int)
    args = p.parse_args()
    ctx = ssl.create_default_context(cafile=args.cafile)
    before = rss_kib(args.pid) if args.pid else None

    # The bystander: a session opened before the flood.
    bs, bf, _ = connect(args, ctx, "127.0.5.250")
    stop, latencies = threading.Event(), []

    def bystander():
        n = 0
        while not stop.wait(0.1):
            n += 1
            start = time.monotonic()
            answer = command(bs, bf, f"b{n}", "NOOP")[-1]
            latencies.append((time.monotonic() - start, answer))

    watcher = threading.Thread(target=bystander, daemon=True)
    watcher.start()

    held, reasons, lock = {}, Counter(), threading.Lock()
    sources = [f"127.0.5.{a + 1}" for a in range(args.addresses)]
    barrier = threading.Barrier(args.addresses * args.per_address)

    def one(source):
        barrier.wait(120)
        try:
            s, f, greeting = connect(args, ctx, source)
        except (OSError, ssl.SSLError) as e:
            with lock:
                reasons[f"error {type(e).__name__}"] += 1
            return
        with lock:
            if greeting.startswith("* OK"):
                held.setdefault(source, []).append((s, f))
                return
            reason = ("per address" if "from your address" in greeting
                      else "total" if "to this server" in greeting else greeting[:60])
            reasons[reason] += 1
        s.close()

    start = time.monotonic()
    threads = [threading.Thread(target=one, args=(src,)) for src in sources for _ in range(args.per_address)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    took = time.monotonic() - start
    print(f"flood: {len(threads)} connections from {args.addresses} addresses at once, {took:.1f} s")
    print(f"  held (greeted OK): {sum(len(v) for v in held.values())}  "
          + "  ".join(f"{src}: {len(held.get(src, []))}" for src in sources))
    print("  refused: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))

    if args.user:
        first = held.get(sources[0], [])[:args.logins]
        answers = Counter()

        def login(i, s, f):
            lines = command(s, f, f"l{i}", f'LOGIN "{args.user}" "{args.password}"')
            last = lines[-1]
            with lock:
                answers["OK" if " OK " in last else "NO [LIMIT]" if "[LIMIT]" in last else last[:60]] += 1

        logins = [threading.Thread(target=login, args=(i, s, f)) for i, (s, f) in enumerate(first)]
        for t in logins:
            t.start()
        for t in logins:
            t.join(120)
        print(f"  {len(first)} logins to {args.user} from {sources[0]} at once: "
              + ", ".join(f"{k} {v}" for k, v in sorted(answers.items())))
    stop.set()
    watcher.join(30)
    slowest = max(latencies, default=(0, ""))
    print(f"  bystander session: {len(latencies)} NOOPs, slowest {slowest[0] * 1000:.0f} ms, "
          f"all OK: {all(' OK ' in a for _, a in latencies)}")
    if args.pid:
        print(f"  server RSS: {before} KiB before, {rss_kib(args.pid)} KiB with the flood held")
    for conns in held.values():
        for s, _ in conns:
            s.close()


if __name__ == "__main__":
    main()
