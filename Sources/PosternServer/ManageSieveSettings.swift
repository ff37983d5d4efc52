import Foundation
import MailStore
import ManageSieve
import TOMLKit

/// The ManageSieve listeners (RFC 5804) and the script quotas.
///
/// TOML keys: `managesieve` (listeners `HOST:PORT` with STARTTLS, a string or an array; "" or "off":
/// none; default 127.0.0.1:4190), `managesieve_tls` (implicit-TLS listeners; default none),
/// `sieve_max_script_size` (octets; default 64 KiB) and `sieve_max_scripts` (per account; default 25).
public struct ManageSieveSettings: Sendable {
    static let tomlKeys: Set<String> = ["managesieve", "managesieve_tls", "sieve_max_script_size", "sieve_max_scripts"]
    public static let defaultListener = ListenerAddress(kind: .managesieve, host: "127.0.0.1", port: 4190)

    public var listeners: [ListenerAddress] = [Self.defaultListener]
    public var limits = ManageSieveLimits()

    public init() {}

    /// Parses listener values: "" and "off" mean none.
    public static func parse(_ texts: [String], kind: ListenerAddress.Kind) throws -> [ListenerAddress] {
        try texts.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.compactMap {
            try ListenerAddress.parse($0, kind: kind)
        }
    }

    /// Replaces the listeners of one kind (nil leaves them).
    public mutating func replace(_ kind: ListenerAddress.Kind, with addresses: [ListenerAddress]?) {
        guard let addresses else { return }
        listeners = listeners.filter { $0.kind != kind } + addresses
    }

    mutating func apply(_ table: TOMLTable) throws {
        for (key, kind) in [("managesieve", ListenerAddress.Kind.managesieve), ("managesieve_tls", .managesieveTLS)] {
            guard let value = table[key] else { continue }
            let texts: [String]
            if let text = value.string {
                texts = [text]
            } else if let array = value.array, array.allSatisfy({ $0.string != nil }) {
                texts = array.compactMap { $0.string }
            } else {
                throw ServerError.configuration("config \(key): expected \"HOST:PORT\", an array of them, or \"\"")
            }
            replace(kind, with: try Self.parse(texts, kind: kind))
        }
        if let value = table["sieve_max_script_size"] {
            guard let size = value.int, (1...SieveScriptName.Limits.maxSourceSize).contains(size) else {
                throw ServerError.configuration(
                    "config sieve_max_script_size: expected octets from 1 to \(SieveScriptName.Limits.maxSourceSize)")
            }
            limits.maxScriptSize = size
        }
        if let value = table["sieve_max_scripts"] {
            guard let count = value.int, (1...10_000).contains(count) else {
                throw ServerError.configuration("config sieve_max_scripts: expected a number from 1 to 10000")
            }
            limits.maxScripts = count
        }
    }
}
