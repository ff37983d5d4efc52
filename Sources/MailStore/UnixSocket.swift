#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Unix-domain stream sockets by path, for the local pokes between Postern's processes and the
/// LMTP listener's checks.
public enum UnixSocket {
    /// The address of `path`; nil when it is too long for `sun_path` (107 bytes on Linux).
    public static func address(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        return address
    }

    /// A connected socket (the caller closes it), or nil when nothing listens at `path`. `timeout`
    /// bounds each later send and receive.
    public static func connect(_ path: String, timeout: timeval? = nil) -> Int32? {
        guard var address = address(path) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        if var timeout {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        guard systemConnect(fd, &address) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }
}

/// `connect(2)` (the name is taken inside `UnixSocket`).
private func systemConnect(_ fd: Int32, _ address: inout sockaddr_un) -> Int32 {
    withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
}
