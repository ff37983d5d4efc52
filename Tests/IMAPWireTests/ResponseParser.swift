import NIOCore

@testable import IMAPWire

/// A small parser of server responses, for tests only: it reads what `ResponseEncoder` writes back
/// into `ServerResponse` values, so encodings can be checked by round trip. It accepts the forms the
/// encoder writes (RFC 9051 §9), not every form a server could send.
struct ResponseParser {
    enum Failure: Error, Equatable {
        /// More bytes are needed.
        case incomplete
        case syntax(String, at: Int)
    }

    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses one whole response (through its CRLF) from the start of `bytes`: the response and the
    /// number of bytes it took.
    static func parse(_ bytes: [UInt8]) throws -> (ServerResponse, Int) {
        var parser = ResponseParser(bytes)
        let response = try parser.response()
        return (response, parser.position)
    }

    // MARK: Responses

    mutating func response() throws -> ServerResponse {
        if try peek() == UInt8(ascii: "+") {
            position += 1
            try expect(" ")
            return .continuation(.text(try restOfLine()))
        }
        if try peek() == UInt8(ascii: "*") {
            position += 1
            try expect(" ")
            let untagged = try untaggedResponse()
            try expect("\r\n")
            return .untagged(untagged)
        }
        let tag = try atom()
        try expect(" ")
        let status = try statusWord()
        try expect(" ")
        let (code, text) = try responseText()
        return .tagged(TaggedResponse(tag: tag, status: status, code: code, text: text))
    }

