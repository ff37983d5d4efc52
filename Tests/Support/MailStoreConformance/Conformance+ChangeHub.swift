import Foundation
import MailStore
import Synchronization
import Testing

/// Counts the wake-ups one subscription receives.
public final class WakeCounter: Sendable {
    private let value = Mutex(0)
    public let subscription: ChangeSubscription

    public init(_ subscription: ChangeSubscription) {
        self.subscription = subscription
        Task { [self] in
            for await _ in subscription.stream { value.withLock { $0 += 1 } }
        }
    }

    public var count: Int { value.withLock { $0 } }

    /// Waits (up to two seconds) until the count exceeds `seen`; returns the new count or nil.
    public func wake(after seen: Int) async throws -> Int? {
        for _ in 0..<400 {
            let now = count
            if now > seen { return now }
            try await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }
}

/// The change hub: every committed change wakes the watchers of the changed mailboxes, and only them.
extension MailStoreConformance {
    public static func changeHubPublishing(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inboxID = try await mailboxID(store, account, "INBOX")
        let archiveID = try await mailboxID(store, account, "Archive")
        let inbox = WakeCounter(store.changeHub.subscribe(mailbox: inboxID))
        let archive = WakeCounter(store.changeHub.subscribe(mailbox: archiveID))
        var seenInbox = 0
        var seenArchive = 0

        /// Runs a write, then expects a wake-up of exactly the given mailboxes.
        func expectWake(
            inbox wakesInbox: Bool, archive wakesArchive: Bool, _ what: String,
            sourceLocation: SourceLocation = #_sourceLocation, _ write: () async throws -> Void
        ) async throws {
            try await write()
            if wakesInbox {
                let now = try await inbox.wake(after: seenInbox)
                #expect(now != nil, "\(what) wakes INBOX", sourceLocation: sourceLocation)
                seenInbox = now ?? seenInbox
            }
            if wakesArchive {
                let now = try await archive.wake(after: seenArchive)
                #expect(now != nil, "\(what) wakes Archive", sourceLocation: sourceLocation)
                seenArchive = now ?? seenArchive
            }
            if !wakesInbox || !wakesArchive { try await Task.sleep(for: .milliseconds(100)) }
            if !wakesInbox {
                #expect(inbox.count == seenInbox, "\(what) does not wake INBOX", sourceLocation: sourceLocation)
            }
            if !wakesArchive {
                #expect(archive.count == seenArchive, "\(what) does not wake Archive", sourceLocation: sourceLocation)
            }
            // A write that published several times may still have wake-ups on their way to the counters
            // (the first one ended the wait): let them land, so the next write starts from a quiet state.
            try await Task.sleep(for: .milliseconds(50))
            seenInbox = inbox.count
            seenArchive = archive.count
        }

        try await expectWake(inbox: true, archive: false, "append") {
            _ = try await fill(store, account, inboxID, count: 3)
        }
        try await expectWake(inbox: true, archive: false, "a changing store") {
            _ = try await store.store(
                account: account, mailbox: inboxID, uids: UIDSet([1]), operation: .add, flags: .seen,
                unchangedSince: nil)
        }
        try await expectWake(inbox: false, archive: false, "a store that changes nothing") {
            _ = try await store.store(
                account: account, mailbox: inboxID, uids: UIDSet([1, 50]), operation: .add, flags: .seen,
                unchangedSince: nil)
        }
        try await expectWake(inbox: false, archive: false, "setStructure, expunge of nothing, copy of nothing") {
            try await store.setStructure(
                account: account, mailbox: inboxID, uid: 1, structure: MessageStructure(version: 1, data: [1]))
            _ = try await store.expunge(account: account, mailbox: inboxID, uids: nil)
            _ = try await store.copy(account: account, from: inboxID, uids: UIDSet([77]), to: archiveID)
            _ = try await store.move(account: account, from: inboxID, uids: UIDSet([77]), to: archiveID)
        }
        try await expectWake(inbox: false, archive: true, "copy (destination only)") {
            _ = try await store.copy(account: account, from: inboxID, uids: UIDSet([1]), to: archiveID)
        }
        try await expectWake(inbox: true, archive: true, "move (both)") {
            _ = try await store.move(account: account, from: inboxID, uids: UIDSet([2]), to: archiveID)
        }
        try await expectWake(inbox: true, archive: false, "expunge") {
            _ = try await store.store(
                account: account, mailbox: inboxID, uids: UIDSet([3]), operation: .add, flags: .deleted,
                unchangedSince: nil)
            _ = try await store.expunge(account: account, mailbox: inboxID, uids: nil)
        }
        try await expectWake(inbox: false, archive: true, "multi-append") {
            _ = try await store.append(
                account: account, mailbox: archiveID, messages: [try staged(store, 1), try staged(store, 2)])
        }
        try await expectWake(inbox: false, archive: false, "a failed multi-append") {
            let batch = [try staged(store, 3), try staged(store, 4)]
            batch[1].message.discard()
            _ = try? await store.append(account: account, mailbox: archiveID, messages: batch)
        }
        try await expectWake(inbox: false, archive: true, "rename") {
            try await store.renameMailbox(account: account, from: "Archive", to: "Old/Archive")
        }
        try await expectWake(inbox: false, archive: true, "delete") {
            try await store.deleteMailbox(account: account, name: "Old/Archive")
        }
        try await expectWake(inbox: true, archive: false, "rename INBOX") {
            try await store.renameMailbox(account: account, from: "INBOX", to: "Before")
        }
        try await expectWake(inbox: true, archive: false, "delete account") {
            try await store.deleteAccount(name: "alice")
        }

        // A session that stops watching is forgotten.
        inbox.subscription.cancel()
        archive.subscription.cancel()
        #expect(store.changeHub.subscriberCount == 0)
    }
}
