import Foundation
import IMAPWire
import MIME
import NIOCore
import Testing

#if canImport(IMAPSession)
    @testable import IMAPSession
#else
    @testable import FetchStructure
#endif

// Real-world-shaped messages with the ENVELOPE, BODY and BODYSTRUCTURE that FETCH must give for them
// (RFC 9051 §7.5.2). Each expectation was checked by hand against the formal syntax (§9) and compared
// with Dovecot 2.3.19 (APPEND + FETCH); where the two differ on purpose a comment says so.
//
// Fixture text: lines end in CRLF unless `crlf: false`; «XX» stands for the raw byte 0xXX. Expected
// strings show bytes below 0x20 and above 0x7E the same way, so literals read «0D»«0A».

private struct StructureFixture: Sendable {
    let name: String
    let bytes: [UInt8]
}

private func F(_ name: String, _ text: String, crlf: Bool = true) -> StructureFixture {
    StructureFixture(name: name, bytes: fixtureBytes(text, crlf: crlf))
}

/// Fixture text to message bytes: LF to CRLF (optionally), «XX» to the byte 0xXX.
private func fixtureBytes(_ text: String, crlf: Bool = true) -> [UInt8] {
    var out: [UInt8] = []
    let scalars = Array(text.unicodeScalars)
    var i = 0
    while i < scalars.count {
        let s = scalars[i]
        if s == "«", i + 3 < scalars.count, scalars[i + 3] == "»",
            let v = UInt8(String(String.UnicodeScalarView([scalars[i + 1], scalars[i + 2]])), radix: 16)
        {
            out.append(v)
            i += 4
            continue
        }
        if s == "\n", crlf { out.append(13) }
        out += Array(String(s).utf8)
        i += 1
    }
    return out
}

/// Bytes to the notation of the expectations: printable ASCII as is, everything else as «XX».
private func printable(_ bytes: some Sequence<UInt8>) -> String {
    var s = ""
    for b in bytes {
        if b >= 0x20 && b < 0x7F {
            s.unicodeScalars.append(Unicode.Scalar(b))
        } else {
            s += "«" + String(b, radix: 16, uppercase: true).leftPadded(2) + "»"
        }
    }
    return s
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}

/// The values as the session's conversion and IMAPWire's encoder write them.
extension ByteBuffer {
    fileprivate mutating func writeEnvelope(_ envelope: Envelope) {
        writeBytes(ResponseEncoder().encodeValue(FetchEnvelope(envelope)))
    }

    fileprivate mutating func writeBodyStructure(_ part: MessagePart, extensible: Bool) {
        writeBytes(ResponseEncoder().encodeValue(FetchBody(part), extensible: extensible))
    }
}

private func render(_ write: (inout ByteBuffer) -> Void) -> String {
    var buffer = ByteBuffer()
    write(&buffer)
    return printable(buffer.readableBytesView)
}

