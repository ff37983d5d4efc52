import MailStore
import MailStoreConformance
import Testing

/// Every check of the conformance suite (`MailStoreConformance`) on every engine (`Engine`), each on a
/// fresh store.
@Suite struct ConformanceTests {
    @Test(arguments: Engine.allCases) func metadataEntries(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.metadataEntries)
    }

    @Test(arguments: Engine.allCases) func metadataFollowsMailbox(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.metadataFollowsMailbox)
    }

    @Test(arguments: Engine.allCases) func metadataLimits(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.metadataLimits)
    }

    @Test(arguments: Engine.allCases) func metadataUnderConcurrentWriters(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.metadataUnderConcurrentWriters)
    }

    @Test(arguments: Engine.allCases) func sortKeys(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.sortKeys)
    }

    @Test(arguments: Engine.allCases) func importLedger(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.importLedger)
    }

    @Test(arguments: Engine.allCases) func importLedgerRefusals(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.importLedgerRefusals)
    }

    @Test(arguments: Engine.allCases) func sieveScripts(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.sieveScripts)
    }

    @Test(arguments: Engine.allCases) func sieveScriptLimits(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.sieveScriptLimits)
    }

    @Test(arguments: Engine.allCases) func sieveTracking(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.sieveTracking)
    }

    @Test(arguments: Engine.allCases) func sieveTrackingBound(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.sieveTrackingBound)
    }

    @Test(arguments: Engine.allCases) func appPasswords(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.appPasswords)
    }

    @Test(arguments: Engine.allCases) func quotaUsage(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.quotaUsage)
    }

    @Test(arguments: Engine.allCases) func quotaEnforced(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.quotaEnforced)
    }

    @Test(arguments: Engine.allCases) func quotaUnderConcurrentWriters(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.quotaUnderConcurrentWriters)
    }

    @Test(arguments: Engine.allCases) func accounts(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.accounts)
    }

    @Test(arguments: Engine.allCases) func defaultMailboxes(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.defaultMailboxes)
    }

    @Test(arguments: Engine.allCases) func isolation(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.isolation)
    }

    @Test(arguments: Engine.allCases) func isolationOfEveryCall(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.isolationOfEveryCall)
    }

    @Test(arguments: Engine.allCases) func createMailboxes(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.createMailboxes)
    }

    @Test(arguments: Engine.allCases) func deleteMailboxes(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.deleteMailboxes)
    }

    @Test(arguments: Engine.allCases) func renameMailboxes(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.renameMailboxes)
    }

    @Test(arguments: Engine.allCases) func renameInbox(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.renameInbox)
    }

    @Test(arguments: Engine.allCases) func subscriptions(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.subscriptions)
    }

    @Test(arguments: Engine.allCases) func placeholderRefusesMessageCalls(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.placeholderRefusesMessageCalls)
    }

    @Test(arguments: Engine.allCases) func uidValidityNeverReused(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.uidValidityNeverReused)
    }

    @Test(arguments: Engine.allCases) func accountRemovalIsWatched(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.accountRemovalIsWatched)
    }

    @Test(arguments: Engine.allCases) func appendAndUIDs(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.appendAndUIDs)
    }

    @Test(arguments: Engine.allCases) func stagedFilesConsumed(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.stagedFilesConsumed)
    }

    @Test(arguments: Engine.allCases) func flagsAndModSeq(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.flagsAndModSeq)
    }

    @Test(arguments: Engine.allCases) func unchangedSince(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.unchangedSince)
    }

    @Test(arguments: Engine.allCases) func copyMessages(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.copyMessages)
    }

    @Test(arguments: Engine.allCases) func expungeRules(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.expungeRules)
    }

    @Test(arguments: Engine.allCases) func changesSince(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.changesSince)
    }

    @Test(arguments: Engine.allCases) func changesAfterExpunge(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.changesAfterExpunge)
    }

    @Test(arguments: Engine.allCases) func snapshotAndStatus(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.snapshotAndStatus)
    }

    @Test(arguments: Engine.allCases) func snapshotOpeningInfo(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.snapshotOpeningInfo)
    }

    @Test(arguments: Engine.allCases) func recentClaims(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.recentClaims)
    }

    @Test(arguments: Engine.allCases) func snapshotKeywordsAndFlagFilter(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.snapshotKeywordsAndFlagFilter)
    }

    @Test(arguments: Engine.allCases) func flagIndex(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.flagIndex)
    }

    @Test(arguments: Engine.allCases) func forEachContent(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.forEachContent)
    }

    @Test(arguments: Engine.allCases) func concurrentAppends(_ engine: Engine) async throws {
        try await engine.withStore { try await MailStoreConformance.concurrentAppends($0) }
    }

    @Test(arguments: Engine.allCases) func moveMessages(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.moveMessages)
    }

    @Test(arguments: Engine.allCases) func moveWithinMailbox(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.moveWithinMailbox)
    }

    @Test(arguments: Engine.allCases) func expungedMessagesRetainedForViewers(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.expungedMessagesRetainedForViewers)
    }

    @Test(arguments: Engine.allCases) func moveRefusals(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.moveRefusals)
    }

    @Test(arguments: Engine.allCases) func replaceMessage(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.replaceMessage)
    }

    @Test(arguments: Engine.allCases) func replaceRefusals(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.replaceRefusals)
    }

    @Test(arguments: Engine.allCases) func moveAtomicity(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.moveAtomicity)
    }

    @Test(arguments: Engine.allCases) func saveDateAndEmailID(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.saveDateAndEmailID)
    }

    @Test(arguments: Engine.allCases) func multiAppend(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.multiAppend)
    }

    @Test(arguments: Engine.allCases) func multiAppendAllOrNothing(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.multiAppendAllOrNothing)
    }

    @Test(arguments: Engine.allCases) func placements(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.placements)
    }

    @Test(arguments: Engine.allCases) func placementsAllOrNothing(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.placementsAllOrNothing)
    }

    @Test(arguments: Engine.allCases) func derivedTexts(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.derivedTexts)
    }

    @Test(arguments: Engine.allCases) func structuresRoundTrip(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.structuresRoundTrip)
    }

    @Test(arguments: Engine.allCases) func changeHubPublishing(_ engine: Engine) async throws {
        try await engine.withStore(MailStoreConformance.changeHubPublishing)
    }
}
