// LIST (RFC 9051 / RFC 5258), SELECT parameters (RFC 7162), CREATE parameters (RFC 6154).
extension GrammarParser {
    /// list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
    /// list-select-opts = "(" [(*(list-select-mod-opt SP) list-select-base-opt *(SP list-select-opt))] ")"
    /// mbox-or-pat = list-mailbox / patterns; patterns = "(" list-mailbox *(SP list-mailbox) ")"
    /// list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
    mutating func listCommand() throws -> ListCommand {
        try space()
        var selection: [ListSelectOption] = []
        if peek() == UInt8(ascii: "(") {
            selection = try parenthesizedList(allowEmpty: true) { p in
                guard let o = ListSelectOption(rawValue: p.keywordToken()) else {
                    throw ParseError("unknown LIST selection option")
                }
                return o
            }
            try space()
        }
        let reference = try mailbox()
        try space()
        let patterns: [ByteString]
        if peek() == UInt8(ascii: "(") {
            patterns = try parenthesizedList(allowEmpty: false) { try $0.listMailbox() }
        } else {
            patterns = [try listMailbox()]
        }
        var returns: [ListReturnOption] = []
        if consume(UInt8(ascii: " ")) {
            try expectKeyword("RETURN")
            try space()
            returns = try parenthesizedList(allowEmpty: true) { p in
                switch p.keywordToken() {
                case "SUBSCRIBED": return .subscribed
                case "CHILDREN": return .children
                case "SPECIAL-USE": return .specialUse
                case "STATUS":
                    try p.space()
                    return .status(try p.statusAttributes())
                default: throw ParseError("unknown LIST return option")
                }
            }
        }
        return ListCommand(
            selectionOptions: selection, reference: reference, patterns: patterns, returnOptions: returns)
    }

    /// select-params = SP "(" select-param *(SP select-param) ")"
    /// select-param = "CONDSTORE" / "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
    ///                [SP seq-match-data] ")"
    mutating func selectParameters() throws -> [SelectParameter] {
        guard consume(UInt8(ascii: " ")) else { return [] }
        return try parenthesizedList(allowEmpty: false) { p in
            switch p.keywordToken() {
            case "CONDSTORE": return .condstore
            case "QRESYNC":
                try p.space()
                try p.expect(UInt8(ascii: "("), "(")
                let uidValidity = try p.nzNumber()
                try p.space()
                let modSeq = try p.number64()
                var known: SequenceSet?
                var match: QResyncParameters.SequenceMatch?
                if p.consume(UInt8(ascii: " ")) {
                    if p.peek() != UInt8(ascii: "(") {
                        known = try p.sequenceSet()
                        if p.consume(UInt8(ascii: " ")) { match = try p.sequenceMatch() }
                    } else {
                        match = try p.sequenceMatch()
                    }
                }
                try p.expect(UInt8(ascii: ")"), ")")
                return .qresync(
                    QResyncParameters(uidValidity: uidValidity, modSeq: modSeq, knownUIDs: known, sequenceMatch: match))
            default:
                throw ParseError("unknown SELECT parameter")
            }
        }
    }

    /// seq-match-data = "(" known-sequence-set SP known-uid-set ")"
    mutating func sequenceMatch() throws -> QResyncParameters.SequenceMatch {
        try expect(UInt8(ascii: "("), "(")
        let seqs = try sequenceSet()
        try space()
        let uids = try sequenceSet()
        try expect(UInt8(ascii: ")"), ")")
        return QResyncParameters.SequenceMatch(knownSequenceSet: seqs, knownUIDSet: uids)
    }

    /// create-params = SP "(" create-param *(SP create-param) ")"
    /// create-param = "USE" SP "(" [use-attr *(SP use-attr)] ")"; use-attr = "\" atom
    mutating func createParameters() throws -> [CreateParameter] {
        guard consume(UInt8(ascii: " ")) else { return [] }
        return try parenthesizedList(allowEmpty: false) { p in
            guard p.keywordToken() == "USE" else { throw ParseError("unknown CREATE parameter") }
            try p.space()
            let attrs = try p.parenthesizedList(allowEmpty: true) { q in
                try q.expect(UInt8(ascii: "\\"), "special-use attribute")
                return "\\" + (try q.atom())
            }
            return .use(attrs)
        }
    }
}
