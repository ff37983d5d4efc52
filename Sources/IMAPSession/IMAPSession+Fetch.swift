import Foundation
import IMAPWire
import MIME
import MailStore
import NIOCore

/// FETCH and UID FETCH (RFC 9051 §6.4.5, §7.5.2; RFC 3501 §6.4.5 for the RFC822.* items).
extension IMAPSession {
    func fetch(
        _ tag: String, _ set: SequenceSet, _ attributes: [FetchAttribute], modifiers: [FetchModifier], uid: Bool
    )
        async -> ResumeDirective
    {
        guard let view = selected else { return .next }
        var changedSince: ModSeq?
        var vanished = false
        var partial: SearchPartialRange?
        for modifier in modifiers {
            switch modifier {
            case .changedSince(let value): changedSince = value
            case .vanished: vanished = true
            case .partial(let range): partial = range
            }
        }
        // RFC 9394 §4 pages the messages the set names; paging what CHANGEDSINCE leaves is not offered.
        if partial != nil && changedSince != nil {
            tagged(tag, .bad, text: "PARTIAL cannot be combined with CHANGEDSINCE")
            return .next
        }
        // RFC 7162 §3.2.6: VANISHED needs QRESYNC, UID FETCH and CHANGEDSINCE.
        if vanished && !(extensions.qresync && uid && changedSince != nil) {
            tagged(tag, .bad, text: "VANISHED needs QRESYNC enabled, UID FETCH and CHANGEDSINCE")
            return .next
        }
        guard var pairs = resolveOrReject(tag, set, uid: uid) else { return .next }
        if let partial { pairs = Array(pairs[partial.indices(count: pairs.count)]) }
        var items = attributes
        if uid && !items.contains(.uid) { items.insert(.uid, at: 0) }
        // CHANGEDSINCE implies MODSEQ (RFC 7162 §3.1.4.1). Unsolicited FETCH responses carry MODSEQ once
        // CONDSTORE is on (`modSeqItem`); a FETCH the client asked for returns what it asked for.
        if changedSince != nil && !items.contains(.modSeq) {
            items.append(.modSeq)
        }
        let needsContent = items.contains { Self.needsContent($0) }
        let partialRange = Self.partialWholeMessage(items)
        let needsStructure = items.contains { Self.needsStructure($0) }
        let renderedOnly = needsStructure && Self.renderingSuffices(items)
        let setsSeen = !view.readOnly && items.contains { Self.setsSeen($0) }
        do {
            if vanished, let since = changedSince {
                try await writeVanishedEarlier(set: set, since: since)
            }
            // BINARY of a part with an unknown transfer encoding fails the whole command (RFC 3516 §4.3),
            // so it is found before anything changes (no implicit \Seen for a failed FETCH).
            let binaryPaths = items.compactMap(Self.binaryPath)
            if !binaryPaths.isEmpty, try await hasUnknownEncoding(pairs, binaryPaths) {
                tagged(tag, .no, code: .other("UNKNOWN-CTE", nil), text: "Unknown Content-Transfer-Encoding")
                return .next
            }
            var missing = false
            // Flags only (a client's resynchronisation, `UID FETCH 1:* (FLAGS)`): from memory. With
            // ENVELOPE, BODY or BODYSTRUCTURE too: from memory and the stored renderings.
            let flagsOnly = Self.flagCacheSuffices(items)
            let rendered = !needsContent && Self.renderingsAndFlagCacheSuffice(items)
            let cache = flagsOnly || rendered ? try await currentFlagIndex() : nil
            if flagsOnly, let cache {
                missing =
                    await writeFetchFromMemory(
                        pairs[...], items: items, cache: cache, renderings: nil, changedSince: changedSince) ?? false
            }
            // Whole messages (or ranges of them) with UID, FLAGS or MODSEQ, typically a client opening a
            // message: the metadata from the flag cache when it is loaded, the size from the opened file.
            let metaCache =
                !flagsOnly && needsContent && !needsStructure
                    && Self.flagCacheSuffices(items.filter { !Self.needsContent($0) })
                ? try await cachedFlagIndex() : nil
            // In batches: each store read stays small, memory stays bounded on a big mailbox, and other
            // sessions get their turn between batches.
            for start in stride(from: 0, to: flagsOnly && cache != nil ? 0 : pairs.count, by: Self.fetchBatch) {
                let slice = pairs[start..<min(start + Self.fetchBatch, pairs.count)]
                if rendered, let cache {
                    let renderings = try await store.derivedTexts(
                        account: accountID, mailbox: view.id, uids: UIDSet(slice.map(\.uid)))
                    if let lost = await writeFetchFromMemory(
                        slice, items: items, cache: cache, renderings: renderings, changedSince: changedSince)
                    {
                        missing = missing || lost
                        if start + Self.fetchBatch < pairs.count { await Task.yield() }
                        continue
                    }
                }
                let batch = Array(slice)
                var metas: [UID: MessageMeta] = [:]
                metas.reserveCapacity(batch.count)
                if let metaCache {
                    for (_, messageUID) in batch {
                        guard let i = metaCache.position(of: messageUID) else { continue }
                        metas[messageUID] = MessageMeta(
                            uid: messageUID, modSeq: metaCache.modSeqs[i], flags: metaCache.flags[i],
                            internalDate: .distantPast, size: Self.sizeFromContent)
                    }
                } else {
                    for meta in try await store.messages(
                        account: accountID, mailbox: view.id, uids: UIDSet(batch.map(\.uid)))
                    {
                        metas[meta.uid] = meta
                    }
                }
                // Expunged by another session and not reported here yet: still readable (RFC 2180 §4.1.1).
                for (_, messageUID) in batch where metas[messageUID] == nil {
                    if let kept = retainedMessage(messageUID) { metas[messageUID] = kept.meta }
                }
                var batchPairs = batch
                if let since = changedSince {
                    batchPairs = batch.filter { metas[$0.uid].map { $0.modSeq > since } ?? false }
                }
                var structures: [UID: ParsedMessage] = [:]
                var renderings: [UID: RenderedStructure] = [:]
                if renderedOnly {
                    renderings = try await storedRenderings(batchPairs.map(\.uid))
                    let unrendered = batchPairs.map(\.uid).filter { renderings[$0] == nil }
                    if !unrendered.isEmpty { structures = try await storedStructures(unrendered) }
                } else if needsStructure {
                    structures = try await storedStructures(batchPairs.map(\.uid))
                }
                // Implicit \Seen (RFC 9051 §6.4.5, BODY[]): committed before these messages are reported,
                // and FLAGS is then returned for them even when not asked for.
                var seenNow: Set<UID> = []
                if setsSeen {
                    let unseen = batchPairs.compactMap { metas[$0.uid] }.filter { !$0.flags.system.contains(.seen) }
                        .map(\.uid)
                    if !unseen.isEmpty {
                        let result = try await store.store(
                            account: accountID, mailbox: view.id, uids: UIDSet(unseen), operation: .add,
                            flags: MessageFlags(system: .seen), unchangedSince: nil)
                        for update in result.updated {
                            metas[update.uid]?.flags = update.flags
                            metas[update.uid]?.modSeq = update.modSeq
                            state.updateSelected { $0.reported[update.uid] = update.modSeq }
                            seenNow.insert(update.uid)
                        }
                    }
                }
                // A keyword another session set since the last FLAGS response is announced before a
                // FETCH shows it (RFC 9051 §7.3.5).
                announceKeywords(batchPairs.compactMap { metas[$0.uid]?.flags })
                for (seq, messageUID) in batchPairs {
                    guard let meta = metas[messageUID] else {
                        missing = true
                        continue
                    }
                    var message = FetchedMessage(
                        bytes: nil, structure: structures[messageUID], rendered: renderings[messageUID])
                    let hasStructure = message.structure != nil || message.rendered != nil
                    var itemsOut = items
                    if seenNow.contains(messageUID) {
                        if !itemsOut.contains(.flags) { itemsOut.append(.flags) }
                        // RFC 7162 §3.1: a FETCH that set \Seen reports UID and MODSEQ once CONDSTORE is on.
                        if extensions.condstore && !itemsOut.contains(.uid) { itemsOut.append(.uid) }
                        if extensions.condstore && !itemsOut.contains(.modSeq) { itemsOut.append(.modSeq) }
                    }
                    var opened: MessageContent?
                    var size = meta.size
                    if size == Self.sizeFromContent {
                        guard let content = try await content(of: messageUID, opened: nil) else {
                            missing = true
                            continue
                        }
                        opened = content
                        size = content.size
                    }
                    if size > Self.streamThreshold, !needsStructure || hasStructure,
                        let index = Self.streamedItemIndex(itemsOut)
                    {
                        let sent = try await streamFetchResponse(
                            seq: seq, meta: meta, message: message, items: itemsOut, streamed: index, content: opened)
                        if !sent { missing = true }
                        continue
                    }
                    if needsContent || (needsStructure && !hasStructure) {
                        guard let content = try await content(of: messageUID, opened: opened) else {
                            missing = true
                            continue
                        }
                        if let range = partialRange, size > Self.partialReadThreshold {
                            // Only the range of a large message (RFC 9051 §6.4.5 partial): a client
                            // downloading it in pieces does not make the server read it whole each time.
                            try content.skip(Int(range.offset))
                            message.offset = Int(range.offset)
                            message.bytes = try await content.readOffThread(upTo: Int(range.length))
                        } else {
                            message.bytes = try await content.readAll()
                        }
                        if needsStructure && message.structure == nil {
                            message.structure = await parseAndKeep(message.bytes!, uid: messageUID)
                        }
                    }
                    guard writeFetchResponse(seq: seq, meta: meta, message: message, items: itemsOut) else {
                        // RFC 3516 §4.3: BINARY of a part whose transfer encoding is unknown.
                        await reportUpdates(allowExpunge: uid)
                        tagged(tag, .no, code: .other("UNKNOWN-CTE", nil), text: "Unknown Content-Transfer-Encoding")
                        return .next
                    }
                    await flushIfLarge()
                }
                if start + Self.fetchBatch < pairs.count { await Task.yield() }
            }
            await reportUpdates(allowExpunge: uid)
            if missing {
                tagged(tag, .no, code: .expungeIssued, text: "Some messages were expunged meanwhile")
            } else {
                tagged(tag, .ok, text: uid ? "UID FETCH completed" : "FETCH completed")
            }
        } catch {
            // A message file that failed in the middle of its literal: the response cannot be ended.
            if error is ClientGone {
                logger.debug("FETCH: the client left during a streamed message")
                return .close
            }
            if streamFailed {
                logger.error("FETCH: message stream failed: \(error)")
                return .close
            }
            fail(tag, error, command: "FETCH")
        }
        return .next
    }

