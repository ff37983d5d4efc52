// Command dispatch (RFC 9051 §9 "command", with RFC 3501 additions and extensions).
extension GrammarParser {
    /// Parses a whole frame: command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
    public static func parseCommand(
        _ frame: [UInt8], limits: IMAPLimits = .default
    ) -> Result<TaggedCommand, CommandParseFailure> {
        var parser = GrammarParser(frame, limits: limits)
        var tag: String?
        do {
            let t = try parser.tag()
            // A tag alone on its line still gets a tagged BAD.
            if let next = parser.peek(), next != UInt8(ascii: " ") && next != 13 && next != 10 {
                throw ParseError("invalid tag")
            }
            tag = t
            try parser.space()
            let command = try parser.command()
            try parser.endOfCommand()
            return .success(TaggedCommand(tag: t, command: command))
        } catch let error as ParseError {
            return .failure(CommandParseFailure(tag: tag ?? GrammarParser.leadingTag(frame), message: error.message))
        } catch {
            return .failure(CommandParseFailure(tag: tag, message: "syntax error"))
        }
    }

    /// The tag at the start of `bytes`, if it has a valid one followed by SP.
    static func leadingTag(_ bytes: [UInt8]) -> String? {
        var parser = GrammarParser(bytes)
        guard let t = try? parser.tag(), parser.peek() == UInt8(ascii: " ") else { return nil }
        return t
    }

