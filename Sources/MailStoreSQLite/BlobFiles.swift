import Foundation
import MailStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Content files: `blobs/<first 2 hex>/<32 hex>`, written once (by renaming a synced staged file and
/// syncing the directory before any row refers to it), never modified, shared by copies, unlinked once
/// no row references them.
struct BlobFiles: Sendable {
    let root: URL
    /// `root`'s path, for building file paths as strings: `URL.appendingPathComponent` costs a
    /// `stat` to learn whether the result is a directory, on every read of a message.
    private let rootPath: String

    init(root: URL) {
        self.root = root
        rootPath = root.path
    }

    /// `<root>/<first 2 hex>/<id>`.
    func path(of id: String) -> String {
        "\(rootPath)/\(id.prefix(2))/\(id)"
    }

    static func newID() -> String {
        RandomName.make()
    }

    /// Files renamed into the store whose renames are not durable yet: until every directory of
    /// `directories` is fsynced, no row may refer to them.
    struct MovedIn: Sendable {
        var files: [(id: String, size: Int)] = []
        /// Shard directories that received a file, and `blobs/` itself when a shard was created.
        var directories: Set<String> = []
    }

    /// Renames staged files into the store, all or none, without syncing any directory (the caller
    /// does, once for everything it moved: see `GroupCommitWriter.Effects.syncDirectories`). When one
    /// file cannot be moved, the files already moved are unlinked again and the error is thrown; the
    /// caller still owns the staged files that were not moved.
    func moveIn(_ staged: [StagedMessage]) throws -> MovedIn {
        var moved = MovedIn()
        moved.files.reserveCapacity(staged.count)
        do {
            for message in staged {
                var info = stat()
                guard stat(message.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                    throw MailStoreError.internal("blob: staged file missing: errno \(errno)")
                }
                let id = Self.newID()
                let shard = "\(rootPath)/\(id.prefix(2))"
                let target = "\(shard)/\(id)"
                // The shard usually exists: try the rename first, create the shard only when it is missing.
                if rename(message.path, target) != 0 {
                    guard errno == ENOENT else {
                        throw MailStoreError.internal("blob: rename into store failed: errno \(errno)")
                    }
                    if mkdir(shard, 0o700) == 0 {
                        moved.directories.insert(rootPath)
                    } else if errno != EEXIST {
                        throw MailStoreError.internal("blob: mkdir \(shard) failed: errno \(errno)")
                    }
                    guard rename(message.path, target) == 0 else {
                        throw MailStoreError.internal("blob: rename into store failed: errno \(errno)")
                    }
                }
                moved.files.append((id, Int(info.st_size)))
                moved.directories.insert(shard)
            }
        } catch {
            remove(moved.files.map(\.id))
            throw error
        }
        return moved
    }

    /// Opens a content file for reading, with its size.
    func openForReading(_ id: String) throws -> MessageContent {
        let (fd, size) = try openDescriptor(id)
        return MessageContent(fileDescriptor: fd, size: size)
    }

    /// Opens a content file: the descriptor (the caller closes it) and the file's size.
    func openDescriptor(_ id: String) throws -> (fd: Int32, size: Int) {
        let fd = openReadOnly(path(of: id))
        guard fd >= 0 else { throw MailStoreError.internal("blob: cannot open \(id): errno \(errno)") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = errno
            close(fd)
            throw MailStoreError.internal("blob: cannot stat \(id): errno \(error)")
        }
        return (fd, Int(info.st_size))
    }

    /// Unlinks content files (already known to be unreferenced by committed, synced rows). The
    /// directory is not fsynced: a file whose unlink a power cut undoes is swept on the next open.
    func remove(_ ids: [String]) {
        for id in ids { unlink(path(of: id)) }
    }

    /// Every content file id present on disk.
    func allIDs() -> [String] {
        let fm = FileManager.default
        guard let shards = try? fm.contentsOfDirectory(atPath: root.path) else { return [] }
        var ids: [String] = []
        for shard in shards where shard.utf8.count == 2 {
            let files = (try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(shard).path)) ?? []
            ids.append(contentsOf: files.filter { $0.hasPrefix(shard) })
        }
        return ids
    }
}

/// An advisory lock on `<data>/postern.lock` held for the life of a store. Crash recovery (removing
/// staged files and unreferenced blobs) is only safe when no other process has the store open, so it
/// runs only when the lock can be taken exclusively; the lock is then held shared.
final class DirectoryLock: @unchecked Sendable {
    private let fd: Int32
    let isExclusiveOwner: Bool

    /// Takes the lock; `recover` runs while it is held exclusively (only when nobody else holds it).
    init(url: URL, recover: () throws -> Void) throws {
        fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MailStoreError.internal("cannot open \(url.path): errno \(errno)") }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            isExclusiveOwner = true
            do {
                try recover()
            } catch {
                close(fd)
                throw error
            }
        } else {
            isExclusiveOwner = false
        }
        while flock(fd, LOCK_SH) != 0 {
            if errno == EINTR { continue }
            let code = errno
            close(fd)
            throw MailStoreError.internal("cannot lock \(url.path): errno \(code)")
        }
    }

    deinit {
        close(fd)
    }
}

private func openReadOnly(_ path: String) -> Int32 {
    #if canImport(Glibc)
        Glibc.open(path, O_RDONLY | O_CLOEXEC)
    #else
        Darwin.open(path, O_RDONLY | O_CLOEXEC)
    #endif
}
