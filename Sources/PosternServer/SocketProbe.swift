import Foundation
import MailStore

#if canImport(Glibc)
    import Glibc
#endif

/// Unix-socket file chores of the LMTP listener.
enum SocketProbe {
    /// Whether some process accepts connections on the socket at `path` (a leftover file of a server
    /// that is gone refuses them).
    static func isListening(_ path: String) -> Bool {
        guard let fd = UnixSocket.connect(path) else { return false }
        close(fd)
        return true
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