private let structureFixtures: [StructureFixture] = [
    F(
        "plain",
        """
        From: Alice Example <alice@example.com>
        To: Bob <bob@example.org>
        Subject: Lunch tomorrow?
        Date: Tue, 2 Jan 2024 10:00:00 +0100
        Message-ID: <lunch-1@example.com>

        Shall we meet at noon?
        Alice

        """),
    F(
        "no-content-type-minimal",
        """
        Subject: no headers to speak of

        hi
        """),
    F(
        "empty-body",
        """
        From: a@example.com
        Subject: empty
        Content-Type: text/plain; charset=utf-8

        """),
    F(
        "header-only-no-blank-line",
        """
        From: a@example.com
        Subject: nothing after me
        """),
    F(
        "alternative",
        """
        From: "Shop, The" <news@shop.example>
        To: customer@example.net
        Subject: =?UTF-8?B?U29tbWVyc2NobHVzc3ZlcmthdWY=?=
        Date: Wed, 3 Jan 2024 08:15:00 +0000
        Message-ID: <alt.1@shop.example>
        MIME-Version: 1.0
        Content-Type: multipart/alternative; boundary="ALT-b1"

        This is a multi-part message in MIME format.
        --ALT-b1
        Content-Type: text/plain; charset="utf-8"
        Content-Transfer-Encoding: quoted-printable

        Gro=C3=9Fer Sale!
        --ALT-b1
        Content-Type: text/html; charset="utf-8"
        Content-Transfer-Encoding: 7bit

        <p>Big sale</p>
        --ALT-b1--

        """),
    F(
        "mixed-attachments",
        """
        From: Carol <carol@example.com>
        To: Dan <dan@example.com>, Erin <erin@example.com>
        Cc: team@example.com
        Subject: Report and photo
        Date: Thu, 4 Jan 2024 12:00:00 -0500
        Message-ID: <mixed.1@example.com>
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary=MIX

        --MIX
        Content-Type: text/plain; charset=us-ascii

        See attached.
        --MIX
        Content-Type: application/pdf; name="report.pdf"
        Content-Transfer-Encoding: base64
        Content-Disposition: attachment; filename="report.pdf"

        JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K
        --MIX
        Content-Type: image/png
        Content-Transfer-Encoding: base64
        Content-Disposition: inline; filename=photo.png; size=68
        Content-ID: <photo@example.com>

        iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
        --MIX--
        """),
    F(
        "qp-attachment",
        """
        From: d@example.com
        Subject: qp
        Content-Type: multipart/mixed; boundary="q"

        --q
        Content-Type: text/x-diff; charset=iso-8859-1; name=patch.diff
        Content-Transfer-Encoding: quoted-printable
        Content-Disposition: attachment; filename=patch.diff

        -caf=E9
        +caf=E9 au lait=
         et cr=E8me
        --q--
        """),
    F(
        "nested-multipart",
        """
        From: f@example.com
        To: g@example.com
        Subject: nested
        Content-Type: multipart/mixed; boundary="outer"

        --outer
        Content-Type: multipart/alternative; boundary="inner"

        --inner
        Content-Type: text/plain

        plain
        --inner
        Content-Type: multipart/related; boundary="deep"; type="text/html"

        --deep
        Content-Type: text/html

        <img src="cid:i1">
        --deep
        Content-Type: image/gif
        Content-ID: <i1>
        Content-Transfer-Encoding: base64

        R0lGODlhAQABAAAAACw=
        --deep--
        --inner--
        --outer
        Content-Type: application/octet-stream
        Content-Transfer-Encoding: base64

        AAEC
        --outer--
        """),
    F(
        "rfc822-multipart",
        """
        From: h@example.com
        Subject: Fwd: original
        Content-Type: multipart/mixed; boundary="fwd"

        --fwd
        Content-Type: text/plain

        Forwarding this.
        --fwd
        Content-Type: message/rfc822
        Content-Disposition: attachment

        From: Orig Sender <orig@example.net>
        To: h@example.com
        Subject: original
        Date: Fri, 5 Jan 2024 09:00:00 +0000
        Message-ID: <orig@example.net>
        Content-Type: multipart/alternative; boundary="o"

        --o
        Content-Type: text/plain

        hello
        --o
        Content-Type: text/html

        <b>hello</b>
        --o--
        --fwd--
        """),
    F(
        "rfc822-toplevel",
        """
        From: wrap@example.com
        Subject: wrapper
        Content-Type: message/rfc822

        From: inner@example.com
        Subject: inner

        body
        """),
    F(
        "digest",
        """
        From: list@example.com
        Subject: Digest
        Content-Type: multipart/digest; boundary="dg"

        Preamble of the digest.
        --dg

        From: one@example.com
        Subject: first

        one
        --dg
        Content-Type: message/rfc822

        From: two@example.com
        Subject: second

        two
        --dg
        Content-Type: text/plain

        not a message
        --dg--
        Epilogue.
        """),
    F(
        "missing-final-boundary",
        """
        From: m@example.com
        Subject: truncated
        Content-Type: multipart/mixed; boundary="cut"

        --cut
        Content-Type: text/plain

        first
        --cut
        Content-Type: text/plain

        second, and the end never comes
        """),
    F(
        "preamble-epilogue",
        """
        From: p@example.com
        Subject: pre/epi
        Content-Type: multipart/mixed; boundary="pe"

        preamble line 1
        preamble line 2
        --pe
        Content-Type: text/plain

        body
        --pe--
        epilogue line
        --pe
        not a part
        """),
    F(
        "boundary-like-lines",
        """
        From: b@example.com
        Subject: boundary lookalikes
        Content-Type: multipart/mixed; boundary="bnd"

        --bnd
        Content-Type: text/plain

        --bndX is not a delimiter
         --bnd neither
        --bnd-- trailing junk after close is tolerated
        """),
    F(
        "boundary-no-delimiters",
        """
        From: b@example.com
        Subject: no delimiters
        Content-Type: multipart/mixed; boundary="never"

        Just text.
        """),
    F(
        "multipart-no-boundary-param",
        """
        From: b@example.com
        Subject: no boundary
        Content-Type: multipart/mixed

        Just text.
        """),
    F(
        "groups",
        """
        From: Boss <boss@example.com>
        To: undisclosed-recipients:;
        Cc: Team: ann@example.com, "Ben B." <ben@example.com>;, extra@example.com
        Bcc: Empty Group:;
        Subject: groups

        x
        """),
    F(
        "broken-addresses",
        """
        From: just-a-name
        To: <>, @, user@, "unterminated <u@example.com>
        Cc: Joe <joe@example.com, eve@example.com
        Reply-To: a@b@c
        Subject: broken

        x
        """),
    F(
        "display-names",
        """
        From: "Doe, John" <john@example.com>
        To: "Smith \\"The Hammer\\" Bob" <bob@example.com>, Mary Q. Public <mary@example.com>
        Cc: "quoted local"@example.com, joe@example.com (Joe Bloggs)
        Sender: Secretary <sec@example.com>
        Reply-To: <@relay1.example,@relay2.example:route@example.com>
        Subject: names

        x
        """),
    F(
        "encoded-words",
        """
        From: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>
        To: =?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>
        Subject: =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=
          =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=
        Content-Type: text/plain; charset=ISO-8859-1
        Content-Transfer-Encoding: quoted-printable

        caf=E9
        """),
    F(
        "rfc2231",
        """
        From: r@example.com
        Subject: rfc2231
        Content-Type: multipart/mixed; boundary=r

        --r
        Content-Type: application/octet-stream;
         name*0*=UTF-8''%E2%82%AC%20rates;
         name*1*=%20report.txt
        Content-Disposition: attachment;
         filename*=iso-8859-1'en'caf%E9.txt
        Content-Transfer-Encoding: base64

        AAAA
        --r
        Content-Type: text/plain; title*0="long "; title*1="title"

        y
        --r--
        """),
    F(
        "utf8-headers",
        """
        From: Jörg Müller <joerg@example.de>
        To: 山田太郎 <taro@example.jp>
        Subject: Grüße aus Köln
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 8bit

        Schöne Grüße
        """),
    F(
        "latin1-raw-header",
        """
        From: Ren«E9» <rene@example.fr>
        Subject: caf«E9» cr«E8»me
        Content-Type: text/plain; charset=iso-8859-1
        Content-Transfer-Encoding: 8bit
        Content-Description: d«E9»tails

        caf«E9»
        """),
    F(
        "bare-lf",
        """
        From: lf@example.com
        Subject: bare LF
        Content-Type: multipart/mixed; boundary=lf

        --lf
        Content-Type: text/plain

        one
        two
        --lf--

        """, crlf: false),
    F(
        "folded-headers",
        """
        From: fold@example.com
        Subject: this subject
         is folded
        \tacross three lines
        To: a@example.com,
          b@example.com
        Content-Type: text/plain;
        \tcharset="us-ascii";
        \tformat=flowed

        x
        """),
    F(
        "duplicate-headers",
        """
        From: first@example.com
        From: second@example.com
        Subject: first subject
        Subject: second subject
        Content-Type: text/plain; charset=utf-8
        Content-Type: text/html

        x
        """),
    F(
        "obsolete-syntax",
        """
        From  : obs@example.com (Old Timer)
        Subject :obsolete spacing
        Date: 2 Jan 70 00:00 EST
        To: Mary Smith <@node.test:mary@example.net>, , jdoe@test   . example
        Message-ID: <1234   @   local(blah)  .machine .example>

        x
        """),
    F(
        "comments",
        """
        From: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>
        To:(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;
        Cc: (comment only)
        Subject: comments
        Content-Type: text/plain (plain text); charset=us-ascii (ascii)

        x
        """),
    F(
        "all-mime-fields",
        """
        From: z@example.com
        Subject: every field
        Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes
        Content-Transfer-Encoding: 7bit
        Content-ID: <part1@example.com>
        Content-Description: A description
        Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
        Content-Disposition: inline; filename="notes.txt"; modification-date="Mon, 1 Jan 2024 00:00:00 +0000"
        Content-Language: en-GB, fr
        Content-Location: http://example.com/
         notes.txt

        notes
        """),
    F(
        "multipart-extension-fields",
        """
        From: z@example.com
        Subject: multipart extensions
        Content-Type: multipart/mixed; boundary="ext"; charset=us-ascii
        Content-Disposition: inline
        Content-Language: de
        Content-Location: http://example.com/whole

        --ext
        Content-Type: text/plain

        x
        --ext--
        """),
    F(
        "unknown-cte",
        """
        From: u@example.com
        Subject: unknown encoding
        Content-Type: application/x-custom
        Content-Transfer-Encoding: x-uuencode

        begin 644 file
        end
        """),
    F(
        "uppercase-types",
        """
        From: u@example.com
        Subject: case
        Content-Type: TEXT/HTML; CHARSET=UTF-8
        Content-Transfer-Encoding: BASE64

        PGI+aGk8L2I+
        """),
    F(
        "text-no-subtype",
        """
        From: u@example.com
        Subject: subtype missing
        Content-Type: text

        x
        """),
    F(
        "invalid-content-type",
        """
        From: u@example.com
        Subject: invalid type
        Content-Type: ;;; garbage

        x
        """),
    F(
        "literal-needed",
        """
        From: "Line\\\\Back" <q@example.com>
        Subject: has "quotes" and \\backslash
        Content-Type: text/plain; name="a\\"b.txt"

        x
        """),
    F(
        "long-header-line",
        """
        From: long@example.com
        Subject: \(String(repeating: "very long subject ", count: 300))
        References: \((1...200).map { "<ref\($0)@example.com>" }.joined(separator: " "))

        x
        """),
    F(
        "in-reply-to",
        """
        From: reply@example.com
        To: orig@example.com
        Subject: Re: question
        In-Reply-To: <q1@example.com> (question)
        References: <q0@example.com> <q1@example.com>
        Message-ID:
         <reply1@example.com>

        answer
        """),
    F(
        "signed",
        """
        From: s@example.com
        Subject: signed
        Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="sig"

        --sig
        Content-Type: text/plain; charset=utf-8

        signed text
        --sig
        Content-Type: application/pgp-signature; name="signature.asc"
        Content-Disposition: attachment; filename="signature.asc"

        -----BEGIN PGP SIGNATURE-----
        AAAA
        -----END PGP SIGNATURE-----
        --sig--
        """),
    F(
        "calendar-invite",
        """
        From: cal@example.com
        To: x@example.com
        Subject: Invitation: Meeting
        Content-Type: multipart/alternative; boundary="cal"

        --cal
        Content-Type: text/plain; charset=UTF-8

        You are invited.
        --cal
        Content-Type: text/calendar; charset=UTF-8; method=REQUEST
        Content-Transfer-Encoding: 7bit

        BEGIN:VCALENDAR
        METHOD:REQUEST
        END:VCALENDAR
        --cal--
        """),
    F(
        "bounce-report",
        """
        From: MAILER-DAEMON@example.com (Mail Delivery System)
        To: sender@example.com
        Subject: Undelivered Mail Returned to Sender
        Content-Type: multipart/report; report-type=delivery-status; boundary="rep"

        --rep
        Content-Description: Notification
        Content-Type: text/plain; charset=us-ascii

        Delivery failed.
        --rep
        Content-Description: Delivery report
        Content-Type: message/delivery-status

        Reporting-MTA: dns; example.com
        Final-Recipient: rfc822; nobody@example.net
        Action: failed
        --rep
        Content-Description: Undelivered Message Headers
        Content-Type: text/rfc822-headers

        From: sender@example.com
        Subject: hello
        --rep--
        """),
    F(
        "charset-parts",
        """
        From: cs@example.com
        Subject: charsets
        Content-Type: multipart/mixed; boundary=cs

        --cs
        Content-Type: text/plain; charset=koi8-r
        Content-Transfer-Encoding: 8bit

        «F0»«D2»«C9»«D7»«C5»«D4»
        --cs
        Content-Type: text/plain; charset=shift_jis
        Content-Transfer-Encoding: base64

        k/qWe4zq
        --cs
        Content-Type: text/plain; charset=ISO-2022-JP
        Content-Transfer-Encoding: 7bit

        «1B»$B$3$s$K$A$O«1B»(B
        --cs--
        """),
    F(
        "whitespace-boundary",
        """
        From: w@example.com
        Subject: boundary with spaces
        Content-Type: multipart/mixed; boundary="with space here"

        --with space here
        Content-Type: text/plain

        a
        --with space here--
        """),
    F(
        "empty-parts",
        """
        From: e@example.com
        Subject: empty parts
        Content-Type: multipart/mixed; boundary=E

        --E
        --E

        --E
        Content-Type: text/plain

        --E--
        """),
]

