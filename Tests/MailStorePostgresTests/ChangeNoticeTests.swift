import Testing

@testable import MailStorePostgres

/// The hints nodes send each other through NOTIFY.
@Suite struct ChangeNoticeTests {
    @Test func roundTrip() throws {
        let payloads = ChangeNotice.payloads(node: "n1", mailboxes: [3, 1, 2], accounts: [7])
        #expect(payloads == ["n1;m:1;m:2;m:3;a:7"])
        let parsed = try #require(ChangeNotice.parse(payloads[0]))
        #expect(parsed.node == "n1" && parsed.mailboxes == [1, 2, 3] && parsed.accounts == [7])
    }

    @Test func nothingToSay() {
        #expect(ChangeNotice.payloads(node: "n1", mailboxes: [], accounts: []).isEmpty)
    }

    /// Many mailboxes (an account with thousands deleted at once) are split under PostgreSQL's limit,
    /// each payload naming the node, none losing an id.
    @Test func longListsAreSplit() throws {
        let ids = Set((1...5000).map { Int64($0) * 1_000_003 })
        let payloads = ChangeNotice.payloads(node: "node", mailboxes: ids, accounts: [])
        #expect(payloads.count > 1)
        #expect(payloads.allSatisfy { $0.utf8.count <= ChangeNotice.maxPayload && $0.hasPrefix("node;") })
        let parsed = try payloads.map { try #require(ChangeNotice.parse($0)) }
        #expect(Set(parsed.flatMap(\.mailboxes)) == ids)
    }

    @Test(arguments: ["", ";m:1", "n;x:1", "n;m:", "n;m:abc", "n;a:1.5"])
    func refused(_ payload: String) {
        #expect(ChangeNotice.parse(payload) == nil)
    }
}
