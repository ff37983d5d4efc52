/// What a configuration key holds: the shape its value must have in the file, in a `POSTERN_*`
/// environment variable and on the command line. The checks here are the shape only; what a value
/// means (an address that parses, a network, a level) is checked where the value is applied.
public enum ConfigValueType: Sendable, Equatable {
    case string
    case path
    case integer(ClosedRange<Int>)
    case number
    case bool
    /// `HOST:PORT`, `[IPv6]:PORT` or `off`: one string or an array of them.
    case listeners
    /// One `HOST:PORT` or `off`.
    case listener
    /// Networks like `10.0.0.0/8`: an array (a comma-separated list in the environment).
    case networks
    /// An array of strings (a comma-separated list in the environment).
    case strings
    /// One string or an array of them (paths of Sieve scripts).
    case stringOrStrings
    /// A number of bytes, or a size like "2G".
    case size
    /// One of a few words.
    case choice([String])
    /// A table of its own, only in the file (`[aliases]`).
    case table

    /// How `postern config keys` and error messages name the type.
    public var name: String {
        switch self {
        case .string: "string"
        case .path: "path"
        case .integer(let range):
            range.upperBound == Int.max
                ? "integer >= \(range.lowerBound)" : "integer \(range.lowerBound)-\(range.upperBound)"
        case .number: "number > 0"
        case .bool: "true or false"
        case .listeners: "HOST:PORT list or off"
        case .listener: "HOST:PORT or off"
        case .networks: "network list"
        case .strings: "string list"
        case .stringOrStrings: "string or list"
        case .size: "size (bytes, K, M, G)"
        case .choice(let words): words.joined(separator: "|")
        case .table: "table"
        }
    }

    /// What a value of the wrong shape is told (`expected ...`).
    public var expectation: String {
        switch self {
        case .string, .path: "expected a string"
        case .integer: "expected an integer \(name.dropFirst("integer ".count))"
        case .number: "expected a positive number"
        case .bool: "expected true or false"
        case .listeners: "expected \"HOST:PORT\", an array of them, or \"off\""
        case .listener: "expected \"HOST:PORT\" or \"off\""
        case .networks: "expected an array of networks like \"10.0.0.0/8\""
        case .strings: "expected an array of strings"
        case .stringOrStrings: "expected a string or an array of strings"
        case .size: "expected a size like \"2G\", \"500M\" or a number of bytes"
        case .choice(let words): "expected one of \(words.joined(separator: ", "))"
        case .table: "expected a table"
        }
    }
}

/// One configuration key: its name in the file (dotted inside a table: `sieve.relay`), its type, its
/// default as shown to the user, what it does, whether SIGHUP applies a change of it to the running
/// server, and whether its value is masked when shown.
public struct ConfigKeySpec: Sendable, Equatable {
    public var name: String
    public var type: ConfigValueType
    public var defaultValue: String
    public var summary: String
    public var reloadable: Bool
    public var secret: Bool

    init(
        _ name: String, _ type: ConfigValueType, _ defaultValue: String, _ summary: String,
        reloadable: Bool = false, secret: Bool = false
    ) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.summary = summary
        self.reloadable = reloadable
        self.secret = secret
    }

    /// The environment variable that sets it: `POSTERN_` and the name in capitals, dots as
    /// underscores (`sieve.relay` is `POSTERN_SIEVE_RELAY`). Nil for tables, which only the file sets.
    public var environmentName: String? {
        if type == .table { return nil }
        return "POSTERN_" + name.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}