@Suite struct FetchStructureFixtureTests {
    @Test func fixtureCount() { #expect(structureFixtures.count >= 40) }

    @Test(arguments: structureFixtures.map(\.name))
    func envelopeBodyAndBodyStructure(_ name: String) throws {
        let fixture = try #require(structureFixtures.first { $0.name == name })
        let m = MessageParser.parse(fixture.bytes)
        if name == "long-header-line" {
            let envelope = render { $0.writeEnvelope(m.root.envelope!) }
            // Dovecot sends the 5,399-octet subject as a literal; a quoted string is as valid (RFC 9051 §4.3).
            let subject = String(repeating: "very long subject ", count: 300).dropLast()
            #expect(envelope.hasPrefix("(NIL \"" + subject + "\" ((NIL NIL"))
            #expect(
                envelope.hasSuffix(
                    #"very long subject" ((NIL NIL "long" "example.com")) ((NIL NIL "long" "example.com")) ((NIL NIL "long" "example.com")) NIL NIL NIL NIL NIL)"#
                ))
            return
        }
        let expected = try #require(expectedStructures[name])
        #expect(render { $0.writeEnvelope(m.root.envelope!) } == expected[0])
        #expect(render { $0.writeBodyStructure(m.root, extensible: false) } == expected[1])
        #expect(render { $0.writeBodyStructure(m.root, extensible: true) } == expected[2])
    }

