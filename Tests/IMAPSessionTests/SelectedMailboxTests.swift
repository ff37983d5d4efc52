import MailStore
import Testing

@testable import IMAPSession

@Suite struct SelectedMailboxTests {
    func view(_ uids: [UID]) -> SelectedMailbox {
        let info = MailboxInfo(
            id: 1, name: "INBOX", uidValidity: 7, uidNext: (uids.last ?? 0) + 1, highestModSeq: 1,
            specialUse: nil, isNoSelect: false)
        return SelectedMailbox(snapshot: MailboxSnapshot(info: info, uids: uids, recentUIDs: []), readOnly: false)
    }

    @Test func sequenceNumbersAreOneBasedPositions() {
        let v = view([3, 5, 9])
        #expect(v.sequenceNumber(of: 3) == 1)
        #expect(v.sequenceNumber(of: 9) == 3)
        #expect(v.sequenceNumber(of: 4) == nil)
        #expect(v.uid(at: 2) == 5)
        #expect(v.uid(at: 0) == nil)
        #expect(v.uid(at: 4) == nil)
    }

    /// RFC 9051 §7.5.1: each EXPUNGE is numbered after the previous ones took effect.
    @Test func expungeNumbersShiftAsTheyAreApplied() {
        var v = view([10, 11, 12, 13, 14])
        #expect(v.remove([11, 12, 14]) == [2, 2, 3])
        #expect(v.uids == [10, 13])
    }

    @Test func appendNewIgnoresOldOrKnownUIDs() {
        var v = view([1, 2])
        #expect(v.appendNew([2, 3, 4]) == 2)
        #expect(v.uids == [1, 2, 3, 4])
        #expect(v.appendNew([1]) == 0)
    }

    @Test func removingClearsPendingAndReported() {
        var v = view([1, 2, 3])
        v.pendingExpunges = [2]
        v.reported[2] = 5
        _ = v.remove([2])
        #expect(v.pendingExpunges.isEmpty)
        #expect(v.reported.isEmpty)
    }
}
