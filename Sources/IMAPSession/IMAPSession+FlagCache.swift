import IMAPWire
import MailStore
import NIOCore

/// FETCH answered from a mailbox's flag index (`MailStore.flagIndex`, which an engine may hold in
/// memory) and, for ENVELOPE, BODY and BODYSTRUCTURE, the stored renderings: what a client's
/// resynchronisation (`UID FETCH 1:* (FLAGS)`) and a message list (`FETCH 1:* (ENVELOPE ...)`) ask.
extension IMAPSession {
    /// The selected mailbox's flag index. Nil when nothing is selected.
    func currentFlagIndex() async throws -> MailboxFlagIndex? {
        guard let id = selected?.id else { return nil }
        return try await store.flagIndex(account: accountID, mailbox: id)
    }

    /// The selected mailbox's flag index if the engine holds it in memory, else nil.
    func cachedFlagIndex() async throws -> MailboxFlagIndex? {
        guard let id = selected?.id else { return nil }
        return try await store.cachedFlagIndex(account: accountID, mailbox: id)
    }

    /// Whether a FETCH asks for nothing the flag index does not hold.
    static func flagCacheSuffices(_ items: [FetchAttribute]) -> Bool {
        items.allSatisfy { $0 == .uid || $0 == .flags || $0 == .modSeq }
    }

    /// Whether a FETCH asks for ENVELOPE, BODY or BODYSTRUCTURE and otherwise only for what the flag
    /// cache holds: then stored renderings and the cache answer it.
    static func renderingsAndFlagCacheSuffice(_ items: [FetchAttribute]) -> Bool {
        items.contains(where: isRendered) && flagCacheSuffices(items.filter { !isRendered($0) })
    }

    static func isRendered(_ item: FetchAttribute) -> Bool {
        item == .envelope || item == .body || item == .bodyStructure
    }