    /// Set MIME_FIXTURE_DUMP=/some/dir to write each fixture (NN-name.eml) and what the writers make
    /// of it (NN-name.out), for comparing with another server.
    /// The rendering stored at APPEND (`IMAPSession.render`) is what FETCH writes from the parse result,
    /// also after the parse result's serialization round trip.
    @Test(arguments: structureFixtures.map(\.name))
    func storedRenderingEqualsEncoding(_ name: String) throws {
        let fixture = try #require(structureFixtures.first { $0.name == name })
        let parsed = MessageParser.parse(fixture.bytes)
        let again = try #require(ParsedMessage(serialized: parsed.serialized()))
        for m in [parsed, again] {
            let rendered = IMAPSession.render(m)
            #expect(rendered.version == IMAPSession.renderVersion)
            #expect(printable(rendered.envelope) == render { $0.writeEnvelope(m.root.envelope ?? Envelope()) })
            #expect(printable(rendered.body) == render { $0.writeBodyStructure(m.root, extensible: false) })
            #expect(printable(rendered.bodyStructure) == render { $0.writeBodyStructure(m.root, extensible: true) })
        }
    }

    /// A tool rather than a test: skipped (and reported as skipped) unless MIME_FIXTURE_DUMP is set.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MIME_FIXTURE_DUMP"] != nil))
    func dumpWhenAsked() throws {
        let dir = try #require(ProcessInfo.processInfo.environment["MIME_FIXTURE_DUMP"])
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (i, f) in structureFixtures.enumerated() {
            let base = dir + "/" + String(i + 1).leftPadded(2) + "-" + f.name
            try Data(f.bytes).write(to: URL(fileURLWithPath: base + ".eml"))
            let m = MessageParser.parse(f.bytes)
            let out = [
                render { $0.writeEnvelope(m.root.envelope!) },
                render { $0.writeBodyStructure(m.root, extensible: false) },
                render { $0.writeBodyStructure(m.root, extensible: true) },
            ].joined(separator: "\n")
            try Data(out.utf8).write(to: URL(fileURLWithPath: base + ".out"))
        }
    }
}

@Suite struct FetchStructureWriterTests {
    @Test func literalsForEightBitAndLineBreaks() {
        let e = Envelope(
            subject: [0x61, 0x0D, 0x0A, 0x62], from: [EnvelopeAddress(name: [0xE9], mailbox: [0x61], host: [0x62])])
        #expect(
            render { $0.writeEnvelope(e) }
                == #"(NIL {4}«0D»«0A»a«0D»«0A»b (({1}«0D»«0A»«E9» NIL "a" "b")) NIL NIL NIL NIL NIL NIL NIL)"#)
    }

    @Test func emptyEnvelope() {
        #expect(render { $0.writeEnvelope(Envelope()) } == "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)")
    }

    @Test func singleLanguageAndDispositionWithoutParameters() {
        var p = MessagePart(header: 0..<0, body: 0..<3)
        p.language = [Array("en".utf8)]
        p.disposition = ContentDisposition(type: Array("inline".utf8), parameters: [])
        p.location = Array("u".utf8)
        p.lineCount = 1
        #expect(
            render { $0.writeBodyStructure(p, extensible: true) }
                == #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1 NIL ("inline" NIL) ("en") "u")"#)
        #expect(
            render { $0.writeBodyStructure(p, extensible: false) }
                == #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1)"#)
    }

    @Test func nonTextBasicHasNoLineCount() {
        var p = MessagePart(header: 0..<0, body: 0..<10)
        p.type = "image"
        p.subtype = "png"
        p.parameters = []
        p.encoding = Array("base64".utf8)
        #expect(render { $0.writeBodyStructure(p, extensible: false) } == #"("image" "png" NIL NIL NIL "base64" 10)"#)
    }

    /// A hand-made tree deeper than any parse result: the writer's guard keeps it finite.
    @Test func depthGuard() {
        var p = MessagePart(header: 0..<0, body: 0..<0)
        for _ in 0..<(3 * MIMELimits.maxNestingDepth) {
            var outer = MessagePart(header: 0..<0, body: 0..<0)
            outer.type = "multipart"
            outer.subtype = "mixed"
            outer.parameters = []
            outer.parts = [p]
            p = outer
        }
        let out = render { $0.writeBodyStructure(p, extensible: true) }
        #expect(out.hasSuffix(#""mixed" NIL NIL NIL NIL)"#))
        #expect(out.filter { $0 == "(" }.count == out.filter { $0 == ")" }.count)
    }

    /// The parsed nesting limit stays well inside the writer's guard.
    @Test func deepParsedMessage() {
        var text = ""
        for i in 0..<200 { text += "Content-Type: multipart/mixed; boundary=b\(i)\n\n--b\(i)\n" }
        let m = MessageParser.parse(fixtureBytes(text + "\nx\n"))
        let out = render { $0.writeBodyStructure(m.root, extensible: false) }
        #expect(out.filter { $0 == "(" }.count == out.filter { $0 == ")" }.count)
        #expect(out.hasPrefix(String(repeating: "(", count: MIMELimits.maxNestingDepth + 2) + #""text""#))
    }
}

