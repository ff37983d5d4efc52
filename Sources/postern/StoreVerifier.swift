import Crypto
import Foundation
import MailStore

/// Compares an account in two stores after a copy: password verifier, app passwords, quota, Sieve
/// scripts, subscriptions, and every mailbox (UIDVALIDITY, attributes) and message (UID, flags,
/// dates, size, MODSEQ not lower, SHA-256 of the text). Returns one line per difference.
struct StoreVerifier {
    let source: any MailStore & AccountStore
    let target: any MailStore & AccountStore

    func check(_ name: String) async throws -> [String] {
        guard let (from, credentials) = try await source.credentials(accountName: name) else {
            return ["\(name): gone from the source"]
        }
        guard let (to, copied) = try await target.credentials(accountName: name) else {
            return ["\(name): missing in the target"]
        }
        var problems: [String] = []
        func expect(_ same: Bool, _ what: String) {
            if !same { problems.append("\(name): \(what)") }
        }
        expect(credentials == copied, "password verifier")
        let apps = try await source.appPasswords(account: from).map(Self.appKey)
        expect(apps.sorted() == (try await target.appPasswords(account: to).map(Self.appKey).sorted()), "app passwords")
        let quota = try await source.quota(account: from)
        let copiedQuota = try await target.quota(account: to)
        expect(
            quota.isDefault == copiedQuota.isDefault && (quota.isDefault || quota.limits == copiedQuota.limits),
            "quota limits")
        expect(
            quota.usedBytes == copiedQuota.usedBytes && quota.usedMessages == copiedQuota.usedMessages, "quota usage")
        expect(
            try await scripts(source, from) == (try await scripts(target, to)), "Sieve scripts")
        expect(
            try await source.subscriptions(account: from).sorted()
                == (try await target.subscriptions(account: to).sorted()), "subscriptions")
        let boxes = try await source.listMailboxes(account: from)
        let copiedBoxes = Dictionary(
            try await target.listMailboxes(account: to).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        expect(boxes.count == copiedBoxes.count, "number of mailboxes")
        for box in boxes.sorted(by: { $0.name < $1.name }) {
            guard let copy = copiedBoxes[box.name] else {
                problems.append("\(name): mailbox \(box.name) missing")
                continue
            }
            expect(copy.uidValidity == box.uidValidity, "\(box.name): UIDVALIDITY")
            expect(copy.specialUse == box.specialUse && copy.isNoSelect == box.isNoSelect, "\(box.name): attributes")
            expect(
                copy.uidNext >= box.uidNext && copy.highestModSeq >= box.highestModSeq,
                "\(box.name): UIDNEXT or HIGHESTMODSEQ")
            guard !box.isNoSelect else { continue }
            problems += try await messages(name, box, (from, box.id), (to, copy.id))
        }
        return problems
    }

    private func messages(
        _ name: String, _ box: MailboxInfo, _ from: (AccountID, MailboxID), _ to: (AccountID, MailboxID)
    ) async throws -> [String] {
        let all = UIDSet(ranges: [1...UID.max])
        let metas = try await source.messages(account: from.0, mailbox: from.1, uids: all)
        let copied = try await target.messages(account: to.0, mailbox: to.1, uids: all)
        let prefix = "\(name): \(box.name)"
        guard metas.map(\.uid) == copied.map(\.uid) else {
            return ["\(prefix): \(metas.count) messages, \(copied.count) copied (or other UIDs)"]
        }
        var problems: [String] = []
        for (meta, copy) in zip(metas, copied) {
            if meta.flags.normalized != copy.flags.normalized { problems.append("\(prefix): UID \(meta.uid) flags") }
            if copy.modSeq < meta.modSeq { problems.append("\(prefix): UID \(meta.uid) MODSEQ lower") }
            if copy.size != meta.size || copy.internalDate != meta.internalDate {
                problems.append("\(prefix): UID \(meta.uid) size or internal date")
            }
        }
        let hashes = try await Self.hashes(source, from)
        let copiedHashes = try await Self.hashes(target, to)
        for uid in metas.map(\.uid) where hashes[uid] == nil || hashes[uid] != copiedHashes[uid] {
            problems.append("\(prefix): UID \(uid) content")
        }
        return problems
    }

    private static func appKey(_ app: AppPassword) -> String {
        "\(app.label)\u{0}\(Data(app.storedKey).base64EncodedString())\u{0}\(Data(app.serverKey).base64EncodedString())"
    }

    private func scripts(_ store: any MailStore & AccountStore, _ account: AccountID) async throws -> [String] {
        var result: [String] = []
        for script in try await store.sieveScripts(account: account) {
            let text = try await store.sieveScript(account: account, name: script.name) ?? []
            result.append("\(script.name)\u{0}\(script.isActive)\u{0}\(Data(text).base64EncodedString())")
        }
        return result.sorted()
    }

    /// SHA-256 of every message's text, read in pieces.
    static func hashes(_ store: any MailStore, _ at: (AccountID, MailboxID)) async throws -> [UID: [UInt8]] {
        var result: [UID: [UInt8]] = [:]
        try await store.forEachContent(account: at.0, mailbox: at.1, uids: UIDSet(ranges: [1...UID.max])) {
            uid, content in
            var hasher = SHA256()
            while true {
                let piece = try content.read(upTo: 1 << 20)
                if piece.isEmpty { break }
                hasher.update(data: piece)
            }
            result[uid] = Array(hasher.finalize())
        }
        return result
    }
}
