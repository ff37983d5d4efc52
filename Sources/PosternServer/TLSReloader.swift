import Foundation
import Logging
import MailStore
import NIOConcurrencyHelpers
import ServiceLifecycle
import UnixSignals

/// The TLS material new connections use. The accept path (and STARTTLS) reads it once per connection;
/// a reload replaces it whole, so a connection never mixes two versions, and open connections keep the
/// contexts they started with.
public final class TLSContextHolder: Sendable {
    private let box: NIOLockedValueBox<TLSMaterial>

    public init(_ material: TLSMaterial) {
        box = NIOLockedValueBox(material)
    }

    public var current: TLSMaterial { box.withLockedValue { $0 } }

    func replace(with material: TLSMaterial) {
        box.withLockedValue { $0 = material }
    }
}

/// Reloads the TLS material on SIGHUP, and when one of its files changes (checked every
/// `pollInterval` by modification time, size and inode: one task, no thread per file). A reload reads
/// every file again off the event loops; new material that does not load (a bad PEM, a key that is
/// not the certificate's, an unreadable client-CA bundle) is refused with one log line, and the
/// material in use stays.
public struct TLSReloader: Service {
    public static let defaultPollInterval: Duration = .seconds(2)

    let settings: TLSSettings
    let holder: TLSContextHolder
    let hangups: UnixSignalsSequence?
    let pollInterval: Duration
    let logger: Logger
    /// What the files looked like when the material in use was read.
    private let seen: NIOLockedValueBox<[FileStamp?]>

    /// - Parameter hangups: SIGHUPs, trapped by the caller before the server is ready so that none is
    ///   lost (nil: files are only polled).
    public init(
        settings: TLSSettings, holder: TLSContextHolder, hangups: UnixSignalsSequence?,
        pollInterval: Duration = TLSReloader.defaultPollInterval, logger: Logger
    ) {
        self.settings = settings
        self.holder = holder
        self.hangups = hangups
        self.pollInterval = pollInterval
        self.logger = logger
        self.seen = NIOLockedValueBox(settings.files.map { FileStamp(path: $0.path) })
    }

    public func run() async throws {
        enum Request { case poll, hangup }
        let (requests, continuation) = AsyncStream.makeStream(of: Request.self, bufferingPolicy: .bufferingNewest(4))
        await withDiscardingTaskGroup { group in
            group.addTask { [hangups] in
                guard let hangups else { return }
                for await _ in hangups { continuation.yield(.hangup) }
            }
            group.addTask { [pollInterval] in
                while (try? await Task.sleep(for: pollInterval)) != nil { continuation.yield(.poll) }
            }
            for await request in requests.cancelOnGracefulShutdown() {
                reload(force: request == .hangup)
            }
            group.cancelAll()
        }
    }

    /// Reloads when forced (SIGHUP) or when a file changed since the last attempt. Returns true when
    /// new material is in use.
    @discardableResult
    public func reload(force: Bool) -> Bool {
        let stamps = settings.files.map { FileStamp(path: $0.path) }
        let changed = seen.withLockedValue { seen in
            defer { seen = stamps }
            return seen != stamps
        }
        guard force || changed else { return false }
        do {
            let material = try TLSSetup.load(settings)
            holder.replace(with: material)
            logger.info(
                "TLS material reloaded",
                metadata: ["fingerprints": "\(material.served.map(\.fingerprint).joined(separator: " "))"])
            return true
        } catch {
            logger.warning("TLS material not reloaded, the previous one stays in use: \(error)")
            return false
        }
    }
}