    /// Messages answered per store read.
    static let fetchBatch = 512
    /// `MessageMeta.size` of metadata taken from the flag cache: the size is the opened file's.
    static let sizeFromContent = -1
    /// Above this size, a partial FETCH of the whole message reads only its range.
    static let partialReadThreshold = 64 * 1024

    /// The range, when the only item that needs the message's bytes is `BODY[]<offset.length>` (or
    /// BODY.PEEK) of the whole message: then only that range needs reading.
    static func partialWholeMessage(_ items: [FetchAttribute]) -> PartialRange? {
        var range: PartialRange?
        for item in items where needsContent(item) {
            guard case .bodySection(_, let section, let partial?) = item, range == nil,
                section.part.isEmpty && section.kind == .complete
            else { return nil }
            range = partial
        }
        return range
    }

    /// Whether a BINARY part of one of the messages has a transfer encoding we cannot decode.
    private func hasUnknownEncoding(_ pairs: [(seq: Int, uid: UID)], _ paths: [[Int]]) async throws -> Bool {
        guard let view = selected else { return false }
        for start in stride(from: 0, to: pairs.count, by: Self.fetchBatch) {
            let uids = pairs[start..<min(start + Self.fetchBatch, pairs.count)].map(\.uid)
            var structures = try await storedStructures(uids)
            for messageUID in uids {
                if structures[messageUID] == nil,
                    let content = try await store.openContent(account: accountID, mailbox: view.id, uid: messageUID)
                {
                    structures[messageUID] = await parseAndKeep(try await content.readAll(), uid: messageUID)
                }
                guard let structure = structures[messageUID] else { continue }
                for path in paths where !path.isEmpty {
                    if case .unknown = structure.part(path)?.transferEncoding { return true }
                }
            }
        }
        return false
    }

