/// RFC 5804 response codes (§1.3) that Postern sends.
public enum ManageSieveResponseCode: Equatable, Sendable {
    case quota
    case quotaMaxScripts
    case quotaMaxSize
    case nonexistent
    case active
    case alreadyExists
    case tryLater
    case warnings
    case encryptNeeded
    case authTooWeak
    /// SASL additional data with success (§2.1), as base64 text.
    case sasl(String)
    /// NOOP's echo (§2.13).
    case tag([UInt8])

    var encoded: [UInt8] {
        switch self {
        case .quota: Array("QUOTA".utf8)
        case .quotaMaxScripts: Array("QUOTA/MAXSCRIPTS".utf8)
        case .quotaMaxSize: Array("QUOTA/MAXSIZE".utf8)
        case .nonexistent: Array("NONEXISTENT".utf8)
        case .active: Array("ACTIVE".utf8)
        case .alreadyExists: Array("ALREADYEXISTS".utf8)
        case .tryLater: Array("TRYLATER".utf8)
        case .warnings: Array("WARNINGS".utf8)
        case .encryptNeeded: Array("ENCRYPT-NEEDED".utf8)
        case .authTooWeak: Array("AUTH-TOO-WEAK".utf8)
        case .sasl(let data): Array("SASL ".utf8) + ManageSieveResponse.string(Array(data.utf8))
        case .tag(let tag): Array("TAG ".utf8) + ManageSieveResponse.string(tag)
        }
    }
}

/// The server's side of the wire (RFC 5804 §4):
///
///     response-oknobye = ("OK" / "NO" / "BYE") [SP "(" resp-code ")"] [SP string] CRLF
///     string           = quoted / literal-s2c
///     literal-s2c      = "{" number "}" CRLF *OCTET
///     single-capability = capability-name [SP string] CRLF   ; capability-name = string
///     listscripts line  = sieve-name [SP "ACTIVE"] CRLF
public enum ManageSieveResponse {
    public enum Kind: String, Sendable {
        case ok = "OK"
        case no = "NO"
        case bye = "BYE"
    }

    /// A final response; `text` goes as a quoted string when it can, else as a literal.
    public static func final(_ kind: Kind, code: ManageSieveResponseCode? = nil, text: String? = nil) -> [UInt8] {
        var out = Array(kind.rawValue.utf8)
        if let code { out += Array(" (".utf8) + code.encoded + [0x29] }
        if let text { out += [0x20] + string(Array(text.utf8)) }
        return out + [0x0D, 0x0A]
    }

    /// A string: quoted when short and free of CR, LF, NUL; a literal otherwise.
    public static func string(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.count <= ManageSieveLimits.maxQuotedLength,
            !bytes.contains(where: { $0 == 0 || $0 == 0x0D || $0 == 0x0A })
        {
            var out: [UInt8] = [0x22]
            out.reserveCapacity(bytes.count + 2)
            for byte in bytes {
                if byte == 0x22 || byte == 0x5C { out.append(0x5C) }
                out.append(byte)
            }
            return out + [0x22]
        }
        return literal(bytes)
    }

    /// `{N}` CRLF and the octets.
    public static func literal(_ bytes: [UInt8]) -> [UInt8] {
        Array("{\(bytes.count)}\r\n".utf8) + bytes
    }

    /// One capability line.
    public static func capability(_ name: String, _ value: String? = nil) -> [UInt8] {
        var out = string(Array(name.utf8))
        if let value { out += [0x20] + string(Array(value.utf8)) }
        return out + [0x0D, 0x0A]
    }

    /// One LISTSCRIPTS line.
    public static func scriptLine(_ name: String, active: Bool) -> [UInt8] {
        string(Array(name.utf8)) + (active ? Array(" ACTIVE".utf8) : []) + [0x0D, 0x0A]
    }

    /// GETSCRIPT's answer before its OK: the script as a literal and CRLF (§2.9).
    public static func script(_ source: [UInt8]) -> [UInt8] {
        literal(source) + [0x0D, 0x0A]
    }

    /// A SASL challenge (§2.1): the base64 text as a string on its own line.
    public static func challenge(_ base64: String) -> [UInt8] {
        string(Array(base64.utf8)) + [0x0D, 0x0A]
    }
}
