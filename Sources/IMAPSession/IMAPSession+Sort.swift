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
    ///
    /// Each criterion first becomes one number per message (texts become their rank among the texts,
    /// equal texts equal ranks), so that the sort itself compares integers only.
    static func sortOrder(_ info: [SortInfo], _ criteria: [SortCriterion]) -> [Int] {
        let width = criteria.count
        var matrix = [Int64](repeating: 0, count: info.count * width)
        for (column, criterion) in criteria.enumerated() {
            let values: [Int64]
            switch criterion.key {
            case .arrival: values = info.map(\.arrival)
            case .size: values = info.map { Int64($0.size) }
            case .date: values = info.map { $0.keys.sentDate ?? $0.arrival }
            case .subject: values = ranks(info.map(\.keys.subject))
            case .from: values = ranks(info.map(\.keys.from))
            case .to: values = ranks(info.map(\.keys.to))
            case .cc: values = ranks(info.map(\.keys.cc))
            case .displayFrom: values = ranks(info.map(\.keys.displayFrom))
            case .displayTo: values = ranks(info.map(\.keys.displayTo))
            }
            for (row, value) in values.enumerated() {
                matrix[row * width + column] = criterion.reverse ? -value : value
            }
        }
        let sequence = info.map(\.seq)
        return info.indices.sorted { a, b in
            for column in 0..<width {
                let x = matrix[a * width + column]
                let y = matrix[b * width + column]
                if x != y { return x < y }
            }
            return sequence[a] < sequence[b]
        }
    }

    /// Each text's rank in octet order (RFC 5051's comparison of the folded forms); equal texts share one.
    static func ranks(_ texts: [[UInt8]]) -> [Int64] {
        let order = texts.indices.sorted { texts[$0].lexicographicallyPrecedes(texts[$1]) }
        var ranks = [Int64](repeating: 0, count: texts.count)
        var rank: Int64 = 0
        for (position, index) in order.enumerated() {
            if position > 0 && texts[index] != texts[order[position - 1]] { rank += 1 }
            ranks[index] = rank
        }
        return ranks
    }
}
