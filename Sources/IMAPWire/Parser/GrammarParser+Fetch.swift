// FETCH (RFC 9051 §6.4.5, RFC 3501 §6.4.5, RFC 3516 BINARY, RFC 7162 CONDSTORE/QRESYNC)
extension GrammarParser {
    /// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")")
    ///         [fetch-modifiers]
    mutating func fetchCommand(uid: Bool) throws -> Command {
        try space()
        let set = try sequenceSet()
        try space()
        var atts: [FetchAttribute]
        if peek() == UInt8(ascii: "(") {
            atts = try parenthesizedList(allowEmpty: false) { try $0.fetchAttribute() }
        } else {
            let save = index
            switch keywordToken() {
            case "ALL": atts = FetchAttribute.allMacro
            case "FAST": atts = FetchAttribute.fastMacro
            case "FULL": atts = FetchAttribute.fullMacro
            default:
                index = save
                atts = [try fetchAttribute()]
            }
        }
        var modifiers: [FetchModifier] = []
        if consume(UInt8(ascii: " ")) {
            // fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
            modifiers = try parenthesizedList(allowEmpty: false) { p in
                switch p.keywordToken() {
                case "CHANGEDSINCE":
                    try p.space()
                    return .changedSince(try p.number64())
                case "VANISHED":
                    return .vanished
                case "PARTIAL":
                    try p.space()
                    return .partial(try p.partialRange())
                default:
                    throw ParseError("unknown FETCH modifier")
                }
            }
        }
        return .fetch(set, atts, modifiers: modifiers, uid: uid)
    }

    /// fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
    ///             "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] / "BODY.PEEK" section [partial] /
    ///             "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary / "MODSEQ"
    mutating func fetchAttribute() throws -> FetchAttribute {
        let token = keywordToken()
        switch token {
        case "ENVELOPE": return .envelope
        case "FLAGS": return .flags
        case "INTERNALDATE": return .internalDate
        case "RFC822": return .rfc822
        case "RFC822.HEADER": return .rfc822Header
        case "RFC822.SIZE": return .rfc822Size
        case "RFC822.TEXT": return .rfc822Text
        case "BODYSTRUCTURE": return .bodyStructure
        case "UID": return .uid
        case "MODSEQ": return .modSeq
        case "SAVEDATE": return .saveDate
        case "EMAILID": return .emailID
        case "THREADID": return .threadID
        case "PREVIEW":
            // fetch-att =/ "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"]; preview-mod = "LAZY"
            // (RFC 8970 §7)
            guard consumeKeyword(" (") else { return .preview(lazy: false) }
            var lazy = false
            repeat {
                guard keywordToken() == "LAZY" else { throw ParseError("unknown PREVIEW modifier") }
                lazy = true
            } while consume(UInt8(ascii: " "))
            try expect(UInt8(ascii: ")"), ")")
            return .preview(lazy: lazy)
        case "BODY", "BODY.PEEK":
            if peek() != UInt8(ascii: "[") {
                guard token == "BODY" else { throw ParseError("BODY.PEEK needs a section") }
                return .body
            }
            let section = try section()
            return .bodySection(peek: token == "BODY.PEEK", section: section, partial: try partial())
        case "BINARY", "BINARY.PEEK":
            let part = try sectionBinary()
            return .binary(peek: token == "BINARY.PEEK", part: part, partial: try partial())
        case "BINARY.SIZE":
            return .binarySize(part: try sectionBinary())
        default:
            throw ParseError("unknown FETCH attribute")
        }
    }

    /// section = "[" [section-spec] "]"
    /// section-spec = section-msgtext / (section-part ["." section-text])
    /// section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
    /// section-text = section-msgtext / "MIME"
    mutating func section() throws -> SectionSpec {
        try expect(UInt8(ascii: "["), "[")
        var part: [Int] = []
        if peek()?.isDigit == true {
            part = try sectionPart()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return SectionSpec(part: part, kind: .complete)
            }
            try expect(UInt8(ascii: "."), ".")
        } else if consume(UInt8(ascii: "]")) {
            return SectionSpec(part: part, kind: .complete)
        }
        let kind: SectionSpec.Kind
        switch keywordToken() {
        case "HEADER": kind = .header
        case "TEXT": kind = .text
        case "MIME":
            guard !part.isEmpty else { throw ParseError("MIME needs a part number") }
            kind = .mime
        case "HEADER.FIELDS":
            try space()
            kind = .headerFields(try headerList())
        case "HEADER.FIELDS.NOT":
            try space()
            kind = .headerFieldsNot(try headerList())
        default:
            throw ParseError("invalid section")
        }
        try expect(UInt8(ascii: "]"), "]")
        return SectionSpec(part: part, kind: kind)
    }

    /// section-part = nz-number *("." nz-number); stops before "." followed by a non-digit.
    mutating func sectionPart() throws -> [Int] {
        var part = [Int(try nzNumber())]
        while peek() == UInt8(ascii: "."), peek(1)?.isDigit == true {
            index += 1
            part.append(Int(try nzNumber()))
            guard part.count <= limits.maxSearchDepth else { throw ParseError("section part too deep") }
        }
        return part
    }

    /// header-list = "(" header-fld-name *(SP header-fld-name) ")"; header-fld-name = astring
    mutating func headerList() throws -> [String] {
        try parenthesizedList(allowEmpty: false) { try $0.astringUTF8() }
    }

    /// section-binary = "[" [section-part] "]"
    mutating func sectionBinary() throws -> [Int] {
        try expect(UInt8(ascii: "["), "[")
        if consume(UInt8(ascii: "]")) { return [] }
        let part = try sectionPart()
        try expect(UInt8(ascii: "]"), "]")
        return part
    }

    /// partial = "<" number "." nz-number ">"
    mutating func partial() throws -> PartialRange? {
        guard consume(UInt8(ascii: "<")) else { return nil }
        let offset = try number()
        try expect(UInt8(ascii: "."), ".")
        let length = try nzNumber()
        try expect(UInt8(ascii: ">"), ">")
        return PartialRange(offset: offset, length: length)
    }
}
