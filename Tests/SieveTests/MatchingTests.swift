import Sieve
import Testing

/// Match types, comparators and relational tests (RFC 5228 §2.7, RFC 4790 §9, RFC 5231).
@Suite struct MatchingTests {
    @Test(arguments: [
        ("header :is \"Subject\" \"weekly REPORT\"", true),
        ("header :is :comparator \"i;octet\" \"Subject\" \"weekly REPORT\"", false),
        ("header :contains \"Subject\" \"ly rep\"", true),
        ("header :contains \"Subject\" \"\"", true),
        ("header :matches \"Subject\" \"W*t\"", true),
        ("header :matches \"Subject\" \"W?ekly*\"", true),
        ("header :matches \"Subject\" \"*report?\"", false),
        ("header :matches \"Subject\" \"**\"", true),
        ("header :matches \"Subject\" \"Weekly\"", false),
        ("header :matches \"X-Star\" \"a\\\\*b\"", true),
        ("header :matches \"X-Star\" \"a\\\\*\"", false),
        ("header :matches \"X-Star\" \"a\\\\?b\"", false),
        ("header :is \"X-Missing\" \"\"", false),
        ("header :contains [\"X-Missing\", \"Subject\"] [\"zzz\", \"report\"]", true),
    ])
    func matchTypes(_ test: String, _ expected: Bool) throws {
        #expect(try holds(test, testMessage("X-Star: a*b\r\n")) == expected)
    }

    @Test func wildcardMatchingIsNotExponential() throws {
        // A classic backtracking matcher takes ages on this; the two-pointer one is quadratic at worst.
        let value = String(repeating: "a", count: 3000)
        let pattern = String(repeating: "*a", count: 40) + "b"
        #expect(try !holds("header :matches \"X-Long\" \"\(pattern)\"", testMessage("X-Long: \(value)\r\n")))
    }

    @Test(arguments: [
        ("\"X-N\" \"10\"", "eq", true), ("\"X-N\" \"010\"", "eq", true), ("\"X-N\" \"9\"", "gt", true),
        ("\"X-N\" \"9\"", "lt", false), ("\"X-Word\" \"99999\"", "gt", true), ("\"X-Word\" \"x\"", "eq", true),
        ("\"X-N\" \"x\"", "lt", true), ("\"X-N\" \"10\"", "ne", false), ("\"X-N\" \"11\"", "le", true),
        ("\"X-N\" \"10\"", "ge", true),
    ])
    func asciiNumeric(_ args: String, _ op: String, _ expected: Bool) throws {
        let test = "header :value \"\(op)\" :comparator \"i;ascii-numeric\" \(args)"
        let message = testMessage("X-N: 10 apples\r\nX-Word: none\r\n")
        #expect(try holds(test, require: ["relational", "comparator-i;ascii-numeric"], message) == expected)
    }

    @Test func asciiNumericIs() throws {
        let message = testMessage("X-N: 007\r\n")
        let req = ["comparator-i;ascii-numeric"]
        #expect(try holds("header :is :comparator \"i;ascii-numeric\" \"X-N\" \"7\"", require: req, message))
    }

    @Test func relationalCount() throws {
        let req = ["relational", "comparator-i;ascii-numeric"]
        let m = testMessage("Received: a\r\nReceived: b\r\nReceived: c\r\n")
        #expect(try holds("header :count \"eq\" :comparator \"i;ascii-numeric\" \"Received\" \"3\"", require: req, m))
        #expect(try holds("address :count \"eq\" :comparator \"i;ascii-numeric\" \"To\" \"2\"", require: req))
        #expect(try holds("header :count \"eq\" :comparator \"i;ascii-numeric\" \"X-None\" \"0\"", require: req))
        #expect(try holds("header :value \"gt\" \"Subject\" \"Apple\"", require: req))
    }

    @Test func encodedWordsAreDecoded() throws {
        let m = testMessage("X-Enc: =?utf-8?q?Caf=C3=A9?= =?iso-8859-1?b?6XTp?=\r\n")
        #expect(try holds("header :is \"X-Enc\" \"Caféété\"", m))
    }

    @Test(arguments: [
        ("address :is \"From\" \"bob+lists@example.com\"", true),
        ("address :localpart \"From\" \"bob+lists\"", true),
        ("address :domain \"To\" \"EXAMPLE.NET\"", true),
        ("address :all :is \"To\" \"carol@example.net\"", true),
        ("address :user \"From\" \"bob\"", true),
        ("address :detail \"From\" \"lists\"", true),
        ("address :detail \"To\" \"*\"", false),
        ("address :matches :detail \"From\" \"l*\"", true),
    ])
    func addressParts(_ test: String, _ expected: Bool) throws {
        #expect(try holds(test, require: ["subaddress"]) == expected)
    }

    @Test func envelopeParts() throws {
        let req = ["envelope", "subaddress"]
        #expect(try holds("envelope :detail \"to\" \"sieve\"", require: req))
        #expect(try holds("envelope :domain \"from\" \"example.com\"", require: req))
        #expect(try holds("envelope :user \"to\" \"alice\"", require: req))
        let result = try run(
            "require \"envelope\"; if envelope :is \"from\" \"\" { discard; }", testMessage(),
            envelope: SieveEnvelope(from: "", to: "a@b"))
        #expect(result.actions == [.discard])
    }

    @Test func existsAndSize() throws {
        #expect(try holds("exists [\"From\", \"subject\"]"))
        #expect(try !holds("exists [\"From\", \"X-None\"]"))
        let size = testMessage().size
        #expect(try holds("size :over \(size - 1)"))
        #expect(try !holds("size :over \(size)"))
        #expect(try holds("size :under \(size + 1)"))
    }
}

/// i;octet and i;ascii-casemap compare octets (RFC 4790 §9.2, §9.3): `?` matches one byte, as in Pigeonhole.
@Suite struct OctetMatchingTests {
    @Test func questionMarkMatchesOneOctet() throws {
        let m = SieveMessage(bytes: Array("Subject: caf\u{E9} \u{2603}\r\n\r\n".utf8))
        #expect(try !holds("header :matches \"subject\" \"caf? ?\"", m))
        #expect(try holds("header :matches \"subject\" \"caf?? ???\"", m))
        let script =
            "require [\"variables\", \"fileinto\"]; if header :matches \"subject\" \"caf?*\" { fileinto \"${1}${2}\"; }"
        #expect(try run(script, m).actions == [store("\u{E9} \u{2603}")])
        #expect(try holds("header :is \"subject\" \"CAF\u{E9} \u{2603}\"", m))
        #expect(try !holds("header :is \"subject\" \"CAF\u{C9} \u{2603}\"", m))
    }

    @Test func invalidUTF8InAHeaderReadsAsReplacementCharacters() throws {
        let m = SieveMessage(bytes: Array("X-Bad: caf".utf8) + [0xE9] + Array("\r\n\r\n".utf8))
        #expect(try holds("header :is \"x-bad\" \"caf\u{FFFD}\"", m))
    }
}
