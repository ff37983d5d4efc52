import Foundation

/// A response a server sent that does not follow the grammar.
public struct ResponseSyntaxError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { "the server sent a malformed response (\(message))" }
}

/// Reads a framed response (`ResponseFramer`) into a `ClientResponse`: the responses of RFC 9051 §7
/// a migrating client uses, with the rest recognised by name only.
public struct ClientResponseParser {
    let framed: FramedResponse
    var lineIndex = 0
    var position = 0

    init(_ framed: FramedResponse) { self.framed = framed }

    /// response = continue-req / response-data / response-tagged   (RFC 9051 §9)
    public static func parse(_ response: FramedResponse) throws -> ClientResponse {
        var parser = ClientResponseParser(response)
        return try parser.response()
    }

    mutating func response() throws -> ClientResponse {
        switch peek() {
        case UInt8(ascii: "+"):
            position += 1
            if peek() == UInt8(ascii: " ") { position += 1 }
            return .continuation(restOfLine())
        case UInt8(ascii: "*"):
            position += 1
            try expect(" ")
            return .untagged(try untagged())
        default:
            let tag = try atom()
            try expect(" ")
            let condition = try self.condition()
            let (code, text) = try responseText()
            return .tagged(tag: tag, condition, code: code, text: text)
        }
    }

    private mutating func condition() throws -> ResponseCondition {
        let word = try atom()
        guard let condition = ResponseCondition(rawValue: word.uppercased()) else {
            throw failure("unknown status \(word)")
        }
        return condition
    }

    /// response-data = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data /
    /// capability-data / enable-data) CRLF
    private mutating func untagged() throws -> UntaggedResponse {
        if let byte = peek(), Self.isDigit(byte) {
            let number = try number32()
            try expect(" ")
            switch try atom().uppercased() {
            case "EXISTS": return .exists(number)
            case "EXPUNGE": return .expunge(number)
            case "FETCH":
                try expect(" ")
                return .fetch(sequence: number, try fetchItems())
            case let other: return .other(other)
            }
        }
        let name = try atom().uppercased()
        switch name {
        case "OK", "NO", "BAD", "BYE", "PREAUTH":
            let (code, text) = try responseText()
            return .condition(ResponseCondition(rawValue: name)!, code: code, text: text)
        case "CAPABILITY": return .capability(atomsToEnd())
        case "LIST": return .list(try listEntry())
        case "LSUB": return .lsub(try listEntry())
        case "STATUS":
            try expect(" ")
            let mailbox = try astring()
            try expect(" ")
            try expect("(")
            var items: [String: UInt64] = [:]
            while peek() != UInt8(ascii: ")") {
                if !items.isEmpty { try expect(" ") }
                let item = try atom().uppercased()
                try expect(" ")
                items[item] = try number()
            }
            return .status(mailbox: mailbox, items: items)
        case "NAMESPACE":
            try expect(" ")
            return try personalNamespace()
        case "SEARCH":
            var numbers: [UInt32] = []
            while peek() == UInt8(ascii: " ") {
                position += 1
                guard let byte = peek(), Self.isDigit(byte) else { break }
                numbers.append(try number32())
            }
            return .search(numbers)
        default: return .other(name)
        }
    }

    /// namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace
    /// namespace = nil / "(" 1*namespace-descr ")"
    /// namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) [namespace-response-extensions] ")"
    /// Only the first description of the first (personal) namespace is read.   (RFC 2342 §5)
    private mutating func personalNamespace() throws -> UntaggedResponse {
        if peek() == UInt8(ascii: "N") || peek() == UInt8(ascii: "n") {
            try expectWord("NIL")
            return .namespace(personalPrefix: nil, delimiter: nil)
        }
        try expect("((")
        let prefix = try stringBytes()
        try expect(" ")
        return .namespace(personalPrefix: prefix, delimiter: try hierarchyDelimiter())
    }

