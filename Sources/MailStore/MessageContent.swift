import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A stored message opened for reading: its exact size, then its bytes in order.
///
/// A message is read straight into the `[UInt8]` the message model works on (no `Data` in between),
/// and a large one can be sent in pieces: FETCH of a 20 MB message starts writing after its first
/// chunk instead of after the whole file (`Benchmarks/run.sh bigmailbox`, first byte). Engines that keep content in files hand out the
/// open file (after `open`, an expunge that unlinks it does no harm); others hand out bytes.
///
/// Not thread-safe: one reader at a time (a session reads its own).
public final class MessageContent: @unchecked Sendable {
    /// The number of octets `read` delivers in total (RFC822.SIZE).
    public let size: Int
    private var source: Source
    private var offset = 0

    private enum Source {
        case memory([UInt8])
        case file(Int32)
        case closed
    }

    /// Reads above this size are moved off the caller's thread by `readAll()`.
    public static let inlineReadLimit = 256 * 1024

    public init(bytes: [UInt8]) {
        size = bytes.count
        source = .memory(bytes)
    }

    /// Takes ownership of an open file descriptor (closed when done or on deinit); `size` from `fstat`.
    /// Reads are positional (`pread`), so the descriptor may be a `dup` of one another reader holds.
    public init(fileDescriptor: Int32, size: Int) {
        self.size = size
        source = .file(fileDescriptor)
    }

    deinit {
        if case .file(let fd) = source { close(fd) }
    }

    /// The next at most `count` bytes; an empty array at the end. A file that ends before `size`
    /// octets is an error (the size may already have been sent as a literal's length).
    public func read(upTo count: Int) throws -> [UInt8] {
        let wanted = min(count, size - offset)
        guard wanted > 0 else {
            finish()
            return []
        }
        switch source {
        case .memory(let bytes):
            offset += wanted
            return Array(bytes[(offset - wanted)..<offset])
        case .file(let fd):
            let chunk: [UInt8]
            do {
                chunk = try Self.readExactly(fd, offset: offset, count: wanted)
            } catch {
                finish()
                throw error
            }
            offset += wanted
            return chunk
        case .closed:
            throw MailStoreError.internal("content already read")
        }
    }

    /// `count` bytes of `fd` at `offset`, read again after a short read or EINTR. A file that ends
    /// before them, or a failed read, is `.internal`.
    public static func readExactly(_ fd: Int32, offset: Int, count: Int) throws -> [UInt8] {
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            while initialized < count {
                let n = pread(fd, buffer.baseAddress! + initialized, count - initialized, off_t(offset + initialized))
                if n > 0 {
                    initialized += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    failure = n == 0 ? -1 : errno
                    return
                }
            }
        }
        guard failure == 0 else {
            throw MailStoreError.internal(
                failure == -1 ? "content file shorter than its size" : "content read failed: errno \(failure)")
        }
        return bytes
    }

    /// Skips the next `count` bytes (at most to the end) without reading them: a partial FETCH of a
    /// large message reads only its range.
    public func skip(_ count: Int) throws {
        let skipped = min(max(count, 0), size - offset)
        guard skipped > 0 else { return }
        if case .closed = source { throw MailStoreError.internal("content already read") }
        offset += skipped
    }

    /// `read(upTo:)`, moved off the caller's thread when more than `inlineReadLimit` bytes are read.
    public func readOffThread(upTo count: Int) async throws -> [UInt8] {
        if min(count, size - offset) <= Self.inlineReadLimit { return try read(upTo: count) }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.read(upTo: count) })
            }
        }
    }

    /// Everything not read yet. Large messages are read on a global queue, so the caller's thread
    /// (a session's event loop) is not held while megabytes are copied.
    public func readAll() async throws -> [UInt8] {
        try await readOffThread(upTo: size - offset)
    }

    private func finish() {
        if case .file(let fd) = source { close(fd) }
        source = .closed
    }
}
