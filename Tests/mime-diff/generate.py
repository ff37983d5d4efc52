#!/usr/bin/env python3
"""Writes the generated messages of the MIME differential corpus (messages/NNN-gen-*.eml).

Deterministic: the same script always writes the same bytes. Each family of hard cases named in the README gets
a handful of messages; numbering starts after the imported messages (GEN_START). Run it from anywhere:

    python3 Tests/mime-diff/generate.py            # rewrite the generated messages
    python3 Tests/mime-diff/generate.py --check    # exit 1 when they differ from what this script writes
"""
from __future__ import annotations

import base64
import codecs
import quopri
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GEN_START = 301
CRLF = "\r\n"


def msg(headers: list[str], body: str = "") -> bytes:
    """A message from header lines (each may contain folds written as CRLF + WSP) and a body with LF line ends."""
    head = re.sub(r"(?<!\r)\n", CRLF, CRLF.join(headers))
    text = head + CRLF + CRLF + body.replace("\n", CRLF)
    return text.encode("utf-8", "surrogateescape")


def raw(data: str) -> bytes:
    return data.replace("\n", CRLF).encode("latin-1")


BASE = ["From: Alice Example <alice@example.org>", "To: Bob <bob@example.net>",
        "Date: Tue, 3 Mar 2026 10:00:00 +0100", "Message-ID: <{n}@gen.example>"]


def base(n: str, subject: str = "generated", skip: tuple[str, ...] = ()) -> list[str]:
    out = [h.format(n=n) for h in BASE if h.split(":")[0] not in skip]
    if "Subject" not in skip:
        out.append(f"Subject: {subject}")
    return out


def b64(data: bytes) -> str:
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76)) + "\n"


def repeated_headers() -> list[tuple[str, bytes]]:
    out = []
    out.append(("two-to-lines", msg(base("r1", "two To lines") + ["To: Carol <carol@example.com>"],
                                    "toword body\n")))
    out.append(("two-cc-lines", msg(base("r2", "two Cc lines") + ["Cc: c1@example.com", "Cc: Dan <d2@example.com>"],
                                    "ccword body\n")))
    out.append(("two-subjects", msg(base("r3", "first subjectone") + ["Subject: second subjecttwo"], "body\n")))
    out.append(("two-dates", msg(base("r4", "two dates") + ["Date: Wed, 4 Mar 2026 11:00:00 +0000"], "body\n")))
    out.append(("two-froms", msg(base("r5", "two froms") + ["From: Eve <eve@example.org>"], "body\n")))
    out.append(("two-message-ids", msg(base("r6", "two ids") + ["Message-ID: <second@gen.example>"], "body\n")))
    out.append(("two-in-reply-to", msg(base("r7", "two irt") + ["In-Reply-To: <a@x>", "In-Reply-To: <b@x>"], "b\n")))
    out.append(("empty-then-full-to", msg(["To:"] + base("r8", "empty to first"), "body\n")))
    out.append(("two-reply-to", msg(base("r9", "two reply-to") + ["Reply-To: r1@example.org",
                                                                   "Reply-To: r2@example.org"], "body\n")))
    out.append(("two-sender", msg(base("r10", "two sender") + ["Sender: s1@example.org", "Sender: s2@example.org"],
                                  "body\n")))
    out.append(("two-content-types", msg(base("r11", "two ctypes") + [
        "MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii", "Content-Type: text/html"], "<p>x</p>\n")))
    out.append(("two-cte", msg(base("r12", "two cte") + [
        "MIME-Version: 1.0", "Content-Type: text/plain", "Content-Transfer-Encoding: base64",
        "Content-Transfer-Encoding: 7bit"], b64(b"doubleencoded word\n"))))
    out.append(("bcc-and-bcc", msg(base("r13", "two bcc") + ["Bcc: b1@example.org", "Bcc: b2@example.org"], "b\n")))
    return out


