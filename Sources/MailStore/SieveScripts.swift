import Crypto
import Foundation

/// One of an account's Sieve scripts as a listing shows it (RFC 5804 §2.7 LISTSCRIPTS).
public struct SieveScriptInfo: Sendable, Equatable {
    public var name: String
    public var isActive: Bool

    public init(name: String, isActive: Bool) {
        self.name = name
        self.isActive = isActive
    }
}

/// The script that filters an account's incoming mail.
public struct ActiveSieveScript: Sendable, Equatable {
    public var name: String
    public var source: [UInt8]

    public init(name: String, source: [UInt8]) {
        self.name = name
        self.source = source
    }
}

/// What the Sieve delivery layer remembers between messages (RFC 5230 vacation responses sent,
/// RFC 7352 duplicate message ids, messages already redirected): a key per kind, until it expires.
public enum SieveTrackingKind: String, Sendable, CaseIterable {
    case vacation
    case duplicate
    case redirect
}

/// Refusals of script storage calls (an unknown account is `MailStoreError.accountNotFound`).
public enum SieveScriptError: Error, Equatable, Sendable {
    /// RFC 5804 NONEXISTENT.
    case scriptNotFound
    /// RFC 5804 ALREADYEXISTS.
    case scriptExists
    /// RFC 5804 §2.10: the active script cannot be deleted (ACTIVE).
    case scriptActive
    case invalidName(String)
    /// The account has as many scripts as it may (RFC 5804 QUOTA/MAXSCRIPTS).
    case tooManyScripts
    /// Larger than `SieveScriptName.Limits.maxSourceSize` (RFC 5804 QUOTA/MAXSIZE).
    case scriptTooLarge
}

/// Script names and the store's own bounds on scripts.
public enum SieveScriptName {
    /// Every limit of script storage, in one place.
    public enum Limits {
        /// Longest name, in Unicode scalars.
        public static let maxNameLength = 128
        /// Largest source any engine stores, whatever a server's configuration allows (which is
        /// usually much less: `sieve_max_script_size`).
        public static let maxSourceSize = 1 << 20
        /// Tracking rows one account keeps; recording past it drops those that expire first.
        public static let maxTrackingRows = 10_000
    }

    /// RFC 5804 §1.6: a name is 1 to 128 Unicode characters without controls (C0, DEL, C1, the line
    /// and paragraph separators); "/" is refused too, so that a name is always usable as a file name.
    public static func validate(_ name: String) throws {
        let scalars = name.unicodeScalars
        guard !scalars.isEmpty, scalars.count <= Limits.maxNameLength else {
            throw SieveScriptError.invalidName("a script name is 1 to \(Limits.maxNameLength) characters")
        }
        for scalar in scalars {
            let value = scalar.value
            if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029 {
                throw SieveScriptError.invalidName("a script name has no control characters")
            }
            if scalar == "/" { throw SieveScriptError.invalidName("a script name has no \"/\"") }
        }
    }

    /// What a tracking row keeps of its key: SHA-256, so rows are small and hold no addresses.
    public static func trackingHash(_ key: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: key))
    }
}

/// Sieve scripts (RFC 5228) per account, as ManageSieve (RFC 5804) and `postern sieve` manage them,
/// and what Sieve delivery tracks between messages.
///
/// Invariants every engine keeps (and the conformance suite checks): names are compared octet by
/// octet (RFC 5804 §1.6, "i;octet"); an account has at most one active script; a call that returns
/// has committed durably; deleting an account deletes its scripts and tracking rows.
public protocol SieveScriptStore: Sendable {
    /// The account's scripts, by name.
    func sieveScripts(account: AccountID) async throws -> [SieveScriptInfo]
    /// A script's source, or nil when there is none of that name.
    func sieveScript(account: AccountID, name: String) async throws -> [UInt8]?
    /// Creates or replaces a script (an active one stays active). Creating one more than `maxScripts`
    /// is `.tooManyScripts`; replacing is always allowed.
    func putSieveScript(account: AccountID, name: String, source: [UInt8], maxScripts: Int) async throws
    /// Makes `name` the active script, or none when nil (RFC 5804 §2.8).
    func setActiveSieveScript(account: AccountID, name: String?) async throws
    /// Deletes a script; the active one is `.scriptActive` (RFC 5804 §2.10).
    func deleteSieveScript(account: AccountID, name: String) async throws
    /// Renames a script, keeping it active if it was (RFC 5804 §2.11.1); an existing `to` is `.scriptExists`.
    func renameSieveScript(account: AccountID, from: String, to: String) async throws
    /// The script delivery runs: one cheap read.
    func activeSieveScript(account: AccountID) async throws -> ActiveSieveScript?

    /// Whether `key` of `kind` was recorded for the account and expires after `now`.
    func sieveTrackingContains(
        account: AccountID, kind: SieveTrackingKind, key: [UInt8], now: Date
    ) async throws
        -> Bool
    /// Records `key` (kept as a hash) until `expiresAt`, replacing an earlier record of it. Drops the
    /// account's rows that expired by `now`.
    func sieveTrackingRecord(
        account: AccountID, kind: SieveTrackingKind, key: [UInt8], expiresAt: Date, now: Date
    ) async throws
}
