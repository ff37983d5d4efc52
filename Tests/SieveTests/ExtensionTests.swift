import Sieve
import Testing

/// body (RFC 5173), date/currentdate (RFC 5260), index, duplicate (RFC 7352), spamtest/virustest
/// (RFC 5235), environment (RFC 5183).
@Suite struct ExtensionTests {
    static let multipart = testMessage(
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n",
        body: "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + "Caf=C3=A9 au lait\r\n--b\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\nc2VjcmV0IGJsb2I=\r\n--b--\r\n")

    @Test func bodyTransforms() throws {
        let m = Self.multipart
        #expect(try holds("body :contains \"café\"", require: ["body"], m))
        #expect(try !holds("body :contains \"secret\"", require: ["body"], m))
        #expect(try holds("body :content \"application\" :contains \"secret blob\"", require: ["body"], m))
        #expect(try holds("body :content \"\" :contains \"secret\"", require: ["body"], m))
        #expect(try holds("body :raw :contains \"Caf=C3=A9\"", require: ["body"], m))
        #expect(try !holds("body :raw :contains \"café\"", require: ["body"], m))
        #expect(try holds("body :text :contains \"there\"", require: ["body"]))
    }

    @Test(arguments: [
        ("\"date\" \"year\" \"2026\"", true), ("\"date\" \"month\" \"12\"", true), ("\"date\" \"day\" \"05\"", true),
        ("\"date\" \"hour\" \"09\"", true), ("\"date\" \"minute\" \"30\"", true), ("\"date\" \"second\" \"00\"", true),
        ("\"date\" \"date\" \"2026-12-05\"", true), ("\"date\" \"time\" \"09:30:00\"", true),
        ("\"date\" \"zone\" \"+0000\"", true), ("\"date\" \"weekday\" \"6\"", true),
        ("\"date\" \"julian\" \"61379\"", true), ("\"date\" \"iso8601\" \"2026-12-05T09:30:00Z\"", true),
        ("\"date\" \"std11\" \"Sat, 05 Dec 2026 09:30:00 +0000\"", true),
        (":originalzone \"date\" \"hour\" \"10\"", true), (":originalzone \"date\" \"zone\" \"+0100\"", true),
        (":zone \"-0500\" \"date\" \"time\" \"04:30:00\"", true), ("\"x-none\" \"year\" \"2026\"", false),
        (":index 1 :last \"date\" \"year\" \"2026\"", true), (":index 2 \"date\" \"year\" \"2026\"", true),
    ])
    // `date` reads the first field whatever :index says, as Pigeonhole does (so `:index 2` of a single
    // Date field still finds it).
    func dateParts(_ args: String, _ expected: Bool) throws {
        #expect(try holds("date \(args)", require: ["date", "index"]) == expected)
    }

    @Test func currentdate() throws {
        // 2026-12-06 10:00:00 UTC.
        let env = SieveEnvironment(now: 1_796_551_200, localZoneMinutes: 60)
        #expect(try holds("currentdate \"iso8601\" \"2026-12-06T11:00:00+01:00\"", require: ["date"], environment: env))
        #expect(try holds("currentdate :zone \"+0000\" \"hour\" \"10\"", require: ["date"], environment: env))
        let req = ["date", "relational"]
        #expect(try holds("currentdate :value \"ge\" \"date\" \"2026-01-01\"", require: req, environment: env))
    }

    @Test func headerIndex() throws {
        let m = testMessage("Received: first\r\nReceived: second\r\nReceived: third\r\n")
        #expect(try holds("header :index 2 \"Received\" \"second\"", require: ["index"], m))
        #expect(try holds("header :index 1 :last \"Received\" \"third\"", require: ["index"], m))
        #expect(try !holds("header :index 4 \"Received\" \"*\"", require: ["index"], m))
    }

    @Test func duplicateTracking() throws {
        let seen = SieveEnvironment(seen: { $0 == "\u{0}<m1@example.com>" })
        #expect(try holds("duplicate", require: ["duplicate"], environment: seen))
        #expect(try !holds("duplicate :handle \"x\"", require: ["duplicate"], environment: seen))
        let result = try run("require \"duplicate\"; if duplicate :uniqueid \"abc\" :seconds 60 { stop; }")
        #expect(result.actions == [.trackDuplicate(id: "\u{0}abc", handle: nil, seconds: 60)])
        #expect(SieveOutput.json(result).contains(#""actions": [{"type": "duplicate", "handle": null}]"#))
        #expect(SieveOutput.human(result).contains(" * track duplicate\n"))
        let noID = SieveMessage(bytes: Array("Subject: x\r\n\r\n".utf8))
        #expect(
            try !holds("duplicate", require: ["duplicate"], noID, environment: SieveEnvironment(seen: { _ in true })))
    }

