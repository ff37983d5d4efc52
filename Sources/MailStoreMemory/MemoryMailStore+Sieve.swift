import Foundation
import MailStore

/// Sieve scripts and tracking (see `SieveScriptStore`), kept with their account.
extension MemoryMailStore {
    public func sieveScripts(account: AccountID) async throws -> [SieveScriptInfo] {
        try read { state in
            guard let held = state.accounts[account] else { return [] }
            return held.sieveScripts.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map {
                SieveScriptInfo(name: $0, isActive: $0 == held.activeSieveScript)
            }
        }
    }

    public func sieveScript(account: AccountID, name: String) async throws -> [UInt8]? {
        try read { state in state.accounts[account]?.sieveScripts[name] }
    }

    public func putSieveScript(account: AccountID, name: String, source: [UInt8], maxScripts: Int) async throws {
        try SieveScriptName.validate(name)
        guard source.count <= SieveScriptName.Limits.maxSourceSize else { throw SieveScriptError.scriptTooLarge }
        try changeAccount(account) { held in
            if held.sieveScripts[name] == nil, held.sieveScripts.count >= maxScripts {
                throw SieveScriptError.tooManyScripts
            }
            held.sieveScripts[name] = source
        }
    }

    public func setActiveSieveScript(account: AccountID, name: String?) async throws {
        try changeAccount(account) { held in
            if let name, held.sieveScripts[name] == nil { throw SieveScriptError.scriptNotFound }
            held.activeSieveScript = name
        }
    }

    public func deleteSieveScript(account: AccountID, name: String) async throws {
        try changeAccount(account) { held in
            guard held.sieveScripts[name] != nil else { throw SieveScriptError.scriptNotFound }
            guard held.activeSieveScript != name else { throw SieveScriptError.scriptActive }
            held.sieveScripts[name] = nil
        }
    }

    public func renameSieveScript(account: AccountID, from: String, to: String) async throws {
        try SieveScriptName.validate(to)
        try changeAccount(account) { held in
            guard let source = held.sieveScripts[from] else { throw SieveScriptError.scriptNotFound }
            guard held.sieveScripts[to] == nil else { throw SieveScriptError.scriptExists }
            held.sieveScripts[from] = nil
            held.sieveScripts[to] = source
            if held.activeSieveScript == from { held.activeSieveScript = to }
        }
    }

    public func activeSieveScript(account: AccountID) async throws -> ActiveSieveScript? {
        try read { state in
            guard let held = state.accounts[account], let name = held.activeSieveScript,
                let source = held.sieveScripts[name]
            else { return nil }
            return ActiveSieveScript(name: name, source: source)
        }
    }

    public func sieveTrackingContains(
        account: AccountID, kind: SieveTrackingKind, key: [UInt8], now: Date
    ) async throws -> Bool {
        let entry = MemorySieveTrackingKey(kind: kind, hash: SieveScriptName.trackingHash(key))
        return try read { state in
            guard let expires = state.accounts[account]?.sieveTracking[entry] else { return false }
            return expires > now
        }
    }

    public func sieveTrackingRecord(
        account: AccountID, kind: SieveTrackingKind, key: [UInt8], expiresAt: Date, now: Date
    ) async throws {
        let entry = MemorySieveTrackingKey(kind: kind, hash: SieveScriptName.trackingHash(key))
        try changeAccount(account) { held in
            held.sieveTracking = held.sieveTracking.filter { $0.value > now }
            held.sieveTracking[entry] = expiresAt
            let excess = held.sieveTracking.count - SieveScriptName.Limits.maxTrackingRows
            if excess > 0 {
                for (key, _) in held.sieveTracking.sorted(by: { $0.value < $1.value }).prefix(excess) {
                    held.sieveTracking[key] = nil
                }
            }
        }
    }

    /// Changes one account under the lock; a missing account is `.accountNotFound`.
    private func changeAccount(_ account: AccountID, _ body: (inout MemoryAccount) throws -> Void) throws {
        try change { state, _ in
            guard var held = state.accounts[account] else { throw MailStoreError.accountNotFound }
            try body(&held)
            state.accounts[account] = held
        }
    }
}
