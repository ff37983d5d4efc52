import Foundation
import MailStore
import Testing

/// \Recent (RFC 3501 §2.3.2): each new message is recent for exactly one read-write session, the
/// first to open the mailbox or to claim it; EXAMINE claims nothing; claiming is not a mailbox change.
extension MailStoreConformance {
    public static func recentClaims(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        _ = try await fill(store, account, box, count: 3)
        func select() async throws -> [UID] {
            try await store.snapshot(account: account, mailbox: box, markRecentSeen: true).recentUIDs
        }
        func claim(_ through: UID) async throws -> ClosedRange<UID>? {
            try await store.claimRecent(account: account, mailbox: box, through: through)
        }
        #expect(try await store.snapshot(account: account, mailbox: box, markRecentSeen: false).recentUIDs.isEmpty)
        #expect(try await select() == [1, 2, 3], "the first SELECT gets them")
        #expect(try await select().isEmpty, "a second SELECT right after gets none")

        // New mail that two selected sessions both learn of: the first to claim gets all it saw.
        _ = try await fill(store, account, box, count: 2)
        #expect(try await claim(5) == 4...5)
        #expect(try await claim(5) == nil)
        #expect(try await select().isEmpty)

        // A claim covers only the UIDs the session saw; the rest stays for someone else.
        _ = try await fill(store, account, box, count: 3)
        #expect(try await claim(6) == 6...6)
        #expect(try await store.status(account: account, mailbox: box).recent == 2)
        #expect(try await select() == [7, 8])
        #expect(try await claim(8) == nil)
        #expect(try await store.status(account: account, mailbox: box).recent == 0)

        // Claiming is not a mailbox change: no MODSEQ, no wake-up.
        _ = try await fill(store, account, box, count: 1)
        let modSeq = try await store.highestModSeq(account: account, mailbox: box)
        let watcher = WakeCounter(store.changeHub.subscribe(mailbox: box))
        #expect(try await claim(9) == 9...9)
        #expect(try await select().isEmpty)
        try await Task.sleep(for: .milliseconds(100))
        #expect(watcher.count == 0, "claiming \\Recent publishes nothing")
        #expect(try await store.highestModSeq(account: account, mailbox: box) == modSeq)
        watcher.subscription.cancel()

        // Recent messages expunged before anyone saw them are not handed out.
        _ = try await fill(store, account, box, count: 2)
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([10]), operation: .add, flags: .deleted, unchangedSince: nil)
        #expect(try await store.expunge(account: account, mailbox: box, uids: nil) == [10])
        #expect(try await store.status(account: account, mailbox: box).recent == 1)
        #expect(try await select() == [11])
    }
}
