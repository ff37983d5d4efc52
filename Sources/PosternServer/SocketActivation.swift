import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Listening sockets handed over by systemd (socket activation, `sd_listen_fds(3)`): `LISTEN_PID` names
/// this process, `LISTEN_FDS` counts the sockets, which start at descriptor 3, and `LISTEN_FDNAMES`
/// (colon-separated) names each one (`FileDescriptorName=` of the socket unit). A restart then refuses
/// no connection: the sockets stay open in systemd while the server is away.
///
/// An IMAP listener takes a handed-over socket named as its kind (`imaps`, `imap`), in order, or, when
/// the sockets are not named so, the one bound to its own address and port.
public final class SocketActivation: Sendable {
    /// The first descriptor passed (`SD_LISTEN_FDS_START`).
    public static let firstDescriptor: CInt = 3
    /// The most sockets taken: far more than a mail server listens on.
    public static let maximumSockets = 64

    public struct Socket: Sendable, Equatable {
        public var descriptor: CInt
        public var name: String
        public var host: String?
        public var port: Int?
    }

    private let unused: NIOLockedValueBox<[Socket]>

    public init(sockets: [Socket]) {
        unused = NIOLockedValueBox(sockets)
    }

    /// The sockets the environment hands to this process (none unless `LISTEN_PID` is this process).
    /// The variables are removed, so that no child process takes the sockets for its own.
    public static func fromEnvironment() -> SocketActivation {
        let environment = ProcessInfo.processInfo.environment
        defer {
            for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        }
        let sockets = parse(
            pid: environment["LISTEN_PID"], count: environment["LISTEN_FDS"], names: environment["LISTEN_FDNAMES"],
            ownPID: getpid())
        return SocketActivation(
            sockets: sockets.map { descriptor, name in
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
                let (host, port) = boundAddress(descriptor)
                return Socket(descriptor: descriptor, name: name, host: host, port: port)
            })
    }

    /// `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` as descriptors and names; none when the PID is not
    /// ours or a value is malformed.
    ///
    ///     LISTEN_PID     = 1*DIGIT
    ///     LISTEN_FDS     = 1*DIGIT                      ; at most `maximumSockets`
    ///     LISTEN_FDNAMES = name *( ":" name )           ; optional; "" names are allowed
    static func parse(pid: String?, count: String?, names: String?, ownPID: pid_t) -> [(CInt, String)] {
        guard let pid, let pidNumber = Int32(pid), pidNumber == ownPID else { return [] }
        guard let count, let number = Int(count), (1...maximumSockets).contains(number) else { return [] }
        let nameList = names.map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) } ?? []
        return (0..<number).map { index in
            (firstDescriptor + CInt(index), index < nameList.count ? nameList[index] : "unknown")
        }
    }

    /// Takes the socket for a listener of `kind` configured at `host:port`, if one was handed over.
    public func take(kind: String, host: String, port: Int) -> CInt? {
        unused.withLockedValue { sockets in
            let index =
                sockets.firstIndex { $0.name == kind }
                ?? sockets.firstIndex { $0.port == port && $0.port != 0 && ($0.host == host || host == "0.0.0.0") }
            guard let index else { return nil }
            return sockets.remove(at: index).descriptor
        }
    }

    /// Whether any socket was handed over.
    public var isEmpty: Bool { unused.withLockedValue { $0.isEmpty } }

    private static func boundAddress(_ descriptor: CInt) -> (String?, Int?) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { return (nil, nil) }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let named = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo(
                    $0, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                    NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard named == 0 else { return (nil, nil) }
        return (
            String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
            Int(String(decoding: service.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        )
    }
}
