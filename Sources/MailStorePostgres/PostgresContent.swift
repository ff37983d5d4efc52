import Crypto
import Foundation
import MailStore
import NIOCore
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Message content in the database: one `contents` row per distinct text (keyed by its SHA-256) and
/// its bytes in `content_chunks` rows of `Limits.chunkSize`, written and read one chunk at a time so
/// that a large message never sits whole in memory.
enum PostgresContent {
    /// SHA-256 of a staged file, read in chunks (blocking: call it off the event loop).
    static func hash(_ message: StagedMessage) throws -> [UInt8] {
        let fd = open(message.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MailStoreError.internal("staged file missing: \(message.url.lastPathComponent)") }
        defer { close(fd) }
        var hasher = SHA256()
        var offset = 0
        while offset < message.size {
            let chunk = try MessageContent.readExactly(
                fd, offset: offset, count: min(PostgresMailStore.Limits.chunkSize, message.size - offset))
            hasher.update(data: chunk)
            offset += chunk.count
        }
        return Array(hasher.finalize())
    }

    /// The content id of the staged message's text: the existing row when the same text is stored
    /// already (locked, so a concurrent last-reference removal waits for this transaction), else a new
    /// row whose chunks are streamed from the staged file.
    static func store(_ tx: Transaction, _ message: StagedMessage, hash: [UInt8]) async throws -> Int64 {
        guard
            let row = try await tx.row(
                """
                INSERT INTO contents (sha256, size) VALUES (\(PGBytes.buffer(hash)), \(Int64(message.size)))
                ON CONFLICT (sha256) DO UPDATE SET size = contents.size
                RETURNING id, (xmax::text = '0')
                """)
        else { throw MailStoreError.internal("content insert returned nothing") }
        let (id, inserted) = try row.decode((Int64, Bool).self)
        if inserted { try await writeChunks(tx, id, message) }
        return id
    }

    private static func writeChunks(_ tx: Transaction, _ id: Int64, _ message: StagedMessage) async throws {
        let fd = open(message.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MailStoreError.internal("staged file missing: \(message.url.lastPathComponent)") }
        defer { close(fd) }
        var offset = 0
        var seq: Int32 = 0
        repeat {
            let count = min(PostgresMailStore.Limits.chunkSize, message.size - offset)
            let start = offset
            let chunk =
                count > MessageContent.inlineReadLimit / 4
                ? try await offLoop { try MessageContent.readExactly(fd, offset: start, count: count) }
                : try MessageContent.readExactly(fd, offset: start, count: count)
            try await tx.rows(
                "INSERT INTO content_chunks (content_id, seq, data) VALUES (\(id), \(seq), \(ByteBuffer(bytes: chunk)))"
            )
            offset += count
            seq += 1
        } while offset < message.size
    }

    /// Stores (or replaces) the parse result of the message `emailID` and its copies.
    static func setStructure(_ tx: Transaction, emailID: Int64, _ structure: MessageStructure) async throws {
        let derived = structure.derived
        let texts = derived?.texts.map { PGBytes.buffer($0) }
        try await tx.rows(
            """
            INSERT INTO structures (email_id, version, data, derived_version, derived_0, derived_1, derived_2)
            VALUES (\(emailID), \(Int32(structure.version)), \(PGBytes.buffer(structure.data)),
                \(derived.map { Int32($0.version) }), \(texts?[0]), \(texts?[1]), \(texts?[2]))
            ON CONFLICT (email_id) DO UPDATE SET version = excluded.version, data = excluded.data,
                derived_version = excluded.derived_version, derived_0 = excluded.derived_0,
                derived_1 = excluded.derived_1, derived_2 = excluded.derived_2
            """)
    }

    /// The whole text of a content, chunk by chunk into one array.
    static func bytes(_ tx: Transaction, content: Int64, size: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        let rows = try await tx.connection.query(
            "SELECT data FROM content_chunks WHERE content_id = \(content) ORDER BY seq", logger: tx.logger)
        for try await data in rows.decode(ByteBuffer.self) { bytes.append(contentsOf: data.readableBytesView) }
        guard bytes.count == size else { throw MailStoreError.internal("content shorter than its size") }
        return bytes
    }

    /// A content opened for reading: a message of one chunk in memory; a larger one spooled chunk by
    /// chunk into an unlinked temporary file (one chunk in memory at a time), which the reader then
    /// reads in pieces like a content file of the embedded engine.
    static func openReader(
        _ tx: Transaction, content: Int64, size: Int, spoolDirectory: URL
    ) async throws -> MessageContent {
        if size <= PostgresMailStore.Limits.chunkSize {
            return MessageContent(bytes: try await bytes(tx, content: content, size: size))
        }
        let path = spoolDirectory.appendingPathComponent("read-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MailStoreError.internal("cannot create a spool file: errno \(errno)") }
        unlink(path)
        var written = 0
        do {
            let rows = try await tx.connection.query(
                "SELECT data FROM content_chunks WHERE content_id = \(content) ORDER BY seq", logger: tx.logger)
            for try await data in rows.decode(ByteBuffer.self) {
                let chunk = Array(data.readableBytesView)
                let at = written
                try await offLoop { try writeAll(fd, chunk, at: at) }
                written += chunk.count
            }
        } catch {
            close(fd)
            throw error
        }
        guard written == size else {
            close(fd)
            throw MailStoreError.internal("content shorter than its size")
        }
        return MessageContent(fileDescriptor: fd, size: size)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw MailStoreError.internal("spool write failed: errno \(errno)")
                }
                done += n
            }
        }
    }
}
