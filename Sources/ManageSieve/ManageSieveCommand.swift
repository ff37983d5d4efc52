/// A ManageSieve command (RFC 5804 §2), decoded from the tokens of one line.
public enum ManageSieveCommand: Equatable, Sendable {
    /// RFC 5804 §2.1: the mechanism and the initial response (base64 text), if any.
    case authenticate(mechanism: String, initialResponse: [UInt8]?)
    case startTLS
    case logout
    case capability
    case haveSpace(name: String, size: Int)
    case putScript(name: String, source: [UInt8])
    case listScripts
    case setActive(name: String)
    case getScript(name: String)
    case deleteScript(name: String)
    case renameScript(from: String, to: String)
    case checkScript(source: [UInt8])
    case noop(tag: [UInt8]?)
    case unauthenticate

    /// Decodes a command line (command names are case-insensitive atoms; the arguments as RFC 5804 §4
    /// gives them):
    ///
    ///     command-authenticate = "AUTHENTICATE" SP auth-type [SP string] CRLF   ; auth-type = string
    ///     command-havespace    = "HAVESPACE" SP sieve-name SP number CRLF
    ///     command-putscript    = "PUTSCRIPT" SP sieve-name SP sieve-script CRLF
    ///     command-getscript / command-deletescript / command-setactive = NAME SP sieve-name CRLF
    ///     command-renamescript = "RENAMESCRIPT" SP old-sieve-name SP new-sieve-name CRLF
    ///     command-checkscript  = "CHECKSCRIPT" SP sieve-script CRLF
    ///     command-noop         = "NOOP" [SP string] CRLF
    ///     the others           = NAME CRLF
    ///     sieve-name           = string   ; UTF-8
    ///     number               = 1*DIGIT  ; < 4,294,967,296
    public static func decode(_ tokens: [ManageSieveToken]) -> Result<ManageSieveCommand, ManageSieveCommandError> {
        guard case .atom(let word)? = tokens.first else { return .failure(.syntax("expected a command name")) }
        let arguments = Array(tokens.dropFirst())
        let name = word.uppercased()
        do {
            switch name {
            case "AUTHENTICATE":
                try count(arguments, 1...2, name)
                let mechanism = try text(arguments[0], name)
                return .success(
                    .authenticate(
                        mechanism: mechanism,
                        initialResponse: arguments.count == 2 ? try bytes(arguments[1], name) : nil
                    ))
            case "STARTTLS": return try bare(.startTLS, arguments, name)
            case "LOGOUT": return try bare(.logout, arguments, name)
            case "CAPABILITY": return try bare(.capability, arguments, name)
            case "LISTSCRIPTS": return try bare(.listScripts, arguments, name)
            case "UNAUTHENTICATE": return try bare(.unauthenticate, arguments, name)
            case "HAVESPACE":
                try count(arguments, 2...2, name)
                return .success(.haveSpace(name: try text(arguments[0], name), size: try number(arguments[1], name)))
            case "PUTSCRIPT":
                try count(arguments, 2...2, name)
                return .success(.putScript(name: try text(arguments[0], name), source: try bytes(arguments[1], name)))
            case "SETACTIVE":
                try count(arguments, 1...1, name)
                return .success(.setActive(name: try text(arguments[0], name)))
            case "GETSCRIPT":
                try count(arguments, 1...1, name)
                return .success(.getScript(name: try text(arguments[0], name)))
            case "DELETESCRIPT":
                try count(arguments, 1...1, name)
                return .success(.deleteScript(name: try text(arguments[0], name)))
            case "RENAMESCRIPT":
                try count(arguments, 2...2, name)
                return .success(.renameScript(from: try text(arguments[0], name), to: try text(arguments[1], name)))
            case "CHECKSCRIPT":
                try count(arguments, 1...1, name)
                return .success(.checkScript(source: try bytes(arguments[0], name)))
            case "NOOP":
                try count(arguments, 0...1, name)
                return .success(.noop(tag: arguments.isEmpty ? nil : try bytes(arguments[0], name)))
            default:
                return .failure(.unknownCommand)
            }
        } catch {
            return .failure(error)
        }
    }

    private static func bare(
        _ command: ManageSieveCommand, _ arguments: [ManageSieveToken], _ name: String
    ) throws(ManageSieveCommandError) -> Result<ManageSieveCommand, ManageSieveCommandError> {
        try count(arguments, 0...0, name)
        return .success(command)
    }

    private static func count(
        _ arguments: [ManageSieveToken], _ range: ClosedRange<Int>, _ name: String
    ) throws(ManageSieveCommandError) {
        guard range.contains(arguments.count) else {
            let wanted =
                range.lowerBound == range.upperBound
                ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
            throw .syntax("\(name) takes \(wanted) argument\(range == 1...1 ? "" : "s")")
        }
    }

    private static func bytes(_ token: ManageSieveToken, _ name: String) throws(ManageSieveCommandError) -> [UInt8] {
        guard case .string(let value) = token else { throw .syntax("\(name) expects a string") }
        return value
    }

    private static func text(_ token: ManageSieveToken, _ name: String) throws(ManageSieveCommandError) -> String {
        let value = try bytes(token, name)
        guard let decoded = String(validating: value, as: UTF8.self) else {
            throw .syntax("\(name): a name is UTF-8")
        }
        return decoded
    }

    private static func number(_ token: ManageSieveToken, _ name: String) throws(ManageSieveCommandError) -> Int {
        guard case .atom(let digits) = token, !digits.isEmpty, digits.count <= 10,
            digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(digits), value <= Int(UInt32.max)
        else { throw .syntax("\(name) expects a number below 4294967296") }
        return value
    }
}

/// A line whose tokens are not a command.
public enum ManageSieveCommandError: Error, Equatable, Sendable {
    case unknownCommand
    case syntax(String)

    public var text: String {
        switch self {
        case .unknownCommand: "Unknown command"
        case .syntax(let why): why
        }
    }
}
