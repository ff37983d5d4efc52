import Foundation
import MailStore
import Synchronization
import Testing

/// `ExpungeRetention` on its own: what is kept, for whom, until when, and what unlinks a freed file.
@Suite struct ExpungeRetentionTests {
    let account: AccountID = 1
    let mailbox: MailboxID = 7

    func message(_ uid: UID) -> ExpungeRetention.Message {
        ExpungeRetention.Message(
            meta: MessageMeta(uid: uid, modSeq: 1, flags: MessageFlags(), internalDate: .distantPast, size: 3),
            open: { MessageContent(bytes: [1, 2, 3]) })
    }

    @Test func nothingIsKeptWithoutAViewer() {
        let retention = ExpungeRetention()
        #expect(!retention.wanted(account: account, mailbox: mailbox, modSeq: 5))
        retention.retain(account: account, mailbox: mailbox, modSeq: 5, [(message(1), nil)])
        #expect(retention.message(account: account, mailbox: mailbox, uid: 1) == nil)
    }

    @Test func keptUntilEveryViewerWasTold() async throws {
        let retention = ExpungeRetention()
        let first = retention.view(account: account, mailbox: mailbox)
        let second = retention.view(account: account, mailbox: mailbox)
        first.told(through: 4)
        second.told(through: 4)
        #expect(retention.wanted(account: account, mailbox: mailbox, modSeq: 5))
        #expect(!retention.wanted(account: account, mailbox: mailbox, modSeq: 4))
        retention.retain(account: account, mailbox: mailbox, modSeq: 5, [(message(1), nil), (message(2), nil)])
        let kept = try #require(retention.message(account: account, mailbox: mailbox, uid: 2))
        #expect(kept.meta.uid == 2)
        let bytes = try await kept.open()?.readAll()
        #expect(bytes == [1, 2, 3])
        // Another account's session cannot reach it.
        #expect(retention.message(account: 2, mailbox: mailbox, uid: 2) == nil)
        first.told(through: 5)
        #expect(retention.count(account: account, mailbox: mailbox) == 2)
        second.told(through: 5)
        #expect(retention.count(account: account, mailbox: mailbox) == 0)
    }

    @Test func aViewerThatGoesAwayLetsGo() {
        let retention = ExpungeRetention()
        var viewer: ExpungeRetention.Viewer? = retention.view(account: account, mailbox: mailbox)
        retention.retain(account: account, mailbox: mailbox, modSeq: 3, [(message(1), nil)])
        #expect(retention.count(account: account, mailbox: mailbox) == 1)
        withExtendedLifetime(viewer) {}
        viewer = nil
        #expect(retention.count(account: account, mailbox: mailbox) == 0)
    }

    /// A freed content file is unlinked only when the last retained message that needs it is let go.
    @Test func unlinkWaitsForTheLastHolder() {
        let retention = ExpungeRetention()
        let viewer = retention.view(account: account, mailbox: mailbox)
        retention.retain(
            account: account, mailbox: mailbox, modSeq: 3, [(message(1), "blob-a"), (message(2), "blob-a")])
        let unlinked = Mutex<[String]>([])
        let now = retention.deferUnlink(["blob-a", "blob-b"]) { blob in unlinked.withLock { $0.append(blob) } }
        #expect(now == ["blob-b"])
        #expect(unlinked.withLock { $0 }.isEmpty)
        viewer.told(through: 3)
        #expect(unlinked.withLock { $0 } == ["blob-a"])
    }

    /// At most `maxPerMailbox` messages per mailbox: the oldest expunges are let go first.
    @Test func theLimitLetsTheOldestGo() {
        let retention = ExpungeRetention(maxPerMailbox: 3)
        let viewer = retention.view(account: account, mailbox: mailbox)
        for uid in UID(1)...5 {
            retention.retain(account: account, mailbox: mailbox, modSeq: ModSeq(uid), [(message(uid), nil)])
        }
        #expect(retention.count(account: account, mailbox: mailbox) == 3)
        #expect(retention.message(account: account, mailbox: mailbox, uid: 2) == nil)
        #expect(retention.message(account: account, mailbox: mailbox, uid: 3) != nil)
        withExtendedLifetime(viewer) {}
    }

    /// The limit under load: many expunges for a viewer that is never told stay bounded.
    @Test func manyExpungesStayBounded() {
        let retention = ExpungeRetention()
        let viewer = retention.view(account: account, mailbox: mailbox)
        let total = ExpungeRetention.maxPerMailbox + 500
        for start in stride(from: 1, through: total, by: 100) {
            let batch = (start..<min(start + 100, total + 1)).map { (message(UID($0)), String?.none) }
            retention.retain(account: account, mailbox: mailbox, modSeq: ModSeq(start), batch)
        }
        #expect(retention.count(account: account, mailbox: mailbox) == ExpungeRetention.maxPerMailbox)
        withExtendedLifetime(viewer) {}
    }
}
