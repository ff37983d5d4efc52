#!/usr/bin/env python3
"""Prints the 50-rule Sieve script of the Sieve delivery benchmark (Benchmarks/sieve.sh): the kind of script
a user builds up over years — list and newsletter sorting, senders flagged, spam and size rules, variables —
where the benchmark's messages ("delivery W-N" from senderW@remote.test) fall through 49 rules and the last
files them with a flag, so every delivery evaluates the whole script and takes the filing path."""
rules = []
for n in range(12):
    rules.append(f'if header :contains "list-id" "list{n}.lists.example.org" {{ fileinto :create "Lists/list{n}"; stop; }}')
for n in range(10):
    rules.append(f'if address :is :domain "from" "newsletter{n}.example.com" {{ fileinto :create "News"; stop; }}')
for n in range(8):
    rules.append(f'if address :is "from" "boss{n}@corp.example.net" {{ addflag "\\\\Flagged"; }}')
for n in range(6):
    rules.append(f'if header :matches "subject" "*[ticket-{n}*]*" {{ fileinto :create "Tickets"; stop; }}')
for n in range(4):
    rules.append(f'if anyof (header :contains "x-spam-flag" "YES", header :value "ge" :comparator "i;ascii-numeric" '
                 f'"x-spam-level" "{10 + n}") {{ fileinto :create "Junk"; stop; }}')
for n in range(4):
    rules.append(f'if allof (size :over {n + 5}M, not address :domain "from" "corp{n}.example.net") '
                 f'{{ fileinto :create "Large"; stop; }}')
for n in range(3):
    rules.append(f'if header :is "x-priority" "{n + 1} (Highest)" {{ addflag "\\\\Flagged"; }}')
rules.append('if envelope :is :localpart "to" "postmaster" { fileinto :create "Admin"; stop; }')
rules.append('if header :matches "subject" "delivery *-*" { set "worker" "${1}"; }')
rules.append('if string :is "${worker}" "" { keep; } else { addflag "bench"; fileinto :create "Bench"; }')
assert len(rules) == 50, len(rules)
print('require ["fileinto", "mailbox", "imap4flags", "variables", "relational", "comparator-i;ascii-numeric", '
      '"envelope"];')
print("\n".join(rules))
