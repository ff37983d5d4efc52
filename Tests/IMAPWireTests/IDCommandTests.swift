import Testing

@testable import IMAPWire

/// id = "ID" SP id-params-list (RFC 2971 §4) and its limits (§3.3): the limit stress tests for
/// `IMAPLimits.maxIDPairs`, `maxIDFieldLength` and `maxIDValueLength`.
@Suite struct IDCommandTests {
    static func pairs(_ n: Int) -> String {
        "(" + (0..<n).map { "\"k\($0)\" \"v\($0)\"" }.joined(separator: " ") + ")"
    }

    @Test func nilEmptyAndPairs() {
        #expect(command("a ID NIL\r\n") == .id(nil))
        #expect(command("a id nil\r\n") == .id(nil))
        #expect(command("a ID ()\r\n") == .id([]))
        #expect(
            command("a ID (\"name\" \"sodr\" \"os\" NIL \"x\" {3}\r\nabc)\r\n")
                == .id([
                    IDParameter(key: "name", value: "sodr"), IDParameter(key: "os", value: nil),
                    IDParameter(key: "x", value: "abc"),
                ]))
        expectError("a ID\r\n")
        expectError("a ID (\"name\")\r\n")
        expectError("a ID (\"name\" \"v\"\r\n")
        expectError("a ID name \"v\"\r\n")
        expectError("a ID (name \"v\")\r\n")
        expectError("a ID (\"name\" \"v\") x\r\n")
    }

    @Test func mostPairs() {
        guard case .id(let list)? = command("a ID \(Self.pairs(IMAPLimits.maxIDPairs))\r\n") else {
            Issue.record("30 pairs refused")
            return
        }
        #expect(list?.count == IMAPLimits.maxIDPairs)
        #expect(
            expectError("a ID \(Self.pairs(IMAPLimits.maxIDPairs + 1))\r\n")
                == "ID with more than 30 field-value pairs")
        // Far more, within the command size, is refused the same way (and quickly).
        #expect(expectError("a ID \(Self.pairs(1000))\r\n") == "ID with more than 30 field-value pairs")
    }

    @Test func longestFieldAndValue() {
        let field = String(repeating: "f", count: IMAPLimits.maxIDFieldLength)
        let value = String(repeating: "v", count: IMAPLimits.maxIDValueLength)
        #expect(command("a ID (\"\(field)\" \"\(value)\")\r\n") == .id([IDParameter(key: field, value: value)]))
        #expect(
            command("a ID ({\(field.utf8.count)+}\r\n\(field) {\(value.utf8.count)+}\r\n\(value))\r\n")
                == .id([IDParameter(key: field, value: value)]))
        #expect(expectError("a ID (\"\(field)f\" \"v\")\r\n") == "ID field longer than 30 octets")
        #expect(expectError("a ID (\"k\" \"\(value)v\")\r\n") == "ID value longer than 1024 octets")
        // Octets, not characters: 16 two-octet characters are 32 octets.
        #expect(expectError("a ID (\"\(String(repeating: "\u{e9}", count: 16))\" NIL)\r\n") != nil)
    }

    @Test func everyChunkingGivesTheSameCommand() {
        let input = bytes("a ID (\"name\" {7}\r\nPostern \"version\" NIL)\r\nb NOOP\r\n")
        let whole = events(input)
        #expect(whole.count == 3)  // a continuation request, the ID, the NOOP
        for split in 0...input.count {
            #expect(events(input, chunks: [split]) == whole, "split at \(split)")
        }
        #expect(eventsByteByByte(input) == whole)
    }
}
