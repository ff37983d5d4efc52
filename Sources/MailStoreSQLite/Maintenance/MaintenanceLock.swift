import Foundation
import MailStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The data folder's lock (`<data>/postern.lock`, see `DirectoryLock`) as backup and check hold it.
///
/// Held shared, it keeps any process that opens the store later from running crash recovery (which
/// removes content files no row references) while a backup or a check looks at the files. Held
/// exclusively, it also says that no server or tool has the store open, so a file no row references is
/// truly an orphan and not a message being appended.
public final class MaintenanceLock: @unchecked Sendable {
    private let fd: Int32
    /// True while held exclusively (nobody else has the store open).
    public private(set) var isExclusive: Bool

    /// Takes the lock exclusively when `preferExclusive` and nobody else holds it, else shared
    /// (waiting for an exclusive holder, such as a store running crash recovery, to finish).
    public init(dataDirectory: URL, preferExclusive: Bool) throws {
        let path = dataDirectory.appendingPathComponent("postern.lock").path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MailStoreError.internal("cannot open \(path): errno \(errno)") }
        if preferExclusive && flock(fd, LOCK_EX | LOCK_NB) == 0 {
            isExclusive = true
            return
        }
        isExclusive = false
        try Self.lockShared(fd, path: path)
    }

    /// Turns an exclusive hold into a shared one (a store this process opens next can then lock too).
    public func downgrade() throws {
        guard isExclusive else { return }
        try Self.lockShared(fd, path: "postern.lock")
        isExclusive = false
    }

    private static func lockShared(_ fd: Int32, path: String) throws {
        while flock(fd, LOCK_SH) != 0 {
            if errno == EINTR { continue }
            let code = errno
            close(fd)
            throw MailStoreError.internal("cannot lock \(path): errno \(code)")
        }
    }

    deinit {
        close(fd)
    }
}
