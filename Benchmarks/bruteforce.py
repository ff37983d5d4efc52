#!/usr/bin/env python3
"""Plays a password guesser against an IMAPS server and measures what the login defences let through.

    bruteforce.py HOST PORT USER [--connections 8] [--seconds 60] [--victim-password PW] [--cafile F]
                  [--attacker 127.0.0.1] [--bystander 127.0.0.2 --bystander-user U --bystander-password P]

From --attacker, --connections parallel TLS connections send LOGIN USER with wrong passwords, reconnecting when the
server closes, for --seconds. Every second the script reports nothing; at the end it prints per 10 s window: the
answers the attacker got (NO [AUTHENTICATIONFAILED] = a password checked, NO [UNAVAILABLE] = refused unchecked,
other) and connections closed unanswered; the passwords checked and answers in the minute after the address's 1st,
10th and 100th failure; and, every 5 s during the attack, the latency of a correct LOGIN from --bystander (as the bystander user)
and of the attacked account's owner (--victim-password) from the bystander address. Loopback gives many source
addresses (127.0.0.0/8), so one machine plays attacker and bystander."""
import argparse
import socket
import ssl
import threading
import time


def connect(host, port, source, ctx):
    raw = socket.create_connection((host, port), timeout=120, source_address=(source, 0))
    s = ctx.wrap_socket(raw, server_hostname=host)
    f = s.makefile("rb")
    f.readline()
    return s, f


def login(s, f, tag, user, password):
    s.sendall(f'{tag} LOGIN "{user}" "{password}"\r\n'.encode())
    while True:
        line = f.readline()
        if not line:
            return None
        if line.startswith(tag.encode() + b" "):
            return line.decode(errors="replace").strip()


def attacker(args, ctx, stop, answers, lock, n):
    i = 0
    while not stop.is_set():
        try:
            s, f = connect(args.host, args.port, args.attacker, ctx)
        except OSError:
            time.sleep(0.05)
            continue
        try:
            while not stop.is_set():
                i += 1
                answer = login(s, f, f"a{n}x{i}", args.user, f"wrong-{n}-{i}")
                if answer is None:
                    with lock:
                        answers.append((time.monotonic(), "closed"))
                    break
                kind = "checked" if "AUTHENTICATIONFAILED" in answer else "refused" if "UNAVAILABLE" in answer else "other"
                with lock:
                    answers.append((time.monotonic(), kind))
        except OSError:
            pass
        finally:
            s.close()


def timed_login(args, ctx, user, password):
    start = time.monotonic()
    try:
        s, f = connect(args.host, args.port, args.bystander, ctx)
        answer = login(s, f, "b1", user, password)
        s.close()
    except OSError as e:
        answer = f"error {e}"
    return time.monotonic() - start, answer or "closed"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("user")
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--cafile")
    p.add_argument("--attacker", default="127.0.0.1")
    p.add_argument("--bystander", default="127.0.0.2")
    p.add_argument("--bystander-user")
    p.add_argument("--bystander-password")
    p.add_argument("--victim-password")
    args = p.parse_args()
    ctx = ssl.create_default_context(cafile=args.cafile) if args.cafile else ssl._create_unverified_context()
    if not args.cafile:
        ctx.check_hostname = False
    stop, lock, answers = threading.Event(), threading.Lock(), []
    t0 = time.monotonic()
    threads = [threading.Thread(target=attacker, args=(args, ctx, stop, answers, lock, n), daemon=True)
               for n in range(args.connections)]
    for t in threads:
        t.start()
    probes = []
    while time.monotonic() - t0 < args.seconds:
        time.sleep(5)
        if args.bystander_user:
            probes.append(("other account", time.monotonic() - t0,
                           *timed_login(args, ctx, args.bystander_user, args.bystander_password)))
        if args.victim_password:
            probes.append(("owner", time.monotonic() - t0, *timed_login(args, ctx, args.user, args.victim_password)))
    stop.set()
    with lock:
        got = list(answers)
    print(f"attacker: {args.connections} connections from {args.attacker} for {args.seconds:.0f} s")
    for w in range(0, int(args.seconds), 10):
        window = [k for (t, k) in got if w <= t - t0 < w + 10]
        print(f"  {w:3d}-{w + 10:3d} s: checked {window.count('checked'):4d}  refused {window.count('refused'):4d}"
              f"  other {window.count('other'):3d}")
    print(f"  total: checked {sum(1 for _, k in got if k == 'checked')}, refused {sum(1 for _, k in got if k == 'refused')}, "
          f"connections closed unanswered {sum(1 for _, k in got if k == 'closed')}")
    # The pace after the address's Nth failure (a checked password): passwords checked and answers of any kind
    # in the following minute.
    end = time.monotonic() - t0
    checked = [t - t0 for t, k in got if k == "checked"]
    for n in (1, 10, 100):
        if len(checked) < n:
            print(f"  after failure {n:3d}: not reached ({len(checked)} failures in {end:.0f} s)")
            continue
        at = checked[n - 1]
        if at + 60 > end:
            print(f"  after failure {n:3d} (at {at:5.1f} s): the run ended {end - at:.0f} s later")
            continue
        minute = [k for t, k in got if at < t - t0 <= at + 60]
        print(f"  after failure {n:3d} (at {at:5.1f} s), next 60 s: checked {minute.count('checked')}, "
              f"answered {minute.count('checked') + minute.count('refused') + minute.count('other')}")
    for who, at, took, answer in probes:
        print(f"  {who:13s} login at {at:5.1f} s from {args.bystander}: {took * 1000:7.0f} ms  {answer[:60]}")


if __name__ == "__main__":
    main()
