import Foundation

/// Progress of an import or export: on a terminal, one line on standard error updated in place
/// (messages done of all, bytes, rate, time left); elsewhere nothing until the summary.
final class TransferProgress {
    let totalMessages: Int
    let totalBytes: Int
    let started = Date()
    private(set) var messages = 0
    private(set) var bytes = 0
    private let live = isatty(STDERR_FILENO) != 0
    private var lastDrawn = Date.distantPast
    /// Redraws at most this often.
    static let interval: TimeInterval = 0.2

    init(totalMessages: Int, totalBytes: Int) {
        self.totalMessages = totalMessages
        self.totalBytes = totalBytes
    }

    var seconds: Double { max(Date().timeIntervalSince(started), 0.001) }

    /// Counts messages done (imported, skipped or failed alike) and their bytes.
    func advance(messages: Int = 1, bytes: Int) {
        self.messages += messages
        self.bytes += bytes
        guard live, Date().timeIntervalSince(lastDrawn) >= Self.interval else { return }
        lastDrawn = Date()
        let rate = Double(self.messages) / seconds
        let left = rate > 0 ? Double(totalMessages - self.messages) / rate : 0
        let line =
            "\r\(self.messages)/\(totalMessages) messages  \(Self.megabytes(self.bytes))/\(Self.megabytes(totalBytes)) MB"
            + "  \(Int(rate)) msg/s  \(Self.megabytes(Int(Double(self.bytes) / seconds))) MB/s  ETA \(Self.clock(left))"
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    /// Clears the progress line (before the summary or a message).
    func clear() {
        guard live, lastDrawn != .distantPast else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_000_000) }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
