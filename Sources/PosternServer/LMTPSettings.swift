import Defences
import Delivery
import Foundation
import TOMLKit

/// Where mail is delivered from and how recipients map to accounts.
///
/// TOML keys: `lmtp_socket` (a path, or "off"; default `DATA/lmtp.sock`), `lmtp_socket_group` (the
/// group that may connect to it: the MTA's, e.g. "postfix"), `lmtp` (TCP listeners `HOST:PORT`, a
/// string or an array; default off), `lmtp_allow` (networks whose MTAs may connect over TCP; a listener
/// on a non-loopback address needs it), `local_domains` (array; empty: every domain is ours),
/// `recipient_delimiter` (default "+", "" for none) and `aliases` (a table: alias = "account" or
/// ["account", ...]; an alias is a local part, or a whole address for one domain).
public struct LMTPSettings: Sendable {
    static let tomlKeys: Set<String> = [
        "lmtp_socket", "lmtp_socket_group", "lmtp", "lmtp_allow", "local_domains", "recipient_delimiter", "aliases",
    ]

    /// The Unix socket's path; nil: `DATA/lmtp.sock`.
    public var socketPath: String?
    public var socketOff = false
    public var socketGroup: String?
    public var listeners: [ListenerAddress] = []
    public var allow: [ClientNetwork] = []
    public var rules = DeliveryRules()

    public init() {}

    /// The socket to bind, or nil when it is off.
    public func socket(dataDirectory: URL) -> String? {
        if socketOff { return nil }
        return socketPath ?? dataDirectory.appendingPathComponent("lmtp.sock").path
    }

    /// Sets the socket from `--lmtp-socket PATH|off`.
    public mutating func setSocket(_ text: String) {
        if text.lowercased() == "off" {
            socketOff = true
        } else {
            socketOff = false
            socketPath = text
        }
    }

    /// Whether a TCP client at `address` may deliver: loopback always, others only inside `lmtp_allow`.
    public func allows(_ address: ClientAddress?) -> Bool {
        guard let address else { return false }
        if Self.loopback.contains(where: { $0.contains(address) }) { return true }
        return allow.contains { $0.contains(address) }
    }

    static let loopback = [ClientNetwork("127.0.0.0/8")!, ClientNetwork("::1")!]

    /// Refuses a TCP listener on a non-loopback address without an allow-list.
    public func validate() throws {
        for listener in listeners {
            guard let address = ClientAddress(listener.host), Self.loopback.contains(where: { $0.contains(address) })
            else {
                if allow.isEmpty {
                    throw ServerError.configuration(
                        "lmtp listener \(listener) is not on loopback: set lmtp_allow to the networks of the MTAs "
                            + "that may deliver (e.g. lmtp_allow = [\"10.0.0.5\"])")
                }
                continue
            }
        }
        if let path = socketPath, !socketOff, path.utf8.count >= 108 {
            throw ServerError.configuration("lmtp_socket '\(path)' is too long for a Unix socket (107 bytes at most)")
        }
    }

    mutating func apply(_ table: TOMLTable, listeners parse: (String) throws -> [ListenerAddress]?) throws {
        if let value = table["lmtp_socket"] {
            guard let text = value.string, !text.isEmpty else {
                throw ServerError.configuration("config lmtp_socket: expected a path or \"off\"")
            }
            setSocket(text)
        }
        if let value = table["lmtp_socket_group"] {
            guard let text = value.string, !text.isEmpty else {
                throw ServerError.configuration("config lmtp_socket_group: expected a group name")
            }
            socketGroup = text
        }
        if let parsed = try parse("lmtp") { listeners = parsed }
        if let value = table["lmtp_allow"] {
            allow = try Self.strings(value, key: "lmtp_allow").map { text in
                guard let network = ClientNetwork(text) else {
                    throw ServerError.configuration("config lmtp_allow: '\(text)' is not a network like 10.0.0.0/8")
                }
                return network
            }
        }
        if let value = table["local_domains"] {
            rules.setLocalDomains(try Self.strings(value, key: "local_domains"))
        }
        if let value = table["recipient_delimiter"] {
            guard let text = value.string, text.count <= 1 else {
                throw ServerError.configuration("config recipient_delimiter: expected one character, or \"\"")
            }
            rules.recipientDelimiter = text
        }
        if let value = table["aliases"] {
            guard let aliases = value.table else {
                throw ServerError.configuration("config aliases: expected a table, e.g. [aliases] sales = [\"alice\"]")
            }
            for key in aliases.keys {
                guard let target = aliases[key] else { continue }
                let targets = try target.string.map { [$0] } ?? Self.strings(target, key: "aliases.\(key)")
                guard !targets.isEmpty else {
                    throw ServerError.configuration("config aliases.\(key): names no account")
                }
                rules.addAlias(key, targets: targets)
            }
        }
    }

    private static func strings(_ value: any TOMLValueConvertible, key: String) throws -> [String] {
        guard let array = value.array, array.allSatisfy({ $0.string != nil }) else {
            throw ServerError.configuration("config \(key): expected an array of strings")
        }
        return array.compactMap { $0.string }
    }
}
