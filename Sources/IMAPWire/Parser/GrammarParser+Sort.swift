// SORT and THREAD (RFC 5256 §5), ESORT (RFC 5267 §3), SORT=DISPLAY (RFC 5957 §3), PARTIAL (RFC 9394 §5)
extension GrammarParser {
    /// sort = ["UID" SP] "SORT" [sort-return-opts] SP sort-criteria SP search-criteria
    /// sort-return-opts = SP "RETURN" SP "(" [sort-return-opt *(SP sort-return-opt)] ")"
    /// sort-return-opt = "MIN" / "MAX" / "ALL" / "COUNT" / "PARTIAL" SP partial-range
    /// sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"
    /// sort-criterion = ["REVERSE" SP] sort-key
    /// search-criteria = charset 1*(SP search-key)
    mutating func sortCommand(uid: Bool) throws -> SortCommand {
        try space()
        var returnOptions: [SearchReturnOption]?
        var partial: SearchPartialRange?
        if consumeKeyword("RETURN ") {
            (returnOptions, partial) = try returnOptionList(allowSave: false)
            try space()
        }
        let criteria = try parenthesizedList(allowEmpty: false) { p in
            let reverse = p.consumeKeyword("REVERSE ")
            guard let key = SortKey(rawValue: p.keywordToken()) else { throw ParseError("unknown sort key") }
            return SortCriterion(key, reverse: reverse)
        }
        try space()
        let (charset, key) = try searchCriteria()
        return SortCommand(
            returnOptions: returnOptions, partial: partial, criteria: criteria, charset: charset, key: key, uid: uid)
    }

    /// thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
    /// thread-alg = "ORDEREDSUBJECT" / "REFERENCES" / thread-alg-ext
    mutating func threadCommand(uid: Bool) throws -> ThreadCommand {
        try space()
        guard let algorithm = ThreadAlgorithm(rawValue: keywordToken()) else {
            throw ParseError("unknown THREAD algorithm")
        }
        try space()
        let (charset, key) = try searchCriteria()
        return ThreadCommand(algorithm: algorithm, charset: charset, key: key, uid: uid)
    }

    /// search-criteria = charset 1*(SP search-key); several keys are returned as `.and`.
    private mutating func searchCriteria() throws -> (String, SearchKey) {
        let charset = try astringUTF8()
        var keys: [SearchKey] = []
        while consume(UInt8(ascii: " ")) { keys.append(try searchKey()) }
        guard !keys.isEmpty else { throw ParseError("expected search key") }
        return (charset, keys.count == 1 ? keys[0] : .and(keys))
    }

    /// "(" [return-opt *(SP return-opt)] ")" with return-opt = "MIN" / "MAX" / "ALL" / "COUNT" / "SAVE" /
    /// "PARTIAL" SP partial-range (RFC 4731 §3.1, RFC 5182 §2, RFC 9394 §5); SAVE only where `allowSave`.
    /// PARTIAL may appear once.
    mutating func returnOptionList(allowSave: Bool) throws -> ([SearchReturnOption], SearchPartialRange?) {
        var partial: SearchPartialRange?
        let options = try parenthesizedList(allowEmpty: true) { p -> SearchReturnOption? in
            let token = p.keywordToken()
            if token == "PARTIAL" {
                guard partial == nil else { throw ParseError("PARTIAL given twice") }
                try p.space()
                partial = try p.partialRange()
                return nil
            }
            guard let o = SearchReturnOption(rawValue: token), allowSave || o != .save else {
                throw ParseError(allowSave ? "unknown SEARCH return option" : "unknown SORT return option")
            }
            return o
        }
        return (options.compactMap { $0 }, partial)
    }

    /// partial-range = partial-range-first / partial-range-last
    /// partial-range-first = nz-number ":" nz-number
    /// partial-range-last  = MINUS nz-number ":" MINUS nz-number
    mutating func partialRange() throws -> SearchPartialRange {
        let negative = consume(UInt8(ascii: "-"))
        let first = try nzNumber()
        try expect(UInt8(ascii: ":"), ":")
        guard consume(UInt8(ascii: "-")) == negative else { throw ParseError("PARTIAL range mixes signs") }
        let last = try nzNumber()
        let sign: Int64 = negative ? -1 : 1
        return SearchPartialRange(sign * Int64(first), sign * Int64(last))
    }
}