def structured_whitespace() -> list[tuple[str, bytes]]:
    out = []
    mv = ["MIME-Version: 1.0"]
    out.append(("ctype-comment", msg(base("c1", "ctype comment") + mv + [
        "Content-Type: text/html (a comment)"], "<b>commentword</b>\n")))
    out.append(("ctype-comment-inside", msg(base("c2", "ctype comment inside") + mv + [
        "Content-Type: text/plain (one) ; (two) charset=(three)\"utf-8\" (four)"], "word\n")))
    out.append(("ctype-comment-before-slash", msg(base("c3", "comment slash") + mv + [
        "Content-Type: text(x)/(y)plain; format=flowed"], "word\n")))
    out.append(("cte-comment", msg(base("c4", "cte comment") + mv + [
        "Content-Type: text/plain", "Content-Transfer-Encoding: base64 (encoded)"], b64(b"cteword inside\n"))))
    out.append(("folded-tab-subject", msg(base("c5", "folded\r\n\tsubject\r\n\twith tabs"), "body\n")))
    out.append(("folded-tab-ctype", msg(base("c6", "folded ctype") + mv + [
        "Content-Type: multipart/mixed;\r\n\tboundary=\"tabbed\"\r\n\t; foo=bar"],
        "--tabbed\nContent-Type: text/plain\n\npart one\n--tabbed--\n")))
    out.append(("adjacent-encoded-words", msg(base("c7", "=?utf-8?q?adjacent?= =?utf-8?q?words?="), "b\n")))
    out.append(("adjacent-encoded-words-fold", msg(base("c8", "=?utf-8?b?w6ljb2xl?=\r\n =?utf-8?b?IGNhZsOp?="),
                                                   "b\n")))
    out.append(("encoded-word-and-text", msg(base("c9", "plain =?iso-8859-1?q?caf=E9?= text"), "b\n")))
    out.append(("encoded-word-in-phrase", msg(["From: =?utf-8?q?J=C3=BCrgen?= =?utf-8?q?_M=C3=BCller?= <jm@example.de>",
                                               "To: bob@example.net", "Subject: phrase words", "Date: Tue, 3 Mar 2026 "
                                               "10:00:00 +0100"], "b\n")))
    out.append(("encoded-word-quoted-string", msg(["From: \"=?utf-8?q?Quoted?=\" <q@example.org>", "To: b@example.net",
                                                   "Subject: ew in quotes"], "b\n")))
    out.append(("address-comments", msg(["From: alice@example.org (Alice Comment)", "To: (lead) bob@example.net "
                                         "(trail)", "Cc: Carol <carol(c)@example(d).com>", "Subject: address comments"],
                                        "b\n")))
    out.append(("group-addresses", msg(["From: a@example.org", "To: Friends: x@example.org, Y <y@example.org>;, "
                                        "z@example.org", "Cc: Empty:;", "Subject: groups"], "b\n")))
    out.append(("date-comment", msg(["From: a@example.org", "Date: Tue, 3 Mar 2026 10:00:00 +0100 (CET)",
                                     "Subject: date comment"], "b\n")))
    out.append(("msgid-odd", msg(["From: a@example.org", "Message-ID:   <  spaced@example.org >  (c)",
                                  "Subject: odd msgid"], "b\n")))
    out.append(("subject-trailing-ws", msg(["From: a@example.org", "Subject:   padded subject   \t"], "b\n")))
    out.append(("header-no-space", msg(["From:a@example.org", "To:b@example.net", "Subject:nospace"], "b\n")))
    out.append(("empty-subject", msg(["From: a@example.org", "Subject:"], "b\n")))
    out.append(("encoded-word-bad-charset", msg(["From: a@example.org", "Subject: =?x-bogus?q?bogus=41?= w"],
                                                "b\n")))
    out.append(("encoded-word-malformed", msg(["From: a@example.org", "Subject: =?utf-8?q?unfinished w"], "b\n")))
    return out


def multipart(boundary: str, parts: list[str], preamble: str = "", epilogue: str = "",
              close: bool = True, pad: str = "") -> str:
    body = preamble
    for p in parts:
        body += f"--{boundary}{pad}\n{p}\n"
    if close:
        body += f"--{boundary}--{pad}\n{epilogue}"
    return body


