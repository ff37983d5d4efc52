import Logging
import Synchronization
import Testing

@testable import PosternServer

/// Log levels that a configuration reload changes under loggers already made.
@Suite struct LiveLogLevelTests {
    @Test func levelsFollowAnUpdate() throws {
        var settings = LogSettings()
        settings.level = .info
        try settings.setLevel("warning", for: "imap")
        let levels = LogOutput.Levels(settings)
        #expect(levels.level(for: "imap") == .warning)
        #expect(levels.level(for: "store") == .info)
        #expect(levels.level(for: "not-a-subsystem") == .info)

        var handler = LiveLevelHandler(
            JSONLogHandler(label: "imap", level: .trace, sink: { _ in }), label: "imap", levels: levels)
        #expect(handler.logLevel == .warning)

        var next = LogSettings()
        next.level = .error
        try next.setLevel("debug", for: "imap")
        levels.update(next)
        #expect(handler.logLevel == .debug)
        #expect(levels.level(for: "store") == .error)
        #expect(levels.level(for: "not-a-subsystem") == .error)

        // A logger that sets its own level keeps it.
        handler.logLevel = .critical
        levels.update(settings)
        #expect(handler.logLevel == .critical)
    }

    @Test func recordsReachTheWrappedHandler() {
        let lines = LineSink()
        let levels = LogOutput.Levels(LogSettings())
        let handler = LiveLevelHandler(
            JSONLogHandler(label: "tls", level: .trace, sink: { lines.append($0) }), label: "tls", levels: levels)
        var logger = Logger(label: "tls", factory: { _ in handler })
        logger[metadataKey: "k"] = "v"
        logger.debug("hidden")
        logger.info("shown")
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains("\"message\":\"shown\"") == true)
        #expect(lines.all.first?.contains("\"k\":\"v\"") == true)
    }
}

final class LineSink: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
