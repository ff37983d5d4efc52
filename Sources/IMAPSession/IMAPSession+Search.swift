import IMAPWire
import MIME
import MailStore
import NIOCore

/// SEARCH and UID SEARCH (RFC 9051 §6.4.4; RFC 3501 §7.2.5 for the `* SEARCH` answer; RFC 4731 RETURN).
extension IMAPSession {
    static let supportedCharsets = ["US-ASCII", "UTF-8"]
    /// Messages examined per store read.
    static let searchBatch = 1024

    func search(_ tag: String, _ command: SearchCommand) async -> ResumeDirective {
        guard let view = selected else { return .next }
        // RFC 5182 §2.1: a SEARCH with the SAVE result option that answers NO empties `$`.
        let saves = command.returnOptions?.contains(.save) == true
        if let charset = command.charset, !Self.supportedCharsets.contains(charset.uppercased()) {
            if saves { state.updateSelected { $0.savedSearch = [] } }
            tagged(tag, .no, code: .badCharset(Self.supportedCharsets), text: "Unsupported charset")
            return .next
        }
        // RFC 9051 Appendix E: IMAP4rev2 has no \Recent, and RECENT, NEW and OLD are not search keys.
        if extensions.rev2 && Self.usesRecent(command.key) {
            if saves { state.updateSelected { $0.savedSearch = [] } }
            tagged(tag, .bad, text: "RECENT, NEW and OLD are not IMAP4rev2 search keys")
            return .next
        }
        do {
            let (hits, hitModSeqs) = try await searchHits(command.key, in: view)
            let usesModSeq = Self.usesModSeq(command.key)
            let numbers = hits.map { command.uid ? UInt32($0.uid) : UInt32($0.seq) }
            if let options = command.returnOptions, options.contains(.save) {
                // RFC 5182 §2.4: with MIN and/or MAX but neither ALL nor COUNT, only those are saved.
                var saved = hits.map(\.uid)
                if !options.contains(.all) && !options.contains(.count)
                    && (options.contains(.min) || options.contains(.max))
                {
                    saved = [options.contains(.min) ? saved.first : nil, options.contains(.max) ? saved.last : nil]
                        .compactMap { $0 }
                }
                state.updateSelected { $0.savedSearch = Array(Set(saved)).sorted() }
            }
            // IMAP4rev2 answers every SEARCH with ESEARCH (RFC 9051 §7.3.4); no RETURN means ALL.
            if let options = command.returnOptions ?? (extensions.rev2 ? [.all] : nil) {
                let shown = options.filter { $0 != .save }
                // RETURN () means ALL; RETURN (SAVE) alone prints nothing (RFC 5182 §2.1).
                if !(shown.isEmpty && command.partial == nil && options.contains(.save)) {
                    let returned = shown.isEmpty && command.partial == nil ? [.all] : shown
                    let modSeq =
                        usesModSeq
                        ? Self.highestModSeq(
                            of: Self.returnedHits(hits, returned, partial: command.partial), in: hitModSeqs) : nil
                    writeESearch(
                        tag: tag, numbers: numbers, options: returned, partial: command.partial, uid: command.uid,
                        modSeq: modSeq)
                }
            } else {
                // RFC 7162 §3.1.5: a search with MODSEQ reports the highest MODSEQ of what matched.
                let modSeq = usesModSeq ? Self.highestModSeq(of: hits, in: hitModSeqs) : nil
                send(.search(SearchResponse(numbers: numbers, modSeq: modSeq)))
            }
            await reportUpdates(allowExpunge: command.uid)
            tagged(tag, .ok, text: command.uid ? "UID SEARCH completed" : "SEARCH completed")
        } catch {
            if saves { state.updateSelected { $0.savedSearch = [] } }
            fail(tag, error, command: "SEARCH")
        }
        return .next
    }