    /// tag = 1*<any ASTRING-CHAR except "+">
    mutating func tag() throws -> String {
        let start = index
        while let b = peek(), IMAPChar.isTagChar(b) { index += 1 }
        guard index > start else { throw ParseError("missing or invalid tag") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func command() throws -> Command {
        let name = keywordToken()
        switch name {
        case "CAPABILITY": return .capability
        case "NOOP": return .noop
        case "LOGOUT": return .logout
        case "STARTTLS": return .starttls
        case "NAMESPACE": return .namespace
        case "CHECK": return .check
        case "CLOSE": return .close
        case "UNSELECT": return .unselect
        case "UNAUTHENTICATE": return .unauthenticate
        case "EXPUNGE": return .expunge
        case "IDLE": return .idle
        case "AUTHENTICATE": return try authenticate()
        case "LOGIN":
            try space()
            let user = try astringUTF8()
            try space()
            return .login(username: user, password: try astringUTF8())
        case "ENABLE":
            // enable = "ENABLE" 1*(SP capability)
            var caps: [String] = []
            repeat {
                try space()
                caps.append(try atom())
            } while peek() == UInt8(ascii: " ")
            return .enable(caps)
        case "SELECT", "EXAMINE":
            // select = "SELECT" SP mailbox [select-params]
            try space()
            let m = try mailbox()
            let params = try selectParameters()
            return name == "SELECT" ? .select(m, parameters: params) : .examine(m, parameters: params)
        case "CREATE":
            // create = "CREATE" SP mailbox [create-params]
            try space()
            let m = try mailbox()
            return .create(m, parameters: try createParameters())
        case "DELETE": return .delete(try spaceMailbox())
        case "SUBSCRIBE": return .subscribe(try spaceMailbox())
        case "UNSUBSCRIBE": return .unsubscribe(try spaceMailbox())
        case "RENAME":
            // rename = "RENAME" SP mailbox SP mailbox
            let from = try spaceMailbox()
            return .rename(from: from, to: try spaceMailbox())
        case "LIST": return .list(try listCommand())
        case "LSUB":
            // lsub = "LSUB" SP mailbox SP list-mailbox
            let reference = try spaceMailbox()
            try space()
            return .lsub(reference: reference, pattern: try listMailbox())
        case "STATUS":
            // status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
            let m = try spaceMailbox()
            try space()
            return .status(m, try statusAttributes())
        case "SEARCH": return .search(try searchCommand(uid: false))
        case "SORT": return .sort(try sortCommand(uid: false))
        case "THREAD": return .thread(try threadCommand(uid: false))
        case "FETCH": return try fetchCommand(uid: false)
        case "STORE": return try storeCommand(uid: false)
        case "COPY", "MOVE": return try copyOrMove(name, uid: false)
        case "UID": return try uidCommand()
        case "ID": return try idCommand()
        case "GETQUOTA": return try getQuotaCommand()
        case "GETQUOTAROOT": return try getQuotaRootCommand()
        case "SETQUOTA": return try setQuotaCommand()
        case "GETMETADATA": return try getMetadataCommand()
        case "SETMETADATA": return try setMetadataCommand()
        case "COMPRESS":
            // compress = "COMPRESS" SP algorithm   (RFC 4978 §3)
            try space()
            return .compress(algorithm: try atom().uppercased())
        case "APPEND":
            throw ParseError(appendDiagnosis())
        case "REPLACE":
            throw ParseError(replaceDiagnosis())
        case "":
            throw ParseError("missing command")
        default:
            throw ParseError("unknown command")
        }
    }

    private mutating func spaceMailbox() throws -> MailboxName {
        try space()
        return try mailbox()
    }

    /// uid = "UID" SP (copy / move / fetch / search / store / uid-expunge / sort / thread)
    mutating func uidCommand() throws -> Command {
        try space()
        let name = keywordToken()
        switch name {
        case "FETCH": return try fetchCommand(uid: true)
        case "SEARCH": return .search(try searchCommand(uid: true))
        case "SORT": return .sort(try sortCommand(uid: true))
        case "THREAD": return .thread(try threadCommand(uid: true))
        case "STORE": return try storeCommand(uid: true)
        case "COPY", "MOVE": return try copyOrMove(name, uid: true)
        case "EXPUNGE":
            // uid-expunge = "UID" SP "EXPUNGE" SP sequence-set
            try space()
            return .uidExpunge(try sequenceSet())
        case "REPLACE":
            // uid-replace = "UID" SP replace (RFC 8508 §5): streamed by the framer when well-formed.
            throw ParseError(replaceDiagnosis())
        default:
            throw ParseError("unknown UID command")
        }
    }

    /// copy = "COPY" SP sequence-set SP mailbox; move = "MOVE" SP sequence-set SP mailbox
    mutating func copyOrMove(_ name: String, uid: Bool) throws -> Command {
        try space()
        let set = try sequenceSet()
        let m = try spaceMailbox()
        return name == "COPY" ? .copy(set, m, uid: uid) : .move(set, m, uid: uid)
    }

    /// store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
    /// store-modifiers = SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"   (RFC 7162)
    mutating func storeCommand(uid: Bool) throws -> Command {
        try space()
        let set = try sequenceSet()
        try space()
        var unchangedSince: UInt64?
        if consume(UInt8(ascii: "(")) {
            try expectKeyword("UNCHANGEDSINCE")
            try space()
            unchangedSince = try number64()
            try expect(UInt8(ascii: ")"), ")")
            try space()
        }
        return .store(set, try storeAction(), unchangedSince: unchangedSince, uid: uid)
    }

    /// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
    mutating func storeAction() throws -> StoreAction {
        let mode: StoreAction.Mode
        if consume(UInt8(ascii: "+")) {
            mode = .add
        } else if consume(UInt8(ascii: "-")) {
            mode = .remove
        } else {
            mode = .replace
        }
        let silent: Bool
        switch keywordToken() {
        case "FLAGS": silent = false
        case "FLAGS.SILENT": silent = true
        default: throw ParseError("expected FLAGS or FLAGS.SILENT")
        }
        try space()
        var flags: [Flag]
        if peek() == UInt8(ascii: "(") {
            flags = try flagList()
        } else {
            flags = [try flag()]
            while consume(UInt8(ascii: " ")) { flags.append(try flag()) }
        }
        return StoreAction(mode: mode, silent: silent, flags: flags)
    }

    /// authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp]
    /// auth-type = atom; initial-resp = (base64 / "=")   (RFC 4959)
    mutating func authenticate() throws -> Command {
        try space()
        let mechanism = try atom()
        guard consume(UInt8(ascii: " ")) else { return .authenticate(mechanism: mechanism, initialResponse: nil) }
        if consume(UInt8(ascii: "=")) { return .authenticate(mechanism: mechanism, initialResponse: "") }
        // base64 = *(4base64-char) [base64-terminal]
        let start = index
        while let b = peek(), b.isBase64Char { index += 1 }
        var padding = 0
        while padding < 2, consume(UInt8(ascii: "=")) { padding += 1 }
        let length = index - start
        guard length > 0, length % 4 == 0 else { throw ParseError("invalid base64 initial response") }
        return .authenticate(
            mechanism: mechanism, initialResponse: String(decoding: bytes[start..<index], as: UTF8.self))
    }

    /// id = "ID" SP id-params-list; id-params-list = "(" *(string SP nstring) ")" / nil   (RFC 2971 §4)
    /// At most `IMAPLimits.maxIDPairs` pairs, fields of at most `maxIDFieldLength` octets and values of
    /// at most `maxIDValueLength` octets (RFC 2971 §3.3).
    mutating func idCommand() throws -> Command {
        try space()
        if consumeKeyword("NIL") { return .id(nil) }
        let params = try parenthesizedList(allowEmpty: true) { p in
            let field = try p.string()
            guard field.count <= IMAPLimits.maxIDFieldLength else {
                throw ParseError("ID field longer than \(IMAPLimits.maxIDFieldLength) octets")
            }
            guard let key = String(validating: field, as: UTF8.self) else {
                throw ParseError("ID key is not UTF-8")
            }
            try p.space()
            let value = try p.nstring()
            guard let value else { return IDParameter(key: key, value: nil) }
            guard value.count <= IMAPLimits.maxIDValueLength else {
                throw ParseError("ID value longer than \(IMAPLimits.maxIDValueLength) octets")
            }
            guard let v = String(validating: value, as: UTF8.self) else { throw ParseError("ID value is not UTF-8") }
            return IDParameter(key: key, value: v)
        }
        guard params.count <= IMAPLimits.maxIDPairs else {
            throw ParseError("ID with more than \(IMAPLimits.maxIDPairs) field-value pairs")
        }
        return .id(params)
    }

    /// "(" status-att *(SP status-att) ")"
    mutating func statusAttributes() throws -> [StatusAttribute] {
        try parenthesizedList(allowEmpty: false) { p in
            guard let a = StatusAttribute(rawValue: p.keywordToken()) else {
                throw ParseError("unknown STATUS attribute")
            }
            return a
        }
    }
}

/// Why a frame failed to parse: the tag if it could be read, and a message for the BAD response.
public struct CommandParseFailure: Error, Sendable, Hashable {
    public var tag: String?
    public var message: String
}

extension UInt8 {
    /// base64-char = ALPHA / DIGIT / "+" / "/"
    var isBase64Char: Bool {
        (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A) || isDigit
            || self == UInt8(ascii: "+") || self == UInt8(ascii: "/")
    }
}
