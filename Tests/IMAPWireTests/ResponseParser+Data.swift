import NIOCore

@testable import IMAPWire

/// The response-data and FETCH items of `ResponseParser`.
extension ResponseParser {
    mutating func listResponse(_ kind: ListResponse.Kind) throws -> ListResponse {
        try expect(" (")
        var attributes: [String] = []
        while try peek() != UInt8(ascii: ")") {
            if !attributes.isEmpty { try expect(" ") }
            attributes.append(try atom())
        }
        try expect(") ")
        let delimiter = try delimiter()
        try expect(" ")
        let name = try mailboxName()
        var extended: [ListExtendedItem] = []
        if try peek() == UInt8(ascii: " ") {
            try expect(" (")
            while try peek() != UInt8(ascii: ")") {
                if !extended.isEmpty { try expect(" ") }
                let tag = String(decoding: try string(), as: UTF8.self)
                try expect(" (")
                switch tag {
                case "CHILDINFO":
                    var options: [String] = []
                    while try peek() != UInt8(ascii: ")") {
                        if !options.isEmpty { try expect(" ") }
                        options.append(String(decoding: try string(), as: UTF8.self))
                    }
                    extended.append(.childInfo(options))
                case "OLDNAME":
                    extended.append(.oldName(try mailboxName()))
                default:
                    throw failure("unknown LIST extended item \(tag)")
                }
                try expect(")")
            }
            position += 1
        }
        return ListResponse(kind: kind, attributes: attributes, delimiter: delimiter, name: name, extended: extended)
    }

    mutating func statusItems() throws -> [MailboxStatusItem] {
        try expect("(")
        var items: [MailboxStatusItem] = []
        while try peek() != UInt8(ascii: ")") {
            if !items.isEmpty { try expect(" ") }
            let name = try atom()
            try expect(" ")
            if name == "MAILBOXID" {
                try expect("(")
                items.append(.mailboxID(try atom()))
                try expect(")")
            } else {
                guard let attribute = StatusAttribute(rawValue: name) else { throw failure("unknown \(name)") }
                items.append(.number(attribute, try number()))
            }
        }
        position += 1
        return items
    }

    mutating func searchResponse() throws -> SearchResponse {
        var numbers: [UInt32] = []
        var modSeq: UInt64?
        while try peek() == UInt8(ascii: " ") {
            position += 1
            if try peek() == UInt8(ascii: "(") {
                try expect("(MODSEQ ")
                modSeq = try number()
                try expect(")")
            } else {
                numbers.append(UInt32(try number()))
            }
        }
        return SearchResponse(numbers: numbers, modSeq: modSeq)
    }

