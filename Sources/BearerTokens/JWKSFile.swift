import Foundation
import Logging
import MailStore
import Synchronization

/// A JWKS file and the verifier using its keys, read again whenever the file changes (a new
/// modification time, size or inode, so an atomic rename counts). A file that cannot be read or used
/// leaves the verifier with the keys it had, and is reported once per change.
public final class JWKSFile: Sendable {
    /// How often `watch` looks at the file: one `stat` each time.
    public static let pollInterval: Duration = .seconds(2)

    /// What `reloadIfChanged` did.
    public enum Reload: Sendable, Equatable {
        case unchanged
        case reloaded(keys: Int)
        case failed(JWKSError)
    }

    public let path: String
    public let verifier: JWTBearerVerifier
    private let seen: Mutex<FileStamp?>

    /// Reads the file and makes a verifier with its keys; throws when the file is missing or unusable.
    /// Reads the disk: call it off any event loop (it is meant for start-up).
    public init(path: String, policy: JWTBearerPolicy) async throws(JWKSError) {
        self.path = path
        let stamp = FileStamp(path: path)
        verifier = JWTBearerVerifier(policy: policy, keys: try await Self.read(path))
        seen = Mutex(stamp)
    }

    /// Reads the file again if it changed since the last look.
    public func reloadIfChanged() async -> Reload {
        let stamp = FileStamp(path: path)
        let changed = seen.withLock { seen in
            defer { seen = stamp }
            return seen != stamp
        }
        guard changed else { return .unchanged }
        do {
            let keys = try await Self.read(path)
            verifier.replaceKeys(keys)
            return .reloaded(keys: keys.count)
        } catch {
            return .failed(error)
        }
    }

    /// Looks at the file every `interval` until the task is cancelled, logging each reload and each
    /// unusable version of the file in one line.
    public func watch(interval: Duration = JWKSFile.pollInterval, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            switch await reloadIfChanged() {
            case .unchanged: break
            case .reloaded(let count):
                logger.info("JWKS reloaded", metadata: ["file": "\(path)", "keys": "\(count)"])
            case .failed(let error):
                logger.error(
                    "JWKS not reloaded, the previous keys stay", metadata: ["file": "\(path)", "reason": "\(error)"])
            }
        }
    }

    private static func read(_ path: String) async throws(JWKSError) -> JWKSKeys {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw JWKSError(description: "cannot read \(path): \(error.localizedDescription)")
        }
        return try await JWKSKeys.parse(data)
    }
}
