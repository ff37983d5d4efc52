import Foundation
import MailStore

/// One folder found in an import source, with its messages (not read yet).
public struct SourceFolder: Sendable {
    /// The Postern mailbox name, relative to the import's target ("" is the target itself: INBOX
    /// unless `--folder` says otherwise).
    public var name: String
    public var messages: [SourceMessage]

    public init(name: String, messages: [SourceMessage]) {
        self.name = name
        self.messages = messages
    }
}

/// One message found in an import source: where it is, what it will be stored with, and what names
/// it among the source's messages (its import key is made from that).
public struct SourceMessage: Sendable {
    public enum Origin: Sendable {
        /// A whole file (Maildir, eml).
        case file(URL)
        /// A message of an mbox file (see `MboxFile.message(at:)`).
        case mbox(MboxFile, index: Int)
    }

    public var origin: Origin
    /// Unique within its folder of the source: the Maildir unique name, the path of an eml file, the
    /// position and content hash of an mbox message.
    public var identity: String
    /// The size on disk (for progress; the stored size may differ for mbox).
    public var size: Int
    public var flags: MessageFlags
    public var internalDate: Date

    public init(origin: Origin, identity: String, size: Int, flags: MessageFlags, internalDate: Date) {
        self.origin = origin
        self.identity = identity
        self.size = size
        self.flags = flags
        self.internalDate = internalDate
    }

    /// Where to say a bad message was: a path, or an mbox file and the message's number in it.
    public var location: String {
        switch origin {
        case .file(let url): return url.path
        case .mbox(let file, let index): return "\(file.url.path) (message \(index + 1))"
        }
    }

    /// The bytes to store: the file, or the mbox message unquoted without its metadata headers.
    /// Throws `TransferError` when it cannot be read or is larger than `maxSize`.
    public func content(maxSize: Int) throws -> [UInt8] {
        switch origin {
        case .file(let url):
            let data: Data
            do {
                data = try Data(contentsOf: url, options: .mappedIfSafe)
            } catch {
                throw TransferError.unreadable(url.path, Self.reason(error))
            }
            guard data.count <= maxSize else { throw TransferError.tooLarge(url.path, data.count) }
            return [UInt8](data)
        case .mbox(let file, let index):
            let bytes = file.message(at: index)
            guard bytes.count <= maxSize else { throw TransferError.tooLarge(location, bytes.count) }
            return bytes
        }
    }

    static func reason(_ error: Error) -> String {
        if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
            posix.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(posix.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain && ns.code == NSFileReadNoPermissionError { return "permission denied" }
        if ns.domain == NSCocoaErrorDomain && ns.code == NSFileReadNoSuchFileError { return "no such file" }
        return ns.localizedDescription
    }
}

/// What stops an import or export, or skips one message: always with the path concerned.
public enum TransferError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(String)
    case notADirectory(String)
    case unreadable(String, String)
    case tooLarge(String, Int)
    case notMaildir(String)
    case badName(String, String)
    case notEmpty(String)
    case writeFailed(String, String)

    public var description: String {
        switch self {
        case .notFound(let path): return "\(path): no such file or directory"
        case .notADirectory(let path): return "\(path): not a directory"
        case .unreadable(let path, let why): return "\(path): cannot read: \(why)"
        case .tooLarge(let path, let size): return "\(path): \(size) bytes, larger than the append limit"
        case .notMaildir(let path): return "\(path): not a Maildir (no cur/ or new/)"
        case .badName(let path, let why): return "\(path): folder name not usable: \(why)"
        case .notEmpty(let path): return "\(path): exists and is not empty (export never overwrites)"
        case .writeFailed(let path, let why): return "\(path): cannot write: \(why)"
        }
    }
}
