import Foundation
import MailStore
import Testing

/// Sieve scripts and tracking (`SieveScriptStore`): names compared by octet, at most one active
/// script, the active one neither deletable nor lost by a rename, per-account bounds, and everything
/// gone with the account.
extension MailStoreConformance {
    static func expectSieveError<T>(
        _ expected: SieveScriptError, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> T
    ) async {
        do {
            _ = try await body()
            Issue.record("expected \(expected), got success", sourceLocation: sourceLocation)
        } catch let error as SieveScriptError {
            if case .invalidName = expected, case .invalidName = error { return }
            #expect(error == expected, sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
        }
    }

    public static func sieveScripts(_ store: any MailStore & AccountStore) async throws {
        let alice = try await makeAccount(store)
        let bob = try await makeAccount(store, "bob")
        #expect(try await store.sieveScripts(account: alice).isEmpty)
        #expect(try await store.activeSieveScript(account: alice) == nil)

        try await store.putSieveScript(account: alice, name: "main", source: Array("keep;".utf8), maxScripts: 5)
        try await store.putSieveScript(account: alice, name: "Main", source: Array("stop;".utf8), maxScripts: 5)
        try await store.putSieveScript(account: alice, name: "vacances é", source: [], maxScripts: 5)
        #expect(
            try await store.sieveScripts(account: alice) == [
                SieveScriptInfo(name: "Main", isActive: false), SieveScriptInfo(name: "main", isActive: false),
                SieveScriptInfo(name: "vacances é", isActive: false),
            ])
        #expect(try await store.sieveScript(account: alice, name: "main") == Array("keep;".utf8))
        #expect(try await store.sieveScript(account: alice, name: "MAIN") == nil, "names are compared by octet")
        #expect(try await store.sieveScript(account: bob, name: "main") == nil, "scripts belong to one account")
        #expect(try await store.sieveScripts(account: bob).isEmpty)