/// Expected ENVELOPE, BODY, BODYSTRUCTURE per fixture; identical to Dovecot's unless a comment says otherwise.
private let expectedStructures: [String: [String]] = [
    "plain": [
        #"("Tue, 2 Jan 2024 10:00:00 +0100" "Lunch tomorrow?" (("Alice Example" NIL "alice" "example.com")) (("Alice Example" NIL "alice" "example.com")) (("Alice Example" NIL "alice" "example.com")) (("Bob" NIL "bob" "example.org")) NIL NIL NIL "<lunch-1@example.com>")"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 31 2)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 31 2 NIL NIL NIL NIL)"#,
    ],
    "no-content-type-minimal": [
        #"(NIL "no headers to speak of" NIL NIL NIL NIL NIL NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 2 0)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 2 0 NIL NIL NIL NIL)"#,
    ],
    "empty-body": [
        #"(NIL "empty" ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 0 0)"#,
        #"("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)"#,
    ],
    "header-only-no-blank-line": [
        #"(NIL "nothing after me" ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)"#,
    ],
    "alternative": [
        #"("Wed, 3 Jan 2024 08:15:00 +0000" "=?UTF-8?B?U29tbWVyc2NobHVzc3ZlcmthdWY=?=" (("Shop, The" NIL "news" "shop.example")) (("Shop, The" NIL "news" "shop.example")) (("Shop, The" NIL "news" "shop.example")) ((NIL NIL "customer" "example.net")) NIL NIL NIL "<alt.1@shop.example>")"#,
        #"(("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 17 0)("text" "html" ("charset" "utf-8") NIL NIL "7bit" 15 0) "alternative")"#,
        #"(("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 17 0 NIL NIL NIL NIL)("text" "html" ("charset" "utf-8") NIL NIL "7bit" 15 0 NIL NIL NIL NIL) "alternative" ("boundary" "ALT-b1") NIL NIL NIL)"#,
    ],
    "mixed-attachments": [
        #"("Thu, 4 Jan 2024 12:00:00 -0500" "Report and photo" (("Carol" NIL "carol" "example.com")) (("Carol" NIL "carol" "example.com")) (("Carol" NIL "carol" "example.com")) (("Dan" NIL "dan" "example.com")("Erin" NIL "erin" "example.com")) ((NIL NIL "team" "example.com")) NIL NIL "<mixed.1@example.com>")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0)("application" "pdf" ("name" "report.pdf") NIL NIL "base64" 64)("image" "png" NIL "<photo@example.com>" NIL "base64" 96) "mixed")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0 NIL NIL NIL NIL)("application" "pdf" ("name" "report.pdf") NIL NIL "base64" 64 NIL ("attachment" ("filename" "report.pdf")) NIL NIL)("image" "png" NIL "<photo@example.com>" NIL "base64" 96 NIL ("inline" ("filename" "photo.png" "size" "68")) NIL NIL) "mixed" ("boundary" "MIX") NIL NIL NIL)"#,
    ],
    "qp-attachment": [
        #"(NIL "qp" ((NIL NIL "d" "example.com")) ((NIL NIL "d" "example.com")) ((NIL NIL "d" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "x-diff" ("charset" "iso-8859-1" "name" "patch.diff") NIL NIL "quoted-printable" 38 2) "mixed")"#,
        #"(("text" "x-diff" ("charset" "iso-8859-1" "name" "patch.diff") NIL NIL "quoted-printable" 38 2 NIL ("attachment" ("filename" "patch.diff")) NIL NIL) "mixed" ("boundary" "q") NIL NIL NIL)"#,
    ],
    "nested-multipart": [
        #"(NIL "nested" ((NIL NIL "f" "example.com")) ((NIL NIL "f" "example.com")) ((NIL NIL "f" "example.com")) ((NIL NIL "g" "example.com")) NIL NIL NIL NIL)"#,
        #"((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0)(("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 18 0)("image" "gif" NIL "<i1>" NIL "base64" 20) "related") "alternative")("application" "octet-stream" NIL NIL NIL "base64" 4) "mixed")"#,
        #"((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0 NIL NIL NIL NIL)(("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 18 0 NIL NIL NIL NIL)("image" "gif" NIL "<i1>" NIL "base64" 20 NIL NIL NIL NIL) "related" ("boundary" "deep" "type" "text/html") NIL NIL NIL) "alternative" ("boundary" "inner") NIL NIL NIL)("application" "octet-stream" NIL NIL NIL "base64" 4 NIL NIL NIL NIL) "mixed" ("boundary" "outer") NIL NIL NIL)"#,
    ],
    // Dovecot: 292 octets / 16 lines for the message/rfc822 part: it gives the line break after the inner close delimiter to the part; RFC 2046 §5.1.1 gives it to the outer delimiter.
    "rfc822-multipart": [
        #"(NIL "Fwd: original" ((NIL NIL "h" "example.com")) ((NIL NIL "h" "example.com")) ((NIL NIL "h" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 16 0)("message" "rfc822" NIL NIL NIL "7bit" 290 ("Fri, 5 Jan 2024 09:00:00 +0000" "original" (("Orig Sender" NIL "orig" "example.net")) (("Orig Sender" NIL "orig" "example.net")) (("Orig Sender" NIL "orig" "example.net")) ((NIL NIL "h" "example.com")) NIL NIL NIL "<orig@example.net>") (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 12 0) "alternative") 15) "mixed")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 16 0 NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 290 ("Fri, 5 Jan 2024 09:00:00 +0000" "original" (("Orig Sender" NIL "orig" "example.net")) (("Orig Sender" NIL "orig" "example.net")) (("Orig Sender" NIL "orig" "example.net")) ((NIL NIL "h" "example.com")) NIL NIL NIL "<orig@example.net>") (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0 NIL NIL NIL NIL)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 12 0 NIL NIL NIL NIL) "alternative" ("boundary" "o") NIL NIL NIL) 15 NIL ("attachment" NIL) NIL NIL) "mixed" ("boundary" "fwd") NIL NIL NIL)"#,
    ],
    "rfc822-toplevel": [
        #"(NIL "wrapper" ((NIL NIL "wrap" "example.com")) ((NIL NIL "wrap" "example.com")) ((NIL NIL "wrap" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"("message" "rfc822" NIL NIL NIL "7bit" 47 (NIL "inner" ((NIL NIL "inner" "example.com")) ((NIL NIL "inner" "example.com")) ((NIL NIL "inner" "example.com")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0) 3)"#,
        #"("message" "rfc822" NIL NIL NIL "7bit" 47 (NIL "inner" ((NIL NIL "inner" "example.com")) ((NIL NIL "inner" "example.com")) ((NIL NIL "inner" "example.com")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)"#,
    ],
    "digest": [
        #"(NIL "Digest" ((NIL NIL "list" "example.com")) ((NIL NIL "list" "example.com")) ((NIL NIL "list" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("message" "rfc822" NIL NIL NIL "7bit" 44 (NIL "first" ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0) 3)("message" "rfc822" NIL NIL NIL "7bit" 45 (NIL "second" ((NIL NIL "two" "example.com")) ((NIL NIL "two" "example.com")) ((NIL NIL "two" "example.com")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0) 3)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0) "digest")"#,
        #"(("message" "rfc822" NIL NIL NIL "7bit" 44 (NIL "first" ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 45 (NIL "second" ((NIL NIL "two" "example.com")) ((NIL NIL "two" "example.com")) ((NIL NIL "two" "example.com")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0 NIL NIL NIL NIL) "digest" ("boundary" "dg") NIL NIL NIL)"#,
    ],
    "missing-final-boundary": [
        #"(NIL "truncated" ((NIL NIL "m" "example.com")) ((NIL NIL "m" "example.com")) ((NIL NIL "m" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 31 0) "mixed")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 31 0 NIL NIL NIL NIL) "mixed" ("boundary" "cut") NIL NIL NIL)"#,
    ],
    "preamble-epilogue": [
        #"(NIL "pre/epi" ((NIL NIL "p" "example.com")) ((NIL NIL "p" "example.com")) ((NIL NIL "p" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0) "mixed")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0 NIL NIL NIL NIL) "mixed" ("boundary" "pe") NIL NIL NIL)"#,
    ],
    // Dovecot takes "--bndX" (a line that only starts with the delimiter) as a delimiter and shows two empty parts.
    "boundary-like-lines": [
        #"(NIL "boundary lookalikes" ((NIL NIL "b" "example.com")) ((NIL NIL "b" "example.com")) ((NIL NIL "b" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 41 1) "mixed")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 41 1 NIL NIL NIL NIL) "mixed" ("boundary" "bnd") NIL NIL NIL)"#,
    ],
    "boundary-no-delimiters": [
        #"(NIL "no delimiters" ((NIL NIL "b" "example.com")) ((NIL NIL "b" "example.com")) ((NIL NIL "b" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "mixed")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "never") NIL NIL NIL)"#,
    ],
    "multipart-no-boundary-param": [
        #"(NIL "no boundary" ((NIL NIL "b" "example.com")) ((NIL NIL "b" "example.com")) ((NIL NIL "b" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "mixed")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" NIL NIL NIL NIL)"#,
    ],
    "groups": [
        #"(NIL "groups" (("Boss" NIL "boss" "example.com")) (("Boss" NIL "boss" "example.com")) (("Boss" NIL "boss" "example.com")) ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ((NIL NIL "Team" NIL)(NIL NIL "ann" "example.com")("Ben B." NIL "ben" "example.com")(NIL NIL NIL NIL)(NIL NIL "extra" "example.com")) ((NIL NIL "Empty Group" NIL)(NIL NIL NIL NIL)) NIL NIL)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)"#,
    ],
    // Dovecot: MISSING_MAILBOX/MISSING_DOMAIN for the unterminated quote, ("Joe" NIL "joe" "SYNTAX_ERROR") for the unclosed angle bracket, "a" "b" for a@b@c.
    "broken-addresses": [
        #"(NIL "broken" ((NIL NIL "just-a-name" "MISSING_DOMAIN")) ((NIL NIL "just-a-name" "MISSING_DOMAIN")) ((NIL NIL "a" "b")) ((NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")(NIL NIL "user" "MISSING_DOMAIN")(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) (("Joe" NIL "joe" "SYNTAX_ERROR")(NIL NIL "eve" "example.com")) NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)"#,
    ],
    // Dovecot sends the name holding quotes as a literal; a quoted string with escapes is equally valid.
    "display-names": [
        #"(NIL "names" (("Doe, John" NIL "john" "example.com")) (("Secretary" NIL "sec" "example.com")) ((NIL "@relay1.example,@relay2.example" "route" "example.com")) (("Smith \"The Hammer\" Bob" NIL "bob" "example.com")("Mary Q. Public" NIL "mary" "example.com")) ((NIL NIL "quoted local" "example.com")("Joe Bloggs" NIL "joe" "example.com")) NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)"#,
    ],
    // The subject's white space runs are single spaces, as Dovecot shows it.
    "encoded-words": [
        #"(NIL "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=" (("=?ISO-8859-1?Q?Andr=E9?= Pirard" NIL "PIRARD" "vm1.ulg.ac.be")) (("=?ISO-8859-1?Q?Andr=E9?= Pirard" NIL "PIRARD" "vm1.ulg.ac.be")) (("=?ISO-8859-1?Q?Andr=E9?= Pirard" NIL "PIRARD" "vm1.ulg.ac.be")) (("=?US-ASCII?Q?Keith_Moore?=" NIL "moore" "cs.utk.edu")) NIL NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "ISO-8859-1") NIL NIL "quoted-printable" 6 0)"#,
        #"("text" "plain" ("charset" "ISO-8859-1") NIL NIL "quoted-printable" 6 0 NIL NIL NIL NIL)"#,
    ],
    "rfc2231": [
        #"(NIL "rfc2231" ((NIL NIL "r" "example.com")) ((NIL NIL "r" "example.com")) ((NIL NIL "r" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("application" "octet-stream" ("name*" "UTF-8''%E2%82%AC%20rates%20report.txt") NIL NIL "base64" 4)("text" "plain" ("title" "long title" "charset" "us-ascii") NIL NIL "7bit" 1 0) "mixed")"#,
        #"(("application" "octet-stream" ("name*" "UTF-8''%E2%82%AC%20rates%20report.txt") NIL NIL "base64" 4 NIL ("attachment" ("filename*" "iso-8859-1'en'caf%E9.txt")) NIL NIL)("text" "plain" ("title" "long title" "charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL) "mixed" ("boundary" "r") NIL NIL NIL)"#,
    ],
    "utf8-headers": [
        #"(NIL {17}«0D»«0A»Gr«C3»«BC»«C3»«9F»e aus K«C3»«B6»ln (({13}«0D»«0A»J«C3»«B6»rg M«C3»«BC»ller NIL "joerg" "example.de")) (({13}«0D»«0A»J«C3»«B6»rg M«C3»«BC»ller NIL "joerg" "example.de")) (({13}«0D»«0A»J«C3»«B6»rg M«C3»«BC»ller NIL "joerg" "example.de")) (({12}«0D»«0A»«E5»«B1»«B1»«E7»«94»«B0»«E5»«A4»«AA»«E9»«83»«8E» NIL "taro" "example.jp")) NIL NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 15 0)"#,
        #"("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 15 0 NIL NIL NIL NIL)"#,
    ],
    "latin1-raw-header": [
        #"(NIL {10}«0D»«0A»caf«E9» cr«E8»me (({4}«0D»«0A»Ren«E9» NIL "rene" "example.fr")) (({4}«0D»«0A»Ren«E9» NIL "rene" "example.fr")) (({4}«0D»«0A»Ren«E9» NIL "rene" "example.fr")) NIL NIL NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "iso-8859-1") NIL {7}«0D»«0A»d«E9»tails "8bit" 4 0)"#,
        #"("text" "plain" ("charset" "iso-8859-1") NIL {7}«0D»«0A»d«E9»tails "8bit" 4 0 NIL NIL NIL NIL)"#,
    ],
    // Dovecot counts the bare LFs as CRLF (8 octets); sizes here are the stored octets.
    "bare-lf": [
        #"(NIL "bare LF" ((NIL NIL "lf" "example.com")) ((NIL NIL "lf" "example.com")) ((NIL NIL "lf" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 7 1) "mixed")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 7 1 NIL NIL NIL NIL) "mixed" ("boundary" "lf") NIL NIL NIL)"#,
    ],
    // The subject's folds are single spaces (no TAB), as Dovecot shows it.
    "folded-headers": [
        #"(NIL "this subject is folded across three lines" ((NIL NIL "fold" "example.com")) ((NIL NIL "fold" "example.com")) ((NIL NIL "fold" "example.com")) ((NIL NIL "a" "example.com")(NIL NIL "b" "example.com")) NIL NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "us-ascii" "format" "flowed") NIL NIL "7bit" 1 0)"#,
        #"("text" "plain" ("charset" "us-ascii" "format" "flowed") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)"#,
    ],
    // Both From lists joined, the last Subject (as Dovecot).
    "duplicate-headers": [
        #"(NIL "second subject" ((NIL NIL "first" "example.com")(NIL NIL "second" "example.com")) ((NIL NIL "first" "example.com")(NIL NIL "second" "example.com")) ((NIL NIL "first" "example.com")(NIL NIL "second" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 1 0)"#,
        #"("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)"#,
    ],
    // Dovecot adds (NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN") for the empty list element; RFC 5322 §4.4 obs-addr-list allows empty elements.
    "obsolete-syntax": [
        #"("2 Jan 70 00:00 EST" "obsolete spacing" (("Old Timer" NIL "obs" "example.com")) (("Old Timer" NIL "obs" "example.com")) (("Old Timer" NIL "obs" "example.com")) (("Mary Smith" "@node.test" "mary" "example.net")(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")(NIL NIL "jdoe" "test.example")) NIL NIL NIL "<1234   @   local(blah)  .machine .example>")"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)"#,
    ],
    "comments": [
        #"(NIL "comments" (("Pete" NIL "pete" "silly.test")) (("Pete" NIL "pete" "silly.test")) (("Pete" NIL "pete" "silly.test")) ((NIL NIL "Hidden recipients" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)"#,
    ],
    // Dovecot keeps the folding space in Content-Location; RFC 2557 §4.4.1 says to remove it.
    "all-mime-fields": [
        #"(NIL "every field" ((NIL NIL "z" "example.com")) ((NIL NIL "z" "example.com")) ((NIL NIL "z" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "utf-8" "format" "flowed" "delsp" "yes") "<part1@example.com>" "A description" "7bit" 5 0)"#,
        #"("text" "plain" ("charset" "utf-8" "format" "flowed" "delsp" "yes") "<part1@example.com>" "A description" "7bit" 5 0 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("inline" ("filename" "notes.txt" "modification-date" "Mon, 1 Jan 2024 00:00:00 +0000")) ("en-GB" "fr") "http://example.com/notes.txt")"#,
    ],
    "multipart-extension-fields": [
        #"(NIL "multipart extensions" ((NIL NIL "z" "example.com")) ((NIL NIL "z" "example.com")) ((NIL NIL "z" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0) "mixed")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL) "mixed" ("boundary" "ext" "charset" "us-ascii") ("inline" NIL) ("de") "http://example.com/whole")"#,
    ],
    "unknown-cte": [
        #"(NIL "unknown encoding" ((NIL NIL "u" "example.com")) ((NIL NIL "u" "example.com")) ((NIL NIL "u" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"("application" "x-custom" NIL NIL NIL "x-uuencode" 19)"#,
        #"("application" "x-custom" NIL NIL NIL "x-uuencode" 19 NIL NIL NIL NIL)"#,
    ],
    "uppercase-types": [
        #"(NIL "case" ((NIL NIL "u" "example.com")) ((NIL NIL "u" "example.com")) ((NIL NIL "u" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"("TEXT" "HTML" ("CHARSET" "UTF-8") NIL NIL "BASE64" 12 0)"#,
        #"("TEXT" "HTML" ("CHARSET" "UTF-8") NIL NIL "BASE64" 12 0 NIL NIL NIL NIL)"#,
    ],
    "text-no-subtype": [
        #"(NIL "subtype missing" ((NIL NIL "u" "example.com")) ((NIL NIL "u" "example.com")) ((NIL NIL "u" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"("text" "" ("charset" "us-ascii") NIL NIL "7bit" 1 0)"#,
        #"("text" "" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)"#,
    ],
    // Dovecot shows ("" "" NIL ...); RFC 2045 §5.2 says an invalid Content-Type means the default.
    "invalid-content-type": [
        #"(NIL "invalid type" ((NIL NIL "u" "example.com")) ((NIL NIL "u" "example.com")) ((NIL NIL "u" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)"#,
    ],
    // Dovecot sends strings holding quotes or backslashes as literals; quoted with escapes is equally valid.
    "literal-needed": [
        #"(NIL "has \"quotes\" and \\backslash" (("Line\\Back" NIL "q" "example.com")) (("Line\\Back" NIL "q" "example.com")) (("Line\\Back" NIL "q" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"("text" "plain" ("name" "a\"b.txt" "charset" "us-ascii") NIL NIL "7bit" 1 0)"#,
        #"("text" "plain" ("name" "a\"b.txt" "charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)"#,
    ],
    // The Message-ID keeps the space that starts its continuation line (as Dovecot).
    "in-reply-to": [
        #"(NIL "Re: question" ((NIL NIL "reply" "example.com")) ((NIL NIL "reply" "example.com")) ((NIL NIL "reply" "example.com")) ((NIL NIL "orig" "example.com")) NIL NIL "<q1@example.com> (question)" " <reply1@example.com>")"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 0)"#,
        #"("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 0 NIL NIL NIL NIL)"#,
    ],
    "signed": [
        #"(NIL "signed" ((NIL NIL "s" "example.com")) ((NIL NIL "s" "example.com")) ((NIL NIL "s" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 11 0)("application" "pgp-signature" ("name" "signature.asc") NIL NIL "7bit" 64) "signed")"#,
        #"(("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 11 0 NIL NIL NIL NIL)("application" "pgp-signature" ("name" "signature.asc") NIL NIL "7bit" 64 NIL ("attachment" ("filename" "signature.asc")) NIL NIL) "signed" ("micalg" "pgp-sha256" "protocol" "application/pgp-signature" "boundary" "sig") NIL NIL NIL)"#,
    ],
    "calendar-invite": [
        #"(NIL "Invitation: Meeting" ((NIL NIL "cal" "example.com")) ((NIL NIL "cal" "example.com")) ((NIL NIL "cal" "example.com")) ((NIL NIL "x" "example.com")) NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "UTF-8") NIL NIL "7bit" 16 0)("text" "calendar" ("charset" "UTF-8" "method" "REQUEST") NIL NIL "7bit" 46 2) "alternative")"#,
        #"(("text" "plain" ("charset" "UTF-8") NIL NIL "7bit" 16 0 NIL NIL NIL NIL)("text" "calendar" ("charset" "UTF-8" "method" "REQUEST") NIL NIL "7bit" 46 2 NIL NIL NIL NIL) "alternative" ("boundary" "cal") NIL NIL NIL)"#,
    ],
    "bounce-report": [
        #"(NIL "Undelivered Mail Returned to Sender" (("Mail Delivery System" NIL "MAILER-DAEMON" "example.com")) (("Mail Delivery System" NIL "MAILER-DAEMON" "example.com")) (("Mail Delivery System" NIL "MAILER-DAEMON" "example.com")) ((NIL NIL "sender" "example.com")) NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL "Notification" "7bit" 16 0)("message" "delivery-status" NIL NIL "Delivery report" "7bit" 92)("text" "rfc822-headers" ("charset" "us-ascii") NIL "Undelivered Message Headers" "7bit" 40 1) "report")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL "Notification" "7bit" 16 0 NIL NIL NIL NIL)("message" "delivery-status" NIL NIL "Delivery report" "7bit" 92 NIL NIL NIL NIL)("text" "rfc822-headers" ("charset" "us-ascii") NIL "Undelivered Message Headers" "7bit" 40 1 NIL NIL NIL NIL) "report" ("report-type" "delivery-status" "boundary" "rep") NIL NIL NIL)"#,
    ],
    "charset-parts": [
        #"(NIL "charsets" ((NIL NIL "cs" "example.com")) ((NIL NIL "cs" "example.com")) ((NIL NIL "cs" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "koi8-r") NIL NIL "8bit" 6 0)("text" "plain" ("charset" "shift_jis") NIL NIL "base64" 8 0)("text" "plain" ("charset" "ISO-2022-JP") NIL NIL "7bit" 16 0) "mixed")"#,
        #"(("text" "plain" ("charset" "koi8-r") NIL NIL "8bit" 6 0 NIL NIL NIL NIL)("text" "plain" ("charset" "shift_jis") NIL NIL "base64" 8 0 NIL NIL NIL NIL)("text" "plain" ("charset" "ISO-2022-JP") NIL NIL "7bit" 16 0 NIL NIL NIL NIL) "mixed" ("boundary" "cs") NIL NIL NIL)"#,
    ],
    "whitespace-boundary": [
        #"(NIL "boundary with spaces" ((NIL NIL "w" "example.com")) ((NIL NIL "w" "example.com")) ((NIL NIL "w" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0) "mixed")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL) "mixed" ("boundary" "with space here") NIL NIL NIL)"#,
    ],
    "empty-parts": [
        #"(NIL "empty parts" ((NIL NIL "e" "example.com")) ((NIL NIL "e" "example.com")) ((NIL NIL "e" "example.com")) NIL NIL NIL NIL NIL)"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "mixed")"#,
        #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "E") NIL NIL NIL)"#,
    ],
]