def boundaries() -> list[tuple[str, bytes]]:
    out = []
    mp = ["MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"b1\""]
    p1 = "Content-Type: text/plain\n\nfirst part boundword\n"
    p2 = "Content-Type: text/plain\n\nsecond part\n"
    out.append(("boundary-trailing-space", msg(base("b1", "trailing space") + mp,
                                               multipart("b1", [p1, p2], pad="   "))))
    out.append(("boundary-trailing-tab", msg(base("b2", "trailing tab") + mp, multipart("b1", [p1, p2], pad="\t"))))
    out.append(("boundary-prefix-nested", msg(base("b3", "prefix") + ["MIME-Version: 1.0",
                                                                     "Content-Type: multipart/mixed; boundary=\"ab\""],
        "--ab\nContent-Type: multipart/alternative; boundary=\"abc\"\n\n--abc\nContent-Type: text/plain\n\ninner\n"
        "--abc--\n--ab\nContent-Type: text/plain\n\nouter\n--ab--\n")))
    out.append(("boundary-prefix-reversed", msg(base("b4", "prefix rev") + ["MIME-Version: 1.0",
                                                                           "Content-Type: multipart/mixed; boundary=\"abc\""],
        "--abc\nContent-Type: multipart/alternative; boundary=\"ab\"\n\n--ab\nContent-Type: text/plain\n\ninner\n"
        "--ab--\n--abc\nContent-Type: text/plain\n\nouter\n--abc--\n")))
    out.append(("boundary-reused-nested", msg(base("b5", "reused") + mp,
        "--b1\nContent-Type: multipart/alternative; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\ninner\n"
        "--b1--\n--b1\nContent-Type: text/plain\n\nouter\n--b1--\n")))
    out.append(("missing-close", msg(base("b6", "missing close") + mp, multipart("b1", [p1, p2], close=False))))
    out.append(("missing-close-nested", msg(base("b7", "missing close nested") + mp,
        "--b1\nContent-Type: multipart/alternative; boundary=\"b2\"\n\n--b2\nContent-Type: text/plain\n\ninner\n"
        "--b1\nContent-Type: text/plain\n\nouter\n--b1--\n")))
    out.append(("preamble-epilogue", msg(base("b8", "preamble epilogue") + mp,
        multipart("b1", [p1, p2], preamble="This is the preamble preambleword.\n\n",
                  epilogue="epilogue text epilogueword\n"))))
    out.append(("no-crlf-before-close", raw("\n".join(base("b9", "tight") + mp) + "\n\n--b1\nContent-Type: "
                                            "text/plain\n\nno newline before boundary\n--b1--")))
    out.append(("empty-parts", msg(base("b10", "empty parts") + mp, "--b1\n\n--b1\n\n\n--b1--\n")))
    out.append(("part-no-headers", msg(base("b11", "no part headers") + mp, "--b1\n\nbare part text\n--b1--\n")))
    out.append(("no-parts", msg(base("b12", "no parts") + mp, "just text, no boundary at all\n")))
    out.append(("boundary-with-spaces", msg(base("b13", "space boundary") + [
        "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"a b c\""],
        multipart("a b c", [p1, p2]))))
    out.append(("boundary-unquoted-special", msg(base("b14", "unquoted boundary") + [
        "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=----=_Part_1_2.3"],
        multipart("----=_Part_1_2.3", [p1, p2]))))
    out.append(("boundary-long-dash", msg(base("b15", "dash boundary") + [
        "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"--\""],
        multipart("--", [p1, p2]))))
    out.append(("boundary-in-body-text", msg(base("b16", "boundary lookalike") + mp,
        "--b1\nContent-Type: text/plain\n\n--b1x is not a boundary\n --b1 neither\n--b1--\n")))
    out.append(("crlf-parts-sizes", msg(base("b17", "crlf sizes") + mp,
        "--b1\nContent-Type: text/plain\n\nline1\nline2\n\n\n--b1\nContent-Type: text/plain\n\n--b1--\n")))
    out.append(("boundary-case", msg(base("b18", "boundary case") + ["MIME-Version: 1.0",
                                                                    "Content-Type: multipart/mixed; boundary=\"AbC\""],
                                     multipart("abc", [p1]) + multipart("AbC", [p2]))))
    out.append(("epilogue-after-close-nested", msg(base("b19", "nested epilogue") + mp,
        "--b1\nContent-Type: multipart/alternative; boundary=\"b2\"\n\n--b2\nContent-Type: text/plain\n\nin\n--b2--\n"
        "inner epilogue\n--b1--\nouter epilogue\n")))
    out.append(("no-boundary-param", msg(base("b20", "no boundary") + ["MIME-Version: 1.0",
                                                                      "Content-Type: multipart/mixed"],
                                         "--x\nContent-Type: text/plain\n\nt\n--x--\n")))
    out.append(("deep-nesting", msg(base("b21", "deep") + ["MIME-Version: 1.0",
                                                          "Content-Type: multipart/mixed; boundary=\"d0\""],
        "".join(f"--d{i}\nContent-Type: multipart/mixed; boundary=\"d{i + 1}\"\n\n" for i in range(8))
        + "--d8\nContent-Type: text/plain\n\ndeepword\n" + "".join(f"--d{i}--\n" for i in range(8, -1, -1)))))
    return out


