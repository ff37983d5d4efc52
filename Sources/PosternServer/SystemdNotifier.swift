import Foundation
import Logging
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// Tells systemd about the server's state (`sd_notify(3)`'s protocol): one datagram per message to
/// the Unix socket named by `NOTIFY_SOCKET`, a path or, after `@`, a name in the abstract namespace.
/// Without `NOTIFY_SOCKET` (not started by systemd with `Type=notify`) every call does nothing.
public struct SystemdNotifier: Sendable {
    /// The longest `sun_path` (including the abstract namespace's leading NUL).
    static let maximumPathLength = 108

    let socketPath: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["NOTIFY_SOCKET"] ?? ""
        socketPath = path.isEmpty ? nil : path
    }

    public var isEnabled: Bool { socketPath != nil }

    /// Sends `state` (e.g. `READY=1`, `STOPPING=1`, `WATCHDOG=1`). Returns false when it could not.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let socketPath else { return false }
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        guard pathBytes.count < Self.maximumPathLength, pathBytes.first == 0 || pathBytes.first == UInt8(ascii: "/")
        else { return false }
        #if canImport(Glibc)
            let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        // An abstract name is exactly its bytes; a path ends at its NUL.
        let length = MemoryLayout.offset(of: \sockaddr_un.sun_path)! + pathBytes.count + (pathBytes[0] == 0 ? 0 : 1)
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { bytes in
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, socklen_t(length))
                }
            }
        }
        return sent == message.count
    }

    /// The watchdog interval systemd asks for (`WATCHDOG_USEC`, for this process if `WATCHDOG_PID`
    /// names one), or nil.
    public static func watchdogInterval(
        environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()
    ) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else {
            return nil
        }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }
}

/// Sends `WATCHDOG=1` at half the interval systemd asks for while the server runs, and `STOPPING=1`
/// when a graceful shutdown begins. Listed last in the service group, so it hears of the shutdown
/// first.
public struct SystemdService: Service {
    let notifier: SystemdNotifier
    let watchdog: Duration?
    let logger: Logger

    public init(notifier: SystemdNotifier, watchdog: Duration?, logger: Logger) {
        self.notifier = notifier
        self.watchdog = watchdog
        self.logger = logger
    }

    public func run() async throws {
        guard notifier.isEnabled else { return }
        await withGracefulShutdownHandler {
            guard let watchdog else {
                try? await gracefulShutdown()
                return
            }
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                notifier.notify("WATCHDOG=1")
                try? await Task.sleep(for: watchdog / 2)
            }
        } onGracefulShutdown: {
            notifier.notify("STOPPING=1")
        }
        logger.debug("systemd told of the shutdown")
    }
}