    /// `* VANISHED (EARLIER) uids`: the UIDs of `set` expunged after `since` (RFC 7162 §3.2.6, §3.2.10).
    func writeVanishedEarlier(set: SequenceSet, since: ModSeq) async throws {
        guard let view = selected, case .ranges(let ranges) = set else { return }
        let changes = try await store.changes(account: accountID, mailbox: view.id, since: since)
        let highest = max(changes.uidNext, 1) - 1
        var wanted = UIDSet()
        for range in ranges {
            func value(_ n: SequenceNumber) -> UID {
                if case .number(let v) = n { return v }
                return highest
            }
            let a = value(range.first)
            let b = value(range.last)
            wanted.insert(min(a, b)...max(a, b))
        }
        let gone = UIDSet(changes.expunged.filter { wanted.contains($0) })
        guard !gone.isEmpty else { return }
        send(.vanished(earlier: true, uids: Self.sequenceSet(gone.ranges)))
    }

    /// `<offset.length>`: an offset past the end gives an empty string (RFC 9051 §6.4.5).
    static func slice(_ bytes: [UInt8], _ partial: PartialRange) -> [UInt8] {
        let start = min(Int(partial.offset), bytes.count)
        let end = min(start + Int(partial.length), bytes.count)
        return Array(bytes[start..<end])
    }

    static func needsContent(_ item: FetchAttribute) -> Bool {
        switch item {
        case .rfc822, .rfc822Header, .rfc822Text, .bodySection, .binary, .binarySize, .preview: return true
        default: return false
        }
    }

    static func needsStructure(_ item: FetchAttribute) -> Bool {
        switch item {
        case .envelope, .body, .bodyStructure, .binary, .binarySize, .rfc822Header, .rfc822Text, .preview: return true
        // Only the whole message needs no parse; every other section is found through the structure.
        case .bodySection(_, let section, _): return !(section.part.isEmpty && section.kind == .complete)
        default: return false
        }
    }

    static func binaryPath(_ item: FetchAttribute) -> [Int]? {
        switch item {
        case .binary(_, let part, _), .binarySize(let part): return part
        default: return nil
        }
    }

    static func setsSeen(_ item: FetchAttribute) -> Bool {
        switch item {
        case .rfc822, .rfc822Text: return true
        case .bodySection(let peek, _, _), .binary(let peek, _, _): return !peek
        default: return false
        }
    }
}
