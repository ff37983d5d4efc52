#!/usr/bin/env python3
"""SEARCH latency on one big mailbox, any IMAP server: each query run --repeat times over one IMAPS session, its p50
and p99 in milliseconds, how many messages it found and a digest of the answer (to compare servers' answers).

The queries are chosen from the mbox the mailbox was filled from (the same bytes on every server): a common word,
a rare word, a word in no message, a substring inside a word, a two-word phrase, a word found only inside base64
parts and a non-ASCII word, each under TEXT and BODY, and a common and a rare word of the subjects under SUBJECT.

    searchbench.py --port 12993 --user user1 --password pass --mbox messages.mbox --json out.json
"""
from __future__ import annotations

import argparse
import collections
import email
import email.policy
import hashlib
import imaplib
import json
import mailbox
import re
import ssl
import statistics
import time

WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


def texts(message: email.message.EmailMessage) -> tuple[list[str], list[str]]:
    """(texts of parts that are not base64, texts of base64 parts) of a message's text/* parts."""
    plain, encoded = [], []
    for part in message.walk():
        if part.get_content_maintype() != "text":
            continue
        try:
            text = part.get_content()
        except (LookupError, ValueError):
            continue
        (encoded if part.get("Content-Transfer-Encoding", "").lower() == "base64" else plain).append(text)
    return plain, encoded


def choose(mbox_path: str) -> list[tuple[str, str, str]]:
    """(label, key, string) of every query, from the words of the mbox."""
    in_plain: collections.Counter[str] = collections.Counter()
    in_base64: collections.Counter[str] = collections.Counter()
    in_subject: collections.Counter[str] = collections.Counter()
    phrases: collections.Counter[str] = collections.Counter()
    headers: set[str] = set()
    for message in mailbox.mbox(mbox_path, factory=lambda f: email.message_from_binary_file(
            f, policy=email.policy.default)):
        plain, encoded = texts(message)
        words = {w.lower() for t in plain for w in WORD.findall(t)}
        in_plain.update(words)
        in_base64.update({w.lower() for t in encoded for w in WORD.findall(t)})
        in_subject.update({w.lower() for w in WORD.findall(str(message.get("Subject", "")))})
        headers.update(w.lower() for k, v in message.items() for w in WORD.findall(f"{k} {v}"))
        for t in plain[:1]:
            pair = re.findall(r"[a-z]{4,} [a-z]{4,}", t.lower())
            phrases.update(set(pair[:3]))
    # Ties are broken by the words themselves: every run (and every server) gets the same queries.
    common = min(in_plain, key=lambda w: (-in_plain[w], w))
    rare = min((w for w in in_plain if w.isascii() and len(w) >= 6), key=lambda w: (in_plain[w], w))
    base64_only = sorted((w for w in in_base64 if w not in in_plain and w not in headers and w.isascii()),
                         key=lambda w: (-len(w), w))
    non_ascii = sorted((w for w in in_plain if not w.isascii()), key=lambda w: (-in_plain[w], w))
    subject_common = min(in_subject, key=lambda w: (-in_subject[w], w))
    subject_rare = min((w for w in in_subject if len(w) >= 5), key=lambda w: (in_subject[w], w))
    long_common = max((w for w in in_plain if len(w) >= 7 and w.isascii()), key=lambda w: (in_plain[w], w))
    middle = long_common[2:-2]
    queries = []
    for label, word in [("common word", common), ("rare word", rare), ("no message", "qzxvjwk"),
                        ("substring in a word", middle), ("phrase", sorted(phrases, key=lambda p: (-phrases[p], p))[:40][-1]),
                        ("only in base64", base64_only[0] if base64_only else "qzxvjwk"),
                        ("non-ASCII word", non_ascii[0] if non_ascii else "grüße")]:
        for key in ("TEXT", "BODY"):
            queries.append((label, key, word))
    queries.append(("common subject word", "SUBJECT", subject_common))
    queries.append(("rare subject word", "SUBJECT", subject_rare))
    return queries


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", default="user1")
    ap.add_argument("--password", default="pass")
    ap.add_argument("--mbox", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--label", default="server")
    ap.add_argument("--json")
    args = ap.parse_args()

    queries = choose(args.mbox)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    c = imaplib.IMAP4_SSL(args.host, args.port, ssl_context=context, timeout=600)
    c.login(args.user, args.password)
    typ, data = c.select("INBOX", readonly=True)
    assert typ == "OK", data
    results = []
    for label, key, word in queries:
        times, answer = [], b""
        for _ in range(args.repeat):
            c.literal = word.encode()
            start = time.perf_counter()
            typ, data = c.uid("SEARCH", "CHARSET", "UTF-8", key)
            times.append((time.perf_counter() - start) * 1000)
            assert typ == "OK", data
            answer = data[0] or b""
        times.sort()
        found = len(answer.split())
        row = {"query": f"{key} {word!r} ({label})", "p50_ms": statistics.median(times),
               "p99_ms": times[min(len(times) - 1, round(0.99 * (len(times) - 1)))], "found": found,
               "digest": hashlib.sha256(answer).hexdigest()[:12]}
        results.append(row)
        print(f"[{args.label}] {row['query']}: p50 {row['p50_ms']:.1f} ms, {found} found, {row['digest']}", flush=True)
    c.logout()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"label": args.label, "queries": results}, f, indent=1)


if __name__ == "__main__":
    main()
