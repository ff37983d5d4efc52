import Configuration

/// Where an effective value came from.
public enum ConfigOrigin: Sendable, Equatable, CustomStringConvertible {
    case defaultValue
    case file(path: String, line: Int?)
    case environment(String)
    case flag(String)

    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .file(let path, let line): line.map { "\(path):\($0)" } ?? path
        case .environment(let name): "env \(name)"
        case .flag(let name): "flag \(name)"
        }
    }
}

/// One thing wrong with the configuration, printed as one line: `PLACE: KEY: MESSAGE`, where the
/// place is the file and line, the environment variable or the flag.
public struct ConfigProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var place: String?
    public var key: String?
    public var message: String

    public init(place: String?, key: String?, message: String) {
        self.place = place
        self.key = key
        self.message = message
    }

    init(origin: ConfigOrigin, key: String?, message: String) {
        let place: String? =
            switch origin {
            case .defaultValue: nil
            case .file: origin.description
            case .environment(let name), .flag(let name): name
            }
        self.init(place: place, key: key, message: message)
    }

    public var description: String {
        [place, key, message].compactMap { $0 }.joined(separator: ": ")
    }

    /// Problems of the file first, by line, then those of the environment and the flags.
    static func inFileOrder(_ a: ConfigProblem, _ b: ConfigProblem) -> Bool {
        a.order < b.order
    }

    private var order: (Int, Int, String) {
        guard let place else { return (2, 0, description) }
        if let colon = place.lastIndex(of: ":"), let line = Int(place[place.index(after: colon)...]) {
            return (0, line, description)
        }
        return (1, 0, description)
    }
}

/// Several problems at once (`postern config check` lists them all; `serve` prints the first).
public struct ConfigProblems: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}

/// One key's effective value and where it came from.
public struct ConfigSetting: Sendable, Equatable {
    public var spec: ConfigKeySpec
    /// The key's full name (for `aliases.NAME`, not the spec's).
    public var name: String
    public var content: ConfigContent?
    public var origin: ConfigOrigin

    /// The value as `config show` prints it: TOML-like, a secret masked, a default as documented.
    public var shown: String {
        guard let content else { return spec.defaultValue.isEmpty ? "(none)" : spec.defaultValue }
        let text = Self.render(content)
        return spec.secret ? Self.mask(text) : text
    }

    static func render(_ content: ConfigContent) -> String {
        switch content {
        case .string(let text): quote(text)
        case .int(let number): String(number)
        case .double(let number): String(number)
        case .bool(let flag): String(flag)
        case .stringArray(let items): "[" + items.map(quote).joined(separator: ", ") + "]"
        case .intArray(let items): "[" + items.map(String.init).joined(separator: ", ") + "]"
        default: "(unsupported)"
        }
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u" + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A secret shown without its secret part: the password of a URL's user information, else all of it.
    static func mask(_ text: String) -> String {
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") {
            let userInfo = text[scheme.upperBound..<at]
            guard let colon = userInfo.firstIndex(of: ":") else { return text }
            return String(text[..<colon]) + ":********" + String(text[at...])
        }
        return "\"********\""
    }
}