    /// DQUOTE QUOTED-CHAR DQUOTE / nil: a one-byte hierarchy delimiter, or nil.
    private mutating func hierarchyDelimiter() throws -> UInt8? {
        if peek() == UInt8(ascii: "N") || peek() == UInt8(ascii: "n") {
            try expectWord("NIL")
            return nil
        }
        let value = try stringBytes()
        guard value.count == 1 else { throw failure("a hierarchy delimiter of \(value.count) bytes") }
        return value[0]
    }

    /// resp-text = ["[" resp-text-code "]" SP] text; the space and text may be missing.
    private mutating func responseText() throws -> (ClientResponseCode?, String) {
        if peek() == UInt8(ascii: " ") { position += 1 }
        var code: ClientResponseCode?
        if peek() == UInt8(ascii: "[") {
            position += 1
            code = try responseCode()
            try expect("]")
            if peek() == UInt8(ascii: " ") { position += 1 }
        }
        return (code, restOfLine())
    }

    private mutating func responseCode() throws -> ClientResponseCode {
        let name = try atom().uppercased()
        switch name {
        case "CAPABILITY": return .capability(atomsToEnd())
        case "UIDVALIDITY", "UIDNEXT":
            try expect(" ")
            let value = try number32()
            return name == "UIDNEXT" ? .uidNext(value) : .uidValidity(value)
        case "HIGHESTMODSEQ":
            try expect(" ")
            return .highestModSeq(try number())
        case "NOMODSEQ": return .noModSeq
        default:
            while let byte = peek(), byte != UInt8(ascii: "]") { position += 1 }
            return .other(name)
        }
    }

    /// mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
    /// [SP mbox-list-extended]   (the extended data is not read)
    private mutating func listEntry() throws -> ListEntry {
        try expect(" ")
        let attributes = try flagList()
        try expect(" ")
        let delimiter = try hierarchyDelimiter()
        try expect(" ")
        return ListEntry(attributes: attributes, delimiter: delimiter, name: try astring())
    }

    /// msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
    private mutating func fetchItems() throws -> FetchData {
        var data = FetchData()
        try expect("(")
        var first = true
        while peek() != UInt8(ascii: ")") {
            if !first { try expect(" ") }
            first = false
            let name = try fetchItemName()
            try expect(" ")
            switch name {
            case "UID": data.uid = try number32()
            case "FLAGS": data.flags = try flagList()
            case "RFC822.SIZE":
                let size = try number()
                guard size <= UInt64(Int.max) else { throw failure("RFC822.SIZE out of range") }
                data.size = Int(size)
            case "MODSEQ":
                try expect("(")
                data.modSeq = try number()
                try expect(")")
            case "INTERNALDATE":
                let text = try stringBytes()
                guard let (date, zone) = Self.internalDate(text) else { throw failure("a malformed INTERNALDATE") }
                data.internalDate = date
                data.internalDateZone = zone
            case "BODY[]", "BODY[]<0>", "BINARY[]", "RFC822": data.body = try nstring()
            default: try skipValue(depth: 0)
            }
        }
        try expect(")")
        return data
    }

    /// An item name with its section and origin, e.g. `BODY[HEADER.FIELDS (SUBJECT)]<0>`, upper-cased.
    private mutating func fetchItemName() throws -> String {
        var name = try atom().uppercased()
        if peek() == UInt8(ascii: "[") {
            let start = position
            while let byte = peek(), byte != UInt8(ascii: "]") { position += 1 }
            try expect("]")
            name += String(decoding: line[start..<position], as: UTF8.self).uppercased()
        }
        if peek() == UInt8(ascii: "<") {
            let start = position
            while let byte = peek(), byte != UInt8(ascii: ">") { position += 1 }
            try expect(">")
            name += String(decoding: line[start..<position], as: UTF8.self)
        }
        return name
    }

    /// Skips one value of any shape: a parenthesised list, a string, NIL, a number or an atom.
    private mutating func skipValue(depth: Int) throws {
        guard depth < 64 else { throw failure("values nested too deeply") }
        switch peek() {
        case UInt8(ascii: "("):
            position += 1
            var first = true
            while peek() != UInt8(ascii: ")") {
                if !first { try expect(" ") }
                first = false
                try skipValue(depth: depth + 1)
            }
            position += 1
        case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "~"): _ = try string()
        default: _ = try atom()
        }
    }
}
