import Foundation
import Testing

@testable import IMAPWire

@Suite struct ModifiedUTF7Tests {
    @Test(arguments: [
        ("", ""), ("INBOX", "INBOX"), ("&-", "&"), ("a&-b", "a&b"), ("&AMk-t&AOk-", "\u{c9}t\u{e9}"),
        ("~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}"),
        ("&2D3eAA-", "\u{1F600}"), ("Entw&APw-rfe", "Entw\u{fc}rfe"),
    ])
    func decodeAndEncode(wire: String, text: String) throws {
        #expect(try ModifiedUTF7.decode(bytes(wire)) == text)
        #expect(ModifiedUTF7.encode(text) == bytes(wire))
    }

    @Test(arguments: [
        "&", "&AMk", "&AMk", "&Jjo!-", "&AGE-", "&U,BTF2-", "&2D0-", "&3gA-", "&-&", "a\u{7f}", "&AM-", "&U,B-",
    ])
    func rejectsMalformed(wire: String) {
        #expect(throws: ModifiedUTF7.DecodingError.self) { try ModifiedUTF7.decode(bytes(wire)) }
    }

    @Test func rejectsEightBit() {
        #expect(throws: ModifiedUTF7.DecodingError.self) { try ModifiedUTF7.decode([0xC3, 0xA9]) }
    }

    @Test func roundTripsManyStrings() throws {
        let samples = [
            "Gel\u{f6}schte Elemente", "\u{5bc4}\u{4ef6}\u{5907}\u{4efd}", "a&b&&c", "\u{1F4E7} mail",
            "\u{e9}\u{1F600}x\u{e8}", "~!@#$%^&*()",
        ]
        for s in samples {
            #expect(try ModifiedUTF7.decode(ModifiedUTF7.encode(s)) == s)
        }
    }
}

@Suite struct DateTests {
    @Test func imapDateValidation() {
        #expect(IMAPDate(year: 2024, month: 2, day: 29) != nil)
        #expect(IMAPDate(year: 2023, month: 2, day: 29) == nil)
        #expect(IMAPDate(year: 1900, month: 2, day: 29) == nil)
        #expect(IMAPDate(year: 2000, month: 2, day: 29) != nil)
        #expect(IMAPDate(year: 2000, month: 13, day: 1) == nil)
        #expect(IMAPDate(year: 2000, month: 4, day: 31) == nil)
    }

    @Test func internalDateConversion() {
        let d = InternalDate(year: 1994, month: 2, day: 7, hour: 21, minute: 52, second: 25, zoneMinutes: -480)!
        #expect(d.date == Date(timeIntervalSince1970: 760_686_745))
        #expect(InternalDate(d.date, zoneMinutes: -480) == d)
        let utc = InternalDate(Date(timeIntervalSince1970: 760_686_745))
        #expect(utc == InternalDate(year: 1994, month: 2, day: 8, hour: 5, minute: 52, second: 25, zoneMinutes: 0))
        #expect(
            InternalDate(Date(timeIntervalSince1970: -1))
                == InternalDate(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59, zoneMinutes: 0))
        for t in stride(from: -2_000_000_000, to: 4_000_000_000, by: 86_399 * 37) {
            let date = Date(timeIntervalSince1970: TimeInterval(t))
            #expect(InternalDate(date, zoneMinutes: 330).date == date)
        }
    }

    @Test func appendDateTimeParsing() {
        func begin(_ dt: String) -> FramerEvent? {
            events("a APPEND x \(dt) {1+}\r\nx\r\n").dropFirst().first
        }
        #expect(
            begin("\"01-Jan-2000 00:00:00 +0000\"")
                == .appendMessageBegin(
                    flags: [],
                    internalDate: InternalDate(
                        year: 2000, month: 1, day: 1, hour: 0, minute: 0, second: 0, zoneMinutes: 0), size: 1,
                    synchronizing: false, binary: false))
        for bad in [
            "\"1-Jan-2000 00:00:00 +0000\"", "\"01-Jan-2000 24:00:00 +0000\"", "\"01-Jan-2000 00:60:00 +0000\"",
            "\"31-Feb-2000 00:00:00 +0000\"", "\"01-Jan-2000 00:00:00 0000\"", "\"01-Jan-2000 00:00:00 +0060\"",
            "\"01-Jan-2000 00:00 +0000\"",
        ] {
            #expect(events("a APPEND x \(bad) {1+}\r\nx\r\n").last?.isCommandError == true, "\(bad)")
        }
    }
}
