#!/usr/bin/env python3
"""Merges imapbench JSON results (one per server) into a Markdown table with the ratio Postern ÷ Dovecot."""
import argparse
import json
import math


def num(x):
    if isinstance(x, str):
        return float("nan")
    return float(x) if x is not None else float("nan")


def fmt(x, digits=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.{digits}f}"


def ratio(a, b):
    if a is None or b is None or math.isnan(a) or math.isnan(b) or b == 0:
        return "n/a"
    return f"{a / b:.2f}"


def rows_of(r):
    """(metric, value, better) rows of one result; better is 'higher' or 'lower'."""
    out = []
    secs = num(r["seconds"])
    w = r["workload"]
    if w in ("handshake", "mixed", "steady", "append", "contended"):
        unit = {"handshake": "handshakes/s", "mixed": "iterations/s (login…logout)",
                "steady": "iterations/s (select…expunge)", "append": "APPENDs/s",
                "contended": "iterations/s (login…logout, random user)"}[w]
        out.append((unit, num(r["iterationsPerSecond"]), "higher"))
        out.append(("commands/s", num(r["commandsPerSecond"]), "higher"))
    if w == "idle":
        e = r.get("extra", {})
        out.append(("sessions established", e.get("sessions"), "higher"))
        out.append(("ramp-up (s)", e.get("rampSeconds"), "lower"))
        out.append(("server memory per session (kB)", e.get("memPerSessionKB"), "lower"))
        out.append(("  PSS per session (kB)", e.get("pssPerSessionKB"), "lower"))
        out.append(("  RSS-sum per session (kB)", e.get("rssPerSessionKB"), "lower"))
        out.append(("server processes", e.get("processes"), "lower"))
    if w == "appendnoop":
        e = r.get("extra", {})
        out.append(("APPEND MB/s (all appenders)", e.get("appendMBps"), "higher"))
        out.append(("APPENDs acknowledged", float(r["iterations"]), "higher"))
        out.append(("message size (MB)", e.get("appendMessageMB"), "="))
        out.append(("NOOP sessions", e.get("noopSessions"), "="))
    if w == "handshake-resumed":
        e = r.get("extra", {})
        for phase in ("full", "resumed"):
            out.append((f"handshakes/s ({phase})", e.get(f"{phase}PerSecond"), "higher"))
            if phase == "resumed":
                out.append(("handshakes the server resumed (fraction)", e.get("resumedReused"), "higher"))
            out.append((f"server CPU per handshake ({phase}, ms)", e.get(f"{phase}CPUms"), "lower"))
    if w == "bigmailbox":
        e = r.get("extra", {})
        out.append(("messages in INBOX", e.get("messages"), "="))
    for op in r["ops"]:
        if op["count"] == 0 and op["errors"] == 0:
            continue
        out.append((f"{op['name']} p50 (ms)", num(op["p50ms"]) if op["count"] else None, "lower"))
        out.append((f"{op['name']} p99 (ms)", num(op["p99ms"]) if op["count"] else None, "lower"))
        if w == "appendnoop" and op["name"].startswith("NOOP"):
            out.append((f"{op['name']} max (ms)", num(op["maxms"]) if op["count"] else None, "lower"))
    out.append(("errors", float(r["errors"]), "lower"))
    if r.get("serverCPUSeconds") is not None:
        cpu = num(r["serverCPUSeconds"])
        out.append(("server CPU (s)", cpu, "lower"))
        n = r["commands"] if w != "handshake" else r["iterations"]
        per = "handshake" if w == "handshake" else "command"
        if n:
            out.append((f"server CPU per {per} (ms)", 1000 * cpu / n, "lower"))
    peak = r.get("serverMemPeak")
    if peak and w != "idle":
        out.append(("server memory peak (MiB; RSS, PSS sum if many processes)", peak["rssKB" if peak["processes"] <= 1 else "pssKB"] / 1024, "lower"))
    average = r.get("extra", {}).get("memAverageKB")
    if average is not None:
        out.append(("server memory average (MiB; same measure)", average / 1024, "lower"))
    out.append(("load generator CPU (s)", num(r["loadgenCPUSeconds"]), "lower"))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--meta", action="append", default=[])
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    results = {}
    for f in a.files:
        r = json.load(open(f))
        results[r["label"]] = r
    p, d = results.get("Postern"), results.get("Dovecot")
    prow = dict((m, v) for m, v, _ in rows_of(p)) if p else {}
    drow = dict((m, v) for m, v, _ in rows_of(d)) if d else {}
    better = {m: b for r in (p, d) if r for m, _, b in rows_of(r)}
    metrics = []
    for r in (p, d):
        if r:
            for m, _, _ in rows_of(r):
                if m not in metrics:
                    metrics.append(m)
    lines = [f"### {a.workload}", ""]
    for m in a.meta:
        k, _, v = m.partition("=")
        lines.append(f"- {k}: {v}")
    any_r = p or d
    lines.append(f"- clients: {any_r['clients']}, measured {any_r['seconds']:.1f} s")
    lines.append("")
    lines.append("| metric | Postern | Dovecot | Postern ÷ Dovecot | better |")
    lines.append("| --- | ---: | ---: | ---: | --- |")
    for m in metrics:
        pv, dv = prow.get(m), drow.get(m)
        lines.append(f"| {m} | {fmt(pv)} | {fmt(dv)} | {ratio(pv, dv)} | {better.get(m, '')} |")
    notes = []
    for label, r in (("Postern", p), ("Dovecot", d)):
        if not r:
            continue
        for n in r.get("notes", []):
            notes.append(f"- {label}: {n}")
        for e in r.get("errorSamples", [])[:3]:
            notes.append(f"- {label} error: `{e}`")
    if notes:
        lines += [""] + notes
    text = "\n".join(lines) + "\n"
    open(a.out, "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
