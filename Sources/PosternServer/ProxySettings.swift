import Defences
import NIOCore
import TOMLKit

/// IMAP listeners behind a load balancer that sends the PROXY protocol, version 2 (`ProxyHeader`):
/// each connection to such a listener starts with the header naming the real client, whose address
/// the logs, the connection limits and the login throttle then see.
///
/// TOML keys: `proxy_protocol_imaps` and `proxy_protocol_imap` (the `HOST:PORT` of listeners of that
/// kind, as configured, that expect the header; default none), `proxy_trusted` (the balancers' networks:
/// only they may connect to those listeners; required with either). A connection from elsewhere, or
/// whose header is missing, wrong or late, is closed.
public struct ProxySettings: Sendable {
    static let tomlKeys: Set<String> = ["proxy_protocol_imaps", "proxy_protocol_imap", "proxy_trusted"]
    /// How long a connection to a PROXY listener may take to send its header before it is closed.
    public static let headerTimeout = TimeAmount.seconds(10)

    public var listeners: [ListenerAddress] = []
    public var trusted: [ClientNetwork] = []

    public init() {}

    /// Whether connections to `listener` start with a PROXY header.
    public func expects(_ listener: ListenerAddress) -> Bool {
        listeners.contains { $0.kind == listener.kind && $0.host == listener.host && $0.port == listener.port }
    }

    /// Whether a connection from `peer` may send a PROXY header.
    public func trusts(_ peer: ClientAddress?) -> Bool {
        guard let peer else { return false }
        return trusted.contains { $0.contains(peer) }
    }

    /// Refuses a PROXY listener that is not one of `configured` (the IMAP listeners), or without
    /// `proxy_trusted`.
    public func validate(against configured: [ListenerAddress]) throws {
        for listener in listeners where !configured.contains(listener) {
            throw ServerError.configuration(
                "proxy_protocol_\(listener.kind.rawValue): \(listener) is not one of the \(listener.kind.rawValue) listeners"
            )
        }
        if !listeners.isEmpty && trusted.isEmpty {
            throw ServerError.configuration(
                "proxy_protocol needs proxy_trusted: the load balancers' networks, e.g. proxy_trusted = [\"10.0.0.0/8\"]"
            )
        }
    }

    mutating func apply(_ table: TOMLTable) throws {
        for kind in [ListenerAddress.Kind.imaps, .imap] {
            let key = "proxy_protocol_\(kind.rawValue)"
            guard let value = table[key] else { continue }
            guard let array = value.array, array.allSatisfy({ $0.string != nil }) else {
                throw ServerError.configuration("config \(key): expected an array of \"HOST:PORT\"")
            }
            listeners.removeAll { $0.kind == kind }
            listeners += try array.compactMap(\.string).compactMap { try ListenerAddress.parse($0, kind: kind) }
        }
        if let value = table["proxy_trusted"] {
            guard let array = value.array, array.allSatisfy({ $0.string != nil }) else {
                throw ServerError.configuration("config proxy_trusted: expected an array of networks")
            }
            trusted = try array.compactMap(\.string).map { text in
                guard let network = ClientNetwork(text) else {
                    throw ServerError.configuration("config proxy_trusted: '\(text)' is not a network like 10.0.0.0/8")
                }
                return network
            }
        }
    }
}
