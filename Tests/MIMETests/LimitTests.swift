import Testing

@testable import MIME

/// Stress tests for ``MIMELimits``.
@Suite struct LimitTests {
    /// Multiparts nested far deeper than the limit: parsing stops descending at the limit, keeps every
    /// range inside the message and does not exhaust the stack.
    @Test func nestingLimit() {
        let levels = MIMELimits.maxNestingDepth * 4
        var text = ""
        for i in 0..<levels { text += "Content-Type: multipart/mixed; boundary=b\(i)\n\n--b\(i)\n" }
        text += "Content-Type: text/plain\n\ndeep\n"
        for i in (0..<levels).reversed() { text += "--b\(i)--\n" }
        let m = MIMEMessage(mail(text))
        var depth = 0
        var part = m.root
        while let child = part.parts.first {
            depth += 1
            part = child
        }
        #expect(depth == MIMELimits.maxNestingDepth + 1)
        #expect(part.body.upperBound <= m.bytes.count)
        #expect(ParsedMessage(serialized: m.structure.serialized()) == m.structure)
    }

    @Test func messageNestingLimit() {
        let levels = MIMELimits.maxNestingDepth * 3
        let text = String(repeating: "Content-Type: message/rfc822\n\n", count: levels) + "Subject: bottom\n\nx"
        let m = MIMEMessage(mail(text))
        var depth = 0
        var part = m.root
        while let inner = part.encapsulated, inner.body.count > 0 {
            depth += 1
            part = inner
        }
        #expect(depth == MIMELimits.maxNestingDepth)
    }

    @Test func partLimit() {
        var text = "Content-Type: multipart/mixed; boundary=p\n\n"
        for _ in 0..<(MIMELimits.maxParts + 500) { text += "--p\n\nx\n" }
        let m = MessageParser.parse(mail(text))
        #expect(m.root.parts.count < MIMELimits.maxParts)
        #expect(m.root.parts.last?.body.upperBound == m.size)
    }

    @Test func manyAddressesAndCommentNesting() {
        let list = (0..<(MIMELimits.maxAddresses + 10)).map { "u\($0)@x" }.joined(separator: ",")
        #expect(AddressParser.parse(Array(list.utf8)).count == MIMELimits.maxAddresses)
        let comments = String(repeating: "(", count: 100_000) + "a@b"
        #expect(AddressParser.parse(Array(comments.utf8)).isEmpty)
    }
}