    /// The messages of the selected mailbox that match `key`, ascending, with each hit's MODSEQ when the
    /// key has a MODSEQ term (RFC 7162 §3.1.5 reports it). Shared by SEARCH, SORT and THREAD.
    func searchHits(
        _ key: SearchKey, in view: SelectedMailbox
    ) async throws -> (hits: [(seq: Int, uid: UID)], modSeqs: [UID: ModSeq]) {
        var evaluator = SearchEvaluator(messageCount: view.count, lastUID: view.lastUID ?? 0)
        evaluator.savedSearch = Set(view.savedSearch)
        let needsContent = SearchEvaluator.needsContent(key)
        var hits: [(seq: Int, uid: UID)] = []
        // Each hit's MODSEQ, when the search has a MODSEQ key (RFC 7162 §3.1.5 reports it).
        var hitModSeqs: [UID: ModSeq] = [:]
        let usesModSeq = Self.usesModSeq(key)
        let prefilter = SearchEvaluator.flagPrefilter(key)
        // Flag keys only (UNSEEN, FLAGGED UNDELETED, ...): these flag terms are the whole search.
        let flagsOnly = SearchEvaluator.isFlagsOnly(key)
        let terms = SearchEvaluator.flagTerms(key)
        let conflicting = !terms.with.isDisjoint(with: terms.without)
        if flagsOnly, let first = view.uids.first, let last = view.uids.last {
            // The answer is the UIDs with those flags: from memory when the flags are there already (a
            // FETCH FLAGS came first), else from the store.
            let uids: [UID]
            if conflicting {
                uids = []
            } else if let cache = try await cachedFlagIndex() {
                uids = cache.uids(with: terms.with, without: terms.without)
            } else {
                uids = try await store.uids(
                    account: accountID, mailbox: view.id, uids: UIDSet(ranges: [first...last]),
                    with: terms.with, without: terms.without)
            }
            // Both ascending: one walk gives the sequence numbers (messages not in the view are not hits).
            var index = 0
            for uid in uids {
                while index < view.uids.count && view.uids[index] < uid { index += 1 }
                if index < view.uids.count && view.uids[index] == uid { hits.append((index + 1, uid)) }
            }
        } else {
            // The messages to evaluate: those the full-text index leaves as candidates, or all.
            let examined = try await indexCandidates(key, in: view, needsContent: needsContent) ?? view.uids
            let narrowed = examined.count < view.uids.count
            // In batches: each store read stays small, memory stays bounded on a big mailbox, and
            // other sessions get their turn between batches.
            for start in stride(from: 0, to: examined.count, by: Self.searchBatch) {
                let batch = examined[start..<min(start + Self.searchBatch, examined.count)]
                let metas = try await store.messages(
                    account: accountID, mailbox: view.id,
                    uids: narrowed ? UIDSet(batch) : UIDSet(ranges: [batch.first!...batch.last!]),
                    with: prefilter.with, without: prefilter.without)
                if needsContent {
                    // Reading messages: in parallel (see `ContentSearch`).
                    let candidates = metas.compactMap { meta in
                        view.sequenceNumber(of: meta.uid).map {
                            ContentSearch.Candidate(
                                sequenceNumber: $0, meta: meta, recent: view.recent.contains(meta.uid))
                        }
                    }
                    let search = ContentSearch(
                        store: store, account: accountID, mailbox: view.id, key: key,
                        evaluator: evaluator)
                    for hit in try await search.matches(candidates) {
                        hits.append((hit.sequenceNumber, hit.uid))
                        if usesModSeq { hitModSeqs[hit.uid] = hit.modSeq }
                    }
                    continue
                }
                for meta in metas {
                    guard let seq = view.sequenceNumber(of: meta.uid) else { continue }
                    let message = SearchEvaluator.Message(
                        sequenceNumber: seq, meta: meta, recent: view.recent.contains(meta.uid), content: nil)
                    if evaluator.matches(key, message) {
                        hits.append((seq, meta.uid))
                        if usesModSeq { hitModSeqs[meta.uid] = meta.modSeq }
                    }
                }
                if start + Self.searchBatch < examined.count { await Task.yield() }
            }
        }
        // Ascending (a parallel content search may have found them in another order).
        hits.sort { $0.seq < $1.seq }
        return (hits, hitModSeqs)
    }

