import IMAPWire

/// UIDONLY (RFC 9586): after ENABLE UIDONLY a session speaks of messages by UID alone. Commands that
/// name messages by sequence number are refused with BAD [UIDREQUIRED] (§3.2), FETCH responses become
/// UIDFETCH responses numbered by UID (§3.3), and expunges are reported by VANISHED (§3.4, as under
/// QRESYNC).
extension IMAPSession {
    /// RFC 9586 §3.2: the commands and arguments that use message sequence numbers: FETCH, STORE, COPY,
    /// MOVE, SEARCH, SORT and THREAD without UID, a sequence-set search key in any search, and the
    /// known-sequence-set of a QRESYNC SELECT. REPLACE by number is refused where it is framed.
    static func usesSequenceNumbers(_ command: Command) -> Bool {
        switch command {
        case .fetch(_, _, _, let uid), .store(_, _, _, let uid), .copy(_, _, let uid), .move(_, _, let uid):
            return !uid
        case .search(let search): return !search.uid || namesSequenceNumbers(search.key)
        case .sort(let sort): return !sort.uid || namesSequenceNumbers(sort.key)
        case .thread(let thread): return !thread.uid || namesSequenceNumbers(thread.key)
        case .select(_, let parameters), .examine(_, let parameters):
            return parameters.contains {
                if case .qresync(let qresync) = $0 { qresync.sequenceMatch != nil } else { false }
            }
        default: return false
        }
    }

    /// Whether `key` has a sequence-set key anywhere in it.
    static func namesSequenceNumbers(_ key: SearchKey) -> Bool {
        switch key {
        case .sequenceSet: true
        case .not(let inner): namesSequenceNumbers(inner)
        case .or(let a, let b): namesSequenceNumbers(a) || namesSequenceNumbers(b)
        case .and(let keys): keys.contains(where: namesSequenceNumbers)
        default: false
        }
    }

    /// The refusal of RFC 9586 §3.2.
    func refuseSequenceNumbers(_ tag: String) {
        tagged(tag, .bad, code: .uidRequired, text: "UIDONLY is enabled: name messages by UID")
    }

    /// RFC 9586 §3.3: `* uid UIDFETCH (...)` for a FETCH response that carries the message's UID (every
    /// one this server sends in a UID command or as an update does). The UID item stays: a response
    /// asking for nothing else still has an item, as msg-att requires. Others are returned as they are.
    static func uidFetch(_ response: FetchResponse) -> FetchResponse {
        guard !response.uidFetch else { return response }
        for attribute in response.attributes {
            if case .uid(let uid) = attribute {
                return FetchResponse(sequenceNumber: uid, attributes: response.attributes, uidFetch: true)
            }
        }
        return response
    }
}
