import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Unix-socket file chores of the LMTP listener.
enum SocketProbe {
    /// Whether some process accepts connections on the socket at `path` (a leftover file of a server
    /// that is gone refuses them).
    static func isListening(_ path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }

    /// Mode 0660; with a group, the socket's group, and a data folder directly holding it gets that
    /// group with search (x) permission only.
    static func setPermissions(path: String, group: String?) throws {
        guard chmod(path, 0o660) == 0 else {
            throw ServerError.bind("cannot set the mode of the LMTP socket \(path): errno \(errno)")
        }
        guard let group else { return }
        guard let entry = getgrnam(group) else {
            throw ServerError.configuration("lmtp_socket_group '\(group)': no such group")
        }
        let gid = entry.pointee.gr_gid
        guard chown(path, uid_t.max, gid) == 0 else {
            throw ServerError.bind("cannot give the LMTP socket \(path) to group \(group): errno \(errno)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        var info = stat()
        guard stat(directory, &info) == 0, info.st_uid == getuid(), (info.st_mode & 0o070) == 0 else { return }
        // The folder was private (a data folder is 0700): the group may now pass through it.
        if chown(directory, uid_t.max, gid) == 0 {
            _ = chmod(directory, (info.st_mode & 0o7777) | 0o010)
        }
    }
}
