import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A message written to a temporary file and fsynced, ready for `MailStore.append`.
public struct StagedMessage: Sendable, Equatable {
    public var url: URL
    /// Number of octets in the file (RFC822.SIZE).
    public var size: Int

    public init(url: URL, size: Int) {
        self.url = url
        self.size = size
    }

    public var path: String { url.path }

    /// Removes the file (when a staged message will not be appended after all).
    public func discard() {
        unlink(path)
    }
}

/// Streams incoming messages to temporary files in a directory (how the engines implement
/// `MailStore.stageMessage`).
public struct MessageStaging: Sendable {
    public let directory: URL
    /// Largest accepted message, in octets; writing more throws `.messageTooLarge`.
    public let maxSize: Int

    public init(directory: URL, maxSize: Int = 64 << 20) {
        self.directory = directory
        self.maxSize = maxSize
    }

    /// Creates a new, empty, private (0600) temporary file.
    public func begin() throws -> StagedMessageWriter {
        let name = RandomName.make()
        let url = directory.appendingPathComponent("\(name).part")
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw MailStoreError.internal("staging: cannot create \(url.path): errno \(errno)")
        }
        return StagedMessageWriter(fd: fd, url: url, maxSize: maxSize)
    }
}

/// Writes one staged message. Not thread-safe: owned by one connection. A writer that is neither
/// finished nor aborted removes its file when released.
public final class StagedMessageWriter {
    private var fd: Int32
    public let url: URL
    public let maxSize: Int
    public private(set) var size = 0
    private var done = false

    init(fd: Int32, url: URL, maxSize: Int) {
        self.fd = fd
        self.url = url
        self.maxSize = maxSize
    }

    deinit {
        if !done { abort() }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !done else { throw MailStoreError.internal("staging: write after finish") }
        guard size + bytes.count <= maxSize else {
            abort()
            throw MailStoreError.messageTooLarge
        }
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = systemWrite(fd, base, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                abort()
                throw MailStoreError.internal("staging: write failed: errno \(code)")
            }
            remaining -= n
            base += n
        }
        size += bytes.count
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    /// Flushes the file's bytes and size to disk and closes it. `fdatasync`, not `fsync`: it writes
    /// the data and the metadata needed to read it back (size, block map), and leaves out only times.
    /// The file's name is made durable by whoever renames it into place (a directory fsync).
    public func finish() throws -> StagedMessage {
        guard !done else { throw MailStoreError.internal("staging: finish after finish or abort") }
        while syncData(fd) != 0 {
            if errno == EINTR { continue }
            let code = errno
            abort()
            throw MailStoreError.internal("staging: fdatasync failed: errno \(code)")
        }
        close(fd)
        fd = -1
        done = true
        return StagedMessage(url: url, size: size)
    }

    /// Closes and removes the file. Safe to call more than once.
    public func abort() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        if !done {
            unlink(url.path)
            done = true
        }
    }
}

@inline(__always)
private func syncData(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
        return fdatasync(fd)
    #else
        return fsync(fd)
    #endif
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.write(fd, buffer, count)
    #else
        return Darwin.write(fd, buffer, count)
    #endif
}