    /// `* n FETCH (UID u FLAGS (...) MODSEQ (m) ENVELOPE (...) ...)` for each message, items in the order
    /// asked, from the flag cache and, for ENVELOPE, BODY and BODYSTRUCTURE, from `renderings`; with
    /// `changedSince`, only messages whose MODSEQ is above it (RFC 7162 §3.1.4.1). Returns whether a
    /// message of the view was gone from the store (expunged by another session), or nil, having
    /// written nothing, when a message has no current rendering (the caller takes the general path).
    ///
    /// The bytes are the ones `writeFetchResponse` writes, made by IMAPWire's `FetchLinesWriter` and
    /// handed to the output every 64 KB; each distinct flag list is encoded once.
    func writeFetchFromMemory(
        _ pairs: ArraySlice<(seq: Int, uid: UID)>, items: [FetchAttribute], cache: MailboxFlagIndex,
        renderings: DerivedTextsBatch?, changedSince: ModSeq?
    ) async -> Bool? {
        let recent = extensions.rev2 ? [] : (selected?.recent ?? [])
        let uids = cache.uids
        let flags = cache.flags
        let modSeqs = cache.modSeqs
        // The rendering of each pair present in the cache, found before anything is written.
        var rendered: [DerivedTextsBatch.Entry?] = []
        if let renderings {
            rendered.reserveCapacity(pairs.count)
            var k = 0
            for (_, uid) in pairs {
                while k < renderings.entries.count && renderings.entries[k].uid < uid { k += 1 }
                if k < renderings.entries.count, renderings.entries[k].uid == uid,
                    Self.isCurrent(renderings.entries[k])
                {
                    rendered.append(renderings.entries[k])
                } else if cache.position(of: uid) != nil || retainedMessage(uid) != nil {
                    return nil
                } else {
                    rendered.append(nil)
                }
            }
        }
        // Without keywords, by the five system flag bits and \Recent; with keywords, by value.
        var plainLists = [[UInt8]](repeating: [], count: 64)
        var keywordLists: [FlagListKey: [UInt8]] = [:]
        func flagList(_ messageFlags: MessageFlags, recent isRecent: Bool) -> [UInt8] {
            let system = messageFlags.system.rawValue
            if messageFlags.keywords.isEmpty && system >= 0 && system < 32 {
                let key = system << 1 | (isRecent ? 1 : 0)
                if plainLists[key].isEmpty { plainLists[key] = Self.flagListBytes(messageFlags, recent: isRecent) }
                return plainLists[key]
            }
            let key = FlagListKey(flags: messageFlags, recent: isRecent)
            if let known = keywordLists[key] { return known }
            let list = Self.flagListBytes(messageFlags, recent: isRecent)
            keywordLists[key] = list
            return list
        }
        let wantsFlags = items.contains(.flags)
        var announced = selected?.keywords ?? []
        var checkedKeywords: Set<String> = []
        // Under UIDONLY (RFC 9586 §3.3) the lines are UIDFETCH responses numbered by UID.
        let uidFetch = extensions.uidOnly
        let lineItems = items.compactMap(FetchLinesWriter.Item.init)
        var missing = false
        var lines = FetchLinesWriter(capacity: Self.cachedFetchChunk)
        defer { lines.deallocate() }
        var j = 0
        for (n, (seq, uid)) in pairs.enumerated() {
            // Both ascending by UID: one walk.
            while j < uids.count && uids[j] < uid { j += 1 }
            guard j < uids.count && uids[j] == uid else {
                // Expunged by another session, not reported here yet: from what the store kept
                // (RFC 2180 §4.1.1), after the lines made so far.
                if let kept = retainedMessage(uid) {
                    if let since = changedSince, kept.meta.modSeq <= since { continue }
                    out.writeBytes(lines.written)
                    lines.reset()
                    if wantsFlags { announceKeywords([kept.meta.flags]) }
                    _ = writeFetchResponse(seq: seq, meta: kept.meta, message: FetchedMessage(bytes: nil), items: items)
                } else {
                    missing = true
                }
                continue
            }
            let modSeq = modSeqs[j]
            if let since = changedSince, modSeq <= since { continue }
            // Messages with the same keywords mostly share one set (see `MailboxFlagIndex`): checked once.
            if wantsFlags && !flags[j].keywords.isEmpty && flags[j].keywords != checkedKeywords
                && !flags[j].keywords.isSubset(of: announced)
            {
                // A keyword another session set since the last FLAGS response: announced first
                // (RFC 9051 §7.3.5), after the lines made so far.
                out.writeBytes(lines.written)
                lines.reset()
                announceKeywords([flags[j]])
                announced = selected?.keywords ?? announced
            }
            if wantsFlags { checkedKeywords = flags[j].keywords }
            let list = wantsFlags ? flagList(flags[j], recent: !recent.isEmpty && recent.contains(uid)) : []
            var structure: FetchLinesWriter.EncodedStructure?
            if let renderings, let entry = rendered[n] {
                structure = FetchLinesWriter.EncodedStructure(
                    bytes: renderings.bytes, envelope: renderings.range(entry, RenderedStructure.envelopeText),
                    body: renderings.range(entry, RenderedStructure.bodyText),
                    bodyStructure: renderings.range(entry, RenderedStructure.bodyStructureText))
            }
            let bound = FetchLinesWriter.bound(items: lineItems, flags: list.count, structure: structure)
            if lines.count + bound > lines.capacity {
                out.writeBytes(lines.written)
                lines.reset()
                // Sent at once: the client reads the first responses while the rest are made.
                await flush()
            }
            if bound > lines.capacity {
                // A huge keyword list or structure: this line alone, through the general writer.
                let meta = MessageMeta(
                    uid: uid, modSeq: modSeq, flags: flags[j], internalDate: .distantPast, size: 0)
                var message = FetchedMessage(bytes: nil)
                if let entry = renderings == nil ? nil : rendered[n], let renderings {
                    message.rendered = RenderedStructure(renderings.texts(entry))
                }
                _ = writeFetchResponse(seq: seq, meta: meta, message: message, items: items)
                continue
            }
            lines.writeLine(
                items: lineItems, sequenceNumber: UInt32(seq), uid: uid, modSeq: modSeq, flags: list,
                structure: structure, uidFetch: uidFetch)
        }
        out.writeBytes(lines.written)
        return missing
    }

    /// The flag-list of a FETCH FLAGS item, as IMAPWire's encoder writes it.
    static func flagListBytes(_ flags: MessageFlags, recent: Bool) -> [UInt8] {
        ResponseEncoder().encodeValue(wireFlags(flags, recent: recent))
    }

    /// Bytes of FETCH responses built locally before they go to the output.
    static let cachedFetchChunk = 64 * 1024
}

private struct FlagListKey: Hashable {
    var flags: MessageFlags
    var recent: Bool
}