def defaults() -> list[tuple[str, bytes]]:
    out = []
    mv = ["MIME-Version: 1.0"]
    out.append(("no-content-type", msg(base("d1", "no ctype") + mv, "plain body\n")))
    out.append(("no-mime-version", msg(base("d2", "no mime-version") + ["Content-Type: text/html"], "<p>h</p>\n")))
    out.append(("broken-ctype-nosubtype", msg(base("d3", "ctype nosubtype") + mv + ["Content-Type: text"], "t\n")))
    out.append(("broken-ctype-garbage", msg(base("d4", "ctype garbage") + mv + ["Content-Type: ;;;"], "t\n")))
    out.append(("broken-ctype-slash", msg(base("d5", "ctype slash") + mv + ["Content-Type: /plain"], "t\n")))
    out.append(("ctype-upper", msg(base("d6", "ctype upper") + mv + ["Content-Type: TEXT/PLAIN; CHARSET=UTF-8"],
                                   "t\n")))
    out.append(("charset-empty", msg(base("d7", "charset empty") + mv + ["Content-Type: text/plain; charset=\"\""],
                                     "t\n")))
    out.append(("text-no-charset", msg(base("d8", "no charset") + mv + ["Content-Type: text/plain; format=flowed"],
                                       "t\n")))
    out.append(("html-no-charset", msg(base("d9", "html no charset") + mv + ["Content-Type: text/html"], "<i>t</i>\n")))
    out.append(("digest", msg(base("d10", "digest") + mv + ["Content-Type: multipart/digest; boundary=\"dg\""],
        "--dg\n\nFrom: inner1@example.org\nSubject: digestinner one\n\nfirst digest body\n"
        "--dg\nContent-Type: text/plain\n\nexplicit text in digest\n"
        "--dg\n\nSubject: digestinner two\n\nsecond\n--dg--\n")))
    out.append(("digest-nested-alt", msg(base("d11", "digest nested") + mv + [
        "Content-Type: multipart/mixed; boundary=\"m\""],
        "--m\nContent-Type: multipart/digest; boundary=\"dg\"\n\n--dg\n\nSubject: deepdigest\n\nx\n--dg--\n--m--\n")))
    out.append(("digest-empty-part", msg(base("d12", "digest empty") + mv + [
        "Content-Type: multipart/digest; boundary=\"dg\""], "--dg\n\n--dg--\n")))
    out.append(("rfc2231-continuation", msg(base("d13", "rfc2231 cont") + mv + [
        "Content-Type: multipart/mixed; boundary=\"x\""],
        "--x\nContent-Type: application/octet-stream;\n name*0=\"long\";\n name*1=\"name.bin\"\n"
        "Content-Disposition: attachment;\n filename*0=\"long\";\n filename*1=\"name.bin\"\n\nAAAA\n--x--\n")))
    out.append(("rfc2231-encoded", msg(base("d14", "rfc2231 encoded") + mv + [
        "Content-Type: multipart/mixed; boundary=\"x\""],
        "--x\nContent-Type: text/plain; charset=utf-8\nContent-Disposition: attachment;\n"
        " filename*=utf-8'en'%C3%A9t%C3%A9.txt\n\nsummer\n--x--\n")))
    out.append(("rfc2231-encoded-continued", msg(base("d15", "rfc2231 enc cont") + mv + [
        "Content-Type: multipart/mixed; boundary=\"x\""],
        "--x\nContent-Type: text/plain; name*0*=iso-8859-1''caf%E9;\n name*1*=%20cr%E8me; name*2=\".txt\"\n"
        "Content-Disposition: inline; filename*0*=iso-8859-1'fr'caf%E9; filename*1=\".txt\"\n\ncafe\n--x--\n")))
    out.append(("rfc2231-out-of-order", msg(base("d16", "rfc2231 order") + mv + [
        "Content-Type: application/octet-stream; name*1=\"two\"; name*0=\"one\"; name*2=\"three\""], "AAAA\n")))
    out.append(("rfc2231-and-plain", msg(base("d17", "rfc2231 and plain") + mv + [
        "Content-Type: application/octet-stream; name=\"plain.bin\"; name*=utf-8''fancy.bin"], "AAAA\n")))
    out.append(("param-twice", msg(base("d18", "param twice") + mv + [
        "Content-Type: text/plain; charset=us-ascii; charset=utf-8"], "t\n")))
    out.append(("param-twice-case", msg(base("d19", "param twice case") + mv + [
        "Content-Type: text/plain; Format=flowed; FORMAT=fixed"], "t\n")))
    out.append(("param-no-value", msg(base("d20", "param no value") + mv + [
        "Content-Type: text/plain; charset; format=flowed"], "t\n")))
    out.append(("disposition-params", msg(base("d21", "disposition") + mv + [
        "Content-Type: text/plain", "Content-Disposition: ATTACHMENT; FILENAME=\"x.txt\"; size=12;\n"
        " creation-date=\"Tue, 3 Mar 2026 10:00:00 +0100\""], "t\n")))
    out.append(("disposition-garbage", msg(base("d22", "disposition garbage") + mv + [
        "Content-Type: text/plain", "Content-Disposition: ; filename=x"], "t\n")))
    out.append(("language-location", msg(base("d23", "language") + mv + [
        "Content-Type: text/plain", "Content-Language: en, fr (comment)", "Content-Location: http://x.example/a b",
        "Content-ID: <cid1@example>", "Content-Description: =?utf-8?q?d=C3=A9scription?="], "t\n")))
    out.append(("content-md5", msg(base("d24", "md5") + mv + ["Content-Type: text/plain",
                                                              "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ=="], "t\n")))
    out.append(("message-no-ctype-in-part", msg(base("d25", "rfc822 no inner ctype") + mv + [
        "Content-Type: message/rfc822"], "Subject: inner nocty\nFrom: i@example.org\n\ninner body\n")))
    out.append(("message-rfc822-base64", msg(base("d26", "rfc822 base64") + mv + [
        "Content-Type: message/rfc822", "Content-Transfer-Encoding: base64"],
        b64(b"Subject: encodedinner\r\nFrom: i@example.org\r\n\r\nhidden\r\n"))))
    out.append(("message-partial", msg(base("d27", "partial") + mv + [
        "Content-Type: message/partial; id=\"abc@example\"; number=1; total=2"], "Subject: part\n\nfrag\n")))
    out.append(("message-external-body", msg(base("d28", "external") + mv + [
        "Content-Type: message/external-body; access-type=URL; URL=\"http://example.org/x\""],
        "Content-Type: text/plain\n\n")))
    out.append(("multipart-alternative-only-html", msg(base("d29", "alt html") + mv + [
        "Content-Type: multipart/alternative; boundary=\"a\""],
        "--a\nContent-Type: text/html; charset=utf-8\n\n<p>html only</p>\n--a--\n")))
    out.append(("application-no-subtype-params", msg(base("d30", "app") + mv + [
        "Content-Type: application/pdf; name=doc.pdf", "Content-Transfer-Encoding: base64"], b64(b"%PDF-1.4\n"))))
    return out


