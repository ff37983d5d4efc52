import Crypto
import Foundation

/// The admin API's bearer token, read once at start from `admin_token_file`: the file's first line,
/// without surrounding white space. Compared in constant time; never logged or shown.
public struct AdminToken: Sendable {
    /// The shortest token taken: a guessable token would open every account.
    public static let minimumLength = 16
    /// The longest token taken (and the most of the file read).
    public static let maximumLength = 4096

    private let digest: [UInt8]

    public init(_ token: String) throws {
        guard token.utf8.count >= Self.minimumLength else {
            throw ServerError.configuration(
                "admin_token_file: the token is shorter than \(Self.minimumLength) characters")
        }
        guard token.utf8.count <= Self.maximumLength else {
            throw ServerError.configuration(
                "admin_token_file: the token is longer than \(Self.maximumLength) characters")
        }
        digest = Array(SHA256.hash(data: Array(token.utf8)))
    }

    /// The token in the file at `path`.
    public static func read(path: String) throws -> AdminToken {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ServerError.configuration("admin_token_file \(path) cannot be read")
        }
        defer { try? handle.close() }
        let data: Data = (try? handle.read(upToCount: maximumLength + 2)) ?? Data()
        guard let text = String(data: data, encoding: .utf8) else {
            throw ServerError.configuration("admin_token_file \(path): the token is not UTF-8 text")
        }
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return try AdminToken(line.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether an `Authorization` header value is `Bearer` and this token. The hashes of both are
    /// compared, so the time taken tells nothing of the token or its length.
    public func accepts(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        let offered = Array(SHA256.hash(data: Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)))
        return zip(offered, digest).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