    @Test func spamtestAndVirustest() throws {
        let env = SieveEnvironment(
            spamtest: SieveTestHeaderSettings(header: "X-Spam-Score", kind: .score, maxValue: 10),
            virustest: SieveTestHeaderSettings(header: "X-Virus", kind: .strlen, maxValue: 4))
        let m = testMessage("X-Spam-Score: 7.2 (yes)\r\nX-Virus: **\r\n")
        let req = ["spamtestplus", "virustest", "relational", "comparator-i;ascii-numeric"]
        #expect(
            try holds("spamtest :value \"eq\" :comparator \"i;ascii-numeric\" \"7\"", require: req, m, environment: env)
        )
        #expect(try holds("spamtest :percent :is \"72\"", require: req, m, environment: env))
        #expect(try holds("virustest :is \"3\"", require: req, m, environment: env))
        #expect(try holds("spamtest :is \"0\"", require: req, environment: env))
        #expect(try holds("spamtest :is \"0\"", require: req, m))
    }

    @Test func environmentItems() throws {
        let env = SieveEnvironment(items: ["domain": "example.org"])
        #expect(try holds("environment :is \"domain\" \"example.org\"", require: ["environment"], environment: env))
        #expect(try !holds("environment :is \"host\" \"\"", require: ["environment"], environment: env))
    }
}

/// Behaviours settled against Pigeonhole's sieve-test.
@Suite struct PigeonholeAgreementTests {
    @Test func spamtestScalesDown() throws {
        let env = SieveEnvironment(spamtest: SieveTestHeaderSettings(header: "X-S", kind: .score, maxValue: 10))
        let req = ["spamtestplus"]
        for (score, value, percent) in [
            ("0.1", "1", "1"), ("1", "1", "10"), ("5.5", "5", "55"), ("12", "10", "100"), ("-3", "1", "0"),
        ] {
            let m = testMessage("X-S: \(score)\r\n")
            #expect(try holds("spamtest :is \"\(value)\"", require: req, m, environment: env), "\(score)")
            #expect(try holds("spamtest :percent :is \"\(percent)\"", require: req, m, environment: env), "\(score)")
        }
    }

    @Test func groupWithoutAddressesIsOneAllValue() throws {
        let m = testMessage("Cc: undisclosed-recipients:;\r\n")
        #expect(try holds("address :is \"cc\" \"undisclosed-recipients:;\"", m))
        #expect(try !holds("address :localpart :is \"cc\" \"undisclosed-recipients\"", m))
        let req = ["relational", "comparator-i;ascii-numeric"]
        #expect(try holds("address :count \"eq\" :comparator \"i;ascii-numeric\" \"cc\" \"1\"", require: req, m))
    }

    @Test func encapsulatedMessageGivesItsHeader() throws {
        let m = testMessage(
            "Content-Type: multipart/mixed; boundary=o\r\n",
            body: "--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: inner@example.com\r\n\r\ninner text\r\n--o--\r\n")
        #expect(try holds("body :content \"message/rfc822\" :contains \"inner@example.com\"", require: ["body"], m))
        #expect(try !holds("body :content \"message/rfc822\" :contains \"inner text\"", require: ["body"], m))
        #expect(try holds("body :contains \"inner text\"", require: ["body"], m))
    }