    mutating func esearchResponse() throws -> ESearchResponse {
        var result = ESearchResponse(tag: nil, uid: false)
        if (try? peek()) == UInt8(ascii: " "), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "(") {
            try expect(" (TAG ")
            result.tag = String(decoding: try string(), as: UTF8.self)
            try expect(")")
        }
        while try peek() == UInt8(ascii: " ") {
            position += 1
            switch try atom() {
            case "UID": result.uid = true
            case "MIN": try expect(" "); result.min = UInt32(try number())
            case "MAX": try expect(" "); result.max = UInt32(try number())
            case "COUNT": try expect(" "); result.count = Int(try number())
            case "ALL": try expect(" "); result.all = try sequenceSet()
            case "MODSEQ": try expect(" "); result.modSeq = try number()
            case let other: throw failure("unknown ESEARCH item \(other)")
            }
        }
        return result
    }

    mutating func idParameters() throws -> [IDParameter]? {
        if try peek() == UInt8(ascii: "N") {
            try expect("NIL")
            return nil
        }
        try expect("(")
        var parameters: [IDParameter] = []
        while try peek() != UInt8(ascii: ")") {
            if !parameters.isEmpty { try expect(" ") }
            let key = String(decoding: try string(), as: UTF8.self)
            try expect(" ")
            let value = try nstring().map { String(decoding: $0, as: UTF8.self) }
            parameters.append(IDParameter(key: key, value: value))
        }
        position += 1
        return parameters
    }

    mutating func namespaces() throws -> [NamespaceResponse.Description] {
        if try peek() == UInt8(ascii: "N") {
            try expect("NIL")
            return []
        }
        try expect("(")
        var list: [NamespaceResponse.Description] = []
        while try peek() == UInt8(ascii: "(") {
            position += 1
            let prefix = String(decoding: try string(), as: UTF8.self)
            try expect(" ")
            list.append(NamespaceResponse.Description(prefix: prefix, delimiter: try delimiter()))
            try expect(")")
        }
        try expect(")")
        return list
    }

    // MARK: FETCH

    mutating func fetchAttributes() throws -> [MessageAttribute] {
        try expect("(")
        var attributes: [MessageAttribute] = []
        while try peek() != UInt8(ascii: ")") {
            if !attributes.isEmpty { try expect(" ") }
            attributes.append(try fetchAttribute())
        }
        position += 1
        return attributes
    }

    private mutating func fetchAttribute() throws -> MessageAttribute {
        let name = try atom()
        switch name {
        case "UID": try expect(" "); return .uid(UInt32(try number()))
        case "FLAGS": try expect(" "); return .flags(try flagList())
        case "INTERNALDATE": try expect(" "); return .internalDate(try dateTime())
        case "RFC822.SIZE": try expect(" "); return .rfc822Size(Int(try number()))
        case "MODSEQ":
            try expect(" (")
            defer { position += 1 }
            return .modSeq(try number())
        case "SAVEDATE":
            try expect(" ")
            if try peek() == UInt8(ascii: "N") {
                try expect("NIL")
                return .saveDate(nil)
            }
            return .saveDate(try dateTime())
        case "EMAILID":
            try expect(" (")
            defer { position += 1 }
            return .emailID(try atom())
        case "PREVIEW":
            try expect(" ")
            return .preview(try nstring().map { String(decoding: $0, as: UTF8.self) })
        case "THREADID":
            try expect(" ")
            if try peek() == UInt8(ascii: "N") {
                try expect("NIL")
                return .threadID(nil)
            }
            try expect("(")
            defer { position += 1 }
            return .threadID(try atom())
        case "ENVELOPE": try expect(" "); return .envelope(try envelope())
        case "BODYSTRUCTURE": try expect(" "); return .bodyStructure(try body())
        case "BODY":
            if try peek() == UInt8(ascii: " ") {
                position += 1
                return .body(try body())
            }
            let section = try section()
            let origin = try origin()
            try expect(" ")
            return .bodySection(section, origin: origin, data: try nstring().map { ByteBuffer(bytes: $0) })
        case "RFC822", "RFC822.HEADER", "RFC822.TEXT":
            try expect(" ")
            let data = try nstring().map { ByteBuffer(bytes: $0) }
            return name == "RFC822" ? .rfc822(data) : name == "RFC822.HEADER" ? .rfc822Header(data) : .rfc822Text(data)
        case "BINARY":
            let part = try binaryPart()
            let origin = try origin()
            try expect(" ")
            return .binary(part: part, origin: origin, data: try nstring().map { ByteBuffer(bytes: $0) })
        case "BINARY.SIZE":
            let part = try binaryPart()
            try expect(" ")
            return .binarySize(part: part, size: Int(try number()))
        default:
            throw failure("unknown FETCH item \(name)")
        }
    }

    /// date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    private mutating func dateTime() throws -> InternalDate {
        let text = String(decoding: try string(), as: UTF8.self)
        let fields = text.split(separator: " ")
        guard fields.count == 3 else { throw failure("bad date-time \(text)") }
        let day = fields[0].split(separator: "-")
        let time = fields[1].split(separator: ":").compactMap { Int($0) }
        let zone = fields[2]
        guard day.count == 3, time.count == 3, let month = IMAPDate.monthNames.firstIndex(of: String(day[1])),
            let zoneValue = Int(zone.dropFirst()),
            let date = InternalDate(
                year: Int(day[2]) ?? 0, month: month + 1, day: Int(day[0]) ?? 0, hour: time[0], minute: time[1],
                second: time[2], zoneMinutes: (zone.first == "-" ? -1 : 1) * (zoneValue / 100 * 60 + zoneValue % 100))
        else { throw failure("bad date-time \(text)") }
        return date
    }

    /// section = "[" [section-spec] "]"
    private mutating func section() throws -> SectionSpec {
        try expect("[")
        var part: [Int] = []
        while let b = try? peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) {
            part.append(Int(try number()))
            if try peek() == UInt8(ascii: ".") { position += 1 }
        }
        var kind = SectionSpec.Kind.complete
        if try peek() != UInt8(ascii: "]") {
            let name = try atom()
            switch name {
            case "HEADER": kind = .header
            case "TEXT": kind = .text
            case "MIME": kind = .mime
            case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
                try expect(" (")
                var fields: [String] = []
                while try peek() != UInt8(ascii: ")") {
                    if !fields.isEmpty { try expect(" ") }
                    fields.append(String(decoding: try astring(), as: UTF8.self))
                }
                position += 1
                kind = name == "HEADER.FIELDS" ? .headerFields(fields) : .headerFieldsNot(fields)
            default: throw failure("unknown section \(name)")
            }
        }
        try expect("]")
        return SectionSpec(part: part, kind: kind)
    }

    private mutating func binaryPart() throws -> [Int] {
        try expect("[")
        var part: [Int] = []
        while try peek() != UInt8(ascii: "]") {
            if !part.isEmpty { try expect(".") }
            part.append(Int(try number()))
        }
        position += 1
        return part
    }

    private mutating func origin() throws -> UInt32? {
        guard try peek() == UInt8(ascii: "<") else { return nil }
        position += 1
        defer { position += 1 }
        return UInt32(try number())
    }

    mutating func envelope() throws -> FetchEnvelope {
        try expect("(")
        var e = FetchEnvelope()
        e.date = try nstring()
        try expect(" ")
        e.subject = try nstring()
        var lists: [[FetchAddress]] = []
        for _ in 0..<6 {
            try expect(" ")
            lists.append(try addresses())
        }
        (e.from, e.sender, e.replyTo, e.to, e.cc, e.bcc) = (lists[0], lists[1], lists[2], lists[3], lists[4], lists[5])
        try expect(" ")
        e.inReplyTo = try nstring()
        try expect(" ")
        e.messageID = try nstring()
        try expect(")")
        return e
    }

    private mutating func addresses() throws -> [FetchAddress] {
        if try peek() == UInt8(ascii: "N") {
            try expect("NIL")
            return []
        }
        try expect("(")
        var list: [FetchAddress] = []
        while try peek() == UInt8(ascii: "(") {
            position += 1
            let name = try nstring()
            try expect(" ")
            let adl = try nstring()
            try expect(" ")
            let mailbox = try nstring()
            try expect(" ")
            let host = try nstring()
            try expect(")")
            list.append(FetchAddress(name: name, adl: adl, mailbox: mailbox, host: host))
        }
        try expect(")")
        return list
    }

    /// body = "(" (body-type-1part / body-type-mpart) ")", with or without extension data.
    mutating func body() throws -> FetchBody {
        try expect("(")
        if try peek() == UInt8(ascii: "(") {
            var parts: [FetchBody] = []
            while try peek() == UInt8(ascii: "(") { parts.append(try body()) }
            try expect(" ")
            let subtype = try string()
            var ext = FetchBodyExtension()
            if try peek() == UInt8(ascii: " ") {
                try expect(" ")
                ext.parameters = try parameters()
                try extensionTail(&ext)
            }
            try expect(")")
            return .multipart(parts: parts, subtype: subtype, extension: ext)
        }
        let type = try string()
        try expect(" ")
        let subtype = try string()
        try expect(" ")
        var part = FetchSinglePart(type: type, subtype: subtype, encoding: [], size: 0)
        part.parameters = try parameters()
        try expect(" ")
        part.id = try nstring()
        try expect(" ")
        part.description = try nstring()
        try expect(" ")
        part.encoding = try string()
        try expect(" ")
        part.size = Int(try number())
        let lowerType = String(decoding: type, as: UTF8.self).lowercased()
        if lowerType == "message", ["rfc822", "global"].contains(String(decoding: subtype, as: UTF8.self).lowercased())
        {
            try expect(" ")
            let envelope = try envelope()
            try expect(" ")
            let inner = try body()
            try expect(" ")
            part.specific = .message(envelope: envelope, body: inner, lines: Int(try number()))
        } else if lowerType == "text" {
            try expect(" ")
            part.specific = .text(lines: Int(try number()))
        }
        if try peek() == UInt8(ascii: " ") {
            try expect(" ")
            part.md5 = try nstring()
            try extensionTail(&part.extension)
        }
        try expect(")")
        return .singlePart(part)
    }

    private mutating func extensionTail(_ ext: inout FetchBodyExtension) throws {
        try expect(" ")
        if try peek() == UInt8(ascii: "(") {
            position += 1
            ext.dispositionType = try string()
            try expect(" ")
            ext.dispositionParameters = try parameters()
            try expect(")")
        } else {
            try expect("NIL")
        }
        try expect(" ")
        if try peek() == UInt8(ascii: "(") {
            position += 1
            while try peek() != UInt8(ascii: ")") {
                if !ext.languages.isEmpty { try expect(" ") }
                ext.languages.append(try string())
            }
            position += 1
        } else {
            try expect("NIL")
        }
        try expect(" ")
        ext.location = try nstring()
    }

    private mutating func parameters() throws -> [FetchParameter] {
        if try peek() == UInt8(ascii: "N") {
            try expect("NIL")
            return []
        }
        try expect("(")
        var list: [FetchParameter] = []
        while try peek() != UInt8(ascii: ")") {
            if !list.isEmpty { try expect(" ") }
            let name = try string()
            try expect(" ")
            list.append(FetchParameter(name: name, value: try string()))
        }
        position += 1
        return list
    }
}
