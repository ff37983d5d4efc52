import Foundation
import MailStore
import Testing

/// MULTIAPPEND (RFC 3502) and stored parse results.
extension MailStoreConformance {
    public static func staged(
        _ store: any MailStore & AccountStore, _ n: Int, flags: MessageFlags = MessageFlags(),
        structure: MessageStructure? = nil
    ) throws -> StagedAppend {
        StagedAppend(
            message: try stage(store, message(n)), flags: flags,
            internalDate: Date(timeIntervalSince1970: 1_700_000_000 + Double(n)), structure: structure)
    }

    public static func stagingIsEmpty(_ store: any MailStore & AccountStore) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: stagingDirectory(store).path)) ?? []).isEmpty
    }

    public static func multiAppend(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try #require(try await store.mailbox(account: account, name: "INBOX"))
        _ = try await append(store, account, box.id, message(0))
        let before = try #require(try await store.highestModSeq(account: account, mailbox: box.id))
        let shape = MessageStructure(version: 3, data: [1, 2, 3])
        let batch = [
            try staged(store, 1, flags: .seen), try staged(store, 2, structure: shape),
            try staged(store, 3, flags: MessageFlags(keywords: ["Work"])),
        ]
        let results = try await store.append(account: account, mailbox: box.id, messages: batch)
        #expect(results == [1, 2, 3].map { AppendResult(uidValidity: box.uidValidity, uid: UID($0 + 1)) })
        #expect(stagingIsEmpty(store), "staged files are consumed")
        let metas = try await store.messages(account: account, mailbox: box.id, uids: UIDSet([2, 3, 4]))
        #expect(metas.map(\.flags) == [.seen, MessageFlags(), MessageFlags(keywords: ["Work"])])
        #expect(metas.map(\.internalDate) == batch.map(\.internalDate))
        #expect(metas.map(\.size) == [1, 2, 3].map { message($0).utf8.count })
        #expect(Set(metas.map(\.emailID)).count == 3)
        let after = try #require(try await store.highestModSeq(account: account, mailbox: box.id))
        #expect(after > before && metas.allSatisfy { $0.modSeq > before && $0.modSeq <= after })
        for n in 1...3 {
            #expect(
                try await store.content(account: account, mailbox: box.id, uid: UID(n + 1)) == Data(message(n).utf8))
        }
        #expect(
            try await store.structures(account: account, mailbox: box.id, uids: UIDSet(ranges: [1...10])) == [3: shape])
        #expect(try await store.append(account: account, mailbox: box.id, messages: []).isEmpty)
        #expect(try await store.status(account: account, mailbox: box.id).uidNext == 5)
    }

    /// All or nothing: one bad message (its staged file is gone) and nothing is added; a refused
    /// mailbox consumes the staged files too.
    public static func multiAppendAllOrNothing(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        _ = try await fill(store, account, box, count: 2)
        let status = try await store.status(account: account, mailbox: box)
        let batch = try (1...4).map { try staged(store, $0) }
        batch[2].message.discard()
        await expectError(.internal("")) { try await store.append(account: account, mailbox: box, messages: batch) }
        #expect(try await store.status(account: account, mailbox: box) == status, "nothing added, UIDNEXT unchanged")
        #expect(try await store.changes(account: account, mailbox: box, since: status.highestModSeq).changed.isEmpty)
        #expect(stagingIsEmpty(store))

        let refused = try (5...6).map { try staged(store, $0) }
        await expectError(.mailboxNotFound) {
            try await store.append(account: account, mailbox: 999_999, messages: refused)
        }
        let other = try await makeAccount(store, "bob")
        let theirs = try await mailboxID(store, other, "INBOX")
        let foreign = try (7...8).map { try staged(store, $0) }
        await expectError(.mailboxNotFound) {
            try await store.append(account: account, mailbox: theirs, messages: foreign)
        }
        #expect(try await store.status(account: other, mailbox: theirs).messages == 0)
        #expect(stagingIsEmpty(store))
        await expectError(.mailboxNotFound) { try await store.append(account: account, mailbox: 999_999, messages: []) }
        // The mailbox still works afterwards, UIDs continue.
        #expect(try await append(store, account, box, message(9)).uid == 3)
    }

    /// The renderings alone, in one buffer: equal to those `structures` gives, ascending, only for
    /// messages that have one; another account's mailbox is refused.
    public static func derivedTexts(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        let uids = try await fill(store, account, box, count: 4)
        let all = UIDSet(ranges: [1...UID.max])
        #expect(try await store.derivedTexts(account: account, mailbox: box, uids: all).entries.isEmpty)
        let a = DerivedTexts(version: 3, texts: [Array("(NIL)".utf8), [], [0, 0x80, 255]])
        let b = DerivedTexts(version: 4, texts: [[1], [2, 2], Array("(\"TEXT\")".utf8)])
        try await store.setStructure(
            account: account, mailbox: box, uid: uids[3],
            structure: MessageStructure(version: 5, data: [9], derived: a))
        try await store.setStructure(
            account: account, mailbox: box, uid: uids[1],
            structure: MessageStructure(version: 6, data: [8], derived: b))
        try await store.setStructure(
            account: account, mailbox: box, uid: uids[2], structure: MessageStructure(version: 6, data: [7]))
        let batch = try await store.derivedTexts(account: account, mailbox: box, uids: all)
        #expect(batch.entries.map(\.uid) == [uids[1], uids[3]])
        #expect(batch.entries.map(\.structureVersion) == [6, 5] && batch.entries.map(\.version) == [4, 3])
        func parts(_ batch: DerivedTextsBatch) -> [DerivedTexts] { batch.entries.map(batch.texts) }
        #expect(parts(batch) == [b, a])
        let some = try await store.derivedTexts(account: account, mailbox: box, uids: UIDSet([uids[0], uids[3]]))
        #expect(some.entries.map(\.uid) == [uids[3]] && parts(some) == [a])
        // They follow the messages: a copy and a move have them in their new mailbox, an expunge and a
        // parse result stored again without one take them away.
        let other = try await store.createMailbox(account: account, name: "Other", specialUse: nil).id
        let copied = try await store.copy(account: account, from: box, uids: UIDSet([uids[1]]), to: other)
        let moved = try await store.move(account: account, from: box, uids: UIDSet([uids[3]]), to: other)
        let there = try await store.derivedTexts(account: account, mailbox: other, uids: all)
        #expect(there.entries.map(\.uid) == (copied.pairs.map(\.1) + moved.copied.pairs.map(\.1)).sorted())
        #expect(parts(there) == [b, a])
        #expect(try await store.derivedTexts(account: account, mailbox: box, uids: all).entries.map(\.uid) == [uids[1]])
        try await store.setStructure(
            account: account, mailbox: box, uid: uids[1], structure: MessageStructure(version: 6, data: [8]))
        #expect(try await store.derivedTexts(account: account, mailbox: box, uids: all).entries.isEmpty)
        // The copy shares the content, so its rendering went too.
        #expect(
            try await store.derivedTexts(account: account, mailbox: other, uids: all).entries.map(\.uid) == [
                moved.copied.pairs[0].1
            ])
        try await store.deleteMailbox(account: account, name: "Other")
        let bob = try await makeAccount(store, "bob")
        await expectError(.mailboxNotFound) { _ = try await store.derivedTexts(account: bob, mailbox: box, uids: all) }
    }

    public static func structuresRoundTrip(_ store: any MailStore & AccountStore) async throws {
        let account = try await makeAccount(store)
        let box = try await mailboxID(store, account, "INBOX")
        let uids = try await fill(store, account, box, count: 3)
        let all = UIDSet(ranges: [1...UID.max])
        #expect(try await store.structures(account: account, mailbox: box, uids: all).isEmpty)
        let modSeq = try await store.highestModSeq(account: account, mailbox: box)
        let first = MessageStructure(version: 1, data: Array("(TEXT PLAIN)".utf8))
        try await store.setStructure(account: account, mailbox: box, uid: uids[1], structure: first)
        #expect(try await store.structures(account: account, mailbox: box, uids: all) == [uids[1]: first])
        let newer = MessageStructure(version: 2, data: [0, 255, 7])
        try await store.setStructure(account: account, mailbox: box, uid: uids[1], structure: newer)
        let empty = MessageStructure(version: 2, data: [])
        try await store.setStructure(account: account, mailbox: box, uid: uids[2], structure: empty)
        #expect(
            try await store.structures(account: account, mailbox: box, uids: all) == [uids[1]: newer, uids[2]: empty])
        #expect(
            try await store.structures(account: account, mailbox: box, uids: UIDSet([uids[0], uids[2]])) == [
                uids[2]: empty
            ])
        #expect(try await store.highestModSeq(account: account, mailbox: box) == modSeq, "derived data: no MODSEQ")
        // With its rendering (kept and given back exactly, empty parts included), then without again.
        let rendered = MessageStructure(
            version: 2, data: [1, 2],
            derived: DerivedTexts(version: 7, texts: [Array("(NIL \"s\")".utf8), [], [0, 0x80, 255]]))
        try await store.setStructure(account: account, mailbox: box, uid: uids[0], structure: rendered)
        #expect(
            try await store.structures(account: account, mailbox: box, uids: UIDSet([uids[0]])) == [uids[0]: rendered])
        let plain = MessageStructure(version: 2, data: [1, 2])
        try await store.setStructure(account: account, mailbox: box, uid: uids[0], structure: plain)
        #expect(try await store.structures(account: account, mailbox: box, uids: UIDSet([uids[0]])) == [uids[0]: plain])
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([uids[0]]), operation: .add, flags: .deleted,
            unchangedSince: nil)
        _ = try await store.expunge(account: account, mailbox: box, uids: UIDSet([uids[0]]))
        // A UID that is not there is ignored; mailboxes of other accounts are not.
        try await store.setStructure(account: account, mailbox: box, uid: 99, structure: first)
        #expect(try await store.structures(account: account, mailbox: box, uids: UIDSet([99])).isEmpty)
        let bob = try await makeAccount(store, "bob")
        await expectError(.mailboxNotFound) { try await store.structures(account: bob, mailbox: box, uids: all) }
        await expectError(.mailboxNotFound) {
            try await store.setStructure(account: bob, mailbox: box, uid: uids[1], structure: first)
        }
        // An expunged message takes its structure along.
        _ = try await store.store(
            account: account, mailbox: box, uids: UIDSet([uids[1]]), operation: .add, flags: .deleted,
            unchangedSince: nil)
        _ = try await store.expunge(account: account, mailbox: box, uids: nil)
        #expect(try await store.structures(account: account, mailbox: box, uids: all) == [uids[2]: empty])

        // Many scattered UIDs (more ranges than the range-query path takes).
        let batch = try (0..<80).map { n in
            try staged(store, n, structure: n % 3 == 0 ? MessageStructure(version: 1, data: [UInt8(n)]) : nil)
        }
        let added = try await store.append(account: account, mailbox: box, messages: batch).map(\.uid)
        let everyOther = UIDSet(added.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        #expect(everyOther.ranges.count > 32)
        let found = try await store.structures(account: account, mailbox: box, uids: everyOther)
        let expected = added.enumerated().filter { $0.offset % 6 == 0 }
        #expect(found.count == expected.count)
        #expect(expected.allSatisfy { found[$0.element] == MessageStructure(version: 1, data: [UInt8($0.offset)]) })
    }
}