    @Test func caseModifiersTouchASCIIOnly() throws {
        let result = try run("require [\"variables\", \"fileinto\"]; set :upper \"x\" \"café\"; fileinto \"${x}\";")
        #expect(result.actions == [store("CAFé")])
    }
}

/// Message-side input the date test must survive.
@Suite struct DateInputTests {
    @Test(arguments: [
        "1 Jan 99999999999999999 00:00 +0000", "32 Jan 2026 00:00 +0000", "1 Foo 2026 00:00 +0000",
        "1 Jan 2026 24:00 +0000", "1 Jan 2026", "garbage", "Mon, 1 Jan 10000 00:00:00 +0000",
    ])
    func invalidDatesAreNoDate(_ date: String) throws {
        let m = SieveMessage(bytes: Array("Date: \(date)\r\n\r\n".utf8))
        #expect(try !holds("date :matches \"date\" \"year\" \"*\"", require: ["date"], m))
    }

    @Test func receivedDateFollowsTheLastSemicolon() throws {
        let m = SieveMessage(bytes: Array("Received: from a (b; c) by d; Sat, 5 Dec 2026 09:00:00 +0000\r\n\r\n".utf8))
        #expect(try holds("date :zone \"+0000\" \"received\" \"hour\" \"09\"", require: ["date"], m))
    }

    @Test func twoDigitYearsAndObsoleteZones() throws {
        let m = SieveMessage(bytes: Array("Date: 5 Dec 26 07:08:09 EST\r\n\r\n".utf8))
        #expect(try holds("date :zone \"+0000\" \"date\" \"iso8601\" \"2026-12-05T12:08:09Z\"", require: ["date"], m))
    }
}

/// Address fields as Pigeonhole reads them: invalid addresses skipped, quoted local parts kept in :all.
@Suite struct AddressFieldTests {
    static let message = SieveMessage(
        bytes: Array(
            "To: alice\r\nCc: broken@, x@y.z\r\nBcc: \"a b\"@c.d\r\nReply-To: @nolocal.z\r\n\r\nbody\r\n".utf8))

    @Test(arguments: [
        ("address :all :is \"to\" \"alice\"", true), ("address :localpart :is \"to\" \"alice\"", false),
        ("address :all :is \"cc\" \"x@y.z\"", true), ("address :all :contains \"cc\" \"broken\"", false),
        ("address :all :is \"bcc\" \"\\\"a b\\\"@c.d\"", true), ("address :localpart :is \"bcc\" \"a b\"", true),
        ("address :all :is \"reply-to\" \"@nolocal.z\"", true),
    ])
    func values(_ test: String, _ expected: Bool) throws {
        #expect(try holds(test, Self.message) == expected)
    }
}

/// body :content on multipart parts, and match variables (RFC 5173 §5.2, §6), as in Pigeonhole.
@Suite struct BodyMultipartTests {
    static let message = testMessage(
        "Content-Type: multipart/alternative; boundary=\"alt\"\r\n",
        body: "preamble text\r\n--alt\r\nContent-Type: text/plain\r\n\r\nplain\r\n--alt--\r\nepilogue text\r\n")

    @Test func multipartGivesPrologueAndEpilogue() throws {
        let m = Self.message
        #expect(try holds("body :content \"multipart\" :is \"preamble text\"", require: ["body"], m))
        #expect(try holds("body :content \"multipart\" :contains \"epilogue\"", require: ["body"], m))
        #expect(try !holds("body :content \"multipart\" :contains \"plain\"", require: ["body"], m))
        #expect(try !holds("body :contains \"preamble\"", require: ["body"], m))
        let req = ["body", "relational", "comparator-i;ascii-numeric"]
        #expect(try holds("body :content \"\" :count \"eq\" :comparator \"i;ascii-numeric\" \"3\"", require: req, m))
    }

    @Test func bodyDoesNotSetMatchVariables() throws {
        let script = """
            require ["body", "variables", "fileinto"];
            if header :matches "subject" "W*" {}
            if body :matches "*" { fileinto "[${1}]"; }
            """
        #expect(try run(script).actions == [store("[eekly report]")])
    }
}
