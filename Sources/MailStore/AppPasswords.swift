import Foundation

/// One of an account's app passwords: a named password usable wherever the account's password is,
/// revocable on its own. Its verifier shares the account's salt and iteration count, so checking a
/// password against the account and all its app passwords costs one key derivation, and SCRAM (which
/// announces one salt before the proof) works with any of them.
public struct AppPassword: Sendable, Equatable {
    public var label: String
    public var created: Date
    public var storedKey: [UInt8]
    public var serverKey: [UInt8]

    public init(label: String, created: Date, storedKey: [UInt8], serverKey: [UInt8]) {
        self.label = label
        self.created = created
        self.storedKey = storedKey
        self.serverKey = serverKey
    }

    /// Every limit of app passwords, in one place.
    public enum Limits {
        /// Longest label, in characters.
        public static let maxLabelLength = 64
        /// App passwords per account.
        public static let maxPerAccount = 50
    }

    /// Labels are 1 to 64 letters, digits, spaces and `. _ -`, not starting or ending with a space.
    public static func validate(label: String) throws {
        let allowed = label.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || " ._-".unicodeScalars
                    .contains($0)
        }
        guard !label.isEmpty, label.count <= Limits.maxLabelLength, allowed, label.first != " ", label.last != " "
        else {
            throw MailStoreError.invalidAppPasswordLabel(
                "1 to \(Limits.maxLabelLength) letters, digits, spaces and . _ - (no space at either end)")
        }
    }
}
