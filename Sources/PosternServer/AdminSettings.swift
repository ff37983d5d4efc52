import Defences
import TOMLKit

/// The admin listener: `/metrics` and the health endpoints over HTTP (off unless configured).
///
/// TOML keys: `admin` (`HOST:PORT` or "off"; default off), `admin_allow` (networks whose clients may
/// connect; a listener on a non-loopback address needs it, and loopback clients are always let in),
/// `health_certificate_days` (readiness fails when a served certificate expires within this many
/// days; default 14), `admin_token_file` (a file holding the admin API's bearer token: the API under
/// /api/v1 is served only when it is set; see `AdminToken`).
public struct AdminSettings: Sendable {
    static let tomlKeys: Set<String> = ["admin", "admin_allow", "health_certificate_days", "admin_token_file"]
    /// The most `health_certificate_days` takes: ten years.
    static let maximumCertificateDays = 3650

    public var listener: ListenerAddress?
    public var allow: [ClientNetwork] = []
    public var certificateDays = 14
    /// The file with the admin API's token; nil: the API is off.
    public var tokenFile: String?

    public init() {}

    /// Whether a client at `address` may use the admin endpoints: loopback always, others only inside
    /// `admin_allow`.
    public func allows(_ address: ClientAddress?) -> Bool {
        guard let address else { return false }
        if LMTPSettings.loopback.contains(where: { $0.contains(address) }) { return true }
        return allow.contains { $0.contains(address) }
    }

    /// Refuses a listener on a non-loopback address without an allow-list.
    public func validate() throws {
        guard let listener else { return }
        if let address = ClientAddress(listener.host), LMTPSettings.loopback.contains(where: { $0.contains(address) }) {
            return
        }
        if allow.isEmpty {
            throw ServerError.configuration(
                "admin listener \(listener) is not on loopback: set admin_allow to the networks that may read "
                    + "metrics and health (e.g. admin_allow = [\"10.0.0.0/8\"])")
        }
    }

    /// Sets the listener from `--admin HOST:PORT|off`.
    public mutating func setListener(_ text: String) throws {
        listener = try ListenerAddress.parse(text, kind: .admin)
    }

    mutating func apply(_ table: TOMLTable) throws {
        if let value = table["admin"] {
            guard let text = value.string else {
                throw ServerError.configuration("config admin: expected \"HOST:PORT\" or \"off\"")
            }
            try setListener(text)
        }
        if let value = table["admin_allow"] {
            guard let array = value.array, array.allSatisfy({ $0.string != nil }) else {
                throw ServerError.configuration("config admin_allow: expected an array of networks")
            }
            allow = try array.compactMap(\.string).map { text in
                guard let network = ClientNetwork(text) else {
                    throw ServerError.configuration("config admin_allow: '\(text)' is not a network like 10.0.0.0/8")
                }
                return network
            }
        }
        if let value = table["admin_token_file"] {
            guard let path = value.string, !path.isEmpty else {
                throw ServerError.configuration("config admin_token_file: expected the path of a file")
            }
            tokenFile = path
        }
        if let value = table["health_certificate_days"] {
            guard let days = value.int, (0...Self.maximumCertificateDays).contains(days) else {
                throw ServerError.configuration(
                    "config health_certificate_days: expected a number of days from 0 to \(Self.maximumCertificateDays)"
                )
            }
            certificateDays = days
        }
    }
}
