import Foundation
import MailStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Content files: `blobs/<first 2 hex>/<32 hex>`, written once (by renaming a fsynced staged file),
/// never modified, shared by copies, unlinked once no row references them.
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
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Moves a staged (already fsynced) file into the store under a new id and makes the rename
    /// durable (fsync of the shard directory, and of `blobs/` when the shard is new). Returns the id
    /// and the file's real size.
    func place(_ staged: StagedMessage) throws -> (id: String, size: Int) {
        try placeAll([staged])[0]
    }

    /// `place` for several staged files, all or none: each distinct shard directory (and `blobs/`, when
    /// a shard was created) is fsynced once, after all renames. When one file cannot be placed, the
    /// files already moved are unlinked again (no row refers to them) and the error is thrown; the
    /// caller still owns the staged files that were not moved.
    func placeAll(_ staged: [StagedMessage]) throws -> [(id: String, size: Int)] {
        var placed: [(id: String, size: Int)] = []
        placed.reserveCapacity(staged.count)
        var shards: Set<String> = []
        var newShard = false
        do {
            for message in staged {
                var info = stat()
                guard stat(message.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                    throw MailStoreError.internal("blob: staged file missing: errno \(errno)")
                }
                let id = Self.newID()
                let shard = String(id.prefix(2))
                let shardURL = root.appendingPathComponent(shard, isDirectory: true)
                if mkdir(shardURL.path, 0o700) == 0 {
                    newShard = true
                } else if errno != EEXIST {
                    throw MailStoreError.internal("blob: mkdir \(shardURL.path) failed: errno \(errno)")
                }
                guard rename(message.path, shardURL.appendingPathComponent(id).path) == 0 else {
                    throw MailStoreError.internal("blob: rename into store failed: errno \(errno)")
                }
                placed.append((id, Int(info.st_size)))
                shards.insert(shard)
            }
            if newShard { try DurableFiles.syncDirectory(rootPath) }
            for shard in shards.sorted() {
                try DurableFiles.syncDirectory("\(rootPath)/\(shard)")
            }
        } catch {
            remove(placed.map(\.id))
            throw error
        }
        return placed
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
