import Foundation
import MailStore

/// Sieve script storage, forwarded like every other call.
extension FailingStore {
    func sieveScripts(account: AccountID) async throws -> [SieveScriptInfo] {
        try check("sieveScripts")
        return try await inner.sieveScripts(account: account)
    }

    func sieveScript(account: AccountID, name: String) async throws -> [UInt8]? {
        try check("sieveScript")
        return try await inner.sieveScript(account: account, name: name)
    }

    func putSieveScript(account: AccountID, name: String, source: [UInt8], maxScripts: Int) async throws {
        try check("putSieveScript")
        try await inner.putSieveScript(account: account, name: name, source: source, maxScripts: maxScripts)
    }

    func setActiveSieveScript(account: AccountID, name: String?) async throws {
        try check("setActiveSieveScript")
        try await inner.setActiveSieveScript(account: account, name: name)
    }

    func deleteSieveScript(account: AccountID, name: String) async throws {
        try check("deleteSieveScript")
        try await inner.deleteSieveScript(account: account, name: name)
    }

    func renameSieveScript(account: AccountID, from: String, to: String) async throws {
        try check("renameSieveScript")
        try await inner.renameSieveScript(account: account, from: from, to: to)
    }

    func activeSieveScript(account: AccountID) async throws -> ActiveSieveScript? {
        try check("activeSieveScript")
        return try await inner.activeSieveScript(account: account)
    }

    func sieveTrackingContains(
        account: AccountID, kind: SieveTrackingKind, key: [UInt8], now: Date
    ) async throws -> Bool {
        try check("sieveTrackingContains")
        return try await inner.sieveTrackingContains(account: account, kind: kind, key: key, now: now)
    }

    func sieveTrackingRecord(
        account: AccountID, kind: SieveTrackingKind, key: [UInt8], expiresAt: Date, now: Date
    ) async throws {
        try check("sieveTrackingRecord")
        try await inner.sieveTrackingRecord(account: account, kind: kind, key: key, expiresAt: expiresAt, now: now)
    }
}
