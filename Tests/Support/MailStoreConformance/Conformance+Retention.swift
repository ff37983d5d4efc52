import Foundation
import MailStore
import Testing

extension MailStoreConformance {
    /// RFC 2180 §4.1.1 through `ExpungeRetention`: what an expunge or a MOVE removes stays readable
    /// (metadata and content) for a registered session not yet told, and is let go once it is.
    public static func expungedMessagesRetainedForViewers(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        let other = try await store.createMailbox(account: account, name: "Other", specialUse: nil).id
        let uids = try await fill(store, account, inbox, count: 3)
        let retention = store.changeHub.retention
        // Without a viewer nothing is kept.
        _ = try await store.store(
            account: account, mailbox: inbox, uids: UIDSet([uids[0]]), operation: .add,
            flags: MessageFlags(system: .deleted), unchangedSince: nil)
        #expect(try await store.expunge(account: account, mailbox: inbox, uids: nil) == [uids[0]])
        #expect(retention.count(account: account, mailbox: inbox) == 0)

        let viewer = retention.view(account: account, mailbox: inbox)
        viewer.told(through: try #require(try await store.highestModSeq(account: account, mailbox: inbox)))
        _ = try await store.store(
            account: account, mailbox: inbox, uids: UIDSet([uids[1]]), operation: .add,
            flags: MessageFlags(system: .deleted), unchangedSince: nil)
        #expect(try await store.expunge(account: account, mailbox: inbox, uids: nil) == [uids[1]])
        #expect(try await store.messages(account: account, mailbox: inbox, uids: UIDSet([uids[1]])).isEmpty)
        let expunged = try #require(retention.message(account: account, mailbox: inbox, uid: uids[1]))
        #expect(expunged.meta.uid == uids[1])
        #expect(expunged.meta.flags.system.contains(.deleted))
        #expect(try await expunged.open()?.readAll() == Array(message(1).utf8))

        let moved = try await store.move(account: account, from: inbox, uids: UIDSet([uids[2]]), to: other)
        #expect(moved.expunged == [uids[2]])
        let gone = try #require(retention.message(account: account, mailbox: inbox, uid: uids[2]))
        #expect(try await gone.open()?.readAll() == Array(message(2).utf8))
        #expect(retention.message(account: account, mailbox: other, uid: uids[2]) == nil)
        #expect(retention.count(account: account, mailbox: inbox) == 2)

        viewer.told(through: try #require(try await store.highestModSeq(account: account, mailbox: inbox)))
        #expect(retention.count(account: account, mailbox: inbox) == 0)
        // The moved message's content is the destination's, still there.
        let copy = try #require(moved.copied.pairs.first).destination
        #expect(try await store.content(account: account, mailbox: other, uid: copy) == Data(message(2).utf8))
    }
}
