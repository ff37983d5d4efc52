import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Writes each log record as one JSON object on one line: `time` (UTC, milliseconds), `level`,
/// `subsystem` (the logger's label), `message`, then the connection's fields under fixed names when
/// present (`session`, `client`, `account`, `command`, `duration_ms`, `result`) and any other
/// metadata under its own key. Control characters are escaped, so a value cannot break the line.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: @Sendable (String) -> Void

    /// Metadata keys the server uses for the client's address, shown as `client`.
    static let clientKeys = ["peer", "lmtp-peer", "managesieve-peer"]
    /// The account after login (`user`), shown as `account`.
    static let accountKey = "user"

    public init(label: String, level: Logger.Level, sink: @escaping @Sendable (String) -> Void = Self.standardError) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        sink(Self.line(time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged))
    }

    /// One record as a JSON line (with its newline).
    static func line(
        time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata
    ) -> String {
        var fields: [(String, String)] = [
            ("time", time.formatted(Self.timeFormat)), ("level", level.rawValue), ("subsystem", label),
            ("message", message),
        ]
        var rest = metadata
        if let session = rest.removeValue(forKey: "session") { fields.append(("session", "\(session)")) }
        for key in clientKeys {
            if let client = rest.removeValue(forKey: key) { fields.append(("client", "\(client)")) }
        }
        if let account = rest.removeValue(forKey: accountKey) { fields.append(("account", "\(account)")) }
        for key in ["command", "duration_ms", "result"] {
            if let value = rest.removeValue(forKey: key) { fields.append((key, "\(value)")) }
        }
        for key in rest.keys.sorted() { fields.append((key, "\(rest[key]!)")) }
        var out = "{"
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { out += "," }
            escape(key, into: &out)
            out += ":"
            if key == "duration_ms", Double(value) != nil {
                out += value
            } else {
                escape(value, into: &out)
            }
        }
        out += "}\n"
        return out
    }

    static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// A JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped.
    static func escape(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029:
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static let writeLock = Mutex(())

    /// One `write` per line under a lock: lines from several threads never interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        writeLock.withLock { _ in
            var bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return
                }
                offset += written
            }
            bytes.removeAll()
        }
    }
}
