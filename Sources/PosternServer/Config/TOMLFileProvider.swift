import Configuration
import Foundation
import TOMLKit

/// The TOML config file as a swift-configuration provider, parsed by TOMLKit. Tables are flattened to
/// dotted keys (`[sieve] relay = ...` is `sieve.relay`, `[aliases] sales = ...` is `aliases.sales`),
/// and the line of each key is kept for error messages (`config.toml:12: key: ...`).
///
/// A lookup converts only where the meaning is plain: one string where a list is asked for is a list of
/// one, an integer where a number or a size is asked for is taken as one. Anything else of
/// the wrong type throws `ConfigShapeError`, which the reader reports with the line.
public struct TOMLFileProvider: ConfigProvider, ConfigSnapshot {
    /// One key of the file: its value (nil: a TOML value of no shape a key takes, such as a date, a
    /// mixed array or a table where a value belongs) and its line.
    public struct Entry: Sendable, Equatable {
        public var content: ConfigContent?
        public var line: Int?
    }

    public let path: String
    public let entries: [String: Entry]
    public var providerName: String { "file \(path)" }

    /// Reads and parses `path`; a file that cannot be read or parsed throws a `ConfigProblem` (with the
    /// line of a syntax error).
    public init(path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigProblem(
                place: path, key: nil, message: "cannot read the config file: \(error.localizedDescription)")
        }
        try self.init(path: path, text: text)
    }

    public init(path: String, text: String) throws {
        self.path = path
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigProblem(
                place: "\(path):\(error.source.begin.line)", key: nil, message: "not valid TOML: \(error.description)")
        } catch {
            throw ConfigProblem(place: path, key: nil, message: "not valid TOML: \(error)")
        }
        let lines = TOMLKeyLines.scan(text)
        var entries: [String: Entry] = [:]
        Self.flatten(table, prefix: "", lines: lines, into: &entries)
        self.entries = entries
    }

    /// The file line of `name`, or of the nearest enclosing key that has one (an inline table).
    public func line(of name: String) -> Int? {
        var components = name.split(separator: ".").map(String.init)
        while !components.isEmpty {
            if let line = entries[components.joined(separator: ".")]?.line { return line }
            components.removeLast()
        }
        return nil
    }

    private static func flatten(
        _ table: TOMLTable, prefix: String, lines: [String: Int], into entries: inout [String: Entry]
    ) {
        for key in table.keys {
            guard let value = table[key] else { continue }
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let inner = value.table, ConfigKeys.tables.contains(name) || name == "aliases" {
                flatten(inner, prefix: name, lines: lines, into: &entries)
                continue
            }
            entries[name] = Entry(content: content(of: value), line: lines[name])
        }
    }

    private static func content(of value: any TOMLValueConvertible) -> ConfigContent? {
        if let text = value.string { return .string(text) }
        if let bool = value.bool { return .bool(bool) }
        if let int = value.int { return .int(int) }
        if let double = value.double { return .double(double) }
        if let array = value.array {
            let strings = array.compactMap(\.string)
            if strings.count == array.count { return .stringArray(strings) }
            let ints = array.compactMap(\.int)
            if ints.count == array.count { return .intArray(ints) }
        }
        return nil
    }

    // MARK: ConfigProvider

    public func value(forKey key: AbsoluteConfigKey, type: ConfigType) throws -> LookupResult {
        let name = key.components.joined(separator: ".")
        guard let entry = entries[name] else { return LookupResult(encodedKey: name, value: nil) }
        let spec = ConfigKeys.spec(name)
        guard let content = entry.content, let converted = Self.convert(content, to: type, size: spec?.type == .size)
        else {
            throw ConfigShapeError(key: name, line: entry.line)
        }
        return LookupResult(encodedKey: name, value: ConfigValue(converted, isSecret: spec?.secret ?? false))
    }

    /// `content` as `type`, where the meaning is plain; `size`: the key takes a size, which a number
    /// of bytes also is.
    static func convert(_ content: ConfigContent, to type: ConfigType, size: Bool) -> ConfigContent? {
        switch (content, type) {
        case (.string(let text), .stringArray): .stringArray([text])
        case (.int(let number), .double): .double(Double(number))
        case (.int(let number), .string) where size: .string(String(number))
        case (.stringArray([]), .intArray): .intArray([])
        case (.intArray([]), .stringArray): .stringArray([])
        default: content.typeName == type.rawValue ? content : nil
        }
    }

    public func fetchValue(forKey key: AbsoluteConfigKey, type: ConfigType) async throws -> LookupResult {
        try value(forKey: key, type: type)
    }

    nonisolated(nonsending) public func watchValue<Return: ~Copyable>(
        forKey key: AbsoluteConfigKey, type: ConfigType,
        updatesHandler:
            nonisolated(nonsending) (ConfigUpdatesAsyncSequence<Result<LookupResult, any Error>, Never>)
            async throws -> Return
    ) async throws -> Return {
        try await watchValueFromValue(forKey: key, type: type, updatesHandler: updatesHandler)
    }

    public func snapshot() -> any ConfigSnapshot { self }

    nonisolated(nonsending) public func watchSnapshot<Return: ~Copyable>(
        updatesHandler:
            nonisolated(nonsending) (ConfigUpdatesAsyncSequence<any ConfigSnapshot, Never>) async throws
            -> Return
    ) async throws -> Return {
        try await watchSnapshotFromSnapshot(updatesHandler: updatesHandler)
    }
}

/// A file value whose type is not the one its key takes.
public struct ConfigShapeError: Error, Sendable {
    public var key: String
    public var line: Int?
}

extension ConfigContent {
    /// The name of its `ConfigType`.
    var typeName: String {
        switch self {
        case .string: ConfigType.string.rawValue
        case .int: ConfigType.int.rawValue
        case .double: ConfigType.double.rawValue
        case .bool: ConfigType.bool.rawValue
        case .bytes: ConfigType.bytes.rawValue
        case .stringArray: ConfigType.stringArray.rawValue
        case .intArray: ConfigType.intArray.rawValue
        case .doubleArray: ConfigType.doubleArray.rawValue
        case .boolArray: ConfigType.boolArray.rawValue
        case .byteChunkArray: ConfigType.byteChunkArray.rawValue
        }
    }
}
