import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A one-line progress display on standard error (messages, bytes, rate, time left), redrawn in
/// place at most a few times a second; nothing at all when standard error is not a terminal.
final class ProgressLine {
    private let enabled: Bool
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private(set) var totalMessages = 0
    private(set) var totalBytes: Int64 = 0
    private(set) var messages = 0
    private(set) var bytes: Int64 = 0

    init(enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.enabled = enabled
    }

    func expect(messages: Int, bytes: Int64) {
        totalMessages += messages
        totalBytes += bytes
    }

    func advance(messages: Int, bytes: Int64) {
        self.messages += messages
        self.bytes += bytes
        draw(force: false)
    }

    /// Seconds since the start.
    var elapsed: TimeInterval { Date().timeIntervalSince(started) }

    /// Bytes per second so far.
    var rate: Double { elapsed > 0 ? Double(bytes) / elapsed : 0 }

    func draw(force: Bool) {
        guard enabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDrawn) >= 0.2 else { return }
        lastDrawn = now
        var text = "\(messages)/\(totalMessages) messages, \(Self.size(bytes))/\(Self.size(totalBytes))"
        text += ", \(Self.size(Int64(rate)))/s"
        if rate > 0, totalBytes > bytes {
            text += ", \(Self.duration(Double(totalBytes - bytes) / rate)) left"
        }
        FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
    }

    /// Removes the line (before the summary is printed).
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, (total % 3600) / 60, total % 60)
        return hours > 0
            ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
    }
}
