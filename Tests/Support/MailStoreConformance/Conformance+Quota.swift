import Foundation
import MailStore
import Testing

/// Quota (RFC 9208): usage follows every write exactly, APPEND and COPY past a limit change nothing,
/// MOVE is never refused, and writers racing at the limit never take the account past it.
extension MailStoreConformance {
    /// Usage is the sum over every message of the account, every copy counted.
    public static func quotaUsage(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let other = try await makeAccount(store, "bob")
        let inbox = try await mailboxID(store, account, "INBOX")
        let archive = try await mailboxID(store, account, "Archive")
        var quota = try await store.quota(account: account)
        #expect(quota == AccountQuota(usedBytes: 0, usedMessages: 0, limits: .unlimited, isDefault: true))

        let sizes = (0..<3).map { Int64(message($0).utf8.count) }
        _ = try await fill(store, account, inbox, count: 3)
        _ = try await fill(store, other, try await mailboxID(store, other, "INBOX"), count: 2)
        quota = try await store.quota(account: account)
        #expect(quota.usedMessages == 3 && quota.usedBytes == sizes.reduce(0, +), "other accounts do not count")

        _ = try await store.copy(account: account, from: inbox, uids: UIDSet([1, 2]), to: archive)
        quota = try await store.quota(account: account)
        #expect(quota.usedMessages == 5 && quota.usedBytes == sizes.reduce(0, +) + sizes[0] + sizes[1])

        _ = try await store.move(account: account, from: archive, uids: UIDSet([1]), to: inbox)
        #expect(try await store.quota(account: account).usedMessages == 5, "MOVE changes nothing")

        _ = try await store.store(
            account: account, mailbox: inbox, uids: UIDSet([1]), operation: .add, flags: .deleted, unchangedSince: nil)
        #expect(try await store.deletedTotals(account: account, mailbox: inbox) == (1, sizes[0]))
        _ = try await store.expunge(account: account, mailbox: inbox, uids: nil)
        quota = try await store.quota(account: account)
        #expect(quota.usedMessages == 4 && quota.usedBytes == sizes.reduce(0, +) + sizes[1])

        // A deleted mailbox takes its messages' usage with it, also one that stays as a placeholder.
        _ = try await store.createMailbox(account: account, name: "Archive/Old", specialUse: nil)
        try await store.deleteMailbox(account: account, name: "Archive")
        quota = try await store.quota(account: account)
        #expect(quota.usedMessages == 3 && quota.usedBytes == sizes.reduce(0, +))
        let projects = try await store.createMailbox(account: account, name: "Projects", specialUse: nil)
        _ = try await fill(store, account, projects.id, count: 2)
        try await store.deleteMailbox(account: account, name: "Projects")
        #expect(try await store.quota(account: account).usedMessages == 3)
        #expect(try await store.quota(account: other).usedMessages == 2)
        await expectError(.accountNotFound) { try await store.quota(account: 9_999) }
        await expectError(.accountNotFound) { try await store.setQuota(account: 9_999, limits: .unlimited) }
    }

    /// APPEND and COPY past a limit throw `.overQuota` and store nothing; MOVE and EXPUNGE still work;
    /// the account's own limits win over the default, and nil gives the default back.
    public static func quotaEnforced(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        let archive = try await mailboxID(store, account, "Archive")
        try await store.setDefaultQuota(QuotaLimits(messages: 3))
        _ = try await fill(store, account, inbox, count: 3)
        let staging = stagingDirectory(store)
        await expectError(.overQuota) { try await append(store, account, inbox, message(9)) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging.path).isEmpty, "staged file consumed")
        await expectError(.overQuota) {
            try await store.copy(account: account, from: inbox, uids: UIDSet([1]), to: archive)
        }
        let state = try await store.quota(account: account)
        #expect(state.usedMessages == 3 && state.isDefault && state.limits == QuotaLimits(messages: 3))
        #expect(try await store.status(account: account, mailbox: archive).messages == 0)
        let moved = try await store.move(account: account, from: inbox, uids: UIDSet([1]), to: archive)
        #expect(moved.expunged == [1], "MOVE is never refused for quota")

        // A storage limit: exactly at the limit is allowed, one byte more is not.
        let used = try await store.quota(account: account).usedBytes
        let next = Int64(message(4).utf8.count)
        try await store.setQuota(account: account, limits: QuotaLimits(storageBytes: used + next))
        #expect(try await store.quota(account: account).isDefault == false)
        try await append(store, account, inbox, message(4))
        await expectError(.overQuota) { try await append(store, account, inbox, "x") }
        // Multi-append is all or nothing against the quota too.
        try await store.setQuota(account: account, limits: QuotaLimits(messages: 5))
        await expectError(.overQuota) {
            try await store.append(
                account: account, mailbox: inbox,
                messages: try (0..<2).map {
                    StagedAppend(message: try stage(store, message($0)), flags: MessageFlags(), internalDate: Date())
                })
        }
        #expect(try await store.quota(account: account).usedMessages == 4)
        try await store.setQuota(account: account, limits: nil)
        #expect(try await store.quota(account: account).limits == QuotaLimits(messages: 3))
        try await store.setQuota(account: account, limits: .unlimited)
        try await append(store, account, inbox, message(5))
        #expect(try await store.quota(account: account).usedMessages == 5)
    }

    /// Sixteen writers append and copy at once into an account limited to ten messages that holds one:
    /// exactly nine succeed, and usage is what is stored.
    public static func quotaUnderConcurrentWriters(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        let archive = try await mailboxID(store, account, "Archive")
        try await store.setQuota(account: account, limits: QuotaLimits(messages: 10))
        try await append(store, account, inbox, message(100))
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<16 {
                group.addTask {
                    do {
                        if i % 4 == 3 {
                            _ = try await store.copy(account: account, from: inbox, uids: UIDSet([1]), to: archive)
                        } else {
                            try await append(store, account, i % 2 == 0 ? inbox : archive, message(i))
                        }
                        return true
                    } catch MailStoreError.overQuota {
                        return false
                    }
                }
            }
            var all: [Bool] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        let everything = UIDSet(ranges: [1...UID.max])
        let stored =
            try await store.messages(account: account, mailbox: inbox, uids: everything)
            + store.messages(account: account, mailbox: archive, uids: everything)
        let quota = try await store.quota(account: account)
        #expect(stored.count == 10, "the limit is reached and not passed")
        #expect(outcomes.filter { $0 }.count == 9, "every writer that was not refused stored its message")
        #expect(quota.usedMessages == Int64(stored.count))
        #expect(quota.usedBytes == stored.reduce(0) { $0 + Int64($1.size) })
    }
}
