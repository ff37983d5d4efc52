import Crypto
import Foundation
import MailStore

/// An mbox file read for import (RFC 4155 and the mboxrd/mboxo/mboxcl conventions):
///
///     mbox       = *( from-line message )
///     from-line  = "From " sender SP date-time [ SP zone ] LF   ; asctime: "Wed Dec  6 07:34:07 2026"
///     message    = headers LF body [ LF ]                        ; the blank line before the next From_
///
/// A line starting with "From " begins the next message, unless the message's `Content-Length:` says
/// exactly where it ends (mboxcl2: the body is taken as it is). Otherwise body lines are unquoted the
/// mboxrd way (">From " → "From ", ">>From " → ">From "; an mboxo file's quoting is the same at one
/// level). The metadata headers (`Status:`, `X-Status:`, `X-Keywords:`, `X-UID:`, `Content-Length:`,
/// `X-IMAP:`, `X-IMAPbase:`) give the flags and are removed from the stored message; the internal
/// date is the From_ line's. The folder-data pseudo message some writers put first is skipped.
public final class MboxFile: Sendable {
    public let url: URL
    let data: Data
    let entries: [Entry]

    struct Entry: Sendable {
        /// The message's bytes in the file: headers from `start`, body from `bodyStart` to `end`.
        var start: Int
        var bodyStart: Int
        var end: Int
        /// Body lines are unquoted (no valid Content-Length was followed).
        var quoted: Bool
    }

    public static let metadataHeaders: Set<String> = [
        "status", "x-status", "x-keywords", "x-uid", "content-length", "x-imap", "x-imapbase",
    ]

    /// Reads and splits the file (mapped, not copied). Throws `TransferError` when it cannot be read
    /// or does not start with a From_ line.
    public static func read(_ url: URL) throws -> (file: MboxFile, messages: [SourceMessage]) {
        guard let info = FileSystem.entry(url.path) else { throw TransferError.notFound(url.path) }
        guard info.isRegular else { throw TransferError.unreadable(url.path, "not a regular file") }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw TransferError.unreadable(url.path, SourceMessage.reason(error))
        }
        let fallback = Date(timeIntervalSince1970: Double(info.modified))
        let scanned = try data.withUnsafeBytes { raw in
            try scan(raw.bindMemory(to: UInt8.self), path: url.path, fallbackDate: fallback)
        }
        let file = MboxFile(url: url, data: data, entries: scanned.map(\.entry))
        let messages = scanned.enumerated().map { index, found in
            SourceMessage(
                origin: .mbox(file, index: index), identity: "\(index)-\(found.headerHash)",
                size: found.entry.end - found.entry.start, flags: found.flags, internalDate: found.date)
        }
        return (file, messages)
    }

    init(url: URL, data: Data, entries: [Entry]) {
        self.url = url
        self.data = data
        self.entries = entries
    }

    /// The message as it is stored: metadata headers removed, body unquoted unless Content-Length
    /// delimited it.
    public func message(at index: Int) -> [UInt8] {
        let entry = entries[index]
        return data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var out: [UInt8] = []
            out.reserveCapacity(entry.end - entry.start)
            MboxLines.forEachLine(bytes, from: entry.start, to: entry.bodyStart, unfolded: true) { line, _ in
                guard !Self.isMetadata(line, in: bytes) else { return }
                out.append(contentsOf: entry.quoted ? MboxLines.unquoted(bytes, line) : bytes[line])
            }
            if entry.quoted {
                MboxLines.forEachLine(bytes, from: entry.bodyStart, to: entry.end, unfolded: false) { line, _ in
                    out.append(contentsOf: MboxLines.unquoted(bytes, line))
                }
            } else {
                out.append(contentsOf: bytes[entry.bodyStart..<entry.end])
            }
            return out
        }
    }

    static func isMetadata(_ line: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let name = MboxLines.headerName(bytes, line) else { return false }
        return metadataHeaders.contains(name)
    }

    struct Scanned {
        var entry: Entry
        var flags: MessageFlags
        var date: Date
        var headerHash: String
    }

    static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, path: String, fallbackDate: Date
    ) throws -> [Scanned] {
        guard !bytes.isEmpty else { return [] }
        guard MboxLines.isFromLine(bytes, at: 0) else {
            throw TransferError.unreadable(path, "not an mbox file (does not start with \"From \")")
        }
        var found: [Scanned] = []
        var position = 0
        while position < bytes.count {
            let fromEnd = MboxLines.lineEnd(bytes, from: position)
            let date = FromLine.date(bytes[position..<fromEnd]) ?? fallbackDate
            let start = min(fromEnd + 1, bytes.count)
            let headers = MboxHeaders.read(bytes, from: start)
            let bodyStart = headers.bodyStart
            var end: Int
            var next: Int
            var quoted = true
            if let length = headers.contentLength, let stop = delimited(bytes, bodyStart: bodyStart, length: length) {
                (end, next, quoted) = (bodyStart + length, stop, false)
            } else {
                next = MboxLines.nextFromLine(bytes, after: bodyStart)
                end = next
                // The blank line before the next From_ (or at the end of the file) is the separator's.
                if end - start >= 2 && bytes[end - 1] == 0x0A && bytes[end - 2] == 0x0A { end -= 1 }
            }
            end = max(end, bodyStart)
            if !(found.isEmpty && headers.isFolderData) {
                let digest = SHA256.hash(
                    data: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<bodyStart])))
                found.append(
                    Scanned(
                        entry: Entry(start: start, bodyStart: bodyStart, end: end, quoted: quoted),
                        flags: headers.flags, date: date,
                        headerHash: digest.prefix(12).map { String(format: "%02x", $0) }.joined()))
            }
            position = next
        }
        return found
    }

    /// Where the next message starts when the body is `length` bytes: the end of the file, or a
    /// From_ line after at most one blank line. Nil when Content-Length does not fit the file.
    static func delimited(_ bytes: UnsafeBufferPointer<UInt8>, bodyStart: Int, length: Int) -> Int? {
        guard length >= 0, bodyStart + length <= bytes.count else { return nil }
        var next = bodyStart + length
        if next == bytes.count { return next }
        if bytes[next] == 0x0A {
            next += 1
        } else if bytes[next] == 0x0D, next + 1 < bytes.count, bytes[next + 1] == 0x0A {
            next += 2
        }
        if next == bytes.count || MboxLines.isFromLine(bytes, at: next) { return next }
        return nil
    }
}
