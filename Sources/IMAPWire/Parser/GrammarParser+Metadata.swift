// METADATA commands (RFC 5464 §4.2, §4.3, §5).
extension GrammarParser {
    /// getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries
    /// getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
    /// getmetadata-option = maxsize-opt / scope-opt; maxsize-opt = "MAXSIZE" SP number
    /// scope-opt = "DEPTH" SP ("0" / "1" / "infinity")
    /// entries = entry / "(" entry *(SP entry) ")"; entry = astring
    mutating func getMetadataCommand() throws -> Command {
        try space()
        var options = MetadataOptions()
        if peek() == UInt8(ascii: "(") {
            var seen: Set<String> = []
            _ = try parenthesizedList(allowEmpty: false) { parser in
                let name = parser.keywordToken()
                guard seen.insert(name).inserted else { throw ParseError("GETMETADATA option \(name) given twice") }
                try parser.space()
                switch name {
                case "MAXSIZE": options.maxSize = try parser.number()
                case "DEPTH": options.depth = try parser.metadataDepth()
                default: throw ParseError("unknown GETMETADATA option")
                }
            }
            try space()
        }
        let mailbox = try mailbox()
        try space()
        let entries: [String]
        if peek() == UInt8(ascii: "(") {
            entries = try parenthesizedList(allowEmpty: false) { try $0.astringUTF8() }
        } else {
            entries = [try astringUTF8()]
        }
        return .getMetadata(mailbox, options: options, entries: entries)
    }

    /// "0" / "1" / "infinity"
    mutating func metadataDepth() throws -> MetadataDepth {
        if consume(UInt8(ascii: "0")) { return .zero }
        if consume(UInt8(ascii: "1")) { return .one }
        if consumeKeyword("INFINITY") { return .infinity }
        throw ParseError("DEPTH is 0, 1 or infinity")
    }

    /// setmetadata = "SETMETADATA" SP mailbox SP "(" entry-value *(SP entry-value) ")"
    /// entry-value = entry SP value; value = nstring / literal8
    mutating func setMetadataCommand() throws -> Command {
        try space()
        let mailbox = try mailbox()
        try space()
        let values = try parenthesizedList(allowEmpty: false) { parser in
            let entry = try parser.astringUTF8()
            try parser.space()
            return MetadataEntryValue(entry: entry, value: try parser.metadataValue())
        }
        return .setMetadata(mailbox, values)
    }

    /// value = nstring / literal8; literal8 = "~{" number64 ["+"] "}" CRLF *OCTET   (RFC 3516, RFC 7888)
    mutating func metadataValue() throws -> [UInt8]? {
        guard peek() == UInt8(ascii: "~") else { return try nstring() }
        index += 1
        return try literalBytes(allowNUL: true)
    }
}
