import MailStore

/// One session's view of its selected mailbox (RFC 9051 §2.3.1.2): message sequence numbers are
/// positions in `uids` (sorted ascending), and change only when this session reports EXISTS or EXPUNGE.
///
/// Changes committed by other sessions are learned by asking the store what changed since
/// `knownModSeq`; expunges that may not be reported yet (during FETCH, STORE, SEARCH) wait in
/// `pendingExpunges`, and those messages keep their sequence numbers until then (RFC 2180 §4.1).
struct SelectedMailbox {
    let id: MailboxID
    let name: String
    let readOnly: Bool
    let uidValidity: UIDValidity
    private(set) var uids: [UID]
    var recent: Set<UID>
    var knownModSeq: ModSeq
    /// The change hub's generation for this mailbox when `knownModSeq` was last brought up to date.
    var hubGeneration: UInt64 = 0
    var pendingExpunges: Set<UID> = []
    /// The SEARCHRES result variable `$` (RFC 5182): UIDs, ascending; empty on a new selection.
    var savedSearch: [UID] = []
    /// Keywords announced in the last FLAGS response (RFC 9051 §7.3.5).
    var keywords: Set<String> = []
    /// This session's registration with the store's `ExpungeRetention`: messages expunged elsewhere stay
    /// readable until it has told the client (RFC 2180 §4.1.1). Released with the view.
    var retentionViewer: ExpungeRetention.Viewer?
    /// The MODSEQ up to which the viewer was last said to have told every expunge.
    var toldModSeq: ModSeq = 0
    /// MODSEQs this session already reported itself (STORE, implicit \Seen), so that the next poll does
    /// not report them again.
    var reported: [UID: ModSeq] = [:]

    init(snapshot: MailboxSnapshot, readOnly: Bool) {
        id = snapshot.info.id
        name = snapshot.info.name
        self.readOnly = readOnly
        uidValidity = snapshot.info.uidValidity
        uids = snapshot.uids
        recent = Set(snapshot.recentUIDs)
        knownModSeq = snapshot.info.highestModSeq
    }

    var count: Int { uids.count }

    /// Sequence number of a UID, or nil when it is not in the view.
    func sequenceNumber(of uid: UID) -> Int? {
        var lo = 0
        var hi = uids.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if uids[mid] == uid { return mid + 1 }
            if uids[mid] < uid { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }

    func uid(at sequenceNumber: Int) -> UID? {
        sequenceNumber >= 1 && sequenceNumber <= uids.count ? uids[sequenceNumber - 1] : nil
    }

    var lastUID: UID? { uids.last }

    /// Adds new UIDs (all above the current last one); returns how many were added.
    mutating func appendNew(_ newUIDs: [UID]) -> Int {
        var added = 0
        for uid in newUIDs where uid > (uids.last ?? 0) {
            uids.append(uid)
            added += 1
        }
        return added
    }

    /// Removes UIDs from the view; returns the sequence numbers to report, in the order EXPUNGE
    /// responses must be sent (each number is valid after the previous ones were applied).
    mutating func remove(_ removed: some Sequence<UID>) -> [Int] {
        let set = Set(removed)
        guard !set.isEmpty else { return [] }
        var numbers: [Int] = []
        var kept: [UID] = []
        kept.reserveCapacity(uids.count)
        for uid in uids {
            if set.contains(uid) {
                // Every earlier removal has already shifted this message down by one.
                numbers.append(kept.count + 1)
            } else {
                kept.append(uid)
            }
        }
        uids = kept
        for uid in set {
            recent.remove(uid)
            pendingExpunges.remove(uid)
            reported.removeValue(forKey: uid)
        }
        return numbers
    }
}