        // Replacing keeps the script's place and its being active.
        try await store.setActiveSieveScript(account: alice, name: "main")
        try await store.putSieveScript(account: alice, name: "main", source: Array("discard;".utf8), maxScripts: 3)
        #expect(
            try await store.activeSieveScript(account: alice)
                == ActiveSieveScript(name: "main", source: Array("discard;".utf8)))
        #expect(try await store.activeSieveScript(account: bob) == nil)

        // One active at most.
        try await store.setActiveSieveScript(account: alice, name: "Main")
        #expect(try await store.sieveScripts(account: alice).filter(\.isActive).map(\.name) == ["Main"])
        await expectSieveError(.scriptNotFound) { try await store.setActiveSieveScript(account: alice, name: "x") }
        #expect(
            try await store.activeSieveScript(account: alice)?.name == "Main", "a refused activation changes nothing")
        try await store.setActiveSieveScript(account: alice, name: nil)
        #expect(try await store.activeSieveScript(account: alice) == nil)
        #expect(try await store.sieveScripts(account: alice).allSatisfy { !$0.isActive })

        // Delete: the active one cannot go (RFC 5804 §2.10).
        try await store.setActiveSieveScript(account: alice, name: "main")
        await expectSieveError(.scriptActive) { try await store.deleteSieveScript(account: alice, name: "main") }
        await expectSieveError(.scriptNotFound) { try await store.deleteSieveScript(account: alice, name: "nope") }
        await expectSieveError(.scriptNotFound) { try await store.deleteSieveScript(account: bob, name: "Main") }
        try await store.deleteSieveScript(account: alice, name: "Main")
        #expect(try await store.sieveScripts(account: alice).map(\.name) == ["main", "vacances é"])

        // Rename: the active one stays active; an existing target or a missing source is refused.
        try await store.renameSieveScript(account: alice, from: "main", to: "filters")
        #expect(try await store.activeSieveScript(account: alice)?.name == "filters")
        #expect(try await store.sieveScript(account: alice, name: "main") == nil)
        await expectSieveError(.scriptExists) {
            try await store.renameSieveScript(account: alice, from: "filters", to: "vacances é")
        }
        await expectSieveError(.scriptNotFound) {
            try await store.renameSieveScript(account: alice, from: "gone", to: "other")
        }
        await expectSieveError(.invalidName("")) {
            try await store.renameSieveScript(account: alice, from: "filters", to: "a/b")
        }
        #expect(try await store.sieveScript(account: alice, name: "filters") == Array("discard;".utf8))

        // Unknown accounts.
        await expectError(.accountNotFound) {
            try await store.putSieveScript(account: 9999, name: "x", source: [], maxScripts: 5)
        }
        await expectError(.accountNotFound) { try await store.setActiveSieveScript(account: 9999, name: nil) }
        #expect(try await store.sieveScripts(account: 9999).isEmpty)
    }

    public static func sieveScriptLimits(_ store: any MailStore & AccountStore) async throws {
        let alice = try await makeAccount(store)
        for bad in ["", "a/b", "tab\there", "new\nline", "del\u{7F}", "c1\u{85}", "sep\u{2028}"] {
            await expectSieveError(.invalidName("")) {
                try await store.putSieveScript(account: alice, name: bad, source: [], maxScripts: 5)
            }
        }
        let longest = String(repeating: "é", count: SieveScriptName.Limits.maxNameLength)
        try await store.putSieveScript(account: alice, name: longest, source: [], maxScripts: 5)
        await expectSieveError(.invalidName("")) {
            try await store.putSieveScript(account: alice, name: longest + "x", source: [], maxScripts: 5)
        }
        let largest = [UInt8](repeating: 0x61, count: SieveScriptName.Limits.maxSourceSize)
        try await store.putSieveScript(account: alice, name: "big", source: largest, maxScripts: 5)
        #expect(try await store.sieveScript(account: alice, name: "big") == largest)
        await expectSieveError(.scriptTooLarge) {
            try await store.putSieveScript(account: alice, name: "big", source: largest + [0x61], maxScripts: 5)
        }
        // The count bound applies to new names only.
        try await store.putSieveScript(account: alice, name: "third", source: [], maxScripts: 3)
        await expectSieveError(.tooManyScripts) {
            try await store.putSieveScript(account: alice, name: "fourth", source: [], maxScripts: 3)
        }
        try await store.putSieveScript(account: alice, name: "third", source: [1], maxScripts: 3)
        #expect(try await store.sieveScripts(account: alice).count == 3)
    }

    public static func sieveTracking(_ store: any MailStore & AccountStore) async throws {
        let alice = try await makeAccount(store)
        let bob = try await makeAccount(store, "bob")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let key = Array("carol@example.org".utf8)
        #expect(try await !store.sieveTrackingContains(account: alice, kind: .vacation, key: key, now: now))
        try await store.sieveTrackingRecord(
            account: alice, kind: .vacation, key: key, expiresAt: now + 3600, now: now)
        #expect(try await store.sieveTrackingContains(account: alice, kind: .vacation, key: key, now: now))
        #expect(try await !store.sieveTrackingContains(account: alice, kind: .duplicate, key: key, now: now))
        #expect(try await !store.sieveTrackingContains(account: bob, kind: .vacation, key: key, now: now))
        #expect(try await !store.sieveTrackingContains(account: alice, kind: .vacation, key: key, now: now + 3600))
        // A new record replaces the expiry.
        try await store.sieveTrackingRecord(
            account: alice, kind: .vacation, key: key, expiresAt: now + 7200, now: now)
        #expect(try await store.sieveTrackingContains(account: alice, kind: .vacation, key: key, now: now + 3600))
        await expectError(.accountNotFound) {
            try await store.sieveTrackingRecord(account: 9999, kind: .duplicate, key: key, expiresAt: now, now: now)
        }

        // Account deletion takes scripts and tracking rows with it.
        try await store.putSieveScript(account: alice, name: "s", source: [1], maxScripts: 5)
        try await store.setActiveSieveScript(account: alice, name: "s")
        try await store.deleteAccount(name: "alice")
        let again = try await makeAccount(store)
        #expect(try await store.sieveScripts(account: again).isEmpty)
        #expect(try await store.activeSieveScript(account: alice) == nil)
        #expect(try await !store.sieveTrackingContains(account: again, kind: .vacation, key: key, now: now))
    }

    /// The per-account bound on tracking rows: past it, the rows that expire first go.
    public static func sieveTrackingBound(_ store: any MailStore & AccountStore) async throws {
        let alice = try await makeAccount(store)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let bound = SieveScriptName.Limits.maxTrackingRows
        for i in 0..<(bound + 2) {
            try await store.sieveTrackingRecord(
                account: alice, kind: .duplicate, key: Array("id-\(i)".utf8), expiresAt: now + Double(1000 + i),
                now: now)
        }
        #expect(
            try await !store.sieveTrackingContains(account: alice, kind: .duplicate, key: Array("id-0".utf8), now: now))
        #expect(
            try await !store.sieveTrackingContains(account: alice, kind: .duplicate, key: Array("id-1".utf8), now: now))
        #expect(
            try await store.sieveTrackingContains(account: alice, kind: .duplicate, key: Array("id-2".utf8), now: now))
        #expect(
            try await store.sieveTrackingContains(
                account: alice, kind: .duplicate, key: Array("id-\(bound + 1)".utf8), now: now))
        // Expired rows go on the next record.
        try await store.sieveTrackingRecord(
            account: alice, kind: .vacation, key: [1], expiresAt: now + 1_000_000, now: now + 100_000)
        #expect(
            try await !store.sieveTrackingContains(
                account: alice, kind: .duplicate, key: Array("id-\(bound + 1)".utf8), now: now))
    }
}
