import IMAPWire
import MIME
import MailStore

/// SORT, UID SORT (RFC 5256 §3, RFC 5957 SORT=DISPLAY, RFC 5267 §3 ESORT, RFC 9394 PARTIAL) and THREAD,
/// UID THREAD (RFC 5256 §2). The messages are those SEARCH would find for the same keys; what is
/// compared comes from `MessageSortKeys`, kept in the store.
extension IMAPSession {
    func sort(_ tag: String, _ command: SortCommand) async -> ResumeDirective {
        guard let view = selected else { return .next }
        guard checkCriteria(tag, charset: command.charset, key: command.key) else { return .next }
        do {
            let (hits, _) = try await searchHits(command.key, in: view)
            let info = try await sortInfo(hits, in: view, needsMeta: true)
            let order = Self.sortOrder(info, command.criteria)
            let numbers = order.map { command.uid ? UInt32(info[$0].uid) : UInt32(info[$0].seq) }
            if let options = command.returnOptions {
                // RETURN () means ALL (RFC 5267 §3.1 after RFC 4731 §3.1).
                let returned = options.isEmpty && command.partial == nil ? [.all] : options
                writeESearch(
                    tag: tag, numbers: numbers, options: returned, partial: command.partial, uid: command.uid,
                    modSeq: nil, sorted: true)
            } else {
                send(.sort(numbers))
            }
            await reportUpdates(allowExpunge: command.uid)
            tagged(tag, .ok, text: command.uid ? "UID SORT completed" : "SORT completed")
        } catch {
            fail(tag, error, command: "SORT")
        }
        return .next
    }

    func thread(_ tag: String, _ command: ThreadCommand) async -> ResumeDirective {
        guard let view = selected else { return .next }
        guard checkCriteria(tag, charset: command.charset, key: command.key) else { return .next }
        do {
            let (hits, _) = try await searchHits(command.key, in: view)
            let info = try await sortInfo(hits, in: view, needsMeta: true)
            let messages = info.map {
                Threader.Message(
                    sequenceNumber: $0.seq, number: command.uid ? UInt32($0.uid) : UInt32($0.seq), keys: $0.keys,
                    date: $0.keys.sentDate ?? $0.arrival)
            }
            let threads =
                switch command.algorithm {
                case .orderedSubject: Threader.orderedSubject(messages)
                case .references: Threader.references(messages)
                }
            send(.thread(threads))
            await reportUpdates(allowExpunge: command.uid)
            tagged(tag, .ok, text: command.uid ? "UID THREAD completed" : "THREAD completed")
        } catch {
            fail(tag, error, command: "THREAD")
        }
        return .next
    }

    /// The charset and keys checks SEARCH makes (RFC 5256 §3: "charset handling like SEARCH"); answers
    /// and returns false when they fail.
    private func checkCriteria(_ tag: String, charset: String, key: SearchKey) -> Bool {
        if !Self.supportedCharsets.contains(charset.uppercased()) {
            tagged(tag, .no, code: .badCharset(Self.supportedCharsets), text: "Unsupported charset")
            return false
        }
        if extensions.rev2 && Self.usesRecent(key) {
            tagged(tag, .bad, text: "RECENT, NEW and OLD are not IMAP4rev2 search keys")
            return false
        }
        return true
    }

    /// What SORT and THREAD compare for one hit.
    struct SortInfo: Sendable {
        var seq: Int
        var uid: UID
        var keys: MessageSortKeys
        /// The internal date, seconds since 1970.
        var arrival: Int64
        var size: Int
    }

    /// The sort keys of the hits (kept ones from the store; the others derived from the header and
    /// kept for next time), with each hit's internal date and size.
    func sortInfo(
        _ hits: [(seq: Int, uid: UID)], in view: SelectedMailbox, needsMeta: Bool
    ) async throws
        -> [SortInfo]
    {
        guard !hits.isEmpty else { return [] }
        let uids = UIDSet(hits.map(\.uid))
        let stored = try await store.sortKeys(account: accountID, mailbox: view.id, uids: uids)
        var keys: [UID: MessageSortKeys] = [:]
        keys.reserveCapacity(hits.count)
        for (uid, data) in stored {
            if let decoded = MessageSortKeys(stored: data) { keys[uid] = decoded }
        }
        let missing = hits.map(\.uid).filter { keys[$0] == nil }
        if !missing.isEmpty {
            var made: [UID: SortKeyData] = [:]
            let limit = IMAPLimits.default.maxSortHeaderBytes
            try await store.forEachContent(account: accountID, mailbox: view.id, uids: UIDSet(missing)) {
                uid, content in
                let derived = MessageSortKeys(header: try content.read(upTo: limit))
                keys[uid] = derived
                made[uid] = derived.stored
                if made.count >= Self.searchBatch {
                    try await store.setSortKeys(account: accountID, mailbox: view.id, made)
                    made = [:]
                }
            }
            if !made.isEmpty { try await store.setSortKeys(account: accountID, mailbox: view.id, made) }
        }
        var metas: [UID: MessageMeta] = [:]
        if needsMeta {
            for meta in try await store.messages(account: accountID, mailbox: view.id, uids: uids) {
                metas[meta.uid] = meta
            }
        }
        // A message expunged by another session meanwhile keeps empty keys: it still sorts, as SEARCH
        // still found it.
        return hits.map { hit in
            let meta = metas[hit.uid]
            return SortInfo(
                seq: hit.seq, uid: hit.uid, keys: keys[hit.uid] ?? MessageSortKeys(),
                arrival: meta.map { Int64($0.internalDate.timeIntervalSince1970.rounded(.down)) } ?? 0,
                size: meta?.size ?? 0)
        }
    }

    /// Indices of `info` in the order of `criteria`; equal messages in mailbox order (RFC 5256 §3).
    static func sortOrder(_ info: [SortInfo], _ criteria: [SortCriterion]) -> [Int] {
        info.indices.sorted { a, b in
            let x = info[a]
            let y = info[b]
            for criterion in criteria {
                let order = compare(x, y, criterion.key)
                if order != 0 { return criterion.reverse ? order > 0 : order < 0 }
            }
            return x.seq < y.seq
        }
    }

    /// -1, 0 or 1 as `x` sorts before, with or after `y` on `key`.
    static func compare(_ x: SortInfo, _ y: SortInfo, _ key: SortKey) -> Int {
        func order<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        func order(_ a: [UInt8], _ b: [UInt8]) -> Int {
            a == b ? 0 : (a.lexicographicallyPrecedes(b) ? -1 : 1)
        }
        switch key {
        case .arrival: return order(x.arrival, y.arrival)
        case .size: return order(x.size, y.size)
        case .date: return order(x.keys.sentDate ?? x.arrival, y.keys.sentDate ?? y.arrival)
        case .subject: return order(x.keys.subject, y.keys.subject)
        case .from: return order(x.keys.from, y.keys.from)
        case .to: return order(x.keys.to, y.keys.to)
        case .cc: return order(x.keys.cc, y.keys.cc)
        case .displayFrom: return order(x.keys.displayFrom, y.keys.displayFrom)
        case .displayTo: return order(x.keys.displayTo, y.keys.displayTo)
        }
    }
}