    private mutating func untaggedResponse() throws -> UntaggedResponse {
        if let digit = try? peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) {
            let number = UInt32(try number())
            try expect(" ")
            switch try atom() {
            case "EXISTS": return .exists(number)
            case "RECENT": return .recent(number)
            case "EXPUNGE": return .expunge(number)
            case "FETCH":
                try expect(" ")
                return .fetch(FetchResponse(sequenceNumber: number, attributes: try fetchAttributes()))
            case let other: throw failure("unknown numbered response \(other)")
            }
        }
        let name = try atom()
        switch name {
        case "OK", "NO", "BAD", "BYE", "PREAUTH":
            try expect(" ")
            let (code, text) = try responseText(consumeCRLF: false)
            return .condition(ResponseStatus(rawValue: name)!, code: code, text: text)
        case "CAPABILITY": return .capability(try atomsToEnd())
        case "ENABLED": return .enabled(try atomsToEnd())
        case "FLAGS":
            try expect(" ")
            return .flags(try flagList())
        case "LIST", "LSUB": return .list(try listResponse(ListResponse.Kind(rawValue: name)!))
        case "STATUS":
            try expect(" ")
            let mailbox = try mailboxName()
            try expect(" ")
            return .mailboxStatus(MailboxStatusResponse(name: mailbox, items: try statusItems()))
        case "VANISHED":
            try expect(" ")
            var earlier = false
            if try peek() == UInt8(ascii: "(") {
                try expect("(EARLIER) ")
                earlier = true
            }
            return .vanished(earlier: earlier, uids: try sequenceSet())
        case "SEARCH": return .search(try searchResponse())
        case "ESEARCH": return .esearch(try esearchResponse())
        case "ID":
            try expect(" ")
            return .id(try idParameters())
        case "NAMESPACE":
            var lists: [[NamespaceResponse.Description]] = []
            for _ in 0..<3 {
                try expect(" ")
                lists.append(try namespaces())
            }
            return .namespace(NamespaceResponse(personal: lists[0], otherUsers: lists[1], shared: lists[2]))
        case "QUOTA":
            try expect(" ")
            let root = String(decoding: try astring(), as: UTF8.self)
            try expect(" (")
            var resources: [QuotaResource] = []
            while try peek() != UInt8(ascii: ")") {
                if !resources.isEmpty { try expect(" ") }
                let resource = try atom()
                try expect(" ")
                let usage = try number()
                try expect(" ")
                resources.append(QuotaResource(name: resource, usage: usage, limit: try number()))
            }
            try expect(")")
            return .quota(QuotaResponse(root: root, resources: resources))
        case "QUOTAROOT":
            try expect(" ")
            let mailbox = try mailboxName()
            var roots: [String] = []
            while try peek() == UInt8(ascii: " ") {
                try expect(" ")
                roots.append(String(decoding: try astring(), as: UTF8.self))
            }
            return .quotaRoot(mailbox, roots: roots)
        default: throw failure("unknown response \(name)")
        }
    }

    private mutating func statusWord() throws -> ResponseStatus {
        let word = try atom()
        guard let status = ResponseStatus(rawValue: word) else { throw failure("unknown status \(word)") }
        return status
    }

    /// resp-text = ["[" resp-text-code "]" SP] text
    private mutating func responseText(consumeCRLF: Bool = true) throws -> (ResponseCode?, String) {
        var code: ResponseCode?
        if try peek() == UInt8(ascii: "[") {
            position += 1
            code = try responseCode()
            try expect("] ")
        }
        var text = ""
        while try peek() != UInt8(ascii: "\r") {
            text.unicodeScalars.append(Unicode.Scalar(bytes[position]))
            position += 1
        }
        if consumeCRLF { try expect("\r\n") }
        return (code, text)
    }

    private mutating func responseCode() throws -> ResponseCode {
        let name = try atom()
        let simple: [String: ResponseCode] = [
            "ALERT": .alert, "PARSE": .parse, "READ-ONLY": .readOnly, "READ-WRITE": .readWrite,
            "TRYCREATE": .tryCreate, "UNAVAILABLE": .unavailable, "AUTHENTICATIONFAILED": .authenticationFailed,
            "AUTHORIZATIONFAILED": .authorizationFailed, "EXPIRED": .expired, "PRIVACYREQUIRED": .privacyRequired,
            "CONTACTADMIN": .contactAdmin, "NOPERM": .noPerm, "INUSE": .inUse, "EXPUNGEISSUED": .expungeIssued,
            "CORRUPTION": .corruption, "SERVERBUG": .serverBug, "CLIENTBUG": .clientBug, "CANNOT": .cannot,
            "LIMIT": .limit, "OVERQUOTA": .overQuota, "ALREADYEXISTS": .alreadyExists, "NONEXISTENT": .nonExistent,
            "TOOBIG": .tooBig, "NOMODSEQ": .noModSeq, "CLOSED": .closed, "UIDNOTSTICKY": .uidNotSticky,
            "COMPRESSIONACTIVE": .compressionActive,
        ]
        if let code = simple[name] { return code }
        switch name {
        case "BADCHARSET":
            guard try peek() == UInt8(ascii: " ") else { return .badCharset([]) }
            try expect(" (")
            var sets: [String] = []
            while try peek() != UInt8(ascii: ")") {
                if !sets.isEmpty { try expect(" ") }
                sets.append(String(decoding: try astring(), as: UTF8.self))
            }
            position += 1
            return .badCharset(sets)
        case "CAPABILITY":
            var names: [String] = []
            while try peek() == UInt8(ascii: " ") {
                position += 1
                names.append(try atom())
            }
            return .capability(names)
        case "PERMANENTFLAGS":
            try expect(" ")
            var flags = try flagList(allowStar: true)
            let star = flags.contains(.extension("*"))
            flags.removeAll { $0 == .extension("*") }
            return .permanentFlags(flags, allowsNewKeywords: star)
        case "UIDNEXT", "UIDVALIDITY", "UNSEEN":
            try expect(" ")
            let n = UInt32(try number())
            return name == "UIDNEXT" ? .uidNext(n) : name == "UIDVALIDITY" ? .uidValidity(n) : .unseen(n)
        case "APPENDUID":
            try expect(" ")
            let validity = UInt32(try number())
            try expect(" ")
            return .appendUID(uidValidity: validity, uids: try sequenceSet())
        case "COPYUID":
            try expect(" ")
            let validity = UInt32(try number())
            try expect(" ")
            let source = try sequenceSet()
            try expect(" ")
            return .copyUID(uidValidity: validity, source: source, destination: try sequenceSet())
        case "HIGHESTMODSEQ":
            try expect(" ")
            return .highestModSeq(try number())
        case "MAILBOXID":
            try expect(" (")
            let id = try atom()
            try expect(")")
            return .mailboxID(id)
        case "MODIFIED":
            try expect(" ")
            return .modified(try sequenceSet())
        default:
            guard try peek() == UInt8(ascii: " ") else { return .other(name, nil) }
            position += 1
            var text = ""
            while try peek() != UInt8(ascii: "]") {
                text.unicodeScalars.append(Unicode.Scalar(bytes[position]))
                position += 1
            }
            return .other(name, text)
        }
    }

    // MARK: Tokens

    func peek() throws -> UInt8 {
        guard position < bytes.count else { throw Failure.incomplete }
        return bytes[position]
    }

    func failure(_ what: String) -> Failure { .syntax(what, at: position) }

    mutating func expect(_ text: String) throws {
        for byte in text.utf8 {
            guard try peek() == byte else { throw failure("expected \(text.debugDescription)") }
            position += 1
        }
    }

    /// Bytes up to (not including) the next SP, CR, "(", ")", "[", "]" or "<".
    mutating func atom() throws -> String {
        let start = position
        while true {
            let b = try peek()
            if b == 0x20 || b == 0x0D || b == 0x28 || b == 0x29 || b == 0x5B || b == 0x5D || b == 0x3C { break }
            position += 1
        }
        guard position > start else { throw failure("expected an atom") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    mutating func number() throws -> UInt64 {
        let start = position
        while let b = try? peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) { position += 1 }
        guard position > start, position < bytes.count else {
            throw position >= bytes.count ? Failure.incomplete : failure("expected a number")
        }
        return UInt64(String(decoding: bytes[start..<position], as: UTF8.self))!
    }

    private mutating func restOfLine() throws -> String {
        let start = position
        while try peek() != UInt8(ascii: "\r") { position += 1 }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        try expect("\r\n")
        return text
    }

    /// string = quoted / literal (and literal8 `~{n}`)
    mutating func string() throws -> [UInt8] {
        switch try peek() {
        case UInt8(ascii: "\""):
            position += 1
            var out: [UInt8] = []
            while true {
                var b = try peek()
                position += 1
                if b == UInt8(ascii: "\"") { return out }
                if b == UInt8(ascii: "\\") {
                    b = try peek()
                    position += 1
                }
                out.append(b)
            }
        case UInt8(ascii: "{"), UInt8(ascii: "~"):
            if bytes[position] == UInt8(ascii: "~") { position += 1 }
            try expect("{")
            let count = Int(try number())
            try expect("}\r\n")
            guard position + count <= bytes.count else { throw Failure.incomplete }
            defer { position += count }
            return Array(bytes[position..<position + count])
        default:
            throw failure("expected a string")
        }
    }

    mutating func nstring() throws -> [UInt8]? {
        if try peek() == UInt8(ascii: "N") {
            try expect("NIL")
            return nil
        }
        return try string()
    }

    mutating func astring() throws -> [UInt8] {
        let b = try peek()
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "{") { return try string() }
        return Array(try atom().utf8)
    }

    mutating func mailboxName() throws -> MailboxName { MailboxName(try astring()) }

    /// "(" [flag *(SP flag)] ")"
    mutating func flagList(allowStar: Bool = false) throws -> [Flag] {
        try expect("(")
        var flags: [Flag] = []
        while try peek() != UInt8(ascii: ")") {
            if !flags.isEmpty { try expect(" ") }
            if allowStar, try peek() == UInt8(ascii: "\\"), position + 1 < bytes.count,
                bytes[position + 1] == UInt8(ascii: "*")
            {
                position += 2
                flags.append(.extension("*"))
                continue
            }
            flags.append(Flag(try atom()))
        }
        position += 1
        return flags
    }

    mutating func sequenceSet() throws -> SequenceSet {
        var ranges: [SequenceRange] = []
        repeat {
            if !ranges.isEmpty { position += 1 }
            let first = try sequenceNumber()
            if let b = try? peek(), b == UInt8(ascii: ":") {
                position += 1
                ranges.append(SequenceRange(first, try sequenceNumber()))
            } else {
                ranges.append(SequenceRange(first))
            }
        } while (try? peek()) == UInt8(ascii: ",")
        return .ranges(ranges)
    }

    private mutating func sequenceNumber() throws -> SequenceNumber {
        if try peek() == UInt8(ascii: "*") {
            position += 1
            return .last
        }
        return .number(UInt32(try number()))
    }

    mutating func delimiter() throws -> UInt8? {
        if try peek() == UInt8(ascii: "N") {
            try expect("NIL")
            return nil
        }
        let value = try string()
        guard value.count == 1 else { throw failure("expected one delimiter character") }
        return value[0]
    }

    private mutating func atomsToEnd() throws -> [String] {
        var names: [String] = []
        while try peek() == UInt8(ascii: " ") {
            position += 1
            names.append(try atom())
        }
        return names
    }
}
