import Foundation
import MailStore
import Testing

/// MOVE is atomic (RFC 6851 §3.3): however many sessions move the same messages at once, each message
/// ends up in exactly one place, once.
extension MailStoreConformance {
    public static func moveAtomicity(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        let archive = try await mailboxID(store, account, "Archive")
        _ = try await fill(store, account, inbox, count: 20)
        let everything = UIDSet(ranges: [1...UID.max])
        let emailIDs = try await store.messages(account: account, mailbox: inbox, uids: everything).map(\.emailID)

        // Eight sessions move the same twenty messages at once.
        let results = try await withThrowingTaskGroup(of: (copied: CopyResult, expunged: [UID]).self) { group in
            for _ in 0..<8 {
                group.addTask { try await store.move(account: account, from: inbox, uids: everything, to: archive) }
            }
            var all: [(copied: CopyResult, expunged: [UID])] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.flatMap(\.copied.pairs).map(\.source).sorted() == Array(1...20), "each moved exactly once")
        #expect(results.flatMap(\.expunged).sorted() == Array(1...20))
        #expect(results.allSatisfy { $0.expunged == $0.copied.pairs.map(\.source) })
        let destinations = results.flatMap(\.copied.pairs).map(\.destination)
        #expect(Set(destinations).count == 20)
        #expect(try await store.status(account: account, mailbox: inbox).messages == 0)
        #expect(try await store.status(account: account, mailbox: archive).messages == 20)

        // Moves both ways at once: no message is lost or doubled.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<10 {
                group.addTask {
                    let (from, to) = i % 2 == 0 ? (archive, inbox) : (inbox, archive)
                    _ = try await store.move(account: account, from: from, uids: everything, to: to)
                }
            }
            try await group.waitForAll()
        }
        let here = try await store.messages(account: account, mailbox: inbox, uids: everything)
        let there = try await store.messages(account: account, mailbox: archive, uids: everything)
        #expect((here + there).map(\.emailID).sorted() == emailIDs.sorted())
        var texts: [String] = []
        for (mailbox, metas) in [(inbox, here), (archive, there)] {
            try await store.forEachContent(account: account, mailbox: mailbox, uids: UIDSet(metas.map(\.uid))) {
                _, content in
                texts.append(String(decoding: try await content.readAll(), as: UTF8.self))
            }
        }
        #expect(texts.sorted() == (0..<20).map { message($0) }.sorted())
    }
}