def params_and_encodings() -> list[tuple[str, bytes]]:
    out = []
    mv = ["MIME-Version: 1.0"]
    out.append(("unquoted-space-value", msg(base("e1", "unquoted space") + mv + [
        "Content-Type: application/octet-stream; name=my file name.pdf"], "AAAA\n")))
    out.append(("unquoted-space-filename", msg(base("e2", "unquoted space filename") + mv + [
        "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=annual report.doc"],
        "AAAA\n")))
    out.append(("unquoted-8bit-value", msg(base("e3", "8bit param") + mv + [
        "Content-Type: application/octet-stream; name=\"r\u00e9sum\u00e9.pdf\""], "AAAA\n")))
    out.append(("quoted-escape-value", msg(base("e4", "escaped quotes") + mv + [
        "Content-Type: application/octet-stream; name=\"a\\\"b\\\\c.bin\""], "AAAA\n")))
    out.append(("encoded-word-param", msg(base("e5", "ew param") + mv + [
        "Content-Type: application/octet-stream; name=\"=?utf-8?q?r=C3=A9sum=C3=A9?=.pdf\""], "AAAA\n")))
    for i, cte in enumerate(["x-uuencode", "x-unknown-encoding", "BASE64", "Quoted-Printable", "8BIT", "binary",
                             "7bit; foo=bar", "x-gzip64"]):
        body = b64(b"ctesearchword\n") if cte.lower() == "base64" else (
            "ctesearchword=3D\n" if cte.lower() == "quoted-printable" else "ctesearchword plain\n")
        out.append((f"cte-{cte.split(';')[0].lower()}", msg(base(f"e{6 + i}", f"cte {cte}") + mv + [
            "Content-Type: text/plain; charset=us-ascii", f"Content-Transfer-Encoding: {cte}"], body)))
    out.append(("cte-unknown-in-multipart", msg(base("e20", "unknown cte part") + mv + [
        "Content-Type: multipart/mixed; boundary=\"x\""],
        "--x\nContent-Type: text/plain\nContent-Transfer-Encoding: x-weird\n\nweirdword text\n--x\n"
        "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n" + b64(b"onlyinbase64 secret\n") + "--x--\n")))
    out.append(("qp-soft-breaks", msg(base("e21", "qp soft") + mv + [
        "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
        "soft=\nbreak joined qpjoin=\ned and caf=C3=A9 =\n\n")))
    out.append(("qp-bad-escapes", msg(base("e22", "qp bad") + mv + [
        "Content-Type: text/plain", "Content-Transfer-Encoding: quoted-printable"], "bad =ZZ escape =4\nend=\n")))
    out.append(("base64-bad-chars", msg(base("e23", "b64 bad") + mv + [
        "Content-Type: text/plain", "Content-Transfer-Encoding: base64"], "aGVsbG8g!!d29y\nbGQ=\n=junk\n")))
    out.append(("base64-no-padding", msg(base("e24", "b64 nopad") + mv + [
        "Content-Type: text/plain", "Content-Transfer-Encoding: base64"], "aGVsbG8gd29ybGQ\n")))
    out.append(("binary-nul", msg(base("e25", "binary nul") + mv + [
        "Content-Type: application/octet-stream", "Content-Transfer-Encoding: binary"], "a\x00b\x01c\n")))
    return out


def nested_messages() -> list[tuple[str, bytes]]:
    out = []
    mv = ["MIME-Version: 1.0"]
    inner = ("From: Inner Sender <inner@example.org>\nTo: x@example.org\nSubject: forwardedsubject innerword\n"
             "Date: Mon, 2 Mar 2026 09:00:00 +0000\nMessage-ID: <inner@example.org>\nMIME-Version: 1.0\n"
             "Content-Type: multipart/alternative; boundary=\"in\"\n\n--in\nContent-Type: text/plain\n\n"
             "inner plain body\n--in\nContent-Type: text/html\nContent-Transfer-Encoding: base64\n\n"
             + b64(b"<p>innerhtmlword</p>\n") + "--in--\n")
    out.append(("forward-rfc822", msg(base("f1", "Fwd: something") + mv + [
        "Content-Type: multipart/mixed; boundary=\"o\""],
        "--o\nContent-Type: text/plain\n\nsee below\n--o\nContent-Type: message/rfc822\n\n" + inner + "--o--\n")))
    out.append(("forward-rfc822-attachment", msg(base("f2", "Fwd attached") + mv + [
        "Content-Type: multipart/mixed; boundary=\"o\""],
        "--o\nContent-Type: message/rfc822; name=\"fwd.eml\"\nContent-Disposition: attachment; filename=fwd.eml\n\n"
        + inner + "--o--\n")))
    out.append(("forward-rfc822-top", msg(base("f3", "rfc822 top") + mv + ["Content-Type: message/rfc822"], inner)))
    out.append(("forward-twice", msg(base("f4", "forwarded twice") + mv + [
        "Content-Type: message/rfc822"],
        "From: mid@example.org\nSubject: middlesubject\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\n" + inner)))
    out.append(("forward-inner-encoded-subject", msg(base("f5", "fwd encoded") + mv + [
        "Content-Type: multipart/mixed; boundary=\"o\""],
        "--o\nContent-Type: message/rfc822\n\nFrom: a@example.org\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?="
        "\n\nhallo\n--o--\n")))
    out.append(("forward-rfc822-binary-parts", msg(base("f6", "fwd binary") + mv + [
        "Content-Type: multipart/mixed; boundary=\"o\""],
        "--o\nContent-Type: message/rfc822\n\nSubject: innerbin\nMIME-Version: 1.0\nContent-Type: multipart/mixed; "
        "boundary=\"i\"\n\n--i\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: "
        "quoted-printable\n\nqp caf=C3=A9\n--i\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: "
        "base64\n\n" + b64(bytes(range(256))) + "--i--\n--o--\n")))
    out.append(("forward-rfc822-no-headers", msg(base("f7", "fwd empty") + mv + ["Content-Type: message/rfc822"],
                                                 "\nonly a body\n")))
    out.append(("forward-global", msg(base("f8", "global") + mv + ["Content-Type: message/global"],
                                      "Subject: globalinner \u00fcber\nFrom: g@example.org\n\nbody \u00fcberall\n")))
    report = ("--r\nContent-Type: text/plain\n\nDelivery failed for nobody@example.net\n"
              "--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
              "Final-Recipient: rfc822; dsnrecipient@example.net\nAction: failed\nStatus: 5.1.1\n"
              "Diagnostic-Code: smtp; 550 unknownuserword\n"
              "--r\nContent-Type: text/rfc822-headers\n\nFrom: a@example.org\nSubject: bouncedsubject\n\n"
              "--r--\n")
    out.append(("delivery-report", msg(base("f9", "Undelivered Mail") + mv + [
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\""], report)))
    out.append(("delivery-report-rfc822", msg(base("f10", "Undelivered Mail 2") + mv + [
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\""],
        report.replace("--r--\n", "--r\nContent-Type: message/rfc822\n\nSubject: returnedoriginal\n\nbody\n--r--\n"))))
    out.append(("disposition-notification", msg(base("f11", "Read receipt") + mv + [
        "Content-Type: multipart/report; report-type=disposition-notification; boundary=\"r\""],
        "--r\nContent-Type: text/plain\n\nread\n--r\nContent-Type: message/disposition-notification\n\n"
        "Reporting-UA: ua.example\nFinal-Recipient: rfc822; mdnword@example.org\nDisposition: manual-action/"
        "MDN-sent-manually; displayed\n--r--\n")))
    out.append(("global-delivery-status", msg(base("f12", "global dsn") + mv + [
        "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\""],
        report.replace("message/delivery-status", "message/global-delivery-status"))))
    return out


def charsets() -> list[tuple[str, bytes]]:
    out = []
    mv = ["MIME-Version: 1.0"]
    samples = [
        ("iso-2022-jp", "iso2022_jp", "\u65e5\u672c\u8a9e\u306e\u30c6\u30b9\u30c8"),
        ("iso-2022-jp-2", "iso2022_jp_2", "\u65e5\u672c\u8a9e \u4e02 caf\u00e9"),
        ("euc-jp", "euc_jp", "\u65e5\u672c\u8a9e\u30c6\u30ad\u30b9\u30c8"),
        ("euc-jp", "euc_jp", "\u4e02\u4e04 jisx"),
        ("shift_jis", "shift_jis", "\u30b7\u30d5\u30c8\u6587\u5b57"),
        ("utf-7", "utf_7", "caf\u00e9 \u00fcber na\u00efve"),
        ("utf8", "utf_8", "alias utf8 \u00e9t\u00e9"),
        ("x-unknown", "latin_1", "unknown charset caf\u00e9"),
        ("cp1252", "cp1252", "cp \u20ac euro \u201cquoted\u201d"),
        ("windows-1252", "cp1252", "win \u20ac euro"),
        ("win-1252", "cp1252", "winalias \u20ac"),
        ("x-cp1252", "cp1252", "xcp \u20ac"),
        ("iso-8859-15", "iso8859_15", "fifteen \u20ac"),
        ("latin1", "latin_1", "latinalias caf\u00e9"),
        ("iso8859-1", "latin_1", "nodash caf\u00e9"),
        ("koi8-r", "koi8_r", "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440"),
        ("gb2312", "gb2312", "\u4e2d\u6587\u6d4b\u8bd5"),
        ("big5", "big5", "\u7e41\u9ad4\u4e2d\u6587"),
        ("euc-kr", "euc_kr", "\ud55c\uad6d\uc5b4"),
        ("utf-16", "utf_16", "sixteen \u00e9"),
        ("us-ascii", "ascii", "plain ascii"),
        ("ks_c_5601-1987", "euc_kr", "\ud55c\uae00"),
        ("gbk", "gbk", "\u6c49\u5b57"),
        ("iso-8859-2", "iso8859_2", "\u017elu\u0165ou\u010dk\u00fd"),
    ]
    for i, (name, codec, text) in enumerate(samples):
        data = codecs.encode(text + "\n", codec)
        body = b64(data)
        label = name.lower().replace("_", "-") + ("-jisx0212" if "\u4e02" in text and codec == "euc_jp" else "")
        out.append((f"charset-{label}", msg(
            base(f"h{i}", f"charset {name}") + mv + [f"Content-Type: text/plain; charset={name}",
                                                      "Content-Transfer-Encoding: base64"], body)))
    hdr = [("iso-2022-jp", "iso2022_jp", "\u65e5\u672c\u8a9e\u4ef6\u540d"), ("utf-7", "utf_7", "caf\u00e9 sujet"),
           ("euc-jp", "euc_jp", "\u4ef6\u540d\u30c6\u30b9\u30c8"), ("cp1252", "cp1252", "\u20ac subject"),
           ("utf8", "utf_8", "\u00e9t\u00e9 subject"), ("x-unknown", "latin_1", "caf\u00e9 unknown"),
           ("koi8-r", "koi8_r", "\u0442\u0435\u043c\u0430")]
    for i, (name, codec, text) in enumerate(hdr):
        enc = base64.b64encode(codecs.encode(text, codec)).decode()
        out.append((f"subject-charset-{name}", msg(["From: a@example.org", f"Subject: =?{name}?B?{enc}?=",
                                                    "Date: Tue, 3 Mar 2026 10:00:00 +0100"], "b\n")))
    out.append(("raw-utf8-headers", msg(["From: J\u00fcrgen <j@example.de>", "Subject: raw \u00fctf8 \u00fcberschrift",
                                         "To: \u00e9l\u00e8ve@example.fr"], "raw body \u00fcber\n")))
    latin = "From: a@example.org\nSubject: raw latin caf\xe9\nMIME-Version: 1.0\nContent-Type: text/plain\n\nbody caf\xe9\n"
    out.append(("raw-latin1-no-charset", raw(latin)))
    out.append(("qp-latin1-body", msg(base("h50", "qp latin") + mv + [
        "Content-Type: text/plain; charset=iso-8859-1", "Content-Transfer-Encoding: quoted-printable"],
        quopri.encodestring("na\u00efve fa\u00e7ade\n".encode("latin-1")).decode())))
    return out


def broken_addresses() -> list[tuple[str, bytes]]:
    """Address fields as real mail breaks them (RFC 5322 §4.4 obsolete forms, missing parts, no commas)."""
    cases = [
        ("no-comma", "To: adrone@example.org adrtwo@example.org"),
        ("words-no-angle", "To: Adr Words Name adrword@example.org"),
        ("at-in-name", "To: first@example.org, Some@Name <adrat@example.org>, last@example.org"),
        ("leading-comma", "To: , adrlead@example.org"),
        ("double-comma", "To: a1@example.org, , a2@example.org"),
        ("trailing-comma", "To: adrtrail@example.org,"),
        ("bare-word", "To: undisclosedword"),
        ("quoted-alone", "To: \"Just A Name\""),
        ("empty-angle", "To: Nobody <>"),
        ("unterminated-angle", "To: Open Angle <adropen@example.org"),
        ("space-in-angle", "To: Space <adr space@example.org>"),
        ("colon-in-angle", "To: <Undisclosed-Recipient:@example.org;>"),
        ("route", "To: Routed <@relay1.example,@relay2.example:adrroute@example.org>"),
        ("bad-route", "To: Bad Route <@relay1.example adrbadroute@example.org>"),
        ("missing-domain", "To: adrnodomain@"),
        ("missing-local", "To: @example.org"),
        ("dots-in-local", "To: adr..dots.@example.org, .lead@example.org"),
        ("space-around-dot", "To: adr . spaced@example.org, x@dom . example"),
        ("comment-names", "To: c1@example.org (First Comment), c2@example.org (outer (inner) text)"),
        ("comment-between", "To: c3 (one) @ example.org (two)"),
        ("unterminated-comment", "To: c4@example.org (never closed"),
        ("unterminated-quote", "To: \"Never closed <c5@example.org>"),
        ("group-unclosed", "To: Team: g1@example.org, g2@example.org"),
        ("group-empty-name", "To: \"\": g3@example.org;"),
        ("group-then-more", "To: Team: g4@example.org;, g5@example.org"),
        ("group-broken-member", "To: Team: g6@example.org g7@example.org, g8@example.org;"),
        ("domain-literal", "To: lit@[192.0.2.1], lit2@[IPv6:2001:db8::1]"),
        ("name-spaces", "To: \"  Many    Spaces  \" <sp@example.org>"),
        ("semicolon-list", "To: s1@example.org; s2@example.org"),
        ("from-broken", "From: Broken From adrfrom@example.org"),
        ("cc-backslash", "Cc: back\\slash <bs@example.org>"),
    ]
    out = []
    for i, (name, field) in enumerate(cases):
        kept = tuple(h for h in ("To", "From", "Cc") if field.startswith(h + ":"))
        out.append((name, msg(base(f"a{i + 1}", f"address {name}", skip=kept) + [field], "addressbody\n")))
    return out


def transfer_encoding_fields() -> list[tuple[str, bytes]]:
    """Content-Transfer-Encoding values that are misspelled, empty, followed by more, or given twice."""
    plain = "ctefieldword plain text\n"
    cases = [
        ("misspelled-7-bit", ["7-bit"], plain),
        ("misspelled-8-bit", ["8-bit"], plain),
        ("us-ascii", ["us-ascii"], plain),
        ("empty", [""], plain),
        ("two-words", ["quoted printable"], plain),
        ("a-type", ["text/plain"], plain),
        ("trailing-semicolon-qp", ["quoted-printable;"], "ctefieldword =3D qp\n"),
        ("with-parameter-b64", ["base64; x=y"], b64(b"ctefieldword in base64\n")),
        ("comment-after", ["base64 (the body)"], b64(b"ctefieldword in base64\n")),
        ("quoted-value", ['"base64"'], b64(b"ctefieldword in base64\n")),
        ("base64-then-7bit", ["base64", "7bit"], b64(b"ctefieldword doubled\n")),
        ("7bit-then-base64", ["7bit", "base64"], b64(b"ctefieldword doubled\n")),
        ("broken-then-base64", ["quoted printable", "base64"], b64(b"ctefieldword doubled\n")),
        ("base64-then-broken", ["base64", "no such thing"], b64(b"ctefieldword doubled\n")),
    ]
    out = []
    mv = ["MIME-Version: 1.0"]
    for i, (name, values, body) in enumerate(cases):
        fields = [f"Content-Transfer-Encoding: {v}" for v in values]
        out.append((name, msg(base(f"t{i + 1}", f"cte field {name}") + mv + [
            "Content-Type: text/plain; charset=us-ascii"] + fields, body)))
    out.append(("in-multipart", msg(base("t20", "cte fields in parts") + mv + [
        "Content-Type: multipart/mixed; boundary=\"t\""],
        "--t\nContent-Type: text/plain\nContent-Transfer-Encoding: 7-bit\n\nctepartone text\n--t\n"
        "Content-Type: text/plain\nContent-Transfer-Encoding: base64\nContent-Transfer-Encoding: 8bit\n\n"
        + b64(b"cteparttwo\n") + "--t\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable;\n\n"
        "ctepartthree =3D\n--t--\n")))
    return out


def parameter_lists() -> list[tuple[str, bytes]]:
    """Broken parameter lists: a parameter without "=", empty ";;", words after an unquoted value."""
    mv = ["MIME-Version: 1.0"]
    cases = [
        ("no-value-then-two", "text/plain; charset; x=1; format=flowed"),
        ("no-value-last", "text/plain; format=flowed; charset"),
        ("empty-value", "text/plain; charset=; format=flowed"),
        ("double-semicolon-then-two", "text/plain;; x=1; charset=utf-8"),
        ("unquoted-space-then-more", "application/octet-stream; name=two words.bin; x=after"),
        ("quoted-then-word", "application/octet-stream; name=\"q\"tail; x=after"),
        ("junk-before-params", "text/plain junk; charset=utf-8"),
        ("trailing-semicolons", "text/plain; charset=utf-8;;"),
        ("no-name", "text/plain; =value; charset=utf-8"),
        ("encoded-word-unquoted", "application/octet-stream; name==?utf-8?q?caf=C3=A9?=; x=1"),
    ]
    out = []
    for i, (name, ctype) in enumerate(cases):
        out.append((name, msg(base(f"p{i + 1}", f"params {name}") + mv + [f"Content-Type: {ctype}"],
                              "paramword body\n")))
    out.append(("multipart-double-semicolon", msg(base("p20", "params multipart") + mv + [
        "Content-Type: multipart/mixed;; x=1; boundary=\"pb\""],
        "--pb\nContent-Type: text/plain\n\nparampartone\n--pb--\n")))
    out.append(("disposition-unquoted-space", msg(base("p21", "params disposition") + mv + [
        "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=two words.doc; size=4"],
        "AAAA\n")))
    return out

FAMILIES = [("rep", repeated_headers), ("ws", structured_whitespace), ("bnd", boundaries), ("def", defaults),
            ("enc", params_and_encodings), ("fwd", nested_messages), ("cs", charsets), ("adr", broken_addresses),
            ("cte", transfer_encoding_fields), ("prm", parameter_lists)]


def generated() -> dict[str, bytes]:
    out = {}
    n = GEN_START
    for tag, family in FAMILIES:
        for name, data in family():
            out[f"{n:03d}-gen-{tag}-{name}.eml"] = data
            n += 1
    return out


def main() -> int:
    target = HERE / "messages"
    messages = generated()
    present = {p.name: p.read_bytes() for p in target.glob("*-gen-*.eml")}
    if "--check" in sys.argv[1:]:
        if present != messages:
            stale = sorted(set(present) ^ set(messages)) + [n for n in messages if present.get(n, messages[n]) != messages[n]]
            print(f"generated messages differ from generate.py: {stale[:10]}")
            return 1
        print(f"{len(messages)} generated messages current")
        return 0
    for name in present:
        (target / name).unlink()
    for name, data in messages.items():
        (target / name).write_bytes(data)
    print(f"wrote {len(messages)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