    /// The UIDs of the view that the store's full-text index leaves as candidates for `key`'s strings,
    /// ascending; nil when it cannot narrow (no index, no string of at least three characters that every
    /// match must contain). Every candidate is still evaluated with the exact rule (RFC 9051 §6.4.4).
    private func indexCandidates(
        _ key: SearchKey, in view: SelectedMailbox, needsContent: Bool
    ) async throws -> [UID]? {
        guard needsContent, let first = view.uids.first, let last = view.uids.last else {
            return nil
        }
        let terms = SearchDocument.requiredTerms(key)
        guard !terms.isEmpty else { return nil }
        guard
            let candidates = try await store.searchCandidates(
                account: accountID, mailbox: view.id, uids: UIDSet(ranges: [first...last]), terms: terms)
        else { return nil }
        return candidates.filter { view.sequenceNumber(of: $0) != nil }
    }

    /// `* ESEARCH (TAG "t") [UID] MIN n MAX n COUNT n ALL set PARTIAL (range set)` (RFC 4731 §3.1,
    /// RFC 9394 §3.1). `numbers` are in result order: ascending for SEARCH; in sort order for SORT
    /// (`sorted`), where MIN and MAX are the first and last in that order and ALL keeps it (RFC 5267 §3.2).
    func writeESearch(
        tag: String, numbers: [UInt32], options: [SearchReturnOption], partial: SearchPartialRange? = nil,
        uid: Bool, modSeq: ModSeq?, sorted: Bool = false
    ) {
        var response = ESearchResponse(tag: tag, uid: uid, modSeq: modSeq)
        if options.contains(.min) { response.min = sorted ? numbers.first : numbers.min() }
        if options.contains(.max) { response.max = sorted ? numbers.last : numbers.max() }
        if options.contains(.count) { response.count = numbers.count }
        if options.contains(.all) && !numbers.isEmpty {
            response.all = sorted ? Self.sequenceSet(ordered: numbers) : Self.sequenceSet(UIDSet(numbers).ranges)
        }
        if let partial {
            let selected = Array(numbers[partial.indices(count: numbers.count)])
            response.partial = ESearchPartial(
                range: partial, set: selected.isEmpty ? nil : Self.sequenceSet(ordered: selected))
        }
        send(.esearch(response))
    }

    /// The hits an ESEARCH answer returns (RFC 4731 §3.2 with RFC 7162 §3.1.5): all of them with ALL
    /// or COUNT; otherwise only the ones MIN, MAX and PARTIAL name.
    static func returnedHits(
        _ hits: [(seq: Int, uid: UID)], _ options: [SearchReturnOption], partial: SearchPartialRange? = nil
    ) -> [(seq: Int, uid: UID)] {
        if options.contains(.all) || options.contains(.count) { return hits }
        var returned: [(seq: Int, uid: UID)] = []
        if options.contains(.min), let first = hits.first { returned.append(first) }
        if options.contains(.max), let last = hits.last { returned.append(last) }
        if let partial { returned += hits[partial.indices(count: hits.count)] }
        return returned
    }

    /// The highest MODSEQ of `hits`; nil when there are none (then no MODSEQ is reported).
    static func highestModSeq(of hits: [(seq: Int, uid: UID)], in modSeqs: [UID: ModSeq]) -> ModSeq? {
        hits.compactMap { modSeqs[$0.uid] }.max()
    }

    static func usesRecent(_ key: SearchKey) -> Bool {
        switch key {
        case .recent, .new, .old: return true
        case .not(let inner): return usesRecent(inner)
        case .or(let a, let b): return usesRecent(a) || usesRecent(b)
        case .and(let keys): return keys.contains(where: usesRecent)
        default: return false
        }
    }

    static func usesModSeq(_ key: SearchKey) -> Bool {
        switch key {
        case .modSeq: return true
        case .not(let inner): return usesModSeq(inner)
        case .or(let a, let b): return usesModSeq(a) || usesModSeq(b)
        case .and(let keys): return keys.contains(where: usesModSeq)
        default: return false
        }
    }
}
