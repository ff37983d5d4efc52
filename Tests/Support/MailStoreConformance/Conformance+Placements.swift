import Foundation
import MailStore
import Testing

/// One message filed into several mailboxes in one commit (a Sieve script's keep + fileinto).
extension MailStoreConformance {
    public static func placements(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        let work = try await store.createMailbox(account: account, name: "Work", specialUse: nil).id
        _ = try await append(store, account, work, message(0))
        let before = try await store.status(account: account, mailbox: work)
        let shape = MessageStructure(version: 3, data: [4, 5])
        let results = try await store.append(
            account: account, message: try staged(store, 1, flags: .deleted, structure: shape),
            placements: [
                MailboxPlacement(mailbox: work, flags: MessageFlags(system: .seen, keywords: ["Boss"])),
                MailboxPlacement(mailbox: inbox, flags: MessageFlags()),
            ])
        #expect(results.map(\.uid) == [2, 1])
        #expect(stagingIsEmpty(store))
        let inWork = try #require(try await store.messages(account: account, mailbox: work, uids: UIDSet([2])).first)
        let inInbox = try #require(try await store.messages(account: account, mailbox: inbox, uids: UIDSet([1])).first)
        #expect(
            inWork.flags == MessageFlags(system: .seen, keywords: ["Boss"]), "the placement's flags, not the message's")
        #expect(inInbox.flags == MessageFlags())
        #expect(inWork.modSeq > before.highestModSeq)
        #expect(inWork.emailID == inInbox.emailID, "the copies share their content")
        #expect(try await store.content(account: account, mailbox: inbox, uid: 1) == Data(message(1).utf8))
        #expect(try await store.structures(account: account, mailbox: work, uids: UIDSet([2])) == [2: shape])
        #expect(try await store.quota(account: account).usedMessages == 3, "every copy counts")

        // Expunging one copy leaves the other readable.
        _ = try await store.store(
            account: account, mailbox: work, uids: UIDSet([2]), operation: .add, flags: .deleted, unchangedSince: nil)
        _ = try await store.expunge(account: account, mailbox: work, uids: nil)
        #expect(try await store.content(account: account, mailbox: inbox, uid: 1) == Data(message(1).utf8))
    }

    /// All or none: a missing or foreign mailbox, the quota, or a mailbox named twice add nothing anywhere,
    /// and the staged file is consumed.
    public static func placementsAllOrNothing(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let inbox = try await mailboxID(store, account, "INBOX")
        let other = try await makeAccount(store, "bob")
        let theirs = try await mailboxID(store, other, "INBOX")
        let status = try await store.status(account: account, mailbox: inbox)
        let plain = MessageFlags()
        for (mailboxes, error) in [
            ([inbox, 999_999], MailStoreError.mailboxNotFound), ([inbox, theirs], .mailboxNotFound),
            ([inbox, inbox], .internal("")),
        ] {
            await expectError(error) {
                try await store.append(
                    account: account, message: try staged(store, 1),
                    placements: mailboxes.map { MailboxPlacement(mailbox: $0, flags: plain) })
            }
            #expect(try await store.status(account: account, mailbox: inbox) == status)
            #expect(stagingIsEmpty(store))
        }
        #expect(try await store.status(account: other, mailbox: theirs).messages == 0)
        let spam = try await store.createMailbox(account: account, name: "Spam", specialUse: nil).id
        try await store.setQuota(account: account, limits: QuotaLimits(messages: 1))
        await expectError(.overQuota) {
            try await store.append(
                account: account, message: try staged(store, 2),
                placements: [
                    MailboxPlacement(mailbox: inbox, flags: plain), MailboxPlacement(mailbox: spam, flags: plain),
                ])
        }
        #expect(try await store.status(account: account, mailbox: inbox) == status)
        #expect(try await store.quota(account: account).usedMessages == 0)
        #expect(stagingIsEmpty(store))
        #expect(try await store.append(account: account, message: try staged(store, 3), placements: []).isEmpty)
        #expect(stagingIsEmpty(store))
    }
}
