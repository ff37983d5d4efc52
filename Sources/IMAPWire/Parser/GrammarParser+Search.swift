// SEARCH (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 4731 ESEARCH, RFC 5182 SEARCHRES, RFC 7162 MODSEQ)
extension GrammarParser {
    /// search = "SEARCH" [search-return-opts] SP search-program
    /// search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
    /// search-return-opt =/ "PARTIAL" SP partial-range   (RFC 9394 §5)
    /// search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)
    mutating func searchCommand(uid: Bool) throws -> SearchCommand {
        try space()
        var returnOptions: [SearchReturnOption]?
        var partial: SearchPartialRange?
        if consumeKeyword("RETURN ") {
            (returnOptions, partial) = try returnOptionList(allowSave: true)
            try space()
        }
        var charset: String?
        if consumeKeyword("CHARSET ") {
            charset = try astringUTF8()
            try space()
        }
        var keys = [try searchKey()]
        while consume(UInt8(ascii: " ")) {
            keys.append(try searchKey())
        }
        return SearchCommand(
            returnOptions: returnOptions, partial: partial, charset: charset,
            key: keys.count == 1 ? keys[0] : .and(keys), uid: uid)
    }

    /// search-key = "ALL" / "ANSWERED" / "BCC" SP astring / ... / sequence-set / "(" search-key *(SP search-key) ")"
    mutating func searchKey() throws -> SearchKey {
        depth += 1
        defer { depth -= 1 }
        guard depth <= limits.maxSearchDepth else { throw ParseError("SEARCH nested too deeply") }

        if let b = peek(), b.isDigit || b == UInt8(ascii: "*") || b == UInt8(ascii: "$") {
            return .sequenceSet(try sequenceSet())
        }
        if consume(UInt8(ascii: "(")) {
            var keys = [try searchKey()]
            while consume(UInt8(ascii: " ")) {
                keys.append(try searchKey())
            }
            try expect(UInt8(ascii: ")"), ")")
            return .and(keys)
        }
        let token = keywordToken()
        switch token {
        case "ALL": return .all
        case "ANSWERED": return .answered
        case "DELETED": return .deleted
        case "DRAFT": return .draft
        case "FLAGGED": return .flagged
        case "NEW": return .new
        case "OLD": return .old
        case "RECENT": return .recent
        case "SEEN": return .seen
        case "UNANSWERED": return .unanswered
        case "UNDELETED": return .undeleted
        case "UNDRAFT": return .undraft
        case "UNFLAGGED": return .unflagged
        case "UNSEEN": return .unseen
        case "BCC": return .bcc(try spaceAString())
        case "BODY": return .body(try spaceAString())
        case "CC": return .cc(try spaceAString())
        case "FROM": return .from(try spaceAString())
        case "SUBJECT": return .subject(try spaceAString())
        case "TEXT": return .text(try spaceAString())
        case "TO": return .to(try spaceAString())
        case "HEADER":
            try space()
            let name = try astringUTF8()
            return .header(name, try spaceAString())
        case "KEYWORD":
            try space()
            return .keyword(try searchFlagKeyword())
        case "UNKEYWORD":
            try space()
            return .unkeyword(try searchFlagKeyword())
        case "BEFORE": return .before(try spaceDate())
        case "ON": return .on(try spaceDate())
        case "SINCE": return .since(try spaceDate())
        case "SENTBEFORE": return .sentBefore(try spaceDate())
        case "SENTON": return .sentOn(try spaceDate())
        case "SENTSINCE": return .sentSince(try spaceDate())
        case "LARGER":
            try space()
            return .larger(try number64())
        case "SMALLER":
            try space()
            return .smaller(try number64())
        case "UID":
            try space()
            return .uid(try sequenceSet())
        case "NOT":
            try space()
            return .not(try searchKey())
        case "OR":
            try space()
            let a = try searchKey()
            try space()
            return .or(a, try searchKey())
        case "MODSEQ":
            // search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer
            // search-modseq-ext  = SP entry-name SP entry-type-req
            // entry-type-req     = entry-type-resp / "all";  entry-type-resp = "priv" / "shared"
            // (RFC 7162 §7). The entry is accepted and not kept: every flag shares the message's MODSEQ.
            try space()
            if peek() == UInt8(ascii: "\"") {
                _ = try string()
                try space()
                let type = keywordToken()
                guard ["PRIV", "SHARED", "ALL"].contains(type) else { throw ParseError("expected priv, shared or all") }
                try space()
            }
            return .modSeq(try number64())
        // search-key =/ "SAVEDBEFORE" SP date / "SAVEDON" SP date / "SAVEDSINCE" SP date /
        //               "SAVEDATESUPPORTED"   (RFC 8514 §6)
        case "SAVEDBEFORE": return .savedBefore(try spaceDate())
        case "SAVEDON": return .savedOn(try spaceDate())
        case "SAVEDSINCE": return .savedSince(try spaceDate())
        case "SAVEDATESUPPORTED": return .saveDateSupported
        // search-key =/ "EMAILID" SP objectid / "THREADID" SP objectid   (RFC 8474 §8)
        case "EMAILID":
            try space()
            return .emailID(try objectID())
        case "THREADID":
            try space()
            return .threadID(try objectID())
        // search-key =/ ( "OLDER" / "YOUNGER" ) SP nz-number   (RFC 5032 §4)
        case "OLDER":
            try space()
            return .older(try nzNumber())
        case "YOUNGER":
            try space()
            return .younger(try nzNumber())
        case "":
            throw ParseError("expected search key")
        default:
            throw ParseError("unknown search key")
        }
    }

    /// objectid = 1*255(ALPHA / DIGIT / "_" / "-")   (RFC 8474 §8)
    private mutating func objectID() throws -> String {
        let start = index
        while let b = peek(), index - start < 255,
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
        {
            index += 1
        }
        guard index > start else { throw ParseError("expected an object id") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func spaceAString() throws -> [UInt8] {
        try space()
        return try astring()
    }

    private mutating func spaceDate() throws -> IMAPDate {
        try space()
        return try date()
    }

    /// "KEYWORD" SP flag-keyword
    private mutating func searchFlagKeyword() throws -> Flag {
        let f = try flag()
        guard case .keyword = f else { throw ParseError("expected keyword") }
        return f
    }
}
