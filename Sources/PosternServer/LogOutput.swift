import Logging
import Synchronization

/// Installs the process's log handlers from the settings (once, before any logger is made), and
/// changes their levels later (a configuration reload on SIGHUP).
public enum LogOutput {
    /// The level of each subsystem, and of any other label, read by every handler at each log call:
    /// a logger made at start follows a reload. Levels are stored as their index in `Logger.Level`.
    final class Levels: Sendable {
        final class Cell: Sendable {
            let index: Atomic<Int>
            init(_ index: Int) { self.index = Atomic(index) }
            var level: Logger.Level { Logger.Level.allCases[index.load(ordering: .relaxed)] }
        }

        private let subsystems: [String: Cell]
        private let other: Cell

        init(_ settings: LogSettings) {
            var subsystems: [String: Cell] = [:]
            for name in LogSettings.subsystems {
                subsystems[name] = Cell(Self.index(settings.level(for: name)))
            }
            self.subsystems = subsystems
            other = Cell(Self.index(settings.level))
        }

        func level(for label: String) -> Logger.Level {
            cell(for: label).level
        }

        /// The cell a handler of `label` reads: looked up once, when the handler is made.
        func cell(for label: String) -> Cell {
            subsystems[label] ?? other
        }

        func update(_ settings: LogSettings) {
            for (name, cell) in subsystems {
                cell.index.store(Self.index(settings.level(for: name)), ordering: .relaxed)
            }
            other.index.store(Self.index(settings.level), ordering: .relaxed)
        }

        private static func index(_ level: Logger.Level) -> Int {
            Logger.Level.allCases.firstIndex(of: level) ?? 0
        }
    }

    private static let installed = Mutex<Levels?>(nil)

    public static func bootstrap(_ settings: LogSettings) {
        let levels = Levels(settings)
        installed.withLock { $0 = levels }
        LoggingSystem.bootstrap { label -> any LogHandler in
            switch settings.format {
            case .json:
                return LiveLevelHandler(JSONLogHandler(label: label, level: .trace), label: label, levels: levels)
            case .human:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .trace
                return LiveLevelHandler(handler, label: label, levels: levels)
            }
        }
    }

    /// Applies new levels to every logger (the format stays: it needs a restart).
    public static func update(_ settings: LogSettings) {
        installed.withLock { $0 }?.update(settings)
    }
}

/// A handler whose level is its subsystem's current one (`LogOutput.Levels`), unless a logger sets
/// its own; records pass to the wrapped handler.
struct LiveLevelHandler<Inner: LogHandler>: LogHandler {
    var inner: Inner
    let cell: LogOutput.Levels.Cell
    var ownLevel: Logger.Level?

    init(_ inner: Inner, label: String, levels: LogOutput.Levels) {
        self.inner = inner
        self.cell = levels.cell(for: label)
    }

    var logLevel: Logger.Level {
        get { ownLevel ?? cell.level }
        set { ownLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        inner.log(event: event)
    }
}
