import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File writes that survive a power cut: data is on disk only once the file is fsynced, and a name
/// created, renamed or removed in a directory only once that directory is fsynced.
public enum DurableFiles {
    /// fsyncs the directory at `path`, so that the entries made, renamed or removed in it are on disk.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw MailStoreError.internal("fsync: cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        try sync(fd, path)
    }

    /// Replaces (or creates) the file at `url` with `bytes` so that after a power cut it holds either
    /// its old content or the new one, never a part: the bytes go to a new file beside it, created
    /// with `mode` (never more open than that, not even for a moment), fsynced, renamed over `url`,
    /// and the directory is fsynced.
    public static func writeAtomically(_ bytes: [UInt8], to url: URL, mode: mode_t) throws {
        let directory = url.deletingLastPathComponent().path
        let temporary = url.path + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw MailStoreError.internal("cannot create \(temporary): errno \(errno)") }
        do {
            defer { close(fd) }
            try writeAll(bytes, to: fd, path: temporary)
            try sync(fd, temporary)
            guard rename(temporary, url.path) == 0 else {
                throw MailStoreError.internal("cannot rename \(temporary): errno \(errno)")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    /// Writes all of `bytes` to `fd` (retrying short writes and EINTR); `path` names it in errors.
    public static func writeAll(_ bytes: some ContiguousBytes, to fd: Int32, path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw MailStoreError.internal("cannot write \(path): errno \(errno)")
                }
                offset += n
            }
        }
    }

    /// Creates the directory at `url` (and missing parents) with `mode`, and fsyncs the parent of
    /// every directory it made so that they are all on disk.
    public static func makeDirectory(_ url: URL, mode: mode_t = 0o700) throws {
        var missing: [URL] = []
        var cursor = url.standardizedFileURL
        while !FileManager.default.fileExists(atPath: cursor.path), cursor.path != "/" {
            missing.append(cursor)
            cursor = cursor.deletingLastPathComponent()
        }
        for directory in missing.reversed() {
            if mkdir(directory.path, mode) != 0, errno != EEXIST {
                throw MailStoreError.internal("cannot create \(directory.path): errno \(errno)")
            }
            try syncDirectory(directory.deletingLastPathComponent().path)
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MailStoreError.internal("cannot create \(url.path)")
        }
    }

    private static func sync(_ fd: Int32, _ path: String) throws {
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw MailStoreError.internal("fsync of \(path) failed: errno \(errno)")
        }
    }
}
