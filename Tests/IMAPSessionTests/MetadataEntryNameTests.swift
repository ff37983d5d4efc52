import MailStore
import Testing

/// Entry names of RFC 5464 §3.2 (`MetadataEntryName`) and which entries a GETMETADATA DEPTH reaches.
@Suite struct MetadataEntryNameTests {
    @Test func normalizedNames() throws {
        #expect(try MetadataEntryName.normalized("/private/comment") == "/private/comment")
        #expect(try MetadataEntryName.normalized("/Shared/Vendor/X.Y-z") == "/shared/vendor/x.y-z")
        #expect(try MetadataEntryName.normalized("/private") == "/private")
        let longest = "/shared/" + String(repeating: "a", count: MetadataLimits.maxNameLength - 8)
        #expect(try MetadataEntryName.normalized(longest) == longest)
    }

    @Test(arguments: [
        "", "/", "private/comment", "/privat/x", "/privatex", "/other/x", "/private/", "/private//x", "/private/a b",
        "/private/a*", "/private/%", "/private/caf\u{e9}", "/private/\u{1}",
        "/shared/"
            + String(repeating: "a", count: MetadataLimits.maxNameLength - 7),
    ])
    func refusedNames(_ name: String) {
        #expect(throws: MetadataError.self) { try MetadataEntryName.normalized(name) }
    }

    @Test func roots() {
        #expect(!MetadataEntryName.isSettable("/private"))
        #expect(!MetadataEntryName.isSettable("/shared"))
        #expect(MetadataEntryName.isSettable("/shared/x"))
    }

    @Test func depth() {
        let entry = "/private/filters"
        #expect(MetadataEntryName.matches("/private/filters", entry: entry, depth: 0))
        #expect(!MetadataEntryName.matches("/private/filters/a", entry: entry, depth: 0))
        #expect(MetadataEntryName.matches("/private/filters/a", entry: entry, depth: 1))
        #expect(!MetadataEntryName.matches("/private/filters/a/b", entry: entry, depth: 1))
        #expect(MetadataEntryName.matches("/private/filters/a/b", entry: entry, depth: nil))
        #expect(!MetadataEntryName.matches("/private/filtersx", entry: entry, depth: nil))
        #expect(!MetadataEntryName.matches("/private", entry: entry, depth: nil))
    }

    /// The store's check: names first, then sizes, then counts; replacing and removing never count.
    @Test func limitsCheck() throws {
        let existing: Set<String> = ["/private/a", "/private/b"]
        #expect(
            try MetadataLimits.check(
                [MetadataChange(name: "/private/a", value: [1]), MetadataChange(name: "/private/c", value: [])],
                existing: existing, accountCount: 2) == 1)
        #expect(
            try MetadataLimits.check(
                [MetadataChange(name: "/private/a", value: nil), MetadataChange(name: "/private/z", value: nil)],
                existing: existing, accountCount: MetadataLimits.maxEntriesPerAccount + 5) == -1)
        #expect(throws: MetadataError.tooMany) {
            try MetadataLimits.check(
                [MetadataChange(name: "/private/c", value: [])], existing: existing,
                accountCount: MetadataLimits.maxEntriesPerAccount)
        }
        #expect(throws: MetadataError.valueTooLarge(max: MetadataLimits.maxValueSize)) {
            try MetadataLimits.check(
                [
                    MetadataChange(
                        name: "/private/a", value: [UInt8](repeating: 0, count: MetadataLimits.maxValueSize + 1))
                ],
                existing: existing, accountCount: 0)
        }
        #expect(throws: MetadataError.self) {
            try MetadataLimits.check([MetadataChange(name: "/Private/A", value: [])], existing: [], accountCount: 0)
        }
    }
}
